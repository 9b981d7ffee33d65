"""The sandbox: student code in a confined child process, and the judge's side that talks to it.

May import: grader.lang, grader.submission; its child package (``sandbox/child``) nothing but the
standard library and numpy.

Running student code apart from the judge.

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


def make_runner(sources: dict, *, timeout: float = 10.0, memory_mb: int = 2048, in_process: bool | None = None,
                classes: dict | None = None, **course):
    """The sandboxed :class:`~grader.sandbox.runner.Runner`, or an ``InProcessRunner``.

    ``sources`` maps module names to the submission's files; ``classes`` maps a
    graded name to where it is taken from (anything with a ``module``
    attribute, such as ``submission.ClassSource``); a name not in it is taken
    from the module named after its assignment. ``course`` may give the
    course's ``hints`` (contract hints for failed calls) and
    ``course_functions`` (the source of its ``functions.py``).

    The in-process runner has no isolation at all: it is what ``GRADER_IN_PROCESS=1``
    asks for (to measure what isolation costs), and the only runner on Windows,
    which has none of the process controls the sandbox is built from.
    """
    if in_process is None:
        in_process = os.environ.get("GRADER_IN_PROCESS") == "1"
    if in_process or os.name == "nt":
        from grader.sandbox.inprocess import InProcessRunner

        return InProcessRunner(sources, timeout=timeout, memory_mb=memory_mb, classes=classes, **course)
    from grader.sandbox.runner import Runner

    return Runner(sources, timeout=timeout, memory_mb=memory_mb, classes=classes, **course)


_EXPORTED = {
    "Unsupported": "errors", "StudentCodeError": "errors", "StudentException": "errors", "StudentTimeout": "errors",
    "StudentCrash": "errors", "MissingCode": "errors", "BadReply": "errors", "RunnerStartError": "errors",
    "Runner": "runner",
}


def __getattr__(name):
    """The judge's names, loaded on first use: the child imports this package and must load nothing of the judge."""
    if name in _EXPORTED:
        import importlib

        return getattr(importlib.import_module(f"grader.sandbox.{_EXPORTED[name]}"), name)
    raise AttributeError(name)
