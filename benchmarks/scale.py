"""A synthetic class of 10,000 mixed submissions, graded whole and as 4 shards + merge (not part of .ci/run).

    python benchmarks/scale.py [--students 10000] [--small 1000] [--jobs 2] [--shards 4]

The class mixes what a real one holds, in a fixed proportion: copies of the
solutions (half), buggy submissions (each a known mistake of the course),
notebooks, zips, and broken submissions (an empty folder, a file that is not
a zip). It runs ``grader batch --jobs 2`` as a user would, first on the
first ``--small`` students, then on the whole class, then the whole class as
``--shards`` shards one after the other (as separate machines would) and
``grader merge``; and prints, for each: students per minute (wall), the CPU
seconds per student the whole machine spent meanwhile (``/proc/stat``: the
student processes and the kernel's work included, but also anything else
running, so run it on an otherwise idle machine), the CPU seconds of the
grader's own processes (those it waited for: not the student processes,
which their namespace's first process reaps), and the peak memory of the
largest process. It checks that the merged gradebook and class report
equal the whole batch's, and that the peak memory of the whole class is at
most 1.2x that of the small one.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from batch import machine_busy  # noqa: E402  (benchmarks/batch.py)
from builtin_course import MUTANTS, SOLUTIONS, mutant_submission  # noqa: E402

GRADER = [sys.executable, "-c", "from grader.cli.launch import grader; grader()"]
# run a command, then print the CPU seconds and peak memory (KiB) of it and everything it waited for
MEASURE = ("import json, resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
           "r = resource.getrusage(resource.RUSAGE_CHILDREN); "
           "print(json.dumps([done.returncode, r.ru_utime + r.ru_stime, r.ru_maxrss]))")
KINDS = ("correct", "correct", "correct", "correct", "correct", "buggy", "buggy", "notebook", "zip", "broken")


def write_student(folder: Path, index: int, scratch: Path) -> str:
    """Write the ``index``-th student of the class into ``folder``; return their kind."""
    kind = KINDS[index % len(KINDS)]
    name = f"s{index:05d}"
    if kind == "correct":
        shutil.copytree(SOLUTIONS, folder / name, ignore=shutil.ignore_patterns("*.md"))
    elif kind == "buggy":
        mutant_submission(folder / name, MUTANTS[index // len(KINDS) % len(MUTANTS)])
    elif kind == "notebook":
        (folder / name).mkdir()
        (folder / name / "homework.ipynb").write_text(_notebook(), encoding="utf-8")
    elif kind == "zip":
        with zipfile.ZipFile(folder / f"{name}.zip", "w") as archive:
            for path in sorted(SOLUTIONS.glob("*.py")):
                archive.write(path, f"{name}/{path.name}")
    elif index // len(KINDS) % 2:
        (folder / name).mkdir()  # nothing handed in
    else:
        (folder / f"{name}.zip").write_bytes(b"not a zip file")
    return kind


_NOTEBOOK: str | None = None


def _notebook() -> str:
    global _NOTEBOOK
    if _NOTEBOOK is None:
        import nbformat

        cells = [nbformat.v4.new_code_cell(path.read_text(encoding="utf-8")) for path in sorted(SOLUTIONS.glob("*.py"))]
        _NOTEBOOK = nbformat.writes(nbformat.v4.new_notebook(cells=cells))
    return _NOTEBOOK


def make_class(folder: Path, students: int) -> dict[str, int]:
    folder.mkdir(parents=True)
    kinds: dict[str, int] = {}
    for index in range(students):
        kind = write_student(folder, index, folder.parent)
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def measured(*arguments) -> tuple[float, float, float, int]:
    """Wall seconds, the machine's CPU seconds, the grader's own CPU seconds and peak memory (MiB) of
    ``grader ARGUMENTS``."""
    started, busy = time.perf_counter(), machine_busy()
    done = subprocess.run([sys.executable, "-c", MEASURE, *GRADER, *map(str, arguments)], capture_output=True,
                          text=True, cwd=ROOT)
    seconds, busy = time.perf_counter() - started, machine_busy() - busy
    code, cpu, peak = json.loads(done.stdout.strip().splitlines()[-1])
    if code not in (0, 3):  # 3: the grader failed on some student (counted in the gradebook)
        sys.exit(f"grader {' '.join(map(str, arguments[:1]))} exited {code}: {done.stderr[-2000:]}")
    return seconds, busy, cpu, peak / 1024


def line(label: str, students: int, seconds: float, busy: float, cpu: float, peak: float) -> str:
    return (f"  {label:<28} {students:>6} students  {seconds:7.1f} s  {students / seconds * 60:7.0f} students/min  "
            f"machine {busy / students:.3f} CPU-s/student (grader's own {cpu / students:.3f})  peak {peak:5.0f} MiB")


def compare_shards(tmp: Path, args, common: list) -> None:
    """The class as ``args.shards`` shards one after the other, then ``grader merge``; its files against the
    whole batch's."""
    shards = []
    for index in range(1, args.shards + 1):
        shards.append(measured("batch", tmp / "class", "--out", tmp / f"shard{index}", *common,
                               "--shard", f"{index}/{args.shards}"))
        print(line(f"shard {index}/{args.shards}", args.students // args.shards, *shards[-1]), flush=True)
    merge = measured("merge", *(tmp / f"shard{i}" for i in range(1, args.shards + 1)), "--out", tmp / "merged")
    print(line("merge", args.students, *merge))
    total = (*(sum(s[k] for s in shards) + merge[k] for k in range(3)), max(s[3] for s in shards))
    print(line(f"{args.shards} shards + merge (sum)", args.students, *total))
    print(f"  slowest shard + merge (as {args.shards} machines would): "
          f"{max(s[0] for s in shards) + merge[0]:.1f} s; load {os.getloadavg()[0]:.1f} at the end")
    for name in ("gradebook.csv", "class-report.csv", "class-report.html"):
        same = (tmp / "merged" / name).read_bytes() == (tmp / "out" / name).read_bytes()
        print(f"  merged {name} {'equals' if same else 'DIFFERS FROM'} the whole batch's")
        if not same and name == "gradebook.csv":
            mine = (tmp / "merged" / name).read_text(encoding="utf-8-sig").splitlines()
            theirs = (tmp / "out" / name).read_text(encoding="utf-8-sig").splitlines()
            differ = [(a, b) for a, b in zip(mine, theirs) if a != b]
            print(f"    {len(differ)} rows differ (of {len(theirs)}); the first: {differ[:2]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--shards", type=int, default=4, help="0: the whole class only")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    common = ["--jobs", args.jobs, "--seed", args.seed]
    with tempfile.TemporaryDirectory(prefix="grader-scale-") as tmp:
        tmp = Path(tmp)
        kinds = make_class(tmp / "small", args.small)
        make_class(tmp / "class", args.students)
        print(f"grader batch --jobs {args.jobs}: a synthetic class ({', '.join(f'{n} {k}' for k, n in kinds.items())} "
              f"in every {args.small}); {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at the start")
        # a batch checks the course first unless a check of it is kept: done here, so no figure includes it
        subprocess.run([*GRADER, "check"], cwd=ROOT, check=True, capture_output=True)
        small = measured("batch", tmp / "small", "--out", tmp / "out-small", *common)
        print(line("whole, small class", args.small, *small), flush=True)
        whole = measured("batch", tmp / "class", "--out", tmp / "out", *common)
        print(line("whole class", args.students, *whole), flush=True)
        if args.shards:
            compare_shards(tmp, args, common)
        statuses: dict[str, int] = {}
        with open(tmp / "out" / "gradebook.csv", newline="", encoding="utf-8-sig") as f:
            for row in csv.DictReader(f):
                statuses[row["status"]] = statuses.get(row["status"], 0) + 1
        print(f"  statuses of the whole class: {statuses}")
        ratio = whole[3] / small[3]
        print(f"  peak memory {args.students} / {args.small} students: {ratio:.2f}x (at most 1.2x: "
              f"{'yes' if ratio <= 1.2 else 'NO'})")


if __name__ == "__main__":
    main()
