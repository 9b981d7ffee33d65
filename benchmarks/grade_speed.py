"""Time a student's `grade` run, process start included.

Compares, as whole commands on this machine:
  - `python -c "import numpy"`: the floor any numpy tool pays;
  - `grade --submission solutions`: the whole suite on the reference answers;
  - `grade --submission tests/submissions/loops`: a correct submission in naive Python loops;
  - the same with GRADER_IN_PROCESS=1 (no isolation: the cost of the boundary).

Usage: python benchmarks/grade_speed.py [--runs 10]
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], runs: int, env: dict | None = None) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    grade = shutil.which("grade") or sys.exit("install the project first: pip install -e .")
    out = Path(tempfile.mkdtemp()) / "report.json"
    common = ["--format", "json", "--output", str(out), "--seed", "1"]
    in_process = dict(os.environ, GRADER_IN_PROCESS="1")
    cases = [
        ("python -c 'import numpy'", [sys.executable, "-c", "import numpy"], None, args.runs),
        ("grade --submission solutions", [grade, "--submission", "solutions", *common], None, args.runs),
        ("  same, in-process (no isolation)", [grade, "--submission", "solutions", *common], in_process, args.runs),
        ("grade --submission tests/submissions/loops", [grade, "--submission", "tests/submissions/loops", *common],
         None, max(3, args.runs // 3)),
    ]
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}")
    for label, cmd, env, runs in cases:
        times = timed(cmd, runs, env)
        print(f"{label:<48} median {statistics.median(times):6.3f} s   min {min(times):6.3f} s   ({runs} runs)")


if __name__ == "__main__":
    main()
