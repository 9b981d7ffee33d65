"""Who is in a class: one student per sub-folder or ``.zip`` file of the submissions folder."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Student:
    name: str
    where: str  # the path of a folder or a .zip file: a string, as a class of 10,000 holds 10,000 of them

    @property
    def path(self) -> Path:
        return Path(self.where)


def find_students(folder: Path, exclude: Path | None = None) -> list[Student]:
    """One student per sub-folder or ``.zip`` of ``folder``, sorted by name (as paths sort: ignoring case on
    Windows)."""
    students, taken = [], set()
    excluded = _stat_or_none(exclude) if exclude else None
    with os.scandir(folder) as found:
        entries = sorted(found, key=lambda entry: os.path.normcase(entry.name))
    for entry in entries:
        if entry.name.startswith((".", "__")):
            continue
        if excluded and (found := _stat_or_none(entry.path)) and os.path.samestat(found, excluded):
            continue  # the output folder, by any name
        stem, suffix = os.path.splitext(entry.name)
        if entry.is_dir() or (entry.is_file() and suffix.lower() == ".zip"):
            name = stem if entry.is_file() else entry.name
            if name in taken:  # both alice/ and alice.zip
                name = entry.name
            taken.add(name)
            students.append(Student(name, entry.path))
    return students


def _stat_or_none(path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None
