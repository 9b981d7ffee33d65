"""The command line: ``grade`` for everyone, ``grader`` for course staff and instructors.

Thin on purpose: parse, call, print, exit. Exit statuses:
0 graded, 1 graded but below ``--fail-under``, 2 bad usage or missing path,
3 the grader itself failed (the report still holds what was graded), 130 interrupted (Ctrl+C).

May import: every layer.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from grader.cli.batching import (INTERNAL_ERROR, INTERRUPTED, Announcer, chosen_seed, chosen_shard, grade_nobody,
                                 interrupted, report_outcome, shard_options)
from grader.cli.lang import LocalizedCommand, LocalizedGroup
from grader.cli.options import (AssignmentName, assignment_option, course_option, exposure_option,
                                exposure_refusal, refuse_exposed_machine, the_course)
from grader.cli.output import emit_guarded, grader_failed, internal_failure, unfinished_report
from grader.lang import N_, _

# --help first: a usage error points to the first name (Click 8.1) or to the longest (newer Clicks)
CONTEXT = {"help_option_names": ["--help", "-h"], "max_content_width": 100}
DEFAULT_TIME_BUDGET = 60.0  # the engine's default, kept here so --help needs no engine import


@click.command(cls=LocalizedCommand, context_settings=CONTEXT)
@click.argument("assignments", nargs=-1, type=AssignmentName(), metavar="[ASSIGNMENT]...")
@course_option
@click.option("--submission", "-s", default="assignments", show_default=True,
              type=click.Path(exists=True, path_type=Path),
              help=N_("Folder holding your modules (.py or .ipynb), or a single module file."))
@click.option("--suite", type=click.Choice(["public", "all"]), default="all", show_default=True,
              help=N_("'public': only the tests you can see; 'all': every suite installed here."))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "junit", "gradescope", "html"]),
              default="text", show_default=True, help=N_("Report format."))
@click.option("--output", "-o", metavar="PATH",
              help=N_("Where to write the report ('-' for the terminal). Text goes to the terminal by default; "
                      "other formats to grade-report.json, grade-report.md, grade-junit.xml, results.json "
                      "or grade-report.html."))
@click.option("--seed", type=click.IntRange(0, 2**32 - 1),
              help=N_("Seed for the random test cases; the report always records the one used."))
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help=N_("Seconds each test may run before it is stopped."))
@click.option("--fail-under", type=click.FloatRange(0, 100), metavar="PERCENT",
              help=N_("Exit with status 1 when the score is below this percentage of the maximum."))
@click.option("--time-budget", type=click.FloatRange(min=0.1), default=DEFAULT_TIME_BUDGET, show_default=True,
              metavar="SECONDS",
              help=N_("Seconds the whole submission may take; when they are spent, the remaining tests are "
                      "timeouts."))
def grade(assignments, submission, suite, fmt, output, seed, timeout, fail_under, time_budget):
    """Grade your backward passes and explain every mistake.

    \b
    Examples:
      grade                          grade ./assignments (every assignment of the course)
      grade gates                    only gates.py
      grade --submission my_work/    grade another folder
      grade -s conv_pool.ipynb       grade one notebook
      grade --seed 7                 repeat the exact random cases of a run

    Each test names the layer, the array and the first wrong index, with the
    expected and received values and a hint. Exit status: 0 graded, 1 below
    --fail-under, 2 bad usage, 3 the grader itself failed.
    """
    if os.environ.get("GRADER_IN_PROCESS") != "1":
        from grader.sandbox.forkserver import fork_server

        try:
            fork_server()  # starts the zygote now, so it loads numpy while we do
        except OSError:  # said where the first child is needed
            pass
    from grader.judge.engine import grade_submission
    from grader.judge.record import percent
    from grader.judge.course import CourseError
    from grader.submission import SubmissionError

    from grader.cli.progress import Progress

    try:
        with Progress() as progress:
            report = grade_submission(submission, course=the_course(), assignments=assignments or None,
                                      suite=suite, seed=seed, timeout=timeout, time_budget=time_budget,
                                      progress=progress)
    except (SubmissionError, CourseError) as error:
        raise click.UsageError(str(error)) from None
    except KeyboardInterrupt:
        click.echo(_("Interrupted before any test ran."), err=True)
        sys.exit(INTERRUPTED)
    except Exception as error:
        internal_failure(error)
        report = unfinished_report(submission, seed, error)
    else:
        if report.get("internal_error"):  # on some tests, or half-way: the report says which
            grader_failed(report["internal_error"])
    emitted = emit_guarded(report, fmt, output)
    if report.get("interrupted"):
        click.echo(_("Interrupted (Ctrl+C): the report holds what was graded until then."), err=True)
        sys.exit(INTERRUPTED)
    if not emitted or report.get("internal_error"):
        sys.exit(INTERNAL_ERROR)
    score = percent(report["score"], report["max_score"])
    if fail_under is not None and score < fail_under:
        click.echo(_("Score {score}% is below --fail-under {limit}%.").format(
            score=f"{score:.1f}", limit=f"{fail_under:g}"), err=True)
        sys.exit(1)


@click.group(cls=LocalizedGroup, context_settings=CONTEXT)
@course_option
def grader():
    """Tools for course staff and instructors: releases, autograder bundles, whole classes."""


@grader.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help=N_("Also build a student release folder here (stubs, notebooks, public tests, README)."))
@click.option("--check", is_flag=True, help=N_("Change nothing; fail with a diff if assignments/ is out of date."))
@assignment_option
def release(out, check, assignments):
    """Generate assignments/ (stubs and notebooks) from the course's solutions/."""
    from grader.platforms.release import run_release

    sys.exit(run_release(out, check, assignments or None, course=the_course()))


@grader.command("new-exercise")
@click.argument("name")
@click.option("--names", "-n", "names", multiple=True, required=True, metavar="NAME",
              help=N_("A class or function the exercise grades (repeat for several)."))
@click.option("--points", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
              help=N_("Points of the whole exercise, shared evenly by its graded names."))
@click.option("--title", help=N_("The exercise's title in the course file."))
@click.option("--params", "-p", "params", multiple=True, metavar="NAME",
              help=N_("A learned parameter of the layers (gamma): the constructor takes it, backward sets "
                      "d<NAME>, and the tests check it (repeat for several)."))
@click.option("--random", is_flag=True,
              help=N_("The layers draw a random mask in forward (self.mask): the tests read it back and give it to "
                      "the reference."))
def new_exercise(name, names, points, title, params, random):
    """Create a new exercise NAME in the course: solution, notebook text, tests, reference, course entry."""
    from grader.platforms.scaffold import ScaffoldError, new_exercise as create

    try:
        written = create(the_course(allow_empty=True), name, list(names), points, title, params=list(params),
                         random=random)
    except ScaffoldError as error:
        raise click.UsageError(str(error)) from None
    for path in written:
        click.echo(str(path))
    click.echo(_("Fill in every TODO (author), then run `grader check`: it grades the solution on many seeds, "
                 "the stubs and the mistakes the diagnoses know."))


@grader.command("new-course")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", help=N_("The course's title [default: the folder's name]."))
@click.option("--language", type=click.Choice(["ko", "en"]), default="en", show_default=True,
              help=N_("The language of the course's reports and releases."))
def new_course(folder, title, language):
    """Start a course of your own in FOLDER: one example exercise that passes `grader check` as it is.

    Then add exercises with `grader --course FOLDER new-exercise`, prove the
    course with `grader --course FOLDER check`, and release, bundle and grade
    it; docs/authoring.md walks through every step.
    """
    from grader.platforms.new_course import NewCourseError, new_course as create

    try:
        written = create(folder, title=title, language=language)
    except NewCourseError as error:
        raise click.UsageError(str(error)) from None
    for path in written:
        click.echo(str(path))
    click.echo(_("Next: grader --course {folder} check  (docs/authoring.md walks through the rest)").format(
        folder=folder))


@grader.command("check")
@course_option
@click.option("--seeds", type=click.IntRange(min=1), default=20, show_default=True,
              help=N_("How many seeds the solutions are graded with (drawn from the course's digest)."))
def check_command(seeds):
    """Prove the course before any student is graded: its CI.

    Checks that the course's files are there and its points add up, that the
    solutions score full marks with every seed, that the released stubs score
    nothing, and that every mistake the diagnoses describe (and every mutant
    of the course's mutants/) loses points and is diagnosed as itself. Prints
    the mutation table and keeps the certificate that release, bundle and
    batch look for. A copy of a course without solutions/ (a bundle) has its
    certificate verified instead. Exit status: 0 the course passed, 2 it did
    not (every problem is listed).
    """
    from grader.platforms.coursecheck.command import run_check

    sys.exit(run_check(the_course(allow_empty=True), seeds, click.echo))


@grader.group()
def bundle():
    """Build an autograder bundle for a course platform."""


@bundle.command("gradescope")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.zip",
              help=N_("Where to write the zip to upload as the assignment's autograder."))
@click.option("--pin", multiple=True, metavar="NAME==VERSION",
              help=N_("Pin numpy or click to another version than the one installed here "
                      "(e.g. for an older Python on the Gradescope image)."))
@assignment_option
def bundle_gradescope(out, pin, assignments):
    """A Gradescope autograder zip: setup.sh, run_autograder, the grader and the course with its hidden tests."""
    from grader.platforms.bundle import BundleError, build_gradescope, pins
    from grader.platforms.coursecheck import CourseRefused

    try:
        path = build_gradescope(out, pin, course=the_course(), assignments=assignments or None)
    except BundleError as error:
        raise click.UsageError(str(error)) from None
    except CourseRefused as refused:
        click.echo(str(refused), err=True)
        sys.exit(2)
    click.echo(_("Gradescope autograder written to {path}. Upload it under Configure Autograder.\n"
                 "It installs {packages}: choose a base image whose python3 can install "
                 "these (this machine has Python {python}), or rebuild with --pin.").format(
        path=path, packages=", ".join(pins(pin)), python=f"{sys.version_info.major}.{sys.version_info.minor}"))


@bundle.command("jobs")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), metavar="FOLDER",
              help=N_("A new folder for the grader, the course and the recipes (commit it to a private repository, "
                      "or copy it to the cluster)."))
@click.option("--shards", type=click.IntRange(1, 256), default=4, show_default=True,
              help=N_("Jobs the class is split into."))
@click.option("--seed", type=click.IntRange(0, 2**32 - 1),
              help=N_("The seed every job shares [default: drawn once and written into the recipes]."))
@click.option("--pin", multiple=True, metavar="NAME==VERSION",
              help=N_("Pin numpy or click to another version than the one installed here."))
@assignment_option
def bundle_jobs(out, shards, seed, pin, assignments):
    """Recipes that grade a class as a job array: GitHub Actions, GitLab CI, Slurm and Kubernetes.

    Writes the grader, its course (hidden tests included) and, for each
    engine, the files that run grader batch --shard once per job and grader
    merge after them; docs/instructors.md says how to run each.
    """
    from grader.judge.engine import draw_seed
    from grader.platforms.bundle import BundleError
    from grader.platforms.coursecheck import CourseRefused
    from grader.platforms.job_recipes import build_jobs

    try:
        path = build_jobs(out, shards=shards, seed=draw_seed() if seed is None else seed, pin_overrides=pin,
                          course=the_course(), assignments=assignments or None)
    except BundleError as error:
        raise click.UsageError(str(error)) from None
    except CourseRefused as refused:
        click.echo(str(refused), err=True)
        sys.exit(2)
    click.echo(_("Job recipes written to {path}: put the class in {path}/submissions (one sub-folder or .zip per "
                 "student) and run the recipe of your engine.").format(path=path))


@grader.command()
@click.argument("submissions", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help=N_("Folder for gradebook.csv, the class report and each student's reports (in students/)."))
@click.option("--jobs", "-j", type=click.IntRange(min=1),
              help=N_("Students graded at a time [default: number of cores]."))
@click.option("--seed", type=click.IntRange(0, 2**32 - 1),
              help=N_("Seed for every student's random cases [default: the last batch's in OUT, else drawn once "
                      "and recorded in the gradebook]."))
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help=N_("Seconds each test may run before it is stopped."))
@click.option("--suite", type=click.Choice(["public", "all"]), default="all", show_default=True,
              help=N_("'public': only the tests students can see; 'all': every suite installed here."))
@click.option("--time-budget", type=click.FloatRange(min=0.1), default=DEFAULT_TIME_BUDGET, show_default=True,
              metavar="SECONDS",
              help=N_("Seconds each student's submission may take; when they are spent, its remaining tests "
                      "are timeouts."))
@click.option("--csv-encoding", type=click.Choice(["utf-8-sig", "utf-8"]), default="utf-8-sig", show_default=True,
              help=N_("Encoding of gradebook.csv: utf-8-sig (UTF-8 with a BOM) opens correctly in Excel, "
                      "also on Korean Windows; utf-8 for tools that do not expect a BOM."))
@shard_options
@click.option("--force", is_flag=True,
              help=N_("Grade everyone again, also students whose results in OUT were graded from the same "
                      "submission, course, grader and settings."))
@exposure_option
@assignment_option
def batch(submissions, out, jobs, seed, timeout, suite, time_budget, csv_encoding, shard_text, shard_from, shard_base,
          shard_count, force, allowed, assignments):
    """Grade a folder of submissions: one sub-folder or .zip per student.

    Writes OUT/gradebook.csv, the class report OUT/class-report.html and .csv,
    and each student's reports in OUT/students/. Status is ok, broken (nothing
    gradable), crashed (regrade that student alone) or grader_error (the
    grader itself failed; the command then exits 3). Results are kept in OUT:
    running it again grades only new or changed submissions, and a stopped
    batch resumes where it stopped. With --shard, OUT holds that shard only.
    A course that fails its check (grader check), or a machine where student
    code could reach what it must not, grades nobody: every student is
    not_graded, with the reason, and the command exits 2.
    """
    from grader.platforms.batch import run_batch
    from grader.platforms.students import find_students
    from grader.platforms.coursecheck import CourseRefused, ensure_checked

    shard = chosen_shard(shard_text, shard_from, shard_base, shard_count, seed)
    if not find_students(submissions, exclude=out):
        raise click.UsageError(_("{path} holds no sub-folders or .zip files to grade").format(path=submissions))
    out.mkdir(parents=True, exist_ok=True)
    seed = chosen_seed(seed, out)
    refused, isolation = exposure_refusal(submissions.resolve(), out.resolve(), allowed)
    try:
        if not refused:
            ensure_checked(the_course())
    except CourseRefused as refusal:
        refused = str(refusal)
    if refused:
        grade_nobody(submissions, out, refused, the_course(), seed, suite, assignments, csv_encoding)
    announce = Announcer()
    try:
        summaries = run_batch(submissions, out, seed=seed, course=the_course(), jobs=jobs, timeout=timeout,
                              suite=suite, assignments=assignments or None, time_budget=time_budget,
                              csv_encoding=csv_encoding, shard=shard, force=force, sandbox=isolation,
                              announce=announce, progress=announce.update)
    except CourseRefused as refusal:  # run_batch has written the gradebook: nobody graded
        announce.close()
        click.echo(str(refusal), err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        announce.close()
        interrupted(out)
    except Exception as error:  # run_batch has written the gradebook of what was graded, if it could
        announce.close()
        internal_failure(error)
        sys.exit(INTERNAL_ERROR)
    announce.close()
    if shard is None:
        report_outcome(summaries, lambda students, problems: _(
            "Gradebook written to {path} ({students} students, {problems} not ok).").format(
            path=out / "gradebook.csv", students=students, problems=problems))
    else:
        report_outcome(summaries, lambda students, problems: _(
            "Shard {shard} written to {path} ({students} students, {problems} not ok); join every shard's folder "
            "with grader merge.").format(shard=str(shard), path=out, students=students, problems=problems))


@grader.command()
@click.argument("shards", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
                metavar="SHARD_DIR...")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help=N_("Folder for the class's gradebook.csv, class report and every student's reports."))
@click.option("--csv-encoding", type=click.Choice(["utf-8-sig", "utf-8"]), default="utf-8-sig", show_default=True,
              help=N_("Encoding of gradebook.csv, as for grader batch."))
def merge(shards, out, csv_encoding):
    """Join the folders of every shard of a class (grader batch --shard) into the files of one batch.

    Writes OUT/gradebook.csv, the class report and every student's reports,
    exactly as one grader batch of the whole class would. Refuses shards of
    different courses, seeds, grader builds, settings or numbers of shards,
    and a class in which a shard is missing or unfinished, or a student is
    missing or graded twice.
    """
    from grader.platforms.merge import MergeError, merge_shards

    try:
        summaries = merge_shards(list(shards), out, csv_encoding=csv_encoding)
    except MergeError as error:
        raise click.UsageError(str(error)) from None
    report_outcome(summaries, lambda students, problems: _(
        "Gradebook written to {path} ({students} students, {problems} not ok).").format(
        path=out / "gradebook.csv", students=students, problems=problems))



@grader.command()
@click.option("--submissions", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help=N_("The folder of students' submissions that grader batch will read."))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help=N_("The folder grader batch will write its reports to."))
@exposure_option
def probe(submissions, out, allowed):
    """Check what student code could reach on this machine, before grading anyone.

    A process confined as a student's would be tries to read the course's
    hidden tests and solutions, the submissions and the output folder, and to
    write where the grader and numpy are installed and the temporary folders.
    Prints the sandbox's measures; exits 2 if student code could reach any of
    them (unless allowed with --allow-exposure), 0 otherwise. The Gradescope
    bundle's setup.sh runs it while the image is built.
    """
    isolation = refuse_exposed_machine(submissions and submissions.resolve(), out and out.resolve(), allowed)
    click.echo(_("Student code is confined on this machine: {isolation}").format(isolation=isolation))

