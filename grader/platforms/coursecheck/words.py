"""What the course check found, in the reader's language: each problem, the refusal, the mutation table."""
from __future__ import annotations

from grader.lang import N_, _, ngettext
from grader.lang.wrapping import display_width

_PROBLEMS = {
    "no_assignments": N_("{file} has no [[assignment]] yet: add an exercise with `grader new-exercise`."),
    "no_solutions": N_("{folder} is missing: the check proves the tests against the course's solutions."),
    "missing_file": N_("{file} is missing (assignment {assignment})."),
    "hints_off": N_("{file}: hints_off of {assignment} names {diagnosis}, which is no diagnosis with a hint "
                    "(docs/diagnoses.md lists them)."),
    "mutant_folder": N_("{folder}: no assignment grades that name; a mutant's folder is the graded name it "
                        "changes."),
    "suite": N_("the {visibility} tests do not load: {error}"),
    "untested": N_("{file}: {assignment}.{name} has no test; every graded name needs tests worth its points."),
    "points": N_("{file}: {assignment}.{name} is worth {points} points, but its tests add up to {total} "
                 "(public {public}, hidden {hidden})."),
    "stub": N_("the stub of {assignment} cannot be made: {error}"),
    "stub_points": N_("test {test} gives {points} points to the released stub, whose {name} is not implemented: "
                      "a test that checks only what forward returns gives points for nothing; check what "
                      "backward gives too."),
    "uncaught": N_("no test of {name} takes points from a {name} whose result is {what} (the mistake "
                   "{diagnosis} of docs/diagnoses.md): add a test that checks that value, with inputs that show "
                   "the mistake."),
    "misdiagnosed": N_("a {name} whose result is {what} loses points but is diagnosed {got} (test {test}), not "
                       "{diagnosis}: give the tests inputs that show the mistake (a batch of several samples, "
                       "shapes that are not square, random values)."),
    "mistake_crashed": N_("test {test} fails inside the grader ({error}) when {name}'s result is {what}: a "
                          "student who makes that mistake would read that the grader failed. Check the value with "
                          "expect_close, check_gradient or as_array before computing with it."),
    "mutant": N_("the mutant {mutant} cannot be applied: {error}"),
    "mutant_free": N_("the course's mutant {mutant} ({description}) loses no points: no test catches it."),
    "mutant_elsewhere": N_("the course's mutant {mutant} ({description}) also loses points on {name} (test "
                           "{test}): a mistake in one graded name must cost points on that name only."),
    "mutant_misdiagnosed": N_("the course's mutant {mutant} ({description}) is diagnosed {got}, but declares "
                              "{declared}."),
}
SOLUTION = N_("the solution of {name} fails test {test} with seed {seed}: {message}")
SOLUTION_REFERENCES = N_("The test's expected values come from {references}: a reference or a test that disagrees "
                         "with the solution would fail every student.")
SOLUTION_NO_REFERENCE = N_("A test that disagrees with the solution would fail every student: check the test and "
                           "the solution.")


def _points(value) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def describe(found: dict) -> str:
    """One problem of a check, in the reader's language."""
    fields = {key: _points(value) if key in ("points", "total", "public", "hidden") else value
              for key, value in found.items() if key != "code"}
    if "what" in fields:
        fields["what"] = _(fields["what"])
    if found["code"] == "solution":
        references = ", ".join(found.get("references") or ())
        after = (_(SOLUTION_REFERENCES).format(references=references) if references else _(SOLUTION_NO_REFERENCE))
        return _(SOLUTION).format(**fields).rstrip() + " " + after
    return _(_PROBLEMS[found["code"]]).format(**fields)


def refusal(title: str, problems: list[dict]) -> str:
    """The one message every command refuses a course with."""
    text = _("The course \"{title}\" failed its check, so nothing of it reaches a student: {problem}").format(
        title=_(title), problem=describe(problems[0]))
    more = len(problems) - 1
    if more:
        text += " " + ngettext("({count} more problem: `grader check` lists them all.)",
                               "({count} more problems: `grader check` lists them all.)", more).format(count=more)
    return text


TABLE_HEADINGS = (N_("exercise"), N_("graded name"), N_("mistakes made"), N_("caught"), N_("diagnosed right"),
                  N_("course's mutants"), N_("caught"), N_("diagnosed right"))


def table(rows: list[dict]) -> str:
    """The mutation table: per exercise and graded name, the mistakes made, caught and diagnosed right."""
    cells = [[_(heading) for heading in TABLE_HEADINGS]]
    shown = ""
    for row in rows:
        exercise = row["exercise"] if row["exercise"] != shown else ""
        shown = row["exercise"]
        cells.append([exercise, row["name"], *(str(n) for n in row["generated"]), *(str(n) for n in row["own"])])
    widths = [max(display_width(line[i]) for line in cells) for i in range(len(cells[0]))]
    lines = []
    for line in cells:
        padded = [cell + " " * (width - display_width(cell)) if i < 2 else " " * (width - display_width(cell)) + cell
                  for i, (cell, width) in enumerate(zip(line, widths))]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)
