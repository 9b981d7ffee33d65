"""The course file drives everything: the engine names no assignment or layer; tables and totals follow the file."""
import ast
import importlib
import re
from pathlib import Path

import pytest

from builtin_course import COURSE
import grader.judge.course as courses
from grader.platforms.release.classroom import assignment_table

ROOT = Path(__file__).resolve().parents[1]


def _code_words(tree: ast.AST):
    """``(line, text)`` of every name and string of the code, docstrings left out (they may give examples)."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            yield node.lineno, node.id
        elif isinstance(node, ast.Attribute):
            yield node.lineno, node.attr
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_the_engine_code_names_no_assignment_and_no_layer():
    """Names the engine defines for itself (its own ``numerical_gradient`` tool) are not the course's."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in (ROOT / "grader").rglob("*.py")}
    own = {node.name for tree in trees.values() for node in ast.walk(tree)
           if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    names = (set(COURSE.names) | {g for a in COURSE.assignments for g in a.graded}) - own
    pattern = re.compile(r"\b(" + "|".join(sorted(names)) + r")\b")
    offenders = []
    for path in sorted((ROOT / "grader").rglob("*")):
        if path.suffix == ".py":
            for lineno, text in _code_words(trees[path]):
                if pattern.search(text):
                    offenders.append(f"{path.relative_to(ROOT)}:{lineno}: {text[:80]!r}")
        elif path.suffix in (".yml", ".sh") and pattern.search(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(ROOT)}")
    assert not offenders, "\n".join(offenders)


def test_readme_table_is_the_course_file():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- course table:", 1)[1].split("-->", 1)[1].split("<!-- end of course table -->")[0]
    assert table.strip() == assignment_table(COURSE.assignments)


def test_course_file_errors_name_the_file_and_the_entry(tmp_path):
    (tmp_path / "course.toml").write_text('title = "x"\n[[assignment]]\nmodule = "gates"\ngraded = { A = 1 }\n')
    with pytest.raises(courses.CourseError, match=r"course.toml: assignment 1: module must be a Python file"):
        courses.load(tmp_path)
    (tmp_path / "course.toml").write_text('[[assignment]]\nmodule = "a.py"\ngraded = { A = 1 }\n'
                                          '[[assignment]]\nmodule = "b.py"\ngraded = { A = 2 }\n')
    with pytest.raises(courses.CourseError, match="'A' appears twice"):
        courses.load(tmp_path)
    (tmp_path / "course.toml").write_text("title = [")
    with pytest.raises(courses.CourseError, match="not valid TOML"):
        courses.load(tmp_path)
    (tmp_path / "course.toml").write_text('[[assignment]]\nmodule = "a.py"\ngraded = {}\n')
    with pytest.raises(courses.CourseError, match=r"e\.g\. graded = \{ Dense = 10 \}$"):  # braces shown once
        courses.load(tmp_path)


def test_course_file_errors_speak_the_chosen_language(tmp_path, monkeypatch):
    import grader.lang as i18n

    (tmp_path / "course.toml").write_text('[[assignment]]\nmodule = "gates"\ngraded = { A = 1 }\n')
    monkeypatch.setenv("GRADER_LANG", "ko")
    i18n.set_language(None)
    try:
        with pytest.raises(courses.CourseError, match=r"course.toml: 1번째 과제: module은 \"layers.py\" 같은"):
            courses.load(tmp_path)
    finally:
        monkeypatch.setenv("GRADER_LANG", "en")
        i18n.set_language(None)


def test_a_weekly_course_file_round_trips(tmp_path):
    week = COURSE.select(["gates"])
    (tmp_path / "course.toml").write_text(courses.to_toml(COURSE, week), encoding="utf-8")
    copy = courses.load(tmp_path)
    assert copy.assignments == week and copy.title == COURSE.title and copy.language == COURSE.language == "ko"
    assert copy.max_score == week[0].max_score


def test_a_weekly_release_holds_and_grades_only_its_assignments(tmp_path):
    yaml = importlib.import_module("yaml")
    from grader.platforms.release import release_student

    out = release_student(tmp_path / "week1", COURSE, ["gates"])
    assert sorted(p.name for p in (out / "assignments").iterdir()) == ["gates.ipynb", "gates.py"]
    workflow = yaml.safe_load((out / ".github" / "workflows" / "classroom.yml").read_text())
    steps = [s["with"] for s in workflow["jobs"]["grade"]["steps"]
             if s.get("uses", "").startswith("classroom-resources/autograding-command-grader")]
    assert [(s["test-name"], s["max-score"]) for s in steps] == [("gates", 20)]
    readme = (out / "README.md").read_text()
    assert "| `gates.py` | `MulLayer`, `AddLayer` | 20 |" in readme and "activations.py`" not in readme
    # in the course's language: the course's introduction and errata come from its catalogue
    assert "밑바닥부터 시작하는 딥러닝" in readme and "## 강의 문서의 오류" in readme
    shipped = courses.load(out / "courses" / "backprop")
    assert shipped.names == ("gates",) and shipped.release_folder == (out / "assignments").resolve()
    assert sorted(p.name for p in (out / "courses" / "backprop" / "tests" / "public").glob("*.py")) == \
        ["__init__.py", "gates.py"]


def test_new_exercise_refuses_what_exists_and_writes_a_course_that_still_reads(tmp_path):
    from builtin_course import copy_course
    from grader.platforms.scaffold import ScaffoldError, new_exercise

    course = copy_course(tmp_path)
    with pytest.raises(ScaffoldError, match="already has an assignment gates"):
        new_exercise(course, "gates", ["Gate"])
    with pytest.raises(ScaffoldError, match="Relu is already graded"):
        new_exercise(course, "extra", ["Relu"])
    written = new_exercise(course, "norms", ["BatchNorm", "l2_norm"], points=10)
    changed = courses.load(course.root)
    assert changed.names[-1] == "norms" and changed.assignment("norms").points == {"BatchNorm": 5, "l2_norm": 5}
    assert all(path.is_file() for path in written)
    stub = (course.solutions / "norms.py").read_text()
    assert "class BatchNorm" in stub and "def l2_norm(x)" in stub and "### BEGIN SOLUTION" in stub
    from grader.platforms.release import build_assignments

    released = build_assignments(changed, ["norms"])  # the markers and the notebook text are valid as written
    assert set(released) == {"norms.py", "norms.ipynb"}
    for visibility in ("public", "hidden"):
        compile((course.tests / visibility / "norms.py").read_text(), "norms.py", "exec")
    with pytest.raises(ScaffoldError, match="exists already"):
        (course.root / "course.toml").write_text((course.root / "course.toml").read_text().split("\n[[assignment]]\nmodule = \"norms.py\"")[0])
        new_exercise(courses.load(course.root), "norms", ["BatchNorm"])
