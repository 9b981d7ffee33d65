"""Reading a submission: its files, their encodings, notebooks, and where each graded name lives.

May import: grader.lang.

Finding a submission's files and where each graded class lives (reading them, never running them).

A submission is a folder or a single file of any name. Every ``.py`` and
``.ipynb`` file of a folder (and ``.py.txt``, as some browsers save them) is
read, without following links and within size bounds (``textfile.py``),
and shipped to the child, where the files import each other as on the
student's machine. Which file each graded class is taken from is decided by
``discovery.py``; every choice that is not obvious is a note.

A single file is a whole submission: it is graded for every class it
defines (a chapter notebook, one ``layers.py`` holding every class), and the
files next to it that it imports (``from layer_naive import *``, a sibling
notebook) are shipped with it.
"""
from __future__ import annotations

import keyword
import os
import re
import stat
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader.submission.discovery import (Definition, SameTime, choose_between, class_definitions, near_miss_rank,
                                        same_time_note)
from grader.submission.marimo import is_marimo
from grader.lang import _
from grader.submission.source import ModuleSource
from grader.submission.files import UnreadableFile, decode_source, read_bytes

EXTENSIONS = (".py", ".ipynb")
SAME_TIME_SECONDS = 2.0  # files written together (a checkout, an unzip) count as saved at once
MAX_FILES = 300
MAX_DEPTH = 3
# All the code the child is sent, every file together (a notebook's code cells, not its outputs): eight .py
# files at their own limit, or a notebook with megabytes of pasted data. It bounds what the judge and the
# child hold, and keeps a load request well inside the wire's MAX_TOTAL_BYTES (tests/test_sizes.py).
MAX_CODE_BYTES = 16 << 20
FILES_NAMED = 3  # the biggest files the message over MAX_CODE_BYTES names
_SKIPPED_FOLDERS = {"common", "dataset", "venv", "env", "site-packages", "node_modules", "solutions"}
_IMPORTED = re.compile(r"^[ \t]*(?:from[ \t]+(\w+)|import[ \t]+([\w \t,]+))", re.MULTILINE)


class SubmissionError(ValueError):
    """The path cannot be graded at all (a usage error, not a broken submission)."""


@dataclass(frozen=True)
class ClassSource:
    """Where one graded class is taken from."""

    module: str  # the module name in the child
    filename: str  # as the student knows it, relative to the submission
    cell: int | None = None  # the code cell defining it, as read from the text
    reason: str = ""  # why this file, when there was a choice


@dataclass
class Submission:
    path: Path
    sources: dict[str, ModuleSource] = field(default_factory=dict)  # assignment -> its module file
    files: dict[str, ModuleSource] = field(default_factory=dict)  # module name -> every file shipped
    classes: dict[str, ClassSource] = field(default_factory=dict)  # graded name -> where it is taken from
    notes: list[str] = field(default_factory=list)
    assignments: tuple[str, ...] = ()  # what a single file is graded for
    layout: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the course's assignments -> graded names

    @property
    def graded_files(self) -> dict[str, str]:
        return {name: src.filename for name, src in self.sources.items()}


@dataclass
class _File:
    path: Path
    shown: str  # relative to the submission, with / separators
    depth: int
    source: ModuleSource | None = None
    definitions: dict[str, Definition] = field(default_factory=dict)


def read_module(name: str, path: Path, shown: str | None = None) -> ModuleSource:
    """Read one file; problems become ``ModuleSource.problem``, never exceptions."""
    from grader.submission.notebook import cells_text, read_notebook

    shown = shown or path.name
    try:
        raw = read_bytes(path)
        if _kind(path.name) == ".ipynb":
            cells, notes = read_notebook(raw, shown)
            return ModuleSource(name, shown, text=cells_text(cells), notes=notes, cells=cells)
        text, notes = decode_source(raw, shown)
    except ValueError as error:  # UnreadableFile, or a notebook the grader cannot read
        return ModuleSource(name, shown, problem=str(error))
    if not text.strip():
        notes = (*notes, _("{file} is empty.").format(file=shown))
    return ModuleSource(name, shown, text=text, notes=tuple(notes), marimo=is_marimo(text))


def _kind(filename: str) -> str | None:
    name = filename[:-4] if filename.lower().endswith(".txt") else filename
    for ext in EXTENSIONS:
        if name.endswith(ext) or name.lower().endswith(ext):
            return ext
    return None


def _list_files(folder: Path) -> list[_File]:
    """Candidate files under ``folder``, breadth first, never following links to folders."""
    found, queue = [], [(folder, 0)]
    while queue and len(found) < MAX_FILES:
        current, depth = queue.pop(0)
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if depth + 1 < MAX_DEPTH and not entry.name.startswith((".", "__")) \
                        and entry.name not in _SKIPPED_FOLDERS:
                    queue.append((Path(entry.path), depth + 1))
            elif _kind(entry.name) and not entry.name.startswith("."):
                path = Path(entry.path)
                found.append(_File(path, path.relative_to(folder).as_posix(), depth))
    return found[:MAX_FILES]


def _module_name(file: _File, taken: set[str]) -> str:
    stem = file.path.name
    stem = stem[:-4] if stem.lower().endswith(".txt") else stem
    stem = stem.rsplit(".", 1)[0]
    usable = stem.isidentifier() and not keyword.iskeyword(stem) and stem not in taken \
        and stem not in sys.stdlib_module_names and stem.split(".")[0] not in ("numpy", "scipy", "common", "grader")
    if usable:
        return stem
    number = 1
    while f"_student_file_{number}" in taken:
        number += 1
    return f"_student_file_{number}"


def _todo_count(source: ModuleSource) -> int:
    return (source.text or "").count("raise NotImplementedError")


def _mtime(path: Path) -> float:
    try:
        return path.lstat().st_mtime
    except OSError:
        return 0.0


def _choose_exact(name: str, files: list[_File]) -> tuple[_File, "str | SameTime | None"]:
    """Pick between gates.py and gates.ipynb when both exist.

    The one with fewer unfinished TODOs wins (an autosaved, untouched notebook
    must not hide finished work in the .py file); then the one saved last;
    then the .py file.
    """
    if len(files) == 1:
        return files[0], None
    py = next(f for f in files if f.path.suffix == ".py")
    nb = next(f for f in files if f.path.suffix == ".ipynb")
    if _todo_count(py.source) != _todo_count(nb.source):
        chosen = min((py, nb), key=lambda f: _todo_count(f.source))
        reason = _("it has fewer unfinished TODOs")
    elif abs(_mtime(nb.path) - _mtime(py.path)) <= SAME_TIME_SECONDS:
        return py, SameTime(name, py.shown, nb.shown)  # told once for all assignments: a fresh copy has them all
    elif _mtime(nb.path) > _mtime(py.path):
        chosen, reason = nb, _("it was saved more recently")
    else:
        chosen, reason = py, _("it was saved more recently")
    other = nb if chosen is py else py
    return chosen, _("{name}: graded {chosen} and ignored {other} because {reason}.").format(
        name=name, chosen=chosen.shown, other=other.shown, reason=reason)


def _module_file(assignment: str, files: list[_File], notes: list[str]) -> _File | None:
    """The assignment's own module file: the exact name, or a single near-miss (with a note)."""
    ranked = []
    for file in files:
        rank = near_miss_rank(file.path.name, assignment)
        if rank is not None:
            ranked.append(((rank, file.depth), file))
    if not ranked:
        return None
    best = min(key for key, _ in ranked)
    group = [f for key, f in ranked if key == best]
    if best == (0, group[0].depth) and len(group) <= 2 and len({f.path.suffix for f in group}) == len(group) \
            and len({f.path.parent for f in group}) == 1:
        chosen, note = _choose_exact(assignment, group)
        if note:
            notes.append(note)
        if chosen.depth:
            notes.append(_("{name}: graded {file}, found in a sub-folder.").format(name=assignment, file=chosen.shown))
        return chosen
    if len(group) == 1:
        chosen = group[0]
        why = {0: _("it is in a sub-folder"), 1: _("its name is a copy or a different spelling of it"),
               2: _("its name contains it")}[best[0]]
        if best[0] == 0 and chosen.depth == 0:
            return chosen
        notes.append(_("{name}: no {name}.py or {name}.ipynb here; graded {file} because {reason}. "
                       "Rename it to {name}.py (or .ipynb) to be sure.").format(
            name=assignment, file=chosen.shown, reason=why))
        return chosen
    names = ", ".join(f.shown for f in group)
    notes.append(_("{name}: no {name}.py or {name}.ipynb here, and several files could be it ({files}); "
                   "each graded class is taken from the file that defines it. "
                   "Rename the one to grade to {name}.py (or .ipynb).").format(name=assignment, files=names))
    return None


def _name_all(files: list[_File], submission: Submission, module_files: dict[str, _File]) -> None:
    """Give every file its module name in the child: the assignment's for its module file, else its stem."""
    taken: set[str] = set(submission.layout)
    by_file = {id(f): a for a, f in module_files.items()}
    for file in files:
        assignment = by_file.get(id(file))
        name = assignment if assignment else _module_name(file, taken)
        taken.add(name)
        file.source = replace(file.source, name=name)
        submission.files[name] = file.source
        if assignment:
            submission.sources[assignment] = file.source


def _plan(assignment: str, files: list[_File], module_file: _File | None, submission: Submission,
          whole_file: _File | None) -> None:
    for graded in submission.layout[assignment]:
        if whole_file is not None:  # a single file: everything comes from it
            definition = whole_file.definitions.get(graded)
            submission.classes[graded] = ClassSource(whole_file.source.name, whole_file.shown,
                                                     definition.cell if definition else None)
            continue
        defining = [f for f in files if graded in f.definitions]
        own = module_file is not None and graded in module_file.definitions \
            and not (module_file.definitions[graded].unfinished and any(
                not f.definitions[graded].unfinished for f in defining if f is not module_file))
        if own:
            chosen, reason = module_file, ""
        elif defining:
            unfinished = {f.path: f.definitions[graded].unfinished for f in defining}
            path, reason = choose_between([f.path for f in defining], graded, unfinished)
            chosen = next(f for f in defining if f.path == path)
            if len(defining) > 1:
                others = ", ".join(f.shown for f in defining if f is not chosen)
                submission.notes.append(_("{name}: defined in {file} and in {others}; graded {file} "
                                          "because {reason}.").format(name=graded, file=chosen.shown,
                                                                      others=others, reason=_(reason)))
        elif module_file is not None:
            chosen, reason = module_file, ""
        else:
            continue
        definition = chosen.definitions.get(graded)
        submission.classes[graded] = ClassSource(chosen.source.name, chosen.shown,
                                                 definition.cell if definition else None, reason)


def _siblings_imported(single: _File) -> list[_File]:
    """The files next to a single submitted file that it imports, transitively."""
    folder = single.path.parent
    by_stem: dict[str, Path] = {}
    try:
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            kind = _kind(entry.name)
            if kind and entry.path != str(single.path) and not entry.name.lower().endswith(".txt"):
                by_stem.setdefault(entry.name.rsplit(".", 1)[0], Path(entry.path))
    except OSError:
        return []
    wanted, found, texts = set(), [], [single.source.text or ""]
    while texts and len(found) < 50:
        for source, modules in _IMPORTED.findall(texts.pop()):
            for name in [source] if source else [m.strip().split()[0] for m in modules.split(",") if m.strip()]:
                if name in by_stem and name not in wanted:
                    wanted.add(name)
                    sibling = _File(by_stem[name], by_stem[name].name, 0)
                    sibling.source = read_module(name, sibling.path)
                    texts.append(sibling.source.text or "")
                    found.append(sibling)
    return found


def load_submission(path: Path | str, layout: dict[str, tuple[str, ...]], assignments=None) -> Submission:
    """Read the submission at ``path`` (a folder, or one file of any name) and plan where each class comes from.

    ``layout`` is the course's: every assignment, in course order, with the names it grades
    (``{"gates": ("MulLayer", "AddLayer"), ...}``); ``assignments`` narrows what is graded.
    """
    path = Path(path)
    assignments = tuple(layout) if assignments is None else tuple(assignments)
    try:
        info = os.lstat(path)
    except OSError:
        raise SubmissionError(_("{path} does not exist").format(path=path)) from None
    submission = Submission(path, layout=dict(layout))
    if stat.S_ISDIR(info.st_mode) or (stat.S_ISLNK(info.st_mode) and path.is_dir()):
        _load_folder(path, assignments, submission)
    else:
        _load_file(path, assignments, submission)
    _bound_code(submission)
    for source in submission.files.values():
        submission.notes.extend(n for n in source.notes if n not in submission.notes)
    return submission


def code_bytes(source: ModuleSource) -> int:
    """How many bytes of code the child is sent for ``source``: a notebook's code cells, a file's text (UTF-8)."""
    texts = [c.source for c in source.cells] if source.cells else [source.text or ""]
    return sum(len(text.encode("utf-8", "surrogatepass")) for text in texts)


def _bound_code(submission: Submission) -> None:
    """Refuse every file of a submission whose code adds up to more than ``MAX_CODE_BYTES``, saying which are big."""
    sizes = {name: code_bytes(source) for name, source in submission.files.items() if source.problem is None}
    total = sum(sizes.values())
    if total <= MAX_CODE_BYTES:
        return
    biggest = sorted(sizes, key=lambda name: -sizes[name])[:FILES_NAMED]
    files = ", ".join(f"{submission.files[name].filename} ({_megabytes(sizes[name])} MB)" for name in biggest)
    for name, source in submission.files.items():
        if source.problem is None:
            problem = _("{file} was not run: the code of the whole submission adds up to {total} MB, more than the "
                        "{limit} MB the grader runs (notebook outputs do not count). The biggest files: {files}. "
                        "Take pasted data out of the files you submit (the grader needs only your classes and "
                        "functions), or leave out the files it does not need.").format(
                file=source.filename, total=_megabytes(total), limit=MAX_CODE_BYTES >> 20, files=files)
            submission.files[name] = replace(source, text=None, cells=(), problem=problem)
    submission.sources = {assignment: submission.files[source.name]
                          for assignment, source in submission.sources.items()}


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f}"


def _load_file(path: Path, assignments, submission: Submission) -> None:
    if not _kind(path.name):
        raise SubmissionError(_("{file} is not a Python file or notebook; give a .py or .ipynb file, "
                                "or the folder holding your work").format(file=path.name))
    layout = submission.layout
    own = next((a for a in layout if near_miss_rank(path.name, a) == 0), None)
    single = _File(path, path.name, 0)
    single.source = read_module(own or _module_name(single, set(layout)), path)
    single.definitions = class_definitions(single.source.text or "", single.source.cells)
    submission.files[single.source.name] = single.source
    imported: set[str] = set()
    for sibling in _siblings_imported(single):
        if sibling.source.name not in submission.files:
            submission.files[sibling.source.name] = sibling.source
            imported.update(class_definitions(sibling.source.text or "", sibling.source.cells))
    defined = [a for a in layout if any(c in single.definitions or c in imported for c in layout[a])]
    chosen = tuple(a for a in assignments if a in defined or a == own)
    submission.assignments = chosen or tuple(assignments)
    for assignment in submission.assignments:
        if assignment == own or assignment in defined:
            submission.sources[assignment] = single.source
            _plan(assignment, [single], single, submission, single)
    if not chosen:
        names = ", ".join(c for a in assignments for c in layout[a])
        submission.notes.append(_("{file} defines none of the graded classes ({names}).").format(
            file=path.name, names=names))


def _load_folder(path: Path, assignments, submission: Submission) -> None:
    files = _list_files(path)
    for file in files:
        file.source = read_module("", file.path, file.shown)
        file.definitions = class_definitions(file.source.text or "", file.source.cells)
    module_files, same_time = {}, []
    for assignment in submission.layout:
        notes: list[str] = []
        chosen = _module_file(assignment, files, notes)
        if assignment in assignments:
            same_time += [note for note in notes if isinstance(note, SameTime)]
            submission.notes.extend(note for note in notes if not isinstance(note, SameTime))
        if chosen is not None:
            module_files[assignment] = chosen
    if same_time:
        submission.notes.append(same_time_note(same_time))
    _name_all(files, submission, module_files)
    for assignment in assignments:
        _plan(assignment, files, module_files.get(assignment), submission, None)
    if not any(name in submission.classes for a in assignments for name in submission.layout[a]):
        wanted = ", ".join(f"{a}.py" for a in assignments)
        submission.notes.append(_("found none of {wanted} (or .ipynb) in {path}, and no file defines a graded "
                                  "class").format(wanted=wanted, path=path))
