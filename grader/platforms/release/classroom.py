"""Files of a student release that list the course's assignments: the Classroom workflow and the README.

Both are written from templates in ``grader/platforms/templates`` and the course file,
so a release grades and describes exactly the assignments it contains.
"""
from __future__ import annotations

import json
from pathlib import Path

import grader.lang.documents as i18n_text
from grader.judge.course import Assignment, Course
from grader.lang import N_

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
CLASSROOM_TEMPLATE = TEMPLATES / "classroom.yml"
README_TEMPLATE = TEMPLATES / "student_README.md"

_STEP = """\
      - name: {name}
        id: {name}
        uses: classroom-resources/autograding-command-grader@v1
        env:
          GRADER_STEP_SUMMARY: "off"  # the full report below writes the summary once
        with:
          test-name: {name}
          command: grade {name} --suite public --fail-under 100
          timeout: 5
          max-score: {points:g}
"""
_REPORTER = """\
      - name: Autograding Reporter
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
{results}
        with:
          runners: {runners}
"""


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace(f"@@{key}@@", value)
    return template


CHECK_RUN = N_("{title} tests")
STEP_NAMES = (N_("Install the grader"), N_("Test report"), N_("Publish the test report"),
              N_("Autograding Reporter"))


def _same(text: str) -> str:
    return text


def classroom_workflow(course: Course, assignments: tuple[Assignment, ...], gettext=_same) -> str:
    """The GitHub Classroom workflow: one step per assignment, worth its points in the course file;
    the names of its steps and its check run in the release's language (``gettext``)."""
    steps = "".join(_STEP.format(name=a.name, points=a.max_score) for a in assignments)
    results = "\n".join(f'          {a.name.upper()}_RESULTS: "${{{{ steps.{a.name}.outputs.result }}}}"'
                        for a in assignments)
    steps += _REPORTER.format(results=results, runners=",".join(a.name for a in assignments))
    workflow = _fill(CLASSROOM_TEMPLATE.read_text(encoding="utf-8"), {
        "TITLE": course.title,
        "POINTS": ", ".join(f"{a.name} {a.max_score:g}" for a in assignments),
        "STEPS": steps.rstrip("\n"),
        "CHECK_NAME": json.dumps(gettext(CHECK_RUN).format(title=gettext(course.title)), ensure_ascii=False),
    })
    for name in STEP_NAMES:
        workflow = workflow.replace(f"- name: {name}\n", f"- name: {json.dumps(gettext(name), ensure_ascii=False)}\n")
    return workflow


TABLE_HEADINGS = (N_("assignment"), N_("graded"), N_("points"))


def assignment_table(assignments: tuple[Assignment, ...], gettext=_same) -> str:
    """The Markdown table of assignments, graded names and points that READMEs show."""
    rows = ["| " + " | ".join(gettext(heading) for heading in TABLE_HEADINGS) + " |", "|---|---|---|"]
    for a in assignments:
        rows.append(f"| `{a.module}` | {', '.join(f'`{name}`' for name in a.graded)} | {a.max_score:g} |")
    return "\n".join(rows)


STUDENT_TEXT = "students.md"  # the course's own words for its student README
NOTES_HEADING = "## Notes"


def _course_words(course: Course) -> tuple[str, str]:
    """``(introduction, notes)`` from the course's ``students.md``: the text before its
    "## Notes" heading goes under the title, the sections after it at the end (under that heading, unless
    they start with headings of their own)."""
    path = course.root / STUDENT_TEXT
    if not path.is_file():
        return "", ""
    text = path.read_text(encoding="utf-8")
    if text.startswith("<!--"):
        text = text.split("-->", 1)[1]
    intro, _, notes = text.partition(NOTES_HEADING)
    notes = notes.strip()
    if notes and not notes.startswith("#"):  # the notes' own text: under the author's heading
        notes = f"{NOTES_HEADING}\n\n{notes}"
    return intro.strip(), notes


STORED_PAIR = N_("{first} and {second}")  # two attributes a backward stores, as the README names them


def _course_names(course: Course, assignments: tuple[Assignment, ...], gettext) -> dict[str, str]:
    """The course's own names for the README's examples: its first and last assignment, and the gradients
    of parameters its solutions store (``self.dW``), so the README never names another course's files."""
    from grader.platforms.coursecheck.mistakes import gradients

    first, other = assignments[0].name, assignments[-2 if len(assignments) >= 3 else -1].name
    stored = sorted({f"`self.{a}`" for names in gradients(course.solutions).values() for a in names}) \
        if course.solutions.is_dir() else []
    stored = stored[:2] or ["`self.d<parameter>`"]
    return {"FIRST": first, "FIRST_TITLE": first.capitalize(), "OTHER": other,
            "GRADE_ONE": f"grade {first}".ljust(30), "GRADE_AGAIN": f"grade {other} --seed 7".ljust(30),
            "STORED": gettext(STORED_PAIR).format(first=stored[0], second=stored[1]) if len(stored) == 2
            else stored[0]}


def student_readme(course: Course, assignments: tuple[Assignment, ...], gettext=_same) -> str:
    """The README of a student release, paragraph by paragraph in the release's language."""
    intro, notes = (i18n_text.translate(words, gettext) for words in _course_words(course))
    text = _fill(i18n_text.translate(README_TEMPLATE.read_text(encoding="utf-8"), gettext), {
        "TITLE": gettext(course.title),
        "INTRO": intro,
        "ASSIGNMENTS": assignment_table(assignments, gettext),
        "NOTES": notes,
        **_course_names(course, assignments, gettext),
    })
    return text.replace("\n\n\n\n", "\n\n").rstrip("\n") + "\n"
