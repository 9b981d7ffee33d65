"""A memory cgroup per child, where the machine gives one: one limit for everything the child holds.

``RLIMIT_AS`` bounds each process's address space, but not what a process
holds outside it: pages of files in a tmpfs, pipe buffers, the memory of the
up to 16 processes the child may start. A memory cgroup counts all of it
(its processes' pages, shared memory and tmpfs pages they wrote, kernel
memory such as pipe buffers) against one limit, and the kernel stops the
child when the sum passes it.

Only a root judge can make one, and only where the cgroup file system is
writable: cgroup v2 when the judge's own cgroup delegates the memory
controller to the cgroups below it, cgroup v1 when the memory hierarchy is
mounted. Docker mounts it read-only by default, so a container usually has
none; then ``isolation`` says so and the bound is per process (the memory
limit times the process limit).

The judge makes the cgroup and sets its limit; the child joins it itself,
first thing, while it is still root (``confine.py`` writes its process id to
``procs``); the judge removes it once the child's processes are gone.
"""
from __future__ import annotations

import atexit
import functools
import itertools
import os
import time

_counter = itertools.count()
_PREFIX = "backprop-grader-"


class MemoryGroup:
    """One cgroup with a memory limit; ``procs`` is the file a process writes its id to, to join it."""

    def __init__(self, path: str, procs: str):
        self.path = path
        self.procs = procs

    def remove(self) -> None:
        """Remove the cgroup once its processes are gone.

        The kernel may take a moment to let go of an emptied cgroup (EBUSY);
        one it still holds is removed later rather than waited for, when this
        process next makes a cgroup (by then it long has let go) or exits, so
        a batch of thousands of children neither waits nor leaves one behind.
        """
        if not _removed(self.path):
            _later.add(self.path)


_later: set[str] = set()  # emptied cgroups the kernel did not yet let go of


def _removed(path: str) -> bool:
    try:
        os.rmdir(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


def _remove_left_over(parent: str) -> None:
    """Remove what this process could not remove before, and what judges that are gone left behind.

    A cgroup's name says which judge made it: its PID namespace and its process id there. Only those of
    judges in this PID namespace are judged gone or not: a judge in another (a container sharing the
    machine's cgroups) has process ids that mean nothing here, and its cgroup, still empty while its child
    starts, would be removed under it.
    """
    for path in list(_later):
        if _removed(path):
            _later.discard(path)
    try:
        names = os.listdir(parent)
    except OSError:
        return
    here = str(_pid_namespace())
    for name in names:
        made_by = name[len(_PREFIX):].split("-") if name.startswith(_PREFIX) else []
        if len(made_by) == 2:  # named by an older version, without its namespace
            made_by = [here, *made_by]
        if len(made_by) == 3 and made_by[0] == here and made_by[1].isdigit() and not _alive(int(made_by[1])):
            _removed(os.path.join(parent, name))


@functools.lru_cache(maxsize=None)
def _pid_namespace() -> int:
    """This process's PID namespace (its inode number), or 0 where it cannot be read."""
    try:
        return os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@atexit.register
def _remove_before_exit() -> None:
    for _ in range(50):
        for path in list(_later):
            if _removed(path):
                _later.discard(path)
        if not _later:
            return
        time.sleep(0.01)


def memory_group(megabytes: int) -> MemoryGroup | None:
    """A fresh cgroup limited to ``megabytes`` for a child of this process, or None where none can be made."""
    if os.geteuid() != 0 or os.environ.get("GRADER_NO_CGROUP") == "1":
        return None
    for found in (_cgroup_v2, _cgroup_v1):
        try:
            group = found(megabytes)
        except OSError:
            group = None
        if group is not None:
            return group
    return None


@functools.lru_cache(maxsize=None)  # read once per process (callers only read it): neither changes while it grades
def _own_cgroups() -> dict[str, str]:
    """This process's cgroup per hierarchy: ``{"": path}`` for v2, ``{"memory": path}`` for v1."""
    own = {}
    with open("/proc/self/cgroup", encoding="utf-8") as file:
        for line in file:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for controller in controllers.split(",") if controllers else [""]:
                own[controller] = path
    return own


@functools.lru_cache(maxsize=None)
def _mounts(kind: str) -> list[tuple[str, str]]:
    """``(mount point, super options)`` of every mount of file system type ``kind``."""
    found = []
    with open("/proc/self/mountinfo", encoding="utf-8") as file:
        for line in file:
            fields = line.split()
            separator = fields.index("-")
            if fields[separator + 1] == kind:
                found.append((fields[4], fields[separator + 3]))
    return found


def _make(parent: str, limits: dict[str, str]) -> str | None:
    if not os.access(parent, os.W_OK):
        return None
    _remove_left_over(parent)
    path = os.path.join(parent, f"{_PREFIX}{_pid_namespace()}-{os.getpid()}-{next(_counter)}")
    os.mkdir(path, 0o755)
    try:
        for name, value in limits.items():
            target = os.path.join(path, name)
            if os.path.exists(target):
                with open(target, "w", encoding="ascii") as file:
                    file.write(value)
            elif name in ("memory.max", "memory.limit_in_bytes"):
                raise OSError("no memory controller here")
    except OSError:
        os.rmdir(path)
        raise
    return path


def _cgroup_v2(megabytes: int) -> MemoryGroup | None:
    path = _own_cgroups().get("")
    mounts = _mounts("cgroup2")
    if path is None or not mounts:
        return None
    parent = os.path.join(mounts[0][0], path.lstrip("/"))
    made = _make(parent, {"memory.max": str(megabytes << 20), "memory.swap.max": "0"})
    return MemoryGroup(made, os.path.join(made, "cgroup.procs")) if made else None


def _cgroup_v1(megabytes: int) -> MemoryGroup | None:
    path = _own_cgroups().get("memory")
    mount = next((point for point, options in _mounts("cgroup") if "memory" in options.split(",")), None)
    if path is None or mount is None:
        return None
    limit = str(megabytes << 20)
    made = _make(os.path.join(mount, path.lstrip("/")),
                 {"memory.limit_in_bytes": limit, "memory.memsw.limit_in_bytes": limit})
    return MemoryGroup(made, os.path.join(made, "cgroup.procs")) if made else None
