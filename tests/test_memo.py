"""Expected values remembered across a batch's students never stand for another computation."""
import csv
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from builtin_course import ASSIGNMENT_OF, ASSIGNMENTS, MUTANTS, SOLUTIONS, write_mutant
import grader.judge.memo as memo
from grader.cli import grader

HERE = Path(__file__).parent


@pytest.fixture
def remembering():
    memo.remember_across_submissions()
    yield
    memo.remember_across_submissions(False)


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self, f, x):
        self.calls += 1
        return np.array([f(x)])


def weighted_sum(weights):
    return lambda v: float(np.sum(v * weights))  # a new function at each call, as a test's lambdas are


def test_the_same_function_at_the_same_point_is_computed_once(remembering):
    count = Counter()
    first = memo.remembered(count, weighted_sum(np.arange(3.0)), np.ones(3))
    again = memo.remembered(count, weighted_sum(np.arange(3.0)), np.ones(3))  # equal closure, equal point
    assert count.calls == 1 and first[0] == again[0] == 3.0
    again[0] = 99.0  # each caller gets its own copy
    assert memo.remembered(count, weighted_sum(np.arange(3.0)), np.ones(3))[0] == 3.0


def test_a_different_point_closure_value_or_argument_is_computed_again(remembering):
    count, weights = Counter(), np.arange(3.0)

    def f(v, scale=1.0):
        return float(np.sum(v * weights) * scale)

    memo.remembered(count, f, np.ones(3))
    memo.remembered(count, f, np.ones(3) * 2)  # another point
    weights[0] = 5.0  # the closure's array changed in place
    memo.remembered(count, f, np.ones(3))
    memo.remembered(count, lambda v, scale=2.0: f(v, scale), np.ones(3))  # another default
    memo.remembered(count, f, np.ones(3, dtype=np.float32))  # same values, another dtype
    assert count.calls == 5


def test_a_function_holding_an_object_is_never_remembered(remembering):
    class Student:
        def forward(self, v):
            return float(np.sum(v))

    count, layer = Counter(), Student()
    for _ in range(3):
        memo.remembered(count, lambda v: layer.forward(v), np.ones(2))
    assert count.calls == 3


def test_nothing_is_remembered_outside_a_batch():
    count = Counter()
    for _ in range(2):
        memo.remembered(count, lambda v: float(np.sum(v)), np.ones(2))
    assert count.calls == 2


def test_one_worker_grading_a_correct_student_then_every_mutant_gives_each_its_own_verdict(tmp_path):
    classroom = tmp_path / "class"
    for name in ("a-correct", *(f"{m.name}-{m.mistake}" for m in MUTANTS), "z-correct"):
        folder = classroom / name
        folder.mkdir(parents=True)
        for module in ASSIGNMENTS:
            shutil.copy(SOLUTIONS / f"{module}.py", folder)
    for mutant in MUTANTS:
        write_mutant(classroom / f"{mutant.name}-{mutant.mistake}", mutant)
    out = tmp_path / "out"
    result = CliRunner().invoke(grader, ["batch", str(classroom), "--out", str(out), "--jobs", "1", "--seed", "5"])
    assert result.exit_code == 0, result.output
    with open(out / "gradebook.csv", newline="", encoding="utf-8-sig") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert rows["a-correct"]["percent"] == rows["z-correct"]["percent"] == "100.0"
    for mutant in MUTANTS:
        row, assignment = rows[f"{mutant.name}-{mutant.mistake}"], ASSIGNMENT_OF[mutant.name]
        assert float(row[assignment]) < float(rows["a-correct"][assignment]), (mutant, row)
        assert all(row[other] == rows["a-correct"][other] for other in ASSIGNMENTS if other != assignment), (mutant, row)
