"""A batch never grades the same thing twice: results kept in the output folder, reused while their key holds, and a
batch stopped half-way resumed where it stopped."""
import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from builtin_course import SOLUTIONS, copy_course, write_mutant
from class_runs import batch, class_files, mixed_class, solutions, start_batch
import grader.platforms.batch as batch_module
from grader.judge.context import Grading
from grader.platforms.results_cache import Entry, State

HERE = Path(__file__).parent
SEED = "7"


@pytest.fixture
def rerun(tmp_path):
    """The mixed class graded once, to change and grade again (a result's key holds the submission's path, so each
    test grades a class of its own)."""
    submissions = mixed_class(tmp_path / "submissions")
    batch(submissions, tmp_path / "out", "--seed", SEED)
    return submissions, tmp_path / "out"


def stamps(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (out / "students").iterdir()}


def test_a_second_run_grades_no_one_and_says_how_many_it_kept(rerun):
    submissions, out = rerun
    before, files = stamps(out), class_files(out)
    done = batch(submissions, out, "--seed", SEED)
    assert "8 of the 8 students already have results" in done.stderr and "Grading 0 submissions" in done.stderr
    assert stamps(out) == before and class_files(out) == files


def test_a_rerun_with_one_changed_submission_grades_exactly_that_student(rerun):
    submissions, out = rerun
    before, files = stamps(out), class_files(out)
    shutil.copy(SOLUTIONS / "activations.py", submissions / "bob")  # bob fixes his Relu
    done = batch(submissions, out, "--seed", SEED)
    assert "7 of the 8 students already have results" in done.stderr and "Grading 1 submissions" in done.stderr
    after = stamps(out)
    assert {name for name in after if after[name] != before[name]} == {"bob.json", "bob.html"}
    changed = class_files(out)
    assert changed["students/alice.json"] == files["students/alice.json"]
    bob = [line for line in changed["gradebook.csv"].decode("utf-8-sig").splitlines() if line.startswith("bob,")]
    assert bob and bob[0].split(",")[2] == "120"


def test_a_late_submission_is_graded_alone(rerun):
    submissions, out = rerun
    solutions(submissions / "zed")
    done = batch(submissions, out, "--seed", SEED)
    assert "8 of the 9 students already have results" in done.stderr and "Grading 1 submissions" in done.stderr
    assert "zed,ok,120" in (out / "gradebook.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("extra", [["--force"], ["--seed", "8"], ["--seed", SEED, "--timeout", "4"],
                                   ["--seed", SEED, "--lang", "ko"], ["--seed", SEED, "--suite", "public"]])
def test_force_or_other_settings_grade_everyone_again(rerun, extra):
    submissions, out = rerun
    before = stamps(out)
    batch(submissions, out, *(["--seed", SEED] if extra == ["--force"] else []), *extra)
    after = stamps(out)
    assert all(after[name] != before[name] for name in before)


def test_without_a_seed_a_rerun_takes_the_seed_of_the_last_batch(rerun):
    submissions, out = rerun
    done = batch(submissions, out)
    assert f"Using the seed of the last batch in {out}: {SEED}" in done.stderr
    assert "Grading 0 submissions" in done.stderr


def test_a_changed_course_grades_everyone_again(tmp_path):
    course = copy_course(tmp_path / "course")
    solutions(tmp_path / "class" / "alice")
    write_mutant(solutions(tmp_path / "class" / "bob"), "Relu/no_mask")

    def grading():
        return Grading(course, seed=3, timeout=3.0, time_budget=None)  # as run_batch makes it

    batch_module.run_batch(tmp_path / "class", tmp_path / "out", seed=3, course=course, jobs=1, timeout=3.0,
                           sandbox="probed")
    plan = batch_module.plan_batch(tmp_path / "class", tmp_path / "out", grading(), sandbox="probed")
    assert [s.name for s in plan.reused] == ["alice", "bob"] and not plan.to_grade
    assert not batch_module.plan_batch(tmp_path / "class", tmp_path / "out", grading(), sandbox="other").reused
    toml = course.root / "course.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n# a comment changes the course\n", encoding="utf-8")
    plan = batch_module.plan_batch(tmp_path / "class", tmp_path / "out", grading(), sandbox="probed")
    assert not plan.reused and [s.name for s in plan.to_grade] == ["alice", "bob"]


def test_a_crashed_result_is_never_reused(tmp_path, monkeypatch):
    solutions(tmp_path / "class" / "a")
    solutions(tmp_path / "class" / "b")
    real = batch_module.grade_student

    def crash_a(student, grading):
        if student.name == "a":
            os._exit(1)
        return real(student, grading)

    monkeypatch.setattr(batch_module, "grade_student", crash_a)
    first = batch_module.run_batch(tmp_path / "class", tmp_path / "out", seed=1, jobs=1)
    assert [s["status"] for s in first] == ["crashed", "ok"]
    monkeypatch.setattr(batch_module, "grade_student", real)
    graded = []
    again = batch_module.run_batch(tmp_path / "class", tmp_path / "out", seed=1, jobs=1,
                                   announce=lambda plan: graded.extend(s.name for s in plan.to_grade))
    assert graded == ["a"] and [s["status"] for s in again] == ["ok", "ok"]


@pytest.mark.parametrize("status, extra", [("crashed", {}), ("grader_error", {}), ("ok", {"interrupted": True}),
                                           ("ok", {"internal_error": "KeyError"})])
def test_a_result_that_did_not_finish_is_kept_without_a_key(tmp_path, status, extra):
    report = {"student": "a", "status": status, "status_message": "", "score": 0.0, "max_score": 1.0, **extra}
    path = tmp_path / "a.json"
    path.write_text("{}")
    assert Entry.of("a", report, {"json": path}, "key").key is None
    assert Entry.of("a", {**report, "status": "ok", "interrupted": False, "internal_error": ""}, {"json": path},
                    "key").key == "key"


def test_a_report_file_changed_after_grading_is_graded_again(rerun):
    submissions, out = rerun
    (out / "students" / "alice.html").write_text("edited by hand", encoding="utf-8")
    done = batch(submissions, out, "--seed", SEED)
    assert "Grading 1 submissions" in done.stderr
    assert (out / "students" / "alice.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# --- a batch stopped half-way ------------------------------------------------------------------------------------

def slow_class(root: Path) -> Path:
    """The mixed class and, in the middle of the alphabet, a student whose multiply gate never returns."""
    submissions = mixed_class(root)
    gates = solutions(submissions / "hank") / "gates.py"
    gates.write_text(gates.read_text() + "\n\n" + (HERE / "adversarial" / "infinite_loop" / "gates.patch.py").read_text())
    return submissions


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["machine_lost", "ctrl_c"])
def test_a_batch_stopped_half_way_resumes_and_ends_identical_to_an_uninterrupted_one(tmp_path, stop):
    submissions = slow_class(tmp_path / "submissions")
    out = tmp_path / "stopped"
    job = start_batch(submissions, out, "--timeout", "1", env={**os.environ}, new_session=True)
    results = out / ".batch" / "results"
    deadline = time.monotonic() + 300
    while len(list(results.glob("*.json"))) < 6 and job.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert job.poll() is None, "the batch ended before it could be stopped"
    os.killpg(job.pid, stop)
    job.communicate(timeout=120)
    assert not (out / "gradebook.csv").exists() or stop == signal.SIGINT
    seed = State(out).last_seed()
    kept = sum(json.loads(p.read_text(encoding="utf-8"))["key"] is not None for p in results.glob("*.json"))
    assert seed is not None and 6 <= kept < 9

    resumed = batch(submissions, out, "--timeout", "1")
    assert f"seed of the last batch in {out}: {seed}" in resumed.stderr
    assert f"{kept} of the 9 students already have results" in resumed.stderr
    assert f"Grading {9 - kept} submissions" in resumed.stderr
    batch(submissions, tmp_path / "whole", "--timeout", "1", "--seed", seed)
    assert class_files(out) == class_files(tmp_path / "whole")
    rows = (out / "gradebook.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 10 and len({row.split(",")[0] for row in rows}) == 10


def test_a_name_with_invisible_characters_is_kept_escaped_and_read_back(tmp_path):
    from grader.lang.sanitize import clean, clean_data

    name = "\u061cmallory\u202e"
    report = clean_data({"student": name, "status": "ok", "status_message": "", "score": 3.0, "max_score": 4.0})
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    state = State(tmp_path / "out")
    state.begin({"seed": 1})
    state.write(Entry.of(name, report, {"json": path}, "key"))
    kept = state.read(name)
    assert kept.key == "key" and state.report(kept, path)["score"] == 3.0 and clean(name) == report["student"]
    assert "\u061c" not in state.path(name).read_text(encoding="utf-8")
