"""The hint a student reads, rendered from a diagnosis in the report's language."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from grader.judge.diagnoses.codes import CODES, Diagnosis
from grader.lang import _, ngettext

HINT_OFF = "hint_off"  # a diagnosis's parameter: its exercise does not show the built-in hint
_silenced: ContextVar[frozenset] = ContextVar("hints_switched_off", default=frozenset())


@contextmanager
def silencing(codes):
    """Within the ``with`` block, the diagnoses ``codes`` render no hint (an exercise's ``hints_off``)."""
    token = _silenced.set(frozenset(codes))
    try:
        yield
    finally:
        _silenced.reset(token)


def silenced(diagnosis: Diagnosis) -> bool:
    """Whether the hint of ``diagnosis`` is switched off here (``silencing``) or was where it was made."""
    return diagnosis.code in _silenced.get() or bool(diagnosis.params.get(HINT_OFF))


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


def _pair(d: Diagnosis) -> tuple[str, str]:
    arrays = list(d.params.get("arrays") or [d.array, "?"])
    return arrays[0], arrays[1] if len(arrays) > 1 else "?"


def _part(kind) -> str:
    return {"window": _("window"), "position": _("filter position")}.get(kind, _("index"))


_TEXTS = {
    "not_implemented": lambda d: _("not implemented yet"),
    "missing": lambda d: _("not found in the submission"),
    "not_reached": lambda d: _("defined on line {line}, but running stopped at line {stop} before it").format(
        line=d.params.get("line", "?"), stop=d.params.get("stopped_at", "?")),
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
    "swapped_inputs": lambda d: _("{first} and {second} are swapped: each holds the other's right value.").format(
        first=_pair(d)[0], second=_pair(d)[1]),
    "missing_local_gradient": lambda d: _("it is dout passed on unchanged: multiply by the local gradient."),
    "overlap_not_accumulated": lambda d: _("only where windows overlap is it wrong: add up (+=) the gradients of "
                                           "every window that covers an entry, instead of averaging or "
                                           "overwriting them."),
    "loop_exited_early": lambda d: _("only the first {part} got its gradient: does a return inside the loop end "
                                     "it early?").format(part=_part(d.params.get("part"))),
    "wrong_values": lambda d: "",
}


def describe(code: str) -> tuple[str, str]:
    """A code's name and its one-line explanation in the report's language (the code itself for an unknown one)."""
    name, explanation = CODES.get(code, (code, ""))
    return _(name), _(explanation) if explanation else ""


def render(diagnosis: Diagnosis | dict | None) -> str:
    """The hint a student reads for a diagnosis ("" when there is nothing to add)."""
    if diagnosis is None:
        return ""
    if isinstance(diagnosis, dict):
        diagnosis = Diagnosis(diagnosis["code"], diagnosis.get("array", ""), dict(diagnosis.get("params", {})))
    return "" if silenced(diagnosis) else _TEXTS[diagnosis.code](diagnosis)
