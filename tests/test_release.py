"""Stubs from solutions: the committed assignments are what the release makes,
they differ from the solutions only inside backward, and the solutions are right."""
from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from builtin_course import ASSIGNMENTS, ASSIGNMENT_OF, COURSE, LAYERS, MUTANTS, RELEASED, copy_course, mutated, using
from grader.platforms.release import MarkerError, build_stubs, check_release, make_stub, release_student, run_release

ROOT = Path(__file__).resolve().parents[1]


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"_{path.parent.name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def stubs():
    return build_stubs(COURSE)  # in the course's language, as committed


@pytest.fixture(scope="module")
def english_stubs():
    return build_stubs(COURSE, language="en")  # the solutions' own words


# --- the committed stubs ---------------------------------------------------


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_committed_stub_is_what_release_makes(stubs, name):
    committed = (RELEASED / f"{name}.py").read_bytes()
    assert committed == stubs[f"{name}.py"].encode("utf-8"), (
        f"assignments/{name}.py is out of date: run `grader release`")


def _definitions(tree: ast.Module):
    """{"Class.method" or "function": node} for the module's top level and its classes."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            found[node.name] = node
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    found[f"{node.name}.{item.name}"] = item
        elif isinstance(node, ast.FunctionDef):
            found[node.name] = node
    return found


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_stub_differs_from_solution_only_in_backward(english_stubs, name):
    solution = ast.parse((COURSE.solutions / f"{name}.py").read_text(encoding="utf-8"))
    stub = ast.parse(english_stubs[f"{name}.py"])
    sol_defs, stub_defs = _definitions(solution), _definitions(stub)
    assert sol_defs.keys() == stub_defs.keys()
    assert ast.get_docstring(solution) == ast.get_docstring(stub)

    for key, sol_node in sol_defs.items():
        if isinstance(sol_node, ast.ClassDef):
            assert [n.name for n in sol_node.body if isinstance(n, ast.FunctionDef)] == \
                   [n.name for n in stub_defs[key].body if isinstance(n, ast.FunctionDef)]
        elif key.endswith(".backward") or key in LAYERS[name]:  # graded functions are TODOs too
            assert ast.dump(sol_node.args) == ast.dump(stub_defs[key].args)
        else:
            assert ast.dump(sol_node) == ast.dump(stub_defs[key]), f"{name}: {key} changed"

    # top-level statements other than classes and functions (imports, constants)
    def others(tree):
        return [ast.dump(n) for n in tree.body if not isinstance(n, (ast.ClassDef, ast.FunctionDef))]
    assert others(solution) == others(stub)


def _fresh_instance(cls):
    args = {
        "Affine": (np.ones((3, 2)), np.zeros(2)),
        "Convolution": (np.ones((2, 1, 2, 2)), np.zeros(2)),
        "Pooling": (2, 2),
    }.get(cls.__name__, ())
    return cls(*args)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_stub_backward_says_what_to_do(tmp_path, english_stubs, name):
    path = tmp_path / f"{name}.py"
    path.write_text(english_stubs[f"{name}.py"], encoding="utf-8")
    module = load(path)
    for layer in LAYERS[name]:
        graded = getattr(module, layer)
        with pytest.raises(NotImplementedError) as info:
            if isinstance(graded, type):
                _fresh_instance(graded).backward(np.ones((2, 2)))
            else:
                graded(np.sum, np.ones((2, 2)))
        prefix = f"{layer}.backward: " if isinstance(graded, type) else ""
        assert re.match(prefix + r"(return|starting from) ", str(info.value)), str(info.value)


def test_stub_text_and_layout():
    solution = (
        "class A:\n"
        "    def backward(self, dout):\n"
        "        ### BEGIN SOLUTION\n"
        "        ### TODO: A.backward: return dx \"quoted\" with the shape of dout,\n"
        "        ###   which is long enough to need a second line of text, and then some more.\n"
        "        dx = 2 * dout\n"
        "        return dx\n"
        "        ### END SOLUTION\n"
        "\n"
        "    def other(self):\n"
        "        # TODO: ordinary comments stay\n"
        "        return 1\n"
    )
    stub = make_stub(solution)
    assert "2 * dout" not in stub and "SOLUTION" not in stub
    assert "        # TODO: ordinary comments stay\n" in stub
    assert max(len(line) for line in stub.splitlines()) <= 79
    namespace = {}
    exec(stub, namespace)
    with pytest.raises(NotImplementedError) as info:
        namespace["A"]().backward(1)
    assert str(info.value) == (
        'A.backward: return dx "quoted" with the shape of dout, which is long enough '
        "to need a second line of text, and then some more.")


def test_block_without_todo_raises_bare_not_implemented():
    stub = make_stub("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n")
    assert stub == "def f():\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"


@pytest.mark.parametrize("source, line, words", [
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", 2, "never closed"),
    ("def f():\n    return 1\n    ### END SOLUTION\n", 3, "without a ### BEGIN SOLUTION"),
    ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    ### END SOLUTION\n", 3, "inside the block"),
    ("def f():\n    ## Begin Solution\n    return 1\n", 2, "malformed marker"),
    ("def f():\n    ### BEGIN SOLUTIONS\n    return 1\n", 2, "malformed marker"),
    ("def f():\n    ### TODO: nothing\n    return 1\n", 2, "directly after"),
    ("def f():\n    ### BEGIN SOLUTION\n    x = 1\n    ### TODO: late\n    ### END SOLUTION\n", 4, "directly after"),
    ("def f():\n    ### BEGIN SOLUTION\n    ### TODO: one\n    ### TODO: two\n    ### END SOLUTION\n", 4, "a second one"),
    ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\ndef f(\n", 4, "not valid Python"),
    ("if True:\n### BEGIN SOLUTION\n    x = 1\n### END SOLUTION\n", 2, "stub made from this file"),
])
def test_bad_markers_name_file_and_line(source, line, words):
    with pytest.raises(MarkerError) as info:
        make_stub(source, filename="solutions/broken.py")
    assert str(info.value).startswith(f"solutions/broken.py:{line}: ")
    assert words in str(info.value)


# --- the solutions are right (a gradient check independent of the grader) ---


def numerical_gradient(f, x, h=1e-6):
    """Central differences of the scalar f() with respect to the array x, changed in place."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + h
        plus = f()
        x[i] = saved - h
        minus = f()
        x[i] = saved
        grad[i] = (plus - minus) / (2 * h)
    return grad


def assert_close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-7)


@pytest.fixture(scope="module")
def sol():
    return {name: load(COURSE.solutions / f"{name}.py") for name in ASSIGNMENTS}


def check_layer(layer, inputs, params=(), rng=None):
    """backward(dout) against the numerical gradient of sum(forward(*inputs) * dout)."""
    rng = rng or np.random.default_rng(0)
    out = layer.forward(*inputs)
    dout = rng.standard_normal(np.shape(out))
    grads = layer.backward(dout.copy())
    grads = grads if isinstance(grads, tuple) else (grads,)
    for x, g in zip(inputs, grads):
        assert np.shape(g) == x.shape
        assert_close(g, numerical_gradient(lambda: np.sum(layer.forward(*inputs) * dout), x))
    for attr, grad_attr in params:
        p = getattr(layer, attr)
        assert_close(getattr(layer, grad_attr), numerical_gradient(lambda: np.sum(layer.forward(*inputs) * dout), p))


def test_gates(sol):
    rng = np.random.default_rng(1)
    for cls in (sol["gates"].MulLayer, sol["gates"].AddLayer):
        check_layer(cls(), (rng.standard_normal((3, 4)), rng.standard_normal((3, 4))))


def test_document_apple_orange(sol):
    g = sol["gates"]
    mul_apple, mul_orange, add, mul_tax = g.MulLayer(), g.MulLayer(), g.AddLayer(), g.MulLayer()
    price = mul_tax.forward(add.forward(mul_apple.forward(100, 2), mul_orange.forward(150, 3)), 1.1)
    assert price == 715.0000000000001
    dall, dtax = mul_tax.backward(1)
    dapple_price, dorange_price = add.backward(dall)
    dorange, dorange_num = mul_orange.backward(dorange_price)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    assert_close([dapple, dapple_num, dorange, dorange_num, dtax], [2.2, 110, 3.3, 165, 650])


def test_activations(sol):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 5))
    x[np.abs(x) < 0.01] = 0.5  # keep away from the kink
    check_layer(sol["activations"].Relu(), (x,))
    check_layer(sol["activations"].Sigmoid(), (rng.standard_normal((4, 5)) * 3,))

    relu = sol["activations"].Relu()
    relu.forward(np.array([-1.0, 0.0, 2.0]))
    assert list(relu.backward(np.ones(3))) == [0, 0, 1]


def test_affine(sol):
    rng = np.random.default_rng(3)
    layer = sol["affine_softmax"].Affine(rng.standard_normal((12, 5)), rng.standard_normal(5))
    check_layer(layer, (rng.standard_normal((2, 3, 2, 2)),), params=[("W", "dW"), ("b", "db")])

    layer = sol["affine_softmax"].Affine(np.zeros((2, 3)), np.zeros(3))
    layer.forward(np.zeros((2, 2)))
    layer.backward(np.array([[1.0, 2, 3], [4, 5, 6]]))
    assert list(layer.db) == [5, 7, 9]


@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_with_loss(sol, one_hot):
    m = sol["affine_softmax"]
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 4)) * 3
    labels = rng.integers(0, 4, size=5)
    t = np.eye(4)[labels] if one_hot else labels
    layer = m.SoftmaxWithLoss()
    loss = layer.forward(x, t)
    p = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    assert_close(loss, -np.mean(np.log(p[np.arange(5), labels])))
    assert_close(layer.backward(), numerical_gradient(lambda: m.SoftmaxWithLoss().forward(x, t), x))
    assert np.isfinite(m.SoftmaxWithLoss().forward(np.array([[1000.0, -1000.0]]), np.array([1])))


@pytest.mark.parametrize("stride, pad", [(1, 0), (2, 1), (1, 2)])
def test_convolution(sol, stride, pad):
    rng = np.random.default_rng(5)
    layer = sol["conv_pool"].Convolution(rng.standard_normal((3, 2, 3, 2)), rng.standard_normal(3),
                                         stride=stride, pad=pad)
    check_layer(layer, (rng.standard_normal((2, 2, 5, 6)),), params=[("W", "dW"), ("b", "db")])


def test_convolution_against_loops(sol):
    rng = np.random.default_rng(6)
    x, W, b = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 2)), rng.standard_normal(4)
    out = sol["conv_pool"].Convolution(W, b, stride=2, pad=1).forward(x)
    xp = np.pad(x, [(0, 0), (0, 0), (1, 1), (1, 1)])
    expected = np.zeros((2, 4, 4, 4))
    for n, f, i, j in np.ndindex(expected.shape):
        expected[n, f, i, j] = np.sum(xp[n, :, 2 * i:2 * i + 3, 2 * j:2 * j + 2] * W[f]) + b[f]
    assert_close(out, expected)


def test_document_kernel_gradient(sol):
    o = np.array([[0.51, 0.9, 0.88, 0.84, 0.05], [0.4, 0.62, 0.22, 0.59, 0.1], [0.11, 0.2, 0.74, 0.33, 0.14],
                  [0.47, 0.01, 0.85, 0.7, 0.09], [0.76, 0.19, 0.72, 0.17, 0.57]])
    delta = np.array([[0, 0, 0.0686, 0], [0, 0.0364, 0, 0], [0, 0.0467, 0, 0], [0, 0, 0, -0.0681]])
    layer = sol["conv_pool"].Convolution(np.zeros((1, 1, 2, 2)), np.zeros(1))
    layer.forward(o.reshape(1, 1, 5, 5))
    layer.backward(delta.reshape(1, 1, 4, 4))
    np.testing.assert_allclose(layer.dW[0, 0], [[0.044606, 0.094061], [0.011262, 0.068288]], atol=5e-7)


@pytest.mark.parametrize("size, stride", [((2, 2), 2), ((3, 2), 1), ((2, 3), 3)])
def test_pooling(sol, size, stride):
    rng = np.random.default_rng(7)
    x = rng.permutation(2 * 3 * 6 * 7).reshape(2, 3, 6, 7) * 0.1  # distinct values: no ties
    check_layer(sol["conv_pool"].Pooling(*size, stride=stride, pad=0), (x,))


def test_pooling_ties_go_to_the_first_maximum(sol):
    layer = sol["conv_pool"].Pooling(2, 2, stride=2, pad=0)
    layer.forward(np.ones((1, 1, 2, 2)))
    assert layer.backward(np.full((1, 1, 1, 1), 5.0)).tolist() == [[[[5.0, 0.0], [0.0, 0.0]]]]


# --- releases --------------------------------------------------------------


def _solution_lines() -> set[str]:
    """Statements of the solution blocks that the stubs do not give away anyway."""
    lines = set()
    for name in ASSIGNMENTS:
        stub_lines = {l.strip() for l in (RELEASED / f"{name}.py").read_text(encoding="utf-8").splitlines()}
        inside = False
        for line in (COURSE.solutions / f"{name}.py").read_text(encoding="utf-8").splitlines():
            text = line.strip()
            if text in ("### BEGIN SOLUTION", "### END SOLUTION"):
                inside = text == "### BEGIN SOLUTION"
            elif inside and text and not text.startswith("#") and text not in stub_lines \
                    and not re.fullmatch(r"else:|return [\w, ]+", text):
                lines.add(text)
    return lines


@pytest.fixture(scope="module")
def student_release(tmp_path_factory):
    return release_student(tmp_path_factory.mktemp("release") / "student", COURSE)


def test_student_release_has_what_students_need(student_release):
    out = student_release
    expected = {f"{n}{ext}" for n in ASSIGNMENTS for ext in (".py", ".ipynb")}
    assert {p.name for p in (out / "assignments").iterdir()} == expected
    for name in expected:
        assert (out / "assignments" / name).read_bytes() == (RELEASED / name).read_bytes()
    assert (out / "README.md").is_file() and (out / "pyproject.toml").is_file()
    assert (out / "courses" / "backprop" / "tests" / "public" / "gates.py").is_file()
    assert not (out / "courses" / "backprop" / "solutions").exists()
    assert "--fail-under" in (out / ".github" / "workflows" / "classroom.yml").read_text()
    assert not (out / "solutions").exists()


def test_student_release_leaks_no_solution_and_no_hidden_test(student_release):
    import grader.judge.suites as suites

    secrets = _solution_lines()
    assert len(secrets) > 20
    public = {c.description for c in suites.collect(COURSE, ("public",))}
    hidden = {c.description for c in suites.collect(COURSE, ("hidden",)) if len(c.description) > 20} - public
    assert hidden
    assert not (student_release / "courses" / "backprop" / "tests" / "hidden").exists()
    for path in student_release.rglob("*"):
        if path.is_dir():
            assert path.name != "hidden"
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = {l.strip() for l in text.splitlines()}
        if path.suffix == ".ipynb":  # notebook sources are JSON strings, one line per element
            lines |= {l.strip() for cell in json.loads(text)["cells"] for l in "".join(cell["source"]).splitlines()}
        leaked = secrets & lines
        assert not leaked, f"{path.relative_to(student_release)} holds solution lines: {sorted(leaked)}"
        for description in hidden:
            assert description not in text, f"{path} holds the hidden test {description!r}"


def mistake_lines() -> set[str]:
    """The lines the course's mutants put into a solution module: each student mistake, spelled out."""
    lines = set()
    for mutant in MUTANTS:
        solution = (COURSE.solutions / f"{ASSIGNMENT_OF[mutant.name]}.py").read_text(encoding="utf-8")
        wrong = {l.strip() for l in mutated(mutant).splitlines()} - {l.strip() for l in solution.splitlines()}
        lines |= {l for l in wrong if len(l) > 12 and not l.startswith(("#", '"""'))}
    return lines


def test_student_release_ships_no_mutant(student_release):
    mistakes, descriptions = mistake_lines(), {m.description for m in MUTANTS}
    assert len(mistakes) > 20 and len(descriptions) == len(MUTANTS) > 20
    assert not any(p.name == "mutants" for p in student_release.rglob("*"))
    for path in student_release.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            lines = {l.strip() for l in text.splitlines()}
            assert not mistakes & lines, f"{path.relative_to(student_release)} holds a mutant's mistake"
            assert not [d for d in descriptions if d in text], f"{path.relative_to(student_release)} describes a mutant"


def test_release_refuses_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not from a release"):
        release_student(tmp_path, COURSE)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_release_replaces_an_earlier_release(tmp_path):
    out = release_student(tmp_path / "r", COURSE)
    (out / "assignments" / "stale.py").write_text("x = 1")
    release_student(out, COURSE)
    assert not (out / "assignments" / "stale.py").exists()


@pytest.fixture
def course_copy(tmp_path):
    course = copy_course(tmp_path)
    with using(course.root):
        yield course


def test_check_release_passes_on_the_repository():
    ok, diff = check_release(COURSE)
    assert ok, diff
    assert diff == ""


def test_check_release_fails_with_a_diff_when_out_of_date(course_copy, monkeypatch, capsys):
    course = course_copy
    solution = course.solutions / "gates.py"
    solution.write_text(solution.read_text().replace("each with the shape of dout.", "each shaped like dout."))
    (course.release_folder / "conv_pool.ipynb").unlink()

    ok, diff = check_release(course)
    assert not ok
    assert "--- assignments/gates.py (committed)" in diff and "+++ assignments/gates.py (from solutions/)" in diff
    assert '+            "with respect to x and y, each shaped like dout."' in diff
    assert "assignments/conv_pool.ipynb is missing" in diff

    assert run_release(check=True) == 1
    assert "out of date" in capsys.readouterr().out
    assert run_release() == 0
    assert run_release(check=True) == 0
    assert "up to date" in capsys.readouterr().out


def test_run_release_reports_problems_as_exit_status_2(course_copy, tmp_path, capsys):
    course = course_copy
    solution = course.solutions / "activations.py"
    solution.write_text(solution.read_text().replace("        ### END SOLUTION\n", "", 1))
    assert run_release() == 2
    assert "solutions/activations.py:" in capsys.readouterr().err
    assert run_release(out=tmp_path / "x", check=True) == 2


def test_student_release_grades_from_a_fresh_venv(student_release, tmp_path):
    """pip install the release into a new virtual environment; its `grade` runs the public suite."""
    venv = tmp_path / "venv"
    # system site packages provide numpy and click, so the test needs no network
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    install = [str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(student_release)]
    offline = subprocess.run(install[:-1] + ["--no-build-isolation", "--no-index", install[-1]],
                             cwd=tmp_path, capture_output=True, text=True, timeout=300)
    if offline.returncode != 0:  # this Python cannot build wheels by itself: let pip fetch a build backend
        online = subprocess.run(install[:-1] + ["--timeout", "30", install[-1]],
                                cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert online.returncode == 0, offline.stderr + online.stderr
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([str(bindir / "grade"), "--format", "json", "--output", "-", "--seed", "3"],
                            cwd=student_release, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["tests"] and {t["visibility"] for t in report["tests"]} == {"public"}
    assert report["score"] == 0  # the stubs, untouched
    located = subprocess.run([str(python), "-c", "import grader; print(grader.__file__)"],
                             cwd=tmp_path, capture_output=True, text=True, env=env, check=True).stdout
    assert str(venv) in located
