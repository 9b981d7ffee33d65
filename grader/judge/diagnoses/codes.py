"""The vocabulary of mistakes: the codes, and a diagnosis as data (a code, the array, parameters)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# code -> one line for the documentation; docs/diagnoses.md has the details.
CODES = {
    # how a test ended without a value to compare
    "not_implemented": "the method still raises NotImplementedError",
    "missing": "no such module, class or file in the submission",
    "not_reached": "defined in the submission, below where its file or cell stopped running",
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

STATUS_CODES = ("not_implemented", "missing", "not_reached", "import", "exception", "crash", "timeout", "bad_reply",
                "grader_error")
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
