"""What ``grader batch`` and ``grader merge`` decide and say besides grading: the shard, the seed, who is
graded, and how it went."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from grader.lang import N_, _

INTERNAL_ERROR = 3  # never 1, which means "graded, below --fail-under"
INTERRUPTED = 130  # the shell's status for a program stopped by Ctrl+C


def shard_options(function):
    """``--shard I/N``, or ``--shard-from VAR`` with ``--shard-base`` and ``--shard-count``."""
    options = [
        click.option("--shard", "shard_text", metavar="I/N",
                     help=N_("Grade only shard I of N: the students whose name hashes to it (adding a student moves "
                             "no other). Needs --seed. Join the shards' folders with grader merge.")),
        click.option("--shard-from", metavar="VAR",
                     help=N_("Take the shard from the job engine's variable: JOB_COMPLETION_INDEX (Kubernetes; give "
                             "--shard-count), CI_NODE_INDEX (GitLab), SLURM_ARRAY_TASK_ID (Slurm; give --shard-base), "
                             "or any variable with --shard-base and --shard-count.")),
        click.option("--shard-base", type=click.IntRange(min=0), metavar="B",
                     help=N_("The number VAR has in the first job: 0 or 1, as the job array was declared.")),
        click.option("--shard-count", type=click.IntRange(min=1), metavar="N",
                     help=N_("The number of jobs, where VAR's engine does not say it.")),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def chosen_shard(shard_text: str | None, shard_from: str | None, base: int | None, count: int | None, seed):
    """The shard these options ask for (None: the whole class), or a usage error saying what is wrong."""
    from grader.platforms.shards import ShardError, parse_shard, shard_from as from_variable

    if shard_text and shard_from:
        raise click.UsageError(_("give --shard or --shard-from, not both"))
    if (base is not None or count is not None) and not shard_from:
        raise click.UsageError(_("--shard-base and --shard-count go with --shard-from"))
    if not (shard_text or shard_from):
        return None
    if seed is None:
        raise click.UsageError(_("a shard needs --seed: every shard must draw the same test cases (any number, "
                                 "the same in every job, such as --seed 7)"))
    try:
        return parse_shard(shard_text) if shard_text else from_variable(shard_from, os.environ, base, count)
    except ShardError as error:
        raise click.UsageError(str(error)) from None


def chosen_seed(seed: int | None, out: Path) -> int:
    """``--seed``, else the seed of the last batch in ``out`` (so a stopped batch resumes as it began), else a
    fresh one."""
    from grader.judge.engine import draw_seed
    from grader.platforms.results_cache import State

    if seed is not None:
        return seed
    kept = State(out).last_seed()
    if kept is not None:
        click.echo(_("Using the seed of the last batch in {out}: {seed} (give --seed to choose another).").format(
            out=out, seed=kept), err=True)
        return kept
    return draw_seed()


class Announcer:
    """Says who a batch grades and whose results it keeps, then shows its progress on standard error."""

    def __init__(self):
        self.bar = None

    def __call__(self, plan) -> None:
        if plan.shard is not None:
            click.echo(_("Shard {shard}: {count} of the {students} students.").format(
                shard=str(plan.shard), count=len(plan.mine), students=len(plan.students)), err=True)
        if plan.reused:
            click.echo(_("{reused} of the {count} students already have results in {out}, graded from the same "
                         "submission, course, grader and settings: kept (--force grades them again).").format(
                reused=len(plan.reused), count=len(plan.mine), out=plan.folder.out), err=True)
        click.echo(_("Grading {count} submissions with seed {seed}.").format(
            count=len(plan.to_grade), seed=plan.record["seed"]), err=True)
        if plan.to_grade:
            self.bar = click.progressbar(length=len(plan.to_grade), label=_("Grading"), file=sys.stderr, show_pos=True)
            self.bar.__enter__()

    def update(self, summary: dict) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def report_outcome(summaries, written) -> None:
    """Name every student not ``ok``, say what was written (``written(students, problems)``), and exit 3 if the
    grader itself failed on anyone."""
    from grader.lang.sanitize import clean
    from grader.platforms.workers import GRADER_ERROR

    problems = [s for s in summaries if s["status"] != "ok"]
    for summary in problems:
        click.echo(clean(f"{summary['student']}: {summary['status']}: {summary['status_message']}"), err=True)
    click.echo(written(len(summaries), len(problems)))
    failed = [s["student"] for s in summaries if s["status"] == GRADER_ERROR]
    if failed:
        click.echo(_("The grader itself failed on {students}; their rows say grader_error. Please report it, "
                     "then grade them again.").format(students=clean(", ".join(failed))), err=True)
        sys.exit(INTERNAL_ERROR)


def interrupted(out: Path) -> None:
    click.echo(_("Interrupted (Ctrl+C). Every result finished so far is kept in {out}: run the same command again "
                 "to grade the rest.").format(out=out), err=True)
    sys.exit(INTERRUPTED)


def grade_nobody(submissions: Path, out: Path, reason: str, course, seed: int, suite: str, assignments,
                 csv_encoding: str) -> None:
    """Write the gradebook with every student ``not_graded`` and ``reason``, say so, and exit 2."""
    from grader.platforms.batch import grade_nobody as write_not_graded

    write_not_graded(submissions, out, reason, course=course, seed=seed, suite=suite,
                     assignments=assignments or None, csv_encoding=csv_encoding)
    click.echo(reason, err=True)
    click.echo(_("Nobody was graded: {path} lists every student as not_graded, with the reason.").format(
        path=out / "gradebook.csv"), err=True)
    sys.exit(2)
