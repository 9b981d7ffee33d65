"""What the grader keeps between runs: a per-user folder, trusted only where student code cannot write it.

The compiled child program is kept so that the zygote does not compile two
thousand lines at every start. A later grading runs what is kept, so a kept
file is a way for one student's code to run unconfined in the next student's
grading (or to switch its sandbox off) if that code could write it. So:

- the folder is the user's own cache (``$XDG_CACHE_HOME`` or ``~/.cache``,
  then ``backprop-grader``), never inside the installed package, which may be
  read-only or shared by several users;
- it is used only when it is a real folder owned by the judge's user that no
  one else can write, and student code cannot write it either: the judge
  runs as root (student code runs under user ids of its own) or the kernel
  has Landlock (student code can write only in its scratch folder). An
  ordinary user without Landlock, whose student code runs under the same user
  id and could write anywhere the user can, keeps nothing: everything is
  compiled in memory at every start;
- every kept file starts with the SHA-256 digest of the rest, checked
  before use; a file that fails the check is ignored and written again.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import stat
import sys
from pathlib import Path

_DIGEST = 32  # bytes of SHA-256
_SYS_LANDLOCK_CREATE_RULESET = 444
_LANDLOCK_CREATE_RULESET_VERSION = 1


def folder() -> Path | None:
    """The folder kept files go to, made if needed; None where nothing may be kept."""
    if not student_code_cannot_write_as_this_user():
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    path = Path(base) / "backprop-grader"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(path)
    except OSError:
        return None
    private = stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & 0o022
    return path if private else None


def student_code_cannot_write_as_this_user() -> bool:
    """True where the children's confinement keeps them out of every folder of the judge's user."""
    if not sys.platform.startswith("linux"):
        return False
    return os.geteuid() == 0 or landlock_version() > 0


def landlock_version() -> int:
    """The kernel's Landlock ABI version, 0 where it has none (or a filter refuses it, as Docker's may)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    version = libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                           ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION))
    return max(int(version), 0)


def read(name: str) -> bytes | None:
    """The content kept under ``name``, if it is there and intact."""
    where = folder()
    if where is None:
        return None
    try:
        with open(where / name, "rb", opener=_no_links) as file:
            kept = file.read()
    except OSError:
        return None
    digest, content = kept[:_DIGEST], kept[_DIGEST:]
    return content if len(digest) == _DIGEST and hashlib.sha256(content).digest() == digest else None


def write(name: str, content: bytes, stale_prefix: str = "") -> bool:
    """Keep ``content`` under ``name`` (atomically); files starting with ``stale_prefix`` are removed first."""
    where = folder()
    if where is None:
        return False
    try:
        if stale_prefix:
            for old in where.iterdir():
                if old.name.startswith(stale_prefix) and old.name != name:
                    old.unlink()
        partial = where / f"{name}.{os.getpid()}"
        with open(partial, "wb", opener=_no_links) as file:
            file.write(hashlib.sha256(content).digest() + content)
        os.replace(partial, where / name)
    except OSError:
        return False
    return True


def _no_links(path, flags):
    return os.open(path, flags | os.O_NOFOLLOW, 0o600)
