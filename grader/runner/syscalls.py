"""A seccomp filter: system calls student code never needs are refused by the kernel.

Like ``wire.py``, this file imports only the standard library (and
``pyseccomp``, the binding of the system's libseccomp, when installed): its
source is shipped into the child, which calls :func:`refuse_syscalls` last
before student code runs. A filter needs no privilege and no namespace, so it
holds where Docker refuses namespaces (Gradescope runs graders as root in
Docker): every family of attacks below is closed by it on its own.

Refused with ``EPERM`` (the caller sees ``PermissionError``):

- sockets of every family (``socket``, ``socketpair``, ``io_uring``, which
  could open them behind the filter's back): the child talks to the judge
  over pipes it already holds;
- reaching into other processes: ``ptrace``, ``process_vm_readv/writev``,
  ``pidfd_getfd``, ``kcmp``, and ``prctl(PR_SET_DUMPABLE)``;
- leaving the process group: ``setsid`` and ``setpgid`` do nothing and
  report success (an error would send a forked copy back into student code),
  so the judge's kill of the group reaches every process the child starts;
- System V and POSIX message IPC (``shmget`` ... ``semtimedop``, ``mq_open``):
  objects that would outlive the child or reach the next one;
- new namespaces (``unshare``, ``setns``, ``clone`` with a namespace flag;
  ``clone3``, whose flags a filter cannot read, answers ``ENOSYS`` so the C
  library falls back to ``clone``), mounts and the new mount API, ``chroot``;
- the kernel's own machinery: ``bpf``, ``perf_event_open``, ``userfaultfd``,
  keyrings, modules, ``kexec``, ``reboot``, swap, quotas, ``syslog``,
  ``acct``, ``iopl``/``ioperm``, file handles, ``fanotify``.

System calls of another architecture (32-bit calls on a 64-bit kernel) kill
the process, libseccomp's default.

libseccomp compiles these rules to a BPF program once; the program is kept
next to the compiled child program (``__pycache__``, named after a hash of
this file and the machine) and every child installs it with one ``prctl``.
Neither the zygote nor a child then imports the binding (about 15 ms) or
compiles the rules (about 3 ms per child).
"""
import ctypes
import errno
import os

_seccomp = None  # the pyseccomp module once loaded, False if it cannot be
_program = None  # the filter as BPF instructions once known, b"" if it cannot be

_REFUSED = (
    "socket", "socketpair", "socketcall", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
    "shmget", "shmat", "shmctl", "shmdt", "msgget", "msgsnd", "msgrcv", "msgctl",
    "semget", "semop", "semctl", "semtimedop", "ipc", "mq_open", "mq_timedsend", "mq_timedreceive",
    "mq_notify", "mq_getsetattr", "mq_unlink",
    "unshare", "setns", "mount", "umount2", "umount", "pivot_root", "chroot", "mount_setattr", "move_mount",
    "open_tree", "fsopen", "fsconfig", "fsmount", "fspick",
    "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot",
    "swapon", "swapoff", "quotactl", "quotactl_fd", "syslog", "acct", "iopl", "ioperm",
    "name_to_handle_at", "open_by_handle_at", "fanotify_init", "lookup_dcookie", "vhangup",
    "sethostname", "setdomainname", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
)
_CLONE_NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)
_PR_SET_DUMPABLE = 4
_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2
_BPF_INSTRUCTION = 8  # bytes of one struct sock_filter
_BPF_MAX_INSTRUCTIONS = 4096


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def load_seccomp(cache=None):
    """Get the filter's BPF program while files are still reachable: from ``cache`` if it holds one, else
    compiled by libseccomp (and kept in ``cache`` when it can be written). The judge itself never needs it."""
    global _program
    if _program is None:
        _program = _cached_program(cache) or _compile_program(cache)
    return _program or None


def _cached_program(cache):
    try:
        with open(cache, "rb") as file:
            program = file.read(_BPF_MAX_INSTRUCTIONS * _BPF_INSTRUCTION + 1)
    except (OSError, TypeError):
        return b""
    valid = 0 < len(program) <= _BPF_MAX_INSTRUCTIONS * _BPF_INSTRUCTION and len(program) % _BPF_INSTRUCTION == 0
    return program if valid else b""


def _compile_program(cache):
    global _seccomp
    if _seccomp is None:
        try:
            import pyseccomp
        except Exception:  # not installed, or libseccomp missing: the child says so
            pyseccomp = False
        _seccomp = pyseccomp
    if not _seccomp:
        return b""
    rules = _rules(_seccomp)
    if cache:
        partial = f"{cache}.{os.getpid()}"
        try:
            with open(partial, "xb") as file:
                rules.export_bpf(file)
            os.replace(partial, cache)
            return _cached_program(cache)
        except OSError:  # a folder that cannot be written: compile into memory instead
            try:
                os.unlink(partial)
            except OSError:
                pass
    read_end, write_end = os.pipe()
    try:
        with open(write_end, "wb", closefd=True) as file:
            rules.export_bpf(file)
        with open(read_end, "rb", closefd=False) as file:
            return file.read()
    finally:
        os.close(read_end)


def _rules(seccomp):
    refused = seccomp.ERRNO(errno.EPERM)
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in _REFUSED:
        try:
            rules.add_rule(refused, name)
        except Exception:  # not a system call on this architecture
            pass
    for flag in _CLONE_NAMESPACE_FLAGS:
        rules.add_rule(refused, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    for name in ("setsid", "setpgid"):
        rules.add_rule(seccomp.ERRNO(0), name)
    rules.add_rule(refused, "prctl", seccomp.Arg(0, seccomp.EQ, _PR_SET_DUMPABLE))
    return rules


def refuse_syscalls() -> str:
    """Install the filter in this process (and all it starts); returns a description, "" if unavailable.

    The caller has set ``PR_SET_NO_NEW_PRIVS``, which an unprivileged process needs for this.
    """
    program = load_seccomp()
    if program is None:
        return ""
    instructions = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // _BPF_INSTRUCTION, ctypes.addressof(instructions))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"seccomp filter refused: {os.strerror(ctypes.get_errno())}")
    return "seccomp: no sockets, ptrace, System V IPC, namespaces, mounts, bpf or perf events"
