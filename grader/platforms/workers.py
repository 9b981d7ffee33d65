"""The batch's worker processes: forked once from the warm parent, one task at a time each, replaced when one
dies or runs past its time limit, so a task can cost only itself."""
from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import signal
import sys
import time
from typing import Callable, Iterable, Iterator

from grader.lang import _

# The outcome of a task whose work raised: a bug in the grader (the gradebook status of such a student too).
GRADER_ERROR = "grader_error"


def _serve(work: Callable, conn, inherited: list) -> None:
    """A worker's life: run ``work`` on each task the parent sends until it sends None."""
    for other in inherited:  # the parent's ends of the other workers' pipes
        other.close()
    # SIGTERM (the time limit) unwinds normally, so the sandbox closes its own child.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        while (task := conn.recv()) is not None:
            try:
                outcome = ("done", work(task))
            except Exception as error:  # a bug in the grader, not the student's doing
                outcome = (GRADER_ERROR, _("the grader failed: {error}").format(
                    error=f"{type(error).__name__}: {error}"))
            conn.send(outcome)
    except (EOFError, BrokenPipeError):  # the parent is gone
        pass


class _Worker:
    """One process forked from the warm parent, and the task it is on."""

    def __init__(self, context, work: Callable, others: list["_Worker"]):
        self.conn, child_end = context.Pipe()
        inherited = [w.conn for w in others] + [self.conn]
        self.process = context.Process(target=_serve, args=(work, child_end, inherited), daemon=True)
        self.process.start()
        child_end.close()
        self.task, self.deadline = None, 0.0

    def give(self, task, time_limit: float) -> None:
        self.task, self.deadline = task, time.monotonic() + time_limit
        self.conn.send(task)

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(1 if self.task is None else 0)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def run_isolated(tasks: Iterable, work: Callable, *, jobs: int, time_limit: float) -> Iterator[tuple]:
    """Yield ``(task, ("done", value) | ("crashed" | "grader_error", why))`` for each task, as each ends.

    ``jobs`` worker processes, forked from this already warm interpreter, take
    one task at a time. A worker that dies, or is still busy ``time_limit``
    seconds into a task, is replaced by a fresh fork; only its task is lost
    (``crashed``). A task whose ``work`` raises is a ``grader_error``.
    """
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform: slower start-up, same isolation
        context = multiprocessing.get_context()
    pending = list(tasks)[::-1]
    workers: list[_Worker] = []
    while len(workers) < min(jobs, len(pending)):
        workers.append(_Worker(context, work, workers))

    def replace(worker: _Worker) -> None:
        worker.stop()
        others = [w for w in workers if w is not worker]
        workers[workers.index(worker)] = _Worker(context, work, others)

    try:
        while True:
            for worker in workers:
                if worker.task is None and pending:
                    worker.give(pending.pop(), time_limit)
            busy = [w for w in workers if w.task is not None]
            if not busy:
                return
            wait = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = multiprocessing.connection.wait([w.conn for w in busy], timeout=wait)
            for worker in busy:
                task = worker.task
                if worker.conn in ready:
                    try:
                        outcome = worker.conn.recv()
                        worker.task = None
                    except (EOFError, OSError):
                        worker.process.join(1)
                        outcome = ("crashed", _("the grading process died (exit status {code})").format(
                            code=worker.process.exitcode))
                        replace(worker)
                elif time.monotonic() > worker.deadline:
                    outcome = ("crashed", _("grading took longer than {limit} s and was stopped").format(
                        limit=f"{time_limit:g}"))
                    replace(worker)
                else:
                    continue
                yield task, outcome
    finally:
        for worker in workers:
            worker.stop()
