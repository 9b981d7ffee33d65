"""Children forked from the warm zygote behave like freshly started ones, and the fallback works."""
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from grader.runner import ModuleSource, StudentCrash
from grader.runner import forkserver
from grader.runner.sandbox import Runner

ROOT = Path(__file__).resolve().parent.parent
PIDS = ModuleSource("gates", "gates.py", textwrap.dedent("""
    import os
    class Probe:
        def pids(self):
            return (os.getpid(), os.getppid())
        def crash(self):
            os._exit(3)
"""))


def probe(runner):
    """The child's process id and its parent's, as the judge sees them (inside, it may be process 1)."""
    runner.call(runner.new("gates", "Probe"), "pids")
    pid = runner._live_child().process.pid
    with open(f"/proc/{pid}/stat") as f:
        parent = int(f.read().rsplit(")", 1)[1].split()[1])
    return pid, parent


def test_every_runner_gets_its_own_child_from_one_zygote():
    with Runner({"gates": PIDS}) as first, Runner({"gates": PIDS}) as second:
        (pid1, parent1), (pid2, parent2) = probe(first), probe(second)
    zygote = forkserver.fork_server()
    assert pid1 != pid2
    assert parent1 == parent2 == zygote.process.pid


def test_a_crashed_child_is_reported_with_its_status_and_replaced_by_a_fork():
    with Runner({"gates": PIDS}) as runner:
        runner.begin_test()
        try:
            runner.call(runner.new("gates", "Probe"), "crash")
        except StudentCrash as crash:
            assert "status 3" in crash.message
        else:
            raise AssertionError("the crash went unnoticed")
        runner.end_test()
        _, parent = probe(runner)
    assert parent == forkserver.fork_server().process.pid


def test_a_dead_zygote_is_replaced():
    with Runner({"gates": PIDS}) as runner:
        _, old_zygote = probe(runner)
    server = forkserver.fork_server()
    assert server.process.pid == old_zygote
    os.kill(old_zygote, signal.SIGKILL)
    server.process.wait(10)
    with Runner({"gates": PIDS}) as runner:
        _, new_zygote = probe(runner)
    assert new_zygote != old_zygote


def test_grading_without_the_zygote_still_gives_full_marks(tmp_path):
    out = tmp_path / "report.json"
    env = dict(os.environ, GRADER_NO_ZYGOTE="1")
    result = subprocess.run([sys.executable, "-m", "grader.cli", "gates", "--submission", str(ROOT / "courses" / "backprop" / "solutions"),
                             "--format", "json", "--output", str(out), "--fail-under", "100"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_child_program_is_compiled_once_and_loaded_compiled(tmp_path, monkeypatch):
    import marshal

    monkeypatch.setattr(forkserver, "_HERE", str(tmp_path))
    monkeypatch.setattr(forkserver, "_compiled", None)
    argv = forkserver.program_argv()
    cached = Path(argv[-1])
    assert argv[:4] == [sys.executable, "-I", "-S", "-c"] and cached.parent == tmp_path / "__pycache__"
    assert marshal.loads(cached.read_bytes()).co_filename == "<grader child>"
    ran = subprocess.run([*argv, "not-a-descriptor"], capture_output=True, text=True)
    # the loader took its own argument off, and the child program read the next one as its pipe's number
    assert "invalid literal for int() with base 10: 'not-a-descriptor'" in ran.stderr


def test_the_child_program_finds_the_judges_packages_without_site(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    folders = forkserver.package_folders()
    assert str(tmp_path) not in folders and all(os.path.isabs(f) for f in folders)
    numpy_home = os.path.dirname(os.path.dirname(__import__("numpy").__file__))
    assert numpy_home in folders


def test_the_child_program_is_sent_as_source_where_nothing_can_be_cached(tmp_path, monkeypatch):
    (tmp_path / "__pycache__").write_text("not a folder")
    monkeypatch.setattr(forkserver, "_HERE", str(tmp_path))
    monkeypatch.setattr(forkserver, "_compiled", None)
    argv = forkserver.program_argv()
    assert argv[:4] == [sys.executable, "-I", "-S", "-c"] and argv[4].endswith(forkserver.PROGRAM)
    ran = subprocess.run([*argv, "not-a-descriptor"], capture_output=True, text=True)
    assert "invalid literal for int() with base 10: 'not-a-descriptor'" in ran.stderr  # numpy was found


def test_the_parts_of_the_child_program_define_no_name_twice():
    """They run as one module (``forkserver.PROGRAM``): a name defined twice silently replaces the first."""
    import ast
    from collections import defaultdict

    defined = defaultdict(list)
    for part in forkserver._PARTS:
        for node in ast.parse((Path(forkserver._HERE) / part).read_text()).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                defined[node.name].append(part)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        defined[target.id].append(part)
    assert {name: parts for name, parts in defined.items() if len(parts) > 1} == {}
