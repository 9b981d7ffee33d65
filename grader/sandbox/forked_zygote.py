"""The zygote as a fork of ``grade`` itself, once it has imported numpy: no second interpreter to start.

Spawning the zygote costs a second interpreter start and a second numpy
import, about a tenth of a second of CPU that competes with the judge's own
start-up for the machine's cores. ``grade`` instead imports numpy first
thing and forks; the copy becomes the zygote. At that moment the process
holds the interpreter, the standard library, numpy and the few grader
modules that did the forking: no course, no test, no solution has been read
yet. What it does hold of the judge's own is its environment (CI secrets
among it), so before anything else the copy wipes every byte of it: the
block the kernel keeps (``/proc/self/environ``), the C library's list, and
the bytes objects of ``os.environ``. It then looks exactly like a spawned
zygote: its own session, ``/dev/null`` for stdio, no other descriptor,
working directory ``/``, the base environment, the judge's package folders
as ``sys.path`` and nothing of ``site`` (no editable-install finder, no
``exit`` or ``help``), and the child program as ``__main__``.

Only on Linux, and only while the judge has one thread (a BLAS thread pool
set up by the user's ``OPENBLAS_NUM_THREADS`` would not survive the fork);
anywhere else :func:`fork_zygote` returns None and the zygote is spawned.
"""
from __future__ import annotations

import os
import sys

_STANDARD_FINDERS = ("BuiltinImporter", "FrozenImporter", "PathFinder")
_SITE_BUILTINS = ("exit", "quit", "help", "copyright", "credits", "license")


class ForkedProcess:
    """The forked zygote, with the parts of ``subprocess.Popen`` the server uses."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                done, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = -9
            else:
                if done:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        try:
            os.kill(self.pid, 9)
        except ProcessLookupError:
            pass


def fork_zygote(channel: int, env: dict, folders: list[str]):
    """Fork the zygote from this process, serving ``channel``; None where forking is not safe here."""
    if not sys.platform.startswith("linux") or "numpy" not in sys.modules or _threads() != 1:
        return None
    judge = os.getpid()
    pid = os.fork()
    if pid == 0:
        try:
            _become_zygote(channel, judge, env, folders)
        finally:
            os._exit(70)
    return ForkedProcess(pid)


def _threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0


def _become_zygote(channel: int, judge: int, env: dict, folders: list[str]):
    import builtins
    import runpy

    os.setsid()
    wipe_environment(env)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    keep = sorted({0, 1, 2, channel})
    for low, high in zip(keep, keep[1:] + [os.sysconf("SC_OPEN_MAX")]):
        os.closerange(low + 1, high)
    os.chdir("/")
    sys.path[:] = folders
    sys.meta_path[:] = [f for f in sys.meta_path if getattr(f, "__name__", None) in _STANDARD_FINDERS]
    sys.path_hooks[:] = [h for h in sys.path_hooks if "zipimport" in repr(h) or "FileFinder" in repr(h)]
    sys.path_importer_cache.clear()
    for name in list(sys.modules):
        if name.split(".")[0] in ("grader", "_distutils_hack") or name.startswith("__editable__"):
            del sys.modules[name]
    for name in _SITE_BUILTINS:
        builtins.__dict__.pop(name, None)
    sys.argv = ["-c", "--zygote", str(channel), str(judge)]
    runpy.run_module("grader.sandbox.child", run_name="__main__", alter_sys=True)


def wipe_environment(env: dict) -> None:
    """Overwrite every byte of this process's environment, then set ``env`` as the whole of it."""
    import ctypes
    import posix

    held = [*posix.environ.keys(), *posix.environ.values()]
    posix.environ.clear()  # the same dict as os.environ's data
    header = sys.getsizeof(b"") - 1  # where a bytes object's characters start
    for value in held:
        # one-byte bytes objects are shared singletons, and one held elsewhere is not ours to change
        if len(value) > 1 and sys.getrefcount(value) <= 3:
            ctypes.memset(id(value) + header, 0, len(value))
    del held
    libc = ctypes.CDLL(None)
    libc.clearenv()
    start, end = _environment_block()
    if start and end > start:
        ctypes.memset(start, 0, end - start)
    os.environ.update(env)


def _environment_block() -> tuple[int, int]:
    """Where the kernel put the environment the process was started with (``/proc/self/environ``)."""
    try:
        with open("/proc/self/stat", "rb") as file:
            fields = file.read().rsplit(b")", 1)[1].split()
        return int(fields[47]), int(fields[48])  # env_start and env_end, fields 50 and 51 of proc(5)
    except (OSError, IndexError, ValueError):
        return 0, 0
