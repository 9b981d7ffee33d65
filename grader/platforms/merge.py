"""``grader merge``: the files of one batch of the whole class, from the folders of all its shards.

Each shard folder (``grader batch --shard I/N``) holds its students' reports,
named as in the whole class's folder, their kept results (``.batch/``) and,
once finished, ``shard.json`` (:mod:`grader.platforms.shards`). The merge
refuses what would not make one class graded alike: shards of different
courses, grader builds, seeds, settings or numbers of shards, a shard missing,
unfinished or given twice, rosters that differ, a student in no shard or in
two. It then puts every student's reports and kept result in ``--out`` and
writes the gradebook and the class report from them, one report at a time,
with the code an unsharded batch uses: the same rows, order, figures and
layout, and a folder a later ``grader batch`` can resume from.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Sequence

import grader.lang as lang
from grader.judge.record import Rows
from grader.lang import _
from grader.platforms.class_folder import ClassFolder
from grader.platforms.results_cache import Entry, State
from grader.platforms.shards import RECORD

SHOWN = 5  # names shown in a refusal
# settings every shard must share besides the course, grader, seed and count (the machine's sandbox may differ)
SHARED = ("format", "python", "numpy", "lang", "suite", "assignments", "timeout", "time_budget")


class MergeError(Exception):
    """The shards cannot be merged; the message says why and what to do."""


def merge_shards(folders: list[Path], out: Path, *, csv_encoding: str = "utf-8-sig") -> Sequence[dict]:
    """Check the shards in ``folders``, then write the class's files into ``out``; each student's summary."""
    folders = [Path(f) for f in folders]
    records = [_record(folder) for folder in folders]
    _check_alike(records, folders)
    owners = _check_complete(records, folders, Path(out))
    first = records[0]
    roster = first["roster"]
    folder, state = ClassFolder(out, roster), State(out)
    folder.prepare(len(roster))
    state.begin({"seed": first["seed"], "shard": None, "settings": first["settings"]})
    for name in roster:
        _bring(name, owners[name], folder, state)
    assignments = first["settings"]["assignments"]
    with lang.speaking(first["settings"]["lang"]):
        folder.finish(((name, report, True) for name, report in _reports(roster, folder, state, owners)),
                      assignments, csv_encoding)
    summaries = Rows(Entry.FIELDS)
    for name in sorted(roster):
        summaries.append(state.read(name).summary)
    return summaries


def _record(folder: Path) -> dict:
    try:
        record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        readable = all(isinstance(record["shard"][k], int) for k in ("index", "count")) and all(
            isinstance(record[k], list) for k in ("roster", "students")) and isinstance(record["settings"], dict)
    except (OSError, ValueError, KeyError, TypeError):
        readable = False
    if not readable:
        raise MergeError(_("{folder} is not a finished shard of grader batch --shard (no readable {record}): "
                           "run that shard again; it resumes where it stopped").format(
            folder=folder, record=RECORD))
    return record


def _check_alike(records: list[dict], folders: list[Path]) -> None:
    """Refuse shards graded differently: course, grader build, seed, number of shards, settings."""
    first, where = records[0], folders[0]
    for record, folder in zip(records[1:], folders[1:]):
        settings, theirs = first["settings"], record["settings"]
        if settings.get("course") != theirs.get("course"):
            raise MergeError(_("{a} and {b} were graded with different courses: grade every shard with the same "
                               "course").format(a=where, b=folder))
        if settings.get("grader") != theirs.get("grader"):
            raise MergeError(_("{a} and {b} were graded by different builds of the grader: grade every shard with "
                               "the same one").format(a=where, b=folder))
        if first["seed"] != record["seed"]:
            raise MergeError(_("{a} was graded with seed {seed_a} and {b} with seed {seed_b}: every shard needs the "
                               "same --seed").format(a=where, b=folder, seed_a=first["seed"], seed_b=record["seed"]))
        if first["shard"]["count"] != record["shard"]["count"]:
            raise MergeError(_("{a} is a shard of {n_a} and {b} a shard of {n_b}: every shard needs the same N").format(
                a=where, b=folder, n_a=first["shard"]["count"], n_b=record["shard"]["count"]))
        differ = [name for name in SHARED if settings.get(name) != theirs.get(name)]
        if differ:
            raise MergeError(_("{a} and {b} were graded with different settings ({names}): grade every shard the "
                               "same way").format(a=where, b=folder, names=", ".join(differ)))
        if first["roster"] != record["roster"]:
            names = sorted(set(first["roster"]) ^ set(record["roster"]))
            raise MergeError(_("{a} and {b} saw different classes ({names} in one only): give every shard the same "
                               "submissions folder").format(a=where, b=folder, names=_some(names)))


def _check_complete(records: list[dict], folders: list[Path], out: Path) -> dict[str, Path]:
    """Refuse a shard missing or given twice, and a student in no shard or in two; the shard of each student."""
    count = records[0]["shard"]["count"]
    given: dict[int, Path] = {}
    for record, folder in zip(records, folders):
        index = record["shard"]["index"]
        if index in given:
            raise MergeError(_("shard {index} of {count} is given twice: {a} and {b}").format(
                index=index, count=count, a=given[index], b=folder))
        if folder.resolve() == out.resolve():
            raise MergeError(_("--out {out} is one of the shards: merge into a folder of its own").format(out=out))
        given[index] = folder
    missing = [str(i) for i in range(1, count + 1) if i not in given]
    if missing:
        raise MergeError(_("shards {missing} of {count} are missing: merge every shard's folder").format(
            missing=", ".join(missing), count=count))
    owners: dict[str, Path] = {}
    for record, folder in zip(records, folders):
        for name in record["students"]:
            if name in owners:
                raise MergeError(_("{name} was graded in two shards: {a} and {b}").format(
                    name=name, a=owners[name], b=folder))
            owners[name] = folder
    unknown = sorted(set(owners) - set(records[0]["roster"]))
    lost = sorted(set(records[0]["roster"]) - set(owners))
    if unknown or lost:
        raise MergeError(_("the shards do not hold the class: {names} graded in no shard or not in the class").format(
            names=_some(lost + unknown)))
    return owners


def _some(names: list[str]) -> str:
    return ", ".join(names[:SHOWN]) + (", ..." if len(names) > SHOWN else "")


def _bring(name: str, shard: Path, folder: ClassFolder, state: State) -> None:
    """Put the student's reports and kept result from their shard's folder into the class's."""
    theirs = State(shard)
    entry = theirs.read(name)
    if entry is None:
        raise MergeError(_("{folder} has no result for {name}: run that shard again").format(folder=shard, name=name))
    try:
        for kind in entry.files:
            target = folder.paths(name)[kind]
            _copy(shard / target.relative_to(folder.out), target)
        shutil.copy2(theirs.path(name), state.path(name))
    except OSError as error:
        raise MergeError(_("the reports of {name} in {folder} cannot be copied ({error}): run that shard again").format(
            name=name, folder=shard, error=error.strerror or error)) from None


def _copy(source: Path, target: Path) -> None:
    """A hard link where the file system allows one (nothing is copied), else a copy with its times kept."""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _reports(roster: list[str], folder: ClassFolder, state: State, owners: dict[str, Path]):
    for name in sorted(roster):
        report = state.report(state.read(name), folder.paths(name)["json"])
        if report is None:
            raise MergeError(_("the report of {name} in {folder} cannot be read: run that shard again").format(
                name=name, folder=owners[name]))
        yield name, report
