"""Diagnoses as data: each known mistake gets the code it deserves, the vocabulary
is documented, and the detectors recognise the spatial patterns of a wrong
convolution (border, stride, mirror image, one channel)."""
import collections
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from builtin_course import MUTANTS, SOLUTIONS, mutant_submission
import grader.judge.diagnoses as diagnoses
from grader.judge.diagnoses import CODES, Diagnosis, detect, from_shape, render
from grader.judge.engine import grade_submission
from numgrad import ASSIGNMENT_OF

HERE = Path(__file__).parent
ROOT = HERE.parent
SEED = 20240917


def test_every_mutant_declares_a_known_diagnosis():
    """The code each mutant's bug deserves, in its docstring (``Diagnosis: scaled``): the most common
    diagnosis among its failed tests. wrong_values marks bugs whose arrays show no pattern a
    layer-blind detector can name (the course's hint for the layer says the rest)."""
    assert MUTANTS
    for mutant in MUTANTS:
        assert mutant.diagnosis in CODES, mutant.id


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.id)
def test_each_mutant_gets_the_code_its_bug_deserves(tmp_path, mutant):
    report = grade_submission(mutant_submission(tmp_path, mutant), seed=SEED)
    failed = [t for t in report["tests"] if t["status"] != "passed"]
    assert failed
    for test in failed:
        diagnosis = test["diagnosis"]
        assert diagnosis and diagnosis["code"] in CODES, test
        assert test["layer"] == mutant.name
    counts = collections.Counter(t["diagnosis"]["code"] for t in failed)
    assert counts.most_common(1)[0][0] == mutant.diagnosis, counts
    for test in report["tests"]:
        if test["status"] == "passed":
            assert test["diagnosis"] is None


def test_stubs_are_diagnosed_not_implemented():
    report = grade_submission(ROOT / "assignments", seed=SEED)
    assert {t["diagnosis"]["code"] for t in report["tests"]} == {"not_implemented"}


def test_an_empty_submission_is_diagnosed_missing(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here")
    report = grade_submission(tmp_path, seed=SEED)
    assert {t["diagnosis"]["code"] for t in report["tests"]} == {"missing"}


def test_an_import_failure_is_diagnosed_import(tmp_path):
    for module in sorted(set(ASSIGNMENT_OF.values())):
        shutil.copy(SOLUTIONS / f"{module}.py", tmp_path / f"{module}.py")
    (tmp_path / "gates.py").write_text("def broken(:\n")
    report = grade_submission(tmp_path, seed=SEED)
    codes = {t["diagnosis"]["code"] for t in report["tests"] if t["assignment"] == "gates"}
    assert codes == {"import"}
    assert all(t["diagnosis"] is None for t in report["tests"] if t["assignment"] != "gates")


# -- the detectors on made-up arrays --------------------------------------------------------

@pytest.fixture(autouse=True)
def fresh_context():
    """Each test is one grader test: what its layers saw is its own."""
    with diagnoses.observing():
        yield


def kernel(rng, shape=(3, 2, 5, 5)):
    return rng.standard_normal(shape)


def test_border_only():
    rng = np.random.default_rng(1)
    expected = kernel(rng)
    got = expected.copy()
    got[..., 0, :] += 1
    got[..., -1, :] += 1
    got[..., :, 0] += 1
    got[..., :, -1] += 1
    found = detect("dx", got, expected)
    assert (found.code, found.params) == ("border_only", {"width": 1})


def test_stride_pattern_every_other_row():
    rng = np.random.default_rng(2)
    expected = kernel(rng, (2, 2, 6, 6))
    got = expected.copy()
    got[..., 1::2, :] = 0.5
    found = detect("dx", got, expected)
    assert found.code == "stride_pattern"
    assert found.params == {"lines": "rows", "step": 2, "offset": 1}


def test_mirror_image_is_a_flipped_kernel():
    rng = np.random.default_rng(3)
    expected = kernel(rng)
    found = detect("dW", expected[..., ::-1, ::-1], expected)
    assert found.code == "flipped"
    assert found.params == {"axes": [2, 3]}


def test_one_wrong_filter_is_a_single_slice():
    rng = np.random.default_rng(4)
    expected = kernel(rng)
    got = expected.copy()
    got[1] *= -0.3
    found = detect("dW", got, expected)
    assert (found.code, found.params) == ("single_slice", {"axis": 0, "index": 1})


def test_one_wrong_channel_is_a_single_slice_on_axis_1():
    rng = np.random.default_rng(5)
    expected = kernel(rng)
    got = expected.copy()
    got[:, 0] += 2.0
    assert detect("dW", got, expected).params == {"axis": 1, "index": 0}


def test_square_transpose_and_axis_swap():
    rng = np.random.default_rng(6)
    expected = rng.standard_normal((4, 4))
    assert detect("dW", expected.T, expected).code == "transposed"
    images = rng.standard_normal((2, 3, 4, 4))
    assert detect("dx", images.transpose(0, 1, 3, 2), images).params == {"axes": [0, 1, 3, 2]}


def test_scaled_sign_zero():
    expected = np.arange(1.0, 7.0).reshape(2, 3)
    assert detect("dx", 0 * expected, expected).code == "zero"
    assert detect("dx", -expected, expected).code == "sign_flipped"
    found = detect("dx", 0.5 * expected, expected)
    assert (found.code, found.params) == ("scaled", {"factor": 0.5})


def test_batch_factors_need_a_batch_that_explains_them():
    x = np.ones((4, 3))
    diagnoses.note_forward((x,), np.ones((4, 2)))
    db = np.array([1.0, -2.0])
    found = detect("db", db / 4, db)
    assert (found.code, found.params["batch_size"]) == ("missing_batch_sum", 4)
    assert detect("dx", 4 * x, x).code == "scaled", "an input gradient is not summed over the batch"
    diagnoses.note_forward((x,), 0.25)
    dx = np.arange(12.0).reshape(4, 3)
    assert detect("dx", 4 * dx, dx).code == "missing_batch_mean"


def test_missing_upstream_gradient():
    rng = np.random.default_rng(7)
    dout = rng.standard_normal((3, 2))
    local = rng.standard_normal((3, 2))
    diagnoses.note_backward((dout,))
    assert detect("dx", local, local * dout).code == "missing_upstream"


def test_close_but_not_close_enough_is_imprecise_not_reordered():
    expected = np.array([[1.0, 2.0], [2.0, 1.0]])
    found = detect("dx", expected * (1 + 2e-4), expected)
    assert (found.code, found.params) == ("imprecise", {"max_relative_error": 0.0002})


def test_masks():
    expected = np.array([[0.0, 1.0], [2.0, 0.0]])
    assert detect("dx", np.array([[3.0, 0.0], [0.0, 4.0]]), expected).code == "inverted_mask"
    assert detect("dx", np.array([[3.0, 1.0], [2.0, 0.0]]), expected).code == "extra_nonzero"
    assert detect("dx", np.array([[0.0, 1.0], [0.0, 0.0]]), expected).code == "extra_zero"


def test_wrong_values_names_the_first_index():
    expected = np.arange(1.0, 7.0)
    got = expected.copy()
    got[[2, 5]] = [10.0, -1.0]
    found = detect("dx", got, expected)
    assert found.code == "wrong_values"
    assert found.params == {"wrong": 2, "size": 6, "first": [2]}


@pytest.mark.parametrize("got, expected, code, extra", [
    ((3, 4), (4, 3), "transposed", {}),
    ((2, 12), (2, 3, 2, 2), "not_reshaped", {}),
    ((1, 2, 6, 6), (1, 2, 4, 4), "padded", {"pad": 1}),
    ((2, 3, 3), (2,), "not_summed", {"axes": [1, 2]}),
    ((5, 2), (2,), "not_summed", {"axes": [0]}),
    ((3, 3), (2, 2), "wrong_shape", {}),
])
def test_shapes(got, expected, code, extra):
    found = from_shape("dW", got, expected)
    assert found.code == code
    assert found.params == {"got_shape": list(got), "expected_shape": list(expected), **extra}


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_renders(code):
    params = {"factor": 2.0, "batch_size": 4, "pad": 1, "axes": [1], "step": 2, "lines": "rows",
              "axis": 0, "index": 1, "width": 1, "expected": 2, "expected_shape": [2], "type": "ValueError"}
    text = render(Diagnosis(code, "dW", params))
    assert isinstance(text, str)
    assert "{" not in text, text
    assert render(Diagnosis(code, "dW", params).to_dict()) == text


def test_unknown_codes_are_refused():
    with pytest.raises(ValueError):
        Diagnosis("looks_bad")


def test_the_vocabulary_is_documented():
    doc = (ROOT / "docs" / "diagnoses.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", doc, flags=re.M))
    assert documented == set(CODES)
    assert "docs/diagnoses.md" in (ROOT / "README.md").read_text(encoding="utf-8")
