"""Verdicts over many seeds: correct submissions never lose a point, buggy ones always do, on their layer only.

The test suite checks this on a few seeds (and the solutions on 50); this
script sweeps many more, in-process for speed (the verdicts do not depend on
the isolation). Usage: python benchmarks/verdict_sweep.py [--seeds 150] [--mutant-seeds 30]

Before and after a change meant to alter no verdict (a speed-up), record every
report of the golden set's submissions (solutions, stubs, every mutant, the
test variants and the corpus's habits) over some seeds with one version, then
compare with the other::

    python benchmarks/verdict_sweep.py --record before.json --seeds 20   # on the old version
    python benchmarks/verdict_sweep.py --compare before.json             # on the new one

A report is compared without its timings and the machine's details: every
test's status, score, diagnosis and message, and the totals.
"""
from __future__ import annotations

import argparse
import collections
import hashlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from grader.judge.engine import grade_submission  # noqa: E402
from builtin_course import MUTANTS, mutant_submission  # noqa: E402

CORRECT = ["solutions", "tests/submissions/loops", "tests/submissions/book", "tests/submissions/float32"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=150)
    parser.add_argument("--mutant-seeds", type=int, default=30)
    parser.add_argument("--record", type=Path, help="write the digest of every report of the golden set's submissions")
    parser.add_argument("--compare", type=Path, help="grade as --record did and list the reports that differ")
    args = parser.parse_args()
    if args.record or args.compare:
        return record_or_compare(args.record, args.compare, args.seeds)
    started = time.perf_counter()
    lost_points = []
    for submission in CORRECT:
        for seed in range(args.seeds):
            report = grade_submission(ROOT / submission, seed=seed, in_process=True)
            if report["score"] != report["max_score"]:
                lost_points.append((submission, seed))
    print(f"correct submissions: {len(CORRECT)} x {args.seeds} seeds, {len(lost_points)} gradings below full marks")
    escaped, leaked = [], []
    for mutant in MUTANTS:
        layer = mutant.name
        folder = mutant_submission(Path(tempfile.mkdtemp()), mutant)
        for seed in range(args.mutant_seeds):
            report = grade_submission(folder, seed=seed, in_process=True)
            lost = collections.Counter(t["layer"] for t in report["tests"] if t["score"] < t["max_score"])
            if not lost[layer]:
                escaped.append((mutant.id, seed))
            if set(lost) - {layer}:
                leaked.append((mutant.id, seed, dict(lost)))
        shutil.rmtree(folder)
    print(f"buggy submissions: {len(MUTANTS)} x {args.mutant_seeds} seeds, {len(escaped)} passed their layer, "
          f"{len(leaked)} cost points on another layer")
    for row in (lost_points + escaped + leaked)[:20]:
        print("  ", row)
    print(f"{time.perf_counter() - started:.0f} s")


def record_or_compare(record: Path | None, compare: Path | None, seeds: int) -> None:
    """Digest every report of every golden-set submission over ``seeds`` seeds; write them, or compare them."""
    from golden_reports import normalised, submissions

    started = time.perf_counter()
    if compare:
        before = json.loads(compare.read_text(encoding="utf-8"))
        seeds = before["seeds"]
    digests = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in submissions(Path(tmp)).items():
            for seed in range(seeds):
                report = normalised(grade_submission(path, suite="all", seed=seed, in_process=True), Path(tmp))
                text = json.dumps(report, ensure_ascii=False, sort_keys=True)
                digests[f"{name} seed {seed}"] = hashlib.sha256(text.encode()).hexdigest()
    elapsed = time.perf_counter() - started
    if record:
        record.write_text(json.dumps({"seeds": seeds, "reports": digests}, indent=1), encoding="utf-8")
        print(f"recorded {len(digests)} reports ({seeds} seeds) in {elapsed:.0f} s")
        return
    changed = sorted(k for k in digests.keys() | before["reports"].keys()
                     if digests.get(k) != before["reports"].get(k))
    print(f"{len(digests)} reports ({seeds} seeds) in {elapsed:.0f} s: {len(changed)} differ")
    for key in changed[:20]:
        print("  ", key)
    sys.exit(1 if changed else 0)


if __name__ == "__main__":
    main()
