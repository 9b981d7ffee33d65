"""Kernel namespaces for the child: its own network, IPC, PID and mount namespaces.

:func:`enter_namespaces` is called by the child (``confine.py``) once numpy and the standard modules are loaded and before
any student code runs. The process that calls it becomes a *keeper*: it
unshares the namespaces, makes a fresh root file system, then forks the
process that goes on to run student code and only waits for it, passing its
exit status on as its own (so the judge sees one process, as before).

- **network**: a namespace with only a loopback interface that is down, so
  no socket of any family reaches anything outside (TCP, UDP, MPTCP, Unix
  sockets with a path or abstract names);
- **IPC**: System V shared memory, message queues and semaphores made in it
  die with it and are never seen by another child;
- **PID**: the student's process is process 1 of its namespace; when it
  ends (or the keeper is killed, which kills it), the kernel kills everything
  it started, including processes that left its session;
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


def enter_namespaces(scratch: str, owner, parent: int, wanted: bool = True) -> tuple[list, list]:
    """Isolate the calling process; returns ``(measures taken, measures missing)``, each a ``{"code": ...}``.

    Only the forked student process returns; the keeper never does.
    ``owner`` is ``(uid, gid)`` the scratch folder is given to, or None;
    ``wanted`` is False when the judge was told not to use namespaces
    (``GRADER_NO_NAMESPACES=1``, to try the grader as Docker would run it).
    The keeper dies with ``parent`` (the zygote or the judge), and so, through
    it, does everything in the namespaces.
    """
    if platform.system() != "Linux":
        return [], [{"code": "no_namespaces", "error": "not Linux"}]
    if not wanted:
        return [], [{"code": "no_namespaces", "error": "GRADER_NO_NAMESPACES=1"}]
    libc = _libc()
    libc.prctl(_PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:  # it died before the line above
        os._exit(0)
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
        return [], [{"code": "no_namespaces", "error": _reason(exc)}]
    done = [{"code": "namespaces", "user_namespace": as_user}]
    missing = []
    try:
        _private_root(libc, scratch, owner)
        done.append({"code": "private_root", "megabytes": SCRATCH_MB, "files": SCRATCH_FILES})
    except OSError as exc:
        missing.append({"code": "no_private_root", "error": _reason(exc)})
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
        global _keeper_alive
        _keeper_alive = alive_r
        if keeper_gone():
            os._exit(0)
        os.setsid()
        return
    os.close(alive_r)
    _keep(pid, alive_w)


_keeper_alive = None


def keeper_gone() -> bool:
    """True if the keeper has died (then this process must not go on: nothing would stop it)."""
    return _keeper_alive is not None and bool(select.select([_keeper_alive], [], [], 0)[0])


def forget_keeper() -> None:
    global _keeper_alive
    if _keeper_alive is not None:
        os.close(_keeper_alive)
        _keeper_alive = None


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
