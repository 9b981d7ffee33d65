"""What the sandbox tells the judge about student code: odd values and the ways student code fails."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Unsupported:
    """A value the student's code returned that is not a number, array or sequence.

    ``detail`` says why, in the report's language; ``reason`` is the same as a
    code (``"none"``, ``"dtype"``, ... see ``sandbox/words.py``).
    """

    type_name: str
    detail: str = ""
    reason: str = field(default="", compare=False, repr=False)


class StudentCodeError(Exception):
    """Something the student's code did (or failed to do). ``str()`` is the student-facing message."""

    status = "error"
    during_import = False  # raised while importing the module: every test of it fails the same way

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


class NotReached(StudentCodeError):
    """The submission defines the class (or function), but running its file or cell stopped above the definition.

    ``place`` is where it is defined: ``{"file", "line"}`` and, in a notebook, ``"cell"`` (and ``"count"``).
    """

    def __init__(self, message: str, place: dict, stopped_line: int, output: str = ""):
        super().__init__(message, output)
        self.place = place
        self.stopped_line = stopped_line


class BadReply(StudentCodeError):
    """The child sent something the judge refuses: malformed, too large, forbidden dtype."""


class RunnerStartError(RuntimeError):
    """The child process could not be started: a problem of the grading machine, not the student."""


for _public in (Unsupported, StudentCodeError, StudentException, StudentTimeout, StudentCrash, MissingCode, NotReached,
                BadReply, RunnerStartError):
    _public.__module__ = "grader.sandbox"  # the name they are known by (and reported under): grader.sandbox.X
