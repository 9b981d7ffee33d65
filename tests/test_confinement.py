"""How the child confines itself before student code runs (runner/confine.py, runner/account.py)."""
import os
import textwrap
import time

import pytest

from grader.sandbox.errors import StudentException
from grader.submission.source import ModuleSource
from grader.sandbox.account import UID_BASE, SLOTS, _processes_of
from grader.sandbox.runner import Runner

AS_ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not AS_ROOT, reason="switching user needs the grader to run as root")

PROBE = textwrap.dedent("""
    import os
    import time

    class Probe:
        def ids(self):
            return os.getresuid() + os.getresgid() + (len(os.getgroups()),)

        def become_root(self):
            os.setuid(0)

        def read(self, path):
            with open(path, "rb") as f:
                return len(f.read())

        def scratch_roundtrip(self):
            with open("notes.txt", "w") as f:
                f.write("hello")
            with open(os.path.join(os.environ["HOME"], "notes.txt")) as f:
                return len(f.read())

        def import_module(self, name):
            __import__(name)
            return 1

        def numpy_by_attribute(self):
            import numpy as np
            np.testing.assert_allclose(np.ones(2), [1.0, 1.0])
            return float(np.fft.fft(np.ones(4))[0].real)

        def use_module(self, name, attribute):
            import importlib
            return getattr(importlib.import_module(name), attribute)()

        def fork(self, count):
            started = 0
            for _ in range(count):
                try:
                    pid = os.fork()
                except OSError:
                    break
                if pid == 0:
                    os.setsid()
                    time.sleep(60)
                    os._exit(0)
                started += 1
            return started
""")


@pytest.fixture
def probe():
    with Runner({"gates": ModuleSource("gates", "gates.py", PROBE)}, timeout=10.0) as runner:
        yield runner, runner.new("gates", "Probe")


@needs_root
def test_child_gives_up_root_for_a_user_id_of_its_own(probe):
    runner, handle = probe
    uid = runner.call(handle, "ids")[0]
    assert UID_BASE <= uid < UID_BASE + SLOTS
    assert runner.call(handle, "ids") == (uid,) * 6 + (0,)
    with pytest.raises(StudentException, match="PermissionError"):
        runner.call(handle, "become_root")


@needs_root
def test_two_runners_at_once_get_different_user_ids(probe):
    runner, handle = probe
    with Runner({"gates": ModuleSource("gates", "gates.py", PROBE)}) as other:
        assert other.call(other.new("gates", "Probe"), "ids")[0] != runner.call(handle, "ids")[0]


def test_scratch_directory_is_writable_and_is_home(probe):
    runner, handle = probe
    assert runner.call(handle, "scratch_roundtrip") == 5


def test_numpy_submodules_used_only_as_attributes_work_once_confined(probe):
    runner, handle = probe
    assert runner.call(handle, "numpy_by_attribute") == 4.0


def test_the_graders_own_packages_are_only_stand_ins(probe):
    runner, handle = probe
    assert runner.call(handle, "import_module", "math") == 1
    assert runner.call(handle, "import_module", "numpy.linalg") == 1
    for name in ("grader", "grader.judge.suites.hidden", "solutions"):
        assert runner.call(handle, "import_module", name) == 1  # a stand-in: the import itself works
    with pytest.raises(StudentException, match=r"NotAvailableError: grader\.judge\.engine\.grade_submission cannot be used: "
                                               r"grader is not installed for grading"):
        runner.call(handle, "use_module", "grader.judge.engine", "grade_submission")
    with pytest.raises(StudentException, match=r"NotAvailableError: solutions\.gates cannot be used"):
        runner.call(handle, "use_module", "solutions", "gates")


def test_grader_files_cannot_be_read(probe):
    runner, handle = probe
    if "Landlock" not in runner.isolation:
        pytest.skip("without Landlock, only file permissions protect the grader's files (see SECURITY.md)")
    import grader.judge.engine

    # not there at all in the child's own file system; refused by Landlock without one
    refused = "FileNotFoundError" if "own file system" in runner.isolation else "PermissionError"
    with pytest.raises(StudentException, match=refused):
        runner.call(handle, "read", grader.judge.engine.__file__)


@needs_root
def test_processes_are_limited_and_killed_with_the_child():
    with Runner({"gates": ModuleSource("gates", "gates.py", PROBE)}) as runner:
        handle = runner.new("gates", "Probe")
        uid = runner.call(handle, "ids")[0]
        started = runner.call(handle, "fork", 100)
        assert 0 < started < 16
        assert len(_processes_of(uid)) == started + 1
    deadline = time.monotonic() + 2
    while _processes_of(uid) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _processes_of(uid) == []


def test_isolation_lists_the_measures_taken(probe):
    runner, _ = probe
    assert "MB of memory" in runner.isolation
    if AS_ROOT:
        assert "(not root)" in runner.isolation
