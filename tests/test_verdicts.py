"""The grader's verdicts: correct submissions get full marks on every seed, and
each known student mistake costs points on its own layer and nowhere else."""
import re
from pathlib import Path

import pytest

from grader.judge.engine import grade_submission
from builtin_course import MUTANTS, SOLUTIONS, mutant_submission

HERE = Path(__file__).parent
VARIANTS = sorted(p for p in (HERE / "submissions").iterdir() if p.is_dir())
SEED = 20240917
ARRAY_NAMES = re.compile(r"\b(out|loss|dx|dy|dW|db|x)\b")


def grade(path, seed=SEED):
    report = grade_submission(path, suite="all", seed=seed)
    assert report["seed"] == seed
    assert report["tests"], "the report lists no tests"
    return report


def describe(tests):
    return "\n".join(f"{t['name']}: {t['status']} {t['score']}/{t['max_score']} {t['message']}" for t in tests)


def assert_no_points_lost(tests):
    lost = [t for t in tests if t["score"] != t["max_score"]]
    assert not lost, describe(lost)


def assert_full_marks(report):
    assert_no_points_lost(report["tests"])
    assert report["score"] == report["max_score"]
    diagnosed = [t for t in report["tests"] if t.get("diagnosis") is not None]
    assert not diagnosed, describe(diagnosed)


@pytest.fixture(scope="module")
def mutant_report(tmp_path_factory):
    """Grades each mutant once, however many tests look at its report."""
    reports = {}

    def report_for(mutant):
        if mutant not in reports:
            folder = tmp_path_factory.mktemp(f"{mutant.name}_{mutant.mistake}")
            reports[mutant] = grade(mutant_submission(folder, mutant))
        return reports[mutant]

    return report_for


@pytest.mark.parametrize("seed", range(50))
def test_reference_solutions_score_full_marks_on_every_seed(seed):
    assert_full_marks(grade(SOLUTIONS, seed))


@pytest.mark.parametrize("seed", [0, 7, SEED])
@pytest.mark.parametrize("variant", VARIANTS, ids=lambda p: p.name)
def test_correct_alternative_submission_scores_full_marks(variant, seed):
    assert_full_marks(grade(variant, seed))


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.id)
def test_mutant_loses_points_on_its_own_layer_only(mutant_report, mutant):
    layer = mutant.name
    report = mutant_report(mutant)
    own = [t for t in report["tests"] if t["layer"] == layer]
    others = [t for t in report["tests"] if t["layer"] != layer]

    assert own, f"no tests for {layer}"
    assert sum(t["score"] for t in own) < sum(t["max_score"] for t in own), \
        f"{mutant.id} not caught:\n{describe(own)}"
    assert_no_points_lost(others)


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.id)
def test_failed_test_message_names_the_layer_or_array(mutant_report, mutant):
    layer = mutant.name
    for test in mutant_report(mutant)["tests"]:
        if test["status"] == "passed":
            continue
        message = test["message"] or ""
        assert message.strip(), f"{test['name']} failed with an empty message"
        assert layer in message or ARRAY_NAMES.search(message), f"{test['name']}: {message!r}"
