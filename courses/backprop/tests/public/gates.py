"""Public tests for gates.py: the shopping examples (document 001), the
sigmoid neuron built from gates (document 002), and one gradient check each.

When a test needs a gate that is not under test, the judge computes it from
its reference forward pass (``numeric_vjp``), so a mistake in AddLayer never
costs points on MulLayer and the other way round.
"""
from grader.api import expect_close, numeric_vjp, unpack, check, binary_gate_check, together

from course import hints, reference as ref
from course.helpers import sigmoid_neuron


@check("MulLayer", points=1, kind="document")
def document_apple(student, rng):
    """Document 001: 2 apples at 100 with 10% tax cost 220; dapple 2.2, dapple_num 110, dtax 200."""
    mul_apple, mul_tax = student.new("MulLayer"), student.new("MulLayer")
    apple_price = mul_apple.forward(100, 2)
    expect_close("MulLayer.forward(100, 2)", apple_price, 200.0)
    price = mul_tax.forward(apple_price, 1.1)
    expect_close("price", price, 220.00000000000003)
    dapple_price, dtax = unpack(mul_tax.backward(1), 2, "MulLayer.backward")
    with together():
        expect_close("dtax", dtax, 200, hint=hints.MUL)
        expect_close("dapple_price", dapple_price, 1.1, hint=hints.MUL)
    dapple, dapple_num = unpack(mul_apple.backward(dapple_price), 2, "MulLayer.backward")
    with together():
        expect_close("dapple", dapple, 2.2, hint=hints.MUL)
        expect_close("dapple_num", dapple_num, 110.00000000000001, hint=hints.MUL)


@check("MulLayer", points=1, kind="document")
def document_apple_orange(student, rng):
    """Document 001: apples and oranges with tax; the add gate is the judge's."""
    mul_apple, mul_orange, mul_tax = (student.new("MulLayer") for _ in range(3))
    apple_price = mul_apple.forward(100, 2)
    orange_price = mul_orange.forward(150, 3)
    all_price = ref.add(float(expect_close("apple_price", apple_price, 200)),
                        float(expect_close("orange_price", orange_price, 450)))
    price = mul_tax.forward(all_price, 1.1)
    expect_close("price", price, 715.0000000000001)
    dall_price, dtax = unpack(mul_tax.backward(1), 2, "MulLayer.backward")
    with together():
        expect_close("dtax", dtax, 650, hint=hints.MUL)
        expect_close("dall_price", dall_price, 1.1, hint=hints.MUL)
    dapple_price, dorange_price = numeric_vjp(ref.add, (200.0, 450.0), dall_price)
    dorange, dorange_num = unpack(mul_orange.backward(dorange_price), 2, "MulLayer.backward")
    dapple, dapple_num = unpack(mul_apple.backward(dapple_price), 2, "MulLayer.backward")
    with together():
        expect_close("dapple", dapple, 2.2, hint=hints.MUL)
        expect_close("dapple_num", dapple_num, 110, hint=hints.MUL)
        expect_close("dorange", dorange, 3.3, hint=hints.MUL)
        expect_close("dorange_num", dorange_num, 165, hint=hints.MUL)


@check("AddLayer", points=1.5, kind="document")
def document_apple_orange(student, rng):
    """Document 001: apples and oranges with tax; the multiply gates are the judge's."""
    add = student.new("AddLayer")
    all_price = add.forward(200, 450)
    expect_close("AddLayer.forward(200, 450)", all_price, 650)
    dall_price, dtax = numeric_vjp(ref.mul, (650.0, 1.1), 1.0)
    dapple_price, dorange_price = unpack(add.backward(dall_price), 2, "AddLayer.backward")
    with together():
        expect_close("dapple_price", dapple_price, 1.1, hint=hints.ADD)
        expect_close("dorange_price", dorange_price, 1.1, hint=hints.ADD)


@check("MulLayer", points=1, kind="document")
def document_sigmoid_neuron(student, rng):
    """Document 002: sigmoid(w0*x0 + w1*x1 + w2) with the student's multiply gates."""
    sigmoid_neuron(student, under_test="MulLayer")


@check("AddLayer", points=1.5, kind="document")
def document_sigmoid_neuron(student, rng):
    """Document 002: sigmoid(w0*x0 + w1*x1 + w2) with the student's add gates."""
    sigmoid_neuron(student, under_test="AddLayer")


@check("MulLayer", points=1, kind="numeric")
def numeric_small(student, rng):
    """Gradient check on 2x3 arrays."""
    binary_gate_check(student, rng, "MulLayer", ref.mul, (2, 3), hint=hints.MUL)


@check("AddLayer", points=1, kind="numeric")
def numeric_small(student, rng):
    """Gradient check on 2x3 arrays."""
    binary_gate_check(student, rng, "AddLayer", ref.add, (2, 3), hint=hints.ADD)
