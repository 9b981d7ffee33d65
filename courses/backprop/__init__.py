"""The built-in course: the course file, solutions, tests, reference forward code and hints.

The grader imports this folder as the package ``course`` (see ``grader/judge/course.py``).
"""
