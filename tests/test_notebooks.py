"""Notebooks: what the release makes, how a notebook submission is read and graded,
and the released notebooks running in a real Jupyter kernel."""
from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

import pytest

from grader.judge.engine import grade_submission
from grader.submission.notebook import cells_text, read_notebook
from grader.submission.source import ModuleSource
from grader.sandbox.child.session import Session
from grader.sandbox.notes import note_text
from grader.sandbox.sources import module_request
from builtin_course import ASSIGNMENTS, COURSE, LAYERS
from grader.platforms.release import build_assignments, stub_parts

nbformat = importlib.import_module("nbformat")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def released():
    return build_assignments(COURSE)


def paste_solution(notebook_text: str, name: str) -> str:
    """The released notebook with the solution's code in place of the stub's, cell by cell."""
    solution = stub_parts((COURSE.solutions / f"{name}.py").read_text(encoding="utf-8"), LAYERS[name])
    notebook = nbformat.reads(notebook_text, as_version=4)
    for cell in notebook.cells:
        part = cell.metadata.get("grader", {}).get("part")
        if part:
            cell.source = solution[part]
    return nbformat.writes(notebook)


def make_notebook(*cells, version=4) -> bytes:
    """A notebook from ("code" | "markdown", source[, extra fields]) tuples."""
    v = nbformat.v4
    notebook = v.new_notebook()
    for kind, source, *extra in cells:
        cell = v.new_code_cell(source) if kind == "code" else v.new_markdown_cell(source)
        for fields in extra:
            cell.update(fields)
        notebook.cells.append(cell)
    if version == 3:
        notebook = nbformat.convert(notebook, 3)
    return nbformat.writes(notebook, version=version).encode()


def run_cells(raw: bytes, filename="gates.ipynb", graded=("B",), worded=True):
    """Run a notebook's cells as the child does; returns (namespace, notes), the notes as the judge words them
    (``worded=False``: as the child sends them, data)."""
    cells, _ = read_notebook(raw, filename)
    session = Session()
    try:
        buffers = []
        module = module_request(ModuleSource("nb_under_test", filename, cells_text(cells), cells=cells), buffers)
        reply, _ = session.handle({"op": "load", "name": "nb_under_test", "modules": [module],
                                   "graded": list(graded)}, buffers)
        assert reply["ok"], reply
        notes = reply.get("notes", [])
        return dict(vars(session.modules["nb_under_test"])), [note_text(n)[1] for n in notes] if worded else notes
    finally:
        session.close()


def grade(path, **kwargs):
    return grade_submission(path, seed=kwargs.pop("seed", 7), in_process=False, **kwargs)


# --- the released notebooks ----------------------------------------------------


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_released_notebook_is_valid_and_holds_the_stub(released, name):
    notebook = nbformat.reads(released[f"{name}.ipynb"], as_version=4)
    nbformat.validate(notebook)
    assert notebook.nbformat == 4 and notebook.nbformat_minor == 5
    parts = [c.metadata["grader"]["part"] for c in notebook.cells if "grader" in c.metadata]
    assert parts == ["header", *LAYERS[name]]
    # graded code = the stub without its docstring, so it behaves exactly like the .py
    cells, notes = read_notebook(released[f"{name}.ipynb"].encode(), f"{name}.ipynb")
    assert notes == ()
    source = cells_text(cells)
    assert "run_public_tests" not in source  # the test cell is tagged not-graded
    for part in stub_parts(released[f"{name}.py"], LAYERS[name]).values():
        assert part in source
    last = notebook.cells[-1]
    assert "not-graded" in last.metadata["tags"] and f'run_public_tests("{name}")' in last.source
    markdown = " ".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    explains = ("upstream", "local gradient", "상류에서 흘러온", "국소적 미분")  # English or Korean release
    assert any(words in markdown for words in explains) or name == "affine_softmax"


def test_unchanged_notebooks_score_zero(tmp_path, released):
    for name in ASSIGNMENTS:
        (tmp_path / f"{name}.ipynb").write_text(released[f"{name}.ipynb"], encoding="utf-8")
    report = grade(tmp_path, suite="all")
    assert report["score"] == 0 and report["max_score"] > 0
    assert report["counts"]["missing"] == 0 and report["counts"]["error"] == 0


def test_notebooks_with_the_solution_pasted_score_like_the_solutions(tmp_path, released):
    for name in ASSIGNMENTS:
        (tmp_path / f"{name}.ipynb").write_text(paste_solution(released[f"{name}.ipynb"], name), encoding="utf-8")
    from_notebooks = grade(tmp_path, suite="all")
    from_solutions = grade(COURSE.solutions, suite="all")
    assert from_notebooks["score"] == from_solutions["score"] == from_solutions["max_score"]
    assert [(t["name"], t["status"]) for t in from_notebooks["tests"]] == \
           [(t["name"], t["status"]) for t in from_solutions["tests"]]


# --- reading notebooks ----------------------------------------------------------


def test_code_cells_are_read_in_order_numbered_among_code_cells():
    raw = make_notebook(
        ("markdown", "# Title\nimport os  # markdown, not code"),
        ("code", "import numpy as np", {"outputs": [nbformat.v4.new_output("stream", name="stdout", text="x = 1")],
                                         "execution_count": 4}),
        ("code", "print('example')", {"metadata": {"tags": ["not-graded"]}}),
        ("code", "# not graded\nprint('mine')"),
        ("code", "A = 1"),
    )
    cells, notes = read_notebook(raw, "gates.ipynb")
    assert [(c.number, c.count, c.source) for c in cells] == [(1, 4, "import numpy as np"), (4, None, "A = 1")]
    assert notes == ()


def test_magics_and_shell_lines_are_skipped_with_a_note():
    raw = make_notebook(
        ("code", "%matplotlib inline\nimport numpy as np\n!pip install numpy\nfiles = !ls\nnp.dot?"),
        ("code", "for i in range(2):\n    %time x = i\n"),
        ("code", "%%bash\necho hi"),
        ("code", "\n%%time\nB = 2"),
        ("code", 's = """\n%not a magic inside a string\n"""'),
        ("code", "ls -l\npwd\ncd ..\npip install tqdm\nls = [1]\nls"),
    )
    namespace, notes = run_cells(raw)
    assert namespace["B"] == 2 and namespace["x"] == 1 and "%not a magic" in namespace["s"]
    assert namespace["ls"] == [1]
    assert notes[0].startswith("gates.ipynb: skipped 11 IPython-only lines (magics, shell commands): "
                               "cell 1, line 1: %matplotlib inline; cell 1, line 3: !pip install numpy;")
    assert notes[0].endswith("; and 5 more.")
    assert any("cell 3 was not run: it is a %%bash cell" in note for note in notes)


def test_every_problem_of_a_notebook_is_a_note_naming_cell_and_line():
    raw = make_notebook(
        ("code", "import matplotlib.pyplot as plt\nimport numpy as np", {"execution_count": 1}),
        ("code", "print 'python 2'", {"execution_count": 2}),
        ("code", "x = np.arange(3)\nplt.plot(x)  # 그래프", {"execution_count": 5}),
        ("code", "B = 2\nassert B == 3, 'self-test failed'", {"execution_count": 6}),
        ("code", "import time\nwhile True:\n    time.sleep(0.01)", {"execution_count": 7}),
        ("code", "C = 3", {"execution_count": 8}),
    )
    namespace, notes = run_cells(raw, graded=("B", "C"))
    assert namespace["B"] == 2 and namespace["C"] == 3
    assert "gates.ipynb, cell 2 (In [2]) was not run: it is not valid Python 3 (it looks like Python 2)" in notes[0]
    assert notes[1].startswith("gates.ipynb, cell 3 (In [5]), line 2: plt.plot(x)  # 그래프 raised NotAvailableError: "
                               "matplotlib.pyplot.plot cannot be used")
    assert notes[2] == "gates.ipynb, cell 4 (In [6]), line 2: assert B == 3, 'self-test failed' raised AssertionError: " \
                       "self-test failed"
    assert notes[3] == "gates.ipynb, cell 5 (In [7]) stopped after 2 s: it defines nothing graded."


def test_a_cell_that_raised_is_told_in_the_reports_language(monkeypatch):
    import grader.lang as i18n
    raw = make_notebook(("code", "B = 2\nassert B == 3, 'self-test failed'", {"execution_count": 6}),
                        ("code", "C = 1\nraise ValueError", {"execution_count": 7}),
                        ("code", "raise KeyError('x')"))
    _, notes = run_cells(raw, graded=("B", "C"), worded=False)
    assert all(type(note) is dict for note in notes)  # the child says what happened as data, in no language
    monkeypatch.setenv("GRADER_LANG", "ko")
    i18n.set_language(None)
    try:
        shown = [note_text(note)[1] for note in notes]
    finally:
        monkeypatch.setenv("GRADER_LANG", "en")
        i18n.set_language(None)
    assert shown == [
        "gates.ipynb 셀 1 (In [6]), 2번째 줄 assert B == 3, 'self-test failed'에서 AssertionError 예외가 발생했습니다: "
        "\"self-test failed\"",
        "gates.ipynb 셀 2 (In [7]), 2번째 줄 raise ValueError에서 ValueError 예외가 발생했습니다",
        "gates.ipynb 셀 3, 1번째 줄 raise KeyError('x')에서 KeyError 예외가 발생했습니다: \"'x'\"",
    ]


def test_a_graded_cell_that_never_ends_is_stopped_at_the_time_limit(tmp_path):
    raw = make_notebook(("code", "class B:\n    pass\nwhile True:\n    pass", {"execution_count": 3}),
                        ("code", "C = 1"))
    cells, _ = read_notebook(raw, "gates.ipynb")
    session = Session()
    try:
        buffers = []
        module = module_request(ModuleSource("nb_loop", "gates.ipynb", cells_text(cells), cells=cells), buffers)
        reply, _ = session.handle({"op": "load", "name": "nb_loop", "modules": [module], "graded": ["B"],
                                   "cell_seconds": 0.5}, buffers)
    finally:
        session.close()
    assert reply["ok"]
    assert [note_text(note)[1] for note in reply["notes"]] == [
        "gates.ipynb, cell 1 (In [3]) stopped after 0.5 s, the time limit: look for a loop "
        "that never ends or a long computation at the top level of the cell."]


def test_a_notebook_with_magics_is_graded_normally(tmp_path, released):
    notebook = nbformat.reads(paste_solution(released["gates.ipynb"], "gates"), as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell("%matplotlib inline\n!pip install numpy"))
    (tmp_path / "gates.ipynb").write_text(nbformat.writes(notebook), encoding="utf-8")
    report = grade(tmp_path / "gates.ipynb", assignments=("gates",), suite="public")
    assert report["score"] == report["max_score"] > 0
    assert any("skipped 2 IPython-only lines" in note for note in report["notes"])


def test_nbformat_3_notebooks_are_read():
    raw = make_notebook(("markdown", "text"), ("code", "import numpy as np"), ("code", "%pylab\nC = 3"), version=3)
    assert json.loads(raw)["nbformat"] == 3
    namespace, notes = run_cells(raw, "old.ipynb", graded=("C",))
    assert namespace["C"] == 3 and "%pylab" in notes[0]


@pytest.mark.parametrize("raw, words", [
    (b'{"cells": [', "its JSON is broken at line 1"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "is not a Jupyter notebook"),
    (b'{"name": "a package.json"}', "is JSON but not a Jupyter notebook"),
    (b"[1, 2, 3]", "is JSON but not a Jupyter notebook"),
    (b'{"nbformat": 2, "worksheets": []}', "uses notebook format 2"),
    (b'{"nbformat": 4, "cells": {}}', "has no list of cells"),
])
def test_unreadable_notebooks_get_a_clear_message(raw, words):
    with pytest.raises(ValueError) as info:
        read_notebook(raw, "gates.ipynb")
    assert str(info.value).startswith("gates.ipynb ")
    assert words in str(info.value)


def test_a_corrupt_notebook_costs_only_its_own_assignment(tmp_path, released):
    (tmp_path / "gates.ipynb").write_text(released["gates.ipynb"][:500], encoding="utf-8")
    (tmp_path / "activations.py").write_text(
        (COURSE.solutions / "activations.py").read_text(encoding="utf-8"), encoding="utf-8")
    report = grade(tmp_path, assignments=("gates", "activations"), suite="public")
    by_assignment = {a: [t for t in report["tests"] if t["assignment"] == a] for a in ("gates", "activations")}
    assert all(t["status"] == "passed" for t in by_assignment["activations"])
    assert all(t["score"] == 0 and "gates.ipynb is not a valid notebook" in t["message"]
               for t in by_assignment["gates"])


# --- a real Jupyter kernel ------------------------------------------------------


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_released_notebook_runs_top_to_bottom_in_jupyter(tmp_path, monkeypatch, released, name):
    nbclient = importlib.import_module("nbclient")
    importlib.import_module("ipykernel")
    path = tmp_path / f"{name}.ipynb"
    path.write_text(paste_solution(released[f"{name}.ipynb"], name), encoding="utf-8")
    # the kernel imports the grader from this checkout, as an editable install would
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))

    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()

    last = notebook.cells[-1]
    assert {o.output_type for o in last.outputs} == {"stream"}  # the report is printed, nothing else shown
    text = "".join(o.text for o in last.outputs)
    count = sum(t.visibility == "public" and t.assignment == name for t in _checks())
    assert f"{count} passed" in text, text
    assert "Warning" not in text and "✗" not in text, text


def test_the_test_cell_warns_about_unsaved_changes(tmp_path, monkeypatch, released):
    nbclient = importlib.import_module("nbclient")
    importlib.import_module("ipykernel")
    path = tmp_path / "gates.ipynb"
    path.write_text(released["gates.ipynb"], encoding="utf-8")  # saved: the stub
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))

    in_browser = nbformat.reads(paste_solution(released["gates.ipynb"], "gates"), as_version=4)
    nbclient.NotebookClient(in_browser, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "".join(o.text for o in in_browser.cells[-1].outputs)
    assert "Warning: the classes you ran in this session differ from the saved gates.ipynb" in text
    assert "0 passed" in text or "0/" in text, text


def _checks():
    import grader.judge.suites as suites

    return suites.collect(COURSE, ("public",))


def test_graded_functions_are_traced_to_their_cell_like_classes(tmp_path):
    solution = (COURSE.solutions / "learning.py").read_text(encoding="utf-8")
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "learning.ipynb").write_bytes(make_notebook(("code", "import numpy as np", {"execution_count": 1}),
                                                          ("markdown", "## 4.4 기울기"),
                                                          ("code", solution, {"execution_count": 4})))
    report = grade(folder, assignments=["learning"])
    assert report["score"] == report["max_score"]
    sources = report["assignments"]["learning"]["sources"]
    for name in ("numerical_gradient", "gradient_descent", "SigmoidWithLoss"):
        assert sources[name] == {"file": "learning.ipynb", "cell": 2, "count": 4}, (name, sources[name])
