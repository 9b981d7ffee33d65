"""Finding a submission's modules and reading their source (never running it)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .runner import ModuleSource
from . import course as courses

EXTENSIONS = (".py", ".ipynb")
SAME_TIME_SECONDS = 2.0  # files written together (a checkout, an unzip) count as saved at once


class SubmissionError(ValueError):
    """The path cannot be graded at all (a usage error, not a broken submission)."""


@dataclass
class Submission:
    path: Path
    sources: dict[str, ModuleSource] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def graded_files(self) -> dict[str, str]:
        return {name: src.filename for name, src in self.sources.items()}


def read_module(name: str, path: Path) -> ModuleSource:
    """Read one module's source; problems become ``ModuleSource.problem``, not exceptions."""
    raw = path.read_bytes()
    if path.suffix == ".ipynb":
        from .notebook import notebook_to_source

        try:
            text, notes = notebook_to_source(raw, path.name)
        except ValueError as error:
            return ModuleSource(name, path.name, problem=str(error))
        return ModuleSource(name, path.name, text=text, notes=tuple(notes))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return ModuleSource(
            name,
            path.name,
            problem=(
                f"{path.name} is not UTF-8 text (byte 0x{raw[error.start]:02x} on line {line}). "
                "Save the file with UTF-8 encoding and grade again."
            ),
        )
    notes = (f"{path.name} is empty.",) if not text.strip() else ()
    return ModuleSource(name, path.name, text=text, notes=notes)


def _todo_count(source: ModuleSource) -> int:
    return (source.text or "").count("raise NotImplementedError")


def _choose(name: str, candidates: list[Path]) -> tuple[ModuleSource, str | None]:
    """Pick between gates.py and gates.ipynb when both exist.

    The one with fewer unfinished TODOs wins (an autosaved, untouched notebook
    must not hide finished work in the .py file); then the one saved last;
    then the .py file.
    """
    sources = [read_module(name, path) for path in candidates]
    if len(sources) == 1:
        return sources[0], None
    (py, py_path), (nb, nb_path) = zip(sources, candidates)
    if _todo_count(py) != _todo_count(nb):
        chosen = min((py, nb), key=_todo_count)
        reason = "it has fewer unfinished TODOs"
    elif abs(nb_path.stat().st_mtime - py_path.stat().st_mtime) <= SAME_TIME_SECONDS:
        chosen, reason = py, "both were saved at the same time, and then the .py file counts"
    elif nb_path.stat().st_mtime > py_path.stat().st_mtime:
        chosen, reason = nb, "it was saved more recently"
    else:
        chosen, reason = py, "it was saved more recently"
    other = nb if chosen is py else py
    return chosen, f"{name}: graded {chosen.filename} and ignored {other.filename} because {reason}."


def _folder_with_modules(folder: Path) -> Path:
    """The folder itself, or its single sub-folder when that is where the modules are (unzipped archives)."""
    def has_modules(d: Path) -> bool:
        return any((d / f"{a}{ext}").is_file() for a in courses.current().names for ext in EXTENSIONS)

    if has_modules(folder):
        return folder
    subfolders = [d for d in folder.iterdir() if d.is_dir() and not d.name.startswith((".", "__"))]
    if len(subfolders) == 1 and has_modules(subfolders[0]):
        return subfolders[0]
    return folder


def load_submission(path: Path | str, assignments=None) -> Submission:
    """Find the modules of ``path``: a folder holding any of them, or one module file."""
    path = Path(path)
    every = courses.current().names
    assignments = every if assignments is None else assignments
    if not path.exists():
        raise SubmissionError(f"{path} does not exist")
    submission = Submission(path)
    if path.is_file():
        if path.suffix not in EXTENSIONS or path.stem not in every:
            names = ", ".join(f"{a}.py" for a in every)
            raise SubmissionError(f"{path.name} is not an assignment module; expected one of {names} (or .ipynb)")
        if path.stem in assignments:
            submission.sources[path.stem] = read_module(path.stem, path)
    else:
        folder = _folder_with_modules(path)
        if folder != path:
            submission.notes.append(f"graded the modules found in {folder.relative_to(path)}/")
        for name in assignments:
            candidates = [folder / f"{name}{ext}" for ext in EXTENSIONS if (folder / f"{name}{ext}").is_file()]
            if not candidates:
                continue
            submission.sources[name], note = _choose(name, candidates)
            if note:
                submission.notes.append(note)
    if not submission.sources:
        wanted = ", ".join(f"{a}.py" for a in assignments)
        submission.notes.append(f"found none of {wanted} (or .ipynb) in {path}")
    for source in submission.sources.values():
        submission.notes.extend(source.notes)
    return submission
