"""Expectations for the attacks on the machine itself in ``tests/adversarial/`` (``test_kernel_isolation.py``).

Sockets of every kind, the grader's files and environment, processes that
outlive the child or trace it, System V IPC, the scratch file system, and the
kernel's rarely needed system calls. Each is graded through the real CLI in
four configurations: as root and as an ordinary user, each with kernel
namespaces and with ``unshare`` refused to the grader (as Docker does).
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class KernelCase:
    layers: frozenset  # the layer the attack runs in
    message: str  # a regex some attacked test's message or output must match
    earned: str = "forward"  # what the attacked layer may still pass: "forward" tests, or "all"
    status: str | None = None  # the status every failing attacked test must have
    timeout: float = 2.0  # --timeout


KERNEL_CASES = {
    "mptcp_socket": KernelCase(frozenset({"MulLayer"}), r"mptcp: refused"),
    "udp_send": KernelCase(frozenset({"AddLayer"}), r"udp: refused"),
    "unix_socket": KernelCase(frozenset({"Relu"}), r"unix socket: refused"),
    "group_socket": KernelCase(frozenset({"Sigmoid"}), r"group socket: refused"),
    "abstract_socket": KernelCase(frozenset({"Affine"}), r"abstract socket: refused"),
    "read_course_files": KernelCase(frozenset({"SoftmaxWithLoss"}), r"read 0 files: \[\]"),
    "traced_zombie": KernelCase(frozenset({"Pooling"}), r"took longer than 2 s", status="timeout"),
    "outliving_process": KernelCase(frozenset({"Convolution"}), r"", earned="all"),
    "sysv_ipc": KernelCase(frozenset({"Relu"}), r"ipc: found a classmate's segment: False"),
    "scratch_filling": KernelCase(frozenset({"Pooling"}), r"filled: \d+ folders deep", earned="all",
                                  timeout=20.0),  # without a tmpfs, writing 100 MB to disk takes a while
    "kernel_calls": KernelCase(frozenset({"Affine"}), r"succeeded: \[\]"),
}
