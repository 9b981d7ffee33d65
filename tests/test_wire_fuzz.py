"""Property tests of the wire decoder: any bytes the child sends become a value or a WireError.

Student code runs in the child and can write anything to the reply pipe, so
the judge's reader and decoder are fuzzed with frames that are valid, nearly
valid (forged dtypes such as ``<f1``, 2**26-sized shapes, wrong buffer
counts, bad JSON, huge headers, replies to another request) and random.
Whatever arrives, the outcome is a plain value (numbers, tuples, bool/int/float
arrays within the limits, Unsupported) or :class:`WireError`, which the
runner turns into a failed test for the student; never another exception,
which would be "the grader itself failed".
"""
from __future__ import annotations

import json
import struct
import tempfile
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.sandbox.errors import Unsupported
import grader.sandbox.child.wire as wire
from grader.sandbox.replies import parse_reply as _parse_reply
from grader.sandbox.replies import reply_notes
from grader.sandbox.notes import FIELDS
from grader.sandbox.words import UNSUPPORTED

FUZZ = settings(max_examples=400, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

DTYPES = st.one_of(
    st.sampled_from(["<f8", "<f4", "<f2", "<f1", "<f16", "|b1", "<b2", "<i8", ">i4", "=u2", "|u1", "<c16", "|O",
                     "<U4", "|V8", "<M8", "f8", "", "<f8\n", "<ff", "|S1"]),
    st.text(max_size=6),
    st.integers(),
    st.none(),
)
SIZES = st.sampled_from([0, 1, 2, 3, 7, 2**26, 2**26 + 1, 2**31, 2**63, -1, 10**30])
SHAPES = st.one_of(st.lists(SIZES, max_size=40), st.integers(), st.text(max_size=3), st.lists(st.floats(), max_size=3))
JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(), st.text(max_size=20))


@st.composite
def arrays_meta(draw, buffer_count: int):
    return {"$nd": draw(st.one_of(st.integers(-1, buffer_count + 1), st.booleans(), st.text(max_size=2))),
            "dtype": draw(DTYPES), "shape": draw(SHAPES)}


def values(buffer_count: int):
    leaf = st.one_of(JSON_LEAVES, arrays_meta(buffer_count),
                     st.fixed_dictionaries({"$unsupported": st.text(max_size=30), "detail": st.text(max_size=30)}),
                     st.fixed_dictionaries(
                         {"$unsupported": st.one_of(st.text(max_size=30), JSON_LEAVES),
                          "reason": st.one_of(st.sampled_from(sorted(UNSUPPORTED)), JSON_LEAVES)},
                         optional={key: st.one_of(st.integers(-2, 2**60), JSON_LEAVES)
                                   for key in ("count", "limit", "dtype", "size", "error")}),
                     st.fixed_dictionaries({"$unsupported": JSON_LEAVES}),
                     st.fixed_dictionaries({"$text": st.one_of(st.integers(-1, buffer_count + 1), JSON_LEAVES)}))
    return st.recursive(leaf, lambda inner: st.one_of(
        st.fixed_dictionaries({"$seq": st.lists(inner, max_size=4)}),
        st.dictionaries(st.text(max_size=5), inner, max_size=3),
        st.lists(inner, max_size=3)), max_leaves=12)


@st.composite
def replies(draw):
    buffers = draw(st.lists(st.binary(max_size=64), max_size=4))
    reply = {"ok": draw(st.one_of(st.booleans(), JSON_LEAVES)), "output": draw(st.one_of(st.text(), JSON_LEAVES)),
             "seq": draw(st.sampled_from([1, 2, 0, None, "1", True]))}
    if draw(st.booleans()):
        reply["value"] = draw(values(len(buffers)))
    else:
        reply["error"] = draw(st.one_of(
            st.fixed_dictionaries({"kind": st.sampled_from(["exception", "missing", "not_callable", "x"]),
                                   "type": st.text(max_size=10), "message": st.text(max_size=30),
                                   "traceback": st.text(max_size=30),
                                   "where": st.one_of(st.none(), st.lists(JSON_LEAVES, max_size=3))}),
            JSON_LEAVES))
    for key in draw(st.lists(st.sampled_from(list(reply)), max_size=2)):
        reply.pop(key, None)
    return reply, [bytearray(b) for b in buffers]


def assert_plain(value, depth=0):
    """Only numbers, tuples of them, plain bool/int/float arrays within the limits, and Unsupported."""
    assert depth <= wire.MAX_DEPTH + 1
    if isinstance(value, tuple):
        for item in value:
            assert_plain(item, depth + 1)
    elif isinstance(value, np.ndarray):
        assert type(value) is np.ndarray and value.dtype.kind in "biuf" and value.dtype.isnative
        assert value.nbytes <= wire.MAX_TOTAL_BYTES and value.ndim <= wire.MAX_NDIM
    else:
        assert type(value) in (int, float, bool, Unsupported), type(value)
        if isinstance(value, Unsupported):
            assert value.type_name.isprintable() and "\x1b" not in value.detail


@FUZZ
@given(replies())
def test_any_reply_header_is_a_plain_value_or_a_wire_error(reply_and_buffers):
    reply, buffers = reply_and_buffers
    try:
        ok, value, output = _parse_reply(reply, buffers, 1)
    except wire.WireError:
        return
    assert reply["seq"] == 1 and type(reply["seq"]) is int
    output.encode("utf-8")  # no lone surrogate reaches the report
    if ok:
        assert_plain(value)
    else:
        assert all(type(v) is not str or "\x1b" not in v for v in value.values())


@st.composite
def near_valid_arrays(draw):
    """An array whose buffer fits its shape for the size its dtype text claims: only the dtype or shape lies."""
    dtype = draw(st.sampled_from(["<f8", "<f4", "<f2", "<f1", "|b1", "<b2", "<b4", ">i4", "=u2", "|u1", "<i8",
                                  "<u8", ">f8", "|f8", "=f4", "<c8", "<i16"]))
    shape = draw(st.one_of(st.lists(st.integers(0, 4), max_size=4),
                           st.lists(st.sampled_from([0, 1, 2**26, 2**31, 2**40]), min_size=1, max_size=40)))
    size = int(dtype[2:]) if dtype[2:].isdigit() else 8
    count = int(np.prod(shape, dtype=object))
    buffer = bytes(draw(st.binary(min_size=count * size, max_size=count * size))) if count * size <= 256 else b""
    return {"ok": True, "output": "", "seq": 1, "value": {"$nd": 0, "dtype": dtype, "shape": shape}}, [buffer]


@FUZZ
@given(near_valid_arrays())
def test_arrays_with_a_forged_dtype_or_shape_are_values_or_wire_errors(reply_and_buffers):
    header, buffers = reply_and_buffers
    try:
        ok, value, _output = _parse_reply(header, [bytearray(b) for b in buffers], 1)
    except wire.WireError:
        return
    assert ok
    assert_plain(value)


def _read_frame(data: bytes):
    with tempfile.TemporaryFile() as f:
        f.write(data)
        f.seek(0)
        return wire.read_message(f.fileno(), time.monotonic() + 5)


@st.composite
def frames(draw):
    """Frames built by the real packer from odd headers, then perhaps corrupted byte by byte."""
    reply, buffers = draw(replies())
    try:
        parts = wire.pack(reply, buffers)
    except (wire.WireError, ValueError):
        parts = [wire.MAGIC + b"\0" * 8]
    data = bytearray(b"".join(bytes(p) for p in parts))
    for _ in range(draw(st.integers(0, 3))):
        position = draw(st.integers(0, max(0, len(data) - 1)))
        action = draw(st.sampled_from(["flip", "cut", "grow"]))
        if action == "flip" and data:
            data[position] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[position:]
        else:
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
    return bytes(data)


@FUZZ
@given(st.one_of(frames(), st.binary(max_size=200)))
def test_any_bytes_on_the_pipe_are_a_value_or_a_wire_error(data):
    try:
        header, buffers = _read_frame(data)
        ok, value, _output = _parse_reply(header, buffers, 1)
    except wire.WireError:
        return
    if ok:
        assert_plain(value)


def _frame(header: dict, buffers=()) -> bytes:
    raw = json.dumps(header).encode()
    lengths = b"".join(struct.pack("<Q", len(b)) for b in buffers)
    return struct.pack("<4sII", wire.MAGIC, len(raw), len(buffers)) + lengths + raw + b"".join(buffers)


@pytest.mark.parametrize("meta, buffer", [
    ({"$nd": 0, "dtype": "<f1", "shape": [1]}, b"\0"),
    ({"$nd": 0, "dtype": "<b2", "shape": [1]}, b"\0\0"),
    ({"$nd": 0, "dtype": "<f8", "shape": [0, 2**26, 2**26, 2**26]}, b""),
    ({"$nd": 0, "dtype": "<f8", "shape": [2**26] * 33}, b""),
    ({"$nd": 0, "dtype": "<f8", "shape": [2**26, 2**26]}, b"\0" * 8),
    ({"$nd": 0, "dtype": "<f8", "shape": [-1]}, b"\0" * 8),
    ({"$nd": 1, "dtype": "<f8", "shape": [1]}, b"\0" * 8),
])
def test_forged_arrays_are_wire_errors(meta, buffer):
    header = {"ok": True, "output": "", "seq": 1, "value": meta}
    with pytest.raises(wire.WireError):
        _parse_reply(*_read_frame(_frame(header, [buffer])), 1)


@FUZZ
@given(st.lists(st.binary(max_size=64), max_size=3), st.one_of(st.integers(-1, 4), JSON_LEAVES))
def test_text_from_any_bytes_is_a_string_or_a_wire_error(buffers, index):
    """``$text`` is what the child decodes from the judge: whatever its bytes, a str or WireError, never more."""
    decoder = wire.Decoder([bytearray(b) for b in buffers], allow_plain=True)
    try:
        text = decoder.value({"$text": index})
    except wire.WireError:
        assert type(index) is not int or not 0 <= index < len(buffers) or not _utf8(buffers[index])
        return
    assert type(text) is str and text.encode("utf-8", "surrogatepass") == buffers[index]


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8", "surrogatepass")
        return True
    except UnicodeDecodeError:
        return False


def test_a_reply_to_another_request_is_refused():
    header = {"ok": True, "output": "", "seq": 1, "value": 1.0}
    assert _parse_reply(header, [], 1)[1] == 1.0
    for seq in (2, None, "1", True):
        with pytest.raises(wire.WireError, match="another request"):
            _parse_reply({**header, "seq": seq}, [], 1)


def test_a_header_over_the_limit_is_refused_before_it_is_read():
    prefix = struct.pack("<4sII", wire.MAGIC, wire.MAX_HEADER_BYTES + 1, 0)
    with pytest.raises(wire.WireError, match="over the limit"):
        _read_frame(prefix)


def test_strings_from_the_child_are_cleaned_where_they_enter():
    header = {"ok": False, "output": "\x1b[2J\rTotal: 100/100 \ud800", "seq": 1,
              "error": {"kind": "exception", "type": "ValueError", "message": "bad \ud83d\x1b]0;title\x07",
                        "traceback": "\u202e", "where": ["\x1b[31mgates.py", 3]}}
    ok, error, output = _parse_reply(json.loads(json.dumps(header)), [], 1)
    assert not ok
    for text in (output, error["message"], error["traceback"], error["where"][0]):
        text.encode("utf-8")
        assert "\x1b" not in text and "\r" not in text and "\u202e" not in text
    assert output == "\\x0dTotal: 100/100 \ufffd"


@st.composite
def questions(draw):
    """What the student's process may send while a replaced function runs (``calls.py``): a well-formed question
    about ``numerical_gradient(bowl, x)`` with up to three of its parts replaced by odd ones."""
    buffers = draw(st.lists(st.binary(max_size=64).filter(lambda b: len(b) % 8 == 0), max_size=3))
    arrays = [{"$nd": i, "dtype": "<f8", "shape": [len(b) // 8]} for i, b in enumerate(buffers)]
    question = {"question": 7, "name": "numerical_gradient", "args": [None, *arrays], "kwargs": {},
                "functions": {"0": "bowl"}}
    keys = st.one_of(st.sampled_from(["0", "1", "x", "00", "\u00b2", "\u0661", "9" * 5000]), st.text(max_size=4))
    odd = {"question": st.sampled_from([8, None, "7", True, 7.0]),
           "name": st.one_of(st.sampled_from(["gradient_descent", "bowl"]), JSON_LEAVES, st.lists(JSON_LEAVES, max_size=2)),
           "args": st.one_of(st.lists(values(len(buffers)), max_size=3), JSON_LEAVES),
           "kwargs": st.one_of(st.dictionaries(keys, values(len(buffers)), max_size=2), JSON_LEAVES),
           "functions": st.one_of(st.dictionaries(keys, st.one_of(st.sampled_from(["bowl", "coupled"]), JSON_LEAVES),
                                                  max_size=2), JSON_LEAVES)}
    for key in draw(st.lists(st.sampled_from(sorted(odd)), max_size=3, unique=True)):
        question[key] = draw(odd[key])
    if draw(st.integers(0, 9)) == 0:
        question.pop(draw(st.sampled_from(sorted(question))))
    if draw(st.integers(0, 9)) == 0:
        question[draw(st.text(max_size=3))] = draw(JSON_LEAVES)
    return question, [bytearray(b) for b in buffers]


@FUZZ
@given(questions())
def test_any_question_is_answered_for_the_call_or_is_a_wire_error(question_and_buffers):
    from grader.sandbox.calls import Answers, CourseFunction

    question, buffers = question_and_buffers
    asked = []

    def judge(*args, **kwargs):
        asked.append((args, kwargs))
        return 1.0

    answers = Answers({"numerical_gradient": judge}, {"module": "course functions", "args": {"0": "bowl"}})
    try:
        header, _out = answers.answer(question, buffers, 7)
    except wire.WireError:
        assert asked == []
        return
    assert header == {"answer": 7, "value": 1.0} and question["question"] == 7
    args, kwargs = asked[0]
    for value in (*args, *kwargs.values()):
        if isinstance(value, CourseFunction):
            assert value.name == "bowl"
        else:
            assert_plain(value)


NOTE_VALUES = st.one_of(JSON_LEAVES, st.integers(0, 40), st.floats(0, 10), st.text(max_size=3000),
                        st.lists(st.lists(st.one_of(JSON_LEAVES, st.integers(0, 9)), max_size=5), max_size=3),
                        st.fixed_dictionaries({"type": st.text(max_size=20), "message": st.text(max_size=20)},
                                              optional={"said": st.dictionaries(st.text(max_size=8), JSON_LEAVES),
                                                        "undefined": JSON_LEAVES}))


@st.composite
def notes(draw):
    """A note the child might send: a known code with its fields (or one more, or one less), each of any type."""
    code = draw(st.one_of(st.sampled_from(sorted(FIELDS)), JSON_LEAVES))
    keys = set(FIELDS.get(code, {})) | set(draw(st.lists(st.sampled_from(["x", "file", "error"]), max_size=1)))
    keys -= set(draw(st.lists(st.sampled_from(sorted(keys) or ["x"]), max_size=1)))
    return {"code": code, **{key: draw(NOTE_VALUES) for key in keys}}


@FUZZ
@given(st.lists(notes(), max_size=3))
def test_any_note_is_worded_from_checked_fields_or_breaks_the_protocol(sent):
    try:
        shown = reply_notes({"notes": sent})
    except wire.WireError:
        return
    for file, text in shown:
        assert type(text) is str and (file is None or type(file) is str)
        text.encode("utf-8")
        assert "\x1b" not in text and "\r" not in text


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12)


def _outcome(decode, text):
    try:
        return ("value", repr(decode(text)))
    except (ValueError, RecursionError):
        return ("error",)


@FUZZ
@given(JSON_VALUES, st.sampled_from(["", " ", "\n", "\t\r ", "\ufeff", "x", " 1", "{}"]),
       st.sampled_from(["", " ", "\n", "\t\r ", ",", "]", " 1"]), st.text(max_size=12))
def test_headers_are_written_and_read_exactly_as_the_json_module_would(value, before, after, noise):
    """The wire keeps json's C encoder and scanner instead of building them per message: same text out, same
    values in, and whatever json.loads refuses (white space aside) is refused too."""
    assert wire._encoded(value) == json.dumps(value, separators=(",", ":"))
    for text in (before + json.dumps(value) + after, noise):
        assert _outcome(wire._decoded, text) == _outcome(json.loads, text)
