"""``grader bundle gradescope``: the zip to upload as a Gradescope autograder.

The zip holds, at its root (Gradescope unpacks it into /autograder/source):

    setup.sh          makes a venv with the pinned dependencies, grader on its path
    run_autograder    grades /autograder/submission into /autograder/results/results.json
    requirements.txt  numpy and click (and tomli before Python 3.11), pinned to the versions installed here
    grader/           this grader package
    courses/NAME/     the course, hidden tests included, solutions left out; with
                      ``--assignment`` its course file names only those assignments

The scripts live in ``grader/templates/gradescope/``. The zip is built the
same way every time (sorted entries, fixed timestamps), so an unchanged
grader gives a byte-identical bundle.
"""
from __future__ import annotations

import importlib.metadata
import io
import re
import tempfile
import zipfile
from pathlib import Path

from . import course as courses
from .course import Course
from .release import copy_course
from .reports import write_atomically

PACKAGE = Path(__file__).parent
TEMPLATES = PACKAGE / "templates" / "gradescope"
# The runtime dependencies of pyproject.toml; pinned so every submission is graded alike.
DEPENDENCIES = ("numpy", "click")
TOML_READER = 'tomli>=1.1; python_version < "3.11"'  # reads the course file where tomllib is missing
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
SKIPPED = re.compile(r"(^|/)(__pycache__|\.[^/]*)(/|$)|\.py[co]$")


class BundleError(Exception):
    """The bundle cannot be built here; the message says why."""


def pins(overrides: list[str] = ()) -> list[str]:
    """``name==version`` for each dependency: the installed version unless overridden."""
    chosen = {}
    for name in DEPENDENCIES:
        try:
            chosen[name] = f"{name}=={importlib.metadata.version(name)}"
        except importlib.metadata.PackageNotFoundError:
            raise BundleError(f"{name} is not installed here, so its version cannot be pinned; use --pin {name}==VERSION")
    for pin in overrides:
        name = re.split(r"[=<>!~ ]", pin, maxsplit=1)[0].strip().lower()
        if name not in chosen:
            raise BundleError(f"--pin {pin}: the grader depends only on {', '.join(DEPENDENCIES)}")
        chosen[name] = pin.strip()
    return [chosen[name] for name in DEPENDENCIES]


def _package_files(folder: Path = PACKAGE) -> list[tuple[str, Path]]:
    files = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder.parent).as_posix()
        if path.is_file() and not SKIPPED.search(relative):
            files.append((relative, path))
    return files


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    archive.writestr(info, data)


def build_gradescope(out: Path | str, pin_overrides: list[str] = (), *, course: Course | None = None,
                     assignments=None) -> Path:
    """Write the Gradescope autograder zip to ``out`` and return its path; ``assignments``
    limits it to those (a weekly assignment), scored out of their points only."""
    course = course or courses.current()
    if "hidden" not in course.visibilities():
        raise BundleError(
            f"this copy of the course has no hidden tests ({course.tests / 'hidden'}); "
            "build the bundle from the course staff's repository"
        )
    requirements = "\n".join([*pins(pin_overrides), TOML_READER]) + "\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _add(archive, "setup.sh", (TEMPLATES / "setup.sh").read_bytes(), executable=True)
        _add(archive, "run_autograder", (TEMPLATES / "run_autograder.sh").read_bytes(), executable=True)
        _add(archive, "requirements.txt", requirements.encode())
        for name, path in _package_files():
            _add(archive, name, path.read_bytes())
        with tempfile.TemporaryDirectory(prefix="grader-bundle-") as scratch:
            shipped = copy_course(course, Path(scratch), assignments, hidden=True)
            for name, path in _package_files(shipped):
                _add(archive, f"courses/{name}", path.read_bytes())
    return write_atomically(out, buffer.getvalue())
