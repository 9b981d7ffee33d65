"""The suites themselves: every layer has document values and checks, points add up, names are stable."""
from collections import Counter

import pytest

from builtin_course import COURSE, LAYERS
import grader.judge.suites as suites


@pytest.fixture(scope="module")
def checks():
    return suites.collect(COURSE)


def test_points_add_up_to_the_course_file_per_layer(checks):
    per_layer = Counter()
    for c in checks:
        per_layer[c.layer] += c.points
    assert sum(per_layer.values()) == COURSE.max_score
    assert per_layer == {name: points for a in COURSE.assignments for name, points in a.points.items()}


def test_every_layer_has_public_and_hidden_tests(checks):
    for layers in LAYERS.values():
        for layer in layers:
            mine = [c for c in checks if c.layer == layer]
            assert {c.visibility for c in mine} == {"public", "hidden"}, layer
            assert any(c.kind == "numeric" and c.visibility == "public" for c in mine), layer


def test_document_values_are_public(checks):
    documents = [c for c in checks if c.kind == "document"]
    assert documents and all(c.visibility == "public" for c in documents)
    assert {c.layer for c in documents} >= {"MulLayer", "AddLayer", "Sigmoid", "Affine", "SoftmaxWithLoss",
                                            "Convolution", "Pooling"}


def test_names_are_unique_and_every_test_is_described(checks):
    assert len({c.name for c in checks}) == len(checks)
    assert all(c.description for c in checks)


def test_hidden_suite_covers_the_edge_cases(checks):
    names = {c.name for c in checks if c.visibility == "hidden"}
    for expected in ("activations/Relu/edge_exactly_zero", "conv_pool/Pooling/edge_ties",
                     "affine_softmax/Affine/numeric_input_4d", "affine_softmax/SoftmaxWithLoss/edge_large_logits",
                     "affine_softmax/SoftmaxWithLoss/numeric_integer_labels",
                     "conv_pool/Convolution/numeric_channels3_stride2_pad1"):
        assert expected in names


def test_a_test_outside_the_suite_layout_is_refused():
    with pytest.raises(ValueError, match="tests/<public|hidden>/<assignment>.py"):
        suites.check("Relu", points=1, kind="numeric")(lambda student, rng: None)
