"""The child where the Linux confinement does not exist (Windows, macOS): a plain process with limits.

The judge (``grader/sandbox/portable.py``) starts it as
``python -I -S -c <boot> <folders> <settings>``, one process per child, with
the protocol on its standard input and output: they are moved to other
descriptors first thing, and 0, 1 and 2 then point at the null device, so
nothing student code writes there can reach the judge. It then takes the
measures the platform has:

- resource limits where ``resource`` exists (macOS; Linux when the portable
  runner is forced): memory (address space), file size, no core dumps, CPU
  time; on Windows the judge puts the process in a Job Object instead;
- on Linux, ``PR_SET_PDEATHSIG``, so it dies with the judge (Windows: the Job
  Object kills it when the judge's handle closes);
- numpy and the common standard modules loaded, and the import guard of
  ``confine.py``, so a submission imports the same modules as on Linux.

No file system, network or process confinement: ``isolation`` says so, and
``grader batch`` refuses the machine unless the exposures are accepted. Then
it answers requests exactly as the Linux child does (``session.py``).
"""
import ctypes
import importlib
import json
import os
import sys

from .confine import PRELOAD_NUMPY, PRELOAD_STDLIB, ImportGuard, _preload_for_submission
from .session import serve

try:
    import resource
except ImportError:  # Windows: the judge's Job Object bounds memory
    resource = None

_PR_SET_PDEATHSIG = 1
_SIGKILL = 9


def protocol_ends():
    """The judge's pipes, moved off 0 and 1; the standard descriptors then point at the null device."""
    read_fd, write_fd = os.dup(0), os.dup(1)
    if os.name == "nt":
        import msvcrt

        for fd in (read_fd, write_fd):
            msvcrt.setmode(fd, os.O_BINARY)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    return read_fd, write_fd


def limit_resources(settings):
    """The resource limits this platform accepts, each on its own; returns those set, as measures."""
    if resource is None:
        return []
    wanted = [("RLIMIT_AS", settings["memory_mb"] << 20, {"code": "memory_limit", "megabytes": settings["memory_mb"]}),
              ("RLIMIT_FSIZE", settings["file_mb"] << 20, {"code": "file_limit", "megabytes": settings["file_mb"]}),
              ("RLIMIT_CORE", 0, None),
              ("RLIMIT_CPU", settings["cpu_seconds"], {"code": "cpu_limit", "seconds": settings["cpu_seconds"]})]
    done = []
    for name, value, measure in wanted:
        which = getattr(resource, name, None)
        try:
            hard = resource.getrlimit(which)[1]
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, value))
        except (TypeError, ValueError, OSError):
            continue
        if measure:
            done.append(measure)
    return done


def die_with_the_judge():
    """Linux only: killed when the judge dies (elsewhere the closed pipe, or the Job Object, ends it)."""
    if not sys.platform.startswith("linux"):
        return []
    if ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, ctypes.c_ulong(_SIGKILL), 0, 0, 0) != 0:
        return []
    return [{"code": "dies_with_grader"}]


def prepare(settings):
    """Every measure of the module docstring; returns them as data, as ``confine.confine`` does."""
    done = limit_resources(settings) + die_with_the_judge()
    for name in PRELOAD_NUMPY + PRELOAD_STDLIB:
        importlib.import_module(name)
    _preload_for_submission(settings.get("preload") or ())
    sys.meta_path.insert(0, ImportGuard())
    return done


def main(argv):
    """Take the measures, greet the judge, then answer requests until it closes its end."""
    read_fd, write_fd = protocol_ends()
    try:
        serve(read_fd, write_fd, prepare(json.loads(argv[-1])))
    finally:
        os._exit(70)

if __name__ == "__main__":
    main(sys.argv)
