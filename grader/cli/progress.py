"""Which test is running, on the terminal only, once a run has taken more than a second.

A quiet terminal for tens of seconds looks like a hang. So when ``grade``
runs at a terminal (standard error is a TTY) and grading takes longer than
``DELAY`` seconds, one line on standard error says which test is running and
how far along the run is; it is rewritten in place and erased at the end.
Piped output, files and reports never see it.
"""
from __future__ import annotations

import sys
import threading
import time

from grader.lang import _

DELAY = 1.0
_REFRESH = 0.25


class Progress:
    """A ``progress(check, number, total)`` callback for the engine, drawing from a background thread."""

    def __init__(self, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self.stream)
        self.started = time.monotonic()
        self._current = ""
        self._shown = False
        self._stop = threading.Event()
        self._thread = None
        if self.enabled:
            self._thread = threading.Thread(target=self._draw_until_stopped, daemon=True)
            self._thread.start()

    def __call__(self, check, number: int, total: int) -> None:
        self._current = _("grading {test} ({number}/{total})").format(test=check.name, number=number, total=total)

    def _draw_until_stopped(self) -> None:
        while not self._stop.wait(_REFRESH):
            if self._current and time.monotonic() - self.started >= DELAY:
                seconds = time.monotonic() - self.started
                self._write(f"\r\033[K{self._current}  {seconds:.0f} s")
                self._shown = True

    def close(self) -> None:
        """Stop drawing and erase the line, before anything else is printed."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(1.0)
        if self._shown:
            self._write("\r\033[K")

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
