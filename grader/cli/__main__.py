"""``python -m grader.cli``: the ``grade`` command."""
from grader.cli import grade
from grader.cli.output import tolerant_console

tolerant_console()
grade()
