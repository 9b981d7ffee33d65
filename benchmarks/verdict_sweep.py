"""Verdicts over many seeds: correct submissions never lose a point, buggy ones always do, on their layer only.

The test suite checks this on a few seeds (and the solutions on 50); this
script sweeps many more, in-process for speed (the verdicts do not depend on
the isolation). Usage: python benchmarks/verdict_sweep.py [--seeds 150] [--mutant-seeds 30]
"""
from __future__ import annotations

import argparse
import collections
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
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
