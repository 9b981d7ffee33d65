"""``grade`` and ``grader`` on the oldest Click that pyproject.toml allows and on the newest (the installed one).

The command line uses only Click's public API (a ``HelpFormatter`` of its own,
``Command`` methods, the ``gettext`` domain Click looks its words up in), so
it must behave the same at both ends of the declared range. The oldest Click
is installed once into a folder of its own (kept in the temporary folder and
reused, like the venv of ``tests/as_user.py``) that goes before the test
venv's packages on ``PYTHONPATH``; the newest is the one installed here (a
fresh ``pip install -e '.[test]'``, as CI does, takes the newest the range
allows; the tests check it is in the range). Every check starts the programs as a user does, through
``grader/cli/launch.py``.
"""
from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader.lang.wrapping import display_width

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "courses" / "backprop" / "solutions"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LAUNCH = "import sys; sys.argv[0] = {name!r}; from grader.cli.launch import {name}; {name}()"
GOLDEN_HELP = ("import json, sys; sys.path.insert(0, 'tests'); import golden_reports as g; "
               "print(json.dumps({k: g.digest(v) for k, v in g.helps().items()}))")


def declared_range() -> tuple[str, str]:
    """The lowest Click pyproject.toml allows, and the first it excludes."""
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    spec = next(d for d in dependencies if re.match(r"click\b", d)).replace(" ", "")
    match = re.fullmatch(r"click>=([\d.]+),<([\d.]+)", spec)
    assert match, f"pyproject.toml should give Click a tested range, click>=LOW,<HIGH, not {spec!r}"
    return match.group(1), match.group(2)


def _release(version: str) -> tuple[int, ...]:
    """``8.1`` and ``8.1.0`` -> ``(8, 1)``."""
    numbers = [int(part) for part in re.match(r"[\d.]*\d", version).group().split(".")]
    while numbers and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


@pytest.fixture(scope="session")
def oldest_click() -> Path:
    """A folder holding only the oldest Click of the range (installed once, then reused)."""
    low, _high = declared_range()
    folder = Path(tempfile.gettempdir()) / f"backprop-grader-click-{low}"
    if not (folder / "ready").exists():
        building = Path(tempfile.mkdtemp(prefix=f"backprop-grader-click-{low}-"))
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(building),
                        f"click=={low}"], check=True, timeout=300)
        (building / "ready").write_text(low)
        shutil.rmtree(folder, ignore_errors=True)
        try:
            building.rename(folder)
        except OSError:  # another test session put it there first
            shutil.rmtree(building, ignore_errors=True)
    return folder


def _environment(click: str, oldest: Path) -> dict:
    env = dict(os.environ, COLUMNS="80")
    if click == "oldest":
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(oldest), env.get("PYTHONPATH")) if p)
    return env


@pytest.fixture(params=["oldest", "installed"])
def run(request, oldest_click):
    """Start ``grade`` or ``grader`` with that Click, once sure it is the Click the program imports."""
    env = _environment(request.param, oldest_click)
    probe = subprocess.run([sys.executable, "-c", "import click, importlib.metadata as m; print(m.version('click'))"],
                           env=env, capture_output=True, text=True, check=True)
    low, high = declared_range()
    version = _release(probe.stdout.strip())
    assert _release(low) <= version < _release(high), probe.stdout
    assert request.param == "installed" or version == _release(low), probe.stdout

    def program(name: str, *args: str, **variables: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", LAUNCH.format(name=name), *args], cwd=ROOT,
                              env=dict(env, **variables), capture_output=True, text=True, timeout=120)

    return program


def _words(text: str) -> str:
    return " ".join(text.split())


def test_help_is_korean_or_english_and_fits_80_columns_without_breaking_a_word(run):
    korean = run("grade", "--lang", "ko", "--help")
    assert korean.returncode == 0, korean.stderr
    lines = korean.stdout.splitlines()
    assert lines[0] == "사용법: grade [OPTIONS] [ASSIGNMENT]..." and "옵션:" in lines
    assert any(line.startswith("  -h, --help ") and line.endswith("이 도움말을 보여 주고 끝냅니다.") for line in lines)
    assert "[기본값: 10.0; x>=0.1]" in _words(korean.stdout)  # Click's "default: {default}", in Korean
    assert max(display_width(line) for line in lines) <= 80
    assert not any(line.endswith("-") for line in lines)
    for word in ("grade-report.json,", "grade-junit.xml,", "grade-report.html에", "--fail-under"):
        assert word in korean.stdout.split(), word
    group = run("grader", "--lang", "ko", "--help")
    assert group.returncode == 0 and "명령:" in group.stdout.splitlines()
    assert max(display_width(line) for line in group.stdout.splitlines()) <= 80
    english = run("grade", "--lang", "en", "--help")
    assert english.stdout.startswith("Usage: grade [OPTIONS] [ASSIGNMENT]...\n") and "\nOptions:\n" in english.stdout
    assert "Show this message and exit." in english.stdout and not HANGUL.search(english.stdout)


def test_usage_errors_are_korean_and_exit_2(run):
    errors = {
        ("grade", "--format", "pdf"): "오류: '--format'의 값이 잘못되었습니다: 'pdf' 값은 'text', 'json', "
                                      "'markdown', 'junit', 'gradescope', 'html' 중 하나가 아닙니다.",
        ("grade", "gatez"): "오류: '[ASSIGNMENT]...'의 값이 잘못되었습니다: 'gatez'는 이 강의의 과제가 아닙니다.",
        ("grade", "--sed", "1"): "옵션은 없습니다. 혹시",
        ("grader", "batch", "."): "오류: 옵션이 빠졌습니다 '--out'.",
    }
    for (program, *args), expected in errors.items():
        result = run(program, "--lang", "ko", *args)
        assert result.returncode == 2 and not result.stdout, (args, result.stderr)
        lines = result.stderr.splitlines()
        assert lines[0].startswith(f"사용법: {program}") and lines[1].startswith(f"'{program}"), lines
        assert lines[1].endswith(" --help' 명령으로 도움말을 볼 수 있습니다."), lines
        assert expected in result.stderr and "Traceback" not in result.stderr, result.stderr
    english = run("grade", "--lang", "en", "--format", "pdf")
    assert english.returncode == 2 and not HANGUL.search(english.stderr)
    assert "Error: Invalid value for '--format': 'pdf' is not one of 'text'" in english.stderr


def test_a_course_taught_in_english_speaks_english_from_the_moment_it_is_read(run, tmp_path):
    """The built-in course speaks Korean; ``--course`` switches to its own language, Click's words included."""
    (tmp_path / "course.toml").write_text('title = "Mini"\nlanguage = "en"\n[[assignment]]\nmodule = "gates.py"\n'
                                          'graded = { MulLayer = 1 }\n')
    unset = {"GRADER_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}
    error = run("grade", "--course", str(tmp_path), "--format", "pdf", **unset)
    assert error.returncode == 2 and not HANGUL.search(error.stderr), error.stderr
    assert "Error: Invalid value for '--format'" in error.stderr
    page = run("grade", "--course", str(tmp_path), "--help", **unset)
    assert page.stdout.startswith("Usage: grade") and "Show this message" in page.stdout
    assert not HANGUL.search(page.stdout)
    korean = run("grade", "--course", str(tmp_path), "--lang", "ko", "--format", "pdf", **unset)
    assert "오류: '--format'의 값이 잘못되었습니다" in korean.stderr
    assert "사용법: grade" in run("grade", "--help", **unset).stdout


def test_exit_statuses_are_the_documented_ones(run, tmp_path):
    graded = run("grade", "gates", "--submission", str(SOLUTIONS), "--format", "json", "--output",
                 str(tmp_path / "full.json"), "--fail-under", "100")
    assert graded.returncode == 0, graded.stderr
    below = run("grade", "gates", "--submission", "assignments", "--format", "json", "--output",
                str(tmp_path / "stubs.json"), "--fail-under", "50", "--lang", "ko")
    assert below.returncode == 1 and "--fail-under" in below.stderr and HANGUL.search(below.stderr)
    assert json.loads((tmp_path / "stubs.json").read_text())["score"] == 0
    assert run("grade", "--submission", "no/such/folder").returncode == 2
    assert run("grader", "probe", "--help").returncode == 0


def test_the_oldest_click_shows_the_golden_help_pages(oldest_click):
    """Every command's ``--help`` in both languages, byte for byte what the golden set holds (made with the
    newest Click): the help pages are laid out by the grader, not by the Click installed."""
    expected = json.loads((ROOT / "tests" / "golden" / "digests.json").read_text())
    found = subprocess.run([sys.executable, "-c", GOLDEN_HELP], cwd=ROOT, capture_output=True, text=True,
                           env=_environment("oldest", oldest_click), timeout=120, check=True)
    digests = json.loads(found.stdout.splitlines()[-1])
    golden = {name: digest for name, digest in expected.items() if name.startswith("help/")}
    assert len(golden) >= 14 and digests == golden


def test_a_run_leaves_click_and_gettext_as_it_found_them():
    """Nothing of Click's modules is replaced, and its words are the grader's only while a command runs."""
    import gettext

    from click.testing import CliRunner

    from grader.cli import grade, grader

    def click_state():
        return {(name, attribute): id(value) for name, module in sorted(sys.modules.items())
                if name == "click" or name.startswith("click.") for attribute, value in vars(module).items()}

    CliRunner().invoke(grade, ["--lang", "ko", "--help"])  # every Click module a run imports is imported
    before, domain, variable = click_state(), gettext.textdomain(), os.environ.get("LANGUAGE")
    runs = {("ko", "batch", "--help"): "사용법: grader batch", ("ko", "batch"): "오류: 인자가 빠졌습니다",
            ("en", "batch"): "Error: Missing argument"}
    for (language, *args), expected in runs.items():
        result = CliRunner().invoke(grader, ["--lang", language, *args])
        assert expected in result.output, result.output
    assert click_state() == before
    assert gettext.textdomain() == domain != "grader" and os.environ.get("LANGUAGE") == variable


def test_the_grader_imports_no_private_click_name_and_assigns_nothing_to_click():
    found = []
    for path in sorted((ROOT / "grader").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "click":
                names = node.module.split(".") + [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [part for alias in node.names if alias.name.startswith("click") for part in alias.name.split(".")]
            elif isinstance(node, ast.Attribute) and _rooted_at_click(node):
                names = [node.attr] + (["<assigned>"] if isinstance(node.ctx, ast.Store) else [])
            else:
                continue
            if any(_private(name) or name == "<assigned>" for name in names):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, found


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))  # __file__ is public


def _rooted_at_click(node: ast.Attribute) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id == "click"
