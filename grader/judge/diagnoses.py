"""What a wrong answer most likely is, as data: a code, the array, and parameters.

A :class:`Diagnosis` is what the reports count and draw; the hint a student
reads is rendered from it (:func:`render`), so the words can be translated
and the class report can say "12 students: dW transposed" without parsing
prose. The vocabulary (:data:`CODES`) is small and stable; docs/diagnoses.md
describes every code and its parameters.

Detection (:func:`detect`) looks only at the expected and the returned
arrays, plus what the test's layer saw (:func:`note_forward`,
:func:`note_backward`): the input's batch size, whether the forward pass
returned a single loss, and the upstream gradient ``dout``. It knows no
layer: a whole wrong border is padding, every other row is a stride, a
mirror image is a flipped kernel, whatever layer produced it.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from dataclasses import dataclass, field
from itertools import permutations

import numpy as np

try:
    from grader.lang import _, ngettext
except ImportError:  # pragma: no cover - before translations exist
    def _(text: str) -> str:
        return text

    def ngettext(singular: str, plural: str, count: int) -> str:
        return singular if count == 1 else plural

# code -> one line for the documentation; docs/diagnoses.md has the details.
CODES = {
    # how a test ended without a value to compare
    "not_implemented": "the method still raises NotImplementedError",
    "missing": "no such module, class or file in the submission",
    "import": "the module could not be imported (syntax error, import error, unreadable file)",
    "exception": "the student's code raised an exception",
    "crash": "the process running the student's code died",
    "timeout": "the test ran past the time limit",
    "bad_reply": "the code sent back something the grader refuses",
    "grader_error": "the grader itself failed: not the student's fault",
    # the exercise was not done
    "finite_difference": "backward ran its layer's forward on changed inputs: a numerical gradient, not the exercise",
    # what came back is not the right kind of value
    "none": "None where a value was expected (not returned, or not stored in self.dW ...)",
    "wrong_type": "not a number or an array (a string, a list of objects, a tuple where one array was expected)",
    "wrong_count": "a different number of return values than expected",
    "nan_or_inf": "NaN or infinity among the entries",
    # the shape is wrong
    "wrong_shape": "the shape is wrong in no recognised way",
    "transposed": "the right numbers, transposed (also: reshaped without the transpose first)",
    "not_reshaped": "all the numbers, in a different shape",
    "padded": "larger by a border on the last two axes: the padding was not removed",
    "not_summed": "extra axes: a sum over them is missing",
    # the numbers are wrong in a recognisable way
    "zero": "every entry is 0",
    "sign_flipped": "every entry has the wrong sign",
    "scaled": "every entry is the same multiple of the right value",
    "missing_batch_sum": "averaged (or one sample taken) where the batch should be summed",
    "missing_batch_mean": "the batch size times the right value: the mean's division is missing",
    "missing_upstream": "the local gradient alone: the upstream gradient dout is not multiplied in",
    "imprecise": "close to the right values everywhere, just outside the tolerance: a less accurate formula",
    "flipped": "a mirror image of the right values: a flipped kernel",
    "reordered": "the right numbers in the wrong places: an axis order mix-up",
    "inverted_mask": "zero exactly where it should not be and nonzero where it should be zero",
    "extra_nonzero": "the nonzero entries are right, but some that should be 0 are not",
    "extra_zero": "the other entries are right, but some are 0 that should not be",
    "border_only": "only a border of the last two axes is wrong: padding",
    "stride_pattern": "only every other (every k-th) row or column is wrong: the stride",
    "single_slice": "only one channel, filter or sample is wrong: an index mix-up",
    "wrong_values": "wrong in no recognised pattern",
}

STATUS_CODES = ("not_implemented", "missing", "import", "exception", "crash", "timeout", "bad_reply", "grader_error")
PICTURE_LIMIT = 4096  # entries: larger arrays are described, not drawn


@dataclass
class Diagnosis:
    """A stable ``code`` from :data:`CODES`, the ``array`` it concerns (``dW``), and parameters."""

    code: str
    array: str = ""
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.code not in CODES:
            raise ValueError(f"unknown diagnosis code {self.code!r}")

    def to_dict(self) -> dict:
        return {"code": self.code, "array": self.array, "params": _plain(self.params)}


def _plain(value):
    """JSON-ready: tuples to lists, numpy scalars to Python numbers."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


# -- what the layer under test saw -----------------------------------------------------------

_test: ContextVar[dict | None] = ContextVar("what_the_test_saw", default=None)


@contextmanager
def observing():
    """What one test's layers see, kept for the diagnoses of that test only (the engine wraps each test)."""
    token = _test.set({})
    try:
        yield
    finally:
        _test.reset(token)


class _Seen:
    """Reading what the running test saw (nothing, outside a test)."""

    def get(self, key, default=None):
        seen = _test.get()
        return default if seen is None else seen.get(key, default)

    def __setitem__(self, key, value):
        seen = _test.get()
        if seen is not None:
            seen[key] = value


_seen = _Seen()


def note_forward(args: tuple, result) -> None:
    """Remember the batch size of a forward input and whether the output was one number (a loss)."""
    first = next((a for a in args if isinstance(a, np.ndarray)), None)
    loss = isinstance(result, (int, float, np.generic)) or (isinstance(result, np.ndarray) and result.ndim == 0)
    if first is not None and (first.ndim >= 2 or (first.ndim == 1 and loss)):
        _seen["batch"] = int(first.shape[0])
        _seen["input_shape"] = tuple(first.shape)
    _seen["scalar_output"] = np.ndim(result) == 0 if isinstance(result, (int, float, np.ndarray, np.generic)) else False


def note_backward(args: tuple) -> None:
    """Remember the upstream gradient given to backward."""
    if args and isinstance(args[0], (int, float, np.ndarray, np.generic)):
        _seen["dout"] = np.asarray(args[0], dtype=np.float64)


# -- detection --------------------------------------------------------------------------------

def _scale(a: np.ndarray) -> float:
    return float(np.abs(a).max()) if a.size else 0.0


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal up to the slack of a numerical gradient (looser than a verdict: this only names a pattern)."""
    if a.shape != b.shape:
        return False
    scale = max(_scale(a), _scale(b), 1e-12)
    return bool(np.all(np.abs(a - b) <= 1e-3 * np.abs(b) + 1e-4 * scale))


def _wrong(got: np.ndarray, expected: np.ndarray) -> np.ndarray:
    scale = max(_scale(expected), 1e-12)
    return np.abs(got - expected) > 1e-4 * np.abs(expected) + 1e-5 * scale


def _nice(value: float) -> float:
    return float(f"{value:.4g}")


def from_shape(what: str, got_shape: tuple, expected_shape: tuple) -> Diagnosis:
    """A wrong shape: transposed, not reshaped, padding kept, a sum left out, or just wrong."""
    got_shape, expected_shape = tuple(got_shape), tuple(expected_shape)
    params = {"got_shape": list(got_shape), "expected_shape": list(expected_shape)}
    size = int(np.prod(expected_shape))
    if len(got_shape) == len(expected_shape) and sorted(got_shape) == sorted(expected_shape) \
            and got_shape == expected_shape[::-1]:
        return Diagnosis("transposed", what, params)
    if len(got_shape) == len(expected_shape) >= 2 and got_shape[:-2] == expected_shape[:-2]:
        grow = [g - e for g, e in zip(got_shape[-2:], expected_shape[-2:])]
        if grow[0] == grow[1] and grow[0] > 0 and grow[0] % 2 == 0:
            return Diagnosis("padded", what, {**params, "pad": grow[0] // 2})
    if int(np.prod(got_shape)) == size:
        return Diagnosis("not_reshaped", what, params)
    extra = _extra_axes(got_shape, expected_shape)
    if extra is not None:
        return Diagnosis("not_summed", what, {**params, "axes": extra})
    return Diagnosis("wrong_shape", what, params)


def _extra_axes(got_shape: tuple, expected_shape: tuple) -> list | None:
    """The axes of ``got_shape`` to sum away to get ``expected_shape``, keeping order; None if none do."""
    if len(got_shape) <= len(expected_shape):
        return None
    for kept in _subsequences(len(got_shape), len(expected_shape)):
        if tuple(got_shape[i] for i in kept) == tuple(expected_shape):
            return [i for i in range(len(got_shape)) if i not in kept]
    return None


def _subsequences(n: int, k: int):
    if k == 0:
        yield ()
        return
    for first in range(n - k + 1):
        for rest in _subsequences(n - first - 1, k - 1):
            yield (first, *(first + 1 + r for r in rest))


def detect(what: str, got, expected) -> Diagnosis:
    """The most specific pattern that explains ``got`` instead of ``expected`` (same shape, finite)."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    for finder in (_zero, _multiple, _missing_upstream, _one_sample, _imprecise, _rearranged, _masks, _spatial):
        found = finder(what, got, expected)
        if found is not None:
            return found
    return _wrong_values(what, got, expected)


def _zero(what, got, expected):
    if not np.any(got) and np.any(expected):
        return Diagnosis("zero", what)
    return None


def _multiple(what, got, expected):
    """Sign flipped, or every entry the same multiple: of the batch size when it is one."""
    if not np.any(expected):
        return None
    if _same(got, -expected):
        return Diagnosis("sign_flipped", what)
    if expected.size < 2:
        return None
    big = np.abs(expected) > 1e-3 * _scale(expected)
    factor = float(np.median(got[big] / expected[big]))
    if abs(factor) < 1e-9 or np.isclose(factor, 1.0, rtol=1e-3) or not _same(got, factor * expected):
        return None
    params = {"factor": _nice(factor)}
    batch = _seen.get("batch")
    if batch and batch > 1:
        params_batch = {**params, "batch_size": batch}
        summed_parameter = _seen.get("input_shape") not in (None, expected.shape)
        if np.isclose(factor, 1.0 / batch, rtol=1e-3) and summed_parameter:
            return Diagnosis("missing_batch_sum", what, {**params_batch, "how": "mean"})
        if np.isclose(factor, batch, rtol=1e-3) and _seen.get("scalar_output"):
            return Diagnosis("missing_batch_mean", what, params_batch)
    return Diagnosis("scaled", what, params)


def _missing_upstream(what, got, expected):
    dout = _seen.get("dout")
    if dout is None or np.all(np.abs(dout) == 1.0):
        return None
    try:
        product = got * dout
    except ValueError:
        return None
    if product.shape == expected.shape and _same(product, expected):
        return Diagnosis("missing_upstream", what)
    return None


def _one_sample(what, got, expected):
    """A parameter gradient that kept one sample of dout instead of summing over the batch."""
    dout = _seen.get("dout")
    if dout is None or dout.ndim < 2 or dout.shape[1:] != expected.shape or not _same(dout.sum(axis=0), expected):
        return None
    for i in range(dout.shape[0]):
        if _same(got, dout[i]):
            return Diagnosis("missing_batch_sum", what, {"how": "one_sample", "sample": i})
    return None


def _imprecise(what, got, expected):
    """Close to right everywhere, just outside the tolerance: a less accurate formula."""
    if np.any(expected) and _same(got, expected):
        rel = np.abs(got - expected) / np.maximum(np.abs(expected), 1e-12 * max(_scale(expected), 1e-300))
        return Diagnosis("imprecise", what, {"max_relative_error": _nice(float(rel.max()))})
    return None


def _rearranged(what, got, expected):
    """Transposed, flipped or otherwise reordered: the right numbers in the wrong places."""
    if expected.size < 2 or expected.ndim == 0:
        return None
    if expected.ndim >= 2:
        for axes in _flip_axes(expected.ndim):
            if _same(got, np.flip(expected, axis=axes)):
                return Diagnosis("flipped", what, {"axes": list(axes)})
        for perm in permutations(range(expected.ndim)):
            if perm != tuple(range(expected.ndim)) and expected.transpose(perm).shape == expected.shape \
                    and _same(got, expected.transpose(perm)):
                return Diagnosis("transposed", what, {"axes": list(perm)})
        for split in range(1, expected.ndim):
            rows = int(np.prod(expected.shape[:split]))
            matrix = expected.reshape(rows, -1)
            if _same(got, matrix.T.reshape(expected.shape)):
                return Diagnosis("transposed", what, {"as_matrix": [rows, matrix.shape[1]], "reshaped": True})
    if _same(np.sort(got, axis=None), np.sort(expected, axis=None)):
        wrong = _wrong(got, expected)
        return Diagnosis("reordered", what, {"wrong": int(wrong.sum()), "size": int(expected.size)})
    return None


def _flip_axes(ndim: int) -> list[tuple]:
    last_two = (ndim - 2, ndim - 1)
    return [last_two, (ndim - 1,), (ndim - 2,)]


def _masks(what, got, expected):
    """Zeros in the wrong places: the mask inverted, or too few or too many entries blocked."""
    if expected.size < 2:
        return None
    wrong = _wrong(got, expected)
    tiny = 1e-7 * max(_scale(expected), 1e-12)
    expected_zero, got_zero = np.abs(expected) <= tiny, np.abs(got) <= tiny
    if not expected_zero.any() and not got_zero.any():
        return None
    if np.array_equal(expected_zero, ~got_zero) and expected_zero.any() and got_zero.any():
        return Diagnosis("inverted_mask", what, {"wrong": int(wrong.sum()), "size": int(expected.size)})
    if np.all(expected_zero[wrong]):
        return Diagnosis("extra_nonzero", what, {"wrong": int(wrong.sum()), "size": int(expected.size)})
    if np.all(got_zero[wrong]):
        return Diagnosis("extra_zero", what, {"wrong": int(wrong.sum()), "size": int(expected.size)})
    return None


def _spatial(what, got, expected):
    """Where the wrong entries lie: a border, a stride pattern, one slice."""
    if expected.ndim < 2:
        return None
    wrong = _wrong(got, expected)
    if not wrong.any() or wrong.all():
        return None
    return _border(what, wrong) or _stride(what, wrong) or _single_slice(what, wrong)


def _border(what, wrong):
    h, w = wrong.shape[-2:]
    plane = wrong.reshape(-1, h, w).any(axis=0)
    for width in (1, 2, 3):
        if 2 * width >= min(h, w):
            break
        inner = np.zeros((h, w), dtype=bool)
        inner[width:h - width, width:w - width] = True
        band = ~inner
        if not plane[inner].any() and plane[band].mean() >= 0.5:
            return Diagnosis("border_only", what, {"width": width})
    return None


def _stride(what, wrong):
    h, w = wrong.shape[-2:]
    plane = wrong.reshape(-1, h, w).any(axis=0)
    found = {}
    for axis, lines in (("rows", plane.any(axis=1)), ("columns", plane.any(axis=0))):
        for step in (2, 3):
            if len(lines) < 2 * step:
                continue
            for offset in range(step):
                pattern = np.arange(len(lines)) % step == offset
                if np.array_equal(lines, pattern):
                    found[axis] = {"step": step, "offset": offset}
    if not found:
        return None
    axis, pattern = next(iter(found.items()))
    return Diagnosis("stride_pattern", what, {"lines": axis if len(found) == 1 else "rows and columns", **pattern})


def _single_slice(what, wrong):
    if wrong.ndim < 3:
        return None
    for axis in range(wrong.ndim - 2):
        if wrong.shape[axis] < 2:
            continue
        touched = np.flatnonzero(wrong.any(axis=tuple(a for a in range(wrong.ndim) if a != axis)))
        if len(touched) == 1:
            return Diagnosis("single_slice", what, {"axis": axis, "index": int(touched[0])})
    return None


def _wrong_values(what, got, expected):
    wrong = _wrong(got, expected)
    params = {"wrong": int(wrong.sum()), "size": int(expected.size)}
    if expected.ndim and wrong.any():
        params["first"] = [int(i) for i in np.argwhere(wrong)[0]]
    return Diagnosis("wrong_values", what, params)


# -- rendering --------------------------------------------------------------------------------

def _shape(value) -> str:
    return "(" + ", ".join(str(v) for v in value) + ("," if len(value) == 1 else "") + ")"


def _lines(kind) -> str:
    return {"rows": _("row"), "columns": _("column")}.get(kind, _("row and column"))


def _finite_difference(d: Diagnosis) -> str:
    name = f"{d.params['layer']}.backward" if d.params.get("layer") else "backward"
    changed, runs = d.params.get("changed", 0), d.params.get("runs", 0)
    if changed:
        text = ngettext("{name} must compute the gradient itself; yours ran forward {count} time on a changed "
                        "input, which is a numerical gradient (finite differences). Compute it with the chain rule "
                        "from what forward kept: this test gives no points until then.",
                        "{name} must compute the gradient itself; yours ran forward {count} times on changed "
                        "inputs, which is a numerical gradient (finite differences). Compute it with the chain rule "
                        "from what forward kept: this test gives no points until then.", changed)
        return text.format(name=name, count=changed)
    return _("{name} must compute the gradient itself; yours ran forward {count} times in one call, as a "
             "numerical gradient (finite differences) does. Compute it with the chain rule from what forward "
             "kept: this test gives no points until then.").format(name=name, count=runs)


_TEXTS = {
    "not_implemented": lambda d: _("not implemented yet"),
    "missing": lambda d: _("not found in the submission"),
    "import": lambda d: _("the module could not be imported; fix the first error in the file"),
    "exception": lambda d: _("your code raised {type}").format(type=d.params.get("type", "an exception")),
    "crash": lambda d: _("the process running your code stopped"),
    "timeout": lambda d: _("the time limit was reached: look for an infinite loop or very slow code"),
    "bad_reply": lambda d: _("the grader could not accept what your code sent back"),
    "grader_error": lambda d: _("the grader itself failed; not your fault"),
    "finite_difference": _finite_difference,
    "none": lambda d: _("{array} is None: is it computed and returned (or stored, for self.dW and self.db)?").format(
        array=d.array),
    "wrong_type": lambda d: _("{array} is not a number or a numpy array").format(array=d.array),
    "wrong_count": lambda d: _("return exactly {expected} values").format(expected=d.params.get("expected", "?")),
    "nan_or_inf": lambda d: _("look for overflow in exp or a division by zero."),
    "wrong_shape": lambda d: _("{array} should have shape {expected}.").format(
        array=d.array, expected=_shape(d.params.get("expected_shape", ()))),
    "transposed": lambda d: (
        _("it looks transposed: reshaped without transposing first?") if d.params.get("reshaped")
        else _("it looks transposed.")),
    "not_reshaped": lambda d: _("the numbers are all there; reshape to the expected shape."),
    "padded": lambda d: _("it still has the padding: drop {pad} rows and columns at each edge.").format(
        pad=d.params.get("pad", "?")),
    "not_summed": lambda d: _("it has extra axes {axes}: sum over them.").format(
        axes=_shape(d.params.get("axes", ()))),
    "zero": lambda d: _("every entry is 0: is the upstream gradient dout multiplied in, and is the result returned?"),
    "sign_flipped": lambda d: _("the sign is flipped."),
    "scaled": lambda d: _("every entry is {factor} times the right value: a missing or extra factor "
                          "(batch size? dout?).").format(factor=f"{d.params['factor']:g}"),
    "missing_batch_sum": lambda d: (
        _("it is one sample's value, not the sum over the batch.") if d.params.get("how") == "one_sample"
        else _("every entry is 1/{batch} of the right value, and {batch} is the batch size: "
               "sum over the batch instead of averaging.").format(batch=d.params.get("batch_size", "N"))),
    "missing_batch_mean": lambda d: _("every entry is {batch} times the right value, and {batch} is the batch size: "
                                      "divide by the batch size.").format(batch=d.params.get("batch_size", "N")),
    "missing_upstream": lambda d: _("it is the local gradient alone: multiply by the upstream gradient dout."),
    "imprecise": lambda d: _("close to the right values, but not close enough: is the formula less accurate than "
                             "it should be (a one-sided difference, a rounded constant)?"),
    "flipped": lambda d: _("it is a mirror image of the right values: is the kernel flipped?"),
    "reordered": lambda d: _("the right numbers in the wrong places: check the order of axes in "
                             "transpose and reshape."),
    "inverted_mask": lambda d: _("it is 0 exactly where it should not be: is the mask inverted?"),
    "extra_nonzero": lambda d: _("the nonzero entries are right, but some that should be 0 are not: "
                                 "which positions get no gradient?"),
    "extra_zero": lambda d: _("the other entries are right, but some are 0 that should not be: "
                              "which positions get a gradient?"),
    "border_only": lambda d: _("only a border {width} wide is wrong: check the padding.").format(
        width=d.params.get("width", 1)),
    "stride_pattern": lambda d: _("only one {lines} in {step} is wrong: check the stride.").format(
        step=d.params.get("step", 2), lines=_lines(d.params.get("lines"))),
    "single_slice": lambda d: _("only index {index} of axis {axis} is wrong: an index mix-up?").format(
        index=d.params.get("index", "?"), axis=d.params.get("axis", "?")),
    "wrong_values": lambda d: "",
}


def render(diagnosis: Diagnosis | dict | None) -> str:
    """The hint a student reads for a diagnosis ("" when there is nothing to add)."""
    if diagnosis is None:
        return ""
    if isinstance(diagnosis, dict):
        diagnosis = Diagnosis(diagnosis["code"], diagnosis.get("array", ""), dict(diagnosis.get("params", {})))
    return _TEXTS[diagnosis.code](diagnosis)


def picture_arrays(got: np.ndarray, expected: np.ndarray, wrong: np.ndarray) -> dict | None:
    """The two arrays as nested lists, and the indices judged wrong, for a report's picture.

    None when the array is too large to draw or a single number.
    """
    if expected.size > PICTURE_LIMIT or got.shape != expected.shape or expected.ndim == 0:
        return None
    return {"shape": list(expected.shape), "expected": expected.tolist(), "got": got.tolist(),
            "wrong": np.argwhere(wrong).tolist()}
