"""Student code in the judge's own interpreter: :class:`InProcessRunner`.

For benchmarks only (``GRADER_IN_PROCESS=1``), to measure what isolation
costs: no platform uses it (Windows and macOS get the portable runner,
``portable.py``). There is NO isolation: no time or memory limit, and
student code can change anything in the judge, including its verdicts.
Never use it to grade anyone's work.
"""
from __future__ import annotations

from collections import deque

from grader.submission.source import ModuleSource
from grader.sandbox.child.session import Session
from grader.sandbox.channel import ChildGarbled
from grader.sandbox.client import BaseRunner


class InProcessRunner(BaseRunner):
    """Same interface and messages as :class:`~grader.sandbox.runner.Runner`; ``timeout`` is not enforced."""

    isolation = "none: the grader's own process (GRADER_IN_PROCESS=1); no time limit"

    def __init__(self, sources: dict[str, ModuleSource], *, timeout: float = 10.0, memory_mb: int = 2048,
                 classes: dict | None = None, **course):
        super().__init__(sources, timeout=timeout, classes=classes, **course)
        self._session: Session | None = Session()
        self._session.ask_judge = self._ask
        self._loaded: set[str] = set()
        self._replies: deque = deque()
        self._refused: ChildGarbled | None = None  # a question the judge refused, failing the request asked in

    def _loaded_modules(self) -> set[str]:
        return self._loaded

    pipeline_bytes = 1 << 20

    def _deliver(self, request, buffers, deadline):
        if self._session is None:
            raise RuntimeError("this InProcessRunner is closed")
        reply, out = self._session.handle(request, [bytearray(b) for b in buffers])
        self._replies.append((reply, [bytearray(b) for b in out]))

    def _receive(self, deadline):
        if self._refused is not None:  # as the child is replaced: whatever student code did next, the test fails
            refused, self._refused = self._refused, None
            self._replies.clear()
            raise refused
        return self._replies.popleft()

    def _ask(self, question, buffers):
        """A stand-in's question, answered at once (``calls.py``): the request running is the newest one sent."""
        question, buffers = _copied(question, buffers)
        try:
            answer, out = self._answer_question(self._unanswered[-1], question, buffers)
        except ChildGarbled as exc:
            self._refused = exc
            raise RuntimeError(f"the grader refused the question: {exc}") from None
        return _copied(answer, out)

    def close(self):
        if self._session is not None:
            self._session.close()
            self._session = None


def _copied(header: dict, buffers: list) -> tuple[dict, list]:
    """A message as the other side would read it: its own buffers and JSON data, nothing shared."""
    import json

    return json.loads(json.dumps(header)), [bytearray(b) for b in buffers]
