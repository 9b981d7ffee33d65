"""The machines the grader meets, emulated on this one (SECURITY.md's table of configurations).

A configuration is who the judge runs as and which kernel measures the
machine refuses it:

| name | judge | kernel gives |
|---|---|---|
| ``full-root`` | root (a lab machine, a self-hosted runner) | namespaces, Landlock, seccomp, a second uid |
| ``full-owner`` | ``nobody``, owning its installation | user namespaces, Landlock, seccomp |
| ``container-landlock`` | root (Docker with a recent profile) | Landlock, seccomp, a second uid; no namespaces |
| ``container`` | root (Gradescope, GitLab's Docker executor) | seccomp, a second uid; no namespaces, no Landlock |
| ``owner-landlock`` | ``nobody``, owning its installation | Landlock, seccomp; no namespaces |
| ``owner-nothing`` | ``nobody``, owning its installation (an old kernel) | seccomp only |

Refusals are made the way Docker makes them: a seccomp filter installed in
the judge before it starts (inherited by everything it starts) answers
``unshare`` and namespace flags of ``clone`` with EPERM and
``landlock_create_ruleset`` with ENOSYS. "Owning its installation" means the
judge imports the grader from a copy that ``nobody`` owns, with its cache in
a home ``nobody`` owns: what a student could change for the next one.
"""
from __future__ import annotations

import os
import shutil
import socket
import secrets
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from as_user import USER, as_user

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Configuration:
    name: str
    as_nobody: bool
    namespaces: bool
    landlock: bool


CONFIGURATIONS = {c.name: c for c in (
    Configuration("full-root", False, True, True),
    Configuration("full-owner", True, True, True),
    Configuration("container-landlock", False, False, True),
    Configuration("container", False, False, False),
    Configuration("owner-landlock", True, False, True),
    Configuration("owner-nothing", True, False, False),
)}

_REFUSE = """
import errno, os, sys
import pyseccomp as s
rules = s.SyscallFilter(s.ALLOW)
refused = sys.argv[1].split(",")
if "namespaces" in refused:
    rules.add_rule(s.ERRNO(errno.EPERM), "unshare")
    for flag in (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000):
        rules.add_rule(s.ERRNO(errno.EPERM), "clone", s.Arg(0, s.MASKED_EQ, flag, flag))
    rules.add_rule(s.ERRNO(errno.ENOSYS), "clone3")
if "landlock" in refused:
    rules.add_rule(s.ERRNO(errno.ENOSYS), "landlock_create_ruleset")
if "chroot" in refused:
    rules.add_rule(s.ERRNO(errno.EPERM), "chroot")
rules.load()
os.execvp(sys.argv[2], sys.argv[2:])
"""


def refusing(argv: list[str], *refused: str, python: str = sys.executable) -> list[str]:
    """``argv`` run with the kernel refusing it ``refused`` ("namespaces", "landlock", "chroot"), as Docker may;
    ``python`` (with pyseccomp) installs the refusals."""
    if not refused:
        return argv
    return [python, "-c", _REFUSE, ",".join(refused), *argv]


def judge_argv(config: Configuration, python: str | None, entry: str, arguments: list[str],
               installation: Path | None = None, groups: tuple[int, ...] = ()) -> tuple[list[str], dict]:
    """argv and environment that start ``grade`` or ``grader`` (``entry``) in ``config``.

    ``python`` is an interpreter ``nobody`` can run (the ``user_python``
    fixture), needed when ``config.as_nobody``; ``installation`` is the folder
    holding the grader the judge imports (default: this checkout).
    """
    refused = [name for name, given in (("namespaces", config.namespaces), ("landlock", config.landlock)) if not given]
    interpreter = python if config.as_nobody else sys.executable
    argv = refusing([interpreter, "-c", f"from grader.cli.launch import {entry}; {entry}()", *arguments], *refused,
                    python=interpreter)
    env = dict(os.environ)
    for name in ("GRADER_IN_PROCESS", "GRADER_NO_NAMESPACES", "GRADER_NO_CGROUP", "XDG_CACHE_HOME"):
        env.pop(name, None)
    if config.as_nobody:
        argv = as_user(argv, groups)
    if config.as_nobody or installation is not None:
        env["PYTHONPATH"] = str(installation or ROOT)
    return argv, env


def owned_installation(folder: Path) -> Path:
    """A copy of the grader and its courses that ``nobody`` owns (the judge of an ``owner`` configuration)."""
    target = folder / "installation"
    if target.exists():
        return target
    for name in ("grader", "courses"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for parent, folders, files in os.walk(target):
        for name in [".", *folders, *files]:
            os.lchown(os.path.join(parent, name), USER, USER)
    return target


@lru_cache(maxsize=1)
def world_writable_folders() -> tuple[str, ...]:
    """Every folder of the machine anyone may write (the root file system and /dev/shm), but those inside
    the temporary folder, which come and go with other programs' work."""
    found = subprocess.run(["find", "/", "/dev/shm", "-xdev", "-type", "d", "-perm", "-0002", "-prune"],
                           capture_output=True, text=True).stdout.split()
    temporary = tempfile.gettempdir().rstrip("/") + "/"
    return tuple(sorted({path for path in found if not path.startswith(temporary)} | {tempfile.gettempdir()}))


class Bait:
    """Listeners student code could try to reach, and files in the folders it could try to write.

    ``placeholder()`` is what replaces ``__BAIT__`` in an attack's patch.
    """

    def __init__(self, folder: Path, writable, group: int):
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.unix_path = str(folder / "open.sock")
        self.unix = self._unix(self.unix_path)
        os.chmod(self.unix_path, 0o777)
        self.group_path = str(folder / "group.sock")
        self.group = self._unix(self.group_path)
        os.chown(self.group_path, 0, group)
        os.chmod(self.group_path, 0o660)
        self.abstract_name = f"bpg-bait-{secrets.token_hex(6)}"
        self.abstract = self._unix("\0" + self.abstract_name)
        for s in (self.tcp, self.udp, self.unix, self.group, self.abstract):
            s.setblocking(False)
        self.token = f"bpg-outside-{secrets.token_hex(6)}"
        owned = folder / "owned-output"  # like a grading user's own output folder
        owned.mkdir(mode=0o700)
        os.chown(owned, USER, USER)
        self.writable = [*writable, str(owned)]
        self.baits = {}
        for where in self.writable:
            bait = Path(where) / f"{self.token}-bait"
            bait.write_text("untouched\n")
            os.chmod(bait, 0o666)
            self.baits[bait] = self._state(bait)

    @staticmethod
    def _unix(address: str) -> socket.socket:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(address)
        s.listen()
        return s

    @staticmethod
    def _state(path: Path):
        info = path.lstat()
        return info.st_mode, info.st_uid, info.st_size, path.read_bytes()

    def placeholder(self) -> str:
        return repr({"tcp_port": self.tcp.getsockname()[1], "udp_port": self.udp.getsockname()[1],
                     "unix_path": self.unix_path, "group_path": self.group_path,
                     "abstract_name": self.abstract_name, "root": str(ROOT), "secret": "BPG_KERNEL_SECRET",
                     "writable": self.writable, "token": self.token})

    def heard(self) -> list[str]:
        """What reached any listener since it was last asked (every waiting connection is taken)."""
        reached = []
        for name, listener in (("tcp", self.tcp), ("unix", self.unix), ("group", self.group),
                               ("abstract", self.abstract)):
            while True:
                try:
                    connection, _ = listener.accept()
                except BlockingIOError:
                    break
                connection.close()
                reached.append(name)
        while True:
            try:
                reached.append(f"udp: {self.udp.recv(100)!r}")
            except BlockingIOError:
                break
        return reached

    def changed_outside(self) -> list[str]:
        """What an attack created or changed in the writable folders (then put back as it was)."""
        changed = []
        for where in self.writable:
            for entry in Path(where).glob(f"{self.token}-*"):
                if entry in self.baits and entry.exists() and self._state(entry) == self.baits[entry]:
                    continue
                changed.append(str(entry))
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
        for bait, state in self.baits.items():
            if not bait.exists():
                changed.append(f"{bait} removed")
            if not bait.exists() or self._state(bait) != state:
                bait.write_text("untouched\n")
                os.chmod(bait, 0o666)
                self.baits[bait] = self._state(bait)
        return changed

    def close(self):
        for s in (self.tcp, self.udp, self.unix, self.group, self.abstract):
            s.close()
        for where in self.writable:
            for entry in Path(where).glob(f"{self.token}-*"):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
