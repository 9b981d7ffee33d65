"""Expectations for the attacks on the machine itself in ``tests/adversarial/`` (``test_kernel_isolation.py``).

Sockets of every kind, the grader's files and environment, processes that
outlive the child or trace it, System V IPC, the scratch file system, files
and memory outside the scratch folder and the memory limit, the grader's
pipes, and the kernel's rarely needed system calls. Each is graded through
the real CLI in every configuration of ``sandbox_configs.py``.

An attack is contained in every configuration, or the report's ``isolation``
says it is not (``unless``: a pattern of that statement); then only its own
layer may gain, and every other layer must still get full marks.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class KernelCase:
    layers: frozenset  # the layer the attack runs in
    message: str  # a regex some attacked test's message or output must match
    earned: str = "forward"  # what the attacked layer may still pass: "forward" tests, or "all"
    status: str | None = None  # the status every failing attacked test must have
    timeout: float = 2.0  # --timeout
    unless: str = ""  # a pattern of ``isolation`` saying the machine cannot contain this attack
    then: str = ""  # a case graded right after, by a new judge with the same home and installation


KERNEL_CASES = {
    "mptcp_socket": KernelCase(frozenset({"MulLayer"}), r"mptcp: refused"),
    "udp_send": KernelCase(frozenset({"AddLayer"}), r"udp: refused"),
    "unix_socket": KernelCase(frozenset({"Relu"}), r"unix socket: refused"),
    "group_socket": KernelCase(frozenset({"Sigmoid"}), r"group socket: refused"),
    "abstract_socket": KernelCase(frozenset({"Affine"}), r"abstract socket: refused"),
    "read_course_files": KernelCase(frozenset({"SoftmaxWithLoss"}), r"read 0 files: \[\]",
                                    unless=r"exposed: student code could read the course's hidden tests"),
    "traced_zombie": KernelCase(frozenset({"Pooling"}), r"took longer than 2 s", status="timeout"),
    "outliving_process": KernelCase(frozenset({"Convolution"}), r"", earned="all"),
    "sysv_ipc": KernelCase(frozenset({"Relu"}), r"ipc: found a classmate's segment: False"),
    "scratch_filling": KernelCase(frozenset({"Pooling"}), r"filled: \d+ folders deep", earned="all",
                                  timeout=20.0),  # without a tmpfs, writing 100 MB to disk takes a while
    "kernel_calls": KernelCase(frozenset({"Affine"}), r"succeeded: \[\]"),
    "outside_writes": KernelCase(frozenset({"MulLayer"}), r"outside: succeeded: \[\]",
                                 unless=r"exposed: student code could leave files in the machine's temporary folders"),
    "memory_files": KernelCase(frozenset({"Sigmoid"}), r"memory files: held \[\]",
                               unless=r"exposed: student code could leave files in the machine's temporary folders"),
    "memory_across_processes": KernelCase(frozenset({"Affine"}), r"held at once: (0|850|1700) MB|killed, most likely "
                                          r"for using too much memory|Resource temporarily unavailable",  # a fork refused
                                          timeout=20.0, unless=r"no memory cgroup"),
    "pipe_game": KernelCase(frozenset({"Affine"}), r"pipes shrunk: 0", earned="all"),
    # then the next student's child must still be unable to open a socket
    "cache_poisoning": KernelCase(frozenset({"MulLayer"}), r"poisoned: \[\]", then="udp_send",
                                  unless=r"exposed: student code could write where the grader"),
}
