"""The first hour on a fresh machine: one install gives every format and command, the test set-up installs
what the tests need from Debian (never a browser download), and CI runs the portable tests on Windows and macOS."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
EXTRA = re.compile(r"(?:backprop-grader|\.)\[([a-z0-9_,-]+)\]")


def test_jinja2_and_nbformat_are_plain_dependencies():
    names = {re.split(r"[<>=;\[ ]", d)[0].lower() for d in PROJECT["dependencies"]}
    assert {"jinja2", "nbformat", "numpy", "click"} <= names


def test_no_command_message_or_promise_names_an_extra_that_does_not_exist():
    extras = set(PROJECT["optional-dependencies"])
    places = [ROOT / "README.md", ROOT / ".ci" / "run", *(ROOT / "docs").glob("*.md"), *(ROOT / "grader").rglob("*.py")]
    named = {(path.relative_to(ROOT).as_posix(), extra) for path in places
             for group in EXTRA.findall(path.read_text(encoding="utf-8")) for extra in group.split(",")}
    assert {(where, extra) for where, extra in named if extra not in extras} == set()


def test_ci_installs_debians_chromium_and_a_korean_font_and_never_downloads_a_browser():
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "missing+=(chromium)" in run and "missing+=(fonts-nanum)" in run and "fc-list :lang=ko" in run
    assert re.search(r"apt-get install -y -qq \"\$\{missing\[@\]\}\"", run)
    assert "playwright install" not in run
    assert subprocess.run(["bash", "-n", str(ROOT / ".ci" / "run")]).returncode == 0
    assert subprocess.run(["bash", "-n", str(ROOT / "benchmarks" / "fresh_machine.sh")]).returncode == 0


def test_plain_grade_through_its_entry_point_loads_no_template_notebook_or_browser_library(tmp_path):
    code = "import sys; sys.argv = ['grade', '--submission', sys.argv[1]]; from grader.cli.launch import grade; grade()"
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", code, str(ROOT / "assignments")],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert "grader" in imported and "numpy" in imported
    assert not imported & {"jinja2", "markupsafe", "nbformat", "playwright", "PIL", "IPython"}


def workflow() -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / "platforms.yml").read_text(encoding="utf-8"))


def test_the_ci_workflow_runs_the_portable_tests_on_windows_and_macos():
    flow = workflow()
    assert {"push", "pull_request"} <= set(flow[True])  # YAML 1.1 reads the key "on" as true
    (job,) = flow["jobs"].values()
    assert set(job["strategy"]["matrix"]["os"]) == {"windows-latest", "macos-latest"}
    assert min(job["strategy"]["matrix"]["python"], key=lambda v: tuple(map(int, v.split(".")))) == \
        PROJECT["requires-python"].lstrip(">=")
    runs = [step.get("run", "") for step in job["steps"]]
    assert 'python -m pip install -e ".[test]"' in runs and "python -m pytest -m portable" in runs
    assert any(r.startswith("grade --submission courses/backprop/solutions") and "--fail-under 100" in r for r in runs)
    for step in job["steps"]:
        assert set(step) <= {"name", "uses", "with", "run", "env"}, step
        assert "uses" not in step or re.fullmatch(r"actions/[a-z-]+@v\d+", step["uses"]), step
    expressions = re.findall(r"\$\{\{\s*([^}]*?)\s*\}\}", (ROOT / ".github" / "workflows" / "platforms.yml").read_text())
    assert set(expressions) <= {"matrix.os", "matrix.python"}


@pytest.mark.parametrize("module", ["test_portable.py", "test_console.py"])
def test_the_portable_subset_holds_the_windows_and_macos_tests(module):
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "portable", module],
                            cwd=ROOT / "tests", capture_output=True, text=True, timeout=120)
    counted = re.search(rf"{module}: (\d+)", result.stdout)
    assert result.returncode == 0 and counted and int(counted.group(1)) >= 3, result.stdout[-2000:]
