"""Malicious and broken submissions, graded through the real ``grade`` command.

For every submission in ``tests/adversarial/`` (see its README): the grader
exits 0 and writes a report that parses; the attacked layers earn no more
than they honestly could and show the message a student needs; every other
layer keeps full marks; and nothing changed outside the report's path (the
case's folder, the repository, /tmp), with no process of student code left
behind and nothing in the judge's temporary folder.

Every case runs as the user pytest runs as (root in CI); the attacks on the
judge itself (``JUDGE_ATTACKS``: numbers, judge input, report output, time)
and the hostile class in ``grader batch`` run again as ``nobody``
(``as_user.py``), where the child has no user id of its own to hide behind.
"""
from __future__ import annotations

import compileall
import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from grader.sandbox.runner import Runner
from as_user import (AS_ROOT, USER, boot_clock, give_to_user, judge_command, orphaned_student_processes,
                     student_processes, workspace)
from as_user import user_python  # noqa: F401  (a fixture)
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


@dataclass
class Case:
    layers: set  # the layers the submission attacks or breaks
    message: str  # a regex some attacked test's message (or output) must match
    earned: str = "none"  # what the attacked layers may still pass: "none", "forward" tests, or "all"
    status: str | None = None  # the status every failing attacked test must have
    timeout: float = TIMEOUT
    needs: str = ""  # "confined", "landlock" or "root": skipped where the machine cannot do it
    extra: dict = field(default_factory=dict)
    args: tuple = ()  # more options for grade (--time-budget ...)
    course: Callable[[Path], Path] | None = None  # builds, in the case's folder, the course to grade with


def _syntax_line() -> int:
    """Where the missing colon of syntax_error/conv_pool.patch.py lands once appended."""
    text = _patched((SOLUTIONS / "conv_pool.py").read_text(), (CASES / "syntax_error" / "conv_pool.patch.py").read_text())
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.strip() == "def backward(self, dout)")


def _patched(solution: str, patch: str) -> str:
    return solution + "\n\n" + patch


def _descent_graded_first(folder: Path) -> Path:
    """The built-in course with gradient_descent graded before numerical_gradient (a stand-in could be kept)."""
    course = folder / "course"
    shutil.copytree(SOLUTIONS.parent, course, ignore=shutil.ignore_patterns("__pycache__"))
    toml = course / "course.toml"
    text = toml.read_text(encoding="utf-8")
    graded = "graded = { numerical_gradient = 6, gradient_descent = 6, SigmoidWithLoss = 8 }"
    assert graded in text
    toml.write_text(text.replace(graded, "graded = { gradient_descent = 6, numerical_gradient = 6, SigmoidWithLoss = 8 }"),
                    encoding="utf-8")
    compileall.compile_dir(course, quiet=1)  # as installed: the judge's imports write nothing into it
    return course


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
    "memory_secrets": Case({"MulLayer"}, r"scanned [1-9]\d* KB of memory: no value of BPG_TEST_SECRET", earned="forward"),
    "huge_gradients": Case({"Relu", "Sigmoid"}, r"dx differs at \[0(, 0)*\]: expected .*, got 1e\+200",
                           earned="forward"),
    "nan_where_directions_look": Case({"Pooling"}, r"dx differs at \[0(, 0)*\]: expected .*, got -1\.7e\+308",
                                      earned="forward"),
    "lone_surrogate": Case({"Relu"}, r"Relu\.backward raised ValueError: half a character: \ufffd, and its other "
                                     r"half: \ufffd", earned="forward"),
    "terminal_escapes": Case({"MulLayer"}, r"MulLayer\.backward raised RuntimeError: .*Total: 100/100", earned="forward"),
    "html_injection": Case({"AddLayer"}, r"AddLayer\.backward raised ValueError: </code></pre></details><img",
                           earned="forward"),
    "format_characters": Case({"MulLayer"}, r"MulLayer\.backward raised ValueError: Total: 100/100\\xad\\u0600.*"
                                            r"\\u061c.*\\u202e", earned="forward"),
    "forged_frames": Case({"Relu", "Sigmoid"}, r"could not accept the reply to (Sigmoid|Relu)\.backward \(array "
                                               r"(dtype '<f1' is not allowed|shape is too large)", earned="forward"),
    "wrong_request_reply": Case({"MulLayer"}, r"could not accept the reply to MulLayer\.backward \(reply answers "
                                              r"another request\)", earned="forward"),
    "slow_everywhere": Case(ALL_LAYERS, r"time budget for the whole submission", earned="all",
                            args=("--time-budget", "8")),
    # nothing reachable from the f handed to student code, nor anywhere in its process, computes a gradient
    "gradient_on_f": Case({"numerical_gradient"}, r"numerical_gradient\(\.\.\.\) raised AttributeError: 'function' "
                                                  r"object has no attribute 'gradient'"),
    "gradient_in_f_globals": Case({"numerical_gradient"}, r"raised LookupError: nothing of \d+ candidates gives"),
    "gradient_by_gc": Case({"numerical_gradient"}, r"raised LookupError: nothing of \d+ objects gc\.get_objects"),
    "gradient_in_sys_modules": Case({"numerical_gradient"}, r"raised LookupError: nothing of \d+ objects reachable "
                                                            r"from sys\.modules"),
    "gradient_by_inspect": Case({"numerical_gradient"}, r"raised LookupError: nothing of \d+ candidates inspect"),
    # the grader's numerical_gradient, kept from a gradient_descent test, answers nothing afterwards, even woken
    "kept_stand_in": Case({"numerical_gradient"}, r"could not accept the reply to numerical_gradient\(\.\.\.\) "
                                                  r"\(a question to the grader while it answers none\)",
                          course=_descent_graded_first),
    # in its own PID namespace the grader is not even there to signal (os.getppid() is 0)
    "kill_the_grader": Case({"Relu"}, r"Relu\.backward raised PermissionError|Relu: dx differs at", earned="forward",
                            needs="confined"),
}


# attacks on the judge's own comparisons, decoder, output and clock: graded as nobody too
JUDGE_ATTACKS = (
    "huge_gradients", "nan_where_directions_look", "nan_and_inf", "lying_subclass", "array_like_object", "wrong_dtype",
    "forged_frames", "wrong_request_reply", "lone_surrogate",
    "terminal_escapes", "html_injection", "format_characters",
    "slow_everywhere",
)


# filling the disk is graded only where the disk is a small tmpfs of the test's own (below)
BATCH_CASES = ("disk_filling",)


def test_every_adversarial_folder_has_expectations():
    folders = {p.name for p in CASES.iterdir() if p.is_dir()}
    assert folders == set(CASES_EXPECTED) | set(KERNEL_CASES) | set(BATCH_CASES)  # kernel: test_kernel_isolation.py
    assert len(folders) >= 15
    assert set(JUDGE_ATTACKS) <= set(CASES_EXPECTED)


# -- running one case -------------------------------------------------------------


def build_submission(case: str, folder: Path) -> None:
    """Solutions for every module, with the case's replacements and patches applied.

    ``<module>.patch.py`` is appended to that module; ``all.patch.py`` to every one.
    """
    folder.mkdir(exist_ok=True)
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


def snapshot(folder: Path, *skip: Path) -> dict:
    """Mode, owner, size and content of everything in ``folder`` but the folders ``skip``."""
    state = {}
    for path in sorted(folder.rglob("*")):
        if any(path == s or s in path.parents for s in skip):
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


@dataclass
class Run:
    status: int
    stdout: str  # the text report grade prints
    stderr: str
    seconds: float
    pid: int


def grade(submission: Path, report: Path, cwd: Path, timeout: float, *args: str, summary: Path | None = None,
          tmp: Path | None = None, python: str | None = None) -> Run:
    """Run ``grade`` as a student's CI would (a GitHub step summary too, when ``summary`` is given).

    ``tmp`` becomes the judge's temporary folder and ``cwd`` its home; with the
    user's ``python`` it runs as ``nobody``.
    """
    arguments = ["--submission", str(submission), "--format", "json", "--output", str(report), "--seed", "7",
                 "--timeout", str(timeout), *args]
    command, env = judge_command("grade", arguments, python)
    env[SECRET] = "hunter2"
    env.pop("GITHUB_STEP_SUMMARY", None)
    if summary:
        env["GITHUB_STEP_SUMMARY"] = str(summary)
    if tmp:
        env.update(TMPDIR=str(tmp), HOME=str(cwd))
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               encoding="utf-8", errors="strict")
    try:
        stdout, stderr = process.communicate(timeout=300)
    finally:
        process.kill()
    return Run(process.returncode, stdout, stderr, time.monotonic() - started, process.pid)


# every control, format (bidirectional controls, zero-width...), line and paragraph separator but tab and newline
INVISIBLE = re.compile("[%s]" % "".join(
    re.escape(chr(code)) for code in range(0x110000)
    if chr(code) not in "\t\n" and unicodedata.category(chr(code)) in ("Cc", "Cf", "Zl", "Zp")))


def assert_terminal_safe(text: str) -> None:
    """No escape sequence, carriage return or invisible format character from student code reaches a terminal."""
    found = INVISIBLE.search(text)
    assert not found, (found, text[-2000:])


def assert_markdown_safe(summary: str) -> None:
    """Outside code blocks, no HTML but the grader's own ``<sub>``, and no forged heading or table row."""
    outside, fence = [], None
    for line in summary.splitlines():
        stripped = line.strip()
        if fence is None and stripped.startswith("```"):
            fence = re.match(r"`+", stripped).group()
        elif fence is not None and stripped == fence:
            fence = None
        elif fence is None:
            outside.append(line)
    text = "\n".join(outside).replace("<sub>", "").replace("</sub>", "")
    assert "<" not in text, text
    assert len(re.findall(r"^## Grade:", summary, re.M)) == 1


def _skip_reason(case: Case) -> str | None:
    if case.needs == "root" and not AS_ROOT:
        return "process limits and clean-up by user id need the grader to run as root"
    if case.needs == "confined" and not CONFINED:
        return "needs root or Landlock to keep student code from signalling the grader"
    if case.needs == "landlock" and not LANDLOCKED:
        return "needs Landlock: without it, world-readable files stay readable (see SECURITY.md)"
    return None


AS_WHOM = [pytest.param(name, False, id=name) for name in sorted(CASES_EXPECTED)] + [
    pytest.param(name, True, id=f"{name}-nobody") for name in JUDGE_ATTACKS]


@pytest.mark.parametrize("name, as_nobody", AS_WHOM)
def test_attack_cannot_change_other_marks_crash_or_escape(name, as_nobody, request):
    case = CASES_EXPECTED[name]
    reason = _skip_reason(case) or (as_nobody and not AS_ROOT and "starting the grader as nobody needs root")
    if reason:
        pytest.skip(reason)
    python = request.getfixturevalue("user_python") if as_nobody else None
    folder = workspace(as_nobody)
    try:
        _grade_case(name, case, folder, python)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _grade_case(name: str, case: Case, folder: Path, python: str | None) -> None:
    submission, cwd, out, tmp = folder / "submission", folder / "home", folder / "out", folder / "tmp"
    build_submission(name, submission)
    if python:
        give_to_user(submission)
    report_path, summary = out / "report.json", out / "summary.md"
    args = case.args + (("--course", str(case.course(folder))) if case.course else ())
    kept = cwd / ".cache"  # where the grader keeps its own cache (its HOME is cwd)
    before = snapshot(folder, out, tmp, kept), git_status(), tmp_bait_state()

    run = grade(submission, report_path, cwd, case.timeout, *args, summary=summary, tmp=tmp, python=python)
    stderr, seconds, judge = run.stderr, run.seconds, run.pid

    assert run.status == 0, stderr[-3000:]
    assert "internal error" not in stderr, stderr[-3000:]
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report_path.stat().st_uid == (USER if python else os.geteuid())  # written by the judge, as that user
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "summary.md"]
    assert (snapshot(folder, out, tmp, kept), git_status(), tmp_bait_state()) == before
    assert student_processes(judge) == []
    assert list(tmp.iterdir()) == []
    assert_terminal_safe(run.stdout)
    assert_terminal_safe(report_path.read_text(encoding="utf-8"))
    assert_terminal_safe(summary.read_text(encoding="utf-8"))
    assert_markdown_safe(summary.read_text(encoding="utf-8"))

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


def _budget_stops_slow_code(report, attacked, seconds):
    spent = [i for i, t in enumerate(report["tests"]) if "time budget for the whole submission" in t["message"]]
    assert len(spent) >= 20, "the budget should cut most of 63 slow tests"
    assert all(t["status"] == "timeout" and t["score"] == 0 for t in report["tests"][spent[0]:])
    assert any(t["status"] == "passed" for t in report["tests"][:spent[0]]), "slow but correct code earns its marks"
    assert seconds < 8 + 2 + 15, f"grading took {seconds:.0f} s with an 8 s budget"


EXTRA_CHECKS = {
    "slow_everywhere": _budget_stops_slow_code,
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


# -- a whole class: hostile students next to correct ones ---------------------------


def zip_with_entries(path: Path, count: int) -> Path:
    """A zip whose central directory lists ``count`` empty files, built directly (zipfile takes minutes)."""
    import struct
    import zlib

    local, central, offset = [], [], 0
    crc = zlib.crc32(b"")
    for i in range(count):
        name = b"f%07d.py" % i
        header = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, crc, 0, 0, len(name), 0) + name
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, crc, 0, 0, len(name),
                                   0, 0, 0, 0, 0, offset) + name)
        local.append(header)
        offset += len(header)
    directory = b"".join(central)
    end = b""
    if count >= 0xFFFF:  # zip64: the real counts are in a record of their own, found through a locator
        at = offset + len(directory)
        end = (struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(directory), offset)
               + struct.pack("<4sLQL", b"PK\x06\x07", 0, at, 1))
    entries = min(count, 0xFFFF)
    end += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, entries, entries, len(directory), offset, 0)
    path.write_bytes(b"".join(local) + directory + end)
    return path


@pytest.mark.parametrize("as_nobody", [False, True], ids=["same-user", "nobody"])
def test_hostile_classmates_cannot_touch_a_neighbours_row_or_the_gradebook(as_nobody, request):
    if as_nobody and not AS_ROOT:
        pytest.skip("starting the grader as nobody needs root")
    python = request.getfixturevalue("user_python") if as_nobody else None
    folder = workspace(as_nobody)
    try:
        _grade_hostile_class(folder, python)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _grade_hostile_class(folder: Path, python: str | None) -> None:
    classroom, out, tmp = folder / "submission", folder / "out", folder / "tmp"
    for name in ("alice", "frank"):
        shutil.copytree(SOLUTIONS, classroom / name, ignore=shutil.ignore_patterns("*.md", "__pycache__"))
    for student, case in (("bob", "lone_surrogate"), ("carol", "terminal_escapes"), ("gina", "forged_frames"),
                          ("harry", "html_injection")):
        build_submission(case, classroom / student)
    zipped = folder / "zipped"
    shutil.copytree(SOLUTIONS, zipped, ignore=shutil.ignore_patterns("*.md", "__pycache__"))
    shutil.make_archive(str(classroom / "erin"), "zip", zipped)
    bomb = zip_with_entries(classroom / "dave.zip", 400_000)
    (classroom / "\x1b[2J=cmd|' \udcff").mkdir()  # a folder name that is an escape sequence, a formula and not UTF-8
    if python:
        give_to_user(folder)

    command, env = judge_command("grader", ["batch", str(classroom), "--out", str(out), "--jobs", "2", "--seed", "7",
                                            "--timeout", str(TIMEOUT)], python)
    env.update(TMPDIR=str(tmp), HOME=str(folder / "home"))
    started = boot_clock()
    process = subprocess.run(command, cwd=folder / "home", env=env, capture_output=True, timeout=600)
    assert process.returncode == 0, process.stderr[-3000:]
    assert b"\x1b" not in process.stdout + process.stderr
    assert orphaned_student_processes(started) == []
    assert list(tmp.iterdir()) == []
    assert (out / "gradebook.csv").stat().st_uid == (USER if python else os.geteuid())

    with open(out / "gradebook.csv", newline="", encoding="utf-8-sig") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert len(rows) == 9
    for name in ("alice", "frank", "erin"):
        assert rows[name]["status"] == "ok" and rows[name]["percent"] == "100.0", rows[name]
    assert rows["dave"]["status"] == "broken" and "400000 entries" in rows["dave"]["message"]
    assert bomb.stat().st_size > 30 * 2**20
    odd = [name for name in rows if name not in {"alice", "bob", "carol", "dave", "erin", "frank", "gina", "harry"}]
    assert len(odd) == 1 and odd[0].startswith("'") and "\x1b" not in odd[0] and "\ufffd" in odd[0]

    attacked = {"bob": {"Relu"}, "carol": {"MulLayer"}, "gina": {"Relu", "Sigmoid"}, "harry": {"AddLayer"}}
    for student, layers in attacked.items():
        report = json.loads((out / "students" / f"{student}.json").read_text(encoding="utf-8"))
        assert rows[student]["status"] == "ok"
        for test in report["tests"]:
            if test["layer"] not in layers:
                assert test["status"] == "passed", (student, test)
            elif test["kind"] != "forward":
                assert test["score"] == 0, (student, test)
        assert all("\x1b" not in t["message"] + t["output"] for t in report["tests"])


def test_a_classmate_who_fills_the_disk_costs_no_one_their_report(small_disk, tmp_path):
    """Without kernel namespaces the child's scratch folder shares the disk with the reports (Docker)."""
    classroom, out, tmp = tmp_path / "class", small_disk / "out", small_disk / "tmp"
    tmp.mkdir()
    classroom.mkdir()
    build_submission("disk_filling", classroom / "ann")  # graded first, beside ben
    classmates = ("ben", "cat", "dan", "eve", "fay")
    for name in classmates:
        shutil.copytree(SOLUTIONS, classroom / name, ignore=shutil.ignore_patterns("*.md", "__pycache__"))
    command, env = judge_command("grader", ["batch", str(classroom), "--out", str(out), "--jobs", "2", "--seed", "7",
                                            "--timeout", "10", "--lang", "en"])
    env.update(TMPDIR=str(tmp), GRADER_NO_NAMESPACES="1")
    process = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, timeout=600)
    assert process.returncode == 0, process.stderr[-3000:]

    with open(out / "gradebook.csv", newline="", encoding="utf-8-sig") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert set(rows) == {"ann", *classmates}
    for name in classmates:
        assert (rows[name]["status"], rows[name]["percent"], rows[name]["message"]) == ("ok", "100.0", ""), rows[name]
    assert rows["ann"]["status"] == "ok" and rows["ann"]["message"] == ""
    for name, row in rows.items():
        report = json.loads((out / row["json_report"]).read_text(encoding="utf-8"))
        assert report["student"] == name and report["score"] == float(row["score"])
        assert (out / row["html_report"]).read_text(encoding="utf-8").rstrip().endswith("</html>")
    filled = [t["output"] for t in json.loads((out / rows["ann"]["json_report"]).read_text())["tests"]
              if "disk full after" in t["output"]]
    assert filled and int(re.search(r"disk full after (\d+) files", filled[0]).group(1)) >= 2, filled[:1]
    assert (out / "class-report.html").is_file() and (out / "class-report.csv").is_file()
    assert sorted(p.name for p in (out / "students").iterdir()) == sorted(
        f"{name}.{kind}" for name in rows for kind in ("json", "html"))
    assert list(tmp.iterdir()) == []


def test_an_entry_count_bomb_is_refused_from_its_end_record_alone(tmp_path):
    from grader.platforms.archives import BrokenSubmission, check_zip_directory

    bomb = zip_with_entries(tmp_path / "bomb.zip", 400_000)
    started = time.perf_counter()
    with pytest.raises(BrokenSubmission, match="400000 entries"):
        check_zip_directory(bomb)
    assert time.perf_counter() - started < 0.05
    check_zip_directory(zip_with_entries(tmp_path / "fine.zip", 10))
