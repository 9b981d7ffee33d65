"""The portable runner (Windows, macOS; ``GRADER_PORTABLE=1`` on Linux): a plain child process with limits.

On Linux these tests force it; on the Windows and macOS runners of the
project's CI (``-m portable``) it is the runner ``grade`` chooses anyway.
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from builtin_course import SOLUTIONS, max_score
from grader.judge.engine import grade_submission

pytestmark = pytest.mark.portable
ROOT = Path(__file__).resolve().parent.parent
PORTABLE = {"GRADER_PORTABLE": "1", "GRADER_LANG": "en"}


def grade_command() -> list[str]:
    """The installed ``grade`` program (its real entry point), or the same entry point through ``-c``."""
    found = shutil.which("grade", path=os.path.dirname(sys.executable))
    return [found] if found else [sys.executable, "-c", "from grader.cli.launch import grade; grade()"]


def submission(folder: Path, **patches: str) -> Path:
    """The solutions, with ``patches`` (module name -> code appended to it) applied."""
    folder.mkdir(parents=True, exist_ok=True)
    for module in SOLUTIONS.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        (folder / module.name).write_text(text + "\n" + textwrap.dedent(patches.get(module.stem, "")),
                                          encoding="utf-8")
    return folder


def run(args, cwd: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=300,
                          env=dict(os.environ, **PORTABLE, **env))


ENDLESS_BACKWARD = """
    class MulLayer(MulLayer):
        def backward(self, dout):
            while True:
                pass
"""


def test_an_endless_backward_is_stopped_at_the_timeout_and_the_report_is_written(tmp_path):
    folder = submission(tmp_path / "student", gates=ENDLESS_BACKWARD)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    started = time.monotonic()
    result = run([*grade_command(), "--submission", str(folder), "gates", "--timeout", "1", "--time-budget", "8",
                  "--format", "json", "--output", str(tmp_path / "report.json")], tmp_path,
                 TMPDIR=str(scratch), TEMP=str(scratch), TMP=str(scratch))
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    by_layer = {}
    for test in report["tests"]:
        by_layer.setdefault(test["layer"], set()).add(test["status"])
    assert by_layer == {"MulLayer": {"timeout"}, "AddLayer": {"passed"}}
    assert any("took longer than 1 s" in t["message"] for t in report["tests"])
    assert report["score"] == max_score("gates") / 2
    assert elapsed < 30, elapsed  # two tests at 1 s each, the rest not run: never the 8 s budget and more
    assert "no Linux confinement" in report["isolation"] and "a separate process, 1 s per test" in report["isolation"]
    assert list(scratch.iterdir()) == []  # the child's folder is gone with it
    assert _processes_in(scratch) == []


def _processes_in(folder: Path) -> list[int]:
    """Processes whose working directory is inside ``folder`` (where /proc tells; elsewhere none is found)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*") if Path("/proc/self/cwd").exists() else []:
        try:
            if Path(os.readlink(entry / "cwd")).is_relative_to(folder):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_the_solutions_get_full_marks_in_the_portable_runner(monkeypatch):
    monkeypatch.setenv("GRADER_PORTABLE", "1")
    report = grade_submission(SOLUTIONS, seed=3)
    assert report["score"] == report["max_score"] > 0
    assert report["counts"]["passed"] == len(report["tests"])
    assert "a separate process" in report["isolation"]
    assert "missing: no Linux confinement" in report["isolation"]
    assert "namespace" not in report["isolation"].split("missing:")[0]


STREAMS_AND_CRASHES = {
    "gates": """
        import os
        class MulLayer(MulLayer):
            def backward(self, dout):
                os.write(1, b"BPG1\\xff\\xff\\xff\\xffnot a message")
                os.write(2, b"garbage on stderr")
                print("printed by backward")
                return super().backward(dout)
    """,
    "activations": """
        import os
        class Relu(Relu):
            def backward(self, dout):
                os._exit(3)
        import numpy as np
        class Sigmoid(Sigmoid):
            def forward(self, x):
                hoard = []
                while True:
                    hoard.append(np.empty(1 << 27))  # 1 GB at a time
    """,
}


def test_what_student_code_writes_or_how_it_dies_stays_in_its_own_tests(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_PORTABLE", "1")
    folder = submission(tmp_path / "student", **STREAMS_AND_CRASHES)
    report = grade_submission(folder, seed=3, assignments=["gates", "activations"])
    tests = {t["name"]: t for t in report["tests"]}
    mul = [t for t in tests.values() if t["layer"] == "MulLayer"]
    assert all(t["status"] == "passed" for t in mul)  # its standard output is not the judge's channel
    assert any("printed by backward" in t.get("output", "") for t in mul)
    relu = [t for t in tests.values() if t["layer"] == "Relu" and t["status"] != "passed"]
    assert relu and all("exited with status 3" in t["message"] for t in relu)
    sigmoid = [t for t in tests.values() if t["layer"] == "Sigmoid" and t["status"] != "passed"]
    assert sigmoid and all("MemoryError" in t["message"] or "memory" in t["message"] for t in sigmoid)
    assert all(t["status"] == "passed" for t in tests.values() if t["layer"] == "AddLayer")


def test_grader_batch_refuses_the_portable_runner_unless_the_exposures_are_accepted(tmp_path):
    submissions = tmp_path / "class"
    submission(submissions / "alice")
    command = [sys.executable, "-c", "from grader.cli.launch import grader; grader()", "batch", str(submissions),
               "--out", str(tmp_path / "out"), "--assignment", "gates"]
    result = run(command, tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "would not be confined enough" in result.stderr
    assert "--allow-exposure course" in result.stderr
    with open(tmp_path / "out" / "gradebook.csv", encoding="utf-8-sig", newline="") as gradebook:
        rows = list(csv.DictReader(gradebook))
    assert [(r["student"], r["status"], r["score"]) for r in rows] == [("alice", "not_graded", "0")]
    assert "--allow-exposure course" in rows[0]["message"]


WITHOUT_LINUX = r"""
import importlib.abc, os, signal, sys
for name in ("readv", "writev", "fork"):
    if hasattr(os, name):
        delattr(os, name)
del signal.SIGALRM

class NoSuchModule(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in ("resource", "fcntl", "pwd", "grp", "termios"):
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, NoSuchModule())

import grader.sandbox.child.portable as portable, grader.sandbox.child.wire as wire
import grader.sandbox.child.cells as cells, grader.sandbox.portable
read, write = os.pipe()
wire.write_parts(write, wire.pack({"hello": 1}, [b"abc"]))
header, buffers = wire.read_message(read)
assert header == {"hello": 1} and buffers == [bytearray(b"abc")], (header, buffers)
undo = []
try:
    cells._arm(0.2, undo)
    while True:
        pass
except cells.CellTimeLimit:
    print("cell stopped")
finally:
    for step in reversed(undo):
        step()
print(portable.limit_resources({"memory_mb": 64, "file_mb": 1, "cpu_seconds": 5}))
"""


def test_the_childs_package_works_where_linux_modules_and_calls_do_not_exist(tmp_path):
    """As on Windows: no resource, fcntl or pwd module, no readv/writev, no SIGALRM (a timer stops a cell)."""
    result = subprocess.run([sys.executable, "-c", WITHOUT_LINUX], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["cell stopped", "[]"]
