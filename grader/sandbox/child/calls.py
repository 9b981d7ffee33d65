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

Answered ahead: a question costs a round trip between the processes, and a
``gradient_descent`` asks one per step. So the judge may send, with the
call, the answers to the questions it expects (the points a correct descent
visits), each *sealed* by its question: filed under a key and hidden under
a one-time pad, both drawn from SHAKE-256 of the question's exact bytes
(after a salt of the judge's, which is no secret: it sets this judge's
answers apart) (:class:`Sealed`). The stand-in opens the answer to a
question it is about to ask, or asks; it can open only answers to questions
it can already put, so it learns nothing it could not have asked for, and
the answers are the judge's own, computed as a question's would be.
"""
import hashlib
import types

from .wire import Decoder, encode_value, pack, read_message, unpack, write_message
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
    ahead = Sealed.received(request.get("answered_ahead"))
    stand_ins = {name: AskTheJudge(ask, request.get("seq"), name, request["function"], given, ahead)
                 for name in names}
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


def question(sequence, name, args, kwargs, encoded):
    """A question's header and buffers; ``encoded(key, value, buffers, functions)`` encodes one argument.

    The judge builds the questions it answers ahead with this too, so theirs
    are byte for byte the ones a stand-in would put."""
    buffers, functions = [], {}
    header = {"question": sequence, "name": name,
              "args": [encoded(str(i), v, buffers, functions) for i, v in enumerate(args)],
              "kwargs": {k: encoded(k, v, buffers, functions) for k, v in kwargs.items()},
              "functions": functions}
    return header, buffers


class Sealed:
    """Answers sent ahead, each readable only with the exact bytes of its question (see the module's docstring)."""

    def __init__(self, salt: bytes, answers: dict):
        self.salt, self.answers = salt, answers  # {key as hex: sealed answer as hex}

    @classmethod
    def received(cls, data):
        """From a request's ``answered_ahead`` (``{"salt": hex, "answers": {key: sealed}}``), or None."""
        if not data:
            return None
        return cls(bytes.fromhex(data["salt"]), data["answers"])

    def seal(self, header, buffers, answer: bytes) -> None:
        """Keep ``answer`` (a packed message) for the question ``(header, buffers)``."""
        identity = self._identity(header, buffers)
        self.answers[self._key(identity)] = _xor(answer, self._pad(identity, len(answer))).hex()

    def open(self, header, buffers):
        """The answer kept for this question, unpacked, or None."""
        identity = self._identity(header, buffers)
        sealed = self.answers.get(self._key(identity))
        if sealed is None:
            return None
        sealed = bytes.fromhex(sealed)
        return unpack(_xor(sealed, self._pad(identity, len(sealed))))

    @staticmethod
    def _identity(header, buffers):
        """The question's bytes, whatever request it is about."""
        return b"".join(pack({**header, "question": 0}, buffers))

    def _key(self, identity):
        return hashlib.shake_256(self.salt + b"key" + identity).hexdigest(16)

    def _pad(self, identity, size):
        return hashlib.shake_256(self.salt + b"pad" + identity).digest(size)


def _xor(data: bytes, pad: bytes) -> bytes:
    return (int.from_bytes(data, "little") ^ int.from_bytes(pad, "little")).to_bytes(len(data), "little")


class AskTheJudge:
    """A student's function, answered by the judge during one call (the grader's ``numerical_gradient``)."""

    def __init__(self, ask, sequence, name, function, given, ahead=None):
        self.ask, self.sequence, self.name, self.function, self.given = ask, sequence, name, function, given
        self.ahead = ahead  # answers sent with the call (Sealed), or None
        self.running = True

    def __repr__(self):
        return f"<the grader's {self.name}, during {self.function}>"

    def __call__(self, *args, **kwargs):
        if not self.running or self.ask is None:
            raise NotAvailableError("ask_after", name=self.name, function=self.function)
        odd = [key for key in kwargs if not key.isidentifier()]
        if odd:
            raise NotAvailableError("ask_keyword", name=self.name, key=repr(odd[0][:50]))
        header, buffers = question(self.sequence, self.name, args, kwargs, self._encoded)
        known = self.ahead.open(header, buffers) if self.ahead is not None else None
        answer, answer_buffers = known or self.ask(header, buffers)
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
