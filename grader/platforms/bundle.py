"""``grader bundle gradescope``: the zip to upload as a Gradescope autograder.

The zip holds, at its root (Gradescope unpacks it into /autograder/source):

    setup.sh          makes a venv with the pinned dependencies, grader on its path
    run_autograder    grades /autograder/submission into /autograder/results/results.json
    requirements.txt  numpy, click and scipy (and tomli before Python 3.11), pinned to the versions installed here
    grader/           this grader package
    courses/NAME/     the course, hidden tests included, solutions left out; with
                      ``--assignment`` its course file names only those assignments;
                      and its certificate.json: the course check this copy passed
                      (``setup.sh`` verifies it with ``grader check``)

Nothing is bundled of a course that has not passed its check (``grader check``):
the bundle runs it first where no valid certificate is kept.

The scripts live in ``grader/platforms/templates/gradescope/``. The zip is built the
same way every time (sorted entries, fixed timestamps), so an unchanged
grader gives a byte-identical bundle.
"""
from __future__ import annotations

import importlib.metadata
import io
import json
import re
import tempfile
import zipfile
from pathlib import Path

import grader.judge.course as courses
from grader.judge.course import Course
import grader.lang as i18n
from grader.lang import N_, _
from grader.platforms.coursecheck import certificates
from grader.platforms.release import copy_course, release_language
from grader.reports import write_atomically

PACKAGE = Path(__file__).resolve().parents[1]  # the grader package
TEMPLATES = Path(__file__).parent / "templates" / "gradescope"
# The runtime dependencies of pyproject.toml; pinned so every submission is graded alike.
DEPENDENCIES = ("numpy", "click")
# Libraries student code may import (document 004 computes a kernel gradient with
# scipy.signal): pinned like the dependencies when installed here, else left out.
STUDENT_LIBRARIES = ("scipy",)
TOML_READER = 'tomli>=1.1; python_version < "3.11"'  # reads the course file where tomllib is missing
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
SKIPPED = re.compile(r"(^|/)(__pycache__|\.[^/]*)(/|$)|\.py[co]$")


class BundleError(Exception):
    """The bundle cannot be built here; the message says why."""


def pins(overrides: list[str] = ()) -> list[str]:
    """``name==version`` for each dependency (the installed version unless overridden), then
    for each of ``STUDENT_LIBRARIES`` installed here or pinned."""
    chosen = {}
    for name in DEPENDENCIES + STUDENT_LIBRARIES:
        try:
            chosen[name] = f"{name}=={importlib.metadata.version(name)}"
        except importlib.metadata.PackageNotFoundError:
            if name in DEPENDENCIES:
                raise BundleError(_("{name} is not installed here, so its version cannot be pinned; use --pin "
                                    "{name}==VERSION").format(name=name))
    for pin in overrides:
        name = re.split(r"[=<>!~ ]", pin, maxsplit=1)[0].strip().lower()
        if name not in DEPENDENCIES + STUDENT_LIBRARIES:
            raise BundleError(_("--pin {pin}: the grader depends only on {names}").format(
                pin=pin, names=", ".join(DEPENDENCIES + STUDENT_LIBRARIES)))
        chosen[name] = pin.strip()
    return [chosen[name] for name in DEPENDENCIES + STUDENT_LIBRARIES if name in chosen]


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


NOT_RUN = N_("The autograder could not run, so your submission was not graded. "
             "This is not a problem with your code: please tell the course staff.")


def _run_autograder(language: str) -> bytes:
    """The run script, whose last-resort result speaks the bundle's language."""
    message = json.dumps(i18n.translator(language).gettext(NOT_RUN), ensure_ascii=False)
    script = (TEMPLATES / "run_autograder.sh").read_text(encoding="utf-8")
    return script.replace("@@NOT_RUN@@", message[1:-1]).encode("utf-8")


def build_gradescope(out: Path | str, pin_overrides: list[str] = (), *, course: Course | None = None,
                     assignments=None) -> Path:
    """Write the Gradescope autograder zip to ``out`` and return its path; ``assignments``
    limits it to those (a weekly assignment), scored out of their points only."""
    from grader.platforms.coursecheck import ensure_checked

    course = course or courses.default()
    if "hidden" not in course.visibilities():
        raise BundleError(_("this copy of the course has no hidden tests ({folder}); "
                            "build the bundle from the course staff's repository").format(folder=course.tests / "hidden"))
    checked = ensure_checked(course)  # CourseRefused: nothing is written
    requirements = "\n".join([*pins(pin_overrides), TOML_READER]) + "\n"
    language = release_language(course)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _add(archive, "setup.sh", (TEMPLATES / "setup.sh").read_bytes(), executable=True)
        _add(archive, "run_autograder", _run_autograder(language), executable=True)
        _add(archive, "requirements.txt", requirements.encode())
        for name, path in _package_files():
            _add(archive, name, path.read_bytes())
        with tempfile.TemporaryDirectory(prefix="grader-bundle-") as scratch:
            shipped = copy_course(course, Path(scratch), assignments, hidden=True, language=language)
            certificates.carry(checked, courses.load(shipped))
            for name, path in _package_files(shipped):
                _add(archive, f"courses/{name}", path.read_bytes())
    return write_atomically(out, buffer.getvalue())
