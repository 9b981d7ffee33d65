"""How long ``grader batch`` takes for a class of 100 correct submissions.

    python benchmarks/batch.py [--students 100] [--jobs 1 2]

Copies solutions/ once per student into a temporary folder, runs
``grader batch`` as a user would (a fresh process each time, so interpreter
start-up and imports are included), and prints the wall time per job count
and the speed-up over the first.
"""
from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_class(folder: Path, students: int) -> None:
    for i in range(students):
        shutil.copytree(ROOT / "solutions", folder / f"student{i:03d}", ignore=shutil.ignore_patterns("*.md"))


def time_batch(submissions: Path, out: Path, jobs: int) -> float:
    command = [sys.executable, "-c", "from grader.cli import grader; grader()",
               "batch", str(submissions), "--out", str(out), "--jobs", str(jobs), "--seed", "1"]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    with open(out / "gradebook.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    full = sum(row["score"] == row["max_score"] for row in rows)
    assert full == len(rows), f"only {full} of {len(rows)} copies of the solutions got full marks"
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        submissions = Path(tmp) / "submissions"
        make_class(submissions, args.students)
        timings = {jobs: time_batch(submissions, Path(tmp) / f"out-{jobs}", jobs) for jobs in args.jobs}
    first = args.jobs[0]
    print(f"grader batch, {args.students} copies of solutions/ (all full marks):")
    for jobs, seconds in timings.items():
        print(f"  --jobs {jobs}: {seconds:6.1f} s  ({seconds / args.students:.2f} s per student, "
              f"speed-up {timings[first] / seconds:.2f}x over --jobs {first})")


if __name__ == "__main__":
    main()
