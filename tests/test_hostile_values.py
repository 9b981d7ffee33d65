"""Whatever a student's method returns, every test ends in a verdict, never in "the grader itself failed".

A stand-in runner answers every call and attribute read of every hidden and
public test with values a hostile or confused submission could send back
through the wire: NaN, inf, 1e308, huge integers, booleans, empty and
0-dimensional arrays, arrays of the wrong shape or dtype, nested tuples and
unsupported objects. Each test must end ``passed`` or ``failed`` (with a
message), which is what the engine reports to the student.
"""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import grader.judge.engine as engine
import grader.judge.suites as suites
from builtin_course import COURSE
from grader.sandbox.errors import Unsupported

FUZZ = settings(max_examples=300, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CHECKS = suites.collect(COURSE)
SCALARS = st.one_of(st.floats(), st.integers(-2**70, 2**70), st.booleans(),
                    st.sampled_from([1e308, -1e308, 5e-324, float("nan"), float("inf"), 10**400]))
ARRAYS = hnp.arrays(st.sampled_from([np.float64, np.float32, np.float16, np.int64, np.uint8, np.bool_]),
                    hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5))
UNSUPPORTED = st.builds(Unsupported, st.sampled_from(["dict", "NoneType", "str", "numpy.ndarray"]),
                        st.text(max_size=20))
VALUES = st.recursive(st.one_of(SCALARS, ARRAYS, UNSUPPORTED), lambda inner: st.tuples(inner, inner) | st.tuples(inner),
                      max_leaves=4)


class HostileRunner:
    """Answers every request with the next drawn value (the last one again when they run out)."""

    def __init__(self, values):
        self._values, self._handles = list(values), 0

    def begin_test(self, until=None):
        pass

    def end_test(self):
        return ""

    def forward_runs(self):
        return []

    def new(self, module, class_name, *args, **kwargs):
        self._handles += 1
        return self._handles

    new_later = new

    def settle(self):
        pass

    def sequence(self, handle, steps):
        """Every step of a batch of calls returns the next drawn value."""
        return HostileSteps([self._next() for _ in steps])

    def _next(self):
        return self._values.pop(0) if len(self._values) > 1 else self._values[0]

    def call(self, handle, method, *args, **kwargs):
        return self._next()

    def get(self, handle, attribute):
        return self._next()

    def call_function(self, module, name, args, kwargs, echo=(), replacing=None, ahead=None):
        """A function exercise: its result, and with ``echo`` the arguments as they were after the call."""
        return (self._next(), *(self._next() for _ in echo)) if echo else self._next()


class HostileSteps(list):
    def done(self):
        return len(self)


@FUZZ
@given(st.sampled_from(CHECKS), st.lists(VALUES, min_size=1, max_size=6))
def test_any_returned_value_ends_in_a_verdict(check, values):
    result = engine.run_check(check, HostileRunner(values), seed=1)
    assert result.status in ("passed", "failed"), result
    if result.status == "failed":
        assert result.message
