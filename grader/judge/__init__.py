"""Judging: the engine, the tests' registry and helpers, numerical gradients, comparison, diagnoses, the report.

One :class:`~grader.judge.context.Grading` holds a grading's course, seed,
language and limits; the engine runs its tests against a submission's code
in the sandbox and builds the report (:mod:`grader.judge.record`, the one place
a report is made). ``grader.api`` is what a course may use of it.

May import: grader.lang, grader.submission, grader.sandbox.
"""
