"""The grader's evidence checked on its own: the correct submissions are correct
and every mutant is wrong in an observable way, judged by an independent
float64 gradient checker (numgrad.py), not by the grader."""
from pathlib import Path

import numpy as np
import pytest

from builtin_course import MUTANTS, write_mutant
from numgrad import ASSIGNMENT_OF, LAYERS, load_module, problems

HERE = Path(__file__).parent
SUBMISSIONS = sorted(p for p in (HERE / "submissions").iterdir() if p.is_dir())


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("submission", SUBMISSIONS, ids=lambda p: p.name)
def test_correct_submission_matches_numerical_gradients(submission, layer):
    module = load_module(submission / f"{ASSIGNMENT_OF[layer]}.py")
    for seed in range(3):
        assert problems(module, layer, seed) == []


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.id)
def test_mutant_is_wrong_only_in_its_own_layer(mutant, tmp_path):
    layer = mutant.name
    module = load_module(write_mutant(tmp_path, mutant))
    assert problems(module, layer), f"{mutant.id} is not observably wrong"
    for other in LAYERS:
        if other != layer and ASSIGNMENT_OF[other] == ASSIGNMENT_OF[layer]:
            assert problems(module, other) == []


def test_mutant_says_its_mistake_in_the_first_line_of_its_docstring():
    for mutant in MUTANTS:
        first = mutant.text.splitlines()[0]
        assert first.startswith('"""') and mutant.description == first[3:].strip() and len(mutant.description) > 20, \
            mutant.id


def test_every_layer_has_at_least_three_mutants():
    for layer in LAYERS:
        assert len([m for m in MUTANTS if m.name == layer]) >= 3, layer


@pytest.mark.parametrize("submission", SUBMISSIONS, ids=lambda p: p.name)
def test_submission_reproduces_the_documented_kernel_gradient(submission):
    o = np.array([[0.51, 0.9, 0.88, 0.84, 0.05], [0.4, 0.62, 0.22, 0.59, 0.1],
                  [0.11, 0.2, 0.74, 0.33, 0.14], [0.47, 0.01, 0.85, 0.7, 0.09],
                  [0.76, 0.19, 0.72, 0.17, 0.57]])
    delta = np.array([[0, 0, 0.0686, 0], [0, 0.0364, 0, 0], [0, 0.0467, 0, 0], [0, 0, 0, -0.0681]])
    conv = load_module(submission / "conv_pool.py").Convolution(np.zeros((1, 1, 2, 2)), np.zeros(1), stride=1, pad=0)
    conv.forward(o.reshape(1, 1, 5, 5))
    conv.backward(delta.reshape(1, 1, 4, 4))
    expected = [[0.044606, 0.094061], [0.011262, 0.068288]]
    np.testing.assert_allclose(np.asarray(conv.dW, float).reshape(2, 2), expected, atol=1e-6)


@pytest.mark.parametrize("submission", SUBMISSIONS, ids=lambda p: p.name)
def test_submission_reproduces_the_documented_sigmoid_neuron(submission):
    gates = load_module(submission / "gates.py")
    sigmoid = load_module(submission / "activations.py").Sigmoid()
    w0, x0, w1, x1, w2 = 2.0, -1.0, -3.0, -2.0, -3.0
    m0, m1, a0, a1 = gates.MulLayer(), gates.MulLayer(), gates.AddLayer(), gates.AddLayer()
    z = a1.forward(a0.forward(m0.forward(w0, x0), m1.forward(w1, x1)), w2)
    out = sigmoid.forward(np.array([z]))
    dz = sigmoid.backward(np.ones(1))[0]
    ds, dw2 = a1.backward(dz)
    dp0, dp1 = a0.backward(ds)
    dw0, dx0 = m0.backward(dp0)
    dw1, dx1 = m1.backward(dp1)
    got = [out[0], dw0, dx0, dw1, dx1, dw2]
    expected = [0.7310585786300049, -0.19661193324148185, 0.3932238664829637,
                -0.3932238664829637, -0.5898357997244456, 0.19661193324148185]
    np.testing.assert_allclose(np.asarray(got, float), expected, rtol=1e-6)
