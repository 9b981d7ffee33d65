import ctypes
import os
import time

_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_DUMPABLE, _PTRACE_SEIZE = 4, 0x4206

_Pooling = Pooling


class Pooling(_Pooling):
    def backward(self, dout):
        """Be traced by a grandchild in its own session, then hang: the judge's kill must still be reaped."""
        dumpable = _libc.prctl(_PR_SET_DUMPABLE, 1, 0, 0, 0)
        me = os.getpid()
        if os.fork() == 0:
            os.setsid()
            traced = _libc.ptrace(_PTRACE_SEIZE, me, 0, 0)
            print(f"dumpable {dumpable}, seize {traced} ({os.strerror(ctypes.get_errno())})")
            time.sleep(30)
            os._exit(0)
        while True:
            pass
