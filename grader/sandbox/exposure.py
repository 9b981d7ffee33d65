"""What student code could reach on this machine, asked of a confined child before any student code runs.

The sandbox's measures depend on the machine (namespaces, Landlock, a user id
of its own, ``chroot``), and on some machines (an ordinary user on an old
kernel, a container that refuses them) what is left cannot keep student code
from the grader's files. So the judge asks a child, confined exactly as a
student's will be, which of the paths that matter it can read or write
(``confine.probe_access``), and names the kinds of exposure found:

- ``course``: read the course's hidden tests, solutions or reference code;
- ``classmates``: read other students' submissions (``grader batch``);
- ``output``: read or write the output folder, where classmates' reports
  (which hold expected arrays of the same seed) are written;
- ``installation``: write where the grader or numpy live, their compiled
  files or a ``.pth`` file, which changes what runs for the next student;
- ``temporary``: write the machine's temporary folders, leaving files that
  outlive the child and wait for the next one.

``grade`` reports the exposures in the report's ``isolation``; ``grader
batch`` and the Gradescope bundle's set-up refuse to go on unless the
instructor accepts each by name (``--allow-exposure KIND``).
"""
from __future__ import annotations

import functools
import glob
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.lang import N_, _
from grader.sandbox.forkserver import child_path  # not lazily: in the debug mode, stand-ins answer lazy imports

KINDS = {
    "course": N_("read the course's hidden tests, solutions or reference code"),
    "classmates": N_("read other students' submissions"),
    "output": N_("read or write the output folder, where classmates' reports are"),
    "installation": N_("write where the grader or numpy are installed, or their compiled files, changing what "
                       "runs for the next student"),
    "temporary": N_("leave files in the machine's temporary folders that outlive it"),
}
TEMPORARY_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm")
_FILES_PER_FOLDER = 5


@dataclass(frozen=True)
class Exposure:
    kind: str
    paths: tuple[str, ...]

    def describe(self) -> str:
        shown = ", ".join(self.paths[:3]) + (", ..." if len(self.paths) > 3 else "")
        return f"{_(KINDS[self.kind])} ({shown})"


def probe(runner, course_root: Path | None, *, submissions: Path | None = None,
          output: Path | None = None) -> list[Exposure]:
    """The exposures a child of ``runner`` has; call before any student module is loaded."""
    wanted = _paths(course_root, submissions, output)
    readable, writable = runner.probe([p for kind, mode, p in wanted if mode == "r"],
                                      [p for kind, mode, p in wanted if mode == "w"])
    reached = {("r", p) for p in readable} | {("w", p) for p in writable}
    found: dict[str, list[str]] = {}
    for kind, mode, path in wanted:
        if (mode, path) in reached and path not in found.setdefault(kind, []):
            found[kind].append(path)
    return [Exposure(kind, tuple(paths)) for kind, paths in found.items() if paths]


def _paths(course_root, submissions, output) -> list[tuple[str, str, str]]:
    """``(kind, "r" or "w", path)`` for every path the probe asks about."""
    wanted = list(_course(course_root)) if course_root is not None else []
    if submissions is not None:
        wanted.append(("classmates", "r", str(submissions)))
        for student in sorted(submissions.iterdir())[:_FILES_PER_FOLDER] if submissions.is_dir() else []:
            wanted += [("classmates", "r", str(p)) for p in [student, *_some_files(student)]]
    if output is not None:
        wanted += [("output", mode, str(output)) for mode in ("r", "w")]
    wanted += [("installation", "w", path) for path in _installation(tuple(sys.path))]
    wanted += [("temporary", "w", path) for path in _temporary()]
    return wanted


@functools.lru_cache(maxsize=4)
def _course(course_root: Path) -> tuple[tuple[str, str, str], ...]:
    """The course's paths to probe: searched once per process (a batch probes before every student)."""
    wanted = []
    for secret in (course_root / "tests" / "hidden", course_root / "solutions"):
        wanted += [("course", "r", str(p)) for p in [secret, *_some_files(secret)]]
    wanted += [("course", "r", str(course_root / name)) for name in ("reference.py", "helpers.py")]
    wanted.append(("installation", "w", str(course_root)))
    return tuple(wanted)


def _some_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.rglob("*") if p.is_file())[:_FILES_PER_FOLDER]
    except OSError:
        return []


@functools.lru_cache(maxsize=4)
def _installation(judge_path: tuple[str, ...]) -> tuple[str, ...]:
    """Folders on the judge's and the child's ``sys.path``, every folder of the grader, ``.pth`` files.

    Searched once per process (a batch probes before every student), for the judge's ``sys.path`` it is given.
    """
    grader = Path(__file__).resolve().parent.parent
    folders = {*child_path(), *(p for p in judge_path if os.path.isabs(p) and os.path.isdir(p))}
    folders |= {str(p) for p in [grader, *grader.rglob("*")] if p.is_dir()}
    folders.add(os.path.dirname(sys.executable))
    pth = [f for folder in sorted(folders) for f in glob.glob(os.path.join(glob.escape(folder), "*.pth"))]
    return tuple(sorted(p for p in folders if os.path.isdir(p)) + pth)


def _temporary() -> list[str]:
    return sorted(p for p in {*TEMPORARY_FOLDERS, tempfile.gettempdir()} if os.path.isdir(p))


def probe_machine(course_root: Path | None, *, submissions: Path | None = None,
                  output: Path | None = None) -> tuple[list[Exposure], str]:
    """Start a child as a student's would be started, probe it, and return its exposures and ``isolation``."""
    from grader.sandbox import make_runner

    with make_runner({}, timeout=30.0) as runner:
        found = probe(runner, course_root, submissions=submissions, output=output)
        return found, runner.isolation


EXPOSED = N_("exposed: student code could {what}")


def describe(exposures: list[Exposure]) -> str:
    """For ``isolation`` (in the report's language, as the rest of it): what student code could do here that it
    should not."""
    return "; ".join(_(EXPOSED).format(what=e.describe()) for e in exposures)


def refusal(exposures: list[Exposure], allowed: set[str]) -> str | None:
    """The message refusing to grade other people's code here, or None if every exposure was accepted."""
    refused = [e for e in exposures if e.kind not in allowed]
    if not refused:
        return None
    lines = [_("Student code would not be confined enough on this machine: it could")]
    lines += [f"  - {e.describe()}" for e in refused]
    lines.append(_("Grade as root (in a container, as CI and Gradescope do) or on a kernel with Landlock or user "
                   "namespaces; or, knowing the risk, accept it by name: {flags}").format(
        flags=" ".join(f"--allow-exposure {e.kind}" for e in refused)))
    return "\n".join(lines)
