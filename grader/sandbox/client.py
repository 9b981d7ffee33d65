"""The judge's side of running student code, independent of how requests travel.

:class:`BaseRunner` turns ``new`` / ``call`` / ``get`` into requests, keeps
the per-test clock and output, and turns replies into values or
student-facing exceptions (``replies.py`` words them). It is made of parts,
each a module: ``channel.py`` (requests in flight and their replies),
``loading.py`` (importing the student's modules, notes), ``functions.py``
(module-level functions) and ``steps.py`` (several calls sent at once).
Subclasses supply ``_deliver`` and ``_receive``: the sandboxed child process
(``sandbox.Runner``) or the judge's own interpreter (``inprocess.InProcessRunner``).
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

from grader.lang import _
from grader.sandbox.channel import Channel, Unanswered, add_arguments, encode_arguments
from grader.sandbox.child.capture import OUTPUT_LIMIT, Capture
from grader.sandbox.errors import MissingCode, StudentCodeError, StudentCrash
from grader.sandbox.functions import FunctionCalls
from grader.sandbox.loading import ModuleLoading
from grader.sandbox.replies import ForwardRuns, call_error, describe_call, forward_runs, get_error, student_exception
from grader.sandbox.steps import Steps
from grader.sandbox.words import printed
from grader.submission.source import ModuleSource

LATE_REPLY_SECONDS = 0.05  # how long a test that ended early waits for replies still due


@dataclass(frozen=True)
class _Object:
    generation: int
    class_name: str
    arguments: list = field(default_factory=list)  # what its methods were called with, for contract hints



class BaseRunner(Channel, ModuleLoading, FunctionCalls):
    """Create objects from student modules and call them; see the package docstring."""

    isolation = ""

    def __init__(self, sources: dict[str, ModuleSource], *, timeout: float = 10.0, classes: dict | None = None,
                 hints=None, course_functions: str | None = None):
        self.sources = dict(sources)
        self.hints = hints  # the course's contract hints (``judge.contracts.Contracts``), or None
        self.course_functions = course_functions  # the source of the course's functions.py, or None
        self.classes = dict(classes or {})
        self.timeout = timeout
        self.notes: list[str] = []  # what running the files showed (notebook cells that failed, ...), worded
        self._notes_by_file: list[tuple[str | None, str]] = []  # the same, with the file each is about
        self.located: dict[str, dict] = {}  # graded class -> {"file", "cell", "count"} it was really taken from
        self._generation = 0
        self._failed_imports: dict[str, StudentCodeError] = {}
        self._objects: dict[int, _Object] = {}
        self._next_handle = 1
        self._deadline: float | None = None
        self._until: float | None = None  # when the submission's whole time budget runs out
        self._sequence = 0
        self._output = Capture(OUTPUT_LIMIT)
        self._test_handles: list[int] = []
        self._to_drop: list[int] = []
        self._last_reply: dict | None = None
        self._last_notes: list[tuple[str | None, str]] = []  # the notes of the last reply: (file, worded)
        self._forward_runs: list[ForwardRuns] = []  # this test's backward calls that ran their layer's forward
        self._unanswered: deque[Unanswered] = deque()  # sent, reply not read yet (oldest first)

    # -- what subclasses provide ------------------------------------------

    pipeline_bytes = 0
    """How many bytes of requests may wait unanswered in the channel (0: every request waits for its reply)."""

    def _deliver(self, request: dict, buffers: list, deadline: float) -> None:
        """Send one request; raise ChildTimedOut, ChildDied or ChildGarbled."""
        raise NotImplementedError

    def _receive(self, deadline: float) -> tuple[dict, list]:
        """The next reply, in the order the requests were sent; raise ChildTimedOut, ChildDied or ChildGarbled."""
        raise NotImplementedError

    def _loaded_modules(self) -> set[str]:
        """Names of the modules imported by the code runner that is current now."""
        raise NotImplementedError

    def _discard(self) -> None:
        """Forget a code runner whose replies cannot be trusted any more."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- tests ----------------------------------------------------------------

    def begin_test(self, until: float | None = None) -> None:
        """Start the clock: every call until :meth:`end_test` shares ``timeout`` seconds.

        ``until`` (a ``time.monotonic()`` value), when the submission's time
        budget runs out, cuts the test (and any import it triggers) short.
        """
        self._output.take()
        self._forward_runs = []
        self._until = until
        self._deadline = time.monotonic() + self.timeout
        if until is not None:
            self._deadline = min(self._deadline, until)

    def settle(self) -> None:
        """Read the replies still due (an object created without waiting); raise what went wrong there."""
        if self._unanswered:
            self._answer(self._op_deadline())

    def end_test(self) -> str:
        """Stop the clock; return what the student's code printed during the test."""
        if self._unanswered:  # the test ended early: its replies belong to it, not to the next test
            try:  # ready ones are read; a child still busy with them is replaced rather than waited for
                self._answer(time.monotonic() + LATE_REPLY_SECONDS)
            except StudentCodeError:
                pass
        self._deadline = None
        self._to_drop += self._test_handles
        self._test_handles = []
        return printed(*self._output.take())

    def forward_runs(self) -> list[ForwardRuns]:
        """The backward calls of the current test during which the layer's own forward ran, with counts."""
        return list(self._forward_runs)

    # -- operations -------------------------------------------------------------

    def new(self, module: str, class_name: str, /, *args, **kwargs) -> int:
        """Create ``module.class_name(*args, **kwargs)``; returns a handle for :meth:`call`.

        ``module`` is the assignment; the class is taken from where the
        submission defines it (``classes``), which may be another file.
        """
        handle = self.new_later(module, class_name, *args, **kwargs)
        self.settle()
        return handle

    def new_later(self, module: str, class_name: str, /, *args, **kwargs) -> int:
        """:meth:`new` without waiting for the object: a failure is raised by the next request that waits.

        Tests create an object and call it right away, so the two requests
        travel together and the child starts on the object while the judge
        prepares the call.
        """
        module = self._module_for(module, class_name)
        source = self._load(module)
        handle, self._next_handle = self._next_handle, self._next_handle + 1
        request = {"op": "new", "handle": handle, "module": module, "class": class_name}
        buffers = add_arguments(request, args, kwargs)
        what = f"{class_name}(...)"

        def created(ok, result, output):
            if ok:
                self._locate(class_name, source)
                self._take_notes()
                return
            self._objects.pop(handle, None)
            if result["kind"] == "not_reached":
                raise self._not_reached(class_name, result, output)
            if result["kind"] == "missing":
                text = (_("{file} has no class {name} (the file is empty)") if not (source.text or "").strip()
                        else _("{file} has no class {name}"))
                raise MissingCode(text.format(file=source.filename, name=class_name) + self._cell_notes(source),
                                  output)
            hint = ""
            if result.get("type") == "TypeError":
                hint = "\n" + _("The grader creates it as {call}").format(call=describe_call(class_name, args, kwargs))
                hint += self.hints.constructor_hint(class_name) if self.hints else ""
            raise student_exception(result, what, output, hint)

        # Not waited for: the reply is read with the next one, and a failure is raised there.
        self._send(request, buffers, self._op_deadline(), what, created)
        self._objects[handle] = _Object(self._generation, class_name)
        self._test_handles.append(handle)
        return handle

    def call(self, handle: int, method: str, /, *args, **kwargs):
        """Call a method of a created object; returns a number, tuple, array or Unsupported."""
        obj = self._object(handle)
        request = {"op": "call", "handle": handle, "method": method}
        buffers = add_arguments(request, args, kwargs)
        what = f"{obj.class_name}.{method}"
        ok, result, output = self._request(request, buffers, self._op_deadline(), what)
        obj.arguments.extend(args)
        if ok:
            self._note_forward_runs(obj, [method])
            return result
        raise call_error(obj, method, args, result, output, self.hints)

    def sequence(self, handle: int, steps: list) -> "Steps":
        """Send several calls and reads on one object at once; :class:`Steps` gives their results.

        ``steps`` are ``(method, args, kwargs)`` tuples and attribute names.
        The child runs them in order and stops at the first that fails; the
        judge reads the reply only when it asks for a result, so it can
        compute its own expected values meanwhile.
        """
        obj = self._object(handle)
        request, buffers, encoded = {"op": "sequence", "handle": handle}, [], []
        for step in steps:
            if isinstance(step, str):
                encoded.append({"get": step})
            else:
                method, args, kwargs = step
                part = {"call": method}
                part.update(encode_arguments(args, kwargs, buffers))
                encoded.append(part)
        request["steps"] = encoded
        later = Steps(self, obj, steps)
        what = ", ".join(later.describe(i) for i in range(len(steps)))
        self._send(request, buffers, self._op_deadline(), what, later.receive)
        return later

    def probe(self, read: list[str], write: list[str]) -> tuple[list[str], list[str]]:
        """Which of ``read`` the current child can read and which of ``write`` it can write (see ``exposure.py``).

        Ask before any student module is loaded: the answer is then the kernel's, not student code's.
        """
        read, write = list(read)[:500], list(write)[:500]
        request = {"op": "probe", "read": read, "write": write}
        ok, result, _output = self._request(request, [], time.monotonic() + self.timeout, "probe")
        if not ok or not isinstance(result, tuple) or len(result) != 2:
            raise RuntimeError(f"the process for student code did not answer the probe: {result!r}")
        return tuple([paths[i] for i in sorted(set(part)) if type(i) is int and 0 <= i < len(paths)]
                     for part, paths in zip(result, (read, write)))

    def get(self, handle: int, attr: str):
        """Read an attribute of a created object (``self.dW`` after backward, ...)."""
        obj = self._object(handle)
        what = _("reading {name}").format(name=f"{obj.class_name}.{attr}")
        request = {"op": "get", "handle": handle, "attr": attr}
        ok, result, output = self._request(request, [], self._op_deadline(), what)
        if ok:
            return result
        raise get_error(obj, attr, result, output)

    # -- machinery ------------------------------------------------------------

    def _op_deadline(self) -> float:
        return self._deadline if self._deadline is not None else time.monotonic() + self.timeout

    def _object(self, handle: int) -> _Object:
        obj = self._objects.get(handle)
        if obj is None:
            raise ValueError(f"unknown handle {handle}")
        if obj.generation != self._generation:
            raise StudentCrash(_("this {name} object no longer exists: the process running your code "
                                 "was restarted after an earlier error").format(name=obj.class_name))
        return obj

    def _note_forward_runs(self, obj: _Object, methods: list) -> None:
        """Keep what the last reply says the layer's forward did during its backward calls (``methods``)."""
        if isinstance(self._last_reply, dict):
            for runs, changed in forward_runs(self._last_reply, methods):
                self._forward_runs.append(ForwardRuns(obj.class_name, runs, changed))

