"""A seccomp filter: system calls student code never needs are refused by the kernel.

The child calls :func:`refuse_syscalls` last before student code runs. A filter needs no privilege and no namespace, so it holds
where Docker refuses namespaces (Gradescope runs graders as root in Docker):
every family of attacks below is closed by it on its own.

Refused with ``EPERM`` (the caller sees ``PermissionError``):

- sockets of every family (``socket``, ``socketpair``, ``io_uring``, which
  could open them behind the filter's back): the child talks to the judge
  over pipes it already holds;
- running programs (``execve``, ``execveat``) and anonymous files
  (``memfd_create``, ``memfd_secret``): no program, not even one written to
  memory, is run, and no memory escapes the address-space limit as a file;
- resizing pipes (``fcntl(F_SETPIPE_SZ)``): pipe buffers stay at the
  kernel's default, so they too stay bounded, and the grader's channel keeps
  the capacity the judge measured;
- reaching into other processes: ``ptrace``, ``process_vm_readv/writev``,
  ``pidfd_getfd``, ``kcmp``, and ``prctl(PR_SET_DUMPABLE)``; signals to
  every process (``kill(-1)``), to a process group (a negative pid), or to
  the grader's own processes (the judge, its parent, the zygote);
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

The rules are compiled to BPF by the system's libseccomp, called directly
(a thousandth of a second): the zygote compiles them once, in memory, and
every child installs the program with one ``prctl``. Nothing is kept on
disk, so nothing a child could write is ever installed as a later child's
filter.
"""
import ctypes
import errno
import os

_program = None  # the filter as BPF instructions once compiled, b"" if it cannot be

_REFUSED = (
    "socket", "socketpair", "socketcall", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "execve", "execveat", "memfd_create", "memfd_secret",
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
_F_SETPIPE_SZ = 1031
_SIGN_BIT = 0x80000000  # of a 32-bit pid: -1 (every process) and -pgid (a process group)
_INT = 0xFFFFFFFF  # an int argument: the register's upper half is not part of it
_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2
_BPF_INSTRUCTION = 8  # bytes of one struct sock_filter

# libseccomp's ABI (seccomp.h): actions and comparisons
_ALLOW = 0x7FFF0000
_MASKED_EQ = 7
_UNKNOWN = -1  # __NR_SCMP_ERROR: no such system call on this architecture


def _errno(number):
    return 0x00050000 | (number & 0xFFFF)


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def load_seccomp(protected=()):
    """Compile the filter's BPF program (once per process; the zygote's children inherit it).

    ``protected`` are the grader's own processes (the judge, its parent, the
    zygote): no signal may be sent to them, even where student code runs
    under the judge's own user id with nothing else between them.
    """
    global _program
    if _program is None:
        _program = _compile_program([int(pid) for pid in protected if isinstance(pid, int) and pid > 1])
    return _program or None


def _libseccomp():
    try:
        library = ctypes.CDLL("libseccomp.so.2")
    except OSError:  # not installed (or not Linux): the child says there is no filter
        return None
    library.seccomp_init.restype = ctypes.c_void_p
    library.seccomp_init.argtypes = [ctypes.c_uint32]
    library.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    library.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                               ctypes.POINTER(_ArgCmp)]
    library.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    library.seccomp_release.argtypes = [ctypes.c_void_p]
    return library


def _compile_program(protected):
    library = _libseccomp()
    if library is None:
        return b""
    context = library.seccomp_init(_ALLOW)
    if not context:
        return b""
    try:
        for name, action, comparisons in _rules(protected):
            number = library.seccomp_syscall_resolve_name(name.encode())
            if number == _UNKNOWN:
                continue  # not a system call on this architecture
            array = (_ArgCmp * max(len(comparisons), 1))(*(_ArgCmp(*c) for c in comparisons))
            library.seccomp_rule_add_array(context, action, number, len(comparisons), array)
        read_end, write_end = os.pipe()
        try:
            failed = library.seccomp_export_bpf(context, write_end)
            os.close(write_end)
            write_end = -1
            program = b"" if failed else _read_all(read_end)
        finally:
            os.close(read_end)
            if write_end >= 0:
                os.close(write_end)
    finally:
        library.seccomp_release(context)
    return program if program and len(program) % _BPF_INSTRUCTION == 0 else b""


def _read_all(fd):
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _rules(protected=()):
    """``(system call, action, [(argument, comparison, a, b)])`` for every rule of the module docstring."""
    refused = _errno(errno.EPERM)
    rules = [(name, refused, []) for name in _REFUSED]
    rules += [("clone", refused, [(0, _MASKED_EQ, flag, flag)]) for flag in _CLONE_NAMESPACE_FLAGS]
    rules.append(("clone3", _errno(errno.ENOSYS), []))
    rules += [(name, _errno(0), []) for name in ("setsid", "setpgid")]
    rules.append(("prctl", refused, [(0, _MASKED_EQ, _INT, _PR_SET_DUMPABLE)]))
    rules += [(name, refused, [(1, _MASKED_EQ, _INT, _F_SETPIPE_SZ)]) for name in ("fcntl", "fcntl64")]
    rules.append(("kill", refused, [(0, _MASKED_EQ, _SIGN_BIT, _SIGN_BIT)]))
    for pid in protected:  # every call that signals a process (or opens one to signal it) by its id
        for name in ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_open"):
            rules.append((name, refused, [(0, _MASKED_EQ, _INT, pid)]))
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
    return ("seccomp: no sockets, programs, memory files, pipe resizing, ptrace, System V IPC, namespaces, "
            "mounts, bpf or perf events")
