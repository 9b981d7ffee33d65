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

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    """One code cell of a notebook, as Jupyter shows it."""

    number: int  # its place among the notebook's code cells, from 1
    count: int | None  # its In [n] execution count, when the notebook was run
    source: str


@dataclass(frozen=True)
class ModuleSource:
    """One file of a submission, read (but never run) by the judge."""

    name: str  # the module name in the child: the assignment ("gates") for its module file, else the stem
    filename: str  # what the student knows it as: "gates.py", "ch05.ipynb", "hw/Gates.py"
    text: str | None = None  # Python source (a notebook's cells joined, to look at); None when unreadable
    problem: str | None = None  # why it could not be read (not UTF-8, corrupt notebook...)
    notes: tuple[str, ...] = ()  # things worth telling the student (encoding, ...)
    cells: tuple[Cell, ...] = ()  # a notebook's code cells: run one by one instead of ``text``


@dataclass(frozen=True)
class Unsupported:
    """A value the student's code returned that is not a number, array or sequence."""

    type_name: str
    detail: str = ""


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


class BadReply(StudentCodeError):
    """The child sent something the judge refuses: malformed, too large, forbidden dtype."""


class RunnerStartError(RuntimeError):
    """The child process could not be started: a problem of the grading machine, not the student."""


def make_runner(sources: dict, *, timeout: float = 10.0, memory_mb: int = 2048, in_process: bool | None = None,
                classes: dict | None = None):
    """The sandboxed :class:`~grader.sandbox.runner.Runner`, or an ``InProcessRunner``.

    ``sources`` maps module names to the submission's files; ``classes`` maps a
    graded name to where it is taken from (anything with a ``module``
    attribute, such as ``submission.ClassSource``); a name not in it is taken
    from the module named after its assignment.

    The in-process runner has no isolation at all: it is what ``GRADER_IN_PROCESS=1``
    asks for (to measure what isolation costs), and the only runner on Windows,
    which has none of the process controls the sandbox is built from.
    """
    if in_process is None:
        in_process = os.environ.get("GRADER_IN_PROCESS") == "1"
    if in_process or os.name == "nt":
        from grader.sandbox.inprocess import InProcessRunner

        return InProcessRunner(sources, timeout=timeout, memory_mb=memory_mb, classes=classes)
    from grader.sandbox.runner import Runner

    return Runner(sources, timeout=timeout, memory_mb=memory_mb, classes=classes)


__all__ = [
    "Cell",
    "ModuleSource",
    "Unsupported",
    "StudentCodeError",
    "StudentException",
    "StudentTimeout",
    "StudentCrash",
    "MissingCode",
    "BadReply",
    "Runner",
    "RunnerStartError",
    "make_runner",
]


def __getattr__(name):
    if name == "Runner":
        from grader.sandbox.runner import Runner

        return Runner
    raise AttributeError(name)
