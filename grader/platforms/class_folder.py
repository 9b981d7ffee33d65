"""The output folder of ``grader batch``: where each file goes, and how every one gets written.

    gradebook.csv          one row per student, with the paths of their reports
    class-report.html      what the class did not understand; names link to the students' reports
    class-report.csv       the same figures as a table
    students/NAME.json     each student's JSON report
    students/NAME.html     and HTML report

The grader's own files are at the top, the students' in ``students/``, so no
student name can take the place of a grader's file. NAME comes from the
student's name (:func:`student_stems`): no two students' names collide, also
where file names are compared without case or Unicode normalisation
(Windows, macOS), and no name is special anywhere.

A full disk costs no one their report. Student code runs with a scratch
folder that, without kernel namespaces (Docker), is on the same disk as the
output folder, and may fill it while a classmate is graded beside it. So:

- before a student is graded, the space of their reports is reserved
  (:class:`Space`: a temporary file beside the report, allocated with
  ``posix_fallocate``); the report is written into it and renamed, so a
  classmate who fills the disk meanwhile cannot take it;
- a report that still finds no space (its reservation failed because the
  disk was already full, or it is larger than reserved) waits: the batch
  writes it once every worker has stopped, when no student code holds any
  scratch folder (:meth:`ClassFolder.write_waiting`);
- the gradebook and class reports have space reserved when the batch
  starts, and are written last.
"""
from __future__ import annotations

import errno
import glob
import hashlib
import os
import re
import tempfile
import unicodedata
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

from grader.lang import _
from grader.reports import encoded, write_atomically
from grader.lang.sanitize import shown
from grader.platforms.gradebook import gradebook_lines

STUDENTS = "students"
GRADEBOOK = "gradebook.csv"
CLASS_REPORT_HTML = "class-report.html"
CLASS_REPORT_CSV = "class-report.csv"
NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
# bytes reserved for each report: above the largest reports of a class of 30 (66 kB of JSON, 373 kB of HTML)
STUDENT_SPACE = {"json": 1 << 20, "html": 2 << 20}
CLASS_SPACE = (64 << 10, 4 << 10)  # for each grader's file: a base, and as much again per student

MAX_STEM_BYTES = 100  # a stem, a digest and the temporary file's affixes stay far below 255 bytes
_NOT_IN_FILE_NAMES = set('/\\:*?"<>|')  # separators, and what Windows refuses
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                    *(f"{port}{n}" for port in ("COM", "LPT") for n in "0123456789\u00b9\u00b2\u00b3")}


def _comparable(name: str) -> str:
    """What two file names share when some file system would take them for one."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def _file_character(character: str) -> str:
    if character in _NOT_IN_FILE_NAMES or (character.isspace() and character != " ") or not shown(character):
        return "_"
    return character


def safe_stem(name: str) -> str:
    """A file name stem that shows ``name`` and is an ordinary file name everywhere."""
    name = re.sub("[\ud800-\udfff]", "_", name)
    stem = "".join(map(_file_character, unicodedata.normalize("NFC", name)))
    stem = stem.encode("utf-8")[:MAX_STEM_BYTES].decode("utf-8", "ignore")
    stem = re.sub(r"^[. ]", "_", re.sub(r"[. ]$", "_", stem))  # not hidden, ".", "..", nor trimmed by Windows
    if stem.split(".")[0].strip().upper() in _WINDOWS_DEVICES:
        stem = "_" + stem
    return stem or "_"


def _digest(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def student_stems(names) -> dict[str, str]:
    """Each name's file stem (:func:`safe_stem`), no two alike once case and Unicode forms are ignored.

    Names whose stems would be alike get a digest of the name itself
    (``alice-2bd806c9``); a name that still meets a stem taken before it (in
    sorted order) gets a number too.
    """
    stems = {name: safe_stem(name) for name in names}
    alike = defaultdict(list)
    for name, stem in stems.items():
        alike[_comparable(stem)].append(name)
    for group in (g for g in alike.values() if len(g) > 1):
        for name in group:
            stems[name] = f"{stems[name]}-{_digest(name)}"
    taken, chosen = set(), {}
    for name in sorted(stems):
        stem, number = stems[name], 1
        while _comparable(stem) in taken:
            number += 1
            stem = f"{stems[name]}-{number}"
        taken.add(_comparable(stem))
        chosen[name] = stem
    return chosen


class Space:
    """Disk space held for one file: a temporary file beside it, allocated now, filled and renamed later."""

    def __init__(self, path: Path, size: int):
        self.path = path
        self.fd, self.temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            os.posix_fallocate(self.fd, 0, size)
        except OSError as error:
            if error.errno in NO_SPACE:
                self.release()
                raise
            # a file system that cannot allocate ahead: the file is written as any other

    def fill(self, pieces) -> Path:
        """Write ``pieces`` (byte strings, as they come) over the reserved space, cut the file to their length
        and put it in place."""
        try:
            os.lseek(self.fd, 0, os.SEEK_SET)
            length = 0
            for piece in pieces:
                rest = memoryview(piece)
                length += rest.nbytes
                while rest:
                    rest = rest[os.write(self.fd, rest):]
            os.ftruncate(self.fd, length)
            os.close(self.fd)
            self.fd = None
            os.replace(self.temporary, self.path)
            self.temporary = None
        finally:
            self.release()
        return self.path

    def release(self) -> None:
        """Give the space back unused (nothing happens once it is filled)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.temporary is not None:
            Path(self.temporary).unlink(missing_ok=True)
            self.temporary = None


def reserve(path: Path, size: int) -> Space | None:
    """:class:`Space` for ``path``, or None when there is none to be had (a full disk, a folder not writable:
    the write itself then fails or waits, see :meth:`ClassFolder.write_student`)."""
    try:
        return Space(path, size)
    except OSError:
        return None


def write(path: Path, content, space: Space | None = None, encoding: str = "utf-8") -> Path:
    """Write ``content`` (text, bytes or text in pieces: :func:`~grader.reports.encoded`) to ``path`` through a
    temporary file: into ``space`` when there is one."""
    if space is None:
        return write_atomically(path, content, encoding)
    return space.fill(_joined(encoded(content, encoding)))


def _joined(pieces, size: int = 1 << 16):
    """Byte strings of about ``size`` bytes from many small ones: a write per piece of a template is too many."""
    batch, length = [], 0
    for piece in pieces:
        batch.append(piece)
        length += len(piece)
        if length >= size:
            yield b"".join(batch)
            batch, length = [], 0
    yield b"".join(batch)


def no_space(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in NO_SPACE


def note(report: dict, message: str) -> None:
    """Add ``message`` to the report's status message, for the gradebook's message column."""
    report["status_message"] = "; ".join(m for m in (report.get("status_message"), message) if m)


class ClassFolder:
    """The batch's output folder for one class: paths, links, reserved space and the writing of each file."""

    def __init__(self, out: Path, names):
        self.out = Path(out)
        self.stems = student_stems(names)
        self._class_space: dict[str, Space | None] = {}

    def paths(self, name: str) -> dict[str, Path]:
        """``{"json": ..., "html": ...}``: where the student's reports go."""
        return {kind: self.out / STUDENTS / f"{self.stems[name]}.{kind}" for kind in ("json", "html")}

    def links(self, name: str) -> dict[str, str]:
        """The student's reports as paths relative to the folder, for the gradebook and the class report."""
        return {kind: path.relative_to(self.out).as_posix() for kind, path in self.paths(name).items()}

    def with_links(self, name: str, report: dict) -> dict:
        """A copy of ``report`` that knows where its files are (``json_report``, ``html_report``, ``link``)."""
        links = self.links(name)
        return {**report, "json_report": links["json"], "html_report": links.get("html", ""),
                "link": quote(links.get("html", links["json"]))}

    def prepare(self, students: int, class_files: bool = True) -> None:
        """Make the folders, remove what a batch stopped outright left of the space it had reserved for the
        gradebook and the class reports, and reserve it again (for ``students`` rows) unless ``class_files`` is
        false (a shard writes none).

        The folders it makes are the owner's alone (0700): classmates' reports
        hold the expected arrays of the same seed.
        """
        for folder in (self.out, self.out / STUDENTS):
            try:
                folder.mkdir(mode=0o700, parents=True)
            except FileExistsError:
                continue
            folder.chmod(0o700)  # whatever the umask
        names = (GRADEBOOK, CLASS_REPORT_CSV, CLASS_REPORT_HTML)
        _remove_leftovers(self.out, [self.out / name for name in names])
        base, each = CLASS_SPACE
        for name in names if class_files else ():
            self._class_space[name] = reserve(self.out / name, base + each * students)

    def write_class_file(self, name: str, content, encoding: str = "utf-8") -> Path:
        """Write one of the grader's files (text, bytes or text in pieces) into the space reserved for it (or as
        any file, without)."""
        return write(self.out / name, content, self._class_space.pop(name, None), encoding)

    def finish(self, results, assignments, csv_encoding: str = "utf-8-sig") -> None:
        """Once no student code runs: the gradebook and the class report, written whatever happened before.

        ``results`` yields ``(name, report, counted)`` in the order of the names, one at a time, and each file
        is written as it is made: a class of any size is never held in memory at once, only the class
        report's figures. The gradebook has a column per one of ``assignments``; the class report counts the
        students ``counted``.
        """
        import grader.reports.classroom as classroom

        tally = classroom.Tally()

        def linked():
            for name, report, counted in results:
                report = self.with_links(name, report)
                if counted:
                    tally.add(report)
                yield report

        try:
            self.write_class_file(GRADEBOOK, gradebook_lines(linked(), assignments), csv_encoding)
            data = tally.figures()
            self.write_class_file(CLASS_REPORT_CSV, classroom.csv_pieces(data))
            self.write_class_file(CLASS_REPORT_HTML, classroom.html_pieces(data))
        finally:
            self.release()

    def release(self) -> None:
        """Give back whatever reserved space of the grader's files was not used."""
        for space in self._class_space.values():
            if space is not None:
                space.release()
        self._class_space.clear()

    def reserve_student(self, name: str) -> dict[str, Space | None]:
        """Space for the student's reports, reserved before they are graded (None where the disk is full)."""
        return {kind: reserve(path, STUDENT_SPACE[kind]) for kind, path in self.paths(name).items()}

    def render(self, report: dict) -> dict:
        """The student's reports as text; a failed HTML rendering as its exception (noted when written)."""
        from grader.reports import render
        from grader.reports.classroom import student_html

        rendered = {"json": render(report, "json")}
        try:
            rendered["html"] = student_html(report)
        except Exception as error:
            rendered["html"] = error
        return rendered

    def write_student(self, name: str, report: dict, rendered: dict, spaces: dict | None = None) -> tuple:
        """Write the rendered reports; return the kinds that found no disk space (to write again later) and
        the kinds written.

        Any other failure is noted in the report's status message, for the gradebook.
        """
        waiting, written, spaces, paths = [], [], dict(spaces or {}), self.paths(name)
        for kind, content in rendered.items():
            space = spaces.pop(kind, None)
            try:
                if isinstance(content, Exception):
                    raise content
                write(paths[kind], content, space)
                written.append(kind)
            except Exception as error:
                if no_space(error):
                    waiting.append(kind)
                else:
                    note(report, _failure_note(kind, error))
            finally:
                if space is not None:
                    space.release()
        for space in filter(None, spaces.values()):
            space.release()
        return tuple(waiting), tuple(written)

    def write_waiting(self, name: str, report: dict, kinds) -> tuple:
        """Write the reports that found no space while students were graded, now that none is; return the kinds
        written (a kind that still finds no space is noted in the report)."""
        rendered = self.render(report)
        still, written = self.write_student(name, report, {k: rendered[k] for k in kinds})
        for kind in still:
            note(report, _failure_note(kind, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))))
        return written

    def forget(self, name: str) -> None:
        """Remove what a worker that died left of the space reserved for the student's reports."""
        for path in self.paths(name).values():
            for leftover in path.parent.glob(f".{glob.escape(path.name)}.*"):
                leftover.unlink(missing_ok=True)

    def clear_leftovers(self, names) -> None:
        """Remove what a batch stopped outright (the machine lost, SIGKILL) left of the space reserved for these
        students' reports: one look at the folder, however large the class."""
        _remove_leftovers(self.out / STUDENTS, [path for name in names for path in self.paths(name).values()])


def _remove_leftovers(folder: Path, paths) -> None:
    """Remove the reserved space (``.<name>.<random>``) left in ``folder`` for any of ``paths``."""
    prefixes = tuple(f".{path.name}." for path in paths)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if prefixes and entry.name.startswith(prefixes):
            Path(entry.path).unlink(missing_ok=True)


def _failure_note(kind: str, error: Exception) -> str:
    reason = error.strerror if isinstance(error, OSError) and error.strerror else f"{type(error).__name__}: {error}"
    if kind == "json":
        return _("its JSON report could not be written ({error})").format(error=reason)
    return _("its HTML report could not be written ({error})").format(error=reason)
