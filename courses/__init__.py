"""Courses shipped with the grader; ``backprop`` is the default one."""
