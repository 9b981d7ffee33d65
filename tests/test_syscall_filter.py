"""The children's seccomp filter: compiled by libseccomp once, kept as BPF, installed with one prctl."""
import subprocess
import sys
import textwrap

from grader.runner import forkserver

INSTALL_AND_TRY = textwrap.dedent("""
    import ctypes, errno, os, socket, sys
    if sys.argv[2] == "no-binding":
        sys.modules["pyseccomp"] = None  # importing it now fails: only the kept program can serve
    from grader.runner import syscalls
    program = syscalls.load_seccomp(sys.argv[1])
    print("program", len(program or b""), flush=True)
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.prctl(38, 1, 0, 0, 0) == 0  # PR_SET_NO_NEW_PRIVS, as confine.py sets it
    print(syscalls.refuse_syscalls(), flush=True)
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    except PermissionError:
        print("socket refused", flush=True)
    os.setsid()  # answers success and does nothing: the process stays in its group
    print("setsid answered", os.getsid(0) != os.getpid(), flush=True)
    print("pid", os.getpid() > 0)
""")


def run(cache, mode="binding"):
    return subprocess.run([sys.executable, "-c", INSTALL_AND_TRY, str(cache), mode],
                          capture_output=True, text=True, timeout=60)


def test_the_filter_is_compiled_once_kept_and_installed_from_what_was_kept(tmp_path):
    cache = tmp_path / "seccomp.bpf"
    first = run(cache)
    assert first.returncode == 0, first.stderr
    kept = cache.read_bytes()
    assert 0 < len(kept) and len(kept) % 8 == 0 and f"program {len(kept)}" in first.stdout
    assert "socket refused" in first.stdout and "seccomp: no sockets" in first.stdout
    again = run(cache, "no-binding")  # without libseccomp at all, the kept program still closes the calls
    assert again.returncode == 0, again.stderr
    assert "socket refused" in again.stdout and "setsid answered True" in again.stdout and "pid True" in again.stdout
    assert cache.read_bytes() == kept


def test_a_damaged_kept_filter_is_compiled_again(tmp_path):
    cache = tmp_path / "seccomp.bpf"
    cache.write_bytes(b"\x06\x00\x00\x00\xff")  # not a whole number of instructions
    fixed = run(cache)
    assert fixed.returncode == 0, fixed.stderr
    assert "socket refused" in fixed.stdout and len(cache.read_bytes()) % 8 == 0


def test_a_folder_that_cannot_be_written_costs_only_the_cache(tmp_path):
    ran = run(tmp_path / "missing-folder" / "seccomp.bpf")
    assert ran.returncode == 0, ran.stderr
    assert "socket refused" in ran.stdout and not (tmp_path / "missing-folder").exists()


def test_the_kept_filter_is_named_after_the_child_program_and_the_machine():
    path = forkserver.seccomp_filter_path()
    assert path.startswith(forkserver._HERE) and "__pycache__" in path and path.endswith(".bpf")
    assert forkserver.seccomp_filter_path() == path
