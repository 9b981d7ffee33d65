"""Function exercises, the judge's side: course functions as arguments, and answers for a replaced function.

A test hands a function of the course's ``functions.py`` to student code
(the ``f`` of ``numerical_gradient(f, x)``) by naming it: :class:`CourseFunction`.
The judge sends that file's source to the student's process once (``define``)
and the student's process calls its own copy, so no code crosses the channel
and the judge never runs student code. That file holds the functions' values
only: nothing reachable from an ``f`` computes an answer.

To grade ``gradient_descent`` on its own, a test replaces the student's
``numerical_gradient`` for one call by a function that runs in the judge
(``replacing={"numerical_gradient": exact_gradient}``). The student's process
gets a stand-in holding no code of the answer (``child/calls.py``): each call
of it is a *question* on the same pipes while the call runs,
``{"question": seq, "name", "args", "kwargs", "functions": {position: name}}``,
with the call's course functions named at their positions. :class:`Answers`
checks it as strictly as a reply (it is the student's process talking), runs
the judge's function with those course functions as :class:`CourseFunction`
and sends ``{"answer": seq, "value"}`` or ``{"answer": seq, "error"}`` back.
The judge answers only questions about the request it is waiting for, only
for the course functions that call was given; at any other time a question
is a broken reply, and the test fails.

A test that knows which questions a correct function asks (the points of a
gradient descent) names them (``foreseeing``): :meth:`Answers.ahead` answers
them before the call, each as it would answer the question, and sends them
sealed with the request (``child/calls.py``, :class:`~grader.sandbox.child.calls.Sealed`),
so a correct function asks nothing; any other question is asked as before.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

import grader.sandbox.child.wire as wire
from grader.sandbox.child.calls import Sealed, question

COURSE_FUNCTIONS = "course functions"  # the session's name for the course's functions.py
QUESTION_BYTES = 8 << 20  # the arrays of one question, at most
QUESTION_ARGUMENTS = 64
STUDENT_INPUT_ERRORS = (ArithmeticError, LookupError, TypeError, ValueError)
"""What the judge's function may raise on arguments the student chose; the student is told, as from their own call."""
_SALT = os.urandom(16)  # of the answers this judge seals: it keeps nothing secret, it only sets them apart


@dataclass(frozen=True)
class CourseFunction:
    """A function of the course's ``functions.py`` given to student code as an argument, by name.

    In a judge's function that answers for a replaced one, the arguments that
    were the call's course functions arrive as these too.
    """

    name: str


def course_functions_request(text: str | None) -> dict | None:
    """The course's ``functions.py`` (its source ``text``, None if the course has none) as a ``define`` request."""
    if text is None:
        return None
    return {"op": "define", "name": COURSE_FUNCTIONS, "filename": "course/functions.py", "text": text}


def take_course_functions(args, kwargs) -> tuple[list, dict, dict]:
    """``(args, kwargs, callables)``: course functions replaced by ``None``, and where they were, by name."""
    args, kwargs = list(args), dict(kwargs or {})
    callables = {"module": COURSE_FUNCTIONS, "args": {}, "kwargs": {}}
    for index, value in enumerate(args):
        if isinstance(value, CourseFunction):
            callables["args"][str(index)], args[index] = value.name, None
    for key, value in kwargs.items():
        if isinstance(value, CourseFunction):
            callables["kwargs"][key], kwargs[key] = value.name, None
    return args, kwargs, callables if callables["args"] or callables["kwargs"] else {}


class Answers:
    """What the judge answers while one call runs: ``replacing``'s functions, for that call's course functions."""

    def __init__(self, replacing: dict[str, Callable], callables: dict):
        for name, function in replacing.items():
            if isinstance(function, CourseFunction) or not callable(function):
                raise TypeError(f"replacing maps {name!r} to a function the judge runs (the course's exact_gradient), "
                                f"not {function!r}: nothing that computes an answer goes to the student's process")
        self.functions = dict(replacing)
        self.course = frozenset({*callables.get("args", {}).values(), *callables.get("kwargs", {}).values()})

    def answer(self, question: dict, buffers: list, sequence: int) -> tuple[dict, list]:
        """The answer to a question about request ``sequence``; raises WireError if it must not be answered."""
        return self._run(*self._checked(question, buffers, sequence), sequence)

    def ahead(self, questions: dict[str, list]) -> dict:
        """The request's ``answered_ahead``: the answers to ``questions`` (``{name: [(args, kwargs), ...]}``),
        computed as a question's would be, and sealed. A question the judge's function refuses is left out:
        the stand-in asks it, and is told."""
        sealed = Sealed(_SALT, {})
        for name, asked in questions.items():
            if name not in self.functions:
                raise ValueError(f"questions foreseen about {name!r}, which the call does not replace")
            for args, kwargs in asked:
                header, buffers = question(0, name, args, kwargs, _encoded)
                if not self.course.issuperset(header["functions"].values()):
                    raise ValueError(f"a question foreseen about {name!r} names a function the call is not given")
                answer, answer_buffers = self._run(name, args, kwargs, 0)
                if "value" in answer:
                    sealed.seal(header, buffers, b"".join(wire.pack(answer, answer_buffers)))
        return {"salt": sealed.salt.hex(), "answers": sealed.answers}

    def _run(self, name: str, args, kwargs, sequence: int) -> tuple[dict, list]:
        out: list = []
        try:
            value = self.functions[name](*args, **kwargs)
            return {"answer": sequence, "value": wire.encode_value(value, out, _not_a_value)}, out
        except STUDENT_INPUT_ERRORS as exc:
            return {"answer": sequence, "error": f"{type(exc).__name__}: {exc}"[:2000]}, []

    def _checked(self, question: dict, buffers: list, sequence: int):
        if question.keys() != _QUESTION_FIELDS:
            raise wire.WireError("a question to the grader that is malformed")
        asked, name, args, kwargs, functions = (question["question"], question["name"], question["args"],
                                                question["kwargs"], question["functions"])
        if type(asked) is not int or asked != sequence:
            raise wire.WireError("a question about another request")
        if type(name) is not str or name not in self.functions:
            raise wire.WireError("a question about a function the grader does not answer for")
        if (type(args) is not list or type(kwargs) is not dict or type(functions) is not dict
                or len(args) + len(kwargs) > QUESTION_ARGUMENTS or not all(map(str.isidentifier, kwargs))):
            raise wire.WireError("a question to the grader that is malformed")
        if sum(map(len, buffers)) > QUESTION_BYTES:
            raise wire.WireError(f"a question of more than {QUESTION_BYTES >> 20} MB")
        places = {str(i) for i in range(len(args))}.union(kwargs) if functions else ()
        for key, function in functions.items():
            if type(function) is not str or function not in self.course or key not in places:
                raise wire.WireError("a question about a function the call was not given")
        decoder = wire.Decoder(buffers)
        decoded = ([self._value(decoder, functions, str(i), data) for i, data in enumerate(args)],
                   {key: self._value(decoder, functions, key, data) for key, data in kwargs.items()})
        decoder.finish()
        return name, *decoded

    @staticmethod
    def _value(decoder, functions: dict, key: str, data):
        """An argument: the course function named at its place (whose data must be ``None``), else a plain value."""
        if key not in functions:
            return decoder.value(data)
        if data is not None:
            raise wire.WireError("a question to the grader that is malformed")
        return CourseFunction(functions[key])


_QUESTION_FIELDS = frozenset({"question", "name", "args", "kwargs", "functions"})


def _encoded(key, value, buffers: list, functions: dict):
    """An argument of a question the judge expects, as the stand-in encodes it (a course function by name)."""
    if isinstance(value, CourseFunction):
        functions[key] = value.name
        return None
    return wire.encode_value(value, buffers, _not_an_argument)


def _not_an_argument(value):
    raise TypeError(f"a question answered ahead cannot hold a {type(value).__name__}")


def _not_a_value(value):
    raise RuntimeError(f"the judge's function returned a {type(value).__name__}, which cannot be sent")
