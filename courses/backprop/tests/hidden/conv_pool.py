"""Hidden tests for conv_pool.py: strides, padding, channels, filters, batches,
non-square inputs and kernels, overlapping pooling windows, and ties.

Every case's output map is non-square (OH != OW, after convolution and after
pooling), its batch size differs from its channel count, and the filter count
differs from the channel count, so no height/width, N/C or C/FN mix-up can
pass (tests/mutants/*/col2im_out_h_out_w_swapped.py)."""
import numpy as np

from grader.api import expect_close, N_, check, check_layer, distinct_values

from course import hints, reference as ref

CONV_CASES = {
    "batch3_stride1_pad0": {"x_shape": (3, 1, 5, 7), "w_shape": (2, 1, 3, 3), "stride": 1, "pad": 0},
    "channels3_stride2_pad1": {"x_shape": (1, 3, 5, 7), "w_shape": (2, 3, 3, 3), "stride": 2, "pad": 1},
    "nonsquare_pad2": {"x_shape": (2, 2, 4, 6), "w_shape": (3, 2, 2, 3), "stride": 1, "pad": 2},
    "nonsquare_kernel_stride2": {"x_shape": (1, 2, 7, 5), "w_shape": (3, 2, 3, 2), "stride": 2, "pad": 0},
    "kernel1x1_filters4": {"x_shape": (2, 3, 3, 4), "w_shape": (4, 3, 1, 1), "stride": 1, "pad": 0},
}
POOL_CASES = {
    "2x2_stride2": {"x_shape": (3, 5, 4, 8), "pool": (2, 2), "stride": 2},
    "3x3_stride1_overlapping": {"x_shape": (2, 1, 5, 7), "pool": (3, 3), "stride": 1},
    "2x3_stride2_nonsquare": {"x_shape": (4, 3, 6, 11), "pool": (2, 3), "stride": 2},
    "odd_size_stride2": {"x_shape": (1, 2, 5, 7), "pool": (2, 2), "stride": 2},
}


@check("Convolution", points=1.5, kind="numeric", cases=CONV_CASES)
def numeric(student, rng, x_shape, w_shape, stride, pad):
    """Gradient check of dx, dW and db."""
    params = {"W": rng.standard_normal(w_shape), "b": rng.standard_normal(w_shape[0])}
    check_layer(student, rng, "Convolution", ref.convolution, rng.standard_normal(x_shape), params=params,
                options={"stride": stride, "pad": pad}, hints=hints.CONV, windows=w_shape[-2:])


@check("Convolution", points=1.5, kind="forward")
def forward(student, rng):
    """forward(x) is the cross-correlation of x with W plus b (stride 2, pad 1), and backward is right after it."""
    params = {"W": rng.standard_normal((2, 3, 3, 3)), "b": rng.standard_normal(2)}
    check_layer(student, rng, "Convolution", ref.convolution, rng.standard_normal((2, 3, 5, 6)), params=params,
                options={"stride": 2, "pad": 1}, hints=hints.CONV, check_output=True, windows=(3, 3))


@check("Pooling", points=2, kind="numeric", cases=POOL_CASES)
def numeric(student, rng, x_shape, pool, stride):
    """Gradient check of dx, with distinct values in every window."""
    check_layer(student, rng, "Pooling", ref.max_pool, distinct_values(rng, x_shape), args=pool,
                options={"stride": stride, "pad": 0}, hints={"dx": hints.POOL}, windows=pool)


def first_max_gradient(x, dout, pool_h, pool_w, stride):
    """The course's rule where the derivative is undefined: a window's dout goes to its first maximum."""
    first = ref.pool_windows(x, pool_h, pool_w, stride).argmax(axis=-1)
    n, c, oh, ow = np.indices(first.shape)
    dx = np.zeros_like(x)
    np.add.at(dx, (n, c, oh * stride + first // pool_w, ow * stride + first % pool_w), dout)
    return dx


@check("Pooling", points=2, kind="edge")
def edge_ties(student, rng):
    """Windows whose maximum appears more than once: the gradient goes to the first one (row-major)."""
    x = np.array([[[[1.0, 1.0, 0.0, 2.0], [0.0, 1.0, 2.0, 2.0], [3.0, 3.0, 5.0, 4.0], [3.0, 3.0, 5.0, 5.0]]]])
    x = np.concatenate([x, np.zeros_like(x)], axis=1)
    dout = rng.uniform(1.0, 2.0, (1, 2, 2, 2))
    pool = student.new("Pooling", 2, 2, stride=2, pad=0)
    pool.forward(x)
    expect_close("dx", pool.backward(dout), first_max_gradient(x, dout, 2, 2, 2),
                 hint=N_("on ties send the gradient to the first maximum only, as numpy.argmax picks it."))


@check("Pooling", points=1, kind="forward")
def forward(student, rng):
    """forward(x) is the maximum of every window (3x2 windows, stride 2), and backward is right after it."""
    check_layer(student, rng, "Pooling", ref.max_pool, distinct_values(rng, (2, 2, 6, 5)), args=(3, 2),
                options={"stride": 2, "pad": 0}, hints={"dx": hints.POOL}, check_output=True, windows=(3, 2))
