"""Function exercises, the child's side: the course functions a call is given, and stand-ins that ask the judge.

Runs in the child (this package: the standard library and numpy only).

``define`` runs the course's ``functions.py`` into a module of the session's
own; a ``call_function`` request names which of its functions go where the
arguments hold ``None``. A request's ``"ask"`` names globals of the student's
module that stand for functions of the judge's during the call: each becomes
an :class:`AskTheJudge`, which holds no code of the answer. Called with the
call's own course functions, numbers and arrays, it sends a question on the
judge's pipes and returns the answer (``calls.py`` is the judge's side); once
the call has returned it answers nothing. The judge checks every question
itself: these checks only tell an honest student what went wrong, as a
:class:`NotAvailableError` whose ``said`` the judge words (``ask_after``,
``ask_keyword``, ``ask_function``, ``ask_value``, ``ask_failed``).
"""
import types

from .wire import Decoder, encode_value, read_message, write_message
from .standin import NotAvailableError

_NOT_THERE = object()


def define_course_module(request):
    """Run course code (``functions.py``) into a new module, not importable by student code."""
    module = types.ModuleType(request["name"])
    module.__file__ = request["filename"]
    exec(compile(request["text"], request["filename"], "exec", dont_inherit=True), module.__dict__)
    return module


def place_course_functions(defined, request, args, kwargs):
    """Put the course functions the request names in place of their ``None``; returns them by ``id``."""
    callables = request.get("callables") or {}
    given = {}
    if callables:
        module = defined[callables["module"]]
        for index, name in callables.get("args", {}).items():
            args[int(index)] = getattr(module, name)
            given[id(args[int(index)])] = (args[int(index)], name)
        for key, name in callables.get("kwargs", {}).items():
            kwargs[key] = getattr(module, name)
            given[id(kwargs[key])] = (kwargs[key], name)
    return given


def call_asking_the_judge(student, request, given, ask, call):
    """``call()`` with the globals of ``student`` the request names standing for the judge's functions."""
    names = request.get("ask") or ()
    stand_ins = {name: AskTheJudge(ask, request.get("seq"), name, request["function"], given) for name in names}
    saved = {name: student.__dict__.get(name, _NOT_THERE) for name in stand_ins}
    try:
        student.__dict__.update(stand_ins)
        return call()
    finally:
        for stand_in in stand_ins.values():
            stand_in.running = False
        for name, value in saved.items():
            if value is _NOT_THERE:
                student.__dict__.pop(name, None)
            else:
                student.__dict__[name] = value


def judge_line(read_fd, write_fd):
    """How the child asks the judge a question in the middle of a request: one message each way."""
    def ask(question, buffers):
        write_message(write_fd, question, buffers)
        return read_message(read_fd)
    return ask


class AskTheJudge:
    """A student's function, answered by the judge during one call (the grader's ``numerical_gradient``)."""

    def __init__(self, ask, sequence, name, function, given):
        self.ask, self.sequence, self.name, self.function, self.given = ask, sequence, name, function, given
        self.running = True

    def __repr__(self):
        return f"<the grader's {self.name}, during {self.function}>"

    def __call__(self, *args, **kwargs):
        if not self.running or self.ask is None:
            raise NotAvailableError("ask_after", name=self.name, function=self.function)
        odd = [key for key in kwargs if not key.isidentifier()]
        if odd:
            raise NotAvailableError("ask_keyword", name=self.name, key=repr(odd[0][:50]))
        buffers, functions = [], {}
        question = {"question": self.sequence, "name": self.name,
                    "args": [self._encoded(str(i), v, buffers, functions) for i, v in enumerate(args)],
                    "kwargs": {k: self._encoded(k, v, buffers, functions) for k, v in kwargs.items()},
                    "functions": functions}
        answer, answer_buffers = self.ask(question, buffers)
        if "error" in answer:
            raise NotAvailableError("ask_failed", name=self.name, error=str(answer["error"])[:2000])
        decoder = Decoder(answer_buffers)
        value = decoder.value(answer["value"])
        decoder.finish()
        return value

    def _encoded(self, key, value, buffers, functions):
        if callable(value):
            known = self.given.get(id(value))
            if known is None or known[0] is not value:
                raise NotAvailableError("ask_function", name=self.name, function=self.function,
                                        what=_what_it_is(value))
            functions[key] = known[1]
            return None
        return encode_value(value, buffers, self._not_sendable)

    def _not_sendable(self, value):
        raise NotAvailableError("ask_value", name=self.name, function=self.function, what=_what_it_is(value))


def _what_it_is(value):
    name = getattr(value, "__name__", None)
    return f"{type(value).__name__} {name}"[:100] if type(name) is str else type(value).__name__[:100]
