"""Student code in a separate, limited process: :class:`Runner`.

The child (forked by the zygote, see the package's docstring) gets the
protocol on two pipes, no stdin/stdout/stderr, a fresh folder holding only
its scratch folder, a scrubbed environment and its own session (so a whole
process group can be killed). It confines itself before running student code
(``child/confine.py``); the judge passes it no path but its own folder.

A timeout, a crash or a corrupt reply kills the child's process group (and,
when it has its own user id, every process of that user) and starts a fresh
child at once, so the next test finds one ready; student modules are then
imported again lazily.
"""
from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
import weakref

from grader.lang import N_, _
from grader.sandbox.errors import RunnerStartError
from grader.submission.source import ModuleSource
import grader.sandbox.child.wire as wire
from grader.sandbox.cgroup import memory_group
from grader.sandbox.account import PROCESS_LIMIT, Account, NoAccount, kill_processes_of, reserve_account
from grader.sandbox.channel import ChildDied, ChildGarbled, ChildTimedOut
from grader.sandbox.client import BaseRunner
from grader.sandbox.child.standin import standin_preloads
from grader.sandbox.forkserver import BASE_ENV, ZygoteError, fork_server
from grader.sandbox.scratch import remove_tree
from grader.sandbox.measures import greeting_measures, worded as measures_words
from grader.sandbox.words import confinement_problem


STARTUP_TIMEOUT = 30.0
FILE_LIMIT_MB = 16
# A backstop for a child left spinning if the judge itself dies; per-test
# deadlines are enforced by the judge, which kills the child.
CPU_LIMIT_SECONDS = 600
# How long clean-up waits for a killed child to be reaped (a traced process may never be).
REAP_TIMEOUT = 5.0


def _start(scratch: str, env: dict, settings: dict, fds: tuple[int, int]):
    """A child forked by this process's zygote; a zygote that is gone is replaced by a fresh one, once."""
    for attempt in range(2):
        try:
            return fork_server().fork(scratch, env, settings, fds)
        except (ZygoteError, OSError):
            if attempt:
                raise


class _Child:
    """One child process, its pipes and its scratch directory."""

    def __init__(self, memory_mb: int, account: Account | None, preload: list[str] = ()):
        # The child's own folder: its scratch folder and nothing else. Without a private root file
        # system (no namespaces), a child started as root makes this folder its root (chroot).
        self.folder = tempfile.mkdtemp(prefix="grader-run-")
        os.chmod(self.folder, 0o711)
        self.scratch = os.path.join(self.folder, "scratch")
        os.mkdir(self.scratch, 0o700)
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        os.set_blocking(self.to_child, False)
        os.set_blocking(self.from_child, False)  # every read has a deadline (wire._read)
        self.pipe_bytes = _pipe_size(self.to_child)
        settings = {
            "memory_mb": memory_mb,
            "file_mb": FILE_LIMIT_MB,
            "cpu_seconds": CPU_LIMIT_SECONDS,
            "parent": os.getpid(),
            "account": None,
            "processes": None,
            "preload": list(preload),
            "namespaces": os.environ.get("GRADER_NO_NAMESPACES") != "1",
            "jail": self.folder,
            "protect": [os.getpid(), os.getppid()],  # no signal reaches the judge or what started it
        }
        self.memory_group = None
        if account is not None:
            # Started as root so it can load numpy from anywhere; it gives up root itself.
            os.chown(self.scratch, account.uid, account.gid)
            settings.update(account=[account.uid, account.gid], processes=PROCESS_LIMIT)
            self.memory_group = memory_group(memory_mb)
            settings["cgroup"] = self.memory_group and self.memory_group.procs
        env = dict(BASE_ENV, HOME=self.scratch, TMPDIR=self.scratch)
        try:
            self.process = _start(self.scratch, env, settings, (to_child_r, from_child_w))
        except OSError as exc:
            _cleanup(None, [self.to_child, self.from_child], self.folder, [], self.memory_group)
            raise RunnerStartError(_("could not start the process for student code: {error}").format(error=exc)) from exc
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self.started = time.monotonic()
        self.ready = False
        self.loaded: set[str] = set()
        self.confined: list[dict] = []  # the measures the child took, as data (``measures.py``)
        # the user id whose processes clean-up must hunt down; none once a PID namespace holds them
        self._stray_owner = [account.uid] if account is not None else []
        fds = [self.to_child, self.from_child]
        self.kill = weakref.finalize(self, _cleanup, self.process, fds, self.folder, self._stray_owner,
                                     self.memory_group)

    def await_ready(self) -> float:
        """Wait for the child's greeting; returns how long that took."""
        begin = time.monotonic()
        try:
            header, _buffers = wire.read_message(self.from_child, self.started + STARTUP_TIMEOUT)
        except wire.WireError as exc:
            status = self.exit_status()
            raise RunnerStartError(_("the process for student code did not start ({error}; {status})").format(
                error=exc, status=status)) from None
        if header.get("ready") is False and "problem" in header:
            try:
                problem = confinement_problem(header["problem"])
            except wire.WireError:
                raise RunnerStartError(_("the process for student code sent an unexpected greeting")) from None
            raise RunnerStartError(_("the process for student code could not confine itself: {problem}").format(
                problem=problem))
        self.confined = greeting_measures(header)
        self.ready = True
        if any(m["code"] == "pid_namespace" for m in self.confined):
            self._stray_owner.clear()
        return time.monotonic() - begin

    def exit_status(self, wait: float = 1.0) -> str:
        """How the child ended, in plain words (it is killed if still running after ``wait``)."""
        try:
            code = self.process.wait(wait)
        except subprocess.TimeoutExpired:
            self.kill()
            return _("it closed the grader's channel and was stopped")
        except ZygoteError:  # the process that forked it is gone (killed by student code): so is its status
            self.kill()
            return _("the process that started it was stopped, so it was stopped too")
        return describe_exit(code)


def _pipe_size(fd: int) -> int | None:
    try:
        import fcntl

        return fcntl.fcntl(fd, getattr(fcntl, "F_GETPIPE_SZ", 1032))
    except (ImportError, OSError):
        return None


def _cleanup(process, fds, folder, stray_owner, memory=None):
    """Stop a child and everything it started, and remove its folder; never raises, never hangs."""
    if process is not None:
        # Also after the child's own exit: student code may have left processes in its group.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (OSError, ZygoteError):
            pass
        try:
            process.kill()
        except (OSError, ZygoteError):
            pass
    for uid in stray_owner:  # and those that left the group with setsid()
        kill_processes_of(uid)
    if process is not None:
        try:
            process.wait(REAP_TIMEOUT)
        except (OSError, ZygoteError, subprocess.TimeoutExpired):
            pass
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass
    remove_tree(folder)
    if memory is not None:
        memory.remove()


_SIGNAL_WORDS = {
    signal.SIGSEGV: N_("segmentation fault"),
    signal.SIGBUS: N_("bus error"),
    signal.SIGABRT: N_("aborted"),
    signal.SIGFPE: N_("arithmetic error"),
    signal.SIGILL: N_("illegal instruction"),
    signal.SIGKILL: N_("killed, most likely for using too much memory"),
    signal.SIGXCPU: N_("stopped after {seconds} s of CPU time"),
}


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            sig = signal.Signals(-returncode)
        except ValueError:
            return _("killed by signal {number}").format(number=-returncode)
        words = _(_SIGNAL_WORDS[sig]) if sig in _SIGNAL_WORDS else _("killed by a signal")
        return f"{words.format(seconds=CPU_LIMIT_SECONDS)} ({sig.name})"
    return _("it exited with status {code}, as os._exit({code}) does").format(code=returncode)


class Runner(BaseRunner):
    """Runs a submission's code in a child process; see the module docstring.

    The child is spawned here and not waited for, so its start-up (about a
    tenth of a second, mostly importing numpy) overlaps the judge's own work.
    """

    def __init__(self, sources: dict[str, ModuleSource], *, timeout: float = 10.0, memory_mb: int = 2048,
                 classes: dict | None = None, **course):
        super().__init__(sources, timeout=timeout, classes=classes, **course)
        self.memory_mb = memory_mb
        self._child: _Child | None = None
        self._preload = standin_preloads(source.text for source in sources.values() if source.text)
        self._last_confined: list[dict] = []
        self._strays_possible = False  # a child without a PID namespace ran under the account
        try:
            self._account = reserve_account()
        except (NoAccount, OSError) as exc:
            raise RunnerStartError(_("no user id to run student code under: {error}").format(error=exc)) from None
        self._spawn()

    @property
    def isolation(self) -> str:
        """How student code is confined, as the current child reported it (once it has started)."""
        current = self._child.confined if self._child is not None else []
        measures = current or self._last_confined  # a replacement child may not have started yet
        separate = _("a separate process, {seconds} s per test").format(seconds=f"{self.timeout:g}")
        return "; ".join([separate, *map(measures_words, measures)])

    def _spawn(self):
        if self._child is not None and self._child._stray_owner:
            self._strays_possible = True
        self._child = _Child(self.memory_mb, self._account, self._preload)
        self._generation += 1

    def _replace(self):
        self._child.kill()
        self._spawn()

    def _loaded_modules(self) -> set[str]:
        return self._live_child().loaded

    def _discard(self):
        self._replace()

    def _live_child(self) -> _Child:
        if self._child is None:
            raise RuntimeError("this Runner is closed")
        return self._child

    @property
    def pipeline_bytes(self) -> int:
        """Half the request pipe's capacity: what may wait in it unread while the child works."""
        child = self._child
        if child is None or child.pipe_bytes is None:
            return 0
        return child.pipe_bytes // 2

    def _await_ready(self, child) -> float:
        """Wait for ``child`` to start; a child whose zygote died under it is replaced once, by a fresh zygote's."""
        try:
            return child.await_ready()
        except RunnerStartError:
            if not child.process.from_dead_zygote:
                raise
        self._replace()
        return self._live_child().await_ready()

    def _deliver(self, request, buffers, deadline):
        child = self._live_child()
        if not child.ready:
            deadline += self._await_ready(child)
            child = self._live_child()
            self._last_confined = child.confined
            if self._account is not None:
                self._account.mark_contained(not child._stray_owner and not self._strays_possible)
        try:
            parts = wire.pack(request, buffers)
        except wire.WireError as exc:
            raise ValueError(f"request too large for the child: {exc}") from None
        self._transport(wire.write_parts, child.to_child, parts, deadline)

    def _receive(self, deadline):
        return self._transport(wire.read_message, self._live_child().from_child, deadline)

    def _transport(self, operation, *args):
        child = self._live_child()
        try:
            return operation(*args)
        except wire.WireTimeout:
            self._replace()
            raise ChildTimedOut() from None
        except (wire.WireClosed, BrokenPipeError):
            status = child.exit_status()
            self._replace()
            raise ChildDied(status) from None
        except wire.WireError as exc:
            self._replace()
            raise ChildGarbled(str(exc)) from None

    def close(self):
        if self._child is not None:
            self._strays_possible |= bool(self._child._stray_owner)
            self._child.kill()
            self._child = None
        if self._account is not None:
            self._account.release(kill=self._strays_possible)
            self._account = None
