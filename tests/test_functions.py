"""Function exercises: the judge calls module-level functions of a submission with arrays, numbers and
course functions, in the child (sandboxed) and in the in-process runner alike."""
import numpy as np
import pytest

from grader.runner import MissingCode, ModuleSource, StudentException
from grader.runner.client import CourseFunction
from grader.runner.inprocess import InProcessRunner
from grader.runner.sandbox import Runner

LEARNING = """
import numpy as np

def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        keep = x[idx]
        x[idx] = keep + h
        up = f(x)
        x[idx] = keep - h
        down = f(x)
        grad[idx] = (up - down) / (2 * h)   # x[idx] is never put back
    return grad

def descend(f, x, lr=0.1):
    return x - lr * numerical_gradient(f, x)

def steal():
    import course_functions
    return float(course_functions.square_scaled(np.ones(1)))

NOT_A_FUNCTION = 3
"""


@pytest.fixture(params=["sandbox", "in-process"])
def runner(request):
    sources = {"learning": ModuleSource("learning", "learning.py", text=LEARNING)}
    made = Runner(sources, timeout=5) if request.param == "sandbox" else InProcessRunner(sources, timeout=5)
    with made:
        made.begin_test()
        yield made


def test_a_course_function_is_called_in_the_child_and_arrays_come_back(runner):
    grad = runner.call_function("learning", "numerical_gradient", (CourseFunction("function_2"), np.array([3.0, 4.0])))
    assert np.allclose(grad, [6.0, 8.0])


def test_echo_returns_the_arguments_as_the_student_left_them(runner):
    x = np.array([1.0, 2.0])
    grad, x_after = runner.call_function("learning", "numerical_gradient", (CourseFunction("function_2"), x),
                                         echo=(1,))
    assert np.allclose(grad, [2.0, 4.0])
    assert np.allclose(x_after, x - 1e-4) and not np.array_equal(x_after, x)
    assert np.array_equal(x, [1.0, 2.0])  # the judge's own array is never touched


def test_replacing_puts_the_course_version_in_place_during_the_call_only(runner):
    square = CourseFunction("square_scaled")
    replaced = {"numerical_gradient": CourseFunction("exact_gradient")}
    x = runner.call_function("learning", "descend", (square, np.array([3.0])), {"lr": 0.2}, replacing=replaced)
    assert np.allclose(x, [1.56])
    # afterwards the student's own function is back: its x is left shifted, the course's is not
    _, x_after = runner.call_function("learning", "numerical_gradient", (square, np.array([3.0])), echo=(1,))
    assert not np.array_equal(x_after, [3.0])


def test_missing_and_non_callable_names_are_reported(runner):
    with pytest.raises(MissingCode, match="learning.py has no function gradient_descent"):
        runner.call_function("learning", "gradient_descent", ())
    with pytest.raises(StudentException, match="NOT_A_FUNCTION is not a function"):
        runner.call_function("learning", "NOT_A_FUNCTION", ())


def test_student_code_cannot_import_the_course_functions(runner):
    runner.call_function("learning", "numerical_gradient", (CourseFunction("function_2"), np.array([1.0])))
    with pytest.raises(StudentException, match="course_functions"):
        runner.call_function("learning", "steal", ())
