"""The judge's side of running student code, independent of how requests travel.

:class:`BaseRunner` turns ``new`` / ``call`` / ``get`` into requests, loads
modules lazily, keeps the per-test clock and output, and turns replies into
values or student-facing exceptions (``replies.py`` words them). Subclasses
supply ``_deliver`` and ``_receive``: the sandboxed child process
(``sandbox.Runner``) or the judge's own interpreter (``inprocess.InProcessRunner``).
"""
from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass, field

from grader.sandbox.errors import MissingCode, StudentCodeError, StudentCrash, StudentException, StudentTimeout
from grader.submission.source import ModuleSource
import grader.sandbox.child.wire as wire
from grader.lang import _
from grader.sandbox.calls import (
    COURSE_FUNCTIONS,
    Answers,
    CourseFunction,
    course_functions_request,
    take_course_functions,
)
from grader.lang.sanitize import clean
from grader.sandbox.child.cells import CELL_SECONDS, TRAILING_SECONDS
from grader.sandbox.child.capture import OUTPUT_LIMIT, Capture
from grader.sandbox.sources import load_modules
from grader.sandbox.replies import (
    ForwardRuns,
    bad_reply,
    call_error,
    describe_call,
    forward_runs,
    get_error,
    parse_reply,
    printed_by,
    reply_notes,
    student_exception,
)
from grader.sandbox.words import printed

LATE_REPLY_SECONDS = 0.05  # how long a test that ended early waits for replies still due


class ChildTimedOut(Exception):
    """The deadline passed; the transport has already stopped the code."""


class ChildDied(Exception):
    """The process running student code ended; ``str()`` says how, in plain words."""


class ChildGarbled(Exception):
    """The reply broke the protocol; ``str()`` says how."""


@dataclass(frozen=True)
class _Unanswered:
    sequence: int
    what: str  # what the student is told failed, if this reply never comes
    size: int  # bytes it may occupy in the channel, at most
    on_reply: object  # None, or a function of (ok, result, output) that raises what went wrong
    importing: bool
    steps: int | None = None  # for a sequence request: how many steps it has
    answers: Answers | None = None  # what the judge answers while it runs; None: no question may be asked


_SMALL_OPS = {"new", "call", "get", "sequence"}  # requests whose header is small (arrays travel as buffers)


@dataclass(frozen=True)
class _Object:
    generation: int
    class_name: str
    arguments: list = field(default_factory=list)  # what its methods were called with, for contract hints


class BaseRunner:
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
        self._unanswered: deque[_Unanswered] = deque()  # sent, reply not read yet (oldest first)

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
        buffers = _add_arguments(request, args, kwargs)
        what = f"{class_name}(...)"

        def created(ok, result, output):
            if ok:
                self._locate(class_name, source)
                self._take_notes()
                return
            self._objects.pop(handle, None)
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

    def _module_for(self, assignment: str, name: str) -> str:
        where = self.classes.get(name)
        return getattr(where, "module", None) or assignment

    def _locate(self, class_name: str, source: ModuleSource) -> None:
        found = self._last_reply.get("found") if isinstance(self._last_reply, dict) else None
        place = {"file": source.filename}
        if isinstance(found, dict) and type(found.get("file")) is str:
            place = {"file": clean(found["file"][:300])}
            for key in ("cell", "count"):
                if type(found.get(key)) is int:
                    place[key] = found[key]
        self.located[class_name] = place

    def _cell_notes(self, source: ModuleSource) -> str:
        """The notes about a notebook's cells that may explain a missing class."""
        mine = [note for file, note in self._notes_by_file if file == source.filename]
        return "".join(f"\n  {note}" for note in mine[:5])

    def call(self, handle: int, method: str, /, *args, **kwargs):
        """Call a method of a created object; returns a number, tuple, array or Unsupported."""
        obj = self._object(handle)
        request = {"op": "call", "handle": handle, "method": method}
        buffers = _add_arguments(request, args, kwargs)
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
                part.update(_encode_arguments(args, kwargs, buffers))
                encoded.append(part)
        request["steps"] = encoded
        later = Steps(self, obj, steps)
        what = ", ".join(later.describe(i) for i in range(len(steps)))
        self._send(request, buffers, self._op_deadline(), what, later.receive)
        return later

    def call_function(self, module: str, function: str, args=(), kwargs=None, *, echo=(), replacing=None):
        """Call the module-level ``module.function(*args, **kwargs)`` of the submission.

        Arguments may be :class:`CourseFunction`. ``replacing`` maps globals of
        the student's module to functions of the judge's for the duration of the
        call (``{"numerical_gradient": exact_gradient}``), so a function that
        calls another graded one is graded on its own: the student's process
        calls a stand-in that asks the judge, which runs the function with the
        call's course functions as :class:`CourseFunction` (``calls.py``).
        ``echo`` names positions of ``args`` to return too, as they are after
        the call: then the result is ``(value, *echoed arguments)``.
        """
        module = self._module_for(module, function)
        source = self._load(module)
        args, kwargs, callables = take_course_functions(args, kwargs)
        answers = Answers(replacing, callables) if replacing else None
        request = {"op": "call_function", "module": module, "function": function, "echo": list(echo)}
        if callables:
            request["callables"] = callables
            self._define_course_functions()
        if answers is not None:
            request["ask"] = sorted(answers.functions)
        buffers = _add_arguments(request, args, kwargs)
        what = f"{function}(...)"
        ok, result, output = self._request(request, buffers, self._op_deadline(), what, answers)
        if ok:
            self._locate(function, source)
            return result
        if result["kind"] == "missing":
            text = (_("{file} has no function {name} (the file is empty)") if not (source.text or "").strip()
                    else _("{file} has no function {name}"))
            raise MissingCode(text.format(file=source.filename, name=function), output)
        if result["kind"] == "not_callable":
            raise StudentException(f"{function} is not a function (it is a {result['type']})", "TypeError",
                                   output=output)
        raise student_exception(result, what, output)

    def _define_course_functions(self) -> None:
        """Send the course's functions to the current student process, once."""
        if COURSE_FUNCTIONS in self._loaded_modules():
            return
        request = course_functions_request(self.course_functions)
        if request is None:
            raise RuntimeError("the tests pass course functions, but the course has no functions.py")
        ok, result, output = self._request(request, [], self._op_deadline(), "loading the course's functions.py")
        if not ok:
            raise RuntimeError(f"the course's functions.py failed in the student's process: {result}")
        self._loaded_modules().add(COURSE_FUNCTIONS)

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

    def _load(self, name: str) -> ModuleSource:
        """Import a student module in the current runner, once; import failures are final."""
        if name in self._failed_imports:
            raise self._failed_imports[name].with_traceback(None)
        source = self.sources.get(name)
        if source is None:
            raise MissingCode(_("no {name}.py or {name}.ipynb in the submission").format(name=name))
        if name in self._loaded_modules():
            return source
        if source.problem is not None or source.text is None:
            problem = _(source.problem) if source.problem else _("{file} could not be read").format(file=source.filename)
            error = StudentException(problem, "UnreadableFile")
            error.during_import = True
            self._failed_imports[name] = error
            raise error
        modules, buffers = [], []
        if _SOURCES_SENT not in self._loaded_modules():  # a process keeps the files it was sent once
            modules = load_modules(self.sources.values(), buffers)
        request = {"op": "load", "name": name, "modules": modules, "graded": sorted(self.classes),
                   "cell_seconds": self.timeout}
        what = _("importing {file}").format(file=source.filename)
        started = time.monotonic()
        try:
            # An import gets its own time budget: it is not the fault of the test that triggers it,
            # so the test's clock does not count it either (the whole submission's budget still does).
            deadline = time.monotonic() + self._load_seconds()
            if self._until is not None:
                deadline = min(deadline, self._until)
            ok, result, output = self._request(request, buffers, deadline, what)
            self._loaded_modules().add(_SOURCES_SENT)
            if self._deadline is not None:
                self._deadline += time.monotonic() - started
                if self._until is not None:
                    self._deadline = min(self._deadline, self._until)
            self._take_notes()
            if not ok:
                raise student_exception(result, what, output)
        except StudentCodeError as exc:
            exc.during_import = True
            self._failed_imports[name] = exc
            raise
        self._loaded_modules().add(name)
        return source

    def _load_seconds(self) -> float:
        """The time an import may take: a notebook's cells that define nothing graded have bounds of their own."""
        cells = sum(len(s.cells) for s in self.sources.values())
        graded = sum(1 for s in self.sources.values() for c in s.cells if _GRADED_CLASS.search(c.source))
        if not cells:
            return self.timeout
        return self.timeout * max(graded, 1) + CELL_SECONDS * cells + TRAILING_SECONDS

    def _note_forward_runs(self, obj: _Object, methods: list) -> None:
        """Keep what the last reply says the layer's forward did during its backward calls (``methods``)."""
        if isinstance(self._last_reply, dict):
            for runs, changed in forward_runs(self._last_reply, methods):
                self._forward_runs.append(ForwardRuns(obj.class_name, runs, changed))

    def _take_notes(self) -> None:
        """Keep the notes of the last reply (running a file, creating an object), worded, each once."""
        for file, shown in self._last_notes:
            if shown not in self.notes:
                self.notes.append(shown)
                self._notes_by_file.append((file, shown))

    def _request(self, request: dict, buffers: list, deadline: float, what: str, answers: Answers | None = None):
        """One round trip: ``(True, value, output)`` or ``(False, error dict, output)``.

        ``answers`` answers the questions the student's process may ask while
        this request runs (a replaced function was called, see ``calls.py``).
        """
        self._send(request, buffers, deadline, what, answers=answers)
        return self._answer(deadline)

    def _send(self, request: dict, buffers: list, deadline: float, what: str, on_reply=None,
              answers: Answers | None = None) -> None:
        """Send a request without reading its reply; ``on_reply(ok, result, output)`` handles it when it is read.

        Requests wait unanswered only while they fit in the channel together
        (``pipeline_bytes``), so writing one never waits for the other side
        to read; otherwise the replies due are read first.
        """
        size = sum(len(b) for b in buffers) + 4096
        pipelined = sum(u.size for u in self._unanswered)
        if self._unanswered and (on_reply is None and request["op"] not in _SMALL_OPS
                                 or pipelined + size > self.pipeline_bytes):
            self._answer(deadline)
        request["drop"], self._to_drop = self._to_drop, []
        self._sequence += 1
        request["seq"] = self._sequence
        steps = len(request["steps"]) if request["op"] == "sequence" else None
        self._unanswered.append(_Unanswered(self._sequence, what, size, on_reply, request["op"] == "load", steps,
                                            answers))
        try:
            self._deliver(request, buffers, deadline)
        except (ChildTimedOut, ChildDied, ChildGarbled) as exc:
            self._unanswered.clear()
            raise self._transport_error(exc, what, request["op"] == "load") from None
        except BaseException:
            self._unanswered.clear()
            self._discard()
            raise

    def _answer(self, deadline: float):
        """Read every reply due, oldest first; return the newest one's ``(ok, result, output)``.

        A failure handled by an earlier request's ``on_reply`` (creating an
        object failed) is raised once all replies due have been read, so the
        channel stays in step.
        """
        failure, last = None, None
        while self._unanswered:
            due = self._unanswered[0]
            try:
                reply, reply_buffers = self._reply_to(due, deadline)
            except (ChildTimedOut, ChildDied, ChildGarbled) as exc:
                self._unanswered.clear()
                raise failure or self._transport_error(exc, due.what, due.importing) from None
            except BaseException:  # Ctrl+C while waiting: the replies still due can never be matched up
                self._unanswered.clear()
                self._discard()
                raise
            self._unanswered.popleft()
            try:
                last = parse_reply(reply, reply_buffers, due.sequence, due.steps)
                self._last_notes = reply_notes(reply)
            except wire.WireError as exc:
                self._unanswered.clear()
                self._discard()
                raise failure or bad_reply(due.what, str(exc)) from None
            self._last_reply = reply
            text, cut = printed_by(reply)
            self._output.write(text)
            self._output.drop(cut)
            if due.on_reply is not None and failure is None:
                try:
                    due.on_reply(*last)
                except StudentCodeError as exc:
                    failure = exc
        if failure is not None:
            raise failure
        return last

    def _reply_to(self, due: _Unanswered, deadline: float) -> tuple[dict, list]:
        """The next reply, answering the questions the student's process asks before it (``calls.py``).

        A question the judge must not answer breaks the protocol; one asked
        again and again ends with the test's time limit, even when every
        question is already waiting in the pipe.
        """
        while True:
            message, buffers = self._receive(deadline)
            if "question" not in message:
                return message, buffers
            answer = self._answer_question(due, message, buffers)
            if time.monotonic() >= deadline:
                self._discard()
                raise ChildTimedOut()
            self._deliver(*answer, deadline)

    def _answer_question(self, due: _Unanswered, question: dict, buffers: list) -> tuple[dict, list]:
        """The judge's answer to a question asked while ``due`` runs; ChildGarbled (child discarded) if refused."""
        try:
            if due.answers is None:
                raise wire.WireError("a question to the grader while it answers none")
            return due.answers.answer(question, buffers, due.sequence)
        except wire.WireError as exc:
            self._discard()
            raise ChildGarbled(str(exc)) from None

    def _transport_error(self, exc: Exception, what: str, importing: bool) -> StudentCodeError:
        if isinstance(exc, ChildTimedOut):
            return StudentTimeout(self._timeout_message(what, importing=importing))
        if isinstance(exc, ChildDied):
            return StudentCrash(_("the process running your code stopped during {what}: {error}").format(
                what=what, error=_(str(exc))))
        return bad_reply(what, str(exc))

    def _timeout_message(self, what: str, importing: bool = False) -> str:
        limit = f"{self.timeout:g} s"
        if self._until is not None and time.monotonic() >= self._until:
            return _("the time budget for the whole submission was spent during {what}, which was stopped; "
                     "look for slow code (loops over every entry)").format(what=what)
        if importing:
            text = _("{what} took longer than {limit}, the time limit, and was stopped; "
                     "look for top-level code that never finishes (a training loop, a demo)")
        elif self._deadline is not None:
            text = _("the test took longer than {limit}, the time limit per test, and was stopped "
                     "during {what}; look for an infinite loop or very slow code")
        else:
            text = _("{what} took longer than {limit} and was stopped; look for an infinite loop or very slow code")
        return text.format(what=what, limit=limit)


_GRADED_CLASS = re.compile(r"^class\s", re.MULTILINE)
_SOURCES_SENT = "\0sources"  # in a process's set of loaded modules once it holds every file of the submission


def _add_arguments(request: dict, args, kwargs) -> list:
    buffers: list = []
    request.update(_encode_arguments(args, kwargs, buffers))
    return buffers


def _encode_arguments(args, kwargs, buffers: list) -> dict:
    return {"args": [wire.encode_value(a, buffers, _plain) for a in args],
            "kwargs": {k: wire.encode_value(v, buffers, _plain) for k, v in kwargs.items()}}


class Steps:
    """The results of :meth:`BaseRunner.sequence`, read from the child when first asked for.

    ``steps[i]`` is what step ``i`` returned (a method's value, an
    attribute's value); if that step or an earlier one failed, asking for it
    raises what the failing step would have raised on its own.
    """

    def __init__(self, runner: BaseRunner, obj: _Object, steps: list):
        self._runner, self._obj, self._steps = runner, obj, steps
        self._values: tuple | None = None
        self._stopped: StudentCodeError | None = None

    def describe(self, index: int) -> str:
        step = self._steps[index]
        if isinstance(step, str):
            return _("reading {name}").format(name=f"{self._obj.class_name}.{step}")
        return f"{self._obj.class_name}.{step[0]}"

    def receive(self, ok: bool, result, output: str) -> None:
        if not ok:  # the request as a whole failed (the object is gone)
            self._values = ()
            self._stopped = (student_exception(result, self.describe(0), output) if result["kind"] == "exception"
                             else bad_reply(self.describe(0), "an error that is not an exception"))
            return
        self._values, stopped = result
        self._runner._note_forward_runs(self._obj, [None if isinstance(s, str) else s[0] for s in self._steps])
        for step in self._steps[: len(self._values) + (stopped is not None)]:
            if not isinstance(step, str):
                self._obj.arguments.extend(step[1])
        if stopped is not None:
            index = len(self._values)
            step = self._steps[index]
            self._stopped = (get_error(self._obj, step, stopped, output) if isinstance(step, str)
                             else call_error(self._obj, step[0], step[1], stopped, output, self._runner.hints))

    def __len__(self) -> int:
        return len(self._steps)

    def done(self) -> int:
        """How many steps ran without failing (the reply is read if it has not been yet)."""
        if self._values is None:
            self._runner.settle()
        return len(self._values or ())

    def __getitem__(self, index: int):
        if self._values is None:
            self._runner.settle()
        if self._values is None:
            raise RuntimeError("the reply to these steps was lost")
        if index < len(self._values):
            return self._values[index]
        raise self._stopped


def _plain(value):
    if value is None or type(value) is str:
        return value
    raise TypeError(f"the grader cannot pass a {type(value).__name__} to student code")
