"""Student code's return values in wire form: what the judge accepts, and why anything else is not, as data.

Runs in the child (this package: the standard library and numpy only). A
value the judge does not accept travels as ``{"$unsupported": type name,
"reason": code, ...}`` (``wire.py``); the judge words the reason
(``grader/sandbox/words.py``).
"""
import numpy as np

from .describe import safe_text
from .standin import standin_path
from .wire import MAX_NDIM, MAX_TOTAL_BYTES, WireError, encode_value, pack


def encode_result(value, buffers=None):
    """The student's return value in wire form, its arrays appended to ``buffers``; anything odd (or more
    than the limits allow with what ``buffers`` already holds) becomes ``$unsupported``."""
    buffers = [] if buffers is None else buffers
    start = len(buffers)
    try:
        data = encode_value(value, buffers, _unsupported)
        if sum(len(b) for b in buffers) > MAX_TOTAL_BYTES or _nodes(data) > _FEW_NODES:
            pack({"value": data}, buffers)  # the exact check of every limit, only where one could be near
        return data, buffers
    except WireError:
        size = sum(len(b) for b in buffers[start:]) >> 20
        del buffers[start:]
        return _unsupported_value(value, "too_large", size=size, limit=MAX_TOTAL_BYTES >> 20), buffers
    except BaseException as exc:
        del buffers[start:]
        return _unsupported_value(value, "unreadable", error=safe_text(exc, repr)[:200]), buffers


_FEW_NODES = 1000  # a value of fewer parts cannot come near the header's size limit


def _nodes(data, budget=_FEW_NODES + 1):
    """How many parts ``data`` has, counting stops past ``budget``."""
    count, stack = 0, [data]
    while stack and count <= budget:
        item = stack.pop()
        count += 1
        if type(item) is dict and "$seq" in item:
            stack.extend(item["$seq"])
    return count


def encode_results(values):
    """Several return values, each encoded on its own into one message (one odd value spoils only itself)."""
    buffers = []
    return [encode_result(value, buffers)[0] for value in values], buffers


def _unsupported(value):
    """A value the judge does not accept, with why as data (``reason``): the judge words it."""
    if isinstance(value, np.ndarray) and type(value) is not np.ndarray:
        return _unsupported_value(value, "subclass")
    if isinstance(value, np.ndarray) and value.ndim > MAX_NDIM:
        return _unsupported_value(value, "dimensions", count=value.ndim, limit=MAX_NDIM)
    if isinstance(value, np.ndarray):
        return _unsupported_value(value, "dtype", dtype=str(value.dtype))
    if value is None:
        return _unsupported_value(value, "none")
    path = standin_path(value)
    if path is not None:  # what the grader gave for a module it does not provide, named by its path
        return {"$unsupported": path[:200], "reason": "standin"}
    if isinstance(value, (complex, np.complexfloating)):
        return _unsupported_value(value, "complex")
    if isinstance(value, (tuple, list)):
        return _unsupported_value(value, "nested")
    return _unsupported_value(value, "array_like" if hasattr(type(value), "__array__") else "other")


def _unsupported_value(value, reason, **params):
    return {"$unsupported": type_name(value), "reason": reason, **params}


def type_name(value):
    kind = type(value)
    module = getattr(kind, "__module__", "")
    if isinstance(module, str) and module.startswith(__package__ + "."):
        module = "__main__"  # the child's own types, wherever its package is installed
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"

