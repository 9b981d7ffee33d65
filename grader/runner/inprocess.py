"""Student code in the judge's own interpreter: :class:`InProcessRunner`.

For benchmarks (``GRADER_IN_PROCESS=1``), to measure what isolation costs,
and for a student's own checks on Windows, which lacks the process controls
of the sandbox. There is NO isolation: no time or memory limit, and student
code can change anything in the judge, including its verdicts. Never use it
to grade other people's work.
"""
from __future__ import annotations

from collections import deque

from . import ModuleSource
from .child import Session
from .client import BaseRunner


class InProcessRunner(BaseRunner):
    """Same interface and messages as :class:`~grader.runner.sandbox.Runner`; ``timeout`` is not enforced."""

    isolation = "none: the grader's own process (GRADER_IN_PROCESS=1, or Windows); no time limit"

    def __init__(self, sources: dict[str, ModuleSource], *, timeout: float = 10.0, memory_mb: int = 2048,
                 classes: dict | None = None):
        super().__init__(sources, timeout=timeout, classes=classes)
        self._session: Session | None = Session()
        self._loaded: set[str] = set()
        self._replies: deque = deque()

    def _loaded_modules(self) -> set[str]:
        return self._loaded

    pipeline_bytes = 1 << 20

    def _deliver(self, request, buffers, deadline):
        if self._session is None:
            raise RuntimeError("this InProcessRunner is closed")
        reply, out = self._session.handle(request, [bytearray(b) for b in buffers])
        self._replies.append((reply, [bytearray(b) for b in out]))

    def _receive(self, deadline):
        return self._replies.popleft()

    def close(self):
        if self._session is not None:
            self._session.close()
            self._session = None
