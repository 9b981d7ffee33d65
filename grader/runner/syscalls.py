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
"""
import errno

_seccomp = None  # the pyseccomp module once loaded, False if it cannot be

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


def load_seccomp():
    """Import the binding while files are still reachable (the judge itself never needs it)."""
    global _seccomp
    if _seccomp is None:
        try:
            import pyseccomp
        except Exception:  # not installed, or libseccomp missing: the child says so
            pyseccomp = False
        _seccomp = pyseccomp
    return _seccomp or None


def refuse_syscalls() -> str:
    """Load the filter into this process (and all it starts); returns a description, "" if unavailable."""
    if load_seccomp() is None:
        return ""
    refused = _seccomp.ERRNO(errno.EPERM)
    rules = _seccomp.SyscallFilter(_seccomp.ALLOW)
    for name in _REFUSED:
        try:
            rules.add_rule(refused, name)
        except Exception:  # not a system call on this architecture
            pass
    for flag in _CLONE_NAMESPACE_FLAGS:
        rules.add_rule(refused, "clone", _seccomp.Arg(0, _seccomp.MASKED_EQ, flag, flag))
    rules.add_rule(_seccomp.ERRNO(errno.ENOSYS), "clone3")
    for name in ("setsid", "setpgid"):
        rules.add_rule(_seccomp.ERRNO(0), name)
    rules.add_rule(refused, "prctl", _seccomp.Arg(0, _seccomp.EQ, _PR_SET_DUMPABLE))
    rules.load()
    return "seccomp: no sockets, ptrace, System V IPC, namespaces, mounts, bpf or perf events"

