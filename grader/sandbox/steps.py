"""The results of several calls on one object sent at once (:meth:`~grader.sandbox.client.BaseRunner.sequence`)."""
from __future__ import annotations

from grader.lang import _
from grader.sandbox.errors import StudentCodeError
from grader.sandbox.replies import bad_reply, call_error, get_error, student_exception


class Steps:
    """The results of :meth:`BaseRunner.sequence`, read from the child when first asked for.

    ``steps[i]`` is what step ``i`` returned (a method's value, an
    attribute's value); if that step or an earlier one failed, asking for it
    raises what the failing step would have raised on its own.
    """

    def __init__(self, runner, obj, steps: list):
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


