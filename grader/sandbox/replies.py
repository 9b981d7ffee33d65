"""What a reply from the child means: checked strictly where it enters the judge, then worded for the student.

A reply is the student's process talking: every field is checked for its
type and size (anything else is a :class:`~grader.sandbox.BadReply`), every
string is cleaned (``grader.lang.sanitize``), what the child says as data is
worded (``words.py``), and an error becomes the exception
whose message a student reads: the call that failed, the exception, the
file and line, and a hint where the grader knows one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from grader.sandbox.errors import BadReply, StudentCodeError, StudentException
import grader.sandbox.child.wire as wire
from grader.sandbox.notes import checked_not_reached, note_text
from grader.sandbox.words import checked_extras, error_message, printed, traceback_text, unsupported
from grader.sandbox.child.capture import OUTPUT_LIMIT
from grader.lang import _
from grader.lang.sanitize import clean



def parse_reply(reply: dict, buffers: list, sequence: int | None = None, steps: int | None = None):
    """Check a reply's shape strictly; anything unexpected is a WireError.

    ``sequence`` is the number of the request this must answer: a reply to
    another request (one forged in advance, or left over) is refused. A
    reply to a ``sequence`` request of ``steps`` steps has the value
    ``(values, stopped)``: the results of the steps done, and the error of
    the step that failed or None. Every string is cleaned here, where it
    enters the judge (see ``grader.lang.sanitize``).
    """
    ok = reply.get("ok")
    if type(ok) is not bool:
        raise wire.WireError("reply lacks its status or output")
    if sequence is not None and (type(reply.get("seq")) is not int or reply["seq"] != sequence):
        raise wire.WireError("reply answers another request")
    output = printed(*printed_by(reply))
    if ok and steps is not None:
        values, stopped = reply.get("values"), reply.get("stopped")
        if type(values) is not list or len(values) > steps or (stopped is None) != (len(values) == steps):
            raise wire.WireError("reply does not match the steps asked for")
        decoder = wire.Decoder(buffers, unsupported=unsupported)
        decoded = tuple(decoder.value(v) for v in values)
        decoder.finish()
        return True, (decoded, None if stopped is None else _checked_error(stopped)), output
    if ok:
        decoder = wire.Decoder(buffers, unsupported=unsupported)
        value = decoder.value(reply.get("value"))
        decoder.finish()
        return True, value, output
    if buffers:
        raise wire.WireError("reply has a malformed error")
    return False, _checked_error(reply.get("error")), output


def reply_notes(reply: dict) -> list[tuple[str | None, str]]:
    """The notes a reply carries (``notes.py``): ``(the file each is about, or None; its words)``."""
    notes = reply.get("notes", [])
    if type(notes) is not list or len(notes) > 200:
        raise wire.WireError("reply has malformed notes")
    return [note_text(note) for note in notes]


def printed_by(reply: dict) -> tuple[str, int]:
    """What a reply says student code printed: ``(text kept, characters not kept)``, checked and cleaned."""
    output, cut = reply.get("output"), reply.get("output_cut", 0)
    if type(output) is not str or type(cut) is not int or not 0 <= cut <= MAX_CUT:
        raise wire.WireError("reply lacks its status or output")
    return clean(output[: 2 * OUTPUT_LIMIT]), cut


MAX_CUT = 1 << 50  # more characters than anything prints in a test's time


def _checked_error(error) -> dict:
    if type(error) is dict and error.get("kind") == "not_reached":
        return checked_not_reached(error)
    if type(error) is not dict or not _valid_error(error):
        raise wire.WireError("reply has a malformed error")
    extras = checked_extras(error)
    error = {k: clean(v) if type(v) is str else v for k, v in error.items() if k not in _EXTRAS}
    if error.get("where") is not None:
        error["where"] = [clean(error["where"][0]), error["where"][1]]
    return {**error, **extras}


@dataclass(frozen=True)
class ForwardRuns:
    """A ``backward`` call during which the forward of its layer's class ran (``forward_watch.py`` counts).

    Counted in the student's process, so untrusted: a forged count can only
    hide what the code did, never make another submission look worse.
    """

    layer: str  # the class name the judge created the object as
    runs: int  # how many times forward ran during the call
    changed: int  # how many of those runs had an input that differs from the layer's last forward input


def forward_runs(reply: dict, methods: list) -> list[tuple[int, int]]:
    """The ``(runs, changed)`` counts a reply gives for the ``backward`` calls among ``methods`` (one per
    step; ``None`` for a read); an entry that is malformed, or not about a ``backward`` step, is ignored."""
    entries = reply.get("forward_runs")
    found = {}
    for entry in entries[: len(methods)] if type(entries) is list else ():
        if type(entry) is list and len(entry) == 3 and all(type(n) is int for n in entry):
            step, runs, changed = entry
            if 0 <= step < len(methods) and methods[step] == "backward" and 0 <= changed <= runs:
                found[step] = (runs, changed)
    return list(found.values())


_ERROR_FIELDS = {
    "missing": {"kind": str},
    "not_callable": {"kind": str, "type": str},
    "exception": {"kind": str, "type": str, "message": str, "traceback": str, "where": (list, type(None))},
}


def _valid_error(error: dict) -> bool:
    fields = _ERROR_FIELDS.get(error.get("kind"))
    if fields is None or not set(fields) <= error.keys() <= set(fields) | {"text", "line"} | _EXTRAS:
        return False
    if not all(isinstance(error[k], t) for k, t in fields.items()):
        return False
    if any(key in error and type(error[key]) is not str for key in ("text", "line")):
        return False
    where = error.get("where")
    if where is not None and not (len(where) == 2 and type(where[0]) is str and type(where[1]) is int):
        return False
    return all(len(error[k]) <= 10_000 for k in error if isinstance(error[k], str))


_EXTRAS = {"said", "undefined", "module", "skipped"}  # what the grader knows of an exception: words.checked_extras


def student_exception(error: dict, what: str, output: str, hint: str = "") -> StudentException:
    kind, message, where = error["type"], error_message(error), error["where"]
    if "text" in error:
        filename, line = where if where else (_("the file"), "?")
        text = _("{file} has a syntax error on line {line}: {message}").format(file=filename, line=line, message=message)
        if error["text"].strip():
            text += f"\n    {error['text'].strip()}"
    elif kind == "NotImplementedError":
        text = message  # the stub's TODO: the engine shows it as the task still to do
    elif kind == "SystemExit":
        text = _("{what} called sys.exit({code})").format(what=what, code=message)
    else:
        place = " " + _("({file}, line {line})").format(file=where[0], line=where[1]) if where else ""
        if kind == "ModuleNotFoundError":
            named = re.match(r"No module named '([^']+)'", message or "")  # raised by student code itself
            module = error.get("module") or (named.group(1) if named else (message.split() or ["a module"])[0])
            line = where[1] if where else "?"
            text = _("{what}: {module} cannot be imported{place}.").format(what=what, module=module, place=place)
            text += " " + import_advice(module, line)
            return StudentException(text + hint, kind, "", output)
        else:
            text = (_("{what} raised {kind}: {message}") if message else _("{what} raised {kind}")).format(
                what=what, kind=kind, message=message) + place
    return StudentException(text + hint, kind, traceback_text(error), output)


NOT_FOR_GRADING = {"matplotlib", "dataset", "PIL", "pandas", "scipy", "sklearn", "torch", "tensorflow",
                   "seaborn", "IPython", "tqdm", "cv2"}


def import_advice(module: str, line) -> str:
    """What to change when a pasted file imports something the grader does not provide."""
    top = module.split(".")[0]
    if top == "common":
        return _("{module} is a file of the book's code, not part of the grader: copy what you use from it "
                 "into your file (common.util and common.functions are provided).").format(module=module)
    if top in NOT_FOR_GRADING:
        return _("Remove the import of {module} on line {line}: plots and data sets are not needed to grade "
                 "backward.").format(module=top, line=line)
    return _("Remove it from line {line}: student code can use numpy, the common standard modules "
             "(math, random, collections, ...), common.util and common.functions.").format(line=line)


def bad_reply(what: str, detail: str) -> BadReply:
    return BadReply(_("the grader could not accept the reply to {what} ({detail}); the code may have written "
                      "into the grader's channel or returned something too large").format(what=what, detail=detail))


def describe_call(class_name: str, args, kwargs) -> str:
    parts = [_describe_value(a) for a in args] + [f"{k}={_describe_value(v)}" for k, v in kwargs.items()]
    return f"{class_name}({', '.join(parts)})"


def _describe_value(value) -> str:
    if isinstance(value, np.ndarray):
        return _("<{dtype} array of shape {shape}>").format(dtype=value.dtype, shape=value.shape)
    if isinstance(value, (tuple, list)):
        inner = ", ".join(_describe_value(v) for v in value)
        return f"({inner},)" if isinstance(value, tuple) and len(value) == 1 else f"({inner})"
    return repr(value)


def call_error(obj, method: str, args, error: dict, output: str, hints=None) -> StudentCodeError:
    """What a failed method call tells the student; ``hints`` (the course's contract hints, if any) add one."""
    what = f"{obj.class_name}.{method}"
    if error["kind"] == "missing":
        return StudentException(_("{name} has no method {method}").format(name=obj.class_name, method=method),
                                "AttributeError", output=output)
    if error["kind"] == "not_callable":
        message = _("{what} is not a method (it is a {type})").format(what=what, type=error["type"])
        return StudentException(message, "TypeError", output=output)
    hint = hints.call_hint(error.get("type", ""), error.get("message", ""), obj.arguments + list(args)) if hints else ""
    return student_exception(error, what, output, hint)


def get_error(obj, attr: str, error: dict, output: str) -> StudentCodeError:
    if error["kind"] == "missing":
        message = _("the {name} object has no attribute {attribute}").format(name=obj.class_name, attribute=attr)
        return StudentException(message, "AttributeError", output=output)
    return student_exception(error, _("reading {name}").format(name=f"{obj.class_name}.{attr}"), output)
