"""The channel to the code runner: requests in flight, their replies read in order, and what a broken one means.

:class:`Channel` is the part of :class:`~grader.sandbox.client.BaseRunner`
that sends requests (several may wait unanswered while they fit in the
channel together), reads every reply due oldest first (answering the
questions a replaced function asks meanwhile, ``calls.py``), checks each
(``replies.parse_reply``) and turns a timeout, a dead process or a broken
reply into the student-facing exception.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import grader.sandbox.child.wire as wire
from grader.lang import _
from grader.sandbox.calls import Answers
from grader.sandbox.errors import StudentCodeError, StudentCrash, StudentTimeout
from grader.sandbox.replies import bad_reply, parse_reply, printed_by, reply_notes


class ChildTimedOut(Exception):
    """The deadline passed; the transport has already stopped the code."""


class ChildDied(Exception):
    """The process running student code ended; ``str()`` says how, in plain words."""


class ChildGarbled(Exception):
    """The reply broke the protocol; ``str()`` says how."""


@dataclass(frozen=True)
class Unanswered:
    sequence: int
    what: str  # what the student is told failed, if this reply never comes
    size: int  # bytes it may occupy in the channel, at most
    on_reply: object  # None, or a function of (ok, result, output) that raises what went wrong
    importing: bool
    steps: int | None = None  # for a sequence request: how many steps it has
    answers: Answers | None = None  # what the judge answers while it runs; None: no question may be asked


_SMALL_OPS = {"new", "call", "get", "sequence"}  # requests whose header is small (arrays travel as buffers)


class Channel:
    """Sending requests and reading their replies; the runner's state it uses is set up by ``BaseRunner``."""

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
        self._unanswered.append(Unanswered(self._sequence, what, size, on_reply, request["op"] == "load", steps,
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
                self._take_notes()  # a call's notes too (a backward called without dout)
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

    def _reply_to(self, due: Unanswered, deadline: float) -> tuple[dict, list]:
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

    def _answer_question(self, due: Unanswered, question: dict, buffers: list) -> tuple[dict, list]:
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



def add_arguments(request: dict, args, kwargs) -> list:
    """Put ``args`` and ``kwargs`` into ``request``; returns the buffers of their arrays."""
    buffers: list = []
    request.update(encode_arguments(args, kwargs, buffers))
    return buffers


def encode_arguments(args, kwargs, buffers: list) -> dict:
    return {"args": [wire.encode_value(a, buffers, _plain) for a in args],
            "kwargs": {k: wire.encode_value(v, buffers, _plain) for k, v in kwargs.items()}}


def _plain(value):
    if value is None or type(value) is str:
        return value
    raise TypeError(f"the grader cannot pass a {type(value).__name__} to student code")
