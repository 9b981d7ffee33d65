"""Loading the submission's modules into the code runner, and what running them showed (notes, where classes are).

:class:`ModuleLoading` is the part of :class:`~grader.sandbox.client.BaseRunner`
that imports a student module once per code runner (its failure is final for
that module), gives the import a time budget of its own, keeps the notes the
child sent about running the files (``notes.py``) and where each graded name
was really taken from.
"""
from __future__ import annotations

import re
import time

from grader.lang import _
from grader.lang.sanitize import clean
from grader.sandbox.child.cells import CELL_SECONDS, TRAILING_SECONDS
from grader.sandbox.errors import MissingCode, NotReached, StudentCodeError, StudentException
from grader.sandbox.notes import not_reached_text
from grader.sandbox.replies import student_exception
from grader.sandbox.sources import load_modules
from grader.submission.source import ModuleSource


class ModuleLoading:
    """Importing student modules; the runner's state it uses is set up by ``BaseRunner``."""

    def _module_for(self, assignment: str, name: str) -> str:
        where = self.classes.get(name)
        return getattr(where, "module", None) or assignment

    def _locate(self, class_name: str, source: ModuleSource) -> None:
        found = self._last_reply.get("found") if isinstance(self._last_reply, dict) else None
        place = {"file": source.filename}
        if isinstance(found, dict) and type(found.get("file")) is str:
            place = {"file": clean(found["file"][:300])}
            for key in ("cell", "count"):
                if type(found.get(key)) is int:
                    place[key] = found[key]
        self.located[class_name] = place

    def _not_reached(self, name: str, error: dict, output: str) -> NotReached:
        """The error of a graded name defined below where its file or cell stopped; where it is becomes its place."""
        place = {"file": error["file"], "line": error["line"]}
        place.update({key: error[key] for key in ("cell", "count") if error[key] is not None})
        self.located[name] = place
        return NotReached(not_reached_text(name, error), place, error["stopped"]["line"], output)

    def _cell_notes(self, source: ModuleSource) -> str:
        """The notes about a notebook's cells that may explain a missing class."""
        mine = [note for file, note in self._notes_by_file if file == source.filename]
        return "".join(f"\n  {note}" for note in mine[:5])

    def _load(self, name: str) -> ModuleSource:
        """Import a student module in the current runner, once; import failures are final."""
        if name in self._failed_imports:
            raise self._failed_imports[name].with_traceback(None)
        source = self.sources.get(name)
        if source is None:
            raise MissingCode(_("no {name}.py or {name}.ipynb in the submission").format(name=name))
        if name in self._loaded_modules():
            return source
        if source.problem is not None or source.text is None:
            problem = _(source.problem) if source.problem else _("{file} could not be read").format(file=source.filename)
            error = StudentException(problem, "UnreadableFile")
            error.during_import = True
            self._failed_imports[name] = error
            raise error
        modules, buffers = [], []
        if _SOURCES_SENT not in self._loaded_modules():  # a process keeps the files it was sent once
            modules = load_modules(self.sources.values(), buffers)
        request = {"op": "load", "name": name, "modules": modules, "graded": sorted(self.classes),
                   "cell_seconds": self.timeout}
        what = _("importing {file}").format(file=source.filename)
        started = time.monotonic()
        try:
            # An import gets its own time budget: it is not the fault of the test that triggers it,
            # so the test's clock does not count it either (the whole submission's budget still does).
            deadline = time.monotonic() + self._load_seconds()
            if self._until is not None:
                deadline = min(deadline, self._until)
            ok, result, output = self._request(request, buffers, deadline, what)
            self._loaded_modules().add(_SOURCES_SENT)
            if self._deadline is not None:
                self._deadline += time.monotonic() - started
                if self._until is not None:
                    self._deadline = min(self._deadline, self._until)
            self._take_notes()
            if not ok:
                raise student_exception(result, what, output)
        except StudentCodeError as exc:
            exc.during_import = True
            self._failed_imports[name] = exc
            raise
        self._loaded_modules().add(name)
        return source

    def _load_seconds(self) -> float:
        """The time an import may take: a notebook's cells that define nothing graded have bounds of their own."""
        cells = sum(len(s.cells) for s in self.sources.values())
        graded = sum(1 for s in self.sources.values() for c in s.cells if _GRADED_CLASS.search(c.source))
        for source in self.sources.values():
            if source.marimo and source.text:  # a marimo notebook's cells, as the child will split them
                cells += len(_MARIMO_CELL.findall(source.text))
                graded += len(_MARIMO_CLASS.findall(source.text))
        if not cells:
            return self.timeout
        return self.timeout * max(graded, 1) + CELL_SECONDS * cells + TRAILING_SECONDS

    def _take_notes(self) -> None:
        """Keep the notes of the last reply (running a file, creating an object), worded, each once."""
        for file, shown in self._last_notes:
            if shown not in self.notes:
                self.notes.append(shown)
                self._notes_by_file.append((file, shown))


_GRADED_CLASS = re.compile(r"^class\s", re.MULTILINE)
_MARIMO_CELL = re.compile(r"^(?:@\w+\.(?:cell|class_definition|function)\b|with\s+\w+\.setup\b)", re.MULTILINE)
_MARIMO_CLASS = re.compile(r"^(?: {4}|\t)?class\s", re.MULTILINE)
_SOURCES_SENT = "\0sources"  # in a process's set of loaded modules once it holds every file of the submission

