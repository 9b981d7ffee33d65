"""The judge's handle on the zygote (``zygote.py``): fresh children for the price of a fork.

One zygote per judge process, started on first use. Requests are sent at
once and their replies read only when needed, so the zygote's own start-up
(importing numpy) overlaps the judge's work just as a directly spawned child
would. If the zygote cannot be used, :func:`fork_server` returns None and the
caller spawns a child the ordinary way.
"""
from __future__ import annotations

import hashlib
import json
import marshal
import os
import socket
import subprocess
import sys
from collections import deque

import grader.sandbox.cache as cache

_PACKET = 1 << 16
_HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "child")
_PARTS = ("capture.py", "wire.py", "namespaces.py", "syscalls.py", "confine.py", "standin.py", "cells.py",
          "calls.py", "zygote.py", "forward_watch.py", "session.py")


def _read(name: str) -> str:
    with open(os.path.join(_HERE, name), encoding="utf-8") as file:
        return file.read()


PROGRAM = "\n".join(_read(name) for name in _PARTS)
"""Everything the child process runs, shipped as source: it cannot import ``grader``."""
_SET_PATH = "import sys;sys.path+=[p for p in sys.argv.pop(1).split('\\n') if p not in sys.path]\n"
_LOAD_COMPILED = _SET_PATH + "import marshal;exec(marshal.loads(open(sys.argv.pop(1),'rb').read()[32:]))"
_KEPT_NAME = "child-program.{tag}.{digest}.bin".format(
    tag=sys.implementation.cache_tag, digest=hashlib.sha256((sys.version + PROGRAM).encode()).hexdigest()[:20])
_compiled: bytes | None = None


def program_argv() -> list[str]:
    """The interpreter arguments that run :data:`PROGRAM`: ``[python, -I, -S, -c, ...]``.

    Two costs of the zygote's start are on the path to the first test, so
    both are avoided. Compiling two thousand lines (about 25 ms): the
    compiled code is kept in the user's cache (``cache.py``, where student
    code cannot write it) and loaded from there; where nothing may be kept,
    the source is passed. Python's ``site`` start-up (about 15 ms, more with
    editable installs): ``-S`` skips it, and the program is given the
    folders it would have found, the judge's own package folders.
    """
    paths = "\n".join(package_folders())
    if compiled_program() is not None:
        return [sys.executable, "-I", "-S", "-c", _LOAD_COMPILED, paths, str(cache.folder() / _KEPT_NAME)]
    return [sys.executable, "-I", "-S", "-c", _SET_PATH + PROGRAM, paths]


def package_folders() -> list[str]:
    """Where the judge finds installed packages (numpy, scipy): its ``sys.path`` as ``site`` made it.

    Not the folder of the running script or the current directory (which may
    be a student's), nor what ``-I`` leaves out: ``PYTHONPATH`` and the
    user's own site-packages.
    """
    site = sys.modules.get("site")
    left_out = {os.getcwd(), getattr(site, "USER_SITE", None), *os.environ.get("PYTHONPATH", "").split(os.pathsep)}
    return [p for p in sys.path[1:] if os.path.isabs(p) and p not in left_out and "\n" not in p and os.path.isdir(p)]


def compiled_program() -> bytes | None:
    """The child program compiled (``marshal``), as kept in the user's cache; None where nothing may be kept."""
    global _compiled
    if _compiled is None:
        _compiled = cache.read(_KEPT_NAME) or b""
        if not _compiled and cache.folder() is not None:
            code = marshal.dumps(compile(PROGRAM, "<grader child>", "exec"))
            _compiled = code if cache.write(_KEPT_NAME, code, stale_prefix="child-program.") else b""
    return _compiled or None


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


def fork_server(*, here: bool = False) -> ForkServer | None:
    """This process's zygote, started on first use (a forked batch worker starts its own).

    Cheap to import (standard library only), so ``grade`` calls it first
    thing. With ``here``, once numpy is imported, the zygote is a fork of this
    process (``forked_zygote.py``); otherwise it is a fresh interpreter, which
    imports numpy while the judge does the same.
    """
    global _server
    if _server is not None and (_server.owner != os.getpid() or not _server.alive()):
        _server = None  # inherited from the parent process, or dead: never share or reuse it
    if _server is None and os.environ.get("GRADER_NO_ZYGOTE") != "1":
        try:
            _server = ForkServer(program_argv(), BASE_ENV, here=here)
        except OSError:
            return None
    return _server


def _fork_zygote(channel: int, env: dict):
    from grader.sandbox.forked_zygote import fork_zygote

    return fork_zygote(channel, env, package_folders(), compiled_program(), PROGRAM)
