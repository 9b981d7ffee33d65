import json
import os
import stat
import struct
import sys

_Relu, _Sigmoid = Relu, Sigmoid


def _reply_pipes():
    """Every pipe this process can write to (found through /proc/self/fd): the reply channel is one."""
    try:
        candidates = {int(name) for name in os.listdir("/proc/self/fd")}
    except OSError:
        candidates = set(range(3, 64))
    candidates.update(int(a) for a in sys.argv[1:] if a.isdigit())
    found = []
    for fd in sorted(candidates):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                found.append(fd)  # writing to the read end of a pipe just fails
        except OSError:
            pass
    return found


def _request_number(shift=0):
    """The number of the request being answered, read from the child's own stack."""
    frame = sys._getframe()
    while frame is not None:
        request = frame.f_locals.get("request")
        if isinstance(request, dict) and isinstance(request.get("seq"), int):
            return request["seq"] + shift
        frame = frame.f_back
    return 1


def forge(value, buffers=(), shift=0):
    """Write one frame answering the current request (or, with shift, another one) into every pipe."""
    header = json.dumps({"ok": True, "output": "", "value": value, "seq": _request_number(shift)}).encode()
    frame = (struct.pack("<4sII", b"BPG1", len(header), len(buffers))
             + b"".join(struct.pack("<Q", len(b)) for b in buffers) + header + b"".join(buffers))
    for fd in _reply_pipes():
        try:
            os.write(fd, frame)
        except OSError:
            pass


class Sigmoid(_Sigmoid):
    """Answers with an array of dtype "<f1", which numpy does not know."""

    def backward(self, dout):
        forge({"$nd": 0, "dtype": "<f1", "shape": [1]}, [b"\0"])
        return super().backward(dout)


class Relu(_Relu):
    """Answers with an empty array whose shape claims 2**78 entries."""

    def backward(self, dout):
        forge({"$nd": 0, "dtype": "<f8", "shape": [0, 2**26, 2**26, 2**26]}, [b""])
        return super().backward(dout)
