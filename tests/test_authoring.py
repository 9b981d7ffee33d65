"""docs/authoring.md stays true: its commands run in order, its files are written where it says, and the course
it builds passes its check, releases, bundles and grades a class."""
import csv
import re
import shlex
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import grader

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "authoring.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks() -> list[tuple[str, str]]:
    return BLOCK.findall(GUIDE.read_text(encoding="utf-8"))


def _write(block: str) -> None:
    """A file block: ``# file: PATH`` (the whole file), ``# append: PATH``, ``# replace: PATH MARKER`` (from the
    line that starts with MARKER to the end)."""
    first, body = block.split("\n", 1)
    how, target = first[2:].split(": ", 1)
    if how == "file":
        Path(target).write_text(body, encoding="utf-8")
    elif how == "append":
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(body)
    else:
        path, marker = target.split(" ", 1)
        text = Path(path).read_text(encoding="utf-8")
        Path(path).write_text(text[:text.index("\n" + marker) + 1] + body, encoding="utf-8")


def _submissions() -> None:
    """The class the guide's batch grades: one student hands in the solutions, one the release's stubs."""
    for student, source in (("right", Path("mine/solutions")), ("stub", Path("handout") / "assignments")):
        folder = Path("submissions") / student
        folder.mkdir(parents=True)
        for module in ("scale.py", "regularization.py", "normalization.py"):
            (folder / module).write_bytes((source / module).read_bytes())


def _forget_the_course() -> None:
    """Each command of the guide is a process of its own: none sees the course modules an earlier one imported."""
    for name in [n for n in sys.modules if n == "course" or n.startswith("course.")]:
        del sys.modules[name]


@pytest.fixture
def in_scratch(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path


def test_the_guide_has_commands_files_and_examples():
    kinds = [kind for kind, _ in blocks()]
    assert kinds.count("sh") >= 5 and kinds.count("python") >= 7 and "toml" in kinds


def test_the_authors_guide_runs_from_new_course_to_a_graded_class(in_scratch):
    outputs = []
    for kind, block in blocks():
        if kind == "sh":
            for line in block.splitlines():
                args = shlex.split(line)
                if "batch" in args:
                    _submissions()
                _forget_the_course()
                result = CliRunner().invoke(grader, args[1:])
                assert result.exit_code == 0, (line, result.output, result.exception)
                outputs.append(result.output)
        elif block.startswith(("# file: ", "# append: ", "# replace: ")):
            _write(block)
        else:
            compile(block, "docs/authoring.md", "exec")  # an example shown, not run: it must at least be Python
    checked = next(o for o in reversed(outputs) if "mutation analysis" in o and "Dropout" in o)
    for name in ("Dropout", "BatchNormalization"):
        made, caught, right = re.search(rf"{name}\s+(\d+)\s+(\d+)\s+(\d+)", checked).groups()
        assert int(made) >= 15 and made == caught == right, checked
    assert 'hints_off = ["border_only"]' in Path("mine/course.toml").read_text(encoding="utf-8")
    assert Path("autograder.zip").is_file() and Path("handout/README.md").is_file() and Path("handout/assignments/regularization.ipynb").is_file()
    rows = {r["student"]: r for r in csv.DictReader(open("graded/gradebook.csv", encoding="utf-8-sig"))}
    assert float(rows["right"]["score"]) == float(rows["right"]["max_score"]) == 30
    assert float(rows["stub"]["score"]) == 0
