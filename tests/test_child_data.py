"""The child says what happened as data; the judge checks every field and words it in the report's language."""
import textwrap

import numpy as np
import pytest

import grader.lang as i18n
from grader.sandbox.child.session import Session
from grader.sandbox.child.wire import WireError
from grader.sandbox.errors import StudentException, Unsupported
from grader.sandbox.notes import note_text
from grader.sandbox.replies import reply_notes
from grader.sandbox.runner import Runner
from grader.sandbox.words import checked_said, said_text, unsupported
from grader.submission.source import ModuleSource


@pytest.fixture
def korean(monkeypatch):
    monkeypatch.setenv("GRADER_LANG", "ko")
    i18n.set_language(None)
    yield
    monkeypatch.setenv("GRADER_LANG", "en")
    i18n.set_language(None)


def runner_for(name, text, **kwargs):
    return Runner({name: ModuleSource(name, f"{name}.py", textwrap.dedent(text))}, timeout=5.0, **kwargs)


FORGING = """
import torch

def _grader_error():
    try:
        torch.ones(2)
    except Exception as caught:
        return type(caught)

E = _grader_error()

class Forger:
    def words(self):
        raise E("hello there")
    def bad_action(self):
        raise E("standin", path="torch.x", action="deleted")
    def valid(self):
        raise E("standin", path="pandas.read_csv", action="call")
    def attribute(self):
        error = ValueError("plain")
        error.said = {"code": "standin", "path": "torch", "action": "call"}
        raise error
"""


def test_a_stand_in_error_reaches_the_judge_as_data_not_as_a_sentence():
    session = Session()
    try:
        source = "import torch\nclass A:\n    def f(self):\n        return torch.from_numpy(1)\n"
        session.finder.add("m", "m.py", source)
        session.student_files.add("m.py")
        session.handle({"op": "load", "name": "m", "modules": [], "graded": ["A"]}, [])
        session.handle({"op": "new", "handle": 1, "module": "m", "class": "A", "args": [], "kwargs": {}}, [])
        reply, _ = session.handle({"op": "call", "handle": 1, "method": "f", "args": [], "kwargs": {}}, [])
    finally:
        session.close()
    error = reply["error"]
    assert error["said"] == {"code": "standin", "path": "torch.from_numpy", "action": "call"}
    assert "cannot be used" not in error["message"] + error["traceback"]


def test_student_code_raising_the_graders_error_gets_only_what_checks_out_worded(korean):
    with runner_for("forge", FORGING) as runner:
        runner.begin_test()
        h = runner.new("forge", "Forger")
        messages = {}
        for method in ("words", "bad_action", "valid", "attribute"):
            with pytest.raises(StudentException) as raised:
                runner.call(h, method)
            messages[method] = raised.value.message
    assert 'NotAvailableError 예외가 발생했습니다: "code=hello there"' in messages["words"]
    assert '"code=standin path=torch.x action=deleted"' in messages["bad_action"]  # shown as raised, not worded
    assert "pandas.read_csv: 사용할 수 없습니다. pandas는 채점 중에는 쓸 수 없습니다" in messages["valid"]
    assert 'ValueError 예외가 발생했습니다: "plain"' in messages["attribute"]  # only the grader's own class says


@pytest.mark.parametrize("said", [
    "standin",
    {"code": "standin", "path": "torch.x"},
    {"code": "standin", "path": "torch.x", "action": "call", "extra": "x"},
    {"code": "standin", "path": "torch.x", "action": "operator"},
    {"code": "standin", "path": "torch.x", "action": "operator", "symbol": "<<"},
    {"code": "standin", "path": 3, "action": "call"},
    {"code": "standin", "path": "t" * 501, "action": "call"},
    {"code": "ask_after", "name": "numerical_gradient"},
    {"code": "nothing the grader says", "name": "x"},
])
def test_a_said_that_the_grader_could_not_have_said_is_dropped(said):
    assert checked_said(said) is None


def test_every_refusal_is_worded_in_the_reports_language(korean):
    cases = {
        ("standin", "torch.nn", "base", None): "torch.nn: 기반 클래스로 쓸 수 없습니다. torch는 채점 중에는 쓸 수 없습니다. numpy를 쓰세요",
        ("standin", "x.y", "operator", "@"): "x.y: @ 연산에 쓸 수 없습니다. x는 채점 환경에 설치되어 있지 않습니다. numpy와 표준 "
                                              "라이브러리를 쓰세요",
        ("standin", "common.layers.Relu", "call", None): "common.layers.Relu: 사용할 수 없습니다. common.layers는 책의 코드 "
                                                          "파일이라",
    }
    for (code, path, action, symbol), expected in cases.items():
        said = {"code": code, "path": path, "action": action, **({"symbol": symbol} if symbol else {})}
        assert said_text(checked_said(said)).startswith(expected)
    asked = {"code": "ask_keyword", "name": "numerical_gradient", "key": "'h'"}
    assert said_text(checked_said(asked)) == "이 테스트 동안 numerical_gradient는 채점기의 것입니다. 'h'는 받는 인자 이름이 아닙니다"


def test_an_odd_value_says_why_as_a_code_worded_by_the_judge(korean):
    value = unsupported({"$unsupported": "numpy.ndarray", "reason": "dimensions", "count": 33, "limit": 32})
    assert value == Unsupported("numpy.ndarray", "33차원 배열입니다. 최대 32차원까지 받습니다") and value.reason == "dimensions"
    for malformed in ({"$unsupported": "dict", "reason": "whatever"},
                      {"$unsupported": "dict", "reason": "dimensions", "count": 33},
                      {"$unsupported": "dict", "reason": "none", "detail": "forged words"},
                      {"$unsupported": "dict", "reason": "too_large", "size": -1, "limit": 64},
                      {"$unsupported": 7, "reason": "none"}):
        with pytest.raises(WireError):
            unsupported(malformed)


def test_an_odd_value_from_student_code_is_told_with_its_reason():
    source = """
    import numpy as np
    class Odd:
        def deep(self):
            return np.zeros((1,) * 33)
    """
    with runner_for("odd", source) as runner:
        runner.begin_test()
        value = runner.call(runner.new("odd", "Odd"), "deep")
    assert value.reason == "dimensions" and value.detail == "an array with 33 dimensions; at most 32 are accepted"


@pytest.mark.parametrize("note", [
    {"code": "cell_stopped", "file": "a.ipynb", "cell": 1, "count": None, "seconds": float("nan"), "graded": False,
     "trailing": False},
    {"code": "cell_stopped", "file": "a.ipynb", "cell": True, "count": None, "seconds": 1.0, "graded": False,
     "trailing": False},
    {"code": "cell_magic", "file": "a.ipynb", "cell": 1, "count": 2, "magic": "bash", "words": "forged"},
    {"code": "cell_magic", "file": "a.ipynb", "cell": 1, "count": 2},
    {"code": "cell_exit", "file": "a.ipynb", "cell": 1, "count": "2", "value": "3"},
    {"code": "cell_raised", "file": "a.ipynb", "cell": 1, "count": 2, "line": 1, "text": "x",
     "error": {"type": "E", "message": "m", "traceback": "forged"}},
    {"code": "lines_skipped", "file": "a.ipynb", "count": 1, "lines": [[1, None, 1]]},
    {"code": "own_class", "name": "Relu", "replaced_by": "x" * 501},
    {"code": "a sentence of the child's"},
    "a.ipynb, cell 1 was not run: it is a %%bash cell, which only Jupyter can run.",
])
def test_a_malformed_note_breaks_the_protocol(note):
    with pytest.raises(WireError):
        reply_notes({"notes": [note]})


def test_the_notes_shown_with_a_missing_class_are_those_of_its_file():
    notebook = """
    import torch
    torch.ones(3)
    """
    runner = Runner({"a": ModuleSource("a", "a.py", textwrap.dedent(notebook)),
                     "a2": ModuleSource("a2", "a.py2", "import torch\ntorch.zeros(1)\n")}, timeout=5.0)
    with runner:
        runner.begin_test()
        from grader.sandbox.errors import MissingCode

        with pytest.raises(MissingCode):
            runner.new("a2", "Nothing")
        with pytest.raises(MissingCode) as missing:
            runner.new("a", "Nothing")
    assert "torch.ones" in missing.value.message and "torch.zeros" not in missing.value.message
    assert len(runner.notes) == 2


def test_a_module_that_cannot_be_imported_is_named_from_its_data():
    source = """
    class Importer:
        def f(self):
            raise ModuleNotFoundError("the words of the error say nothing", name="sklearn.datasets")
    """
    with runner_for("imp", source) as runner:
        runner.begin_test()
        with pytest.raises(StudentException) as raised:
            runner.call(runner.new("imp", "Importer"), "f")
    assert "sklearn.datasets cannot be imported" in raised.value.message
    assert "Remove the import of sklearn on line 4" in raised.value.message


def test_every_note_the_child_writes_is_data_the_judge_words():
    source = textwrap.dedent("""
    import numpy as np
    from dataset.mnist import load_mnist
    class A:
        pass
    load_mnist()
    """)
    session = Session()
    try:
        session.finder.add("f", "f.py", source)
        session.student_files.add("f.py")
        reply, _ = session.handle({"op": "load", "name": "f", "modules": [], "graded": ["A"]}, [])
    finally:
        session.close()
    assert [note["code"] for note in reply["notes"]] == ["file_stopped"]
    (file, shown), = reply_notes(reply)
    assert file == "f.py" and shown.startswith("f.py, line 6: load_mnist() raised NotAvailableError: "
                                               "dataset.mnist.load_mnist cannot be used: dataset.mnist loads a data set")
    assert np.all([type(value) is not str or len(value) < 200 for value in reply["notes"][0].values()])


KOREAN_CASES = """
import numpy as np
import matplotlib.pyplot as plt
from common.layers import *

class Shown:
    def standin(self):
        return plt
    def undefined(self):
        return Affine(1, 2)
    def deep(self, n=20):
        return self.deep(n - 1) if n else plt.show()
"""


def test_what_the_grader_says_of_student_code_is_wholly_in_the_reports_language(korean):
    from grader.judge.gradcheck import Mismatch, as_array

    with runner_for("shown", KOREAN_CASES) as runner:
        runner.begin_test()
        h = runner.new("shown", "Shown")
        with pytest.raises(Mismatch) as returned:
            as_array(runner.call(h, "standin"), "dx")
        with pytest.raises(StudentException) as undefined:
            runner.call(h, "undefined")
        with pytest.raises(StudentException) as deep:
            runner.call(h, "deep")
    assert str(returned.value) == ("dx의 타입이 matplotlib.pyplot입니다 (채점기가 제공하지 않는 모듈 대신 채점기가 넣어 둔 것입니다). "
                                   "숫자나 numpy 배열이어야 합니다.")
    assert "(채점 중에는 common.layers를 제공하지 않으므로 거기서 가져온 것은 하나도 없습니다. Affine은 여러분의 코드에서 " \
           "정의해야 합니다)" in undefined.value.message
    assert deep.value.traceback.startswith("  ... 앞선 호출 9개는 보여 주지 않습니다\n")
    assert deep.value.traceback.endswith("\nNotAvailableError: matplotlib.pyplot.show: 사용할 수 없습니다. matplotlib은 "
                                         "채점 중에는 쓸 수 없습니다(그래프, 진행 표시줄, 노트북, 데이터 도구는 채점에 필요하지 않습니다)\n")
    assert "grader.sandbox" not in deep.value.traceback  # the grader's own module path is not the student's business


def test_the_notes_of_a_notebook_and_a_file_are_wholly_in_the_reports_language(korean):
    skipped = {"code": "lines_skipped", "file": "a.ipynb", "count": 8,
               "lines": [[1, 1, 1, "%matplotlib inline"], [2, None, 3, "!ls"]]}
    assert note_text(skipped)[1] == ("a.ipynb: IPython 전용 줄(매직, 셸 명령) 8개를 건너뛰었습니다: 셀 1 (In [1]) 1번째 줄: "
                                     "%matplotlib inline; 셀 2 3번째 줄: !ls; 그 밖에 6줄.")
    python2 = {"code": "cell_not_python", "file": "a.ipynb", "cell": 3, "count": 3, "python2": True,
               "message": "Missing parentheses in call to 'print'", "line": 1, "text": "print 'x'"}
    assert note_text(python2)[1].endswith("(Missing parentheses in call to 'print', 1번째 줄: print 'x').")
    stopped = {"code": "file_stopped", "file": "layers.py", "line": 9, "text": "load_mnist()",
               "error": {"type": "NotAvailableError", "message": "code=standin",
                         "said": {"code": "standin", "path": "dataset.mnist.load_mnist", "action": "call"}}}
    assert note_text(stopped) == ("layers.py", 'layers.py, 9번째 줄 load_mnist()에서 NotAvailableError 예외가 발생했습니다: '
                                  '"dataset.mnist.load_mnist: 사용할 수 없습니다. dataset.mnist는 데이터셋을 불러오는데, 채점 '
                                  '중에는 데이터셋이 없습니다. 채점하는 것은 여러분의 클래스뿐입니다". 파일의 나머지는 실행하지 않았고, '
                                  '그 줄 위에서 정의한 것을 채점합니다.')
    own = {"code": "own_class", "name": "Relu", "standin": "common.layers.Relu", "type": None}
    assert note_text(own) == (None, "Relu: 여러분이 만든 클래스를 채점했습니다. 뒤의 줄이 이 이름을 채점기가 제공하지 않는 "
                                    "common.layers.Relu로 바꿨습니다.")


def test_a_graded_class_replaced_by_the_books_is_named_by_what_replaced_it():
    source = textwrap.dedent("""
    class Relu:
        def forward(self, x):
            return x
    from common.layers import Relu  # pasted with the top of the book's file
    """)
    session = Session()
    try:
        session.finder.add("own", "own.py", source)
        session.student_files.add("own.py")
        session.handle({"op": "load", "name": "own", "modules": [], "graded": ["Relu"]}, [])
        reply, _ = session.handle({"op": "new", "handle": 1, "module": "own", "class": "Relu", "args": [],
                                   "kwargs": {}}, [])
    finally:
        session.close()
    assert reply["ok"] and reply["notes"] == [{"code": "own_class", "name": "Relu", "standin": "common.layers.Relu",
                                               "type": None}]
    assert note_text(reply["notes"][0])[1] == ("Relu: grading your own class; a later line replaced the name with "
                                               "common.layers.Relu, which the grader does not provide.")


def test_a_child_that_could_not_confine_itself_says_why_as_data(korean):
    from grader.sandbox.child.confine import ConfinementError
    from grader.sandbox.words import confinement_problem

    problem = ConfinementError("user_switch", uid=65534, error="[Errno 1] Operation not permitted").problem
    assert confinement_problem(problem) == "사용자 ID 65534로 바꿀 수 없었습니다: [Errno 1] Operation not permitted"
    assert confinement_problem({"code": "root_regained"}) == "사용자를 바꾼 뒤에도 root 권한을 되찾을 수 있었습니다"
    for malformed in ("could not switch", {"code": "user_switch", "uid": "65534", "error": "x"},
                      {"code": "root_regained", "error": "forged words"}, {"code": "a problem never sent"}):
        with pytest.raises(WireError):
            confinement_problem(malformed)
