"""One mistake is one diagnosis: the arrays of one reply are checked together.

A MulLayer that does not swap its inputs is ``swapped_inputs`` in every test,
not one ``wrong_values`` per array; arrays wrong in the same way are named in
the diagnosis's ``params["arrays"]``, the diagnosis's own ``array`` first.
"""
import numpy as np
import pytest

from builtin_course import mutant_submission
import grader.lang as lang
from grader.judge.engine import grade_submission
from grader.judge.gradcheck import Mismatch, expect_close, together

SEED = 20240917


def mismatch_of(*checks) -> Mismatch:
    with pytest.raises(Mismatch) as raised:
        with together():
            for what, got, expected in checks:
                expect_close(what, got, expected)
    return raised.value


def test_arrays_wrong_the_same_way_are_one_diagnosis_naming_them_all():
    x, w = np.arange(1.0, 7.0).reshape(2, 3), np.arange(2.0, 5.0)
    found = mismatch_of(("dx", -x, x), ("dW", -w, w))
    assert (found.diagnosis.code, found.diagnosis.array) == ("sign_flipped", "dx")
    assert found.diagnosis.params["arrays"] == ["dx", "dW"]
    assert "The same mistake in dW." in str(found)


def test_an_array_wrong_another_way_is_named_but_not_grouped():
    x, w = np.arange(1.0, 7.0).reshape(2, 3), np.arange(2.0, 5.0)
    found = mismatch_of(("dx", -x, x), ("dW", np.zeros(3), w))
    assert found.diagnosis.code == "sign_flipped"
    assert "arrays" not in found.diagnosis.params
    assert "Also wrong: dW." in str(found)


def test_two_arrays_holding_each_others_values_are_swapped_inputs():
    x, y = np.array([1.0, 2.0, 3.0]), np.array([-4.0, 5.0, 0.5])
    found = mismatch_of(("dx", x, y), ("dy", y, x))
    assert found.diagnosis.code == "swapped_inputs"
    assert found.diagnosis.params["arrays"] == ["dx", "dy"]
    assert "dx and dy are swapped" in str(found)


def test_a_sign_flip_of_two_opposite_arrays_is_not_called_a_swap():
    x = np.array([1.0, -2.0, 3.0])
    found = mismatch_of(("dx", -x, x), ("dy", x, -x))
    assert found.diagnosis.code == "sign_flipped"


def test_one_right_array_is_checked_and_not_named():
    x = np.array([1.0, 2.0])
    found = mismatch_of(("dx", x, x), ("dy", 2 * x, x))
    assert found.diagnosis.array == "dy"
    assert "dx" not in str(found)


def test_a_multiply_layer_that_does_not_swap_is_one_swapped_inputs_per_test(tmp_path):
    report = grade_submission(mutant_submission(tmp_path, "MulLayer/no_swap"), seed=SEED)
    failed = [t for t in report["tests"] if t["status"] == "failed"]
    assert failed
    assert {t["diagnosis"]["code"] for t in failed} == {"swapped_inputs"}
    for test in failed:
        arrays = test["diagnosis"]["params"]["arrays"]
        assert len(arrays) == 2 and arrays[0] == test["diagnosis"]["array"]


def test_a_reply_with_too_few_values_names_the_method_once(tmp_path):
    report = grade_submission(mutant_submission(tmp_path, "MulLayer/returns_only_dx"), seed=SEED)
    counted = [t["diagnosis"] for t in report["tests"] if t["diagnosis"] and t["diagnosis"]["code"] == "wrong_count"]
    assert counted
    assert all("arrays" not in d["params"] for d in counted)


def test_the_grouping_is_worded_in_korean():
    x, w, b = np.arange(1.0, 7.0).reshape(2, 3), np.arange(2.0, 5.0), np.array([1.0, 2.0])
    with lang.speaking("ko"):
        found = mismatch_of(("dx", -x, x), ("dW", -w, w), ("db", -b, b))
    assert "dW와 db에도 같은 실수가 있습니다." in str(found)
