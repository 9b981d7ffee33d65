"""How long ``grader batch`` takes for a class of 100 correct submissions.

    python benchmarks/batch.py [--students 100] [--jobs 1 2]

Copies solutions/ once per student into a temporary folder, runs
``grader batch`` as a user would (a fresh process each time, so interpreter
start-up and imports are included), and prints the wall time per job count
and the speed-up over the first. It also prints the CPU time of the judge processes
(which does not depend on what else the machine is doing) and how busy the
whole machine was meanwhile (student processes and the kernel included, but
also anything else running): on two cores, ``--jobs 2`` cannot take less
wall time than half of that.
"""
from __future__ import annotations

import argparse
import csv
import os
import platform
import resource
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_busy() -> float:
    """CPU seconds every process on the machine has used since boot (``/proc/stat``), or 0 elsewhere."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except OSError:
        return 0.0
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def time_batch(submissions: Path, out: Path, jobs: int) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds of the batch's own processes, and CPU seconds the whole machine used."""
    grader = shutil.which("grader") or sys.exit("install the project first: pip install -e .")
    command = [grader, "batch", str(submissions), "--out", str(out), "--jobs", str(jobs), "--seed", "1"]
    started, cpu, busy = time.perf_counter(), _children_cpu(), machine_busy()
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds, cpu, busy = time.perf_counter() - started, _children_cpu() - cpu, machine_busy() - busy
    with open(out / "gradebook.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    full = sum(row["score"] == row["max_score"] for row in rows)
    assert full == len(rows), f"only {full} of {len(rows)} copies of the solutions got full marks"
    return seconds, cpu, busy


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
    print(f"{platform.node()}: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} before the last run")
    for jobs, (seconds, cpu, busy) in timings.items():
        print(f"  --jobs {jobs}: {seconds:6.1f} s  ({seconds / args.students:.3f} s per student, "
              f"speed-up {timings[first][0] / seconds:.2f}x over --jobs {first}; "
              f"CPU of the judges {cpu:.2f} s, {1000 * cpu / args.students:.0f} ms per student; the machine was busy {busy:.1f} CPU-s, student processes included)")


if __name__ == "__main__":
    main()
