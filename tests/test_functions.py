"""Function exercises: the judge calls module-level functions of a submission with arrays, numbers and
course functions, in the child (sandboxed) and in the in-process runner alike; a replaced function is a
stand-in that asks the judge, which answers only for the call's own f and only while that call runs."""
import importlib

import numpy as np
import pytest

from grader.sandbox.errors import BadReply, MissingCode, StudentException, StudentTimeout
from grader.submission.source import ModuleSource
import grader.sandbox.child.wire as wire
from grader.sandbox.calls import Answers, CourseFunction
from grader.sandbox.inprocess import InProcessRunner
from grader.sandbox.runner import Runner
from builtin_course import COURSE

FUNCTIONS = (COURSE.root / "functions.py").read_text(encoding="utf-8")

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

def descend_wrapped(f, x):
    return x - 0.1 * numerical_gradient(lambda v: f(v), x)

def descend_another(f, x):
    return x - 0.1 * numerical_gradient(f.__globals__["bowl"], x)

def forge(f, x, field, value):
    stand_in = numerical_gradient  # the grader's, during this call
    if field == "given":  # make it believe the call was given another function
        other = f.__globals__[value]
        stand_in.given = {id(other): (other, value)}
        return stand_in(other, x)
    setattr(stand_in, field, stand_in.sequence + 1 if field == "sequence" else value)
    return stand_in(f, x)

KEPT = []

def descend_keeping(f, x):
    KEPT.append(numerical_gradient)
    return x - 0.1 * numerical_gradient(f, x)

def call_kept(f, x, **changes):
    kept = KEPT[-1]
    for name, value in changes.items():
        setattr(kept, name, value)
    return kept(f, x)

def ask_forever(f, x):
    while True:
        numerical_gradient(f, x)

def reachable_from(f):
    # what student code can find from f: its own attributes, and every callable of its module
    functions = [k for k, v in f.__globals__.items() if callable(v) and not k.startswith("__")]
    return len(vars(f)), len(functions), sum("grad" in name.lower() for name in functions)

NOT_A_FUNCTION = 3
"""



@pytest.fixture(params=["sandbox", "in-process"])
def runner(request):
    sources = {"learning": ModuleSource("learning", "learning.py", text=LEARNING)}
    made = (Runner if request.param == "sandbox" else InProcessRunner)(sources, timeout=5, course_functions=FUNCTIONS)
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


class Judge:
    """A judge's function answering for numerical_gradient: the exact gradient of 1.2 x^2, and what it was asked."""

    def __init__(self):
        self.asked = []

    def __call__(self, f, x):
        self.asked.append((f, np.array(x)))
        return 2.4 * np.asarray(x, dtype=np.float64)


def test_a_replaced_function_is_answered_by_the_judge_during_the_call_only(runner):
    square, judge = CourseFunction("square_scaled"), Judge()
    x = runner.call_function("learning", "descend", (square, np.array([3.0])), {"lr": 0.2},
                             replacing={"numerical_gradient": judge})
    assert np.allclose(x, [1.56])
    assert [(f, list(x)) for f, x in judge.asked] == [(square, [3.0])]
    # afterwards the student's own function is back: its x is left shifted, the judge's answer does not shift it
    _, x_after = runner.call_function("learning", "numerical_gradient", (square, np.array([3.0])), echo=(1,))
    assert not np.array_equal(x_after, [3.0])
    assert len(judge.asked) == 1


def test_the_f_handed_to_student_code_carries_its_values_only(runner):
    attributes, functions, gradients = runner.call_function("learning", "reachable_from", (CourseFunction("bowl"),))
    assert (attributes, functions, gradients) == (0, 5, 0)  # the five functions of functions.py, nothing else


def test_a_stand_in_kept_after_its_call_answers_nothing(runner):
    square, judge = CourseFunction("square_scaled"), Judge()
    runner.call_function("learning", "descend_keeping", (square, np.array([3.0])), replacing={"numerical_gradient": judge})
    with pytest.raises(StudentException, match="numerical_gradient was the grader's own only while descend_keeping "
                                               "ran: it answers nothing after that"):
        runner.call_function("learning", "call_kept", (square, np.array([3.0])))
    assert len(judge.asked) == 1


def test_a_kept_stand_in_made_to_ask_again_fails_the_test_unanswered(runner):
    square, judge = CourseFunction("square_scaled"), Judge()
    runner.call_function("learning", "descend_keeping", (square, np.array([3.0])), replacing={"numerical_gradient": judge})
    with pytest.raises(BadReply, match="a question to the grader while it answers none"):
        runner.call_function("learning", "call_kept", (square, np.array([3.0])), {"running": True})
    assert len(judge.asked) == 1


@pytest.mark.parametrize("field, value, refusal", [
    ("sequence", None, "a question about another request"),
    ("name", "gradient_descent", "a question about a function the grader does not answer for"),
    ("given", "bowl", "a question about a function the call was not given"),
])
def test_a_forged_question_during_the_call_fails_the_test_unanswered(runner, field, value, refusal):
    judge = Judge()
    with pytest.raises(BadReply, match=refusal):
        runner.call_function("learning", "forge", (CourseFunction("square_scaled"), np.array([3.0]), field, value),
                             replacing={"numerical_gradient": judge})
    assert judge.asked == []


@pytest.mark.parametrize("function, given", [("descend_wrapped", "function <lambda>"), ("descend_another", "function bowl")])
def test_the_stand_in_answers_only_for_the_f_of_its_call(runner, function, given):
    judge = Judge()
    with pytest.raises(StudentException, match=f"it answers only for the function {function} was given, not for "
                                               f"{given}; pass that f on as it is"):
        runner.call_function("learning", function, (CourseFunction("square_scaled"), np.array([1.0])),
                             replacing={"numerical_gradient": judge})
    assert judge.asked == []


def test_a_question_with_no_judge_answer_fails_in_student_code(runner):
    apple = CourseFunction("apple_price")
    with pytest.raises(StudentException, match=r"descend\(\.\.\.\) raised NotAvailableError: the grader's "
                                               r"numerical_gradient could not answer: IndexError"):
        runner.call_function("learning", "descend", (apple, np.array([1.0])),
                             replacing={"numerical_gradient": lambda f, x: np.array([x[1] * x[2]])})


def test_questions_asked_without_end_stop_at_the_time_limit():
    sources = {"learning": ModuleSource("learning", "learning.py", text=LEARNING)}
    with Runner(sources, timeout=1, course_functions=FUNCTIONS) as runner:
        runner.begin_test()
        with pytest.raises(StudentTimeout, match="the test took longer than 1 s"):
            runner.call_function("learning", "ask_forever", (CourseFunction("function_2"), np.ones(2)),
                                 replacing={"numerical_gradient": lambda f, x: 2.0 * np.asarray(x)})


def test_questions_answered_ahead_cost_no_round_trip_and_get_the_same_answers(runner):
    square, judge = CourseFunction("square_scaled"), Judge()
    x = runner.call_function("learning", "descend", (square, np.array([3.0])), {"lr": 0.2},
                             replacing={"numerical_gradient": judge},
                             ahead={"numerical_gradient": [((square, np.array([3.0])), {})]})
    assert x.tolist() == [3.0 - 0.2 * (2.4 * 3.0)]  # with the judge's answer, 2.4 x at x = 3
    assert [(f, list(x)) for f, x in judge.asked] == [(square, [3.0])]  # once, before the call: never asked


def test_a_question_not_foreseen_is_asked_and_answered(runner):
    square, judge = CourseFunction("square_scaled"), Judge()
    x = runner.call_function("learning", "descend", (square, np.array([3.0])), {"lr": 0.2},
                             replacing={"numerical_gradient": judge},
                             ahead={"numerical_gradient": [((square, np.array([3.0 + 1e-15])), {})]})
    assert x.tolist() == [3.0 - 0.2 * (2.4 * 3.0)]
    assert [list(x) for _f, x in judge.asked] == [[3.0 + 1e-15], [3.0]]  # foreseen, then asked


def test_an_answer_sent_ahead_opens_only_with_the_exact_bytes_of_its_question():
    from grader.sandbox.calls import _encoded
    from grader.sandbox.child.calls import Sealed, question

    answers = Answers({"numerical_gradient": Judge()}, {"module": "course functions", "args": {"0": "bowl"}})
    bowl, x = CourseFunction("bowl"), np.array([1.0, 2.0])
    sent = answers.ahead({"numerical_gradient": [((bowl, x), {})]})
    received = Sealed.received(json_round_trip(sent))
    header, buffers = question(12, "numerical_gradient", (bowl, x), {}, _encoded)  # any request's question
    answer, answer_buffers = received.open(header, buffers)
    assert answer == {"answer": 0, "value": {"$nd": 0, "dtype": "<f8", "shape": [2]}}
    assert np.frombuffer(answer_buffers[0]).tolist() == [2.4, 4.8]
    for other in (np.array([1.0, np.nextafter(2.0, 3.0)]), np.array([1.0, 2.0], dtype=np.float32), np.array([[1.0, 2.0]])):
        assert received.open(*question(12, "numerical_gradient", (bowl, other), {}, _encoded)) is None
    assert received.open(*question(12, "numerical_gradient", (CourseFunction("function_2"), x), {}, _encoded)) is None
    # what the student's process holds says nothing of the answer without the question
    assert np.array([2.4, 4.8]).tobytes().hex() not in str(sent)


def test_a_question_the_judge_refuses_is_not_answered_ahead():
    apple = CourseFunction("apple_price")
    answers = Answers({"numerical_gradient": lambda f, x: np.array([x[1] * x[2]])},
                      {"module": "course functions", "args": {"0": "apple_price"}})
    assert answers.ahead({"numerical_gradient": [((apple, np.array([1.0])), {})]})["answers"] == {}


def json_round_trip(value):
    import json

    return json.loads(json.dumps(value))


def test_missing_and_non_callable_names_are_reported(runner):
    with pytest.raises(MissingCode, match="learning.py has no function gradient_descent"):
        runner.call_function("learning", "gradient_descent", ())
    with pytest.raises(StudentException, match="NOT_A_FUNCTION is not a function"):
        runner.call_function("learning", "NOT_A_FUNCTION", ())


def test_student_code_cannot_import_the_course_functions(runner):
    runner.call_function("learning", "numerical_gradient", (CourseFunction("function_2"), np.array([1.0])))
    with pytest.raises(StudentException, match="course_functions"):
        runner.call_function("learning", "steal", ())


def _question(**changes):
    question = {"question": 7, "name": "numerical_gradient", "args": [None, {"$nd": 0, "dtype": "<f8", "shape": [2]}],
                "kwargs": {}, "functions": {"0": "bowl"}}
    question.update(changes)
    return question


X = bytearray(np.array([1.0, 2.0]).tobytes())
MALFORMED = {
    "a missing field": ({k: v for k, v in _question().items() if k != "functions"}, [X]),
    "a field too many": (dict(_question(), output=""), [X]),
    "another request": (_question(question=8), [X]),
    "a number as a string": (_question(question="7"), [X]),
    "a function not replaced": (_question(name="gradient_descent"), [X]),
    "a name that is no string": (_question(name=["numerical_gradient"]), [X]),
    "arguments that are no list": (_question(args={"0": None}), [X]),
    "a keyword that is no name": (_question(kwargs={"0": 1.0}), [X]),
    "a course function the call was not given": (_question(functions={"0": "coupled"}), [X]),
    "a course function at no argument": (_question(functions={"0": "bowl", "5": "bowl"}), [X]),
    "a course function's place taken": (_question(args=[1.0, {"$nd": 0, "dtype": "<f8", "shape": [2]}]), [X]),
    "a placeholder without its function": (_question(functions={}), [X]),
    "text among the values": (_question(args=[None, "x"]), []),
    "a value the child would not send": (_question(args=[None, {"$unsupported": "dict", "detail": ""}]), []),
    "a buffer no value uses": (_question(), [X, X]),
    "too many arguments": (_question(args=[None] + [1.0] * 64), []),
    "arrays over the limit": (_question(args=[None, {"$nd": 0, "dtype": "|u1", "shape": [(8 << 20) + 1]}]),
                              [bytearray((8 << 20) + 1)]),
}


@pytest.mark.parametrize("question, buffers", MALFORMED.values(), ids=MALFORMED)
def test_a_question_is_checked_as_strictly_as_a_reply(question, buffers):
    judge = Judge()
    answers = Answers({"numerical_gradient": judge}, {"module": "course functions", "args": {"0": "bowl"}})
    with pytest.raises(wire.WireError):
        answers.answer(question, buffers, 7)
    assert judge.asked == []


def test_a_well_formed_question_gets_the_judge_function_answer():
    judge = Judge()
    answers = Answers({"numerical_gradient": judge}, {"module": "course functions", "args": {"0": "bowl"}})
    header, buffers = answers.answer(_question(), [bytearray(X)], 7)
    assert header == {"answer": 7, "value": {"$nd": 0, "dtype": "<f8", "shape": [2]}}
    assert np.frombuffer(buffers[0]).tolist() == [2.4, 4.8]
    assert judge.asked[0][0] == CourseFunction("bowl")


def test_replacing_with_a_course_function_is_refused_in_the_judge():
    with pytest.raises(TypeError, match="nothing that computes an answer goes to the student's process"):
        Answers({"numerical_gradient": CourseFunction("exact_gradient")}, {})


def test_every_course_function_has_an_exact_gradient_in_the_judge_that_its_values_agree_with():
    from builtin_course import COURSE
    from grader.judge.suites import course_package

    course_package(COURSE)
    functions = importlib.import_module("course.functions")
    reference = importlib.import_module("course.reference")
    shipped = {name for name, value in vars(functions).items() if callable(value) and not name.startswith("_")}
    assert shipped == set(reference.GRADIENTS)
    rng = np.random.default_rng(0)
    for name, gradient in reference.GRADIENTS.items():
        x = rng.uniform(-1, 1, size=3 if name == "apple_price" else (2, 3))
        f, h = getattr(functions, name), 1e-5
        numeric = np.zeros_like(x)
        for index in np.ndindex(x.shape):
            step = np.zeros_like(x)
            step[index] = h
            numeric[index] = (f(x + step) - f(x - step)) / (2 * h)
        assert np.allclose(gradient(x), numeric, rtol=1e-7, atol=1e-8), name


@pytest.mark.parametrize("submission, asks", [("solutions", False), ("gradient_descent/plus_sign", True)])
def test_a_correct_gradient_descent_asks_the_judge_nothing_and_a_wrong_one_is_answered_as_before(
        submission, asks, tmp_path, monkeypatch):
    from builtin_course import SOLUTIONS, mutant_submission
    from grader.judge.engine import grade_submission
    from grader.sandbox.channel import Channel

    asked = []
    answer_question = Channel._answer_question
    monkeypatch.setattr(Channel, "_answer_question", lambda self, *a: asked.append(1) or answer_question(self, *a))
    path = SOLUTIONS if submission == "solutions" else mutant_submission(tmp_path, submission)
    report = grade_submission(path, assignments=["learning"], seed=3, in_process=False)
    descent = [t for t in report["tests"] if t["layer"] == "gradient_descent"]
    assert len(descent) >= 5 and bool(asked) == asks
    assert all(t["status"] == "passed" for t in descent) == (not asks)
