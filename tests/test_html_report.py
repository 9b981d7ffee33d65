"""The student's HTML report: one self-contained file, the text report's content, a
picture per failed array check; Jinja2 is loaded only when HTML is asked for."""
import importlib
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import markupsafe
import numpy as np
import pytest
from click.testing import CliRunner

from builtin_course import SOLUTIONS, write_mutant
from grader.cli import grade
from grader.judge.engine import grade_submission
from grader.reports import html, pictures, render

HERE = Path(__file__).parent
ROOT = HERE.parent
HEAVY = ("jinja2", "markupsafe", "matplotlib", "PIL", "playwright")


@pytest.fixture(scope="module")
def buggy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("buggy")
    for module in SOLUTIONS.glob("*.py"):
        shutil.copy(module, folder)
    write_mutant(folder, "Convolution/pad_not_removed")
    write_mutant(folder, "Affine/db_mean")
    source = (folder / "activations.py").read_text()
    sigmoid_gradient = "dx = dout * (1.0 - self.out) * self.out"
    (folder / "activations.py").write_text(source.replace(
        sigmoid_gradient, "print('<script>alert(1)</script>'); " + sigmoid_gradient + " * 2"))
    return folder


def test_plain_grade_imports_no_template_or_plotting_library():
    code = "import sys; from grader.cli import grade; sys.argv = ['grade', '--submission', 'solutions']; grade()"
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert "grader" in imported and "numpy" in imported
    assert not imported & set(HEAVY), imported & set(HEAVY)
    assert "diagnoses" in result.stderr


def test_html_is_self_contained_and_has_the_text_reports_content(buggy, tmp_path):
    output = tmp_path / "report.html"
    result = CliRunner().invoke(grade, ["--submission", str(buggy), "--format", "html", "--output", str(output),
                                        "--seed", "5"])
    assert result.exit_code == 0, result.output
    page = output.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<(script|link|img|iframe)\b", page), "nothing to load, nothing to run"
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {"http://www.w3.org/2000/svg"}
    report = grade_submission(buggy, seed=5)
    for test in report["tests"]:
        assert test["name"].split("/", 1)[1] in page
        if test["status"] != "passed":
            assert str(markupsafe.escape(test["message"].splitlines()[0])) in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert f"seed {report['seed']}" in page and "Total: " in page


def test_every_failed_array_check_has_a_picture_and_its_diagnosis(buggy):
    report = grade_submission(buggy, seed=5)
    page = render(report, "html")
    pictured = [t for t in report["tests"] if t.get("arrays")]
    assert {t["diagnosis"]["code"] for t in pictured} >= {"missing_batch_sum", "scaled"}
    assert page.count('class="figure"') == len(pictured)
    assert page.count('data-role="got"') == len(pictured)
    for test in report["tests"]:
        if test["status"] != "passed":
            assert f'data-code="{test["diagnosis"]["code"]}"' in page
    padded = [t for t in report["tests"] if t["diagnosis"] and t["diagnosis"]["code"] == "padded"]
    assert padded and not any(t.get("arrays") for t in padded), "a wrong shape has nothing to draw side by side"


def test_kernel_pictures_mark_exactly_the_wrong_entries():
    expected = np.arange(2 * 3 * 4 * 4, dtype=float).reshape(2, 3, 4, 4) - 40
    got = expected.copy()
    got[1, 2, 0, 3] = 7.5
    got[0, 1, 2, 2] = -1.0
    wrong = [[0, 1, 2, 2], [1, 2, 0, 3]]
    svgs = pictures.comparison({"shape": list(expected.shape), "expected": expected.tolist(), "got": got.tolist(),
                                "wrong": wrong}, ("expected", "got", "difference"))
    assert "wrong" not in svgs[0]
    for svg in svgs[1:]:
        assert sorted(re.findall(r'data-index="([\d,]+)"', svg)) == ["0,1,2,2", "1,2,0,3"]
    assert svgs[0].count('stroke="#999"') == 2 * 3, "one framed image per filter and channel"
    assert pictures.grid_shape((2, 3, 4, 4)) == (2, 3, 4, 4)
    assert pictures.grid_shape((5,)) == (1, 1, 1, 5)


def test_rendering_is_fast_enough_for_a_batch(buggy):
    report = grade_submission(buggy, seed=5)
    render(report, "html")  # templates compiled once
    started = time.perf_counter()
    for _ in range(5):
        render(report, "html")
    per_report = (time.perf_counter() - started) / 5
    assert per_report < 1.0, f"{per_report:.3f} s per report"


def test_notebook_fragment_is_the_report_without_a_page_around_it(buggy):
    report = grade_submission(buggy, seed=5)
    fragment = html.render_fragment(report)
    assert fragment.lstrip().startswith('<div class="grade-report">')
    assert "<html" not in fragment and "<style>" in fragment and 'class="heatmap"' in fragment


def test_the_notebook_check_cell_shows_the_pictures_inline(tmp_path, monkeypatch):
    """In a real Jupyter kernel: a notebook with a ReLU bug gets the HTML report, pictures included,
    with the text report as its plain-text form."""
    nbclient = importlib.import_module("nbclient")
    nbformat = importlib.import_module("nbformat")
    from builtin_course import COURSE
    from grader.platforms.release import build_assignments
    from test_notebooks import paste_solution

    text = paste_solution(build_assignments(COURSE)["activations.ipynb"], "activations")
    right = "dx = np.where(self.mask, 0.0, dout)"
    assert right in text
    path = tmp_path / "activations.ipynb"
    path.write_text(text.replace(right, "dx = dout.copy()"), encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    notebook = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    shown = [o for o in notebook.cells[-1].outputs if o.output_type == "display_data"]
    assert len(shown) == 1
    page, plain = shown[0].data["text/html"], shown[0].data["text/plain"]
    assert 'class="heatmap"' in page and 'data-code="extra_nonzero"' in page and "<html" not in page
    assert "Relu/" in plain and "✗" in plain
