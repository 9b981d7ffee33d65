"""Behaviour of the runner: student code in a child process, driven by the judge."""
import os
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from grader.sandbox.errors import BadReply, MissingCode, StudentCrash, StudentException, StudentTimeout, Unsupported
from grader.submission.source import ModuleSource
import grader.sandbox.child.wire as wire
from grader.sandbox.inprocess import InProcessRunner
from grader.sandbox import make_runner
from grader.sandbox.runner import Runner

GATES = """
import numpy as np

class MulLayer:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x

class Echo:
    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs

    def back(self, *args):
        return args if len(args) != 1 else args[0]

    def keyword(self, name):
        return self.kwargs[name]

class Relu:
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout

class Todo:
    def backward(self, dout):
        raise NotImplementedError("write me")
"""


def module(name, text, filename=None):
    return ModuleSource(name, filename or f"{name}.py", textwrap.dedent(text))


def runner_for(*modules, timeout=5.0, **kwargs):
    return Runner({m.name: m for m in modules}, timeout=timeout, **kwargs)


@pytest.fixture
def gates():
    with runner_for(module("gates", GATES)) as runner:
        yield runner


# -- values -----------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["<f8", "<f4", "<f2", "<i8", "<i4", "<i2", "|i1", "<u8", "|u1", "|b1", ">f8"])
def test_arrays_round_trip_with_dtype_and_shape(gates, dtype):
    h = gates.new("gates", "Echo")
    sent = (np.arange(24) % 7).astype(dtype).reshape(2, 3, 4)
    back = gates.call(h, "back", sent)
    assert type(back) is np.ndarray
    assert back.shape == (2, 3, 4) and back.dtype == sent.dtype.newbyteorder("=")
    np.testing.assert_array_equal(back, sent)


def test_empty_zero_dimensional_and_non_contiguous_arrays_round_trip(gates):
    h = gates.new("gates", "Echo")
    empty, scalar = np.zeros((0, 3)), np.array(2.5)
    strided = np.arange(20.0).reshape(4, 5)[:, ::2].T
    back = gates.call(h, "back", empty, scalar, strided)
    assert back[0].shape == (0, 3) and back[1].shape == () and back[1] == 2.5
    np.testing.assert_array_equal(back[2], strided)


def test_numbers_tuples_and_special_floats_round_trip(gates):
    h = gates.new("gates", "Echo")
    back = gates.call(h, "back", 1, 2.5, True, float("nan"), float("inf"), (1, (2.0, np.ones(2))), [3, 4])
    assert back[:3] == (1, 2.5, True) and type(back[0]) is int and type(back[2]) is bool
    assert np.isnan(back[3]) and back[4] == float("inf")
    assert back[5][0] == 1 and back[5][1][0] == 2.0
    np.testing.assert_array_equal(back[5][1][1], np.ones(2))
    assert back[6] == (3, 4)


def test_numpy_scalars_come_back_as_python_numbers(gates):
    h = gates.new("gates", "MulLayer")
    gates.call(h, "forward", 2.0, 3.0)
    result = gates.call(h, "backward", np.float32(1.5))
    assert result == (4.5, 3.0)


def test_keyword_arguments_reach_the_constructor(gates):
    h = gates.new("gates", "Echo", 1, stride=2, pad=None)
    assert gates.call(h, "keyword", "stride") == 2
    assert gates.call(h, "keyword", "pad").type_name == "NoneType"
    assert gates.get(h, "args") == (1,)


def test_book_layers_work_forward_then_backward(gates):
    h = gates.new("gates", "MulLayer")
    assert gates.call(h, "forward", 100.0, 2.0) == 200.0
    assert gates.call(h, "backward", 1.1) == pytest.approx((2.2, 110.0))


def test_student_mutating_dout_in_place_does_not_touch_the_judges_array(gates):
    h = gates.new("gates", "Relu")
    x = np.array([-1.0, 2.0, -3.0])
    gates.call(h, "forward", x)
    dout = np.ones(3)
    dx = gates.call(h, "backward", dout)
    np.testing.assert_array_equal(dx, [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(dout, np.ones(3))
    np.testing.assert_array_equal(x, [-1.0, 2.0, -3.0])


def test_ndarray_subclass_and_array_like_objects_are_unsupported():
    source = """
    import numpy as np
    class Fancy:
        def __array__(self, dtype=None, copy=None):
            return np.zeros(2)
    class Odd:
        def matrix(self):
            return np.matrix([[1.0]])
        def fancy(self):
            return Fancy()
        def nothing(self):
            pass
        def mapping(self):
            return {"dx": 1}
        def complex_array(self):
            return np.ones(2, dtype=complex)
    """
    with runner_for(module("gates", source)) as runner:
        h = runner.new("gates", "Odd")
        matrix = runner.call(h, "matrix")
        assert isinstance(matrix, Unsupported) and matrix.type_name == "numpy.matrix"
        assert "subclass" in matrix.detail
        fancy = runner.call(h, "fancy")
        assert isinstance(fancy, Unsupported) and fancy.type_name == "gates.Fancy"
        assert runner.call(h, "nothing") == Unsupported("NoneType", "nothing was returned; is a return statement missing?")
        assert runner.call(h, "mapping").type_name == "dict"
        assert "complex128" in runner.call(h, "complex_array").detail


def test_huge_result_is_unsupported_and_the_child_keeps_working():
    source = """
    import numpy as np
    class Big:
        def make(self):
            return np.zeros(9 * 2**20)
        def small(self):
            return 1.0
    """
    with runner_for(module("gates", source)) as runner:
        h = runner.new("gates", "Big")
        big = runner.call(h, "make")
        assert isinstance(big, Unsupported) and "too large" in big.detail
        assert runner.call(h, "small") == 1.0


# -- output -------------------------------------------------------------------


def test_student_print_and_warnings_are_captured_per_test():
    source = """
    import numpy as np
    class Loud:
        def talk(self, n):
            print("hello " * n)
            return float(1 / (1 + np.exp(np.float64(1000))))
    """
    with runner_for(module("gates", source)) as runner:
        runner.begin_test()
        h = runner.new("gates", "Loud")
        assert runner.call(h, "talk", 2) == 0.0
        output = runner.end_test()
        assert "hello hello" in output and "RuntimeWarning" in output
        runner.begin_test()
        assert runner.end_test() == ""


def test_student_output_is_capped():
    source = """
    class Loud:
        def talk(self):
            for i in range(10000):
                print("spam spam spam spam")
            return 1
    """
    with runner_for(module("gates", source)) as runner:
        runner.begin_test()
        assert runner.call(runner.new("gates", "Loud"), "talk") == 1
        output = runner.end_test()
        assert len(output) < 10_500 and "more characters of output not shown" in output


def test_the_count_of_cut_output_is_every_character_not_shown():
    source = """
    class Loud:
        def talk(self):
            print("spam spam spam spam\\n" * 10000, end="")  # 200,000 characters in one call
            return 1
        def little(self):
            print("x" * 4000)
            return 1
        def fail(self):
            print("y" * 12000)
            raise ValueError("loud")
    """
    with runner_for(module("gates", source)) as runner:
        runner.begin_test()
        assert runner.call(runner.new("gates", "Loud"), "talk") == 1
        output = runner.end_test()
        assert output == "spam spam spam spam\n" * 500 + "\n[... 190000 more characters of output not shown]\n"
        runner.begin_test()
        h = runner.new("gates", "Loud")
        for _ in range(3):  # each call keeps its 4001 characters; the judge keeps 10,000 of the test's 12,003
            runner.call(h, "little")
        assert runner.end_test().endswith("x\n[... 2003 more characters of output not shown]\n")
        runner.begin_test()
        with pytest.raises(StudentException) as failed:
            runner.call(runner.new("gates", "Loud"), "fail")
        runner.end_test()
    assert failed.value.output == "y" * 10000 + "\n[... 2001 more characters of output not shown]\n"


def test_the_mark_of_cut_output_is_in_the_reports_language(monkeypatch):
    import grader.lang as i18n
    from grader.sandbox.words import printed

    printed_text = "spam\n" * 3 + "\n[... 189993 more characters of output not shown]\n"
    monkeypatch.setenv("GRADER_LANG", "ko")
    i18n.set_language(None)
    try:
        assert printed("spam\n" * 3, 189993) == "spam\n" * 3 + "\n[... 출력 189993자는 보여 주지 않습니다]\n"
        assert printed("[... 3 more characters]", 0) == "[... 3 more characters]"
        # what student code printed is shown as printed, even when it looks like the mark
        assert printed(printed_text, 0) == printed_text
    finally:
        monkeypatch.setenv("GRADER_LANG", "en")
        i18n.set_language(None)
    assert printed("spam\n" * 3, 189993) == printed_text


# -- student errors -------------------------------------------------------------


def test_exception_reports_only_student_frames(gates):
    h = gates.new("gates", "MulLayer")
    with pytest.raises(StudentException) as info:
        gates.call(h, "backward", 1.0)  # forward never ran: self.y is missing
    error = info.value
    assert error.type_name == "AttributeError"
    assert "MulLayer.backward raised AttributeError" in error.message and "gates.py, line 10" in error.message
    assert 'File "gates.py", line 10, in backward' in error.traceback
    assert "return dout * self.y, dout * self.x" in error.traceback
    assert "child.py" not in error.traceback and "<string>" not in error.traceback
    assert not error.not_implemented


def test_not_implemented_is_flagged(gates):
    with pytest.raises(StudentException) as info:
        gates.call(gates.new("gates", "Todo"), "backward", 1.0)
    assert info.value.not_implemented
    assert info.value.message == "write me"  # the stub's own TODO text reaches the student


def test_syntax_error_reports_the_line():
    source = "import numpy as np\n\nclass MulLayer:\n    def backward(self, dout)\n        return dout\n"
    with runner_for(ModuleSource("gates", "gates.ipynb", source)) as runner:
        with pytest.raises(StudentException) as info:
            runner.new("gates", "MulLayer")
    assert info.value.type_name == "SyntaxError"
    assert "gates.ipynb has a syntax error on line 4" in info.value.message
    assert "def backward(self, dout)" in info.value.message


def test_missing_module_class_and_method(gates):
    with pytest.raises(MissingCode, match=r"no activations\.py or activations\.ipynb in the submission"):
        gates.new("activations", "Relu")
    with pytest.raises(MissingCode, match=r"gates\.py has no class AddLayer") as info:
        gates.new("gates", "AddLayer")
    assert info.value.status == "missing"
    with pytest.raises(StudentException, match="MulLayer has no method backwards"):
        gates.call(gates.new("gates", "MulLayer"), "backwards", 1.0)
    with pytest.raises(StudentException, match="has no attribute dW"):
        gates.get(gates.new("gates", "MulLayer"), "dW")


def test_unreadable_source_reports_its_problem():
    broken = ModuleSource("gates", "gates.ipynb", None, problem="gates.ipynb is not a valid notebook")
    with runner_for(broken) as runner:
        with pytest.raises(StudentException, match="gates.ipynb is not a valid notebook"):
            runner.new("gates", "MulLayer")


def test_constructor_type_error_shows_how_the_grader_calls_it():
    source = """
    class Affine:
        def __init__(self, W):
            self.W = W
    """
    with runner_for(module("affine_softmax", source)) as runner:
        with pytest.raises(StudentException) as info:
            runner.new("affine_softmax", "Affine", np.zeros((4, 3)), np.zeros(3))
    assert "The grader creates it as Affine(<float64 array of shape (4, 3)>, <float64 array of shape (3,)>)" in str(
        info.value
    )


def test_sys_exit_at_import_is_an_exception_and_remembered():
    with runner_for(module("gates", "import sys\nsys.exit(3)\n")) as runner:
        with pytest.raises(StudentException, match=r"importing gates\.py called sys\.exit\(3\)") as first:
            runner.new("gates", "MulLayer")
        with pytest.raises(StudentException) as second:
            runner.new("gates", "MulLayer")
    assert first.value.type_name == second.value.type_name == "SystemExit"


def test_an_unknown_import_is_a_stand_in_that_fails_only_where_used():
    source = "import torch\nfrom tqdm import tqdm\nclass MulLayer:\n    def go(self):\n        return torch.zeros(3)\n    def fine(self):\n        return 2\n"
    with runner_for(module("gates", source)) as runner:
        handle = runner.new("gates", "MulLayer")
        assert runner.call(handle, "fine") == 2
        with pytest.raises(StudentException, match=r"go raised NotAvailableError: torch\.zeros cannot be used: "
                                                   r"torch is not available while grading: use numpy \(gates\.py, line 5\)"):
            runner.call(handle, "go")


def test_student_modules_can_import_each_other():
    helper = module("activations", "def double(x):\n    return 2 * x\n")
    user = module("gates", "from activations import double\nclass Twice:\n    def go(self, x):\n        return double(x)\n")
    with runner_for(helper, user) as runner:
        assert runner.call(runner.new("gates", "Twice"), "go", 4) == 8


def test_book_common_util_and_functions_are_importable():
    source = """
    import numpy as np
    from common.util import im2col, col2im
    from common.functions import *

    class Conv:
        def go(self, x):
            col = im2col(x, 2, 2, stride=1, pad=0)
            back = col2im(col, x.shape, 2, 2, stride=1, pad=0)
            loss = cross_entropy_error(softmax(np.array([[0.0, 0.0]])), np.array([1]))
            return col, back, loss, sigmoid(0.0), relu(-1.0)
    """
    with runner_for(module("conv_pool", source)) as runner:
        x = np.arange(18.0).reshape(1, 2, 3, 3)
        col, back, loss, sig, rel = runner.call(runner.new("conv_pool", "Conv"), "go", x)
    assert col.shape == (4, 8)
    np.testing.assert_array_equal(col[0], [0, 1, 3, 4, 9, 10, 12, 13])
    counts = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    np.testing.assert_array_equal(back, x * counts)
    assert loss == pytest.approx(-np.log(0.5 + 1e-7))
    assert (sig, rel) == (0.5, 0.0)


# -- timeouts and crashes ----------------------------------------------------------


SPINNER = """
import os, ctypes, numpy as np
class Bad:
    def spin(self):
        while True:
            pass
    def exit(self):
        os._exit(4)
    def segfault(self):
        ctypes.string_at(0)
    def ok(self):
        return 1.0
"""


def test_timeout_kills_and_the_next_call_works():
    with runner_for(module("gates", SPINNER), timeout=0.5) as runner:
        runner.begin_test()
        h = runner.new("gates", "Bad")
        started = time.monotonic()
        with pytest.raises(StudentTimeout, match="took longer than 0.5 s") as info:
            runner.call(h, "spin")
        assert time.monotonic() - started < 2.0
        assert info.value.status == "timeout"
        runner.end_test()
        runner.begin_test()
        assert runner.call(runner.new("gates", "Bad"), "ok") == 1.0
        runner.end_test()


def test_all_calls_of_a_test_share_one_deadline():
    source = "import time\nclass Slow:\n    def nap(self):\n        time.sleep(0.4)\n        return 1\n"
    with runner_for(module("gates", source), timeout=1.0) as runner:
        runner.new("gates", "Slow")  # the import is not charged to the test
        runner.begin_test()
        h = runner.new("gates", "Slow")
        assert runner.call(h, "nap") == 1 and runner.call(h, "nap") == 1
        with pytest.raises(StudentTimeout, match="the test took longer than 1 s"):
            runner.call(h, "nap")
        runner.end_test()


def test_os_exit_is_a_crash_and_the_runner_recovers():
    with runner_for(module("gates", SPINNER)) as runner:
        h = runner.new("gates", "Bad")
        with pytest.raises(StudentCrash, match="exited with status 4"):
            runner.call(h, "exit")
        with pytest.raises(StudentCrash, match="no longer exists"):
            runner.call(h, "ok")
        assert runner.call(runner.new("gates", "Bad"), "ok") == 1.0


def test_segfault_is_a_crash_and_the_runner_recovers():
    with runner_for(module("gates", SPINNER)) as runner:
        with pytest.raises(StudentCrash, match=r"segmentation fault \(SIGSEGV\)"):
            runner.call(runner.new("gates", "Bad"), "segfault")
        assert runner.call(runner.new("gates", "Bad"), "ok") == 1.0


def test_hanging_import_is_not_run_again():
    with runner_for(module("gates", "while True:\n    pass\n"), timeout=0.5) as runner:
        with pytest.raises(StudentTimeout, match=r"importing gates\.py took longer than 0.5 s"):
            runner.new("gates", "MulLayer")
        started = time.monotonic()
        with pytest.raises(StudentTimeout, match=r"importing gates\.py"):
            runner.new("gates", "MulLayer")
        assert time.monotonic() - started < 0.1


def test_memory_limit_turns_into_an_error_not_a_hang():
    source = "import numpy as np\nclass Hog:\n    def eat(self):\n        return np.ones(2**30).sum()\n"
    with runner_for(module("gates", source), memory_mb=512) as runner:
        with pytest.raises((StudentException, StudentCrash), match="MemoryError|memory"):
            runner.call(runner.new("gates", "Hog"), "eat")


# -- forged replies ----------------------------------------------------------------


FORGER = """
import json, os, struct, sys

def _send(header, buffers=()):
    data = json.dumps(header).encode()
    prefix = b"BPG1" + struct.pack("<II", len(data), len(buffers))
    prefix += b"".join(struct.pack("<Q", len(b)) for b in buffers)
    os.write(int(sys.argv[2]), prefix + data + b"".join(buffers))

class Forger:
    def object_dtype(self):
        _send({"ok": True, "output": "", "value": {"$nd": 0, "dtype": "|O8", "shape": [1]}}, [b"12345678"])
        return 1.0
    def huge(self):
        os.write(int(sys.argv[2]), b"BPG1" + struct.pack("<II", 10, 1) + struct.pack("<Q", 2**40))
        return 1.0
    def shape_mismatch(self):
        _send({"ok": True, "output": "", "value": {"$nd": 0, "dtype": "<f8", "shape": [3]}}, [b"12345678"])
        return 1.0
    def garbage(self):
        os.write(int(sys.argv[2]), b"score: 100/100\\n")
        return 1.0
    def ok(self):
        return 2.0
"""


@pytest.mark.parametrize("method", ["object_dtype", "huge", "shape_mismatch", "garbage"])
def test_forged_replies_are_refused_and_the_child_replaced(method):
    with runner_for(module("gates", FORGER), timeout=2.0) as runner:
        with pytest.raises(BadReply):
            runner.call(runner.new("gates", "Forger"), method)
        assert runner.call(runner.new("gates", "Forger"), "ok") == 2.0


# -- the wire format itself ------------------------------------------------------------


def _through_pipe(header, buffers=()):
    r, w = os.pipe()
    try:
        wire.write_message(w, header, list(buffers))
        return wire.read_message(r, time.monotonic() + 1)
    finally:
        os.close(r)
        os.close(w)


def test_decoder_refuses_unused_or_reused_buffers_and_bad_values():
    decoder = wire.Decoder([bytearray(8)], unsupported=Unsupported)
    ref = {"$nd": 0, "dtype": "<f8", "shape": [1]}
    decoder.value(ref)
    with pytest.raises(wire.WireError):
        decoder.value(ref)
    with pytest.raises(wire.WireError):
        wire.Decoder([bytearray(8)]).finish()
    for bad in ["text", None, {"$seq": "no"}, {"$nd": 0, "dtype": "<c16", "shape": [1]}, {"a": 1}]:
        with pytest.raises(wire.WireError):
            wire.Decoder([bytearray(8)]).value(bad)
    deep = 1.0
    for _ in range(40):
        deep = {"$seq": [deep]}
    with pytest.raises(wire.WireError, match="nested"):
        wire.Decoder([]).value(deep)


def test_reader_refuses_oversized_messages_before_reading_them():
    r, w = os.pipe()
    try:
        os.write(w, b"BPG1" + (wire.MAX_HEADER_BYTES + 1).to_bytes(4, "little") + bytes(4))
        with pytest.raises(wire.WireError, match="over the limit"):
            wire.read_message(r, time.monotonic() + 1)
    finally:
        os.close(r)
        os.close(w)


def test_reader_times_out_on_a_silent_sender():
    r, w = os.pipe()
    try:
        with pytest.raises(wire.WireTimeout):
            wire.read_message(r, time.monotonic() + 0.05)
    finally:
        os.close(r)
        os.close(w)


def test_messages_round_trip_through_a_pipe():
    header, buffers = _through_pipe({"x": [1, 2.5, None, "s"]}, [b"abc", b""])
    assert header == {"x": [1, 2.5, None, "s"]} and buffers == [bytearray(b"abc"), bytearray()]


# -- runners -----------------------------------------------------------------------


def test_close_leaves_no_process_or_scratch_directory():
    runner = runner_for(module("gates", GATES))
    runner.new("gates", "MulLayer")
    child = runner._child
    runner.close()
    assert child.process.returncode is not None
    assert not os.path.exists(child.scratch)


def test_in_process_runner_has_the_same_interface(monkeypatch):
    monkeypatch.setenv("GRADER_IN_PROCESS", "1")
    runner = make_runner({"gates": module("gates", GATES)})
    assert isinstance(runner, InProcessRunner)
    with runner:
        runner.begin_test()
        h = runner.new("gates", "Relu")
        runner.call(h, "forward", np.array([-1.0, 1.0]))
        dout = np.ones(2)
        np.testing.assert_array_equal(runner.call(h, "backward", dout), [0.0, 1.0])
        np.testing.assert_array_equal(dout, [1.0, 1.0])
        with pytest.raises(StudentException) as info:
            runner.call(runner.new("gates", "Todo"), "backward", 1.0)
        assert info.value.not_implemented
        runner.end_test()


def test_a_pasted_import_of_the_books_common_layers_says_what_to_change():
    source = ("from common.layers import Relu, Affine\nfrom common.layers import *\n"
              "class MulLayer:\n    def go(self):\n        return Relu()\n")
    with runner_for(module("gates", source)) as runner:
        handle = runner.new("gates", "MulLayer")
        with pytest.raises(StudentException, match=r"common\.layers\.Relu cannot be used: common\.layers is a file of "
                                                   r"the book's code.*write what you use yourself"):
            runner.call(handle, "go")


def test_a_name_that_a_book_star_import_would_have_given_says_so():
    source = ("from common.layers import *\nclass MulLayer:\n    def go(self):\n        return Affine(1, 2)\n")
    with runner_for(module("gates", source)) as runner:
        with pytest.raises(StudentException, match=r"NameError: name 'Affine' is not defined \(common\.layers is not "
                                                   r"provided while grading.*Affine must be defined in your own code\)"):
            runner.call(runner.new("gates", "MulLayer"), "go")


def test_a_star_import_of_common_layers_never_replaces_the_students_class():
    source = GATES + "\nfrom common.layers import *\nfrom common.functions import *\n"
    with runner_for(module("gates", source)) as runner:
        assert runner.call(runner.new("gates", "MulLayer"), "forward", 3.0, 4.0) == 12.0


@pytest.mark.parametrize("comment", ["# y를 곱한다", "# yを掛ける", "# 乘以y", "# ñ é ü"])
def test_a_non_ascii_comment_on_the_failing_line_keeps_the_message(comment):
    source = GATES.replace("return dout * self.y, dout * self.x",
                           f"dx = dout * self.yy  {comment}\n        return dx, dout * self.x")
    assert "self.yy" in source
    with runner_for(module("gates", source)) as runner:
        handle = runner.new("gates", "MulLayer")
        runner.call(handle, "forward", 3.0, 4.0)
        with pytest.raises(StudentException, match=r"backward raised AttributeError: 'MulLayer' object has no "
                                                   r"attribute 'yy' \(gates\.py, line \d+\)") as info:
            runner.call(handle, "backward", 1.0)
    assert comment in info.value.traceback


def test_a_non_ascii_line_in_a_syntax_error_keeps_the_message():
    with runner_for(module("gates", "x = (1,  # 괄호를 닫지 않음\n")) as runner:
        with pytest.raises(StudentException, match=r"gates\.py has a syntax error on line 1: '\(' was never closed"):
            runner.new("gates", "MulLayer")


def test_scipy_imports_normally_and_works_in_the_child():
    source = ("import numpy as np\nfrom scipy import signal\n"
              "class MulLayer:\n    def go(self):\n"
              "        return float(signal.convolve2d(np.ones((3, 3)), np.ones((2, 2)), mode='valid').sum())\n")
    with runner_for(module("gates", source)) as runner:
        assert runner.call(runner.new("gates", "MulLayer"), "go") == 16.0


def test_stdlib_and_numpy_submodules_import_normally():
    source = ("import numpy.testing as npt\nimport glob, unicodedata, fractions\n"
              "class MulLayer:\n    def go(self):\n        npt.assert_allclose(1.0, 1.0)\n"
              "        return float(fractions.Fraction(1, 2))\n")
    with runner_for(module("gates", source)) as runner:
        assert runner.call(runner.new("gates", "MulLayer"), "go") == 0.5


LOOP = """
class MulLayer(MulLayer):
    def spin(self):
        while True:
            pass
"""


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_macos_and_windows_get_the_portable_runner_with_a_time_limit_and_say_so(monkeypatch, platform):
    import grader.sandbox.portable as portable

    monkeypatch.setattr(sys, "platform", platform)
    runner = make_runner({"gates": module("gates", GATES + LOOP)}, timeout=1.0)
    monkeypatch.undo()
    with runner:
        assert isinstance(runner, portable.PortableRunner)
        assert runner.call(runner.new("gates", "MulLayer"), "forward", 3.0, 4.0) == 12.0
        runner.begin_test()
        with pytest.raises(StudentTimeout):
            runner.call(runner.new("gates", "MulLayer"), "spin")
        runner.end_test()
        assert "a separate process, 1 s per test" in runner.isolation
        assert "no Linux confinement" in runner.isolation


def test_only_the_debug_switch_runs_student_code_in_the_graders_own_process(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("GRADER_IN_PROCESS", "1")
    with make_runner({"gates": module("gates", GATES)}) as runner:
        assert runner.isolation.startswith("none") and "Windows" not in runner.isolation


# -- one round trip per test -------------------------------------------------------


STEPS = """
import numpy as np

class Layer:
    def __init__(self, scale=1.0):
        if scale < 0:
            raise ValueError("scale must not be negative")
        self.scale = scale

    def forward(self, x):
        self.x = x
        return x * self.scale

    def backward(self, dout):
        self.dscale = float(np.sum(dout * self.x))
        return dout * self.scale

class Broken(Layer):
    def backward(self, dout):
        return dout * self.y

class Slow(Layer):
    def backward(self, dout):
        while True:
            pass
"""


class CountingRunner(Runner):
    """A sandboxed runner that records each request it sends and each time it waits for a reply."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent, self.waits = [], 0

    def _deliver(self, request, buffers, deadline):
        self.sent.append(request["op"])
        return super()._deliver(request, buffers, deadline)

    def _answer(self, deadline):
        self.waits += 1
        return super()._answer(deadline)


def test_a_layer_check_waits_for_the_child_once():
    from grader.judge.engine import run_check
    from grader.judge.suites import collect

    solutions = Path(__file__).resolve().parent.parent / "solutions"
    sources = {"conv_pool": ModuleSource("conv_pool", "conv_pool.py", (solutions / "conv_pool.py").read_text())}
    from builtin_course import COURSE

    check = next(c for c in collect(COURSE, ("public", "hidden"), ("conv_pool",)) if c.name.endswith("Convolution/numeric_small"))
    with CountingRunner(sources, timeout=5.0) as runner:
        runner.new("conv_pool", "Pooling", 2, 2)  # the import is not part of the test
        runner.sent.clear()
        runner.waits = 0
        result = run_check(check, runner, seed=1)
    assert result.status == "passed", result.message
    assert runner.sent == ["new", "sequence"]  # forward, backward, dW and db travel as one request
    assert runner.waits == 1


def test_steps_give_each_result_and_raise_where_a_step_failed():
    with runner_for(module("gates", STEPS)) as runner:
        h = runner.new("gates", "Layer", 2.0)
        x = np.arange(3.0)
        steps = runner.sequence(h, [("forward", (x,), {}), ("backward", (np.ones(3),), {}), "dscale"])
        np.testing.assert_array_equal(steps[0], 2 * x)
        np.testing.assert_array_equal(steps[1], [2.0, 2.0, 2.0])
        assert steps[2] == 3.0 and steps.done() == 3

        broken = runner.new("gates", "Broken")
        steps = runner.sequence(broken, [("forward", (x,), {}), ("backward", (np.ones(3),), {}), "dscale"])
        np.testing.assert_array_equal(steps[0], x)  # what ran before the failure is still there
        with pytest.raises(StudentException, match=r"Broken\.backward raised AttributeError: .*'y'"):
            steps[1]
        with pytest.raises(StudentException, match=r"Broken\.backward raised"):
            steps[2]  # never ran: the failure that stopped it is raised
        assert steps.done() == 1

        steps = runner.sequence(h, [("forward", (x,), {}), "dW"])
        with pytest.raises(StudentException, match="the Layer object has no attribute dW"):
            steps[1]


def test_an_object_created_without_waiting_reports_its_failure_at_the_next_wait():
    with runner_for(module("gates", STEPS)) as runner:
        runner.begin_test()
        h = runner.new_later("gates", "Layer", -1.0)
        with pytest.raises(StudentException, match=r"Layer\(\.\.\.\) raised ValueError: scale must not be negative"):
            runner.sequence(h, [("forward", (np.ones(2),), {})])[0]
        runner.end_test()
        runner.begin_test()  # the channel stayed in step: the next test is unaffected
        assert runner.call(runner.new("gates", "Layer", 3.0), "forward", 1.0) == 3.0
        runner.end_test()


def test_a_test_fails_when_an_object_it_never_used_could_not_be_created():
    import grader.judge.engine as engine
    import grader.judge.suites as suites

    check = suites.Check(name="gates/Layer/construct", assignment="gates", layer="Layer", kind="edge",
                         visibility="public", points=1.0, func=lambda student, rng: student.new("Layer", -1.0))
    with runner_for(module("gates", STEPS)) as runner:
        result = engine.run_check(check, runner, seed=1)
    assert result.status == "error" and "scale must not be negative" in result.message


def test_a_step_that_hangs_is_a_timeout_naming_the_steps():
    with runner_for(module("gates", STEPS), timeout=0.5) as runner:
        runner.new("gates", "Slow")
        runner.begin_test()
        steps = runner.sequence(runner.new_later("gates", "Slow"), [("forward", (np.ones(2),), {}),
                                                                    ("backward", (np.ones(2),), {})])
        with pytest.raises(StudentTimeout, match=r"during Slow\.forward, Slow\.backward"):
            steps[1]
        runner.end_test()
        runner.begin_test()
        assert runner.call(runner.new("gates", "Layer"), "forward", 2.0) == 2.0
        runner.end_test()
