"""Running the real grader as root and as an ordinary user, and what a run may leave behind.

CI, Gradescope and Docker run the grader as root; a teacher's laptop or a
shared server does not, and then the child cannot take a user id of its own:
only user namespaces, seccomp and Landlock hold it. So tests that grade
attacks through the CLI also start the judge as ``nobody``, through
``setpriv``, with an interpreter ``nobody`` can run (the tests' own may live
where only root can read, such as ``/root``). Switching user needs root: run
by anyone else, those variants skip (``needs_root``).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
USER = 65534  # nobody
AS_ROOT = os.geteuid() == 0
# what the judge imports, and jinja2 for the HTML reports grader batch writes
USER_PACKAGES = ("numpy", "click", "pyseccomp", "jinja2") + (("tomli",) if sys.version_info < (3, 11) else ())

needs_root = pytest.mark.skipif(not AS_ROOT, reason="starting the grader as nobody needs root")


@pytest.fixture(scope="session")
def user_python() -> str:
    """A virtual environment readable by ``nobody`` with the grader's dependencies (made once, reused)."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    folder = Path(tempfile.gettempdir()) / f"backprop-grader-user-venv-{version}"
    python = folder / "bin" / "python"
    ready, wanted = folder / "ready", "\n".join(USER_PACKAGES)
    if not python.exists():
        base = next((p for p in (f"/usr/bin/python{version}", "/usr/bin/python3", "/usr/local/bin/python3")
                     if os.path.exists(p) and _user_can_run(p)), None)
        assert base, "no Python interpreter that an ordinary user can run (install python3 from the distribution)"
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([base, "-m", "venv", str(folder)], check=True)
    if not ready.exists() or ready.read_text() != wanted:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *USER_PACKAGES], check=True, timeout=600)
        ready.write_text(wanted)
    return str(python)


def _user_can_run(python: str) -> bool:
    probe = subprocess.run(["setpriv", f"--reuid={USER}", f"--regid={USER}", "--clear-groups", python, "-c", "import venv"],
                           capture_output=True)
    return probe.returncode == 0


def workspace(user: bool) -> Path:
    """A fresh folder with ``submission``, ``out``, ``tmp`` and ``home``, owned by the judge's user.

    pytest's own temporary folders are readable by root alone. The caller removes it.
    """
    folder = Path(tempfile.mkdtemp(prefix="bpg-run-"))
    os.chmod(folder, 0o755)
    for name in ("submission", "out", "tmp", "home"):
        (folder / name).mkdir()
    if user:
        give_to_user(folder)
    return folder


def give_to_user(folder: Path) -> None:
    """``folder`` and everything in it now belong to ``nobody``."""
    os.lchown(folder, USER, USER)
    for parent, folders, files in os.walk(folder):
        for name in folders + files:
            os.lchown(os.path.join(parent, name), USER, USER)


def judge_command(entry: str, arguments: list[str], python: str | None = None, groups: tuple[int, ...] = (),
                  program: str | None = None) -> tuple[list[str], dict]:
    """argv and environment for ``grade`` or ``grader`` (``entry``); as nobody when ``python`` is the user's.

    The environment is the test's, without the switch that runs student code
    in the judge itself. As nobody, the grader is imported from this checkout
    and the only supplementary groups are ``groups``. A ``program`` replaces
    the ``-c`` code that starts the entry; it gets ``entry`` as its first
    argument.
    """
    code = [program, entry] if program else [f"from grader.cli.launch import {entry}; {entry}()"]
    argv = [python or sys.executable, "-c", *code, *arguments]
    env = dict(os.environ)
    env.pop("GRADER_IN_PROCESS", None)
    if python:
        argv = as_user(argv, groups)
        env["PYTHONPATH"] = str(ROOT)
    return argv, env


def as_user(argv: list[str], groups: tuple[int, ...] = ()) -> list[str]:
    """``argv`` run as ``nobody``; ``setpriv`` executes it, so it keeps setpriv's process id."""
    membership = f"--groups={','.join(map(str, groups))}" if groups else "--clear-groups"
    return ["setpriv", f"--reuid={USER}", f"--regid={USER}", membership, *argv]


# -- what must not outlive a run ----------------------------------------------------------

# the judge's process id, in a spawned child's settings or in its zygote's arguments (kept after setsid())
_JUDGE_ID = re.compile(rb'"parent": (\d+),|--zygote\x00\d+\x00(\d+)\x00')


def student_processes(judge: int) -> list[int]:
    """Live processes of student code started by the judge with process id ``judge`` (the zygote counts too)."""
    return [pid for pid, owner, _ in _student_processes() if owner == judge]


def orphaned_student_processes(since: float, seconds: float = 5.0) -> list[int]:
    """Processes of student code started after ``since`` (``boot_clock()``) whose judge is gone.

    For ``grader batch``, whose judges are its workers, gone once it exits. The
    kernel is given up to ``seconds`` to finish killing them.
    """
    deadline = time.monotonic() + seconds
    while _orphans(since) and time.monotonic() < deadline:
        time.sleep(0.05)
    return _orphans(since)


def _orphans(since: float) -> list[int]:
    ticks = os.sysconf("SC_CLK_TCK")
    return [pid for pid, judge, started in _student_processes()
            if started / ticks >= since - 0.5 and not os.path.exists(f"/proc/{judge}")]


def boot_clock() -> float:
    """Seconds since boot, the clock of a process's start time in ``/proc/<pid>/stat``."""
    return time.clock_gettime(time.CLOCK_BOOTTIME)


def _student_processes() -> list[tuple[int, int, int]]:
    """(process id, judge's process id, start time in clock ticks) of every live process of student code."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes()
            started = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[19])
        except (OSError, IndexError, ValueError):
            continue
        judge = _JUDGE_ID.search(cmdline)
        if judge and "\nState:\tZ" not in status:
            found.append((int(entry.name), int(judge.group(1) or judge.group(2)), started))
    return found


def wait_until_gone(judge: int, seconds: float = 5.0) -> list[int]:
    """``student_processes(judge)``, after giving the kernel up to ``seconds`` to finish killing them."""
    deadline = time.monotonic() + seconds
    while student_processes(judge) and time.monotonic() < deadline:
        time.sleep(0.05)
    return student_processes(judge)
