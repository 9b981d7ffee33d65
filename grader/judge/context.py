"""One grading: everything it needs, made once and handed down.

A :class:`Grading` holds the course, the seed, the language, the limits and
the tests it runs; the engine gets one and hands what each part needs down
to it (the sandbox gets the course's functions and contract hints, the
submission reader the course's layout, the report the course's points). No
module keeps state about a grading: what one test's layers saw lives for
that test only (``diagnoses.observing``), the language for the grading's
duration (``lang.speaking``), and expected values computed once are a cache
of pure functions of code and arguments (``memo``). So two courses graded one
after the other in one process give the same reports as two separate runs.
"""
from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass, field

import grader.lang as lang
import grader.judge.suites as suites
from grader.judge.contracts import Contracts
from grader.judge.course import Course

DEFAULT_TIMEOUT = 10.0
DEFAULT_TIME_BUDGET = 60.0  # seconds for a whole submission: slowness is bounded, not only hangs


def draw_seed() -> int:
    """A fresh seed, recorded in the report so the run can be repeated."""
    return random.SystemRandom().randrange(2**31)


@dataclass
class Grading:
    """The course, seed, language, limits and tests of one grading (see the module docstring)."""

    course: Course
    seed: int = field(default_factory=draw_seed)
    suite: str = "all"  # "public": only the tests students can see
    assignments: tuple[str, ...] | None = None  # None: every assignment of the course
    language: str = ""  # "": what the command speaks (``--lang``, the course's language, the locale)
    timeout: float = DEFAULT_TIMEOUT
    time_budget: float | None = DEFAULT_TIME_BUDGET
    in_process: bool | None = None  # the debug switch without isolation (GRADER_IN_PROCESS=1)

    def __post_init__(self):
        self.language = self.language or lang.choose(lang.explicit_language(), self.course.language)
        self.assignments = tuple(a.name for a in self.course.select(self.assignments))

    @property
    def layout(self) -> dict[str, tuple[str, ...]]:
        """The course's assignments, in order, with the names each grades (what a submission is read for)."""
        return {a.name: a.graded for a in self.course.assignments}

    def checks(self, assignments=None) -> list[suites.Check]:
        """The tests of ``assignments`` (default: the grading's) in the suites this grading runs."""
        visibilities = ("public",) if self.suite == "public" else self.course.visibilities()
        return suites.collect(self.course, visibilities, assignments or self.assignments)

    def runner_options(self) -> dict:
        """What the sandbox needs of the course: its functions' source and the contract hints."""
        functions = self.course.root / "functions.py"
        return {"timeout": self.timeout, "in_process": self.in_process, "hints": Contracts(self.course),
                "course_functions": functions.read_text(encoding="utf-8") if functions.is_file() else None}

    @contextmanager
    def speaking(self):
        """The grading's language, with its course's catalogue, for the ``with`` block."""
        with lang.speaking(self.language, self.course.locale):
            yield
