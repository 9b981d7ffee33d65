import ctypes
import os
import struct

BAIT = __BAIT__
_libc = ctypes.CDLL(None, use_errno=True)


def _send_out():
    fd = _libc.socket(2, 2, 0)  # AF_INET, SOCK_DGRAM
    if fd < 0:
        return f"refused (socket: {os.strerror(ctypes.get_errno())})"
    address = struct.pack("=H", 2) + struct.pack("!H", BAIT["udp_port"]) + bytes([127, 0, 0, 1]) + bytes(8)
    sent = _libc.sendto(fd, b"hidden inputs", 13, 0, address, len(address))
    if sent < 0:
        return f"refused (sendto: {os.strerror(ctypes.get_errno())})"
    return "SENT"


_AddLayer = AddLayer


class AddLayer(_AddLayer):
    def backward(self, dout):
        result = _send_out()
        print(f"udp: {result}")
        if result == "SENT":
            return super().backward(dout)
        return 0.0 * dout, 0.0 * dout
