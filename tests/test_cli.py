"""The `grade` command as a user types it: exit statuses, reports, help, colour."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from builtin_course import MAX_SCORE, SOLUTIONS, max_score

ROOT = Path(__file__).resolve().parent.parent
REQUIRED_TEST_FIELDS = {"name", "assignment", "layer", "kind", "visibility", "status", "score", "max_score", "message"}


def grade(*args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})), timeout=120)


def test_json_report_has_the_spec_fields(tmp_path):
    out = tmp_path / "r.json"
    result = grade("--submission", str(SOLUTIONS), "--format", "json", "--output", str(out), "--seed", "5")
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert report["score"] == report["max_score"] == MAX_SCORE
    assert report["seed"] == 5
    for test in report["tests"]:
        assert REQUIRED_TEST_FIELDS <= test.keys()
        assert test["kind"] in {"document", "numeric", "edge", "forward"}
        assert test["visibility"] in {"public", "hidden"}
        assert test["status"] in {"passed", "failed", "error", "timeout", "missing"}
        assert test["name"] == f"{test['assignment']}/{test['layer']}/" + test["name"].split("/", 2)[2]


def test_default_run_grades_the_stubs_and_names_its_json_file(tmp_path):
    (tmp_path / "assignments").symlink_to(ROOT / "assignments")
    result = grade(cwd=tmp_path, env={"PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert "grade-report.json" in result.stdout
    report = json.loads((tmp_path / "grade-report.json").read_text())
    assert report["score"] == 0 and report["max_score"] == MAX_SCORE
    assert all("not implemented yet" in t["message"] for t in report["tests"])
    assert "TODO" in result.stdout


def test_seed_is_drawn_and_reported_when_not_given(tmp_path):
    out = tmp_path / "r.json"
    grade("gates", "--submission", str(SOLUTIONS), "--format", "json", "--output", str(out))
    assert isinstance(json.loads(out.read_text())["seed"], int)


def test_assignment_argument_narrows_the_run(tmp_path):
    out = tmp_path / "r.json"
    grade("gates", "activations", "--submission", str(SOLUTIONS), "--format", "json", "--output", str(out))
    assert {t["assignment"] for t in json.loads(out.read_text())["tests"]} == {"gates", "activations"}


def test_public_suite_has_no_hidden_tests(tmp_path):
    out = tmp_path / "r.json"
    grade("--suite", "public", "--submission", str(SOLUTIONS), "--format", "json", "--output", str(out))
    assert {t["visibility"] for t in json.loads(out.read_text())["tests"]} == {"public"}


def test_fail_under_exits_1_below_and_0_at_or_above(tmp_path):
    assert grade("--submission", "assignments", "--fail-under", "1", "--output", str(tmp_path / "r.txt"),
                 cwd=ROOT).returncode == 1
    assert grade("gates", "--submission", str(SOLUTIONS), "--fail-under", "100", "--format", "json",
                 "--output", str(tmp_path / "r.json")).returncode == 0


@pytest.mark.parametrize("args", [
    ["--submission", "no/such/folder"],
    ["not_an_assignment"],
    ["--seed", "minus"],
    ["--format", "pdf"],
    ["--submission", "README.md"],
])
def test_bad_usage_exits_2_with_a_message(args):
    result = grade(*args)
    assert result.returncode == 2
    assert "Error" in result.stderr and "Traceback" not in result.stderr


def test_a_broken_submission_is_graded_not_a_usage_error(tmp_path):
    (tmp_path / "gates.py").write_text("class MulLayer(:\n")
    out = tmp_path / "r.json"
    result = grade("gates", "--submission", str(tmp_path), "--format", "json", "--output", str(out))
    assert result.returncode == 0
    messages = {t["message"] for t in json.loads(out.read_text())["tests"]}
    assert any("line 1" in m for m in messages), messages


def test_text_report_has_no_colour_when_piped_and_a_total_line(tmp_path):
    result = grade("gates", "--submission", str(SOLUTIONS), "--output", "-", cwd=ROOT)
    assert "\033[" not in result.stdout
    assert f"Total: {max_score('gates'):g}/{max_score('gates'):g} (100.0%)" in result.stdout


def test_help_explains_the_options():
    result = grade("--help")
    assert result.returncode == 0
    for option in ("--submission", "--suite", "--format", "--seed", "--timeout", "--fail-under", "Exit status"):
        assert option in result.stdout


def test_an_unwritable_output_path_is_a_usage_error_not_a_traceback(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = grade("gates", "--submission", str(SOLUTIONS), "--format", "json", "--output", str(blocker / "r.json"))
    assert result.returncode == 2
    assert "cannot write the report" in result.stderr and "Traceback" not in result.stderr


def test_a_single_module_file_is_graded_on_its_own_assignment(tmp_path):
    out = tmp_path / "r.json"
    result = grade("--submission", "solutions/gates.py", "--format", "json", "--output", str(out))
    report = json.loads(out.read_text())
    assert result.returncode == 0
    assert {t["assignment"] for t in report["tests"]} == {"gates"}
    assert report["score"] == report["max_score"] == 20


def test_a_folder_without_modules_says_what_it_looked_for(tmp_path):
    out = tmp_path / "r.json"
    grade("--submission", str(tmp_path), "--format", "json", "--output", str(out))
    report = json.loads(out.read_text())
    assert {t["status"] for t in report["tests"]} == {"missing"}
    assert any("found none of gates.py" in note for note in report["notes"])


def test_a_machine_that_cannot_start_student_code_still_gets_a_report(tmp_path, monkeypatch):
    import grader.judge.engine as engine
    from grader.sandbox.errors import RunnerStartError

    def no_runner(*args, **kwargs):
        raise RunnerStartError("no user id to run student code under")

    monkeypatch.setattr(engine, "make_runner", no_runner)
    report = engine.grade_submission(SOLUTIONS, assignments=("gates",), seed=1)
    assert report["score"] == 0 and report["tests"]
    assert all(t["status"] == "error" and "could not run your code" in t["message"] for t in report["tests"])
    assert report["internal_error"] == "grader.sandbox.RunnerStartError: no user id to run student code under"


def test_the_debug_switch_without_isolation_still_grades_the_solutions_full(tmp_path):
    """GRADER_IN_PROCESS=1 runs student code in the judge (to measure what isolation costs): same verdicts."""
    out = tmp_path / "r.json"
    result = grade("--submission", str(SOLUTIONS), "--format", "json", "--output", str(out), "--seed", "5",
                   env={"GRADER_IN_PROCESS": "1"})
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert report["score"] == MAX_SCORE and "internal_error" not in report
    assert report["isolation"].startswith("none: the grader's own process")


def _fresh_copy(folder: Path) -> Path:
    """The released stubs and notebooks as a fresh clone has them: every file written at the same time."""
    import shutil

    copy = folder / "assignments"
    shutil.copytree(ROOT / "assignments", copy)
    for path in copy.iterdir():
        os.utime(path, (1_700_000_000, 1_700_000_000))
    return copy


def test_a_fresh_copy_opens_with_results_and_says_its_one_note_after_them(tmp_path):
    _fresh_copy(tmp_path)
    result = grade("--lang", "en", "--format", "text", cwd=tmp_path, env={"PYTHONPATH": str(ROOT), "COLUMNS": "100"})
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines[0].startswith("gates  (gates.py)"), lines[:3]
    notes = [line for line in lines if line.startswith("note:")]
    assert len(notes) == 1 and "saved at the same time" in " ".join(lines), notes
    assert lines.index(notes[0]) > max(i for i, line in enumerate(lines) if line.startswith("learning"))
    assert lines.index(notes[0]) < next(i for i, line in enumerate(lines) if line.startswith("Total:"))


def test_grading_one_assignment_says_nothing_of_the_others(tmp_path):
    _fresh_copy(tmp_path)
    result = grade("gates", "--lang", "en", "--format", "text", cwd=tmp_path, env={"PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert "gates.py" in result.stdout
    assert not [name for name in ("activations", "affine_softmax", "conv_pool", "learning") if name in result.stdout]
