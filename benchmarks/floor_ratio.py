"""How many times the numpy floor a student's ``grade`` run takes, measured paired in one run.

    python benchmarks/floor_ratio.py [--runs 15] [--against OTHER/bin/grade]

Machines here are shared and noisy, so absolute seconds drift from one
minute to the next; what holds is a ratio measured in the same run. Each
round runs, back to back and in a rotating order:

  - ``python -c "import numpy"``: the floor any numpy tool pays;
  - ``grade --submission <the course's solutions>``: the whole suite, isolated;
  - the same with ``GRADER_NO_NAMESPACES=1`` (as in Docker without namespaces);
  - the same with ``GRADER_IN_PROCESS=1`` (no isolation at all; debug switch).

``--against`` adds another installation's ``grade`` (an earlier commit in
a venv of its own) to the rotation, plain and with each switch, so a change
is measured paired with the version before it in the same minutes.

It prints each command's median and its ratio to the floor's median, and
the median CPU time the whole machine spent per run (``/proc/stat`` on
Linux: the command, every process it started and the kernel's work for
them, but also anything else running), which drifts far less than wall time.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--against", metavar="GRADE", help="another installation's grade, measured paired")
    args = parser.parse_args()
    grade = shutil.which("grade") or sys.exit("install the project first: pip install -e .")
    sys.path.insert(0, str(ROOT / "tests"))
    from builtin_course import SOLUTIONS

    report = Path(tempfile.mkdtemp()) / "report.json"
    command = [grade, "--submission", str(SOLUTIONS), "--format", "json", "--output", str(report), "--seed", "1"]
    plain = {k: v for k, v in os.environ.items() if k not in ("GRADER_IN_PROCESS", "GRADER_NO_NAMESPACES")}
    cases = {"python -c 'import numpy'": ([sys.executable, "-c", "import numpy"], plain)}
    for name, program in [("grade", grade)] + ([("against", args.against)] if args.against else []):
        argv = [program, *command[1:]]
        cases.update({
            f"{name} --submission solutions": (argv, plain),
            "  same, GRADER_NO_NAMESPACES=1" + " " * (name != "grade"): (argv, {**plain, "GRADER_NO_NAMESPACES": "1"}),
            "  same, GRADER_IN_PROCESS=1 (no isolation)" + " " * (name != "grade"): (
                argv, {**plain, "GRADER_IN_PROCESS": "1"}),
        })
    times = {label: [] for label in cases}
    cpu = {label: [] for label in cases}
    labels = list(cases)
    for round_ in range(args.runs):
        for label in labels[round_ % len(labels):] + labels[: round_ % len(labels)]:
            argv, env = cases[label]
            busy, started = machine_cpu(), time.perf_counter()
            subprocess.run(argv, env=env, cwd=report.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[label].append(time.perf_counter() - started)
            cpu[label].append(machine_cpu() - busy)
    floor = statistics.median(times[labels[0]])
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}, "
          f"load {os.getloadavg()[0]:.1f}; median of {args.runs} paired runs")
    for label, values in times.items():
        median = statistics.median(values)
        spent = f"   {statistics.median(cpu[label]) * 1000:4.0f} ms of machine CPU" if cpu[label][0] >= 0 else ""
        print(f"  {label:<46} {median:6.3f} s   {median / floor:4.2f}x the floor{spent}")


def machine_cpu() -> float:
    """CPU seconds the whole machine has spent working since boot (user, system, interrupts), or -1 elsewhere."""
    try:
        with open("/proc/stat") as f:
            user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in f.readline().split()[1:8])
    except (OSError, ValueError):
        return -1.0
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
