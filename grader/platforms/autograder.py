"""The grading step of the Gradescope bundle: ``python -m grader.platforms.autograder --root /autograder``.

Gradescope puts the student's files in ``ROOT/submission`` and uploads
``ROOT/results/results.json``. This always writes that file and exits 0,
as Gradescope wants: if grading fails for any reason, the student gets
score 0 and a message saying the staff must look, and the traceback goes to
stdout, which Gradescope shows to instructors only. If the grader itself
failed on some tests only, the results keep what was graded, their output
says so, and ``extra_data.internal_error`` says what failed.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path

from grader.lang import N_, _
from grader.reports import render, write_atomically
import grader.reports.gradescope as gradescope
from grader.lang.sanitize import clean_data

FALLBACK_MESSAGE = N_("The autograder failed before it could grade your submission. "
                      "This is not a problem with your code: please tell the course staff.")


def run(root: Path, *, seed: int | None = None, timeout: float | None = None) -> dict:
    """Grade ``root/submission`` with every suite and write ``root/results/results.json``."""
    from grader.judge.engine import DEFAULT_TIMEOUT, grade_submission

    results_path = root / "results" / "results.json"
    try:
        report = grade_submission(root / "submission", suite="all", seed=seed, timeout=timeout or DEFAULT_TIMEOUT)
        results = gradescope.results(clean_data(report))
        print(render(report, "text"), end="")
        print(_("Isolation: {isolation}").format(isolation=report.get("isolation") or "?"))  # staff only
        if report.get("internal_error"):  # stdout is for the staff; Gradescope still wants status 0 and the results
            print(_("The grader itself failed: {error}").format(error=report["internal_error"]))
    except Exception:
        traceback.print_exc(file=sys.stdout)
        results = gradescope.fallback(_(FALLBACK_MESSAGE))
    write_atomically(results_path, json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(_("results written to {path}").format(path=results_path))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.platforms.autograder", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(os.environ.get("AUTOGRADER_ROOT", "/autograder")))
    parser.add_argument("--seed", type=int, default=None, help="default: a fresh seed, recorded in the results")
    parser.add_argument("--timeout", type=float, default=None, help="seconds per test")
    args = parser.parse_args(argv)
    run(args.root, seed=args.seed, timeout=args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
