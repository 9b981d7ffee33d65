"""A course author adds the book's Dropout as a new exercise, with course files only, and every
part of the product picks it up: release, notebooks, grading, the Classroom workflow and the bundle."""
import hashlib
import importlib
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from builtin_course import MAX_SCORE, copy_course

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "grader"

SOLUTION = '''\
"""Dropout: during training, each unit is kept with probability 1 - dropout_ratio."""
import numpy as np


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        ### BEGIN SOLUTION
        ### TODO: Dropout.backward: return dx, shaped like dout: dout where the unit was
        ###   kept (self.mask) and 0 where it was dropped.
        return dout * self.mask
        ### END SOLUTION
'''

NOTEBOOK = '''\
# Dropout

Dropout switches units off at random while training, so the network cannot
rely on any single one.

```stub:header
```

## Dropout

`forward` keeps the mask of the units it kept in `self.mask`; the gradient
flows back through the kept units only.

```stub:Dropout
```
'''

REFERENCE = '''

def dropout(x, mask):
    """Dropout's forward pass in training, with the mask the layer drew."""
    return x * mask
'''

PUBLIC = '''\
"""Public tests for dropout.py."""
import numpy as np

from grader.judge.gradcheck import as_array, check_gradient, expect_close
from grader.judge.suites import check

from course import reference as ref

HINT = "dx = dout * self.mask: the gradient passes where the unit was kept."


def check_dropout(student, rng, shape, ratio):
    x = rng.standard_normal(shape)
    layer = student.new("Dropout", dropout_ratio=ratio)
    out = layer.forward(x)
    mask = as_array(layer.get("mask"), "Dropout.mask", x.shape)
    expect_close("Dropout.forward output", out, ref.dropout(x, mask))
    dout = rng.standard_normal(shape)
    check_gradient("dx", layer.backward(dout), lambda v: np.sum(ref.dropout(v, mask) * dout), x, rng, hint=HINT)


@check("Dropout", points=4, kind="numeric")
def numeric_train(student, rng):
    """Gradient check of dx in training, with the mask the layer drew."""
    check_dropout(student, rng, (4, 5), 0.5)
'''

HIDDEN = '''\
"""Hidden tests for dropout.py."""
from grader.judge.suites import check

from course.tests.public.dropout import check_dropout


@check("Dropout", points=6, kind="numeric")
def numeric_tensor(student, rng):
    """Gradient check of dx on a (2, 3, 4) tensor with dropout_ratio 0.2."""
    check_dropout(student, rng, (2, 3, 4), 0.2)
'''


def run(*args, cwd):
    done = subprocess.run([sys.executable, "-c", "from grader.cli import grader, grade; import sys; "
                           "(grade if sys.argv[1] == 'grade' else grader)(sys.argv[2:], prog_name=sys.argv[1])",
                           *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, GRADER_LANG="en"))
    return done


def engine_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(ENGINE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ENGINE)).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The built-in course copied, with Dropout added through `grader new-exercise` and its files filled in."""
    folder = tmp_path_factory.mktemp("author")
    course = copy_course(folder)
    made = run("grader", "--course", str(course.root), "new-exercise", "dropout", "--names", "Dropout",
               "--points", "10", "--title", "Dropout", cwd=folder)
    assert made.returncode == 0, made.stderr
    assert "TODO (author)" in (course.solutions / "dropout.py").read_text()
    (course.solutions / "dropout.py").write_text(SOLUTION)
    (course.solutions / "dropout.md").write_text(NOTEBOOK)
    (course.tests / "public" / "dropout.py").write_text(PUBLIC)
    (course.tests / "hidden" / "dropout.py").write_text(HIDDEN)
    reference = (course.root / "reference.py").read_text()
    reference = reference[: reference.index("\n\ndef dropout(x):")] + REFERENCE
    (course.root / "reference.py").write_text(reference)
    return course


def test_only_course_files_change(course):
    before = engine_fingerprint()
    release = run("grader", "--course", str(course.root), "release", cwd=course.root.parent)
    assert release.returncode == 0, release.stderr
    assert engine_fingerprint() == before
    entry = course.file.read_text()
    assert 'module = "dropout.py"' in entry and "Dropout = 10" in entry


def test_the_stub_scores_zero_and_says_not_implemented(course):
    test_only_course_files_change(course)
    out = course.root / "stub.json"
    done = run("grade", "--course", str(course.root), "dropout", "--submission", str(course.release_folder),
               "--format", "json", "--output", str(out), cwd=course.root)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["score"] == 0 and report["max_score"] == 10
    assert {t["layer"] for t in report["tests"]} == {"Dropout"}
    assert all("not implemented yet" in t["message"] for t in report["tests"])


def test_the_solution_scores_full_marks_with_the_rest_of_the_course(course):
    out = course.root / "solution.json"
    done = run("grade", "--course", str(course.root), "--submission", str(course.solutions), "--format", "json",
               "--output", str(out), "--fail-under", "100", cwd=course.root)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())
    assert report["score"] == report["max_score"] == MAX_SCORE + 10
    assert report["assignments"]["dropout"]["layers"] == {"Dropout": {"score": 10, "max_score": 10}}


def test_a_mutant_loses_points_on_dropout_only(course, tmp_path):
    for source in course.solutions.glob("*.py"):
        (tmp_path / source.name).write_text(source.read_text())
    (tmp_path / "dropout.py").write_text(SOLUTION.replace("return dout * self.mask", "return dout"))
    out = tmp_path / "mutant.json"
    done = run("grade", "--course", str(course.root), "--submission", str(tmp_path), "--format", "json",
               "--output", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    lost = {t["layer"] for t in report["tests"] if t["score"] < t["max_score"]}
    assert lost == {"Dropout"}
    assert report["assignments"]["dropout"]["score"] < 10


def test_the_classroom_workflow_and_the_student_readme_list_it(course, tmp_path):
    yaml = importlib.import_module("yaml")
    out = tmp_path / "release"
    done = run("grader", "--course", str(course.root), "release", "--out", str(out), cwd=course.root)
    assert done.returncode == 0, done.stderr
    workflow = yaml.safe_load((out / ".github" / "workflows" / "classroom.yml").read_text())
    steps = {s["with"]["test-name"]: s["with"] for s in workflow["jobs"]["grade"]["steps"]
             if s.get("uses", "").startswith("classroom-resources/autograding-command-grader")}
    assert steps["dropout"]["max-score"] == 10 and steps["dropout"]["command"].startswith("grade dropout")
    assert "| `dropout.py` | `Dropout` | 10 |" in (out / "README.md").read_text()
    assert (out / "assignments" / "dropout.ipynb").is_file()
    assert (out / "courses" / course.root.name / "tests" / "public" / "dropout.py").is_file()
    assert not (out / "courses" / course.root.name / "tests" / "hidden").exists()


def test_the_gradescope_bundle_holds_it(course, tmp_path):
    bundle = tmp_path / "autograder.zip"
    done = run("grader", "--course", str(course.root), "bundle", "gradescope", "--out", str(bundle), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        shipped = archive.read(f"courses/{course.root.name}/course.toml").decode()
    assert f"courses/{course.root.name}/tests/hidden/dropout.py" in names
    assert 'module = "dropout.py"' in shipped
    assert not any("/solutions/" in name for name in names)
