"""What the child says as data, worded here in the report's language.

The child runs no code of the grader's and reads no catalogue, so it writes
no sentence for a reader: it says what happened as data, and the judge
checks every field and words it. Here: why the grader's own stand-ins
refused (an error's ``said``), what the error of a name imported from a
stand-in means (``undefined``), the traceback's frames left out
(``skipped``), why a returned value was not accepted (``$unsupported``), and
the mark of cut output. The notes about running a file are in ``notes.py``.

Everything here comes from the student's process: a field is worded only
once it is checked (type, size, one of the known codes). An error's ``said``
that does not check out (student code can raise the grader's
``NotAvailableError`` itself, with anything in it) is dropped, and the
exception's own text is shown as it is.
"""
from __future__ import annotations

from grader.lang import N_, _
from grader.lang.sanitize import clean
from grader.sandbox.child.standin import ACTIONS, OPERATORS, standin_kind
from grader.sandbox.child.wire import WireError
from grader.sandbox.errors import Unsupported

TEXT_LIMIT = 2_000  # characters of any text the child sends inside a note or an error (its MESSAGE_LIMIT)
NUMBER_LIMIT = 1 << 50


def text(value, limit: int = TEXT_LIMIT) -> str:
    """A string the child sent, checked and cleaned; WireError if it is not one."""
    if type(value) is not str or len(value) > limit:
        raise WireError("reply has a malformed text")
    return clean(value)


def number(value, limit: int = NUMBER_LIMIT) -> int:
    """A count or line number the child sent; WireError if it is not one."""
    if type(value) is not int or not 0 <= value <= limit:
        raise WireError("reply has a malformed number")
    return value


# -- the grader's own refusals (NotAvailableError.said) -----------------------------------------------------------

STANDIN = N_("{path} cannot be {action}: {reason}")
ACTION_WORDS = {
    "call": N_("used"),
    "iterate": N_("iterated over"),
    "base": N_("a base class"),
    "index": N_("indexed"),
    "measure": N_("measured"),
    "array": N_("used as an array"),
    "number": N_("used as a number"),
    "with": N_("used in a with statement"),
    "operator": N_("used with {symbol}"),
}
REASONS = {  # standin.standin_kind
    "book": N_("{module} is a file of the book's code, which the grader does not provide (common.layers holds "
               "the answers): write what you use yourself; common.util and common.functions are provided"),
    "dataset": N_("{module} loads a data set, and there are no data sets while grading: only your classes are "
                  "graded"),
    "screen": N_("{module} draws on a screen, and there is no screen while grading"),
    "tools": N_("{module} is not available while grading (plots, progress bars, notebooks and data tools are not "
                "needed)"),
    "sandbox": N_("{module} cannot be loaded inside the grader's sandbox (the assignments do not need it)"),
    "framework": N_("{module} is not available while grading: use numpy"),
    "missing": N_("{module} is not installed for grading: use numpy and the standard library"),
}
ASKED = {  # child/calls.py: the stand-in of a replaced function (numerical_gradient)
    "ask_after": N_("{name} was the grader's own only while {function} ran: it answers nothing after that"),
    "ask_keyword": N_("{name} is the grader's own during this test: {key} is not a name it takes"),
    "ask_function": N_("{name} is the grader's own during this test: it answers only for the function {function} "
                       "was given, not for {what}; pass that f on as it is"),
    "ask_value": N_("{name} is the grader's own during this test: it takes the function {function} was given, "
                    "numbers and numpy arrays, not {what}"),
    "ask_failed": N_("the grader's {name} could not answer: {error}"),
}
_SAID_FIELDS = {"standin": {"path", "action"}, "ask_after": {"name", "function"}, "ask_keyword": {"name", "key"},
                "ask_function": {"name", "function", "what"}, "ask_value": {"name", "function", "what"},
                "ask_failed": {"name", "error"}}
_SAID_LIMITS = {"path": 500, "key": 60, "what": 100, "symbol": 10}


def checked_said(said) -> dict | None:
    """An error's ``said``, cleaned, if it is one the grader could have said; None otherwise."""
    if type(said) is not dict:
        return None
    fields = _SAID_FIELDS.get(said.get("code"))
    if fields is None:
        return None
    if said["code"] == "standin" and said.get("action") == "operator":
        fields = fields | {"symbol"}
    if said.keys() != fields | {"code"}:
        return None
    if any(type(said[key]) is not str or len(said[key]) > _SAID_LIMITS.get(key, TEXT_LIMIT) for key in fields):
        return None
    if said["code"] == "standin" and (said["action"] not in ACTIONS or said.get("symbol", "+") not in OPERATORS):
        return None
    return {key: clean(value) for key, value in said.items()}


def said_text(said: dict) -> str:
    """The sentence of a checked ``said``, in the report's language."""
    code = said["code"]
    if code != "standin":
        return _(ASKED[code]).format(**{k: v for k, v in said.items() if k != "code"})
    kind, module = standin_kind(said["path"])
    action = _(ACTION_WORDS[said["action"]]).format(symbol=said.get("symbol", ""))
    return _(STANDIN).format(path=said["path"], action=action, reason=_(REASONS[kind]).format(module=module))


# -- an exception the child described ----------------------------------------------------------------------------


def checked_extras(error: dict) -> dict:
    """The data an error may carry besides its text (``said``, ``undefined``, ``module``, ``skipped``), checked;
    WireError for a malformed one, except ``said``, which is dropped (see the module docstring)."""
    extras = {}
    if "said" in error:
        said = checked_said(error["said"])
        if said is not None:
            extras["said"] = said
    if "undefined" in error:
        undefined = error["undefined"]
        if type(undefined) is not dict or undefined.keys() != {"name", "modules"} \
                or type(undefined["modules"]) is not list or not 0 < len(undefined["modules"]) <= 20:
            raise WireError("reply has a malformed error")
        extras["undefined"] = {"name": text(undefined["name"]), "modules": [text(m, 200) for m in undefined["modules"]]}
    if "module" in error:
        extras["module"] = text(error["module"])
    if "skipped" in error:
        extras["skipped"] = number(error["skipped"])
    return extras


UNDEFINED = N_("{message} ({modules} is not provided while grading, so importing from it defined nothing: {name} "
               "must be defined in your own code)")
SKIPPED_FRAMES = N_("... {count} earlier calls not shown")


def error_message(error: dict) -> str:
    """The exception's message as the student reads it: the grader's own words where it said why."""
    if "said" in error:
        return said_text(error["said"])
    undefined = error.get("undefined")
    if undefined:
        return _(UNDEFINED).format(message=error["message"], modules=", ".join(undefined["modules"]),
                                   name=undefined["name"])
    return error["message"]


def traceback_text(error: dict) -> str:
    """The traceback the student reads: the frames left out counted, and the grader's words for its own error
    (whose last line the child wrote with the data it sent, under the module path of the grader's class)."""
    shown = error["traceback"]
    ending = f": {error['message']}\n"
    at = shown.rfind(ending) if "said" in error else -1
    if at >= 0:
        start = shown.rfind("\n", 0, at) + 1
        shown = f"{shown[:start]}{error['type']}: {said_text(error['said'])}\n{shown[at + len(ending):]}"
    if error.get("skipped"):
        shown = f"  {_(SKIPPED_FRAMES).format(count=error['skipped'])}\n{shown}"
    return shown


# -- a value the child would not send -----------------------------------------------------------------------------

UNSUPPORTED = {
    "none": N_("nothing was returned; is a return statement missing?"),
    "subclass": N_("a subclass of numpy.ndarray; return a plain array, for example np.asarray(result)"),
    "dimensions": N_("an array with {count} dimensions; at most {limit} are accepted"),
    "dtype": N_("an array of dtype {dtype}; only bool, integer and float arrays are accepted"),
    "complex": N_("complex numbers are not accepted"),
    "nested": N_("nested too deeply"),
    "array_like": N_("not a numpy array; return a numpy array, for example np.asarray(result)"),
    "other": N_("only numbers, numpy arrays and tuples of them are accepted"),
    "too_large": N_("too large to send back ({size} MB of arrays; the limit is {limit} MB)"),
    "unreadable": N_("could not be read: {error}"),
    "standin": N_("what the grader gives in place of a module it does not provide"),
}
_UNSUPPORTED_FIELDS = {"dimensions": {"count": number, "limit": number}, "dtype": {"dtype": lambda v: text(v, 100)},
                       "too_large": {"size": number, "limit": number}, "unreadable": {"error": lambda v: text(v, 200)}}


def unsupported(data: dict) -> Unsupported:
    """A ``$unsupported`` value of a reply (``wire.Decoder``), checked, with why worded in the report's language."""
    reason = data.get("reason")
    checks = _UNSUPPORTED_FIELDS.get(reason, {})
    if reason not in UNSUPPORTED or data.keys() != {"$unsupported", "reason", *checks}:
        raise WireError("reply has a malformed value")
    params = {key: check(data[key]) for key, check in checks.items()}
    template = _(UNSUPPORTED[reason])
    name = data["$unsupported"]
    if type(name) is not str:
        raise WireError("reply has a malformed value")
    return Unsupported(clean(name[:200]), template.format(**params), reason)


# -- the child could not confine itself ------------------------------------------------------------------------

PROBLEMS = {  # child/confine.py: ConfinementError
    "cgroup": N_("could not join its memory cgroup: {error}"),
    "user_switch": N_("could not switch to user id {uid}: {error}"),
    "root_regained": N_("root could be regained after switching user"),
    "user_not_taken": N_("the switch to user id {uid} did not take"),
    "prctl": N_("prctl({option}) failed: {error}"),
}
_PROBLEM_FIELDS = {"cgroup": {"error": text}, "user_switch": {"uid": number, "error": text},
                   "root_regained": {}, "user_not_taken": {"uid": number}, "prctl": {"option": number, "error": text}}


def confinement_problem(problem) -> str:
    """Why the child could not confine itself, in the report's language; WireError if it is not one of those."""
    fields = _PROBLEM_FIELDS.get(problem.get("code")) if type(problem) is dict else None
    if fields is None or problem.keys() != {"code", *fields}:
        raise WireError("the greeting has a malformed problem")
    return _(PROBLEMS[problem["code"]]).format(**{key: check(problem[key]) for key, check in fields.items()})


# -- output -------------------------------------------------------------------------------------------------------

OUTPUT_CUT = N_("[... {count} more characters of output not shown]")


def printed(kept: str, cut: int) -> str:
    """What student code printed, with the mark of a cut (``cut`` characters not kept) in the report's language."""
    return f"{kept}\n{_(OUTPUT_CUT).format(count=cut)}\n" if cut else kept
