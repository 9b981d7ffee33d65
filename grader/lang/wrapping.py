"""Lines that fit the terminal when half the letters are Korean.

A Hangul syllable takes two columns on a terminal, so ``len()`` undercounts a
Korean line by half. Widths here follow Unicode's East Asian Width property
(wide and fullwidth letters count two, combining marks zero), as ``wcwidth``
and terminals do. Lines break only at spaces: a word, a number or an array
name is never cut in two; only a single word longer than the whole line is
left to overflow.
"""
from __future__ import annotations

import re
import unicodedata

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def char_width(char: str) -> int:
    if unicodedata.combining(char) or char in "\u200b\u200c\u200d\ufeff":
        return 0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 2
    return 0 if unicodedata.category(char) in ("Cc", "Cf") else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal (colour codes take none)."""
    text = _ANSI.sub("", text)
    if text.isascii():
        return sum(1 for c in text if c >= " " and c != "\x7f")
    return sum(char_width(c) for c in text)


def wrap(text: str, width: int, indent: str = "", subsequent_indent: str | None = None) -> list[str]:
    """``text`` as lines of at most ``width`` columns, broken at spaces only.

    The first line starts with ``indent``, the others with
    ``subsequent_indent`` (default: ``indent``). Runs of spaces inside a line
    are kept (they may align columns); the spaces a line breaks at are dropped.
    """
    rest_indent = indent if subsequent_indent is None else subsequent_indent
    words = re.split(r"( +)", text.strip(" "))
    lines: list[str] = []
    line, used = indent, display_width(indent)
    pending_space = ""
    line_has_word = False
    for token in words:
        if not token:
            continue
        if token.startswith(" "):
            pending_space = token
            continue
        token_width = display_width(token)
        if line_has_word and used + len(pending_space) + token_width > width:
            lines.append(line)
            line, used = rest_indent, display_width(rest_indent)
            line_has_word = False
        if line_has_word:
            line += pending_space
            used += len(pending_space)
        line += token
        used += token_width
        line_has_word = True
        pending_space = ""
    lines.append(line)
    return lines


def wrap_block(text: str, width: int, indent: str = "", continuation: str = "  ") -> str:
    """Every line of ``text`` wrapped to ``width``; a broken line continues ``continuation`` further in.

    A line's own leading spaces are kept and count as part of its indent.
    """
    out = []
    for raw in text.splitlines() or [""]:
        stripped = raw.lstrip(" ")
        own = indent + raw[: len(raw) - len(stripped)]
        out.extend(wrap(stripped, width, own, own + continuation) if stripped else [indent.rstrip()])
    return "\n".join(out)

