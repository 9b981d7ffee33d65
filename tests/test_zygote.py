"""Children forked from the warm zygote behave like freshly started ones, and the fallback works."""
import json
import re
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from grader.sandbox.errors import StudentCrash
from grader.submission.source import ModuleSource
from grader.sandbox import forkserver
from grader.sandbox.runner import Runner

ROOT = Path(__file__).resolve().parent.parent
PIDS = ModuleSource("gates", "gates.py", textwrap.dedent("""
    import os
    class Probe:
        def pids(self):
            return (os.getpid(), os.getppid())
        def crash(self):
            os._exit(3)
"""))


def probe(runner):
    """The child's process id and its parent's, as the judge sees them (inside, it may be process 1)."""
    runner.call(runner.new("gates", "Probe"), "pids")
    pid = runner._live_child().process.pid
    with open(f"/proc/{pid}/stat") as f:
        parent = int(f.read().rsplit(")", 1)[1].split()[1])
    return pid, parent


def test_every_runner_gets_its_own_child_from_one_zygote():
    with Runner({"gates": PIDS}) as first, Runner({"gates": PIDS}) as second:
        (pid1, parent1), (pid2, parent2) = probe(first), probe(second)
    zygote = forkserver.fork_server()
    assert pid1 != pid2
    assert parent1 == parent2 == zygote.process.pid


def test_as_root_each_child_is_born_process_1_of_a_pid_namespace_of_its_own_with_no_keeper():
    """Where the zygote may make PID namespaces (root, not in a container), it makes one per child before the
    fork: the process it forks runs the student's code itself, as process 1 there, with no keeper between."""
    if os.geteuid() != 0:
        pytest.fail("the zygote makes PID namespaces only as root, as CI runs the tests")
    with Runner({"gates": PIDS}) as first, Runner({"gates": PIDS}) as second:
        inside = [runner.call(runner.new("gates", "Probe"), "pids") for runner in (first, second)]
        pids = [runner._live_child().process.pid for runner in (first, second)]
        namespaces = {os.readlink(f"/proc/{pid}/ns/pid") for pid in pids}
        for pid in pids:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                assert f.read().split() == []  # the zygote's child is the student's process, not a keeper
            held = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
            assert not [h for h in held if h.startswith(("anon_inode:[pidfd]", "pid:"))]  # the zygote's are closed
    zygote = forkserver.fork_server().process.pid
    assert inside == [(1, 0), (1, 0)]  # process 1; its parent, the zygote, is outside
    assert len(namespaces) == 2 and os.readlink("/proc/self/ns/pid") not in namespaces
    assert os.readlink(f"/proc/{zygote}/ns/pid_for_children") == os.readlink(f"/proc/{zygote}/ns/pid")


def test_a_zygote_the_kernel_lets_make_but_not_leave_pid_namespaces_forks_its_children_beside_it():
    """Where a seccomp profile refuses ``setns`` but not ``unshare``, the zygote does not make PID namespaces, and
    its trial leaves it as it was: its children are born in its own namespace (a keeper makes theirs)."""
    if os.geteuid() != 0:
        pytest.fail("the zygote makes PID namespaces only as root, as CI runs the tests")
    trial = textwrap.dedent("""
        import errno, os, pyseccomp as s
        rules = s.SyscallFilter(s.ALLOW)
        rules.add_rule(s.ERRNO(errno.EPERM), "setns")
        rules.load()
        from grader.sandbox.child.namespaces import PidNamespaces
        assert PidNamespaces.here() is None
        print(os.readlink("/proc/self/ns/pid_for_children") == os.readlink("/proc/self/ns/pid"))
    """)
    ran = subprocess.run([sys.executable, "-c", trial], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0 and ran.stdout.split() == ["True"], ran.stderr[-2000:]


def test_a_child_born_in_its_own_pid_namespace_dies_with_the_zygote_and_takes_its_descendants():
    """No keeper watches over it: the kernel kills it when the zygote dies (PR_SET_PDEATHSIG), and every process
    it started with it (its PID namespace ends)."""
    source = ModuleSource("gates", "gates.py", textwrap.dedent("""
        import os, time
        class Probe:
            def spawn(self):
                if os.fork() == 0:
                    os.setsid()
                    time.sleep(600)
                    os._exit(0)
                return os.getpid()
    """))
    with Runner({"gates": source}, timeout=10.0) as runner:
        assert runner.call(runner.new("gates", "Probe"), "spawn") == 1
        child = runner._live_child().process.pid
        with open(f"/proc/{child}/task/{child}/children") as f:
            grandchild = int(f.read().split()[0])
        zygote = forkserver.fork_server()
        os.kill(zygote.process.pid, signal.SIGKILL)
        zygote.process.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_running(pid) for pid in (child, grandchild)):
            time.sleep(0.02)
        assert not _running(child) and not _running(grandchild)


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_the_child_stops_if_the_zygote_it_watches_is_gone():
    """The watch a child born in the zygote's PID namespace keeps (it cannot ask for its parent's PID there):
    a pidfd of the zygote, readable once the zygote has ended."""
    from grader.sandbox.child import namespaces

    stand_in = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        namespaces._parent_watch = os.pidfd_open(stand_in.pid)
        assert not namespaces.parent_gone()
        stand_in.kill()
        stand_in.wait(10)
        assert namespaces.parent_gone()
    finally:
        namespaces.forget_parent()
        stand_in.kill()
        stand_in.wait()
    assert namespaces._parent_watch is None and not namespaces.parent_gone()


def test_a_crashed_child_is_reported_with_its_status_and_replaced_by_a_fork():
    with Runner({"gates": PIDS}) as runner:
        runner.begin_test()
        try:
            runner.call(runner.new("gates", "Probe"), "crash")
        except StudentCrash as crash:
            assert "status 3" in crash.message
        else:
            raise AssertionError("the crash went unnoticed")
        runner.end_test()
        _, parent = probe(runner)
    assert parent == forkserver.fork_server().process.pid


def test_a_dead_zygote_is_replaced():
    with Runner({"gates": PIDS}) as runner:
        _, old_zygote = probe(runner)
    server = forkserver.fork_server()
    assert server.process.pid == old_zygote
    os.kill(old_zygote, signal.SIGKILL)
    server.process.wait(10)
    with Runner({"gates": PIDS}) as runner:
        _, new_zygote = probe(runner)
    assert new_zygote != old_zygote


def test_the_child_is_started_as_a_package_and_keeps_nothing_of_its_own(tmp_path, monkeypatch):
    """``python -I -S -c <boot>`` runs ``grader.sandbox.child`` as ``__main__``: no source pasted, no file kept."""
    monkeypatch.setenv("HOME", str(tmp_path))
    argv = forkserver.program_argv()
    assert argv[:4] == [sys.executable, "-I", "-S", "-c"] and "run_module('grader.sandbox.child'" in argv[4]
    assert argv[5].split("\n")[0] == str(ROOT)  # the folder holding the grader, first
    ran = subprocess.run([*argv, "--zygote", "not-a-descriptor"], capture_output=True, text=True)
    # the boot took its own argument off, and the zygote read the next but one as its channel's number
    assert "invalid literal for int() with base 10: 'not-a-descriptor'" in ran.stderr
    assert 'grader/sandbox/child/__main__.py", line' in ran.stderr  # a real module, not pasted source
    assert list(tmp_path.iterdir()) == []  # no cache of its own in the user's home


def test_the_child_program_finds_the_judges_packages_without_site(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    folders = forkserver.package_folders()
    assert str(tmp_path) not in folders and all(os.path.isabs(f) for f in folders)
    numpy_home = os.path.dirname(os.path.dirname(__import__("numpy").__file__))
    assert numpy_home in folders


ZYGOTE_HERE = textwrap.dedent("""
    import sys, threading, time
    from grader.cli.launch import one_blas_thread
    one_blas_thread()  # as grade does: numpy's BLAS keeps to the one thread a fork can carry
    import numpy
    from grader.sandbox import forkserver
    if sys.argv[1] == "busy":
        threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
    server = forkserver.fork_server(here=True)
    assert server.request({"op": "wait", "pid": 1, "timeout": 0}) == {"returncode": -9}  # it serves requests
    print(server.process.pid, type(server.process).__name__, flush=True)
    sys.stdin.read()
""")


def _judge_with_zygote(mode: str, env: dict):
    judge = subprocess.Popen([sys.executable, "-c", ZYGOTE_HERE, mode], cwd=ROOT, env=env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    pid, kind = judge.stdout.readline().split()
    return judge, int(pid), kind


def _memory_holds(pid: int, needle: bytes) -> bool:
    """Whether any readable mapping of process ``pid`` holds ``needle`` (the test runs as root or as its owner)."""
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", buffering=0) as memory:
        for line in maps:
            addresses, permissions = line.split()[:2]
            start, end = (int(a, 16) for a in addresses.split("-"))
            if not permissions.startswith("r") or "[vvar" in line or "[vsyscall]" in line:
                continue
            try:
                memory.seek(start)
                if needle in memory.read(end - start):
                    return True
            except OSError:
                continue
    return False


def test_a_zygote_forked_from_the_judge_holds_no_byte_of_its_environment():
    secret = os.urandom(12).hex().encode()
    judge, zygote, kind = _judge_with_zygote("quiet", dict(os.environ, BPG_ZYGOTE_SECRET=secret.decode()))
    try:
        assert kind == "ForkedProcess"
        with open(f"/proc/{zygote}/stat") as f:
            assert int(f.read().rsplit(")", 1)[1].split()[1]) == judge.pid  # forked by the judge, not spawned
        assert _memory_holds(judge.pid, secret)  # the scan finds it where it is
        assert not _memory_holds(zygote, secret)
        assert not _memory_holds(zygote, b"BPG_ZYGOTE_SECRET")
        with open(f"/proc/{zygote}/environ", "rb") as f:
            assert set(f.read()) <= {0}
        held = sorted(os.readlink(f"/proc/{zygote}/fd/{fd}").split(":")[0] for fd in os.listdir(f"/proc/{zygote}/fd"))
        # /dev/null as stdio and its channel; as root, what it makes each child's PID namespace with: its own
        # PID namespace and a pidfd of itself (PidNamespaces)
        made_here = ["anon_inode", "pid"] if os.geteuid() == 0 else []
        assert held == sorted(["/dev/null"] * 3 + ["socket"] + made_here)
    finally:
        judge.kill()
        judge.wait()


def test_a_judge_with_threads_spawns_its_zygote_instead_of_forking():
    judge, zygote, kind = _judge_with_zygote("busy", dict(os.environ))
    try:
        assert kind == "Popen"
    finally:
        judge.kill()
        judge.wait()


def test_a_zygote_killed_before_its_child_started_costs_nothing(monkeypatch):
    """The zygote dies (killed by a classmate on a machine without namespaces, or by the kernel): the child
    it never started is replaced by one from a fresh zygote, and grading goes on."""
    for _attempt in range(3):
        monkeypatch.setattr(forkserver, "_server", None)
        os.kill(forkserver.fork_server().process.pid, signal.SIGKILL)
        with Runner({"gates": ModuleSource("gates", "gates.py", "ANSWER = 42\n")}, timeout=10.0) as runner:
            assert runner.probe([], []) == ([], [])  # the child answers
            runner._load("gates")
            assert "seccomp" in runner.isolation


@pytest.mark.parametrize("switches", [{}, {"GRADER_NO_NAMESPACES": "1"}], ids=["namespaces", "no-namespaces"])
def test_a_root_only_installation_grades_full_marks(tmp_path, switches):
    """The Gradescope bundle makes its source root-only: every module of the child is imported before it gives
    up root, so nothing is imported lazily from files it can no longer read."""
    if os.geteuid() != 0:
        pytest.fail("this layout needs the judge to run as root, as CI and Gradescope do")
    install = tmp_path / "source"
    for name in ("grader", "courses"):
        shutil.copytree(ROOT / name, install / name, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["chmod", "-R", "go-rwx", str(install)], check=True)
    report = tmp_path / "report.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env.update(switches, PYTHONPATH=str(install))
    ran = subprocess.run([sys.executable, "-c", "from grader.cli.launch import grade; grade()", "--submission",
                          str(ROOT / "courses" / "backprop" / "solutions"), "--format", "json", "--output", str(report),
                          "--fail-under", "100", "--lang", "en"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr[-3000:]
    graded = json.loads(report.read_text())
    assert graded["score"] == graded["max_score"] and re.search(r"user id 60\d\d\d \(not root\)", graded["isolation"])
