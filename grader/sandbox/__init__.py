"""The sandbox: student code in a confined child process, and the judge's side that talks to it.

The judge (the ``grade`` process) never imports a submission. Student code
runs in a child process that imports only numpy and the student's modules;
the judge drives it over a small message protocol (``child/wire.py``): create
an object, call a method, read an attribute. Only plain numbers, sequences
and arrays (as dtype, shape and bytes, never pickle) come back, and the judge
decodes them itself. The processes, for one grading (in ``grader batch``,
each worker is a judge)::

    grade, the judge            course, tests, expected values, verdicts, report
     └─ zygote                  numpy loaded; forked from grade itself (child/zygote.py,
         │                      forked_zygote.py), or started as an interpreter by the
         │                      other commands (forkserver.py); runs no student code; as
         │                      root it makes each child's PID namespace as it forks it
         └─ (keeper)            only where the child must make its PID namespace itself
             │                  (an ordinary user): it forks, then waits (child/namespaces.py)
             └─ student process process 1 of its own PID namespace: confines itself
                                (child/confine.py), runs student code (child/session.py),
                                answers the judge's requests

The judge's side is a :class:`~grader.sandbox.runner.Runner` (``make_runner``)::

    runner = make_runner(sources, timeout=10.0)   # asks the zygote for a child at once
    runner.begin_test()                           # starts the per-test clock
    h = runner.new("gates", "MulLayer")
    out = runner.call(h, "forward", 3.0, 4.0)
    dx, dy = runner.call(h, "backward", 1.0)
    output = runner.end_test()                    # what the student printed
    runner.close()

Every problem caused by the student's code surfaces as a
:class:`~grader.sandbox.errors.StudentCodeError` subclass with a message
written for the student.

The child reads no catalogue and writes no sentence for a reader: what it
has to say (a notebook cell that raised or was stopped, a file stopped at a
stand-in, why a stand-in or the judge's function refused, why a returned
value was not accepted, how much output was cut, why it could not confine
itself) travels as a code with its fields. The judge checks every field and
words it in the report's language: ``notes.py`` (the notes about running
the files) and ``words.py`` (the rest).

May import: grader.lang, grader.submission; its child package (``sandbox/child``) nothing but the
standard library and numpy.
"""
from __future__ import annotations

import os


def make_runner(sources: dict, *, timeout: float = 10.0, memory_mb: int = 2048, in_process: bool | None = None,
                classes: dict | None = None, **course):
    """The sandboxed :class:`~grader.sandbox.runner.Runner` on Linux, a ``PortableRunner`` elsewhere.

    ``sources`` maps module names to the submission's files; ``classes`` maps a
    graded name to where it is taken from (anything with a ``module``
    attribute, such as ``submission.ClassSource``); a name not in it is taken
    from the module named after its assignment. ``course`` may give the
    course's ``hints`` (contract hints for failed calls) and
    ``course_functions`` (the source of its ``functions.py``).

    Where the Linux confinement does not exist (Windows, macOS), student code
    runs in a plain child process with the same time limits and a memory limit
    (``portable.py``); ``GRADER_PORTABLE=1`` forces that runner on Linux (the
    tests use it). The in-process runner has no isolation at all and no time
    limit: no platform uses it, only ``GRADER_IN_PROCESS=1`` asks for it, to
    measure what isolation costs.
    """
    if in_process is None:
        in_process = os.environ.get("GRADER_IN_PROCESS") == "1"
    if in_process:
        from grader.sandbox.inprocess import InProcessRunner

        return InProcessRunner(sources, timeout=timeout, memory_mb=memory_mb, classes=classes, **course)
    if portable_runner():
        from grader.sandbox.portable import PortableRunner

        return PortableRunner(sources, timeout=timeout, memory_mb=memory_mb, classes=classes, **course)
    from grader.sandbox.runner import Runner

    return Runner(sources, timeout=timeout, memory_mb=memory_mb, classes=classes, **course)


def portable_runner() -> bool:
    """Whether student code runs in the portable runner: anywhere but Linux, or forced (``GRADER_PORTABLE=1``)."""
    import sys

    return not sys.platform.startswith("linux") or os.environ.get("GRADER_PORTABLE") == "1"


_EXPORTED = {
    "Unsupported": "errors", "StudentCodeError": "errors", "StudentException": "errors", "StudentTimeout": "errors",
    "StudentCrash": "errors", "MissingCode": "errors", "NotReached": "errors", "BadReply": "errors", "RunnerStartError": "errors",
    "Runner": "runner",
}


def __getattr__(name):
    """The judge's names, loaded on first use: the child imports this package and must load nothing of the judge."""
    if name in _EXPORTED:
        import importlib

        return getattr(importlib.import_module(f"grader.sandbox.{_EXPORTED[name]}"), name)
    raise AttributeError(name)
