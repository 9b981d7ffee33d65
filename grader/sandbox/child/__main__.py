"""Start the zygote (``--zygote CHANNEL JUDGE``), which forks every child (``session.main``).

Every module of the child is imported here, before anything is confined:
afterwards the grader's files may not be readable (a root-only installation,
a private root file system), and no module is ever imported lazily.
"""
import sys

from . import calls, capture, cells, confine, describe, forward_watch, namespaces, results, standin, syscalls, wire  # noqa: F401
from . import session  # noqa: F401
from .zygote import zygote_main

zygote_main(sys.argv)
