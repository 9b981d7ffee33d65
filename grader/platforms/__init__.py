"""Platforms: where grading meets the places it runs.

``batch`` (a whole class, with ``class_folder``), ``bundle`` and ``autograder``
(Gradescope), ``release`` (stubs, notebooks, the Classroom workflow, student
releases), ``jupyter`` (the notebooks' check cell), ``scaffold`` (a new
exercise), ``catalogues`` (the translations' upkeep).

May import: grader.lang, grader.submission, grader.sandbox, grader.judge, grader.reports.
"""
