"""How the book taught people to write their files, graded on what they wrote.

A class below the line where its file stopped is not reached (not missing);
a loss layer's ``backward(self)`` is called without ``dout``, by its
signature; ``functions`` and ``util`` imported by their bare names after a
``common`` folder was put on ``sys.path`` are the book's helpers the grader
provides. (Full marks for these habits, and one bug each, are in
``tests/test_corpus.py``.)
"""
from __future__ import annotations

import sys
import textwrap

import pytest

from corpus import code, module, notebook
from test_corpus import by_layer, grade, sources

from grader.judge.context import Grading
from grader.judge.course import default
from grader.platforms.gradebook import gradebook_row
from grader.reports.classroom import figures
from grader.sandbox.child.session import Session
from grader.sandbox.child.standin import standin_path
from grader.sandbox.sources import BOOK_MODULES

APP_FIRST = "import numpy as np\nimport marimo\n\napp = marimo.App()\n\n\n"


def test_a_class_below_where_the_file_stopped_is_not_reached_and_the_report_says_where_and_why(tmp_path):
    """A file that uses marimo without being a notebook stops at app = marimo.App(): its classes are not reached."""
    path = tmp_path / "gates.py"
    path.write_text(APP_FIRST + code("MulLayer") + "\n\n" + code("AddLayer"), encoding="utf-8")
    line = path.read_text().splitlines().index("class MulLayer:") + 1
    report = grade(path)
    tests = by_layer(report)["MulLayer"]
    assert {t["status"] for t in tests} == {"error"} and {t["score"] for t in tests} == {0}
    assert tests[0]["diagnosis"] == {"code": "not_reached", "array": "",
                                     "params": {"layer": "MulLayer", "line": line, "stopped_at": 4}}
    assert tests[0]["message"].startswith(
        f"MulLayer is defined in gates.py line {line}, but the file stopped at line 4 (app = marimo.App()): "
        "marimo.App cannot be used: marimo is not available while grading"), tests[0]["message"]
    assert sources(report)["MulLayer"] == {"file": "gates.py", "line": line}
    assert report["counts"]["error"] == len(report["tests"]) and report["counts"]["missing"] == 0
    student = {"student": "kim", "status": "ok", "status_message": "", **report}
    assert gradebook_row(student, Grading(default(), seed=1).assignments)["error"] == len(report["tests"])
    assert {(d["layer"], d["code"]) for d in figures([student])["diagnoses"]} == {
        ("MulLayer", "not_reached"), ("AddLayer", "not_reached")}


def test_a_class_below_where_its_notebook_cell_raised_is_not_reached(tmp_path):
    cell = "from dataset.mnist import load_mnist\n(x_train, t_train), _ = load_mnist()\n\n" + code("Relu")
    path = tmp_path / "activations.ipynb"
    path.write_text(notebook("import numpy as np", cell, code("Sigmoid")), encoding="utf-8")
    report = grade(path)
    relu, sigmoid = by_layer(report)["Relu"], by_layer(report)["Sigmoid"]
    assert all(t["status"] == "passed" for t in sigmoid)
    assert {t["diagnosis"]["code"] for t in relu} == {"not_reached"}
    assert relu[0]["message"].startswith(
        "Relu is defined in activations.ipynb, cell 2 (In [2]), line 4, but the cell stopped at line 2 "
        "((x_train, t_train), _ = load_mnist()): dataset.mnist.load_mnist cannot be used"), relu[0]["message"]
    assert sources(report)["Relu"] == {"file": "activations.ipynb", "cell": 2, "count": 2, "line": 4}


def test_a_class_above_where_the_file_stopped_is_graded_and_one_never_defined_is_still_missing(tmp_path):
    path = tmp_path / "gates.py"
    path.write_text(module("MulLayer") + "\n\n" + APP_FIRST, encoding="utf-8")
    layers = by_layer(grade(path))
    assert all(t["status"] == "passed" for t in layers["MulLayer"])
    assert {t["status"] for t in layers["AddLayer"]} == {"missing"}


@pytest.fixture(autouse=True)
def own_sys_path(monkeypatch):
    """These sessions run in the test's interpreter: what student code appends to sys.path is undone after."""
    monkeypatch.setattr(sys, "path", list(sys.path))


def _session(*files):
    session = Session()
    for name, filename, text in files:
        session.finder.add(name, filename, text)
        if not filename.startswith("common/"):
            session.student_files.add(filename)
    return session


def _call(session, handle, method, *args):
    return session.handle({"op": "call", "handle": handle, "method": method, "args": list(args), "kwargs": {}}, [])[0]


LOSSES = textwrap.dedent("""
    class Loss:
        def backward(self):
            return 5.0

    class Stateful:
        calls = 0
        def backward(self, dout):
            Stateful.calls += 1
            raise TypeError("raised inside backward")

    class Flexible:
        def backward(self, *douts):
            return len(douts)
""")


def test_a_backward_taking_no_dout_is_called_without_one_by_its_signature_and_never_retried():
    session = _session(("losses", "losses.py", LOSSES))
    try:
        session.handle({"op": "load", "name": "losses", "modules": [], "graded": ["Loss"]}, [])
        for handle, name in enumerate(("Loss", "Stateful", "Flexible"), start=1):
            session.handle({"op": "new", "handle": handle, "module": "losses", "class": name, "args": [],
                            "kwargs": {}}, [])
        first, again = _call(session, 1, "backward", 1), _call(session, 1, "backward", 1)
        assert first["value"] == again["value"] == 5.0
        assert first["notes"] == [{"code": "no_dout", "name": "Loss"}] and "notes" not in again
        failed = _call(session, 2, "backward", 1)
        assert failed["error"]["type"] == "TypeError" and "raised inside backward" in failed["error"]["message"]
        assert session.modules["losses"].Stateful.calls == 1  # run once: a TypeError inside is never retried
        assert _call(session, 3, "backward", 1)["value"] == 1  # *douts takes it: it is passed
    finally:
        session.close()


BARE = textwrap.dedent("""
    import sys, os
    sys.path.append(os.path.join(os.pardir, 'common'))
    from functions import softmax
    import util
    import layers
    from gradient import numerical_gradient
""")


def test_bare_functions_and_util_after_a_common_path_entry_are_the_provided_helpers_and_nothing_else():
    book = [(m["name"], m["filename"], m["text"]) for m in BOOK_MODULES]
    session = _session(("ch05", "ch05.py", BARE), *book)
    try:
        reply, _ = session.handle({"op": "load", "name": "ch05", "modules": [], "graded": []}, [])
        assert reply["ok"], reply
        student = session.modules["ch05"]
        assert student.softmax.__module__ == "common.functions" and callable(student.util.im2col)
        assert standin_path(student.layers) == "layers"
        assert standin_path(student.numerical_gradient) == "gradient.numerical_gradient"
    finally:
        session.close()


def test_without_a_common_path_entry_or_with_the_students_own_file_the_bare_name_is_not_the_books():
    book = [(m["name"], m["filename"], m["text"]) for m in BOOK_MODULES]
    found = []
    for files in ([("ch05", "ch05.py", "from functions import softmax\n")],
                  [("ch05", "ch05.py", BARE), ("functions", "functions.py", "def softmax(x):\n    return 'mine'\n")]):
        session = _session(*files, *book)  # one at a time: the sessions share this interpreter
        try:
            session.handle({"op": "load", "name": "ch05", "modules": [], "graded": []}, [])
            found.append(session.modules["ch05"].softmax)
        finally:
            session.close()
    assert standin_path(found[0]) == "functions.softmax"
    assert found[1](0) == "mine"
