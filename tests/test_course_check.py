"""A course proves itself before any student is graded: grader new-course, grader check (solutions on many seeds,
stubs, mutation analysis from the diagnosis vocabulary), certificates, and the refusal of a course that fails."""
import csv
import json
import re
import zipfile
from pathlib import Path

import pytest

import author_course
from author_course import cli
from builtin_course import COURSE
from grader.judge import mutants
from grader.judge.course import load
from grader.judge.engine import grade_submission
from grader.judge.mutation import MISTAKES, mistake
from grader.platforms.coursecheck import certificates, check_course, ensure_checked
from grader.platforms.jupyter import course_of

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def own_cache(tmp_path_factory, monkeypatch):
    """Certificates in a cache of the module's own (the built-in course's is made once, for the module)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "course-check-cache"))


def _table_codes(heading: str) -> list[str]:
    text = (ROOT / "docs" / "diagnoses.md").read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(\w+)` \|", section, flags=re.M)


SHAPE_AND_NUMBERS = _table_codes("## The shape is wrong") + _table_codes("## The numbers are wrong")


@pytest.fixture(scope="module")
def builtin_check(tmp_path_factory):
    import os

    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.getbasetemp() / "course-check-cache")
    return check_course(COURSE, seeds=2, say=lambda text: None)


def test_the_builtin_course_passes_its_check(builtin_check):
    assert builtin_check.passed, builtin_check.problems
    assert builtin_check.results["stubs"]["free"] == [] and builtin_check.results["solutions"]["failed"] == []


def test_every_mistake_of_the_shape_and_numbers_tables_is_caught_and_diagnosed_on_the_builtin_course(builtin_check):
    assert len(SHAPE_AND_NUMBERS) >= 20 and set(SHAPE_AND_NUMBERS) <= set(MISTAKES)
    made = builtin_check.results["mistakes"]
    for code in SHAPE_AND_NUMBERS:
        applied = {name: outcomes[code] for name, outcomes in made.items() if code in outcomes}
        assert applied, f"{code} applies to no graded name of the built-in course"
        for name, outcome in applied.items():
            assert outcome["caught"] and outcome["right"], (code, name, outcome)


def test_the_generator_reproduces_the_diagnoses_of_the_builtin_mutants(builtin_check):
    made = builtin_check.results["mistakes"]
    declared = [m for m in mutants.find(COURSE.root) if m.diagnosis in MISTAKES]
    assert len(declared) >= 10
    for mutant in declared:
        outcome = made[mutant.name].get(mutant.diagnosis)
        assert outcome is not None and outcome["right"], (mutant.id, mutant.diagnosis, outcome)
    mine = {m["mutant"]: m for m in builtin_check.results["mutants"]}
    assert all(m["caught"] and m["right"] and not m["elsewhere"] for m in mine.values())


def test_the_check_prints_the_mutation_table_and_keeps_a_certificate(tmp_path):
    folder = tmp_path / "mine"
    cli("new-course", folder)
    result = cli("--course", folder, "check", "--seeds", "3")
    assert re.search(r"scale\s+Scale\s+1[5-9]\s+1[5-9]\s+1[5-9]", result.output), result.output
    kept = certificates.find(load(folder))
    assert kept is not None and kept.passed and len(kept.seeds) == 3
    assert kept.seeds == certificates.seeds(certificates.course_digest(load(folder)), 3)  # drawn from the digest


def test_a_new_course_passes_its_check_and_new_exercise_works_on_an_empty_one(tmp_path):
    cli("new-course", tmp_path / "mine", "--title", "Mine", "--language", "ko")
    assert cli("--course", tmp_path / "mine", "check", "--seeds", "2").exit_code == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "course.toml").write_text('title = "Empty"\nlanguage = "en"\n', encoding="utf-8")
    refused = cli("--course", empty, "check", expect=2)
    assert "grader new-exercise" in refused.output
    cli("--course", empty, "new-exercise", "gates", "--names", "Mul")
    assert load(empty).names == ("gates",)


def test_a_changed_course_needs_a_new_check_and_an_unchanged_one_does_not(tmp_path):
    folder = author_course.write(tmp_path / "ch6")
    course = load(folder)
    first = ensure_checked(course, say=lambda text: None)
    said = []
    assert ensure_checked(load(folder), say=said.append).course_digest == first.course_digest and not said
    author_course.plant_reference_bug(folder)
    assert certificates.find(load(folder)) is None


@pytest.fixture(scope="module")
def chapter6(tmp_path_factory):
    return author_course.write(tmp_path_factory.mktemp("author") / "ch6")


def _students(folder: Path, course: Path) -> Path:
    submissions = folder / "submissions"
    (submissions / "right").mkdir(parents=True)
    (submissions / "stub").mkdir(parents=True)
    for module in ("scale.py", "regularization.py", "normalization.py"):
        (submissions / "right" / module).write_text((course / "solutions" / module).read_text(encoding="utf-8"),
                                                    encoding="utf-8")
    return submissions


def test_an_authors_course_goes_from_new_course_to_batch_with_no_engine_file_touched(chapter6, tmp_path):
    checked = cli("--course", chapter6, "check")
    assert "Dropout" in checked.output and "BatchNormalization" in checked.output
    cli("--course", chapter6, "release", "--out", tmp_path / "students")
    readme = (tmp_path / "students" / "README.md").read_text(encoding="utf-8")
    assert "`scale.py`" in readme and "`self.dbeta` and `self.dgamma`" in readme
    assert "gates" not in readme and "self.dW" not in readme and "conv_pool" not in readme
    assert "## Notes\n\nAsk your questions in the course forum." in readme  # the author's section, kept
    for notebook, course_file in ((chapter6 / "release" / "regularization.ipynb", "../course.toml"),
                                  (tmp_path / "students" / "assignments" / "regularization.ipynb",
                                   "../courses/ch6/course.toml")):
        said = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["grader"]["course"]
        assert said == {"title": "Chapter 6: training techniques", "file": course_file,
                        "digest": certificates.course_digest(load(chapter6))}
        assert course_of(notebook).root == (notebook.parent / course_file).resolve().parent  # its check cell's course
    cli("--course", chapter6, "bundle", "gradescope", "--out", tmp_path / "autograder.zip")
    with zipfile.ZipFile(tmp_path / "autograder.zip") as archive:
        carried = json.loads(archive.read("courses/ch6/certificate.json"))
    assert carried["passed"] and carried["shipped_from"] == certificates.course_digest(load(chapter6))
    submissions = _students(tmp_path, chapter6)
    for module in ("regularization.py", "normalization.py"):
        shutil_copy(tmp_path / "students" / "assignments" / module, submissions / "stub" / module)
    cli("--course", chapter6, "batch", submissions, "--out", tmp_path / "out")
    rows = {row["student"]: row for row in csv.DictReader(open(tmp_path / "out" / "gradebook.csv", encoding="utf-8-sig"))}
    assert rows["right"]["status"] == "ok" and float(rows["right"]["score"]) == 30
    assert float(rows["stub"]["score"]) == 0


def shutil_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())


PLANTED = {
    "plant_reference_bug": ("reference.batch_normalization", "BatchNormalization"),
    "plant_points_not_adding_up": ("regularization.Dropout is worth 10 points, but its tests add up to 9", "Dropout"),
    "plant_free_points": ("test normalization/BatchNormalization/forward_only gives 1 points to the released stub",
                          "BatchNormalization"),
}


@pytest.fixture(scope="module", params=sorted(PLANTED))
def planted(request, tmp_path_factory):
    folder = author_course.write(tmp_path_factory.mktemp(request.param) / "ch6")
    getattr(author_course, request.param)(folder)
    return folder, PLANTED[request.param][0]


def test_a_planted_bug_is_refused_by_check(planted):
    folder, named = planted
    result = cli("--course", folder, "check", expect=2)
    assert named in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("command", ["release", "bundle"])
def test_a_planted_bug_is_refused_by_release_and_bundle(planted, command, tmp_path):
    folder, named = planted
    args = ["release", "--out", tmp_path / "out"] if command == "release" else [
        "bundle", "gradescope", "--out", tmp_path / "out.zip"]
    result = cli("--course", folder, *args, expect=2)
    assert named in result.output and "failed its check" in result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.zip").exists()


def test_a_planted_bug_is_refused_by_batch_which_writes_everyone_not_graded(planted, tmp_path):
    folder, named = planted
    submissions = _students(tmp_path, folder)
    result = cli("--course", folder, "batch", submissions, "--out", tmp_path / "out",
                 expect=2)
    assert named in result.output and "Traceback" not in result.output
    rows = list(csv.DictReader(open(tmp_path / "out" / "gradebook.csv", encoding="utf-8-sig")))
    assert {row["student"] for row in rows} == {"right", "stub"}
    assert {row["status"] for row in rows} == {"not_graded"}


def test_a_bundle_verifies_its_own_certificate_and_refuses_a_changed_copy(chapter6, tmp_path):
    cli("--course", chapter6, "bundle", "gradescope", "--out", tmp_path / "a.zip")
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        archive.extractall(tmp_path / "unpacked", [n for n in archive.namelist() if n.startswith("courses/")])
    shipped = tmp_path / "unpacked" / "courses" / "ch6"
    assert cli("--course", shipped, "check").exit_code == 0
    with open(shipped / "reference.py", "a", encoding="utf-8") as handle:
        handle.write("\n# changed after the check\n")
    assert "no solutions/" in cli("--course", shipped, "check", expect=2).output


def test_a_switched_off_hint_keeps_the_diagnosis_in_the_report_and_the_table(tmp_path):
    folder = tmp_path / "mine"
    cli("new-course", folder)
    course_file = folder / "course.toml"
    course_file.write_text(course_file.read_text(encoding="utf-8") + 'hints_off = ["sign_flipped"]\n', encoding="utf-8")
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    solution = (folder / "solutions" / "scale.py").read_text(encoding="utf-8")
    (wrong / "scale.py").write_text(solution.replace("return dout * self.w", "return -dout * self.w"), encoding="utf-8")
    report = grade_submission(wrong, course=load(folder), seed=1)
    failed = [t for t in report["tests"] if t.get("diagnosis")]
    assert failed and all(t["diagnosis"]["code"] == "sign_flipped" for t in failed)
    assert all(t["diagnosis"]["params"]["hint_off"] for t in failed)
    assert not any("sign is flipped" in t["message"] for t in failed)
    assert all("dx = dout * w" in t["message"] for t in failed)  # the course's own hint stays
    checked = check_course(load(folder), seeds=2, say=lambda text: None)
    assert checked.results["mistakes"]["Scale"]["sign_flipped"]["right"]


def test_a_new_diagnosis_code_is_one_registry_entry(tmp_path):
    @mistake("doubled_for_test", "times 2 (a test's own mistake)")
    def doubled(array, seen):
        return array * 2 if array.size >= 2 else None

    try:
        folder = tmp_path / "mine"
        cli("new-course", folder)
        checked = check_course(load(folder), seeds=1, say=lambda text: None)
        outcome = checked.results["mistakes"]["Scale"]["doubled_for_test"]
        assert outcome["caught"] and outcome["verdict"] == "scaled"  # no diagnosis of its own yet: named the problem
        assert any(p["code"] == "misdiagnosed" and p["diagnosis"] == "doubled_for_test" for p in checked.problems)
    finally:
        del MISTAKES["doubled_for_test"]


def test_a_scaffolded_layer_with_parameters_checks_their_gradients_and_a_random_one_reads_its_mask(tmp_path):
    folder = tmp_path / "mine"
    cli("new-course", folder)
    cli("--course", folder, "new-exercise", "norm", "--names", "Norm", "-p", "gamma", "-p", "beta")
    cli("--course", folder, "new-exercise", "drop", "--names", "Drop", "--random")
    norm = (folder / "tests" / "hidden" / "norm.py").read_text(encoding="utf-8")
    assert 'params={"gamma": rng.standard_normal(4), "beta": rng.standard_normal(4)}' in norm
    assert 'read_back=("mask",)' in (folder / "tests" / "public" / "drop.py").read_text(encoding="utf-8")
    assert "def drop(x, mask):" in (folder / "reference.py").read_text(encoding="utf-8")
    assert "self.dgamma = None" in (folder / "solutions" / "norm.py").read_text(encoding="utf-8")


def test_a_batch_refused_for_an_exposed_machine_writes_everyone_not_graded(chapter6, tmp_path, monkeypatch):
    import grader.cli as cli_module

    monkeypatch.setattr(cli_module, "exposure_refusal",
                        lambda *args: ("student code could read the hidden tests here (a planted refusal)", ""))
    submissions = _students(tmp_path, chapter6)
    result = cli("--course", chapter6, "batch", submissions, "--out", tmp_path / "out", expect=2)
    assert "a planted refusal" in result.output
    rows = list(csv.DictReader(open(tmp_path / "out" / "gradebook.csv", encoding="utf-8-sig")))
    assert {row["status"] for row in rows} == {"not_graded"} and len(rows) == 2
    assert all("a planted refusal" in row["message"] for row in rows)
    report = json.loads((tmp_path / "out" / "students" / "right.json").read_text(encoding="utf-8"))
    assert report["status"] == "not_graded" and "a planted refusal" in report["status_message"]
