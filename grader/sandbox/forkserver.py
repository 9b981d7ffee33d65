"""The judge's handle on the zygote (``child/zygote.py``): fresh children for the price of a fork.

One zygote per judge process (see the package's docstring), started on first
use, and again if it died. Requests are sent at once and their replies read
only when needed, so the zygote's own start-up (importing numpy) overlaps the
judge's work.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections import deque

_PACKET = 1 << 16
_BOOT = ("import sys;sys.path[:0]=[p for p in sys.argv.pop(1).split('\\n') if p not in sys.path];"
         "import runpy;runpy.run_module('{module}',run_name='__main__',alter_sys=True)")


def program_argv(module: str = "grader.sandbox.child") -> list[str]:
    """The interpreter arguments that run the child's package: ``[python, -I, -S, -c, <boot>, <folders>]``.

    ``module`` is what runs: the zygote (the package's ``__main__``), or the
    portable child (``grader.sandbox.child.portable``).

    ``-I`` keeps the student's folder, ``PYTHONPATH`` and the user's own
    site-packages out; ``-S`` skips Python's ``site`` start-up (about 15 ms,
    more with editable installs) and the boot gives the interpreter what it
    would have found instead: the folder holding the grader, then the
    judge's own package folders (numpy, scipy). It then runs
    ``grader.sandbox.child`` as ``__main__``; its modules are compiled as
    every module of the grader is, by Python, into the installation's
    ``__pycache__``.
    """
    return [sys.executable, "-I", "-S", "-c", _BOOT.format(module=module), "\n".join(child_path())]


def child_path() -> list[str]:
    """The folders the child imports from: the grader's own first, then :func:`package_folders`."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return [root, *(p for p in package_folders() if p != root)]


def package_folders() -> list[str]:
    """Where the judge finds installed packages (numpy, scipy): its ``sys.path`` as ``site`` made it.

    Not the folder of the running script or the current directory (which may
    be a student's), nor what ``-I`` leaves out: ``PYTHONPATH`` and the
    user's own site-packages.
    """
    site = sys.modules.get("site")
    left_out = {os.getcwd(), getattr(site, "USER_SITE", None), *os.environ.get("PYTHONPATH", "").split(os.pathsep)}
    return [p for p in sys.path[1:] if os.path.isabs(p) and p not in left_out and "\n" not in p and os.path.isdir(p)]


BASE_ENV = {
    "PATH": os.environ.get("PATH", os.defpath),
    "LANG": "C.UTF-8",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


REPLY_TIMEOUT = 60.0  # the zygote answers at once, once numpy is imported; a wedged one is given up


class ZygoteError(RuntimeError):
    """The zygote is gone or answered nonsense; the caller falls back to spawning."""


class ForkedChild:
    """A child forked by the zygote, with the parts of ``subprocess.Popen`` the runner uses."""

    def __init__(self, server: "ForkServer"):
        self._server = server
        self._pid: int | None = None
        self.returncode: int | None = None

    @property
    def pid(self) -> int:
        if self._pid is None:
            self._server.settle()
        if self._pid is None:  # the zygote died before it answered this fork
            raise ZygoteError("the zygote never said which process it started")
        return self._pid

    @property
    def from_dead_zygote(self) -> bool:
        return not self._server.alive()

    def kill(self) -> None:
        try:
            os.kill(self.pid, 9)
        except (ProcessLookupError, ZygoteError):
            pass

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            code = self._server.request({"op": "wait", "pid": self.pid, "timeout": timeout})["returncode"]
            if code is None:
                raise subprocess.TimeoutExpired("student code", timeout)
            self.returncode = code
        return self.returncode


class ForkServer:
    """The judge's end of the zygote's channel; ``here=True`` forks the zygote from this process."""

    def __init__(self, program: list[str], env: dict, *, here: bool = False):
        self._channel, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process = here and _fork_zygote(theirs.fileno(), env) or subprocess.Popen(
                [*program, "--zygote", str(theirs.fileno()), str(os.getpid())],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                cwd="/", env=env, pass_fds=(theirs.fileno(),), start_new_session=True,
            )
        finally:
            theirs.close()
        self._channel.settimeout(REPLY_TIMEOUT)
        self._waiting: deque[ForkedChild] = deque()
        self.owner = os.getpid()

    def fork(self, cwd: str, env: dict, settings: dict, fds: tuple[int, int]) -> ForkedChild:
        """Ask for a child; its pid is read later, so this does not wait for the zygote."""
        child = ForkedChild(self)
        self._send({"op": "fork", "cwd": cwd, "env": env, "settings": settings}, fds)
        self._waiting.append(child)
        return child

    def settle(self) -> None:
        """Read the replies to every fork request still outstanding."""
        while self._waiting:
            child = self._waiting.popleft()
            reply = self._receive()
            if not isinstance(reply.get("pid"), int):
                raise ZygoteError(f"unexpected reply {reply!r}")
            child._pid = reply["pid"]

    def request(self, message: dict) -> dict:
        self.settle()
        self._send(message)
        return self._receive()

    def _send(self, message: dict, fds=()) -> None:
        try:
            socket.send_fds(self._channel, [json.dumps(message).encode()], list(fds))
        except OSError as exc:
            raise ZygoteError(f"the zygote is gone ({exc})") from None

    def _receive(self) -> dict:
        try:
            data = self._channel.recv(_PACKET)
        except OSError as exc:
            self.process.kill()  # a late reply would answer the wrong request: never use it again
            raise ZygoteError(f"the zygote is gone ({exc})") from None
        if not data:
            raise ZygoteError("the zygote closed its channel")
        return json.loads(data)

    def alive(self) -> bool:
        return self.process.poll() is None


_server: ForkServer | None = None


def fork_server(*, here: bool = False) -> ForkServer:
    """This process's zygote, started on first use, or again if it died (a forked batch worker starts its own).

    Cheap to import (standard library only), so ``grade`` calls it first
    thing. With ``here``, once numpy is imported, the zygote is a fork of this
    process (``forked_zygote.py``); otherwise it is a fresh interpreter, which
    imports numpy while the judge does the same. Raises ``OSError`` if no
    zygote can be started.
    """
    global _server
    if _server is not None and (_server.owner != os.getpid() or not _server.alive()):
        _server = None  # inherited from the parent process, or dead: never share or reuse it
    if _server is None:
        _server = ForkServer(program_argv(), BASE_ENV, here=here)
    return _server


def _fork_zygote(channel: int, env: dict):
    from grader.sandbox.forked_zygote import fork_zygote

    return fork_zygote(channel, env, child_path())
