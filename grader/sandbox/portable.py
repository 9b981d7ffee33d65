"""Student code in a plain child process, where the Linux confinement does not exist: :class:`PortableRunner`.

Windows and macOS get what every platform has: a separate interpreter
(``python -I -S``, running the child's own package: ``child/portable.py``)
per child, the same wire protocol on its standard input and output, the
per-test time limit and the submission's time budget (the judge stops
waiting at the deadline and kills the child, and everything it started),
and a memory limit: a Job Object on Windows (``jobobject.py``, loaded only
there), resource limits elsewhere. There is no file system, network or
process confinement: ``isolation`` says so, and ``grader batch`` refuses
such a machine unless the exposures are accepted by name.

Pipes cannot be waited on with a deadline on Windows, so a thread per
direction does the blocking reads and writes, and the judge waits on a
queue with a timeout. ``GRADER_PORTABLE=1`` forces this runner on Linux,
which is how the tests exercise it.
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time

import grader.sandbox.child.wire as wire
from grader.lang import _
from grader.sandbox.channel import ChildDied, ChildGarbled, ChildTimedOut
from grader.sandbox.child.standin import standin_preloads
from grader.sandbox.client import BaseRunner
from grader.sandbox.errors import RunnerStartError
from grader.sandbox.forkserver import BASE_ENV, program_argv
from grader.sandbox.measures import greeting_measures, worded as measures_words
from grader.submission.source import ModuleSource

STARTUP_TIMEOUT = 30.0
FILE_LIMIT_MB = 16
CPU_LIMIT_SECONDS = 600  # a backstop where rlimits exist; the judge kills the child at every deadline
REAP_TIMEOUT = 5.0
PIPELINE_BYTES = 1 << 16  # requests a writer thread holds while the child works: the judge never waits to send
MISSING = {"code": "no_linux_confinement", "missing": True}
_WINDOWS_ENV = ("SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "COMSPEC", "PATHEXT", "NUMBER_OF_PROCESSORS")


class _Process:
    """One child: its process, its folder, and the threads that carry its messages."""

    def __init__(self, memory_mb: int, preload: list[str]):
        self.folder = tempfile.mkdtemp(prefix="grader-run-")
        settings = {"memory_mb": memory_mb, "file_mb": FILE_LIMIT_MB, "cpu_seconds": CPU_LIMIT_SECONDS,
                    "preload": list(preload)}
        env = dict(BASE_ENV, HOME=self.folder, TMPDIR=self.folder, TEMP=self.folder, TMP=self.folder,
                   **{k: os.environ[k] for k in _WINDOWS_ENV if os.name == "nt" and k in os.environ})
        try:
            self.process = subprocess.Popen(
                [*program_argv("grader.sandbox.child.portable"), json.dumps(settings)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0,
                cwd=self.folder, env=env, **_own_group())
        except OSError as exc:
            _remove(self.folder)
            raise RunnerStartError(_("could not start the process for student code: {error}").format(error=exc)) from exc
        try:
            self.job = _memory_job(self.process, memory_mb)
        except OSError as exc:
            self.process.kill()
            _remove(self.folder)
            raise RunnerStartError(_("could not start the process for student code: {error}").format(error=exc)) from exc
        self.started = time.monotonic()
        self.ready = False
        self.confined: list[dict] = []  # the measures the child took, as data (``measures.py``)
        self.loaded: set[str] = set()
        self.replies: queue.SimpleQueue = queue.SimpleQueue()
        self.requests: queue.SimpleQueue = queue.SimpleQueue()
        for work in (self._read, self._write):
            threading.Thread(target=work, daemon=True).start()

    def _read(self):
        """Every message the child sends, in order, then why it stopped (closed, or garbled)."""
        fd = self.process.stdout.fileno()
        try:
            while True:
                self.replies.put(wire.read_message(fd))
        except wire.WireClosed:
            self.replies.put(ChildDied())
        except (wire.WireError, OSError, ValueError) as exc:
            self.replies.put(ChildGarbled(str(exc)) if isinstance(exc, wire.WireError) else ChildDied())

    def _write(self):
        fd = self.process.stdin.fileno()
        while (parts := self.requests.get()) is not None:
            try:
                wire.write_parts(fd, parts)
            except (OSError, ValueError):  # the child is gone: its reader says so
                return

    def next_message(self, deadline: float):
        """The child's next message; ChildTimedOut at the deadline, ChildDied or ChildGarbled as the reader found."""
        try:
            message = self.replies.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise ChildTimedOut() from None
        if isinstance(message, ChildDied):
            raise ChildDied(self.exit_status())
        if isinstance(message, Exception):
            raise message
        return message

    def await_ready(self) -> float:
        begin = time.monotonic()
        try:
            header, _buffers = self.next_message(self.started + STARTUP_TIMEOUT)
        except (ChildTimedOut, ChildDied, ChildGarbled) as exc:
            raise RunnerStartError(_("the process for student code did not start ({error}; {status})").format(
                error=type(exc).__name__, status=self.exit_status())) from None
        self.confined = greeting_measures(header)
        self.ready = True
        return time.monotonic() - begin

    def exit_status(self, wait: float = 1.0) -> str:
        try:
            code = self.process.wait(wait)
        except subprocess.TimeoutExpired:
            self.kill()
            return _("it closed the grader's channel and was stopped")
        if os.name != "nt":
            from grader.sandbox.runner import describe_exit

            return describe_exit(code)
        return _("it exited with status {code}, as os._exit({code}) does").format(code=code)

    def kill(self):
        """Stop the child and everything it started, close its pipes, remove its folder; never raises."""
        self.requests.put(None)
        if self.job is not None:
            self.job.terminate()
        else:  # also after the child's own exit: what it started may still run
            try:
                os.killpg(self.process.pid, 9)
            except OSError:
                pass
        try:
            self.process.kill()
            self.process.wait(REAP_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired):
            pass
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        if self.job is not None:
            self.job.close()
        _remove(self.folder)


def _own_group() -> dict:
    """Popen options giving the child a process group of its own, so killing it reaches what it started."""
    if os.name == "nt":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.CREATE_NO_WINDOW}
    return {"start_new_session": True}


def _memory_job(process, memory_mb: int):
    """On Windows, a Job Object holding the child: its memory limit, and every process killed with it."""
    if os.name != "nt":
        return None
    from grader.sandbox.jobobject import JobObject

    return JobObject(process, memory_mb)


def _remove(folder: str):
    if os.name == "nt":
        shutil.rmtree(folder, ignore_errors=True)
    else:
        from grader.sandbox.scratch import remove_tree

        remove_tree(folder)


class PortableRunner(BaseRunner):
    """:class:`~grader.sandbox.runner.Runner`'s interface and messages, with a plain child process."""

    pipeline_bytes = PIPELINE_BYTES

    def __init__(self, sources: dict[str, ModuleSource], *, timeout: float = 10.0, memory_mb: int = 2048,
                 classes: dict | None = None, **course):
        super().__init__(sources, timeout=timeout, classes=classes, **course)
        self.memory_mb = memory_mb
        self._preload = standin_preloads(source.text for source in sources.values() if source.text)
        self._child: _Process | None = None
        self._last_confined: list[dict] = []
        self._spawn()

    @property
    def isolation(self) -> str:
        measures = (self._child.confined if self._child is not None else []) or self._last_confined
        if os.name == "nt":
            measures = [{"code": "job_object", "megabytes": self.memory_mb}, *measures]
        separate = _("a separate process, {seconds} s per test").format(seconds=f"{self.timeout:g}")
        return "; ".join([separate, *map(measures_words, [*measures, MISSING])])

    def _spawn(self):
        self._child = _Process(self.memory_mb, self._preload)
        self._generation += 1

    def _replace(self):
        self._child.kill()
        self._spawn()

    def _discard(self):
        self._replace()

    def _live_child(self) -> _Process:
        if self._child is None:
            raise RuntimeError("this PortableRunner is closed")
        return self._child

    def _loaded_modules(self) -> set[str]:
        return self._live_child().loaded

    def _deliver(self, request, buffers, deadline):
        child = self._live_child()
        if not child.ready:
            deadline += child.await_ready()
            self._last_confined = child.confined
        try:
            parts = wire.pack(request, buffers)
        except wire.WireError as exc:
            raise ValueError(f"request too large for the child: {exc}") from None
        if child.process.poll() is not None:
            status = child.exit_status()
            self._replace()
            raise ChildDied(status)
        child.requests.put(parts)

    def _receive(self, deadline):
        child = self._live_child()
        try:
            return child.next_message(deadline)
        except (ChildTimedOut, ChildDied, ChildGarbled):
            self._replace()
            raise

    def close(self):
        if self._child is not None:
            self._child.kill()
            self._child = None
