"""marimo notebooks are graded as notebooks, whether marimo is installed or not.

The fixtures (``tests/marimo``) were written by marimo itself from the
course's solutions, in the current format (``def _(...)``, a setup block,
classes at the top level under ``@app.class_definition``, or inside
``@app.cell`` bodies) and the older one (``def __(...)``, ``return mo,``),
each with a training cell and a plot, and cells placed out of dependency
order in the file. Each must run under the real marimo, and get full marks
from one ``grade --submission FILE`` call (``tests/test_corpus.py`` grades
them as habits of the corpus, with one bug too); here: what is particular to
marimo.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from corpus import BUGS, with_bug
from corpus.habits import HABITS, MARIMO, MARIMO_NOTEBOOKS
from test_corpus import by_layer, grade, sources

from grader.sandbox.child.marimo_cells import marimo_cells
from grader.sandbox.child.session import Session
from grader.submission import load_submission


@pytest.mark.parametrize("fixture", sorted(MARIMO_NOTEBOOKS))
def test_each_marimo_fixture_runs_under_the_real_marimo(fixture, tmp_path):
    """The fixtures are real marimo notebooks: ``python notebook.py`` runs every cell (app.run()) without error."""
    import marimo  # the test extra installs it: a fixture marimo cannot run proves nothing

    assert marimo.__version__
    env = dict(os.environ, MPLBACKEND="Agg", MPLCONFIGDIR=str(tmp_path))
    result = subprocess.run([sys.executable, str(MARIMO / fixture)], capture_output=True, text=True, cwd=tmp_path,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip(), "the notebook's cells printed nothing: did they run?"


BUG_IN = {"layers_setup.py": "MulLayer", "layers_in_cells.py": "Affine", "older_format.py": "Relu"}


@pytest.mark.parametrize("fixture", sorted(BUG_IN))
def test_one_bug_in_a_marimo_notebook_names_its_cell_and_the_files_line(fixture, tmp_path):
    target = BUG_IN[fixture]
    built = with_bug(HABITS[f"marimo_{fixture[:-3]}"], tmp_path, target)
    wrong = BUGS[target][1]
    line = next(number for number, text in enumerate(built.submit.read_text().splitlines(), 1) if wrong in text)
    report = grade(built.submit)
    cell = sources(report)[target]["cell"]
    layers = by_layer(report)
    assert all(t["score"] == 0 for t in layers[target]), [t["name"] for t in layers[target] if t["score"]]
    assert all(t["status"] == "passed" for name in built.classes if name != target for t in layers[name])
    named = f"({fixture}, cell {cell}, line {line})"
    assert any(named in t["message"] for t in layers[target]), (named, layers[target][0]["message"][:400])


def test_a_marimo_module_file_in_a_folder_is_graded_as_its_assignment(tmp_path):
    """gates.py saved by marimo, beside the other modules: ``grade gates`` (the Classroom step) gives full marks."""
    (tmp_path / "gates.py").write_text((MARIMO / "layers_setup.py").read_text(encoding="utf-8"), encoding="utf-8")
    report = grade(tmp_path, "gates")
    assert report["score"] == report["max_score"] == 20, [t["message"][:200] for t in report["tests"]]
    assert report["assignments"]["gates"]["sources"]["MulLayer"] == {"file": "gates.py", "cell": 4}


def test_the_judge_finds_classes_inside_cells_without_running_anything(tmp_path):
    path = tmp_path / "ch05.py"
    path.write_text((MARIMO / "layers_in_cells.py").read_text(encoding="utf-8"), encoding="utf-8")
    layout = {"affine_softmax": ("Affine", "SoftmaxWithLoss"), "conv_pool": ("Convolution", "Pooling")}
    submission = load_submission(path, layout)
    assert submission.files["ch05"].marimo
    assert {name: place.cell for name, place in submission.classes.items()} == {
        "Affine": 5, "SoftmaxWithLoss": 6, "Convolution": 8, "Pooling": 9}


ORDER = textwrap.dedent('''
    import marimo

    __generated_with = "0.25.2"
    app = marimo.App(width="medium")

    with app.setup(hide_code=True):
        import numpy as np


    @app.cell
    def _(total):
        print("uses total", total)
        return


    @app.cell(hide_code=True)
    def adding(values):
        total = sum(values)
        return (total,)


    @app.cell
    def __():
        values = [1, 2, 3]
        return values,


    @app.function
    def double(x):
        return 2 * x


    @app.class_definition
    class Layer:
        scale = double(1)

        def forward(self, x):
            return self.scale * x


    if __name__ == "__main__":
        app.run()
        raise SystemExit("app.run() must never run")
''')


def test_cells_run_setup_first_then_after_the_cells_defining_what_they_use():
    cells = marimo_cells(ORDER, "order.py")
    assert [(c["number"], c["name"]) for c in cells] == [(1, None), (4, None), (3, "adding"), (2, None),
                                                         (5, None), (6, None)]
    assert cells[0]["kind"] == "setup" and cells[2]["defines"] == {"total"} and cells[1]["defines"] == {"values"}


def test_a_marimo_file_runs_as_cells_with_its_names_and_lines_and_never_runs_the_app():
    session = Session()
    try:
        session.finder.add("order", "order.py", ORDER, marimo=True)
        session.student_files.add("order.py")
        reply, _ = session.handle({"op": "load", "name": "order", "modules": [], "graded": ["Layer"]}, [])
        assert reply["ok"], reply
        assert "uses total 6" in reply["output"] and "app.run() must never run" not in reply["output"]
        assert not [n for n in reply.get("notes", []) if n["code"] != "cell_raised"], reply.get("notes")
        module = session.modules["order"]
        assert module.Layer.scale == 2 and module.double(4) == 8
        assert "marimo" not in sys.modules or not hasattr(module, "app")  # the App line was never run
        reply, _ = session.handle({"op": "new", "handle": 1, "module": "order", "class": "Layer", "args": [],
                                   "kwargs": {}}, [])
        assert reply["found"] == {"file": "order.py", "cell": 6, "count": None}
    finally:
        session.close()


def test_a_failing_marimo_cell_is_named_by_its_place_its_name_and_the_files_line():
    text = ORDER.replace("    total = sum(values)\n", "    1 / 0\n    total = sum(values)\n")
    session = Session()
    try:
        session.finder.add("order", "order.py", text, marimo=True)
        session.student_files.add("order.py")
        reply, _ = session.handle({"op": "load", "name": "order", "modules": [], "graded": ["Layer"]}, [])
    finally:
        session.close()
    line = text.splitlines().index("    1 / 0") + 1
    raised = [n for n in reply["notes"] if n["code"] == "cell_raised"]
    assert [(n["cell"], n["name"], n["line"], n["text"]) for n in raised][0] == (3, "adding", line, "1 / 0")
    assert re.search(r"NameError", str([n["error"] for n in raised[1:]]))  # the cell using total, after it


def test_a_cell_marked_not_graded_is_not_run_as_in_a_jupyter_notebook():
    text = ORDER.replace("def _(total):\n", "def _(total):\n    # not graded: a demo\n").replace(
        "def __():\n", "def __():\n    # Cell tags: not-graded, slow\n")
    assert text.count("not-graded") == 1 and text.count("# not graded") == 1
    numbers = [cell["number"] for cell in marimo_cells(text, "order.py")]
    assert numbers == [1, 3, 5, 6]  # cells 2 and 4 are left out; the others keep their places


def test_the_released_notebook_converted_by_marimo_is_graded_without_its_examples_or_its_check_cell(tmp_path):
    """``grader release`` writes no marimo files: ``marimo convert`` turns the released notebook into one.

    The converted file keeps the example cells' ``not-graded`` tag as a comment, which the grader honours,
    so a student who filled it in gets full marks, and the cell calling run_public_tests is not run.
    """
    from grader.platforms.release import build_assignments

    from builtin_course import COURSE
    from test_notebooks import paste_solution

    (tmp_path / "gates.ipynb").write_text(paste_solution(build_assignments(COURSE)["gates.ipynb"], "gates"),
                                          encoding="utf-8")
    converted = subprocess.run([sys.executable, "-m", "marimo", "convert", "gates.ipynb", "-o", "gates.py"],
                               cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert converted.returncode == 0, converted.stderr[-2000:]
    (tmp_path / "gates.ipynb").unlink()
    text = (tmp_path / "gates.py").read_text(encoding="utf-8")
    assert "# Cell tags: not-graded" in text and "run_public_tests" in text
    report = grade(tmp_path / "gates.py")
    gates = [t for t in report["tests"] if t["layer"] in ("MulLayer", "AddLayer")]
    assert gates and all(t["status"] == "passed" for t in gates), [t["message"][:300] for t in gates]
    said = json.dumps(report, ensure_ascii=False)
    assert "run_public_tests" not in said and "grader.platforms" not in said, said[:2000]
    assert "dapple, dapple_num, dtax" not in said  # printed by an example cell, which is not run
