"""The memory cgroup of each child (``grader/sandbox/cgroup.py``): made, and always removed again.

A batch makes one cgroup per child, thousands in a big class; the kernel
gives a machine at most 65,535 memory cgroups, so one left behind per child
would end in children that cannot start. These tests need a root judge on a
machine whose cgroups it can write, as CI's is.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import grader.sandbox.cgroup as cgroup

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def parent():
    group = cgroup.memory_group(64)
    if group is None:
        pytest.fail("these tests need a root judge on a machine whose memory cgroups it can write, as CI's is")
    group.remove()
    return Path(group.path).parent


def _ours(parent: Path, pid: int) -> list[str]:
    made_by = f"backprop-grader-{cgroup._pid_namespace()}-{pid}-"
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(made_by))


def test_a_grading_leaves_no_cgroup_behind(parent, tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "grader.cli", "--submission",
                                str(ROOT / "courses" / "backprop" / "solutions"), "--format", "json",
                                "--output", str(tmp_path / "report.json")], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()[-2000:]
    assert _ours(parent, process.pid) == []


def test_cgroups_a_killed_judge_left_are_removed_by_the_next(parent):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    dead = int(gone.stdout)
    left = parent / f"backprop-grader-{cgroup._pid_namespace()}-{dead}-7"
    older = parent / f"backprop-grader-{dead}-8"  # as an older version named them
    left.mkdir()
    older.mkdir()
    group = cgroup.memory_group(64)
    try:
        assert not left.exists() and not older.exists()
    finally:
        group.remove()
        for folder in (left, older):
            if folder.exists():
                folder.rmdir()


def test_a_cgroup_a_judge_of_another_pid_namespace_made_is_left_to_it(parent):
    """A judge in a container with its own PID namespace but the machine's cgroups: its process ids mean nothing
    here, so its cgroup (empty until its child joins) is not taken for one a dead judge left behind."""
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    theirs = parent / f"backprop-grader-{cgroup._pid_namespace() + 1}-{int(gone.stdout)}-7"
    theirs.mkdir()
    group = cgroup.memory_group(64)
    try:
        assert theirs.exists()
    finally:
        group.remove()
        theirs.rmdir()


def test_a_cgroup_the_kernel_holds_on_to_is_removed_later(parent, monkeypatch):
    group = cgroup.memory_group(64)
    busy = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        Path(group.procs).write_text(str(busy.pid))
        monkeypatch.setattr(cgroup.time, "sleep", lambda seconds: None)
        group.remove()  # not empty yet: kept for later
        assert group.path in cgroup._later and os.path.isdir(group.path)
    finally:
        busy.kill()
        busy.wait()
    monkeypatch.undo()
    cgroup._remove_before_exit()
    assert not os.path.isdir(group.path) and group.path not in cgroup._later
