"""The ``grade`` program's entry point: start the zygote first, leave without tearing down.

Two things cost a student's ``grade`` run time without grading anything: the
zygote's start-up (a second interpreter importing numpy, competing with the
judge's own imports for the cores) and the interpreter's own shutdown (tens
of milliseconds freeing modules). So ``grade`` imports numpy, then forks the
zygote from itself before anything of the course is loaded
(``sandbox/forked_zygote.py``), and once the command has finished and its
output is flushed, the process ends with ``os._exit``: everything it started
has been stopped by then, and the zygote dies with it (``PR_SET_PDEATHSIG``).
"""
from __future__ import annotations

import os
import sys


def one_blas_thread() -> None:
    """Keep numpy's linear algebra to one thread in the judge, unless the user chose otherwise.

    The judge's arrays are tiny, and OpenBLAS starts a thread per core as
    numpy is imported, which spin for tens of milliseconds of CPU: on a small
    machine they take the core the zygote is importing numpy on.
    """
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


def grade() -> None:
    from grader.sandbox import portable_runner

    one_blas_thread()
    if os.environ.get("GRADER_IN_PROCESS") != "1" and not portable_runner():  # no zygote on Windows, macOS
        import numpy  # noqa: F401  (before the fork: the zygote is this process with numpy loaded)

        from grader.sandbox.forkserver import fork_server

        try:
            fork_server(here=True)
        except OSError:  # said where the first child is needed
            pass
    from grader.cli import grade as command

    leave(command)


def grader() -> None:
    one_blas_thread()
    from grader.cli import grader as group

    leave(group)


def leave(command) -> None:
    """Run a click command as a program, then exit at once with its status."""
    from grader.cli.output import tolerant_console

    tolerant_console()
    try:
        command.main(prog_name=os.path.basename(sys.argv[0]) or None)
        status = 0
    except SystemExit as exit:
        status = exit.code
    if status is None:
        status = 0
    elif not isinstance(status, int):
        print(status, file=sys.stderr)
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        status = status or 1
    os._exit(status)
