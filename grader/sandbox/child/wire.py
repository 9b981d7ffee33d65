"""The message format between the judge and the child process.

Both sides speak it: the judge imports this module of the child's package.

A message on a pipe is::

    b"BPG1" | header length (u32) | buffer count (u32) | each buffer's length (u64)
    | header: a UTF-8 JSON object | the buffers, back to back

Values inside the header are JSON numbers and booleans (NaN and infinities
included, as Python's ``json`` writes them), plus tagged objects::

    {"$nd": 0, "dtype": "<f8", "shape": [2, 3]}   an array; its bytes are buffer 0
    {"$seq": [...]}                               a tuple or list
    {"$unsupported": "dict", "reason": "other"}   a value the child would not send, and why
                                                  (a code, with its parameters: the judge words it)
    {"$text": 1}                                  a string whose UTF-8 is buffer 1 (only
                                                  from the judge: a module's source)

Large text travels as a buffer, not inside the header, so the header stays
small (its bound protects the judge from forged replies) while a request may
carry a submission's whole code (bounded by ``MAX_TOTAL_BYTES``).

There is no pickle: decoding builds only numbers, tuples and plain arrays, and
every size, dtype and shape is checked before any memory is set aside for it,
because the judge reads what student code (which runs in the child) may have
forged.
"""
import json
import math
import os
import re
import select
import struct
import time

import numpy as np

MAGIC = b"BPG1"
MAX_HEADER_BYTES = 1 << 20
MAX_BUFFERS = 4096
MAX_TOTAL_BYTES = 64 << 20
MAX_DEPTH = 32
MAX_NDIM = 32

_PREFIX = struct.Struct("<4sII")
_LENGTH = struct.Struct("<Q")
_CHUNK = 1 << 20
_HAS_READV = hasattr(os, "readv")  # and writev: not on Windows
_DTYPE = re.compile(r"[<>|=][biuf][1248]\Z")
# The dtypes that exist among those the pattern admits ("<f1" and "<b2" do not).
_SIZES = {"b": "1", "i": "1248", "u": "1248", "f": "248"}


class WireError(Exception):
    """The other side sent something that breaks the protocol."""


class WireTimeout(WireError):
    """The deadline passed before a whole message was read or written."""


class WireClosed(WireError):
    """The other side closed its end of the pipe."""


def dtype_allowed(dtype) -> bool:
    """Only bool, signed and unsigned integer and float arrays of 1 to 8 bytes travel."""
    return _DTYPE.match(dtype.str) is not None


_CHECKED_DTYPES = {}


def _checked_dtype(text):
    dtype = _CHECKED_DTYPES.get(text) if type(text) is str else None
    if dtype is None:
        dtype = _CHECKED_DTYPES[text] = _check_dtype(text)
    return dtype


def _check_dtype(text):
    if not isinstance(text, str) or not _DTYPE.match(text) or text[2] not in _SIZES[text[1]]:
        raise WireError(f"array dtype {str(text)[:40]!r} is not allowed")
    try:
        dtype = np.dtype(text)
    except (TypeError, ValueError):
        raise WireError(f"array dtype {text!r} is not allowed") from None
    if not dtype_allowed(dtype) or dtype.itemsize != int(text[2]):
        raise WireError(f"array dtype {text!r} is not allowed")
    return dtype


# -- values ---------------------------------------------------------------


def encode_value(value, buffers: list, fallback, depth: int = 0):
    """Turn ``value`` into JSON-ready data, appending array bytes to ``buffers``.

    Exact ``np.ndarray`` objects with an allowed dtype, numpy scalars of
    bool/integer/float type, Python bool/int/float and tuples/lists of these
    are encoded here. Anything else, including arrays of other dtypes, ndarray
    subclasses and sequences nested deeper than ``MAX_DEPTH``, goes to
    ``fallback(value)``, which returns JSON-ready data or raises.
    """
    kind = type(value)
    if kind is np.ndarray and dtype_allowed(value.dtype) and value.ndim <= MAX_NDIM:
        buffers.append(value.tobytes())
        return {"$nd": len(buffers) - 1, "dtype": value.dtype.str, "shape": list(value.shape)}
    if isinstance(value, np.generic):
        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating):
            return float(value)
        return fallback(value)
    if kind is bool or kind is int or kind is float:
        return value
    if (kind is tuple or kind is list) and depth < MAX_DEPTH:
        return {"$seq": [encode_value(item, buffers, fallback, depth + 1) for item in value]}
    return fallback(value)


def encode_text(text: str, buffers: list) -> dict:
    """``text`` as a ``$text`` value, its UTF-8 (lone surrogates kept, as JSON would) appended to ``buffers``."""
    buffers.append(text.encode("utf-8", "surrogatepass"))
    return {"$text": len(buffers) - 1}


class Decoder:
    """Rebuild values from one message's header data and buffers, strictly.

    Every array gets its own buffer, used exactly once (checked by
    :meth:`finish`), so arrays never share memory and are writable.
    ``allow_plain`` also accepts ``null``, strings and ``$text`` (requests
    from the judge); ``unsupported(data)`` checks a ``$unsupported`` object and builds
    its value (replies to the judge); left as ``None``, ``$unsupported`` is an error.
    """

    def __init__(self, buffers, *, allow_plain=False, unsupported=None):
        self._buffers = buffers
        self._used = set()
        self._allow_plain = allow_plain
        self._unsupported = unsupported

    def value(self, data, depth=0):
        if depth > MAX_DEPTH:
            raise WireError("values are nested too deeply")
        kind = type(data)
        if kind is int or kind is float or kind is bool:
            return data
        if self._allow_plain and (data is None or kind is str):
            return data
        if kind is dict:
            if data.keys() == {"$seq"} and type(data["$seq"]) is list:
                return tuple(self.value(item, depth + 1) for item in data["$seq"])
            if data.keys() == {"$nd", "dtype", "shape"}:
                return self._array(data)
            if data.keys() == {"$text"} and self._allow_plain:
                return self._text(data["$text"])
            if "$unsupported" in data and self._unsupported is not None:
                return self._unsupported(data)  # checks every field, or raises WireError
        raise WireError(f"unexpected value of type {kind.__name__}")

    def _take(self, index, what):
        """The buffer at ``index``, which no other value may use."""
        if type(index) is not int or not 0 <= index < len(self._buffers) or index in self._used:
            raise WireError(f"{what} refers to a missing or already used buffer")
        self._used.add(index)
        return self._buffers[index]

    def _text(self, index):
        try:
            return self._take(index, "text").decode("utf-8", "surrogatepass")
        except UnicodeDecodeError as exc:
            raise WireError(f"text is not UTF-8 (byte {exc.start})") from None

    def _array(self, data):
        index, shape = data["$nd"], data["shape"]
        dtype = _checked_dtype(data["dtype"])
        buffer = self._take(index, "array")
        if (
            type(shape) is not list
            or len(shape) > MAX_NDIM
            or not all(type(n) is int and 0 <= n <= MAX_TOTAL_BYTES for n in shape)
        ):
            raise WireError("array shape is not a list of sizes")
        if math.prod(shape) * dtype.itemsize != len(buffer):
            raise WireError(f"array of shape {tuple(shape)[:MAX_NDIM]} does not match its {len(buffer)} bytes")
        if math.prod(n or 1 for n in shape) > MAX_TOTAL_BYTES:
            raise WireError("array shape is too large, even with no entries")  # numpy refuses such shapes
        try:
            array = np.frombuffer(buffer, dtype=dtype).reshape(shape)
        except (TypeError, ValueError) as exc:
            raise WireError(f"array cannot be rebuilt ({exc.__class__.__name__})") from None
        if not dtype.isnative:
            array = array.astype(dtype.newbyteorder("="))
        return array

    def finish(self):
        if len(self._used) != len(self._buffers):
            raise WireError("message carries buffers that no value uses")


# -- framing --------------------------------------------------------------


_JSON = json.JSONEncoder(separators=(",", ":"))
# json's C encoder and scanner, made once: json.dumps and json.loads build or look them up on every call,
# which costs as much as encoding a header (a message is encoded and decoded thousands of times a student).
# No circular-reference markers: a dict of them kept across calls keeps stale ids after a failed encoding,
# and a header is plain data built afresh (a cycle would end in RecursionError).
_ENCODE = (json.encoder.c_make_encoder(None, _JSON.default, json.encoder.encode_basestring_ascii, None, ":", ",",
                                       False, False, True) if json.encoder.c_make_encoder else None)
_SCAN = json.decoder.JSONDecoder().scan_once
_JSON_SPACE = " \t\n\r"


def _encoded(header: dict) -> str:
    return "".join(_ENCODE(header, 0)) if _ENCODE is not None else _JSON.encode(header)


def _decoded(text: str):
    """``json.loads(text)``: a value with nothing but JSON's white space around it, else ValueError."""
    text = text.strip(_JSON_SPACE)
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:
        raise ValueError("no JSON value") from None
    if end != len(text):
        raise ValueError("data after the JSON value")
    return value


def pack(header: dict, buffers=()) -> list:
    """The byte strings of one message; raises WireError if it exceeds the limits."""
    data = _encoded(header).encode("utf-8")
    total = sum(len(b) for b in buffers)
    if len(data) > MAX_HEADER_BYTES or len(buffers) > MAX_BUFFERS or total > MAX_TOTAL_BYTES:
        raise WireError(f"message too large ({len(data) + total} bytes)")
    lengths = b"".join(_LENGTH.pack(len(b)) for b in buffers)
    return [_PREFIX.pack(MAGIC, len(data), len(buffers)) + lengths + data, *buffers]


def write_message(fd: int, header: dict, buffers=(), deadline=None):
    """Send one message. With a deadline, ``fd`` must be non-blocking."""
    write_parts(fd, pack(header, buffers), deadline)


def write_parts(fd: int, parts: list, deadline=None):
    """Send a message made by :func:`pack`, in one system call when the pipe has room.

    One call wakes the reader once; a write per part would wake it per part.
    """
    views = [memoryview(part).cast("B") for part in parts]
    views = [v for v in views if v.nbytes]
    while views:
        try:
            written = _writev(fd, views[:64])
        except BlockingIOError:
            _wait(fd, select.POLLOUT, deadline)
            continue
        _advance(views, written)


def read_message(fd: int, deadline=None):
    """Receive one message as ``(header dict, list of bytearrays)``.

    Sizes are checked against the limits before anything large is read; a
    deadline (``time.monotonic()`` value) turns a silent sender into
    :class:`WireTimeout`. Three reads at most when the message is all there:
    its prefix, then its buffer lengths and header together, then every
    buffer at once.
    """
    wait_first = deadline is not None and os.get_blocking(fd)  # no deadline: blocking reads (Windows too)
    return _parse(lambda buffers: _read(fd, buffers, deadline, wait_first))


def unpack(data) -> tuple:
    """A message from the bytes :func:`pack` made of it, checked as :func:`read_message` checks one."""
    rest = memoryview(data)

    def fill(buffers):
        nonlocal rest
        for buffer in buffers:
            if len(buffer) > len(rest):
                raise WireError("message is cut short")
            buffer[:], rest = rest[: len(buffer)], rest[len(buffer):]
        return buffers

    message = _parse(fill)
    if rest:
        raise WireError("message has bytes after its end")
    return message


def _parse(fill):
    """One message, from ``fill(buffers)``, which fills the bytearrays it is given in order."""
    magic, header_size, count = _PREFIX.unpack(fill([bytearray(_PREFIX.size)])[0])
    if magic != MAGIC:
        raise WireError("message does not start with the protocol marker")
    if header_size > MAX_HEADER_BYTES:
        raise WireError(f"message header of {header_size} bytes is over the limit")
    if count > MAX_BUFFERS:
        raise WireError(f"message has {count} buffers, over the limit of {MAX_BUFFERS}")
    lengths, raw = fill([bytearray(_LENGTH.size * count), bytearray(header_size)])
    lengths = [n for (n,) in _LENGTH.iter_unpack(lengths)]
    if sum(lengths) > MAX_TOTAL_BYTES:
        raise WireError(f"message of {sum(lengths)} bytes is over the limit of {MAX_TOTAL_BYTES >> 20} MB")
    try:
        header = _decoded(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise WireError(f"message header is not valid JSON ({exc.__class__.__name__})") from None
    if type(header) is not dict:
        raise WireError("message header is not a JSON object")
    return header, fill([bytearray(n) for n in lengths])


def _read(fd, buffers, deadline, wait_first):
    """Fill ``buffers`` from ``fd`` in as few reads as the pipe allows; returns them.

    On a non-blocking ``fd`` a read waits only when nothing is there yet (most
    reads find it); ``wait_first`` polls before every read (a blocking ``fd``
    with a deadline).
    """
    views = [memoryview(b) for b in buffers if b]
    while views:
        if wait_first:
            _wait(fd, select.POLLIN, deadline)
        try:
            got = _readinto(fd, views[:64])
        except BlockingIOError:
            _wait(fd, select.POLLIN, deadline)
            continue
        if got == 0:
            raise WireClosed("the other side closed the pipe")
        _advance(views, got)
    return buffers


def _advance(views: list, done: int) -> None:
    """Drop from ``views`` the ``done`` bytes one vectored read or write went through, in order."""
    while done and views:
        if done >= views[0].nbytes:
            done -= views.pop(0).nbytes
        else:
            views[0], done = views[0][done:], 0


def _readinto(fd, views):
    """Read into ``views`` in order (each at most ``_CHUNK`` bytes at a time); returns how many bytes came."""
    views = [v[:_CHUNK] for v in views]
    if _HAS_READV:
        return os.readv(fd, views)
    data = os.read(fd, views[0].nbytes)  # Windows: one view a call
    views[0][: len(data)] = data
    return len(data)


def _writev(fd, views):
    return os.writev(fd, views) if _HAS_READV else os.write(fd, views[0])  # Windows: one part a call


def _wait(fd, event, deadline):
    if deadline is None:
        deadline = float("inf")
    poller = select.poll()
    poller.register(fd, event)
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise WireTimeout("no message before the deadline")
        if poller.poll(min(remaining, 3600.0) * 1000):
            return
