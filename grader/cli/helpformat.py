"""Click's help pages measured in terminal columns, so Korean help fits the terminal.

Click's own formatter counts characters, but a Hangul letter takes two
columns, and its wrapper breaks words at hyphens (``grade-`` /
``report.json``). :class:`WideHelpFormatter` is the formatter Click lets a
context choose (``Context.formatter_class``): it lays out the usage line, the
help text and the option table as Click does, with widths from
:func:`grader.lang.wrapping.display_width` and lines broken at spaces only
(:func:`grader.lang.wrapping.wrap`).
"""
from __future__ import annotations

import click

from grader.lang import _
from grader.lang.wrapping import display_width, wrap


def fill(text: str, width: int, indent: str = "") -> str:
    """``text`` wrapped to ``width`` columns by Click's paragraph rules.

    Paragraphs are separated by empty lines, and each keeps the indent of its
    first line; a paragraph whose first line is ``\\b`` is kept line for line.
    """
    paragraphs = []
    for block in _blocks(text.expandtabs()):
        first = block[0].lstrip()
        own = indent + " " * (display_width(block[0]) - display_width(first))
        if first.strip() == "\b":
            paragraphs.append("\n".join(own + line for line in block[1:]))
        elif " ".join([first, *block[1:]]).strip(" "):
            paragraphs.append("\n".join(wrap(" ".join([first, *block[1:]]), width, own, keep_spans=False)))
        else:
            paragraphs.append("")
    return "\n\n".join(paragraphs)


def _blocks(text: str) -> list[list[str]]:
    """The lines of ``text``, in runs separated by empty lines."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


class WideHelpFormatter(click.HelpFormatter):
    """:class:`click.HelpFormatter`, with widths in terminal columns and breaks at spaces only."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            prefix = "{usage} ".format(usage=_("Usage:"))
        usage_prefix = f"{prefix:>{self.current_indent}}{prog} "
        text_width = self.width - self.current_indent
        if not args:
            self.write(usage_prefix.rstrip(" ") + "\n")
            return
        if text_width >= display_width(usage_prefix) + 20:  # the arguments fit right of the prefix
            lines = wrap(args, text_width, usage_prefix, " " * display_width(usage_prefix), keep_spans=False)
        else:
            self.write(usage_prefix + "\n")
            lines = wrap(args, text_width, " " * (max(self.current_indent, display_width(prefix)) + 4),
                         keep_spans=False)
        self.write("\n".join(lines) + "\n")

    def write_text(self, text: str) -> None:
        self.write(fill(text, self.width, " " * self.current_indent) + "\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        """The two columns of the option and command tables; a term too wide has its text on the next line."""
        rows = list(rows)
        first_column = min(max((display_width(term) for term, _text in rows), default=0), col_max) + col_spacing
        text_width = max(self.width - first_column - 2, 10)
        margin = " " * (first_column + self.current_indent)
        for term, text in rows:
            self.write(" " * self.current_indent + term)
            if not text:
                self.write("\n")
                continue
            if display_width(term) <= first_column - col_spacing:
                self.write(" " * (first_column - display_width(term)))
            else:
                self.write("\n" + margin)
            lines = fill(text, text_width).splitlines() or [""]
            self.write("".join([lines[0] + "\n"] + [margin + line + "\n" for line in lines[1:]]))


class HelpContext(click.Context):
    """A context whose help pages are laid out by :class:`WideHelpFormatter`."""

    formatter_class = WideHelpFormatter
