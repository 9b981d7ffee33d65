"""``grader batch``: a class graded at once, each student on their own."""
import csv
import json
import os
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from builtin_course import ASSIGNMENTS, MAX_SCORE, SOLUTIONS, max_score, write_mutant
import grader.platforms.batch as batch
from grader.platforms.students import find_students
import grader.platforms.archives as archives
import grader.platforms.workers as workers
from grader.cli import grader

HERE = Path(__file__).parent
MODULES = ASSIGNMENTS


def copy_solutions(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in MODULES:
        shutil.copy(SOLUTIONS / f"{name}.py", folder)
    return folder


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """Correct, buggy, zipped, malicious, empty and unreadable submissions side by side."""
    root = tmp_path_factory.mktemp("class")
    copy_solutions(root / "alice")
    write_mutant(copy_solutions(root / "bob"), "Relu/no_mask")
    zipped = copy_solutions(root / "build" / "carol")
    with zipfile.ZipFile(root / "carol.zip", "w") as archive:
        for path in zipped.iterdir():
            archive.write(path, f"carol/{path.name}")  # a folder inside the zip, as most students send
    shutil.rmtree(root / "build")
    (copy_solutions(root / "eve") / "gates.py").write_text("import os\nos._exit(3)\n")
    (copy_solutions(root / "mallory") / "activations.py").write_text("while True:\n    pass\n")
    (root / "nobody").mkdir()
    (root / "garbage.zip").write_bytes(b"this is not a zip file")
    with zipfile.ZipFile(root / "sneaky.zip", "w") as archive:
        archive.writestr("../escaped.py", "print('I got out')\n")
    (root / "notes.txt").write_text("not a submission")
    return root


def run_batch(classroom: Path, out: Path, *extra: str):
    result = CliRunner().invoke(grader, ["batch", str(classroom), "--out", str(out), "--timeout", "3", *extra])
    assert result.exit_code == 0, result.output
    with open(out / "gradebook.csv", newline="", encoding="utf-8-sig") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def gradebook(classroom, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return out, run_batch(classroom, out, "--jobs", "2", "--seed", "11")


def test_every_student_gets_a_row_and_reports_in_the_students_folder(gradebook):
    out, rows = gradebook
    students = ["alice", "bob", "carol", "eve", "garbage", "mallory", "nobody", "sneaky"]
    assert list(rows) == students
    for student in students:
        assert (rows[student]["json_report"], rows[student]["html_report"]) == \
            (f"students/{student}.json", f"students/{student}.html")
        report = json.loads((out / rows[student]["json_report"]).read_text())
        assert report["student"] == student and report["seed"] == 11
        assert (out / rows[student]["html_report"]).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    grader_files = {"gradebook.csv", "class-report.csv", "class-report.html", "students", ".batch"}
    assert {p.name for p in out.iterdir()} == grader_files
    assert {p.name for p in (out / "students").iterdir()} == {f"{s}.{kind}" for s in students for kind in ("json", "html")}


def test_correct_submissions_get_full_marks_from_a_folder_or_a_zip(gradebook):
    _, rows = gradebook
    for student in ("alice", "carol"):
        row = rows[student]
        assert (row["status"], row["score"], row["max_score"], row["percent"]) == ("ok", f"{MAX_SCORE:g}", f"{MAX_SCORE:g}", "100.0")
        assert [row[m] for m in MODULES] == [f"{max_score(m):g}" for m in MODULES]


def test_buggy_layer_loses_points_on_its_assignment_only(gradebook):
    row = gradebook[1]["bob"]
    assert row["status"] == "ok"
    assert float(row["activations"]) < 20
    assert [row[m] for m in MODULES if m != "activations"] == [f"{max_score(m):g}" for m in MODULES if m != "activations"]


def test_malicious_modules_cost_their_own_assignment_only(gradebook):
    _, rows = gradebook
    eve, mallory = rows["eve"], rows["mallory"]
    assert eve["status"] == mallory["status"] == "ok"
    assert eve["gates"] == "0" and [eve[m] for m in MODULES[1:]] == [f"{max_score(m):g}" for m in MODULES[1:]]
    assert mallory["activations"] == "0" and int(mallory["timeout"]) > 0
    assert [mallory[m] for m in MODULES if m != "activations"] == [f"{max_score(m):g}" for m in MODULES if m != "activations"]


def test_unreadable_or_empty_submissions_are_broken_with_a_reason(gradebook, classroom):
    _, rows = gradebook
    assert rows["nobody"]["status"] == "broken" and "no assignment module" in rows["nobody"]["message"]
    assert rows["garbage"]["status"] == "broken" and "not a readable zip" in rows["garbage"]["message"]
    assert rows["sneaky"]["status"] == "broken" and "unsafe path" in rows["sneaky"]["message"]
    assert all(rows[s]["score"] == "0" and rows[s]["max_score"] == f"{MAX_SCORE:g}" for s in ("nobody", "garbage", "sneaky"))
    assert not (classroom.parent / "escaped.py").exists()


def test_same_seed_gives_the_same_gradebook(gradebook, classroom, tmp_path):
    out, _ = gradebook
    run_batch(classroom, tmp_path, "--jobs", "1", "--seed", "11")
    assert (tmp_path / "gradebook.csv").read_bytes() == (out / "gradebook.csv").read_bytes()


def test_without_a_seed_one_is_drawn_and_shared_by_every_student(tmp_path):
    classroom = tmp_path / "class"
    copy_solutions(classroom / "a")
    copy_solutions(classroom / "b")
    rows = run_batch(classroom, tmp_path / "out")
    assert len({row["seed"] for row in rows.values()}) == 1


def test_empty_submissions_folder_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(grader, ["batch", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "no sub-folders or .zip files" in result.output


# --- the pieces on their own ------------------------------------------------------

def _exit_on_two(n):
    if n == 2:
        os._exit(9)
    return n * 10


def _hang_on_two(n):
    if n == 2:
        time.sleep(60)
    return n * 10


def _pid(n):
    return os.getpid()


def _raise_on_two(n):
    if n == 2:
        raise RuntimeError("a bug")
    return n * 10


def test_workers_are_forked_once_and_reused_across_students():
    outcomes = dict(workers.run_isolated(range(6), _pid, jobs=2, time_limit=30))
    pids = {value for _, value in outcomes.values()}
    assert len(pids) == 2 and os.getpid() not in pids


def test_a_grader_exception_is_a_grader_error_of_that_student_only():
    outcomes = dict(workers.run_isolated([1, 2, 3], _raise_on_two, jobs=1, time_limit=30))
    assert outcomes[2] == ("grader_error", "the grader failed: RuntimeError: a bug")
    assert outcomes[1] == ("done", 10) and outcomes[3] == ("done", 30)


def test_a_dead_worker_is_replaced_and_the_batch_goes_on():
    outcomes = dict(workers.run_isolated([2, 1, 3], _exit_on_two, jobs=1, time_limit=30))
    assert outcomes[2][0] == "crashed"
    assert outcomes[1] == ("done", 10) and outcomes[3] == ("done", 30)


def test_a_dying_grading_process_takes_only_its_own_student():
    outcomes = dict(workers.run_isolated([1, 2, 3, 4], _exit_on_two, jobs=2, time_limit=30))
    assert outcomes[1] == ("done", 10) and outcomes[3] == ("done", 30) and outcomes[4] == ("done", 40)
    assert outcomes[2][0] == "crashed" and "exit status 9" in outcomes[2][1]


def test_a_grading_process_past_its_time_limit_is_stopped():
    started = time.monotonic()
    outcomes = dict(workers.run_isolated([1, 2, 3], _hang_on_two, jobs=2, time_limit=1))
    assert time.monotonic() - started < 15
    assert outcomes[1] == ("done", 10) and outcomes[3] == ("done", 30)
    assert outcomes[2][0] == "crashed" and "longer than 1 s" in outcomes[2][1]


def test_crashed_student_is_recorded_with_score_zero_and_full_maximum(tmp_path, monkeypatch):
    copy_solutions(tmp_path / "class" / "a")

    def crash(student, grading):
        os._exit(1)

    monkeypatch.setattr(batch, "grade_student", crash)
    reports = batch.run_batch(tmp_path / "class", tmp_path / "out", seed=1, jobs=1)
    assert [(r["student"], r["status"], r["score"], r["max_score"]) for r in reports] == [("a", "crashed", 0.0, MAX_SCORE)]
    assert "crashed" in (tmp_path / "out" / "gradebook.csv").read_text()
    # the reports say why, and the space the dead worker had reserved for them is not left behind
    assert sorted(p.name for p in (tmp_path / "out" / "students").iterdir()) == ["a.html", "a.json"]


def test_zip_larger_than_the_cap_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(archives, "MAX_ZIP_BYTES", 1000)
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("gates.py", "#" * 5000)
    with pytest.raises(archives.BrokenSubmission, match="more than"):
        archives.extract_zip(archive, tmp_path / "out")


def test_zip_symlinks_are_skipped(tmp_path):
    archive = tmp_path / "links.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        link = zipfile.ZipInfo("gates.py")
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("activations.py", "x = 1\n")
    archives.extract_zip(archive, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["activations.py"]


def test_output_folder_inside_the_submissions_is_not_a_student(tmp_path):
    copy_solutions(tmp_path / "alice")
    (tmp_path / "results").mkdir()
    names = [s.name for s in find_students(tmp_path, exclude=tmp_path / "results")]
    assert names == ["alice"]


def test_output_folder_given_by_another_name_is_not_a_student_either(tmp_path):
    """``--out`` through a symbolic link, or as a path with ``..`` in it, is still the same folder."""
    copy_solutions(tmp_path / "class" / "alice")
    (tmp_path / "class" / "results").mkdir()
    (tmp_path / "grades").symlink_to(tmp_path / "class" / "results")
    for out in (tmp_path / "grades", tmp_path / "class" / "alice" / ".." / "results"):
        assert [s.name for s in find_students(tmp_path / "class", exclude=out)] == ["alice"]
    assert [s.name for s in find_students(tmp_path / "class", exclude=tmp_path / "not-yet")] == [
        "alice", "results"]


def test_week_one_batch_grades_gates_alone_out_of_its_points(tmp_path):
    for student in ("ann", "ben"):
        (tmp_path / "class" / student).mkdir(parents=True)
        shutil.copy(SOLUTIONS / "gates.py", tmp_path / "class" / student)
    (tmp_path / "class" / "ben" / "gates.py").write_text(
        (SOLUTIONS / "gates.py").read_text().replace("dx = dout * self.y", "dx = dout * self.x"))
    result = CliRunner().invoke(grader, ["batch", str(tmp_path / "class"), "--out", str(tmp_path / "out"),
                                         "--assignment", "gates", "--seed", "3", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    rows = {r["student"]: r for r in csv.DictReader((tmp_path / "out" / "gradebook.csv").open(encoding="utf-8-sig"))}
    week = f"{max_score('gates'):g}"
    assert (rows["ann"]["score"], rows["ann"]["max_score"], rows["ann"]["percent"]) == (week, week, "100.0")
    assert [c for c in rows["ann"] if c in ASSIGNMENTS] == ["gates"]
    assert rows["ann"]["missing"] == "0"
    assert float(rows["ben"]["score"]) < max_score("gates") and rows["ben"]["max_score"] == week


def test_a_file_that_does_not_compile_gives_its_error_in_the_gradebook(tmp_path):
    classroom = tmp_path / "class"
    (classroom / "dana").mkdir(parents=True)
    (classroom / "dana" / "gates.py").write_text("class MulLayer:\n    def backward(self, dout)\n        return 1\n")
    rows = run_batch(classroom, tmp_path / "out", "-a", "gates", "--lang", "en")
    message = rows["dana"]["message"]
    assert rows["dana"]["status"] == "ok" and rows["dana"]["score"] == "0"
    assert "gates.py" in message and "2" in message and "expected ':'" in message, message
    assert message.count("expected ':'") == 1 and "\n" not in message  # one line for the file, not one per layer
