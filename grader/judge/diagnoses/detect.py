"""Detection: what a wrong array most likely is, from the expected and the returned arrays alone.

It knows no layer: a whole wrong border is padding, every other row is a
stride, a mirror image is a flipped kernel, whatever layer produced it.
"""
from __future__ import annotations

from itertools import permutations

import numpy as np

from grader.judge.diagnoses.codes import PICTURE_LIMIT, Diagnosis
from grader.judge.diagnoses.observed import _seen, coverage

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
    for finder in (_zero, _multiple, _missing_upstream, _one_sample, _imprecise, _rearranged, _masks, _missing_local,
                   _first_part_only, _overlaps, _spatial):
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


def _missing_local(what, got, expected):
    """dout passed on unchanged: the local gradient is not multiplied in (the mirror of missing_upstream)."""
    dout = _seen.get("dout")
    if dout is None or dout.shape != got.shape or not np.any(dout) or not _same(got, dout):
        return None
    return Diagnosis("missing_local_gradient", what)


def _first_part_only(what, got, expected):
    """Only the first index of a leading axis, the first window or the first entry of each window got its
    gradient, and all the rest is 0: a loop that returned (or broke) after its first round."""
    if expected.ndim == 0 or not np.any(got):
        return None
    for axis in range(expected.ndim - 1):
        if expected.shape[axis] > 1:
            rest = (slice(None),) * axis + (slice(1, None),)
            if not np.any(got[rest]) and np.any(expected[rest]):
                return Diagnosis("loop_exited_early", what, {"part": "index", "axis": axis})
            break
    covered = coverage()
    if covered is None or expected.ndim < 2 or covered[0].shape != expected.shape[-2:]:
        return None
    planes_got = np.abs(got).reshape(-1, *expected.shape[-2:]).max(axis=0) > 0
    planes_expected = np.abs(expected).reshape(-1, *expected.shape[-2:]).max(axis=0) > 0
    for part, region in (("window", covered[1]), ("position", covered[2])):
        if region.all() or not planes_expected[~region].any():
            continue
        if not planes_got[~region].any():
            return Diagnosis("loop_exited_early", what, {"part": part})
    return None


def _overlaps(what, got, expected):
    """Wrong only where windows overlap, right where one window covers an entry: the overlapping windows'
    gradients were averaged or overwritten instead of summed."""
    covered = coverage()
    if covered is None or expected.ndim < 2 or covered[0].shape != expected.shape[-2:]:
        return None
    count = covered[0]
    wrong = _wrong(got, expected)
    plane = wrong.reshape(-1, *expected.shape[-2:]).any(axis=0)
    if not plane.any() or not (count == 1).any() or plane[count < 2].any():
        return None
    return Diagnosis("overlap_not_accumulated", what, {"wrong": int(wrong.sum()), "size": int(expected.size)})


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


def picture_arrays(got: np.ndarray, expected: np.ndarray, wrong: np.ndarray) -> dict | None:
    """The two arrays as nested lists, and the indices judged wrong, for a report's picture.

    None when the array is too large to draw or a single number.
    """
    if expected.size > PICTURE_LIMIT or got.shape != expected.shape or expected.ndim == 0:
        return None
    return {"shape": list(expected.shape), "expected": expected.tolist(), "got": got.tolist(),
            "wrong": np.argwhere(wrong).tolist()}


def swapped(checked: list[tuple]) -> Diagnosis | None:
    """``swapped_inputs`` when two wrong arrays of one reply each hold the other's right value.

    ``checked`` holds ``(what, got, expected, diagnosis)`` of each wrong array; two arrays whose right values
    are the same cannot show it, and one explained on its own as a sign flip or zeros is that instead.
    """
    arrays = [(what, np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64), found)
              for what, got, expected, found in checked if got is not None and expected is not None]
    for i, (first, got_a, expected_a, found_a) in enumerate(arrays):
        for second, got_b, expected_b, found_b in arrays[i + 1:]:
            if {getattr(found_a, "code", ""), getattr(found_b, "code", "")} & {"sign_flipped", "zero"}:
                continue
            if got_a.shape == expected_b.shape and got_b.shape == expected_a.shape \
                    and not _same(expected_a, expected_b) and _same(got_a, expected_b) and _same(got_b, expected_a):
                return Diagnosis("swapped_inputs", first, {"arrays": [first, second]})
    return None
