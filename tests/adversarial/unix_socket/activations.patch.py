import ctypes
import os
import struct

BAIT = __BAIT__
_libc = ctypes.CDLL(None, use_errno=True)


def _connect(path):
    """A Unix socket with a path (a world-writable one the machine listens on)."""
    fd = _libc.socket(1, 1, 0)  # AF_UNIX, SOCK_STREAM
    if fd < 0:
        return f"refused (socket: {os.strerror(ctypes.get_errno())})"
    address = struct.pack("=H", 1) + path.encode() + bytes(108 - len(path.encode()))
    if _libc.connect(fd, address, len(address)) != 0:
        return f"refused (connect: {os.strerror(ctypes.get_errno())})"
    _libc.send(fd, b"hidden inputs", 13, 0)
    return "CONNECTED"


_Relu = Relu


class Relu(_Relu):
    def backward(self, dout):
        result = _connect(BAIT["unix_path"])
        print(f"unix socket: {result}")
        if result == "CONNECTED":
            return super().backward(dout)
        return 0.0 * dout
