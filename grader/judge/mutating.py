"""The runner that makes a mistake of :mod:`grader.judge.mutation` on what one graded name gives back."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from grader.judge.diagnoses.observed import forward_facts
from grader.judge.mutation import Mistake, Seen, _number_or_array, mistaken


@dataclass
class _Object:
    facts: dict = field(default_factory=dict)
    backward_ran: bool = False


class MutatingRunner:
    """A runner whose answers for one graded name carry one mistake.

    It stands between the tests and the real runner (whose student code is
    the course's solution): what the name's ``backward`` returns, the
    ``gradients`` attributes it set (``dW``, ``dgamma``: read after a
    backward) and what the function of that name returns come back with the
    mistake made; everything else passes through. ``applied`` counts the
    values it changed; ``only`` (indexes in the order the test reads the
    name's values) limits the mistake to the values the test checks.
    """

    def __init__(self, runner, name: str, mistake_: Mistake, gradients=(), only: frozenset[int] | None = None):
        self._runner, self._name, self._mistake = runner, name, mistake_
        self._gradients = frozenset(gradients)
        self._objects: dict[int, _Object] = {}
        self._only = only
        self.applied = 0
        self.values = 0  # the name's values the test has read so far, mistaken or not

    def __getattr__(self, attribute):
        return getattr(self._runner, attribute)

    def new_later(self, module: str, class_name: str, /, *args, **kwargs) -> int:
        handle = self._runner.new_later(module, class_name, *args, **kwargs)
        if class_name == self._name:
            self._objects[handle] = _Object()
        return handle

    def new(self, module: str, class_name: str, /, *args, **kwargs) -> int:
        handle = self.new_later(module, class_name, *args, **kwargs)
        self._runner.settle()
        return handle

    def call(self, handle: int, method: str, /, *args, **kwargs):
        result = self._runner.call(handle, method, *args, **kwargs)
        return self.after(handle, method, args, result)

    def get(self, handle: int, attribute: str):
        return self.after(handle, attribute, None, self._runner.get(handle, attribute))

    def sequence(self, handle: int, steps: list):
        later = self._runner.sequence(handle, steps)
        return later if handle not in self._objects else _MistakenSteps(self, handle, steps, later)

    def call_function(self, module: str, function: str, args=(), kwargs=None, *, echo=(), replacing=None,
                      ahead=None):
        result = self._runner.call_function(module, function, args, kwargs, echo=echo, replacing=replacing,
                                            ahead=ahead)
        if function != self._name:
            return result
        if echo:
            return (self._mistaken(result[0], Seen()), *result[1:])
        return self._mistaken(result, Seen())

    def after(self, handle: int, step: str, args: tuple | None, result):
        """``result`` of a call (``args`` given) or an attribute read, as the mutated object answers it."""
        obj = self._objects.get(handle)
        if obj is None:
            return result
        if step == "forward" and args is not None:
            obj.facts = forward_facts(args, result)
        elif step == "backward" and args is not None:
            obj.backward_ran = True
            dout = args[0] if args and _number_or_array(args[0]) else None
            obj.facts["dout"] = None if dout is None else np.asarray(dout, dtype=np.float64)
            return self._mistaken(result, Seen(**obj.facts))
        elif args is None and step in self._gradients and obj.backward_ran:
            return self._mistaken(result, Seen(**obj.facts, parameter=True))
        return result

    def _mistaken(self, value, seen: Seen):
        index, self.values = self.values, self.values + 1
        if self._only is not None and index not in self._only:
            return value
        value, applied = mistaken(value, self._mistake, seen)
        self.applied += applied
        return value


class _MistakenSteps:
    """The results of several steps on a mutated object, each as :meth:`MutatingRunner.after` answers it."""

    def __init__(self, runner: MutatingRunner, handle: int, steps: list, later):
        self._runner, self._handle, self._steps, self._later = runner, handle, steps, later
        self._answers: list = []

    def __len__(self) -> int:
        return len(self._later)

    def done(self) -> int:
        return self._later.done()

    def __getitem__(self, index: int):
        while len(self._answers) <= index:  # in order: what each step answers depends on the steps before
            step = self._steps[len(self._answers)]
            value = self._later[len(self._answers)]  # raises what the step (or an earlier one) raised
            if isinstance(step, str):
                self._answers.append(self._runner.after(self._handle, step, None, value))
            else:
                self._answers.append(self._runner.after(self._handle, step[0], tuple(step[1]), value))
        return self._answers[index]
