"""Grading a notebook costs about what grading its classes as .py modules costs.

For each notebook of the test corpus (tests/corpus: a chapter notebook, a
Colab notebook, a notebook training for 10,000 iterations, ...), grade the
notebook with ``grade --submission NOTEBOOK`` and grade the same classes
written as the assignments' .py modules, alternately, several times; print
the median wall times and their ratio (the target is at most 2x).

    python benchmarks/notebooks.py [--runs 5]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from corpus import ASSIGNMENT_OF, module  # noqa: E402
from corpus import habits  # noqa: E402

NOTEBOOKS = ("chapter_notebook", "colab_notebook", "training_notebook", "notebook_with_extras", "python2_cell",
             "star_import_after", "sibling_imports")
HELPERS = {"affine_softmax": habits.AFFINE_HELPERS, "conv_pool": habits.CONV_HELPERS}


def as_modules(classes, folder: Path) -> Path:
    """The given classes written as the assignments' own .py modules."""
    folder.mkdir(parents=True)
    by_assignment: dict[str, list[str]] = {}
    for name in classes:
        by_assignment.setdefault(ASSIGNMENT_OF[name], []).append(name)
    for assignment, names in by_assignment.items():
        (folder / f"{assignment}.py").write_text(module(*HELPERS.get(assignment, ()), *names), encoding="utf-8")
    return folder


def seconds(path: Path, assignments) -> float:
    command = [sys.executable, "-c", "from grader.cli import grade; grade()", *assignments, "--submission", str(path),
               "--seed", "1", "--format", "json", "-o", "-"]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=path.parent)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    print(f"{'notebook':<24} {'notebook s':>10} {'.py s':>8} {'ratio':>6}")
    worst = 0.0
    with tempfile.TemporaryDirectory() as scratch:
        for name in NOTEBOOKS:
            built = getattr(habits, name)(Path(scratch) / name / "notebook")
            assignments = sorted({ASSIGNMENT_OF[c] for c in built.classes})
            modules = as_modules(built.classes, Path(scratch) / name / "modules")
            pairs = [(seconds(built.submit, assignments), seconds(modules, assignments)) for _ in range(options.runs)]
            notebook, plain = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
            worst = max(worst, notebook / plain)
            print(f"{name:<24} {notebook:>10.2f} {plain:>8.2f} {notebook / plain:>6.2f}")
    print(f"worst ratio: {worst:.2f} (target: at most 2)")


if __name__ == "__main__":
    main()
