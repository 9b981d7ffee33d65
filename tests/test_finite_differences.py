"""The exercise is the analytic gradient: a backward computed by finite differences of the layer's own
forward is diagnosed ``finite_difference`` and earns no points, while a backward that runs forward
again on what it kept, and every correct submission, keeps full marks."""
import re
from pathlib import Path

import numpy as np
import pytest

import finite_differences as fd
import grader.judge.diagnoses as diagnoses
import grader.judge.engine as engine
from grader.sandbox.child.forward_watch import SNAPSHOT_BYTES, ForwardWatch
from grader.sandbox.replies import ForwardRuns, forward_runs

HERE = Path(__file__).parent
SEED = 20240917
REQUIRED = [(layer, route) for layer in ("MulLayer", "Relu", "Affine", "Convolution") for route in fd.ROUTES]
OTHERS = [(layer, "self") for layer in ("AddLayer", "Sigmoid", "SoftmaxWithLoss", "Pooling")]
ENGLISH = re.compile(r"(\w+)\.backward must compute the gradient itself; yours ran forward (\d+) times? on "
                     r"(a )?changed inputs?, which is a numerical gradient \(finite differences\)")


def graded(folder, layer, route, **options):
    return engine.grade_submission(fd.submission(folder, layer, route), seed=SEED, **options)


def assert_only_its_layer_loses_everything(report, layer):
    own = [t for t in report["tests"] if t["layer"] == layer]
    others = [t for t in report["tests"] if t["layer"] != layer]
    assert own
    for test in own:
        assert (test["status"], test["score"]) == ("failed", 0.0), test
        diagnosis = test["diagnosis"]
        assert diagnosis["code"] == "finite_difference", test
        assert diagnosis["params"]["layer"] == layer and diagnosis["params"]["changed"] >= 1, diagnosis
        assert diagnosis["params"]["runs"] >= diagnosis["params"]["changed"], diagnosis
        found = ENGLISH.match(test["message"])
        assert found and found.group(1) == layer, test["message"]
        assert int(found.group(2)) == diagnosis["params"]["changed"], test["message"]
    lost = [t for t in others if t["score"] != t["max_score"] or t["diagnosis"] is not None]
    assert not lost, lost


@pytest.mark.parametrize("layer, route", REQUIRED + OTHERS, ids=lambda v: v)
def test_a_numerical_backward_earns_no_points_on_its_layer_only(tmp_path, layer, route):
    assert_only_its_layer_loses_everything(graded(tmp_path, layer, route), layer)


@pytest.mark.parametrize("route", sorted(fd.SIDE_ROUTES))
def test_forward_reached_around_the_attribute_is_still_seen(tmp_path, route):
    """The class __dict__, a reference kept at import or in a closure, __wrapped__, __func__, a function
    rebuilt from forward's code: each is the same function object, whose code is what is watched."""
    assert_only_its_layer_loses_everything(graded(tmp_path, "MulLayer", route), "MulLayer")


def test_the_same_verdict_without_isolation(tmp_path):
    assert_only_its_layer_loses_everything(graded(tmp_path, "Affine", "class", in_process=True), "Affine")


def test_the_message_is_korean_for_korean_students(tmp_path, korean):
    report = graded(tmp_path, "Relu", "self")
    messages = [t["message"] for t in report["tests"] if t["layer"] == "Relu"]
    assert messages and all(re.match(r"Relu\.backward는 기울기를 직접 계산해야 합니다\. 제출한 코드는 "
                                     r"값을 바꾼 입력으로 forward를 \d+번 실행했는데", m) for m in messages), messages
    assert not any("must compute" in m for m in messages)


def test_a_backward_that_runs_forward_again_on_what_it_kept_keeps_full_marks(monkeypatch):
    """tests/submissions/recompute runs forward once or twice in every backward, on the kept inputs, an
    in-place changed array, a float32 copy, a reshaped copy, labels of another size: all counted, none flagged."""
    seen = []
    decide = engine.numerical_backward

    def spy(layer, runs):
        seen.extend(runs)
        return decide(layer, runs)

    monkeypatch.setattr(engine, "numerical_backward", spy)
    report = engine.grade_submission(HERE / "submissions" / "recompute", seed=SEED)
    assert report["score"] == report["max_score"], [t["message"] for t in report["tests"] if t["score"] == 0]
    counted = {r.layer for r in seen}
    assert counted == {"MulLayer", "AddLayer", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "Convolution",
                       "Pooling", "SigmoidWithLoss"}
    assert all(r.changed == 0 and 1 <= r.runs <= engine.FORWARD_RUNS_ALLOWED for r in seen), seen


def test_an_error_in_a_watched_forward_shows_only_the_students_lines(tmp_path):
    fd.submission(tmp_path, "MulLayer", "self")
    gates = tmp_path / "gates.py"
    gates.write_text(gates.read_text() + "\n\ndef _refusing(self, x, y):\n    if getattr(self, 'done', False):\n"
                     "        raise ValueError('forward twice')\n    self.done = True\n    self.x, self.y = x, y\n"
                     "    return x * y\n\n\nMulLayer.forward = _refusing\n")
    report = engine.grade_submission(tmp_path, seed=SEED, assignments=["gates"])
    raised = [t for t in report["tests"] if t["layer"] == "MulLayer" and t["diagnosis"]["code"] == "exception"]
    assert raised, [t["message"] for t in report["tests"]]
    for test in raised:
        assert "raise ValueError('forward twice')" in test["message"], test["message"]
        assert "forward watch" not in test["message"] and "forward_watch" not in test["message"], test["message"]


# -- the child's counts, and the judge's reading of them ------------------------------------------------


class Layer:
    def forward(self, x):
        self.x = x
        return x * 2.0

    def backward(self, dout):
        return 2.0 * dout


def counts(obj, x, backward):
    """What the watch reports for ``backward`` run after ``forward(x)`` (student code is this file)."""
    watch = ForwardWatch(lambda code: code.co_filename == __file__)
    try:
        watch.call(1, obj, "forward", obj.forward, (x,), {})
        return watch.call(1, obj, "backward", lambda: backward(obj), (), {})[1]
    finally:
        watch.close()


def test_nudging_the_judges_own_array_in_place_is_a_changed_input():
    """A one-entry input nudged in place and restored: the object is the judge's, its values are not."""
    def central(layer):
        layer.x[0] += 1e-4
        plus = layer.forward(layer.x)
        layer.x[0] -= 2e-4
        minus = layer.forward(layer.x)
        layer.x[0] += 1e-4
        return (plus - minus) / 2e-4

    assert counts(Layer(), np.array([0.5]), central) == (2, 2)


def test_a_forward_that_changed_its_input_in_place_may_run_again_on_it():
    class InPlace(Layer):
        def forward(self, x):
            x *= 2.0
            self.x = x
            return x

    assert counts(InPlace(), np.array([1.0, -1.0]), lambda layer: layer.forward(layer.x)) == (1, 0)


def test_a_third_run_on_the_same_input_is_counted_against_the_limit():
    def thrice(layer):
        for _ in range(3):
            layer.forward(layer.x)

    runs = counts(Layer(), np.ones(3), thrice)
    assert runs == (3, 0)
    flagged = engine.numerical_backward("Layer", [ForwardRuns("Layer", 3, 0)])
    assert engine.numerical_backward("Layer", [ForwardRuns("Layer", 2, 0), ForwardRuns("Other", 9, 9)]) is None
    assert flagged.code == "finite_difference" and flagged.params == {"layer": "Layer", "runs": 3, "changed": 0}
    assert "ran forward 3 times in one call" in diagnoses.render(flagged)


def test_a_backward_that_never_runs_forward_sends_nothing():
    assert counts(Layer(), np.ones(3), lambda layer: layer.backward(1.0)) is None


def test_a_large_input_is_compared_without_being_copied():
    watch = ForwardWatch(lambda code: True)
    large, small = np.zeros(SNAPSHOT_BYTES // 8 + 1), np.zeros(4)
    watch.call(1, Layer(), "forward", lambda *a: None, (large, small), {})
    kept = watch._inputs[1]
    assert kept[0].before is None and kept[0].value is large
    assert kept[1].before is not small and np.array_equal(kept[1].before, small)


def test_only_the_students_functions_are_changed_and_all_get_their_code_back():
    class Other(Layer):
        pass

    code = Layer.forward.__code__
    watch = ForwardWatch(lambda c: c.co_filename == __file__)
    watch.call(1, Other(), "backward", lambda: None, (), {})
    assert Layer.forward.__code__ is not code and watch.original(Layer.forward).__code__ is code
    watch.close()
    assert Layer.forward.__code__ is code
    refusing = ForwardWatch(lambda c: False)
    refusing.call(1, Other(), "backward", lambda: None, (), {})
    assert Layer.forward.__code__ is code


@pytest.mark.parametrize("entries, expected", [
    ([[1, 4, 2]], [(4, 2)]),
    ([[0, 4, 2]], []),  # step 0 is a forward call, not a backward
    ([[1, 2, 3]], []),  # more changed runs than runs
    ([[1, True, 0]], []),
    ([[1, -1, 0]], []),
    ([[5, 4, 2]], []),
    ("many", []),
    ([[1, 4]], []),
    ([[1, 9, 9], [1, 4, 2]], [(4, 2)]),  # one count per step
])
def test_the_judge_ignores_counts_that_make_no_sense(entries, expected):
    assert forward_runs({"forward_runs": entries}, ["forward", "backward", None]) == expected
