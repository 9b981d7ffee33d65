"""Shards: one class graded as N jobs of a job array, each grading its own share of the students.

A student's shard is a stable hash of their name (NFC-normalised, so the
same name typed on macOS or Linux is one name): not their position in the
folder, so a student added late moves no other student to another shard,
and every machine that sees the same name puts it in the same shard.

Job engines number their jobs their own way; ``--shard-from VAR`` reads the
index from the engine's variable, with its base (the first job's number) and
the number of jobs::

    engine                      variable               base   count
    Kubernetes Indexed Job      JOB_COMPLETION_INDEX   0      none: --shard-count (the Job's completions)
    GitLab CI parallel:         CI_NODE_INDEX          1      CI_NODE_TOTAL
    Slurm job array             SLURM_ARRAY_TASK_ID    as the array says: --shard-base; count SLURM_ARRAY_TASK_COUNT
    anything else (a GitHub matrix through an env variable)   --shard-base and --shard-count

Every inconsistency is a :class:`ShardError` whose message says what to give instead.

A shard's output folder holds its students' reports (named as in the whole
class's folder), the kept results (``.batch/``) and, once every student of
the shard has a result, ``shard.json``: the shard (I and N), the seed and
settings, the whole roster and the shard's own students. ``grader merge``
reads it (:mod:`grader.platforms.merge`); a shard stopped half-way has none.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from grader.lang import _
from grader.platforms.results_cache import FORMAT, name_bytes
from grader.reports import write_atomically

RECORD = "shard.json"


class ShardError(ValueError):
    """The shard asked for cannot be known; the message says why and what to give."""


@dataclass(frozen=True)
class Shard:
    index: int  # 1 to count
    count: int

    def holds(self, name: str) -> bool:
        return shard_of(name, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def to_dict(self) -> dict:
        return {"index": self.index, "count": self.count}


def shard_of(name: str, count: int) -> int:
    """The shard (1 to ``count``) of the student ``name``: the same on every machine, whoever else is in the class."""
    return int.from_bytes(hashlib.sha256(name_bytes(name)).digest()[:8], "big") % count + 1


def parse_shard(text: str) -> Shard:
    """``"2/4"``: the second of four shards."""
    index, slash, count = text.strip().partition("/")
    try:
        shard = Shard(int(index), int(count))
    except ValueError:
        raise ShardError(_("--shard {value}: expected I/N, such as 2/4 (the second of four shards)").format(
            value=text)) from None
    if not slash or shard.count < 1 or not 1 <= shard.index <= shard.count:
        raise ShardError(_("--shard {value}: I must be between 1 and N, and N at least 1 (such as 2/4)").format(
            value=text))
    return shard


@dataclass(frozen=True)
class Engine:
    base: int | None  # None: as the job array was declared (--shard-base)
    count_variable: str | None
    first_variable: str | None = None  # where the engine says its first index, to check --shard-base against


ENGINES = {
    "JOB_COMPLETION_INDEX": Engine(0, None),
    "CI_NODE_INDEX": Engine(1, "CI_NODE_TOTAL"),
    "SLURM_ARRAY_TASK_ID": Engine(None, "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN"),
}


def shard_from(variable: str, environ, base: int | None = None, count: int | None = None) -> Shard:
    """The shard a job engine's ``variable`` names, with the ``base`` and ``count`` declared or known."""
    engine = ENGINES.get(variable, Engine(None, None))
    value = _integer(variable, environ)
    if value is None:
        raise ShardError(_("--shard-from {variable}: {variable} is not set in this job's environment").format(
            variable=variable))
    base = engine.base if base is None else base
    if base is None:
        raise ShardError(_("--shard-from {variable}: say which number the first job has, with --shard-base 0 or "
                           "--shard-base 1 (as the job array was declared)").format(variable=variable))
    first = _integer(engine.first_variable, environ)
    if first is not None and first != base:
        raise ShardError(_("--shard-base {base}, but {name}={first}: this job array starts at {first}").format(
            base=base, name=engine.first_variable, first=first))
    count = _count(variable, engine, environ, count)
    index = value - base + 1
    if not 1 <= index <= count:
        raise ShardError(_("{variable}={value} is outside the {count} jobs numbered from {base}").format(
            variable=variable, value=value, count=count, base=base))
    return Shard(index, count)


def _count(variable: str, engine: Engine, environ, declared: int | None) -> int:
    known = _integer(engine.count_variable, environ)
    if declared is not None and known is not None and declared != known:
        raise ShardError(_("--shard-count {declared}, but {name}={known}").format(
            declared=declared, name=engine.count_variable, known=known))
    count = declared if declared is not None else known
    if count is None:
        raise ShardError(_("--shard-from {variable}: give the number of jobs with --shard-count N ({variable} "
                           "alone does not say it)").format(variable=variable))
    if count < 1:
        raise ShardError(_("the number of jobs must be at least 1, not {count}").format(count=count))
    return count


def _integer(variable: str | None, environ) -> int | None:
    """The integer value of ``variable``; None when unset; a ShardError when it is not an integer."""
    if variable is None or not environ.get(variable, "").strip():
        return None
    try:
        return int(environ[variable].strip())
    except ValueError:
        raise ShardError(_("{variable}={value} is not a whole number").format(
            variable=variable, value=environ[variable])) from None


def unfinished(out: Path) -> None:
    """Say that the shard in ``out`` is not finished (before grading anyone): a merge will refuse it."""
    (Path(out) / RECORD).unlink(missing_ok=True)


def write_record(out: Path, shard: Shard, record: dict, roster: list[str], students: list[str]) -> None:
    """Record a finished shard: which one, graded how, the whole class and its own students."""
    data = {"format": FORMAT, "shard": shard.to_dict(), "seed": record["seed"], "settings": record["settings"],
            "roster": sorted(roster), "students": sorted(students)}
    write_atomically(Path(out) / RECORD, json.dumps(data, indent=1) + "\n")  # ASCII, as the kept results
