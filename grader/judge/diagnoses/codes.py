"""The vocabulary of mistakes: the codes, and a diagnosis as data (a code, the array, parameters)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from grader.lang import N_

# code -> (its name, one line saying what it means): what the reports show for a code, in the report's language
# (grader.judge.diagnoses.describe); docs/diagnoses.md has the details and the parameters.
CODES = {
    # how a test ended without a value to compare
    "not_implemented": (N_("not implemented yet"), N_("the method still raises NotImplementedError")),
    "missing": (N_("not found"), N_("no such module, class or file in the submission")),
    "not_reached": (N_("not reached"),
                    N_("defined in the submission, below where its file or cell stopped running")),
    "import": (N_("import failed"),
               N_("the module could not be imported (syntax error, import error, unreadable file)")),
    "exception": (N_("exception"), N_("the student's code raised an exception")),
    "crash": (N_("process died"), N_("the process running the student's code died")),
    "timeout": (N_("time limit"), N_("the test ran past the time limit")),
    "bad_reply": (N_("refused value"), N_("the code sent back something the grader refuses")),
    "grader_error": (N_("grader error"), N_("the grader itself failed: not the student's fault")),
    # the exercise was not done
    "finite_difference": (N_("numerical gradient"),
                          N_("backward ran its layer's forward on changed inputs: a numerical gradient, "
                             "not the exercise")),
    # what came back is not the right kind of value
    "none": (N_("None returned"), N_("None where a value was expected (not returned, or not stored in self.dW ...)")),
    "wrong_type": (N_("not an array"), N_("not a number or an array (a string, a list of objects, a tuple "
                                          "where one array was expected)")),
    "wrong_count": (N_("wrong number of values"), N_("a different number of return values than expected")),
    "nan_or_inf": (N_("NaN or inf"), N_("NaN or infinity among the entries")),
    # the shape is wrong
    "wrong_shape": (N_("wrong shape"), N_("the shape is wrong in no recognised way")),
    "transposed": (N_("transposed"),
                   N_("the right numbers, transposed (also: reshaped without the transpose first)")),
    "not_reshaped": (N_("not reshaped"), N_("all the numbers, in a different shape")),
    "padded": (N_("padding kept"), N_("larger by a border on the last two axes: the padding was not removed")),
    "not_summed": (N_("sum missing"), N_("extra axes: a sum over them is missing")),
    # the numbers are wrong in a recognisable way
    "zero": (N_("all zero"), N_("every entry is 0")),
    "sign_flipped": (N_("sign flipped"), N_("every entry has the wrong sign")),
    "scaled": (N_("scaled"), N_("every entry is the same multiple of the right value")),
    "missing_batch_sum": (N_("batch not summed"),
                          N_("averaged (or one sample taken) where the batch should be summed")),
    "missing_batch_mean": (N_("batch mean missing"),
                           N_("the batch size times the right value: the mean's division is missing")),
    "missing_upstream": (N_("upstream gradient missing"),
                         N_("the local gradient alone: the upstream gradient dout is not multiplied in")),
    "missing_local_gradient": (N_("local gradient missing"),
                               N_("dout passed on unchanged: the local gradient is not multiplied in")),
    "swapped_inputs": (N_("inputs swapped"),
                       N_("each input's gradient holds the other input's: the inputs were not swapped in backward")),
    "overlap_not_accumulated": (N_("overlaps not summed"),
                                N_("where windows overlap, their gradients were averaged or overwritten "
                                   "instead of summed")),
    "loop_exited_early": (N_("loop ended early"),
                          N_("only the first window or filter position got its gradient: a return inside the "
                             "loop?")),
    "imprecise": (N_("imprecise"),
                  N_("close to the right values everywhere, just outside the tolerance: a less accurate formula")),
    "flipped": (N_("flipped kernel"), N_("a mirror image of the right values: a flipped kernel")),
    "reordered": (N_("axes mixed up"), N_("the right numbers in the wrong places: an axis order mix-up")),
    "inverted_mask": (N_("inverted mask"),
                      N_("zero exactly where it should not be and nonzero where it should be zero")),
    "extra_nonzero": (N_("nonzero where 0"), N_("the nonzero entries are right, but some that should be 0 are not")),
    "extra_zero": (N_("0 where nonzero"), N_("the other entries are right, but some are 0 that should not be")),
    "border_only": (N_("border wrong"), N_("only a border of the last two axes is wrong: padding")),
    "stride_pattern": (N_("stride pattern"), N_("only every other (every k-th) row or column is wrong: the stride")),
    "single_slice": (N_("one slice wrong"), N_("only one channel, filter or sample is wrong: an index mix-up")),
    "wrong_values": (N_("wrong values"), N_("wrong in no recognised pattern")),
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
