"""The user id student code runs under when the judge is root.

Each :class:`~grader.sandbox.runner.Runner` gets a user id of its own, from
``UID_BASE`` to ``UID_BASE + SLOTS - 1``, with no entry in /etc/passwd, held
through a lock file for as long as the runner lives. A user id used by one
child at a time makes two things exact:

- the process limit (``RLIMIT_NPROC`` counts every process of a user), so a
  fork bomb in one submission is stopped at ``PROCESS_LIMIT`` processes
  without touching the children grading other submissions next to it;
- clean-up: every process of that user id is student code, so the judge can
  kill all of them, including those that left the child's process group
  with ``setsid()``. It does so whenever a child is stopped, when the runner
  closes, and when it takes the slot (for processes left behind by a judge
  that was killed outright). Where children run in PID namespaces, which
  take every process they started with them, none of that is needed: the
  searches of ``/proc`` are skipped (the lock file says so to the next holder;
  a lock file never held before, as in a fresh container, has no strays either).

Each judge starts its search for a free user id at a random slot: two judges
that do not share a lock folder (two containers on one machine, each with its
own ``/run``) then rarely pick the same user id, whose processes each would
count and kill as its own.

The lock files live in a directory only root can enter, so student code
cannot hold slots hostage.
"""
from __future__ import annotations

import fcntl
import os
import pwd
import stat
import sys
import tempfile
import time
from pathlib import Path

UID_BASE = 60000
SLOTS = 1000
PROCESS_LIMIT = 16  # the child itself, plus a few for code that starts a process or thread
CONTAINED = b"contained\n"  # the lock file's word to the next holder: no process of this user id is left


class NoAccount(RuntimeError):
    """No user id could be set aside for student code: a problem of the grading machine."""


class Account:
    """One user id, reserved by an open, locked file until :meth:`release`."""

    def __init__(self, uid: int, lock_fd: int):
        self.uid = self.gid = uid
        self._lock_fd = lock_fd

    def mark_contained(self, contained: bool) -> None:
        """Record in the lock file whether every process of this user id dies with its child.

        True once children run in PID namespaces (they take everything they
        started with them, even when the judge is killed outright), so the
        next holder need not search ``/proc`` for strays.
        """
        try:
            os.ftruncate(self._lock_fd, 0)
            if contained:
                os.pwrite(self._lock_fd, CONTAINED, 0)
        except OSError:
            pass

    def release(self, kill: bool = True) -> None:
        """Free the user id; ``kill=False`` when no process of it can be left (PID namespaces)."""
        if self._lock_fd >= 0:
            if kill:
                kill_processes_of(self.uid)
            os.close(self._lock_fd)
            self._lock_fd = -1


def reserve_account() -> Account | None:
    """A free user id for a child, or None when the judge is not root on Linux (the child keeps its user)."""
    if os.geteuid() != 0 or not sys.platform.startswith("linux"):
        return None
    folder = _lock_folder()
    start = int.from_bytes(os.urandom(2), "little") % SLOTS
    for uid in (UID_BASE + (start + slot) % SLOTS for slot in range(SLOTS)):
        if _has_passwd_entry(uid):
            continue
        fd, new = _open_lock(folder / f"{uid}.lock")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        if not new and os.pread(fd, 32, 0) != CONTAINED:  # its last holder may have left processes behind
            kill_processes_of(uid)
        account = Account(uid, fd)
        account.mark_contained(False)
        return account
    raise NoAccount(f"all {SLOTS} user ids from {UID_BASE} for student code are in use")


def _open_lock(path: Path) -> tuple[int, bool]:
    """The lock file's descriptor, and whether this call made it (then no judge ever held its user id here)."""
    flags = os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW
    try:
        return os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o600), True
    except FileExistsError:
        return os.open(path, flags), False


def _has_passwd_entry(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def _lock_folder() -> Path:
    """A directory owned by root that nobody else can enter; made on first use."""
    run = Path("/run")
    base = run if run.is_dir() and os.access(run, os.W_OK) else Path(tempfile.gettempdir())
    folder = base / "backprop-grader-uids"
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o077:
        raise NoAccount(f"{folder} must be a directory owned by root with mode 700")
    return folder


def kill_processes_of(uid: int, attempts: int = 200) -> int:
    """SIGKILL every live process whose real, effective or saved user id is ``uid``.

    Repeats until none is left, since a fork bomb may still be forking (at
    most ``PROCESS_LIMIT`` processes at a time); returns how many were killed.
    """
    killed = 0
    for _ in range(attempts):
        found = _processes_of(uid)
        if not found:
            return killed
        for pid in found:
            try:
                os.kill(pid, 9)
                killed += 1
            except ProcessLookupError:
                pass
        time.sleep(0.001)
    return killed


def _processes_of(uid: int) -> list[int]:
    found, wanted = [], str(uid).encode()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status", "rb") as f:
                status = f.read(2048)
        except OSError:
            continue
        if b"\nState:\tZ" in status:
            continue
        start = status.find(b"\nUid:")
        uids = status[start + 5 : status.find(b"\n", start + 5)].split()[:3] if start >= 0 else []
        if wanted in uids:
            found.append(int(entry.name))
    return found
