"""The student's HTML report: one self-contained file with pictures of what is wrong.

Same content as the text report (notes, a table per assignment, every
failure's message and printed output, the total), and for each failed array
check the expected values, the returned values and their difference drawn by
the array's axes with the wrong entries outlined, the diagnosis beside them.
Jinja2 renders it: every value a template prints goes through
:func:`grader.lang.sanitize.html_text` (the environment's ``finalize``), so every
string from a submission is data, whatever the template or the caller did;
the pictures are inline SVG from :mod:`grader.reports.pictures`. Imported only
when HTML is asked for.
"""
from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import grader.judge.diagnoses as diagnoses
from grader.judge.record import Report, TestResult
from grader.lang.sanitize import html_text
import grader.reports.pictures as pictures
from grader.reports.shared import SYMBOLS, by_assignment, fraction, percentage
import grader.reports.words as words

try:
    from grader.lang import _
except ImportError:  # pragma: no cover - before translations exist
    def _(text: str) -> str:
        return text


@lru_cache(maxsize=None)
def environment():
    """The Jinja2 environment for the report templates: every printed value through the HTML rule."""
    import jinja2
    from markupsafe import Markup

    def finalize(value):
        return value if isinstance(value, Markup) else Markup(html_text(value))

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=True,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _figure(test: TestResult) -> dict | None:
    arrays = test.arrays
    if not arrays:
        return _shape_figure(test)
    name = arrays.get("array") or "value"
    titles = (_("expected {array}").format(array=name), _("your {array}").format(array=name),
              _("difference (yours - expected)"))
    caption = pictures.axes_caption(tuple(arrays["shape"]))
    if pictures.every_entry_wrong(arrays):
        every = _("every entry is wrong, so none is outlined: compare the pictures (is it all off by one factor, "
                  "or moved?)")
        caption = f"{caption}; {every}" if caption else every
    return {"svgs": pictures.comparison(arrays, titles), "caption": caption, "shape": arrays["shape"], "got_shape": None}


def _shape_figure(test: TestResult) -> dict | None:
    """A wrong shape, drawn: the shape expected and the shape returned, as empty grids (or said, when large)."""
    params = test.diagnosis.params if test.diagnosis else {}
    expected, got = params.get("expected_shape"), params.get("got_shape")
    if not isinstance(expected, list) or not isinstance(got, list):
        return None
    name = test.diagnosis.array or "value"
    titles = (_("expected {array}: shape {shape}").format(array=name, shape=tuple(expected)),
              _("your {array}: shape {shape}").format(array=name, shape=tuple(got)))
    return {"svgs": pictures.shapes(expected, got, titles), "shape": expected, "got_shape": got,
            "caption": _("the shape is wrong: expected {expected}, got {got}").format(
                expected=tuple(expected), got=tuple(got))}


def _diagnosis(test: TestResult) -> dict | None:
    found = test.diagnosis
    if not found:
        return None
    text = diagnoses.render(found)
    if text and text in test.message:
        text = ""  # the message already ends with it
    name, explanation = diagnoses.describe(found.code)
    arrays = found.params.get("arrays") or ([found.array] if found.array else [])
    return {"code": found.code, "name": name, "explanation": explanation, "arrays": ", ".join(map(str, arrays)),
            "text": text}


def _row(test: TestResult) -> dict:
    return {
        "id": "t-" + test.name.replace("/", "-"),
        "name": test.short_name,
        "status": test.status,
        "status_words": words.status(test.status),
        "symbol": SYMBOLS.get(test.status, "?"),
        "points": fraction(test.score, test.max_score),
        "hidden": test.visibility == "hidden",
        "message": test.message,
        "output": test.output,
        "description": test.description,
        "diagnosis": _diagnosis(test) if not test.passed else None,
        "figure": _figure(test) if not test.passed else None,
    }


def context(report: Report | dict) -> dict:
    """What the template shows, computed from the report."""
    report = Report.read(report)
    assignments = []
    for group in by_assignment(report):
        rows = [_row(test) for test in group.tests]
        assignments.append({
            "name": group.name,
            "file": group.file or _("{name}.py (not found)").format(name=group.name),
            "points": fraction(group.score, group.max_score),
            "tests": rows,
            "failures": [r for r in rows if r["status"] != "passed"],
        })
    return {
        "title": _("Grade report"),
        "total": fraction(report.score, report.max_score),
        "percent": percentage(report),
        "tally": words.tally(report.counts),
        "seed": report.seed,
        "notes": report.notes,
        "submission": report.submission,
        "isolation": report.isolation,
        "version": report.grader_version,
        "assignments": assignments,
        "all_passed": all(t.passed for t in report.tests),
        "mark": pictures.MARK,
        "t": labels(),
        "lang": language(),
    }


def labels() -> dict:
    """The templates' words, translated when shown (the catalogue is extracted from this file)."""
    return {
        "hidden": _("hidden"),
        "diagnosis": _("Diagnosis"),
        "shape": _("shape"),
        "colours": _("Red: positive, blue: negative, white: 0."),
        "wrong_entries": _("wrong entries"),
        "printed": _("your code printed:"),
        "all_passed": _("All tests passed."),
        "total": _("Total"),
        "repeat": _("run grade --seed {seed} to repeat these cases"),
        "version": _("grader {version}"),
        "students_line": _("{students} students, {graded} graded; mean score {mean}%."),
        "distribution": _("Score distribution"),
        "almost_all": _("Tests almost everyone fails (at least {percent}% of the students)"),
        "almost_all_why": _("A misleading instruction or a wrong test? Worth a look first."),
        "test": _("test"),
        "failed": _("failed"),
        "common": _("Most common mistakes, per layer"),
        "no_mistakes": _("No mistakes diagnosed."),
        "array": _("array"),
        "students": _("students"),
        "failed_tests": _("failed tests"),
        "who": _("who"),
        "assignments": _("Assignments"),
        "assignment": _("assignment"),
        "full_marks": _("full marks"),
        "of_students": _("{count} of {students} students"),
        "pass_rate": _("pass rate"),
        "mean_score": _("mean score"),
        "tests": _("Tests"),
        "passed": _("passed"),
        "failed_by": _("failed by"),
        "problems": _("Timeouts, crashes and broken submissions"),
        "none": _("None."),
        "student": _("student"),
        "status": _("status"),
        "timeouts": _("timeouts"),
        "crashes": _("crashes"),
        "note": _("note"),
        "student_list": _("Students"),
        "score": _("score"),
        "percent": _("percent"),
    }


def language() -> str:
    try:
        from grader.lang import get_language
    except ImportError:  # pragma: no cover - before translations exist
        return "en"
    return get_language()


def render_fragment(report: Report | dict) -> str:
    """The report's body alone (styles included), for a notebook's output cell."""
    return environment().get_template("student_body.html").render(**context(report))


def render(report: Report | dict, **options) -> str:
    return environment().get_template("student.html").render(**context(report))


def show_in_notebook(report: Report | dict, text: str) -> bool:
    """Show the report inline in Jupyter, pictures included, when it has pictures to show.

    One output with both forms: Jupyter shows the HTML, a plain-text viewer
    the text report. Returns False (and shows nothing) outside IPython,
    without Jinja2, or when no failed check has a picture: then the caller
    prints the text report.
    """
    if not any(not t.passed and t.arrays for t in Report.read(report).tests):
        return False
    if importlib.util.find_spec("IPython") is None or importlib.util.find_spec("jinja2") is None:
        return False
    from IPython import get_ipython
    from IPython.display import display

    if get_ipython() is None:
        return False
    display({"text/plain": text, "text/html": render_fragment(report)}, raw=True)
    return True
