"""A warm parent that forks children for student code (the judge's side is ``sandbox/forkserver.py``).

Starting Python and importing numpy costs about a tenth of a second of CPU;
forking a process that has already done both costs a millisecond. So the judge
starts this program once (``grade`` forks it from itself instead, see
``forked_zygote.py``), and asks it for a fresh child whenever it needs one
(a new submission in ``grader batch``, a replacement after a crash).

Each forked child runs :func:`session.main`. The zygote itself runs no
student code and confines nothing; every child confines itself right after
the fork (``confine.py``).

Protocol, over a Unix ``SOCK_SEQPACKET`` socket, one JSON object per packet:
``{"op": "fork", "cwd", "env", "settings"}`` with the child's two pipe ends
attached (``SCM_RIGHTS``) -> ``{"pid"}``; ``{"op": "wait", "pid", "timeout"}``
-> ``{"returncode"}`` (``null`` while the child still runs).
"""
import ctypes
import gc
import importlib
import json
import os
import signal
import socket
import sys
import time

from .session import main
from .confine import PRELOAD_NUMPY, PRELOAD_STDLIB
from .namespaces import PidNamespaces
from .syscalls import load_seccomp

_ZYGOTE_PACKET = 1 << 16
_LONGEST_WAIT = 30.0  # every wait ends: a child traced by its own grandchild may never be reaped


def zygote_main(argv):
    """Serve fork and wait requests on the socket ``argv[2]`` until the judge closes it."""
    channel = socket.socket(fileno=int(argv[2]))
    for name in PRELOAD_NUMPY + PRELOAD_STDLIB:
        importlib.import_module(name)
    gc.freeze()  # a child's collections never walk (and so never copy) the pages of what it inherits
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the judge
        if os.getppid() != int(argv[3]):
            os._exit(0)
    finished = {}
    pid_namespaces = PidNamespaces.here()
    while True:
        message, fds, _, _ = socket.recv_fds(channel, _ZYGOTE_PACKET, 2)
        if not message:
            os._exit(0)
        request = json.loads(message)
        if request["op"] == "fork":
            reply = {"pid": _fork_for_judge(channel, request, fds, pid_namespaces)}
        else:
            reply = {"returncode": _reap_child(request["pid"], request["timeout"], finished)}
        channel.send(json.dumps(reply).encode())


def _fork_for_judge(channel, request, fds, pid_namespaces: PidNamespaces | None):
    """Fork a child; where the zygote may, the child is born process 1 of a PID namespace of its own."""
    load_seccomp([*request["settings"].get("protect", ()), os.getpid()])  # once: every child inherits it
    zygote = os.getpid()
    born_inside = (pid_namespaces is not None and request["settings"].get("namespaces", True)
                   and pid_namespaces.before_fork())
    pid = -1
    try:
        pid = os.fork()
    finally:
        if born_inside and pid != 0:
            pid_namespaces.after_fork()
    if pid == 0:
        try:
            channel.close()
            os.setsid()
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update(request["env"])
            watch = pid_namespaces.in_child(born_inside) if pid_namespaces is not None else None
            settings = dict(request["settings"], parent=zygote, zygote=watch)
            sys.argv = ["-c", str(fds[0]), str(fds[1]), json.dumps(settings)]  # as if spawned
            main(sys.argv)
        finally:
            os._exit(70)
    for fd in fds:
        os.close(fd)
    return pid


def _reap_child(pid, timeout, finished):
    """The child's exit status as ``subprocess`` reports it, or None if it is still running."""
    deadline = time.monotonic() + min(timeout if timeout is not None else _LONGEST_WAIT, _LONGEST_WAIT)
    while pid not in finished:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # not ours, or already reaped: nothing left to report
            return -signal.SIGKILL
        if done:
            finished[pid] = os.waitstatus_to_exitcode(status)
        elif time.monotonic() >= deadline:
            return None
        else:
            time.sleep(0.002)
    return finished.pop(pid)
