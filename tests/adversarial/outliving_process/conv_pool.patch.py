import os
import time

_Convolution = Convolution


class Convolution(_Convolution):
    def backward(self, dout):
        """Leave a sleeping process behind: its own session, orphaned by a double fork."""
        first = os.fork()
        if first == 0:
            os.setsid()
            if os.fork() == 0:
                time.sleep(30)
                os._exit(0)
            os._exit(0)
        os.waitpid(first, 0)
        return super().backward(dout)
