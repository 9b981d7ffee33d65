"""The children's seccomp filter: compiled in memory by libseccomp, installed with one prctl, kept nowhere."""
import subprocess
import sys
import textwrap
from pathlib import Path

import grader

INSTALL_AND_TRY = textwrap.dedent("""
    import ctypes, fcntl, os, socket, sys
    from grader.sandbox.child import syscalls
    program = syscalls.load_seccomp([os.getppid()])
    print("program", len(program or b""), flush=True)
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.prctl(38, 1, 0, 0, 0) == 0  # PR_SET_NO_NEW_PRIVS, as confine.py sets it
    print(syscalls.refuse_syscalls(), flush=True)

    def attempt(name, action):
        try:
            action()
        except PermissionError:
            print(name, "refused", flush=True)
        else:
            print(name, "ALLOWED", flush=True)

    attempt("socket", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))
    attempt("socketpair", lambda: socket.socketpair())
    attempt("memfd_create", lambda: os.memfd_create("anonymous"))
    attempt("execve", lambda: os.execv("/bin/true", ["/bin/true"]))
    reader, writer = os.pipe()
    attempt("F_SETPIPE_SZ", lambda: fcntl.fcntl(writer, 1031, 1 << 20))
    print("F_GETPIPE_SZ", fcntl.fcntl(writer, 1032) == 65536, flush=True)
    attempt("kill every process", lambda: os.kill(-1, 0))
    attempt("kill a process group", lambda: os.kill(-os.getpgid(0), 0))
    attempt("kill the grader", lambda: os.kill(os.getppid(), 0))
    attempt("pidfd_open the grader", lambda: os.pidfd_open(os.getppid()))
    os.kill(os.getpid(), 0)  # signalling itself stays allowed
    os.setsid()  # answers success and does nothing: the process stays in its group
    print("setsid answered", os.getsid(0) != os.getpid(), flush=True)
    pid = os.fork()  # ordinary work goes on
    if pid == 0:
        os._exit(7)
    print("fork", os.waitpid(pid, 0)[1] >> 8, flush=True)
""")


def test_the_filter_refuses_sockets_programs_memory_files_pipe_resizing_and_signals_to_the_grader():
    ran = subprocess.run([sys.executable, "-c", INSTALL_AND_TRY], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    length = int(lines[0].split()[1])
    assert length > 0 and length % 8 == 0
    assert lines[1].startswith("seccomp: no sockets, programs, memory files, pipe resizing")
    for name in ("socket", "socketpair", "memfd_create", "execve", "F_SETPIPE_SZ", "kill every process",
                 "kill a process group", "kill the grader", "pidfd_open the grader"):
        assert f"{name} refused" in lines, (name, ran.stdout)
    assert "F_GETPIPE_SZ True" in lines and "setsid answered True" in lines and "fork 7" in lines


def test_no_compiled_filter_is_kept_where_student_code_could_replace_it(tmp_path):
    package = Path(grader.__file__).parent
    before = {p for p in package.rglob("*") if p.is_file()}
    env_home = tmp_path / "home"
    env_home.mkdir()
    ran = subprocess.run([sys.executable, "-c", INSTALL_AND_TRY], capture_output=True, text=True, timeout=60,
                         env={"HOME": str(env_home), "PATH": "/usr/bin:/bin"})
    assert ran.returncode == 0, ran.stderr
    kept = {p for p in [*package.rglob("*"), *env_home.rglob("*")] if p.is_file() and p.suffix != ".pyc"} - before
    assert kept == set()
