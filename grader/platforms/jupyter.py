"""The last cell of a released notebook: grade the saved notebook with the public tests, in Jupyter."""
from __future__ import annotations

import re
from pathlib import Path

import grader.lang as lang
from grader.lang import _
from grader.submission.notebook import cells_text, read_notebook

def run_public_tests(assignment: str, notebook: str | Path | None = None, *, seed: int | None = None) -> None:
    """Grade the saved notebook with the public tests and print the report.

    Jupyter keeps edits in the browser until the notebook is saved, so this
    grades the file on disk, exactly as it would be submitted, and warns when
    a class that ran in this session is not what the file holds.
    """
    path = Path(notebook if notebook is not None else f"{assignment}.ipynb")
    course = course_of(path)
    with lang.speaking(lang.choose(lang.explicit_language(), course.language), course.locale):
        _grade_and_show(assignment, course, path, seed)


def course_of(notebook: Path):
    """The course ``notebook`` was released from: ``GRADER_COURSE`` if set, else the course file its metadata
    names (relative to the notebook: in the author's checkout or in a student release alike), else the
    default course."""
    import json
    import os

    from grader.judge.course import ENVIRONMENT_VARIABLE, CourseError, default, load

    if not os.environ.get(ENVIRONMENT_VARIABLE):
        try:
            meta = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["grader"]["course"]
            file = notebook.resolve().parent / str(meta["file"])
            if file.is_file() and not Path(str(meta["file"])).is_absolute():
                return load(file)
        except (OSError, ValueError, KeyError, TypeError, CourseError):
            pass  # not a released notebook, or its course is not here: the default course
    return default()


def _grade_and_show(assignment: str, course, path: Path, seed: int | None) -> None:
    from grader.judge.engine import grade_submission
    from grader.reports import render

    if not path.is_file():
        print(_("Cannot find {path}. Save the notebook, or pass its file name: {call}").format(
            path=path.resolve(), call=f"run_public_tests({assignment!r}, 'my_notebook.ipynb')"))
        return
    _warn_if_unsaved(path)
    report = grade_submission(path, course=course, assignments=(assignment,), suite="public", seed=seed)
    from grader.reports.html import show_in_notebook

    text = render(report, "text")
    if not show_in_notebook(report, text):
        print(text, end="")
    print(_("These are the public tests; hidden tests run when your work is collected."))


def _warn_if_unsaved(path: Path) -> None:
    """Warn when a class as defined in this kernel is not what the saved file holds."""
    try:
        ran = get_ipython().user_ns.get("In", [])  # noqa: F821 (defined inside IPython only)
    except NameError:
        return
    try:
        saved = cells_text(read_notebook(path.read_bytes(), path.name)[0])
    except ValueError:
        return
    latest = {}  # class name -> the last cell that defined it in this session
    for cell in ran[:-1]:  # the last one is this very cell
        for name in re.findall(r"^class\s+(\w+)", cell, re.MULTILINE):
            latest[name] = cell
    saved_code = _normalise(saved)
    if any(_normalise(cell) not in saved_code for cell in latest.values()):
        print(_("Warning: the classes you ran in this session differ from the saved {file}. "
                "Save the notebook (Ctrl+S / Cmd+S) and run this cell again; "
                "the file on disk is what gets graded.").format(file=path.name) + "\n")


def _normalise(code: str) -> str:
    return "\n".join(line.rstrip() for line in code.strip().splitlines())
