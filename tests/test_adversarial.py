"""Malicious and broken submissions, graded through the real ``grade`` command.

For every submission in ``tests/adversarial/`` (see its README): the grader
exits 0 and writes a report that parses; the attacked layers earn no more
than they honestly could and show the message a student needs; every other
layer keeps full marks; and nothing changed outside the report's path (the
temporary tree, the repository, /tmp), with no process of student code left
behind.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.runner import ModuleSource
from grader.runner.sandbox import Runner
from builtin_course import ALL_LAYERS, ASSIGNMENTS, LAYERS, SOLUTIONS
from kernel_cases import KERNEL_CASES

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "adversarial"
ALL_LAYERS = set(ALL_LAYERS)
TIMEOUT = 2.0
SECRET = "BPG_TEST_SECRET"


def _isolation() -> str:
    with Runner({}, timeout=5.0) as runner:
        runner._live_child().await_ready()
        return runner.isolation


ISOLATION = _isolation()
CONFINED = "Landlock" in ISOLATION or "user id" in ISOLATION
LANDLOCKED = "Landlock" in ISOLATION
AS_ROOT = os.geteuid() == 0


@dataclass
class Case:
    layers: set  # the layers the submission attacks or breaks
    message: str  # a regex some attacked test's message (or output) must match
    earned: str = "none"  # what the attacked layers may still pass: "none", "forward" tests, or "all"
    status: str | None = None  # the status every failing attacked test must have
    timeout: float = TIMEOUT
    needs: str = ""  # "confined", "landlock" or "root": skipped where the machine cannot do it
    extra: dict = field(default_factory=dict)


def _syntax_line() -> int:
    """Where the missing colon of syntax_error/conv_pool.patch.py lands once appended."""
    text = _patched((SOLUTIONS / "conv_pool.py").read_text(), (CASES / "syntax_error" / "conv_pool.patch.py").read_text())
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.strip() == "def backward(self, dout)")


def _patched(solution: str, patch: str) -> str:
    return solution + "\n\n" + patch


GATES, ACTIVATIONS = set(LAYERS["gates"]), set(LAYERS["activations"])
AFFINE_SOFTMAX, CONV_POOL = set(LAYERS["affine_softmax"]), set(LAYERS["conv_pool"])

CASES_EXPECTED = {
    "sys_exit_at_import": Case(GATES, r"importing gates\.py called sys\.exit\(0\)"),
    "os_exit_in_method": Case({"Relu"}, r"stopped during Relu\.forward: it exited with status 0"),
    "keyboard_interrupt": Case({"Sigmoid"}, r"Sigmoid\.backward raised KeyboardInterrupt", earned="forward"),
    "segfault": Case({"Affine"}, r"stopped during Affine\.forward: segmentation fault \(SIGSEGV\)"),
    "recursion_at_import": Case(CONV_POOL, r"importing conv_pool\.py raised RecursionError"),
    "recursion_in_method": Case({"AddLayer"}, r"AddLayer\.backward raised RecursionError", earned="forward"),
    "infinite_loop": Case({"MulLayer"}, r"took longer than 2 s.*during MulLayer\.forward", status="timeout"),
    "hang_everywhere": Case(ALL_LAYERS, r"took longer than 0\.5 s|not run: .* ran out of time", status="timeout",
                            timeout=0.5),
    "memory_bomb": Case({"Sigmoid"}, r"Sigmoid\.forward raised MemoryError"),
    "fork_bomb": Case({"SoftmaxWithLoss"}, r"SoftmaxWithLoss", needs="root"),
    "huge_output": Case({"AddLayer"}, r"debug debug", earned="all"),
    "fake_reports": Case({"MulLayer"}, r"MulLayer", earned="forward"),
    "monkeypatch_numpy": Case({"Relu"}, r"dx differs at \[0, 0\]: expected 0, got 123", earned="forward"),
    "lying_subclass": Case({"Affine"}, r"subclass of numpy\.ndarray", earned="forward"),
    "array_like_object": Case({"Pooling"}, r"not a numpy array", earned="forward"),
    "nan_and_inf": Case({"Sigmoid"}, r"contains NaN at \[0", earned="forward"),
    "wrong_shape": Case({"Relu"}, r"has shape \(\d+,\), expected", earned="forward"),
    "wrong_dtype": Case({"MulLayer"}, r"is a numpy\.ndarray \(an array of dtype object", earned="forward"),
    "huge_array": Case({"Convolution"}, r"too large to send back \(122 MB of arrays; the limit is 64 MB\)", earned="forward"),
    "syntax_error": Case(CONV_POOL, rf"conv_pool\.py has a syntax error on line {_syntax_line()}: expected ':'"),
    "missing_import": Case({"MulLayer"}, r"MulLayer\.backward raised NotAvailableError: torch\.from_numpy cannot be used: "
                                        r"torch is not available while grading: use numpy \(gates\.py, line \d+\)", earned="forward"),
    "empty_file": Case(ACTIVATIONS, r"activations\.py has no class (Relu|Sigmoid) \(the file is empty\)", status="missing"),
    "not_utf8": Case(AFFINE_SOFTMAX, r"affine_softmax\.py is not UTF-8 text \(byte 0xe9 on line 1\)"),
    "missing_class_and_method": Case(CONV_POOL, r"conv_pool\.py has no class Pooling"),
    "wrong_constructor": Case({"Affine"}, r"The grader creates it as Affine\(<float64 array of shape"),
    "read_secrets": Case({"MulLayer"}, r"read 0 files: \[\]; secret variables: \[\]", earned="forward",
                         needs="landlock"),
    "huge_gradients": Case({"Relu", "Sigmoid"}, r"dx differs at \[0(, 0)*\]: expected .*, got 1e\+200",
                           earned="forward"),
    "nan_where_directions_look": Case({"Pooling"}, r"dx differs at \[0(, 0)*\]: expected .*, got -1\.7e\+308",
                                      earned="forward"),
    # in its own PID namespace the grader is not even there to signal (os.getppid() is 0)
    "kill_the_grader": Case({"Relu"}, r"Relu\.backward raised PermissionError|Relu: dx differs at", earned="forward",
                            needs="confined"),
}


def test_every_adversarial_folder_has_expectations():
    folders = {p.name for p in CASES.iterdir() if p.is_dir()}
    assert folders == set(CASES_EXPECTED) | set(KERNEL_CASES)  # those run by test_kernel_isolation.py
    assert len(folders) >= 15


# -- running one case -------------------------------------------------------------


def build_submission(case: str, folder: Path) -> None:
    """Solutions for every module, with the case's replacements and patches applied.

    ``<module>.patch.py`` is appended to that module; ``all.patch.py`` to every one.
    """
    folder.mkdir()
    for name in ASSIGNMENTS:
        whole = CASES / case / f"{name}.py"
        patches = [CASES / case / f"{name}.patch.py", CASES / case / "all.patch.py"]
        if whole.exists():
            shutil.copyfile(whole, folder / f"{name}.py")
        else:
            text = (SOLUTIONS / f"{name}.py").read_text()
            for patch in (p for p in patches if p.exists()):
                text = _patched(text, patch.read_text())
            (folder / f"{name}.py").write_text(text)


def snapshot(folder: Path, skip: Path) -> dict:
    state = {}
    for path in sorted(folder.rglob("*")):
        if path == skip or skip in path.parents:
            continue
        info = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        state[str(path.relative_to(folder))] = (info.st_mode, info.st_uid, info.st_size, digest)
    return state


def git_status() -> str | None:
    try:
        return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


TMP_BAIT = ("report.json", "results.json", "grade-report.json")


def tmp_bait_state() -> dict:
    tmp = Path(tempfile.gettempdir())
    return {name: (tmp / name).stat().st_mtime_ns if (tmp / name).exists() else None for name in TMP_BAIT}


def student_processes(judge: int) -> list[int]:
    """Live processes of student code started by the judge with process id ``judge``.

    They all carry the judge's id in their command line, also after ``setsid()``:
    in the child's settings when spawned, in the zygote's arguments when forked
    from it (the zygote counts too); other graders on the machine do not count.
    """
    spawned = f'"parent": {judge},'.encode()
    forked = re.compile(rb"--zygote\x00\d+\x00%d\x00" % judge)
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if "\nState:\tZ" not in status and (spawned in cmdline or forked.search(cmdline)):
            found.append(int(entry.name))
    return found


def grade(submission: Path, report: Path, cwd: Path, timeout: float) -> tuple[int, str, float, int]:
    """Run ``grade``; returns its exit status, its stderr, the seconds it took and its process id."""
    env = {**os.environ, SECRET: "hunter2"}
    env.pop("GRADER_IN_PROCESS", None)
    command = [sys.executable, "-c", "from grader.cli import grade; grade()", "--submission", str(submission),
               "--format", "json", "--output", str(report), "--seed", "7", "--timeout", str(timeout)]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _, stderr = process.communicate(timeout=300)
    finally:
        process.kill()
    return process.returncode, stderr, time.monotonic() - started, process.pid


def _skip_reason(case: Case) -> str | None:
    if case.needs == "root" and not AS_ROOT:
        return "process limits and clean-up by user id need the grader to run as root"
    if case.needs == "confined" and not CONFINED:
        return "needs root or Landlock to keep student code from signalling the grader"
    if case.needs == "landlock" and not LANDLOCKED:
        return "needs Landlock: without it, world-readable files stay readable (see SECURITY.md)"
    return None


@pytest.mark.parametrize("name", sorted(CASES_EXPECTED))
def test_attack_cannot_change_other_marks_crash_or_escape(name, tmp_path):
    case = CASES_EXPECTED[name]
    reason = _skip_reason(case)
    if reason:
        pytest.skip(reason)
    submission, cwd, out = tmp_path / "submission", tmp_path / "cwd", tmp_path / "out"
    build_submission(name, submission)
    cwd.mkdir()
    out.mkdir()
    report_path = out / "report.json"
    before = snapshot(tmp_path, out), git_status(), tmp_bait_state()

    status, stderr, seconds, judge = grade(submission, report_path, cwd, case.timeout)

    assert status == 0, stderr[-3000:]
    assert "internal error" not in stderr, stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert sorted(p.name for p in out.iterdir()) == ["report.json"]
    assert (snapshot(tmp_path, out), git_status(), tmp_bait_state()) == before
    assert student_processes(judge) == []

    by_layer: dict[str, list[dict]] = {}
    for test in report["tests"]:
        by_layer.setdefault(test["layer"], []).append(test)
    assert set(by_layer) == ALL_LAYERS
    for layer, tests in by_layer.items():
        if layer not in case.layers:
            assert all(t["status"] == "passed" for t in tests), (layer, [t["message"] for t in tests])
            continue
        for test in tests:
            allowed = case.earned == "all" or (case.earned == "forward" and test["kind"] == "forward")
            if not allowed:
                assert test["status"] != "passed" and test["score"] == 0, test
                if case.status:
                    assert test["status"] == case.status, test
    attacked = [t for t in report["tests"] if t["layer"] in case.layers]
    shown = [f"{t['message']}\n{t['output']}" for t in attacked]
    assert any(re.search(case.message, text, re.S) for text in shown), shown[:3]
    assert report["score"] <= report["max_score"]
    check = EXTRA_CHECKS.get(name)
    if check:
        check(report, attacked, seconds)


# -- what some cases must show besides --------------------------------------------


def _output_is_captured_and_capped(report, attacked, seconds):
    outputs = [t["output"] for t in attacked if t["output"]]
    assert outputs and all(len(o) <= 2000 for o in outputs)
    assert any("a warning from student code" in t["output"] or "more characters" in t["output"] for t in attacked)
    assert len(json.dumps(report)) < 500_000


def _hanging_everywhere_stays_bounded(report, attacked, seconds):
    # at most TIMEOUTS_BEFORE_GIVING_UP tests per layer run out of time; the rest are not run
    ran_out = [t for t in attacked if t["status"] == "timeout" and not t["message"].split(": ", 1)[-1].startswith("not run")]
    assert len(ran_out) <= 2 * len(ALL_LAYERS)
    assert seconds < 60, f"grading took {seconds:.0f} s"


def _empty_file_is_noted(report, attacked, seconds):
    assert any("activations.py is empty" in note for note in report["notes"])


def _missing_method_is_named(report, attacked, seconds):
    assert any("Convolution has no method backward" in t["message"] for t in attacked)


def _timeouts_are_bounded(report, attacked, seconds):
    assert sum(t["status"] == "timeout" and "not run" not in t["message"] for t in attacked) == 2


EXTRA_CHECKS = {
    "huge_output": _output_is_captured_and_capped,
    "hang_everywhere": _hanging_everywhere_stays_bounded,
    "empty_file": _empty_file_is_noted,
    "missing_class_and_method": _missing_method_is_named,
    "infinite_loop": _timeouts_are_bounded,
}


def test_student_code_dies_with_a_judge_killed_outright(tmp_path):
    submission = tmp_path / "submission"
    build_submission("hang_everywhere", submission)
    command = [sys.executable, "-c", "from grader.cli import grade; grade()", "--submission", str(submission),
               "--format", "json", "--output", str(tmp_path / "report.json"), "--timeout", "60"]
    scratch = tmp_path / "tmp"  # the scratch directory a killed judge leaves behind lands here
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    judge = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not student_processes(judge.pid):
            assert time.monotonic() < deadline and judge.poll() is None, "student code never started"
            time.sleep(0.05)
        time.sleep(0.3)  # let it settle into its endless loop
    finally:
        judge.kill()
        judge.wait()
    deadline = time.monotonic() + 5
    while student_processes(judge.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert student_processes(judge.pid) == []
    assert not (tmp_path / "report.json").exists()
