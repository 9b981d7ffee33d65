"""Kernel namespaces for the child: its own network, IPC, PID and mount namespaces.

:func:`enter_namespaces` is called by the child (``confine.py``) once numpy and the standard modules are loaded and before
any student code runs. It unshares the namespaces and makes a fresh root
file system. The PID namespace comes one of two ways:

- where the zygote may make one (root, no container profile refusing it),
  the zygote unshares it just before it forks the child
  (:class:`PidNamespaces`), so the child is born process 1 of it;
- elsewhere (an ordinary user, whose user namespace the child makes
  itself) the child unshares it last and forks: the process that calls
  :func:`enter_namespaces` becomes a *keeper* that only waits for the
  student's process and passes its exit status on as its own (so the judge
  sees one process, as before).

- **network**: a namespace with only a loopback interface that is down, so
  no socket of any family reaches anything outside (TCP, UDP, MPTCP, Unix
  sockets with a path or abstract names);
- **IPC**: System V shared memory, message queues and semaphores made in it
  die with it and are never seen by another child;
- **PID**: the student's process is process 1 of its namespace; when it
  ends (or the process it dies with, the zygote or the keeper, is killed),
  the kernel kills everything it started, including processes that left its
  session;
- **mount**: the root is a size- and inode-limited ``tmpfs`` holding only the
  scratch folder (same path as outside); nothing of the machine (the grader,
  its tests, the solutions, ``/proc`` of the judge, other students) exists in
  it. Python and numpy need no files by then: they were loaded before.

As root this needs no user namespace. As an ordinary user it first makes a
user namespace mapping only its own ids, and the student's process later
gives up the capabilities that namespace granted (``drop_capabilities``).
Each step that the kernel refuses (Docker's default profile refuses them
all) is left out and the reason is returned, so the report's ``isolation``
says exactly what is missing; the seccomp filter and Landlock still apply.
"""
import ctypes
import os
import platform
import select
import signal

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
NAMESPACE_FLAGS = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | 0x02000000

_MS_NOSUID, _MS_NODEV, _MS_REC, _MS_PRIVATE = 2, 4, 1 << 14, 1 << 18
_MNT_DETACH = 2
_PR_SET_PDEATHSIG = 1
_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}
_CAP_VERSION_3 = 0x20080522

SCRATCH_MB = 64
SCRATCH_FILES = 4096


class NamespaceError(OSError):
    """A step of making the namespaces was refused; ``str()`` says which and why."""


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def _check(result, what):
    if result != 0:
        raise NamespaceError(f"{what}: {os.strerror(ctypes.get_errno())}")


class PidNamespaces:
    """The zygote's side: each child forked as process 1 of a PID namespace of its own, with no keeper.

    Before a fork the zygote unshares a new PID namespace (only its children
    enter it, and the next child is its process 1), and right after it goes
    back to its own. That spares each child a second fork and a keeper
    process. Inside its namespace the child cannot name its parent (its
    parent's PID is 0 there), so it watches the zygote through a pidfd.
    """

    def __init__(self, libc, own: int, zygote: int):
        self._libc, self._own, self.zygote = libc, own, zygote

    @classmethod
    def here(cls):
        """For the calling zygote, or None where it may not make PID namespaces (then each child makes its own)."""
        if platform.system() != "Linux" or not hasattr(os, "pidfd_open"):
            return None
        try:
            own = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
            zygote = os.pidfd_open(os.getpid())
        except OSError:
            return None
        libc = _libc()
        # A trial that leaves the zygote as it was if anything is refused: going back to its own namespace
        # first (a no-op now), then a namespace made and left at once, never entered. Made but not left, the
        # zygote's next children would be born in it while they think they are not.
        if libc.setns(own, CLONE_NEWPID) != 0 or libc.unshare(CLONE_NEWPID) != 0:
            os.close(own)
            os.close(zygote)
            return None
        made = cls(libc, own, zygote)
        made.after_fork()  # allowed: it was, just above
        return made

    def before_fork(self) -> bool:
        """The next child's PID namespace made; False where the kernel refuses (the child then makes its own)."""
        return self._libc.unshare(CLONE_NEWPID) == 0

    def after_fork(self) -> None:
        """In the zygote: its next children are born in its own PID namespace again."""
        _check(self._libc.setns(self._own, CLONE_NEWPID), "setns(PID)")

    def in_child(self, born_inside: bool):
        """In the forked child: the pidfd to watch the zygote by if it was born in a namespace of its own,
        else None; whatever it does not need is closed."""
        os.close(self._own)
        if born_inside:
            return self.zygote
        os.close(self.zygote)
        return None


def enter_namespaces(scratch: str, owner, parent: int, wanted: bool = True,
                     zygote: int | None = None) -> tuple[list, list]:
    """Isolate the calling process; returns ``(measures taken, measures missing)``, each a ``{"code": ...}``.

    Only the student's process returns; a keeper never does.
    ``owner`` is ``(uid, gid)`` the scratch folder is given to, or None;
    ``wanted`` is False when the judge was told not to use namespaces
    (``GRADER_NO_NAMESPACES=1``, to try the grader as Docker would run it);
    ``zygote`` is a pidfd of the zygote when the zygote made the PID
    namespace this process was born in (:class:`PidNamespaces`).
    The process dies with ``parent`` (the zygote or the judge), and so,
    through it, does everything in the namespaces.
    """
    if platform.system() != "Linux":
        return [], [{"code": "no_namespaces", "error": "not Linux"}]
    if not wanted:
        return [], [{"code": "no_namespaces", "error": "GRADER_NO_NAMESPACES=1"}]
    libc = _libc()
    libc.prctl(_PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGKILL), 0, 0, 0)
    global _parent_watch
    _parent_watch = zygote
    if parent_gone() or (zygote is None and os.getppid() != parent):  # it died before the line above
        os._exit(0)
    born_inside = [{"code": "pid_namespace"}] if zygote is not None else []
    flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS
    as_user = os.geteuid() != 0
    try:
        if as_user:
            uid, gid = os.geteuid(), os.getegid()
            _check(libc.unshare(flags | CLONE_NEWUSER), "unshare")
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"{uid} {uid} 1")
            _write("/proc/self/gid_map", f"{gid} {gid} 1")
        else:
            _check(libc.unshare(flags), "unshare")
    except OSError as exc:
        return born_inside, [{"code": "no_namespaces", "error": _reason(exc)}]
    done = [{"code": "namespaces", "user_namespace": as_user}]
    missing = []
    try:
        _private_root(libc, scratch, owner)
        done.append({"code": "private_root", "megabytes": SCRATCH_MB, "files": SCRATCH_FILES})
    except OSError as exc:
        missing.append({"code": "no_private_root", "error": _reason(exc)})
    if born_inside:
        return done + born_inside, missing
    try:
        _check(libc.unshare(CLONE_NEWPID), "unshare(PID)")
    except OSError as exc:
        missing.append({"code": "no_pid_namespace", "error": _reason(exc)})
        return done, missing
    _fork_and_keep(libc)
    done.append({"code": "pid_namespace"})
    return done, missing


def _reason(exc) -> str:
    return str(exc) if isinstance(exc, NamespaceError) else f"{exc.strerror or exc}"


def _write(path, text):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _private_root(libc, scratch, owner):
    """Make a fresh tmpfs the root, with only the folder ``scratch`` in it, and go there."""
    _check(libc.mount(None, b"/", None, ctypes.c_ulong(_MS_REC | _MS_PRIVATE), None), "making mounts private")
    options = f"size={SCRATCH_MB}m,nr_inodes={SCRATCH_FILES},mode=0755".encode()
    _check(libc.mount(b"tmpfs", scratch.encode(), b"tmpfs", ctypes.c_ulong(_MS_NOSUID | _MS_NODEV), options),
           "mounting the scratch tmpfs")
    pivot = _SYS_PIVOT_ROOT.get(platform.machine())
    if pivot is None:
        raise NamespaceError(f"pivot_root: unknown on {platform.machine()}")
    os.chdir(scratch)
    _check(libc.syscall(ctypes.c_long(pivot), b".", b"."), "pivot_root")
    _check(libc.umount2(b".", _MNT_DETACH), "detaching the old root")
    os.chdir("/")
    os.makedirs(scratch, 0o700, exist_ok=True)
    if owner is not None:
        os.chown(scratch, *owner)
    os.chdir(scratch)


def _fork_and_keep(libc):
    """Fork the student's process (process 1 of the new PID namespace); this process keeps it.

    The student's process dies with its keeper (``PR_SET_PDEATHSIG``); a pipe
    tells it whether the keeper was already gone before that was set.
    """
    alive_r, alive_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(alive_w)
        libc.prctl(_PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGKILL), 0, 0, 0)
        global _parent_watch
        _parent_watch = alive_r
        if parent_gone():
            os._exit(0)
        os.setsid()
        return
    os.close(alive_r)
    _keep(pid, alive_w)


# Where the process it dies with cannot be asked for by PID from inside the PID namespace: a descriptor that
# becomes readable once that process is gone (the keeper's pipe, or the zygote's pidfd).
_parent_watch = None


def parent_gone() -> bool:
    """True if the process this one dies with has died (then it must not go on: nothing would stop it)."""
    return _parent_watch is not None and bool(select.select([_parent_watch], [], [], 0)[0])


def forget_parent() -> None:
    """Close the watch before student code runs (a pidfd of the zygote is not for it to hold)."""
    global _parent_watch
    if _parent_watch is not None:
        os.close(_parent_watch)
        _parent_watch = None


def _keep(pid, alive_w):
    """Wait for the student's process and end the same way; never returns."""
    import resource  # loaded already (confine.py); not at the top, so Windows can import this package

    try:
        limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        limit = 1 << 16 if limit == resource.RLIM_INFINITY else limit
        os.closerange(3, alive_w)
        os.closerange(alive_w + 1, limit)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        while True:
            try:
                _, status = os.waitpid(pid, 0)
                break
            except InterruptedError:
                continue
        code = os.waitstatus_to_exitcode(status)
        if code < 0:  # end by the same signal (SIGKILL and SIGSTOP have no handler to reset)
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            if -code not in (signal.SIGKILL, signal.SIGSTOP):
                signal.signal(-code, signal.SIG_DFL)
            os.kill(os.getpid(), -code)
        os._exit(code if code >= 0 else 128 - code)
    finally:
        os._exit(70)


def drop_capabilities() -> None:
    """Give up every capability (those a user namespace granted): none is needed from here on."""
    header = (ctypes.c_uint32 * 2)(_CAP_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    _check(_libc().capset(header, data), "capset")
