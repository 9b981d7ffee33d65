"""The notes the child sends about running a submission's files, checked and worded in the report's language.

A note is data (``child/cells.py``, ``child/session.py``)::

    {"code": "cell_raised", "file": "ch05.ipynb", "cell": 3, "count": 7, "line": 12,
     "text": "plt.plot(x)", "error": {"type": "NotAvailableError", "message": "...", "said": {...}}}

Each code has its fields (:data:`FIELDS`); a note with any other field, or a
field of another type or size, breaks the protocol (WireError). A notebook's
cell is named as Jupyter shows it: its number among the code cells and its
``In [n]``.
"""
from __future__ import annotations

import math

from grader.lang import N_, _, ngettext
from grader.sandbox.child.wire import WireError
from grader.sandbox.words import checked_extras, error_message, number, text

LABEL = N_("{file}, cell {number} (In [{count}])")
LABEL_WITHOUT_COUNT = N_("{file}, cell {number}")
LABEL_NAMED = N_("{file}, cell {number} ({name})")  # a marimo cell whose function the author named
RAISED = {  # (a line, its text, a message): the text of a line is told only with the line
    (True, True, True): N_("{label}, line {line}: {text} raised {type}: {message}"),
    (True, True, False): N_("{label}, line {line}: {text} raised {type}"),
    (True, False, True): N_("{label}, line {line} raised {type}: {message}"),
    (True, False, False): N_("{label}, line {line} raised {type}"),
    (False, False, True): N_("{label} raised {type}: {message}"),
    (False, False, False): N_("{label} raised {type}"),
}
NOT_NEEDED = N_("{label} was not run: it defines nothing graded and comes after the graded classes, so grading "
                "does not need it.")
STOPPED_GRADED = N_("{label} stopped after {limit} s, the time limit: look for a loop that never ends or a long "
                    "computation at the top level of the cell.")
STOPPED_TRAILING = N_("{label} stopped after {limit} s: it defines nothing graded and comes after the graded classes.")
STOPPED = N_("{label} stopped after {limit} s: it defines nothing graded.")
MAGIC = N_("{label} was not run: it is a %%{magic} cell, which only Jupyter can run.")
PYTHON_2 = N_("{label} was not run: it is not valid Python 3 (it looks like Python 2) ({error}).")
NOT_PYTHON = N_("{label} was not run: it is not valid Python 3 ({error}).")
NOT_COMPILED = N_("{label} was not run: it cannot be compiled ({error}).")
EXITED = N_("{label} called sys.exit({code}); the next cells were still run, as Jupyter does.")
SYNTAX_AT = {  # the error of a cell that is not Python 3: (a line, its text)
    (True, True): N_("{message}, line {line}: {text}"),
    (True, False): N_("{message}, line {line}"),
    (False, True): N_("{message}: {text}"),
}
SKIPPED_LINE = N_("cell {number} (In [{count}]), line {line}: {text}")
SKIPPED_LINE_WITHOUT_COUNT = N_("cell {number}, line {line}: {text}")
SKIPPED_MORE = N_("and {count} more")
FILE_STOPPED = {  # a file's top level used a stand-in: (a line, its text)
    (True, True): N_("{file}, line {line}: {text} raised {type}: {message}; the rest of the file was not run, and "
                     "what it defined above that line is graded."),
    (True, False): N_("{file}, line {line} raised {type}: {message}; the rest of the file was not run, and what "
                      "it defined above that line is graded."),
    (False, False): N_("{file} raised {type}: {message}; the rest of the file was not run, and what it defined "
                       "above that line is graded."),
}
OWN_CLASS = N_("{name}: grading your own class; a later line replaced the name with something that is not your "
               "code ({type}).")
OWN_CLASS_STANDIN = N_("{name}: grading your own class; a later line replaced the name with {path}, which the "
                       "grader does not provide.")


NO_DOUT = N_("{name}.backward takes no dout (def backward(self)), so the tests called it without one; "
            "the book's network passes dout = 1 to its last layer: def backward(self, dout=1) takes both.")


NOT_REACHED_FILE = N_("{name} is defined in {file} line {line}, but the file stopped at {stop}: {reason}. Move that "
                      "line below your classes, or delete it: the grader needs only your classes.")
NOT_REACHED_CELL = N_("{name} is defined in {label}, line {line}, but the cell stopped at {stop}: {reason}. Move that "
                      "line below your classes, or into a cell of its own.")
AT_LINE = N_("line {line}")
AT_LINE_TEXT = N_("line {line} ({text})")


def cell_label(file: str, number: int, count: int | None, name: str | None = None) -> str:
    """A notebook's cell as Jupyter shows it (or a marimo cell, by its place and the name its author gave it)."""
    if count is not None:
        return _(LABEL).format(file=file, number=number, count=count)
    if name:
        return _(LABEL_NAMED).format(file=file, number=number, name=name)
    return _(LABEL_WITHOUT_COUNT).format(file=file, number=number)


def note_text(note) -> tuple[str | None, str]:
    """``(the file the note is about, or None; the note in the report's language)``; WireError if malformed."""
    if type(note) is not dict or note.get("code") not in FIELDS:
        raise WireError("reply has a malformed note")
    fields = FIELDS[note["code"]]
    if not fields.keys() - OPTIONAL <= note.keys() - {"code"} <= fields.keys():
        raise WireError("reply has a malformed note")
    values = {key: check(note.get(key)) for key, check in fields.items()}
    return values.get("file"), WORDING[note["code"]](values)


# -- the fields ---------------------------------------------------------------------------------------------------


def _optional(check):
    return lambda value: None if value is None else check(value)


def _flag(value) -> bool:
    if type(value) is not bool:
        raise WireError("reply has a malformed note")
    return value


def _seconds(value) -> float:
    if type(value) not in (int, float) or not math.isfinite(value) or not 0 <= value <= 1e6:
        raise WireError("reply has a malformed note")
    return value


def _file(value) -> str:
    return text(value, 1000)


def _error(value) -> dict:
    """The error of a note: its type, message and what the grader knows of it (``words.checked_extras``)."""
    if type(value) is not dict or not {"type", "message"} <= value.keys() <= {"type", "message", "said", "undefined"}:
        raise WireError("reply has a malformed note")
    return {"type": text(value["type"], 200), "message": text(value["message"]), **checked_extras(value)}


def _lines(value) -> list:
    """The IPython-only lines listed: ``[cell number, In [n] or None, line, text]`` each."""
    if type(value) is not list or len(value) > 20:
        raise WireError("reply has a malformed note")
    lines = []
    for line in value:
        if type(line) is not list or len(line) != 4:
            raise WireError("reply has a malformed note")
        lines.append([number(line[0]), _optional(number)(line[1]), number(line[2]), text(line[3])])
    return lines


OPTIONAL = {"name"}  # a cell's name: only a marimo cell whose function its author named has one
_CELL = {"file": _file, "cell": number, "count": _optional(number), "name": _optional(lambda v: text(v, 200))}
_RAISED = {"line": _optional(number), "text": _optional(text), "error": _error}
FIELDS = {
    "cell_raised": {**_CELL, **_RAISED},
    "file_stopped": {"file": _file, **_RAISED},
    "cell_not_needed": _CELL,
    "cell_stopped": {**_CELL, "seconds": _seconds, "graded": _flag, "trailing": _flag},
    "cell_magic": {**_CELL, "magic": lambda v: text(v, 100)},
    "cell_not_python": {**_CELL, "message": text, "line": _optional(number), "text": _optional(text),
                        "python2": _flag},
    "cell_not_compiled": {**_CELL, "error": lambda v: text(v, 100)},
    "cell_exit": {**_CELL, "value": text},
    "lines_skipped": {"file": _file, "count": number, "lines": _lines},
    "own_class": {"name": lambda v: text(v, 200), "standin": _optional(lambda v: text(v, 500)),
                  "type": _optional(lambda v: text(v, 500))},
    "no_dout": {"name": lambda v: text(v, 200)},
}


NOT_REACHED = {"kind": lambda v: v, "file": _file, "line": number, "cell": _optional(number),
               "count": _optional(number), "name": _optional(lambda v: text(v, 200))}


def checked_not_reached(error) -> dict:
    """A ``not_reached`` error of the child (a graded name defined below where its file or cell stopped), checked:
    ``{"kind", "file", "line", "cell", "count", "name", "stopped": {"line", "text", "error"}}``; WireError if not."""
    if type(error) is not dict or error.keys() != NOT_REACHED.keys() | {"stopped"}:
        raise WireError("reply has a malformed error")
    stopped = error["stopped"]
    if type(stopped) is not dict or stopped.keys() != _RAISED.keys() or stopped["line"] is None:
        raise WireError("reply has a malformed error")
    return {**{key: check(error[key]) for key, check in NOT_REACHED.items()},
            "stopped": {key: check(stopped[key]) for key, check in _RAISED.items()}}


def not_reached_text(name: str, error: dict) -> str:
    """Why ``name`` is not there though the submission defines it: where it is, and where running stopped."""
    stopped, raised = error["stopped"], error["stopped"]["error"]
    stop = (_(AT_LINE_TEXT) if stopped["text"] else _(AT_LINE)).format(line=stopped["line"], text=stopped["text"])
    reason = error_message(raised) if "said" in raised else f"{raised['type']}: {error_message(raised)}"
    if error["cell"] is None:
        return _(NOT_REACHED_FILE).format(name=name, file=error["file"], line=error["line"], stop=stop, reason=reason)
    label = cell_label(error["file"], error["cell"], error["count"], error["name"])
    return _(NOT_REACHED_CELL).format(name=name, label=label, line=error["line"], stop=stop, reason=reason)


# -- the wording --------------------------------------------------------------------------------------------------


def _label(note: dict) -> str:
    return cell_label(note["file"], note["cell"], note["count"], note["name"])


def _raised(label: str, note: dict) -> str:
    line = note["line"] is not None
    message = error_message(note["error"])
    shape = (line, line and bool(note["text"]), bool(message))
    return _(RAISED[shape]).format(label=label, line=note["line"], text=note["text"], type=note["error"]["type"],
                                   message=message)


def _file_stopped(note: dict) -> str:
    """A file whose top level used a stand-in: what it defined above that line is graded."""
    line = note["line"] is not None
    return _(FILE_STOPPED[line, line and bool(note["text"])]).format(
        file=note["file"], line=note["line"], text=note["text"], type=note["error"]["type"],
        message=error_message(note["error"]))


def _stopped(note: dict) -> str:
    if note["graded"]:
        return _(STOPPED_GRADED).format(label=_label(note), limit=f"{note['seconds']:g}")
    template = STOPPED_TRAILING if note["trailing"] else STOPPED
    return _(template).format(label=_label(note), limit=f"{note['seconds']:.2g}")


def _not_python(note: dict) -> str:
    at = (note["line"] is not None, bool(note["text"]))
    error = _(SYNTAX_AT[at]).format(message=note["message"], line=note["line"], text=note["text"]) if any(at) \
        else note["message"]
    return _(PYTHON_2 if note["python2"] else NOT_PYTHON).format(label=_label(note), error=error)


def _skipped(note: dict) -> str:
    listed = [(_(SKIPPED_LINE) if count is not None else _(SKIPPED_LINE_WITHOUT_COUNT)).format(
        number=cell, count=count, line=line, text=shown) for cell, count, line, shown in note["lines"]]
    more = note["count"] - len(note["lines"])
    listed += [_(SKIPPED_MORE).format(count=more)] if more > 0 else []
    return ngettext("{file}: skipped {count} IPython-only line (magics, shell commands): {listed}.",
                    "{file}: skipped {count} IPython-only lines (magics, shell commands): {listed}.",
                    note["count"]).format(file=note["file"], count=note["count"], listed="; ".join(listed))


def _own_class(note: dict) -> str:
    """The student's class was graded, though a later line replaced its name (``from common.layers import *``)."""
    if note["standin"] is not None:
        return _(OWN_CLASS_STANDIN).format(name=note["name"], path=note["standin"])
    return _(OWN_CLASS).format(name=note["name"], type=note["type"] or "?")


WORDING = {
    "cell_raised": lambda note: _raised(_label(note), note),
    "file_stopped": _file_stopped,
    "cell_not_needed": lambda note: _(NOT_NEEDED).format(label=_label(note)),
    "cell_stopped": _stopped,
    "cell_magic": lambda note: _(MAGIC).format(label=_label(note), magic=note["magic"]),
    "cell_not_python": _not_python,
    "cell_not_compiled": lambda note: _(NOT_COMPILED).format(label=_label(note), error=note["error"]),
    "cell_exit": lambda note: _(EXITED).format(label=_label(note), code=note["value"]),
    "lines_skipped": _skipped,
    "own_class": _own_class,
    "no_dout": lambda note: _(NO_DOUT).format(name=note["name"]),
}
