"""The tests that check code the stubs provide (every ``forward``) accept the book's way of writing it.

``docs/instructors.md`` lists them ("Tests of the code the stubs provide");
here the list is kept true: a provided ``forward`` whose output is changed
fails exactly the listed tests, the book's own code (with the book's
``log(y + 1e-7)`` cross-entropies) passes them, and the stubs score 0 on
each.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from corpus.habits import book_sigmoid_loss

from grader.judge.engine import grade_submission

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "courses" / "backprop" / "solutions"
DOCUMENTED = set(re.findall(r"^\| `(\w+/\w+/\w+)` \|", (ROOT / "docs" / "instructors.md").read_text(encoding="utf-8"),
                            flags=re.M))
SEED = 5


def graded(folder: Path, assignments=None) -> dict[str, dict]:
    report = grade_submission(folder, assignments=assignments, seed=SEED, in_process=True)
    return {test["name"]: test for test in report["tests"]}


def provided_forwards() -> list[tuple[str, str]]:
    """``(assignment, class)`` for every graded class of the solutions: each has a provided forward."""
    return [(path.stem, name) for path in sorted(SOLUTIONS.glob("*.py"))
            for name in re.findall(r"^class (\w+)", path.read_text(encoding="utf-8"), flags=re.M)]


@pytest.mark.parametrize("assignment,name", provided_forwards())
def test_a_provided_forward_whose_output_changes_fails_only_listed_tests(assignment, name, tmp_path):
    text = (SOLUTIONS / f"{assignment}.py").read_text(encoding="utf-8")
    text += (f"\n\n_provided = {name}.forward\n"
             f"{name}.forward = lambda self, *args, **kwargs: _provided(self, *args, **kwargs) + 1\n")
    (tmp_path / f"{assignment}.py").write_text(text, encoding="utf-8")
    failed = {test for test, result in graded(tmp_path, [assignment]).items() if result["status"] != "passed"}
    mine = {test for test in DOCUMENTED if test.startswith(f"{assignment}/{name}/")}
    assert failed == mine


def test_the_list_names_every_class_with_a_provided_forward_and_only_real_tests():
    assert {tuple(test.split("/")[:2]) for test in DOCUMENTED} == set(provided_forwards())
    everything = graded(SOLUTIONS)
    assert DOCUMENTED <= set(everything) and all(everything[test]["status"] == "passed" for test in DOCUMENTED)


def test_the_books_own_forwards_pass_every_listed_test(tmp_path):
    """The book's code for every layer, and SigmoidWithLoss.forward as the book would write it (delta = 1e-7)."""
    book = tmp_path / "book"
    shutil.copytree(ROOT / "tests" / "submissions" / "book", book)
    book_sigmoid_loss(book)
    assert "np.log(self.y + delta)" in (book / "learning.py").read_text()
    results = graded(book)
    assert {test: results[test]["message"][:200] for test in DOCUMENTED if results[test]["status"] != "passed"} == {}


def test_each_listed_test_scores_zero_on_the_stubs():
    results = graded(ROOT / "assignments")
    assert {test: results[test]["score"] for test in DOCUMENTED} == dict.fromkeys(DOCUMENTED, 0.0)
