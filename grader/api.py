"""The course API: everything a course's own files (tests, helpers, hints, reference code) may use of the grader.

A course imports from here and nowhere else of the engine
(``tests/test_layers.py`` holds every shipped course to it), so the engine
can change behind it::

    from grader.api import check, check_layer, expect_close, N_, _

- declaring tests: :func:`check` (a test of a graded name, with its points
  and kind), :func:`course_function` (a function of the course's
  ``functions.py`` handed to student code);
- checking what student code returned: :func:`expect_close`,
  :func:`check_gradient`, :func:`as_array`, :func:`unpack`, :class:`together`
  (the arrays of one reply checked as one, so one mistake is one diagnosis), and the
  numerical derivatives the expected values come from
  (:func:`numerical_gradient`, :func:`numeric_vjp`);
- whole layers: :func:`check_layer` (forward, backward and every ``d<param>``
  of one layer against a reference forward), :func:`binary_gate_check`,
  :class:`JudgeLayer` / :class:`StudentLayer` (chaining the judge's layers
  with the student's in a network), inputs away from kinks
  (:func:`away_from_zero`, :func:`distinct_values`);
- words: ``N_`` marks a constant for translation, ``_`` translates it where
  it is shown (the course's own catalogue adds its texts).

May import: grader.lang, grader.judge.
"""
from grader.judge.gradcheck import (as_array, check_gradient, expect_close, numeric_vjp, numerical_gradient, together,
                                    unpack)
from grader.judge.helpers import (
    JudgeLayer,
    StudentLayer,
    away_from_zero,
    binary_gate_check,
    check_layer,
    distinct_values,
)
from grader.judge.suites import check, course_function
from grader.lang import N_, _

__all__ = [
    "check", "course_function",
    "expect_close", "check_gradient", "as_array", "unpack", "numerical_gradient", "numeric_vjp", "together",
    "check_layer", "binary_gate_check", "JudgeLayer", "StudentLayer", "away_from_zero", "distinct_values",
    "N_", "_",
]
