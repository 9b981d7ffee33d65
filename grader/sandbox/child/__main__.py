"""Start the zygote (``--zygote CHANNEL JUDGE``) or one child (``READ_FD WRITE_FD SETTINGS``).

Every module of the child is imported here, before anything is confined:
afterwards the grader's files may not be readable (a root-only installation,
a private root file system), and no module is ever imported lazily.
"""
import sys

from . import calls, capture, cells, confine, forward_watch, namespaces, standin, syscalls, wire  # noqa: F401
from .session import main
from .zygote import zygote_main

(zygote_main if sys.argv[1] == "--zygote" else main)(sys.argv)
