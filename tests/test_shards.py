"""``grader batch --shard I/N`` and ``grader merge``: one class graded as N jobs, joined into the files of one batch."""
import json
import shutil
import subprocess
import unicodedata

import pytest

from class_runs import batch, class_files, grader, mixed_class, shard_record, solutions, start_batch
import grader.platforms.shards as shards
from grader.platforms.shards import Shard, ShardError, parse_shard, shard_from, shard_of

SEED = "7"
N = 4


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The mixed class graded once whole, and as 4 shards run as 4 separate processes at once."""
    root = tmp_path_factory.mktemp("sharded")
    submissions = mixed_class(root / "submissions")
    jobs = [start_batch(submissions, root / f"shard{i}", "--seed", SEED, "--shard", f"{i}/{N}") for i in range(1, N + 1)]
    for job in jobs:
        out, err = job.communicate(timeout=600)
        assert job.returncode == 0, err
    batch(submissions, root / "whole", "--seed", SEED)
    return root, submissions


def test_four_shards_merged_write_the_files_of_one_unsharded_batch(graded, tmp_path):
    root, _ = graded
    merged = grader("merge", *(root / f"shard{i}" for i in range(1, N + 1)), "--out", tmp_path / "merged")
    assert "Gradebook written" in merged.stdout
    whole, joined = class_files(root / "whole"), class_files(tmp_path / "merged")
    assert sorted(joined) == sorted(whole)
    for name in ("gradebook.csv", "class-report.csv", "class-report.html"):
        assert joined[name] == whole[name], name
    assert {k: v for k, v in joined.items() if k.startswith("students/")} == \
        {k: v for k, v in whole.items() if k.startswith("students/")}


def test_every_student_is_in_exactly_one_shard_and_each_shard_records_the_whole_roster(graded):
    root, submissions = graded
    records = [shard_record(root / f"shard{i}") for i in range(1, N + 1)]
    roster = records[0]["roster"]
    assert len(roster) == len(list(submissions.iterdir()))
    assert all(r["roster"] == roster and r["shard"] == {"index": i, "count": N} and r["seed"] == int(SEED)
               for i, r in enumerate(records, start=1))
    owned = sorted(name for r in records for name in r["students"])
    assert owned == sorted(roster)
    for record in records:
        assert all(shard_of(name, N) == record["shard"]["index"] for name in record["students"])
    for i in range(1, N + 1):  # a shard writes no class files, and leaves no space reserved for them
        assert {p.name for p in (root / f"shard{i}").iterdir()} == {".batch", "students", "shard.json"}


def test_a_merged_class_is_kept_so_a_later_batch_of_the_whole_class_grades_no_one(graded, tmp_path):
    root, submissions = graded
    grader("merge", *(root / f"shard{i}" for i in range(1, N + 1)), "--out", tmp_path / "merged")
    again = batch(submissions, tmp_path / "merged", "--seed", SEED)
    assert "Grading 0 submissions" in again.stderr


def test_adding_a_student_moves_no_other_students_shard(tmp_path):
    names = [f"student{i:04d}" for i in range(400)] + ["김민수", "Zoë", "O'Brien"]
    before = {name: shard_of(name, N) for name in names}
    added = names + [f"late{i}" for i in range(50)]
    after = {name: shard_of(name, N) for name in sorted(added, reverse=True)}
    assert all(after[name] == shard for name, shard in before.items())
    assert set(before.values()) == set(range(1, N + 1))  # every shard gets students


def test_a_name_is_in_the_same_shard_whether_written_composed_or_decomposed():
    composed = "김민수"
    assert shard_of(unicodedata.normalize("NFD", composed), 7) == shard_of(composed, 7)


def test_a_late_student_lands_in_one_shard_and_the_others_keep_theirs(graded, tmp_path):
    root, submissions = graded
    late = tmp_path / "submissions"
    shutil.copytree(submissions, late)
    solutions(late / "zed")
    index = shard_of("zed", N)
    done = batch(late, tmp_path / "late", "--seed", SEED, "--shard", f"{index}/{N}")
    record = shard_record(tmp_path / "late")
    assert record["students"] == sorted(shard_record(root / f"shard{index}")["students"] + ["zed"])
    assert "zed" in record["roster"] and "Grading" in done.stderr


@pytest.mark.parametrize("variable, environ, base, count, expected", [
    ("JOB_COMPLETION_INDEX", {"JOB_COMPLETION_INDEX": "0"}, None, 4, Shard(1, 4)),
    ("JOB_COMPLETION_INDEX", {"JOB_COMPLETION_INDEX": "3"}, None, 4, Shard(4, 4)),
    ("CI_NODE_INDEX", {"CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "3"}, None, None, Shard(1, 3)),
    ("CI_NODE_INDEX", {"CI_NODE_INDEX": "3", "CI_NODE_TOTAL": "3"}, None, None, Shard(3, 3)),
    ("SLURM_ARRAY_TASK_ID", {"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "5",
                             "SLURM_ARRAY_TASK_MIN": "1"}, 1, None, Shard(5, 5)),
    ("SLURM_ARRAY_TASK_ID", {"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "2"}, 0, None, Shard(1, 2)),
    ("SHARD", {"SHARD": "2"}, 1, 2, Shard(2, 2)),
])
def test_each_job_engine_numbers_its_jobs_its_own_way(variable, environ, base, count, expected):
    assert shard_from(variable, environ, base, count) == expected


@pytest.mark.parametrize("variable, environ, base, count, says", [
    ("JOB_COMPLETION_INDEX", {"JOB_COMPLETION_INDEX": "0"}, None, None, "--shard-count"),
    ("JOB_COMPLETION_INDEX", {"JOB_COMPLETION_INDEX": "4"}, None, 4, "outside the 4 jobs"),
    ("JOB_COMPLETION_INDEX", {}, None, 4, "is not set"),
    ("JOB_COMPLETION_INDEX", {"JOB_COMPLETION_INDEX": "two"}, None, 4, "not a whole number"),
    ("SLURM_ARRAY_TASK_ID", {"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "2"}, None, None, "--shard-base"),
    ("SLURM_ARRAY_TASK_ID", {"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "2",
                             "SLURM_ARRAY_TASK_MIN": "0"}, 1, None, "starts at 0"),
    ("CI_NODE_INDEX", {"CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "3"}, None, 4, "CI_NODE_TOTAL=3"),
    ("CI_NODE_INDEX", {"CI_NODE_INDEX": "0", "CI_NODE_TOTAL": "3"}, None, None, "outside the 3 jobs"),
])
def test_a_shard_that_cannot_be_known_says_what_to_give(variable, environ, base, count, says):
    with pytest.raises(ShardError, match=says):
        shard_from(variable, environ, base, count)


@pytest.mark.parametrize("text", ["2", "0/4", "5/4", "a/b", "1/0", "-1/4"])
def test_a_malformed_shard_is_refused(text):
    with pytest.raises(ShardError):
        parse_shard(text)


@pytest.mark.parametrize("extra, says", [
    (["--shard", "1/2"], "--seed"),
    (["--shard", "3/2", "--seed", "1"], "between 1 and N"),
    (["--shard", "1/2", "--shard-from", "X", "--seed", "1"], "not both"),
    (["--shard-count", "2", "--seed", "1"], "go with --shard-from"),
    (["--shard-from", "JOB_COMPLETION_INDEX", "--seed", "1"], "not set"),
])
def test_bad_shard_options_are_usage_errors(tmp_path, extra, says):
    solutions(tmp_path / "class" / "alice")
    done = batch(tmp_path / "class", tmp_path / "out", *extra, check=False)
    assert done.returncode == 2 and says in done.stderr, done.stderr
    assert not (tmp_path / "out" / "students").exists()


def test_the_shard_comes_from_the_engines_variable(graded, tmp_path):
    root, submissions = graded
    env = {**__import__("os").environ, "CI_NODE_INDEX": "2", "CI_NODE_TOTAL": str(N)}
    batch(submissions, tmp_path / "node2", "--seed", SEED, "--shard-from", "CI_NODE_INDEX", env=env)
    assert shard_record(tmp_path / "node2")["students"] == shard_record(root / "shard2")["students"]


# --- refused merges ------------------------------------------------------------------------------------------------

def _shards(root, tmp_path, edit=None, which=2):
    """Copies of the 4 shard folders; ``edit(record)`` changes shard ``which``'s record."""
    folders = []
    for i in range(1, N + 1):
        folder = tmp_path / f"shard{i}"
        shutil.copytree(root / f"shard{i}", folder)
        if edit and i == which:
            record = shard_record(folder)
            edit(record)
            (folder / shards.RECORD).write_text(json.dumps(record), encoding="utf-8")
        folders.append(folder)
    return folders


def _refused(folders, out, says):
    done = grader("merge", *folders, "--out", out, check=False)
    assert done.returncode == 2 and says in done.stderr, done.stderr
    assert not (out / "gradebook.csv").exists()


@pytest.mark.parametrize("edit, says", [
    (lambda r: r.update(seed=8), "seed"),
    (lambda r: r["settings"].update(course="another"), "different courses"),
    (lambda r: r["settings"].update(grader="another"), "different builds of the grader"),
    (lambda r: r["settings"].update(lang="ko"), "different settings (lang)"),
    (lambda r: r["shard"].update(count=5), "same N"),
    (lambda r: r["roster"].append("mallory"), "different classes (mallory"),
])
def test_a_merge_of_shards_graded_differently_is_refused(graded, tmp_path, edit, says):
    _refused(_shards(graded[0], tmp_path, edit), tmp_path / "merged", says)


def test_a_merge_with_a_shard_missing_is_refused(graded, tmp_path):
    _refused(_shards(graded[0], tmp_path)[:-1], tmp_path / "merged", f"shards {N} of {N} are missing")


def test_a_merge_with_a_shard_given_twice_is_refused(graded, tmp_path):
    folders = _shards(graded[0], tmp_path)
    _refused([*folders, folders[0]], tmp_path / "merged", "given twice")


def test_a_merge_with_an_unfinished_shard_is_refused(graded, tmp_path):
    folders = _shards(graded[0], tmp_path)
    (folders[1] / shards.RECORD).unlink()
    _refused(folders, tmp_path / "merged", "not a finished shard")


def test_a_merge_with_a_student_in_two_shards_or_in_none_is_refused(graded, tmp_path):
    root = graded[0]
    owned = {i: shard_record(root / f"shard{i}")["students"] for i in range(1, N + 1)}
    which = next(i for i, names in owned.items() if names)
    stolen = next(name for i, names in owned.items() if i != which for name in names)
    twice = _shards(root, tmp_path / "twice", lambda r: r["students"].append(stolen), which)
    _refused(twice, tmp_path / "a", "graded in two shards")
    lost = _shards(root, tmp_path / "lost", lambda r: r["students"].pop(), which)
    _refused(lost, tmp_path / "b", "the shards do not hold the class")
