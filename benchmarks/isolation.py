"""What isolating student code costs: ``grade --submission solutions`` with and without the boundary.

    python benchmarks/isolation.py [--runs 7]

Runs the whole suite on the reference solutions as a user would (a fresh
``grade`` process each time, JSON report to a temporary file), alternately
with the child process (the default) and in the grader's own process
(``GRADER_IN_PROCESS=1``, the debug switch: no isolation at all). Prints the
median wall time of each, and the median grading time the report records
(``duration_seconds``: the engine alone, without interpreter start-up).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = {"isolated": "0", "in-process": "1"}


def run_once(in_process: str, report: Path) -> tuple[float, float]:
    env = {**os.environ, "GRADER_IN_PROCESS": in_process}
    command = [sys.executable, "-c", "from grader.cli import grade; grade()", "--submission",
               str(ROOT / "solutions"), "--format", "json", "--output", str(report), "--seed", "1"]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=report.parent, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    data = json.loads(report.read_text())
    assert data["score"] == data["max_score"], f"the solutions scored {data['score']} of {data['max_score']}"
    return wall, data["duration_seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per mode (median reported)")
    args = parser.parse_args()
    times = {mode: [] for mode in MODES}
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        run_once("0", report)  # warm the file cache
        for _ in range(args.runs):
            for mode, flag in MODES.items():
                times[mode].append(run_once(flag, report))
    medians = {mode: tuple(statistics.median(t[i] for t in runs) for i in (0, 1)) for mode, runs in times.items()}
    print(f"grade --submission solutions, median of {args.runs} runs on {os.cpu_count()} cores:")
    for mode, (wall, engine) in medians.items():
        print(f"  {mode:<11} {wall:6.2f} s wall   {engine:6.2f} s grading")
    (wall_i, engine_i), (wall_p, engine_p) = medians["isolated"], medians["in-process"]
    print(f"  overhead    {wall_i - wall_p:+6.2f} s wall   {engine_i - engine_p:+6.2f} s grading"
          f"   ({(wall_i / wall_p - 1) * 100:+.0f}% wall)")


if __name__ == "__main__":
    main()
