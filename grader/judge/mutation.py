"""Mutation analysis from the diagnosis vocabulary: each mistake the diagnoses describe, made on purpose.

A course's suite is only as good as the mistakes it catches. For every
diagnosis code that describes a wrong value (the "shape" and "numbers are
wrong" tables of docs/diagnoses.md), :data:`MISTAKES` holds a way to make that
mistake on a right value: ``transposed`` transposes it, ``missing_batch_sum``
divides a parameter gradient by the batch size, ``border_only`` spoils the
border of its last two axes... The course check (``grader check``) runs the
solutions through ``mutating.MutatingRunner``, which makes one mistake on what one
graded name gives back (what ``backward`` returns, every ``d<param>`` it sets,
what a graded function returns), and asks each time: did the tests take
points for it, and did they diagnose it as itself?

Each mistake is made only where it is unambiguous: its parameters are chosen
so that no other code explains the result too (a factor of 2.5, never 1, -1,
the batch size or its inverse; a border only where there is an inside; a mask
only where the right value has zeros), and ``None`` says "not on this value".
A new diagnosis code adds one entry::

    @mistake("swapped_inputs", N_("the two gradients swapped"), whole=True)
    def _swapped(value, seen):
        ...  # the whole returned value (a tuple); None where it does not apply

and a test that the built-in course gets it diagnosed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from grader.judge.diagnoses.observed import coverage
from grader.lang import N_

SCALE = 2.5  # never 1, -1, a batch size or its inverse: only "scaled" explains it
IMPRECISION = 7e-4  # outside the tolerance (1e-4), inside what "imprecise" names (1e-3)
SPOIL = 0.5  # what a spoiled entry gains, as a share of the array's largest magnitude
ZERO = 1e-7  # an entry this small against the largest is a zero, as the detection counts it
CLEAN = 1e-3  # a masked array's other entries are at least this large against the largest


@dataclass(frozen=True)
class Seen:
    """What the mutated object saw, for a mistake that depends on it."""

    batch: int | None = None  # the batch size of its forward input
    input_shape: tuple | None = None
    scalar_output: bool = False  # its forward returned one number (a loss)
    dout: np.ndarray | None = None  # the upstream gradient its backward got
    parameter: bool = False  # the value is a d<param> its backward set, not a returned value


@dataclass(frozen=True)
class Mistake:
    code: str  # the diagnosis code the mistake deserves
    what: str  # what the mistake does, for the check's messages (marked for translation)
    make: Callable  # (array, Seen) -> the mistaken array, or None where the mistake does not apply
    whole: bool = False  # ``make`` gets the whole returned value (a tuple), not each array


MISTAKES: dict[str, Mistake] = {}


def mistake(code: str, what: str, *, whole: bool = False):
    """Register the decorated function as the way to make the mistake ``code``."""
    def register(make):
        MISTAKES[code] = Mistake(code, what, make, whole)
        return make
    return register


# --- helpers --------------------------------------------------------------------

def _peak(a: np.ndarray) -> float:
    return float(np.abs(a).max()) if a.size else 0.0


def _zeros(a: np.ndarray) -> np.ndarray:
    return np.abs(a) <= ZERO * _peak(a)


def _masked(a: np.ndarray) -> bool:
    """Exact zeros and clearly nonzero entries, both: a mask's doing."""
    zeros = _zeros(a)
    return bool(zeros.any() and (~zeros).any() and np.all(zeros | (np.abs(a) >= CLEAN * _peak(a))))


def _differs(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape != b.shape or not np.allclose(a, b, rtol=1e-2, atol=1e-2 * _peak(a))


def _spoiled(a: np.ndarray, where: np.ndarray) -> np.ndarray | None:
    """``a`` with a constant added where ``where`` is true, if that spoils a nonzero right entry."""
    if not np.any(where & ~_zeros(a)):
        return None  # only zeros would be wrong: "extra_nonzero" would explain it
    return np.where(where, a + SPOIL * _peak(a), a)


def _plane(a: np.ndarray) -> tuple[int, int]:
    return a.shape[-2], a.shape[-1]


# --- the shape is wrong -----------------------------------------------------------

@mistake("transposed", N_("transposed"))
def _transposed(a, seen):
    if a.ndim >= 2 and _differs(a, a.T):
        return a.T.copy()


@mistake("not_reshaped", N_("left in another shape with the same entries"))
def _not_reshaped(a, seen):
    if a.size >= 2:
        return a.reshape(-1) if a.ndim >= 2 else a.reshape(-1, 1)


@mistake("padded", N_("one entry larger at each edge of its last two axes (padding kept)"))
def _padded(a, seen):
    if a.ndim >= 2:
        return np.pad(a, [(0, 0)] * (a.ndim - 2) + [(1, 1), (1, 1)])


@mistake("not_summed", N_("with an extra leading axis that a sum should have removed"))
def _not_summed(a, seen):
    return np.stack([0.2 * a, 0.3 * a, 0.5 * a])


@mistake("wrong_shape", N_("one entry short on its last axis"))
def _wrong_shape(a, seen):
    if a.ndim >= 1 and a.shape[-1] >= 2:
        return a[..., :-1].copy()


# --- the numbers are wrong ----------------------------------------------------------

@mistake("zero", N_("all zeros"))
def _zero(a, seen):
    if np.any(a):
        return np.zeros_like(a)


@mistake("sign_flipped", N_("with the sign flipped"))
def _sign_flipped(a, seen):
    if np.any(a):
        return -a


@mistake("missing_batch_sum", N_("averaged over the batch instead of summed"))
def _missing_batch_sum(a, seen):
    if seen.parameter and seen.batch and seen.batch > 1 and seen.input_shape != a.shape and np.any(a):
        return a / seen.batch


@mistake("missing_batch_mean", N_("times the batch size (the mean's division left out)"))
def _missing_batch_mean(a, seen):
    if not seen.parameter and seen.scalar_output and seen.batch and seen.batch > 1 and a.size >= 2 and np.any(a):
        return a * seen.batch


@mistake("scaled", N_("times 2.5"))
def _scaled(a, seen):
    if a.size >= 2 and np.any(a):
        return a * SCALE


@mistake("missing_upstream", N_("the local gradient alone (dout not multiplied in)"))
def _missing_upstream(a, seen):
    dout = seen.dout
    if seen.parameter or dout is None or dout.shape != a.shape or a.size < 2 or not np.any(a):
        return None
    size = np.abs(dout)
    if size.min() < CLEAN * size.max() or np.allclose(size, size.flat[0]):
        return None  # a dout of one magnitude makes it a multiple, or a sign flip
    return a / dout


@mistake("imprecise", N_("off by 0.07 % everywhere"))
def _imprecise(a, seen):
    if np.any(a):
        return a * (1 + IMPRECISION)


@mistake("flipped", N_("mirrored on its last two axes"))
def _flipped(a, seen):
    if a.ndim >= 2:
        flipped = np.flip(a, axis=(-2, -1))
        if _differs(a, flipped) and _differs(-a, flipped):
            return flipped.copy()


@mistake("reordered", N_("its entries moved along an axis"))
def _reordered(a, seen):
    axes = [axis for axis in range(a.ndim) if a.shape[axis] >= (2 if a.ndim == 1 else 3)]
    if axes:
        rolled = np.roll(a, 1, axis=axes[-1])
        if _differs(a, rolled):
            return rolled


@mistake("inverted_mask", N_("with its mask inverted"))
def _inverted_mask(a, seen):
    if _masked(a):
        return np.where(_zeros(a), _peak(a), 0.0)


@mistake("extra_nonzero", N_("nonzero where it should be 0"))
def _extra_nonzero(a, seen):
    if _masked(a):
        return np.where(_zeros(a), SPOIL * _peak(a), a)


@mistake("extra_zero", N_("0 at some entries that should not be"))
def _extra_zero(a, seen):
    nonzero = np.flatnonzero(~_zeros(a))
    if len(nonzero) >= 2:
        mistaken = a.copy()
        mistaken.flat[nonzero[::2]] = 0.0
        return mistaken


@mistake("border_only", N_("wrong on the border of its last two axes only"))
def _border_only(a, seen):
    if a.ndim >= 2 and min(_plane(a)) >= 3:
        border = np.ones(_plane(a), dtype=bool)
        border[1:-1, 1:-1] = False
        return _spoiled(a, np.broadcast_to(border, a.shape))


@mistake("stride_pattern", N_("wrong on every other row of its last two axes"))
def _stride_pattern(a, seen):
    if a.ndim >= 2 and a.shape[-2] >= 4:
        rows = (np.arange(a.shape[-2]) % 2 == 1)[:, None]
        return _spoiled(a, np.broadcast_to(rows, a.shape))


@mistake("single_slice", N_("wrong in one sample, filter or channel"))
def _single_slice(a, seen):
    axes = [axis for axis in range(a.ndim - 2) if a.shape[axis] >= 2]
    if axes:
        where = np.zeros(a.shape, dtype=bool)
        index = [slice(None)] * a.ndim
        index[axes[0]] = 1
        where[tuple(index)] = True
        return _spoiled(a, where)


@mistake("wrong_values", N_("wrong everywhere in no pattern"))
def _wrong_values(a, seen):
    if np.any(a):
        pattern = np.random.default_rng(a.size).uniform(0.5, 1.5, a.shape)
        return a + SPOIL * _peak(a) * pattern


@mistake("missing_local_gradient", N_("dout passed on unchanged (the local gradient left out)"))
def _missing_local_gradient(a, seen):
    dout = seen.dout
    if not seen.parameter and dout is not None and dout.shape == a.shape and _differs(a, dout) \
            and not _zeros(a).any():
        return dout.copy()  # (where the right value has zeros, "extra_nonzero" explains it as well)


@mistake("swapped_inputs", N_("the gradients of its two inputs swapped"), whole=True)
def _swapped_inputs(value, seen):
    if isinstance(value, tuple) and len(value) >= 2 and all(_number_or_array(v) for v in value[:2]):
        first, second = (np.asarray(v, dtype=np.float64) for v in value[:2])
        if first.shape == second.shape and _differs(first, second):
            return (value[1], value[0], *value[2:])


@mistake("loop_exited_early", N_("its gradient for the first sample only, the rest 0 (a return inside the loop)"))
def _loop_exited_early(a, seen):
    if a.ndim >= 2 and a.shape[0] >= 2 and np.any(a[1:]) and np.any(a[:1]):
        mistaken_ = np.zeros_like(a)  # and the first not quite right either: else "extra_zero" explains it
        mistaken_[:1] = a[:1] + SPOIL * _peak(a) * np.random.default_rng(a.size).uniform(0.5, 1.5, a[:1].shape)
        return mistaken_


@mistake("overlap_not_accumulated", N_("averaged where its windows overlap, instead of summed"))
def _overlap_not_accumulated(a, seen):
    covered = coverage()
    if covered is None or a.ndim < 2 or covered[0].shape != a.shape[-2:]:
        return None
    count = covered[0]
    if (count == 1).any() and np.any(a[..., count >= 2]):
        return a / np.maximum(count, 1)


# --- making a mistake on a value ---------------------------------------------------------

def _number_or_array(value) -> bool:
    return isinstance(value, (int, float, np.ndarray, np.generic)) and not isinstance(value, bool) \
        and np.asarray(value).dtype.kind in "iuf"


def mistaken(value, mistake_: Mistake, seen: Seen):
    """``value`` (a number, an array or a tuple of them) with ``mistake_`` made where it applies,
    and whether it applied anywhere."""
    if mistake_.whole:
        made = mistake_.make(value, seen)
        return (value, False) if made is None else (made, True)
    if isinstance(value, tuple):
        parts = [mistaken(part, mistake_, seen) for part in value]
        return tuple(part for part, _ in parts), any(applied for _, applied in parts)
    if not _number_or_array(value):
        return value, False
    array = np.array(value, dtype=np.float64)
    made = mistake_.make(array, seen)
    if made is None:
        return value, False
    return (float(made) if np.ndim(made) == 0 and not isinstance(value, np.ndarray) else made), True
