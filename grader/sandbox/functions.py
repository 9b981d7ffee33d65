"""Calling the submission's module-level functions (``numerical_gradient``, ``gradient_descent``).

:class:`FunctionCalls` is the part of :class:`~grader.sandbox.client.BaseRunner`
that calls a function of a student module, with the course's functions as
arguments and a replaced function answered by the judge (``calls.py``).
"""
from __future__ import annotations

from grader.lang import _
from grader.sandbox.calls import COURSE_FUNCTIONS, Answers, course_functions_request, take_course_functions
from grader.sandbox.channel import add_arguments
from grader.sandbox.errors import MissingCode, StudentException
from grader.sandbox.replies import student_exception


class FunctionCalls:
    """Module-level functions of the submission; the runner's state it uses is set up by ``BaseRunner``."""

    def call_function(self, module: str, function: str, args=(), kwargs=None, *, echo=(), replacing=None,
                      ahead=None):
        """Call the module-level ``module.function(*args, **kwargs)`` of the submission.

        Arguments may be :class:`CourseFunction`. ``replacing`` maps globals of
        the student's module to functions of the judge's for the duration of the
        call (``{"numerical_gradient": exact_gradient}``), so a function that
        calls another graded one is graded on its own: the student's process
        calls a stand-in that asks the judge, which runs the function with the
        call's course functions as :class:`CourseFunction` (``calls.py``).
        ``echo`` names positions of ``args`` to return too, as they are after
        the call: then the result is ``(value, *echoed arguments)``. ``ahead``
        maps a replaced name to the questions a correct function asks,
        ``[(args, kwargs), ...]``: they are answered before the call and sent
        with it, sealed, so those cost no round trip (``calls.py``).
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
            if ahead:
                request["answered_ahead"] = answers.ahead(ahead)
        buffers = add_arguments(request, args, kwargs)
        what = f"{function}(...)"
        ok, result, output = self._request(request, buffers, self._op_deadline(), what, answers)
        if ok:
            self._locate(function, source)
            return result
        if result["kind"] == "not_reached":
            raise self._not_reached(function, result, output)
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

