"""Running student code apart from the judge.

The judge (the ``grade`` process) never imports a submission. It starts a
child Python process (``child.py``) that imports only numpy and the student's
modules, and drives it over a small message protocol (``wire.py``): create an
object, call a method, read an attribute. Only plain numbers, sequences and
arrays (as dtype, shape and bytes, never pickle) come back, and the judge
decodes them itself.

The judge's side is :class:`Runner` (``sandbox.py``)::

    runner = Runner(sources, timeout=10.0)   # spawns the child at once
    runner.begin_test()                      # starts the per-test clock
    h = runner.new("gates", "MulLayer")
    out = runner.call(h, "forward", 3.0, 4.0)
    dx, dy = runner.call(h, "backward", 1.0)
    output = runner.end_test()               # what the student printed
    runner.close()

Every problem caused by the student's code surfaces as a
:class:`StudentCodeError` subclass with a message written for the student.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModuleSource:
    """One assignment module of a submission, read (but never run) by the judge."""

    name: str  # the assignment: "gates", "activations", ...
    filename: str  # what the student knows it as: "gates.py" or "gates.ipynb"
    text: str | None = None  # Python source; None when it could not be read
    problem: str | None = None  # why it could not be read (not UTF-8, corrupt notebook...)
    notes: tuple[str, ...] = ()  # things worth telling the student (skipped magics, ...)


@dataclass(frozen=True)
class Unsupported:
    """A value the student's code returned that is not a number, array or sequence."""

    type_name: str
    detail: str = ""


class StudentCodeError(Exception):
    """Something the student's code did (or failed to do). ``str()`` is the student-facing message."""

    status = "error"

    def __init__(self, message: str, output: str = ""):
        super().__init__(message)
        self.message = message
        self.output = output


class StudentException(StudentCodeError):
    """The student's code raised an exception (including SystemExit, KeyboardInterrupt)."""

    def __init__(self, message: str, type_name: str, traceback: str = "", output: str = ""):
        super().__init__(message, output)
        self.type_name = type_name
        self.traceback = traceback

    @property
    def not_implemented(self) -> bool:
        return self.type_name == "NotImplementedError"


class StudentTimeout(StudentCodeError):
    """The student's code ran past the time limit; the child was killed and will be replaced."""

    status = "timeout"


class StudentCrash(StudentCodeError):
    """The child process died (os._exit, segfault, out of memory...); it will be replaced."""


class MissingCode(StudentCodeError):
    """The submission has no such module or class."""

    status = "missing"


class BadReply(StudentCodeError):
    """The child sent something the judge refuses: malformed, too large, forbidden dtype."""


__all__ = [
    "ModuleSource",
    "Unsupported",
    "StudentCodeError",
    "StudentException",
    "StudentTimeout",
    "StudentCrash",
    "MissingCode",
    "BadReply",
    "Runner",
]


def __getattr__(name):
    if name == "Runner":
        from .sandbox import Runner

        return Runner
    raise AttributeError(name)
