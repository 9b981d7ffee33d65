"""An independent checker for submissions: float64 reference forwards, central
differences, and explicit rules where the derivative is a convention (ReLU at 0,
max-pooling ties)."""
import importlib.util
import itertools
import warnings
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

ASSIGNMENT_OF = {
    "MulLayer": "gates", "AddLayer": "gates",
    "Relu": "activations", "Sigmoid": "activations",
    "Affine": "affine_softmax", "SoftmaxWithLoss": "affine_softmax",
    "Convolution": "conv_pool", "Pooling": "conv_pool",
    "numerical_gradient": "learning", "gradient_descent": "learning", "SigmoidWithLoss": "learning",
}
LAYERS = list(ASSIGNMENT_OF)
_counter = itertools.count()


def load_module(path):
    path = Path(path)
    spec = importlib.util.spec_from_file_location(f"checked_{path.stem}_{next(_counter)}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def numeric_gradient(f, x, eps=1e-6):
    """Central differences of the scalar f() with respect to the float64 array x (perturbed in place)."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        saved = x[idx]
        x[idx] = saved + eps
        up = f()
        x[idx] = saved - eps
        down = f()
        x[idx] = saved
        grad[idx] = (up - down) / (2 * eps)
    return grad


# ---- float64 reference forwards -------------------------------------------

def ref_relu(x):
    return np.where(x > 0, x, 0.0)


def ref_sigmoid(x):
    return 0.5 * (np.tanh(0.5 * x) + 1)


def ref_affine(x, W, b):
    return x.reshape(len(x), -1) @ W + b


def ref_softmax_loss(x, labels):
    shifted = x - x.max(axis=1, keepdims=True)
    log_y = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_y[np.arange(len(x)), labels].mean()


def ref_conv(x, W, b, stride, pad):
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    win = sliding_window_view(xp, W.shape[2:], axis=(2, 3))[:, :, ::stride, ::stride]
    return np.einsum("ncijpq,fcpq->nfij", win, W) + b[None, :, None, None]


def pool_windows(x, ph, pw, stride):
    win = sliding_window_view(x, (ph, pw), axis=(2, 3))[:, :, ::stride, ::stride]
    return win.reshape(win.shape[:4] + (-1,))


def ref_pool(x, ph, pw, stride):
    return pool_windows(x, ph, pw, stride).max(axis=-1)


def ref_pool_grad(x, dout, ph, pw, stride):
    """All of each window's gradient to its first maximum in row-major order."""
    first = pool_windows(x, ph, pw, stride).argmax(axis=-1)
    dx = np.zeros_like(x)
    for n, c, i, j in np.ndindex(dout.shape):
        p, q = divmod(first[n, c, i, j], pw)
        dx[n, c, i * stride + p, j * stride + q] += dout[n, c, i, j]
    return dx


# ---- comparing --------------------------------------------------------------

def mismatch(name, got, expected):
    """None when got matches expected (float32 precision allowed), else a description."""
    if got is None:
        return f"{name} is None"
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError) as exc:
        return f"{name} is not numeric: {exc}"
    expected = np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        return f"{name} has shape {got.shape}, expected {expected.shape}"
    scale = max(1.0, float(np.abs(expected).max(initial=0.0)))
    if not np.allclose(got, expected, rtol=1e-4, atol=1e-5 * scale):
        worst = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(got - expected)), got.shape))
        return f"{name} differs at {list(worst)}: expected {expected[worst]:.6g}, got {got[worst]:.6g}"
    return None


class Probe:
    """Runs one layer of a module through cases and collects what is wrong."""

    def __init__(self, module, layer):
        self.cls = getattr(module, layer)
        self.layer = layer
        self.problems = []

    def expect(self, case, name, got, expected):
        problem = mismatch(name, got, expected)
        if problem:
            self.problems.append(f"{self.layer} {case}: {problem}")

    def run(self, case, body):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                body()
        except Exception as exc:  # a crash in student code is a finding, not a checker error
            self.problems.append(f"{self.layer} {case}: raised {type(exc).__name__}: {exc}")


# ---- per-layer checks -------------------------------------------------------

def check_gates(probe, rng):
    is_mul = probe.layer == "MulLayer"
    op = (lambda a, b: a * b) if is_mul else (lambda a, b: a + b)

    def scalar_case():
        layer = probe.cls()
        probe.expect("scalars", "out", layer.forward(100.0, 2.0), op(100.0, 2.0))
        dx, dy = layer.backward(1.5)
        probe.expect("scalars", "dx", dx, 1.5 * 2.0 if is_mul else 1.5)
        probe.expect("scalars", "dy", dy, 1.5 * 100.0 if is_mul else 1.5)

    def array_case():
        x, y, dout = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
        layer = probe.cls()
        probe.expect("arrays", "out", layer.forward(x.copy(), y.copy()), op(x, y))
        dx, dy = layer.backward(dout.copy())
        probe.expect("arrays", "dx", dx, numeric_gradient(lambda: np.sum(op(x, y) * dout), x))
        probe.expect("arrays", "dy", dy, numeric_gradient(lambda: np.sum(op(x, y) * dout), y))

    probe.run("scalars", scalar_case)
    probe.run("arrays", array_case)


def check_elementwise(probe, rng):
    ref = ref_relu if probe.layer == "Relu" else ref_sigmoid

    def smooth_case():
        x = rng.uniform(0.1, 4, size=(4, 5)) * rng.choice([-1, 1], size=(4, 5))
        dout = rng.normal(size=x.shape)
        layer = probe.cls()
        probe.expect("random", "out", layer.forward(x.copy()), ref(x))
        dx = layer.backward(dout.copy())
        probe.expect("random", "dx", dx, numeric_gradient(lambda: np.sum(ref(x) * dout), x))

    def zero_case():  # the derivative at 0 is a convention: 0 for ReLU
        x = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])
        dout = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        layer = probe.cls()
        layer.forward(x.copy())
        probe.expect("zeros", "dx", layer.backward(dout.copy()), np.where(x > 0, dout, 0.0))

    probe.run("random", smooth_case)
    if probe.layer == "Relu":
        probe.run("zeros", zero_case)


def check_affine(probe, rng):
    def case(shape, M):
        def body():
            x = rng.normal(size=shape)
            D = int(np.prod(shape[1:]))
            W, b = rng.normal(size=(D, M)), rng.normal(size=M)
            dout = rng.normal(size=(shape[0], M))
            layer = probe.cls(W.copy(), b.copy())
            probe.expect(str(shape), "out", layer.forward(x.copy()), ref_affine(x, W, b))
            dx = layer.backward(dout.copy())
            loss = lambda: np.sum(ref_affine(x, W, b) * dout)
            probe.expect(str(shape), "dx", dx, numeric_gradient(loss, x))
            probe.expect(str(shape), "dW", layer.dW, numeric_gradient(loss, W))
            probe.expect(str(shape), "db", layer.db, numeric_gradient(loss, b))
        probe.run(str(shape), body)

    case((4, 6), 3)
    case((3, 2, 2, 2), 5)


def check_softmax(probe, rng):
    def case(N, K, integer_labels):
        name = f"N={N} K={K} {'integer' if integer_labels else 'one-hot'} labels"

        def body():
            x = rng.normal(size=(N, K)) * 2
            labels = rng.integers(0, K, size=N)
            t = labels if integer_labels else np.eye(K)[labels]
            layer = probe.cls()
            probe.expect(name, "loss", layer.forward(x.copy(), t.copy()), ref_softmax_loss(x, labels))
            dx = layer.backward(1)
            probe.expect(name, "dx", dx, numeric_gradient(lambda: ref_softmax_loss(x, labels), x))
        probe.run(name, body)

    for integer_labels in (False, True):
        case(4, 5, integer_labels)
        case(3, 3, integer_labels)


def check_conv(probe, rng):
    def case(x_shape, w_shape, stride, pad):
        name = f"x{x_shape} W{w_shape} stride={stride} pad={pad}"

        def body():
            x, W = rng.normal(size=x_shape), rng.normal(size=w_shape)
            b = rng.normal(size=w_shape[0])
            out = ref_conv(x, W, b, stride, pad)
            dout = rng.normal(size=out.shape)
            layer = probe.cls(W.copy(), b.copy(), stride=stride, pad=pad)
            probe.expect(name, "out", layer.forward(x.copy()), out)
            dx = layer.backward(dout.copy())
            loss = lambda: np.sum(ref_conv(x, W, b, stride, pad) * dout)
            probe.expect(name, "dx", dx, numeric_gradient(loss, x))
            probe.expect(name, "dW", layer.dW, numeric_gradient(loss, W))
            probe.expect(name, "db", layer.db, numeric_gradient(loss, b))
        probe.run(name, body)

    case((2, 3, 5, 5), (2, 3, 3, 3), 1, 0)
    case((2, 2, 6, 6), (3, 2, 3, 3), 2, 1)
    case((1, 2, 7, 6), (2, 2, 2, 3), 2, 0)


def check_pool(probe, rng):
    def case(x, ph, pw, stride, name):
        def body():
            out = ref_pool(x, ph, pw, stride)
            dout = rng.normal(size=out.shape)
            layer = probe.cls(ph, pw, stride=stride, pad=0)
            probe.expect(name, "out", layer.forward(x.copy()), out)
            probe.expect(name, "dx", layer.backward(dout.copy()), ref_pool_grad(x, dout, ph, pw, stride))
        probe.run(name, body)

    distinct = lambda shape: rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1 - 1.0
    case(distinct((2, 3, 4, 4)), 2, 2, 2, "2x2 stride 2")
    case(distinct((1, 2, 7, 7)), 3, 3, 2, "3x3 stride 2 overlapping")
    case(distinct((2, 1, 5, 6)), 2, 3, 1, "2x3 stride 1")
    case(rng.integers(0, 2, size=(2, 2, 4, 4)).astype(float), 2, 2, 2, "ties")
    case(distinct((1, 2, 4, 8)), 2, 2, 2, "2x2 stride 2, output map 2x4")


def ref_binary_cross_entropy(x, t):
    return np.mean(np.logaddexp(0.0, x) - t * x)


def check_numerical_gradient(probe, rng):
    """Against hand-derived gradients; small x makes a forward difference's error (h) stand out."""
    functions = {
        "sum of squares": (lambda x: np.sum(x ** 2), lambda x: 2 * x),
        "square of the sum": (lambda x: np.sum(x) ** 2, lambda x: np.full_like(x, 2 * np.sum(x))),
    }
    for name, (f, gradient) in functions.items():
        def body(f=f, gradient=gradient, name=name):
            x = rng.uniform(0.001, 0.02, size=(3, 2)) * rng.choice([-1, 1], size=(3, 2))
            given = x.copy()
            probe.expect(name, "gradient", probe.cls(f, given), gradient(x))
            if not np.array_equal(given, x):
                probe.problems.append(f"{probe.layer} {name}: x was changed")
        probe.run(name, body)


def check_gradient_descent(probe, rng):
    """With the module's numerical_gradient replaced by the exact one, x ends at x0 (1 - 2 lr)^steps."""
    namespace = probe.cls.__globals__
    for lr, steps, given in ((0.1, 3, True), (0.01, 100, False)):
        name = f"lr={lr} steps={steps}"

        def body(lr=lr, steps=steps, given=given):
            x0 = rng.normal(size=4)
            saved = namespace.get("numerical_gradient")
            namespace["numerical_gradient"] = lambda f, x: 2 * np.asarray(x, dtype=float)
            try:
                result = probe.cls(lambda x: np.sum(x ** 2), x0.copy(), lr=lr, step_num=steps) if given \
                    else probe.cls(lambda x: np.sum(x ** 2), x0.copy())
            finally:
                namespace["numerical_gradient"] = saved
            if isinstance(result, tuple):
                result = result[0]
            probe.expect(name, "x", result, x0 * (1 - 2 * lr) ** steps)
        probe.run(name, body)


def check_sigmoid_loss(probe, rng):
    for shape in ((6,), (5, 1)):
        name = f"shape {shape}"

        def body(shape=shape):
            x = rng.normal(size=shape) * 3
            t = (rng.random(shape) < 0.5).astype(float)
            layer = probe.cls()
            probe.expect(name, "loss", layer.forward(x.copy(), t.copy()), ref_binary_cross_entropy(x, t))
            probe.expect(name, "dx", layer.backward(1), numeric_gradient(lambda: ref_binary_cross_entropy(x, t), x))
        probe.run(name, body)


CHECKS = {
    "MulLayer": check_gates, "AddLayer": check_gates,
    "Relu": check_elementwise, "Sigmoid": check_elementwise,
    "Affine": check_affine, "SoftmaxWithLoss": check_softmax,
    "Convolution": check_conv, "Pooling": check_pool,
    "numerical_gradient": check_numerical_gradient, "gradient_descent": check_gradient_descent,
    "SigmoidWithLoss": check_sigmoid_loss,
}


def problems(module, layer, seed=0):
    """Everything wrong with module's layer, as readable lines; [] when it is correct."""
    probe = Probe(module, layer)
    CHECKS[layer](probe, np.random.default_rng(seed))
    return probe.problems
