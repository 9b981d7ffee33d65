"""Lines that fit the terminal when half the letters are Korean.

A Hangul syllable takes two columns on a terminal, so ``len()`` undercounts a
Korean line by half. Widths here follow Unicode's East Asian Width property
(wide and fullwidth letters count two, combining marks zero), as ``wcwidth``
and terminals do. Lines break only at spaces: a word, a number or an array
name is never cut in two; only a single word longer than the whole line is
left to overflow.

Nor is a marked code span cut (:func:`spans`): a `backquoted` span, what
matching brackets hold (``(dx, dy)``, ``[0, 1]``, ``(N, C, H, W)``), and a
formula's operator with the words on either side (``x <- x - lr * dx``,
``dW = x.T @ dout``): the spaces inside are not places to break, unless the
span alone is wider than a line.
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


_OPERATOR = re.compile(r"(?:<-|->|=>|[-+*/=@%<>×·÷]|\*\*|//|[=!<>]=)")
_OPENING, _CLOSING = "([{", ")]}"


def _matched_brackets(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every bracket that has its match (an unmatched one, a list's ``1)``, holds nothing)."""
    stack, pairs = [], []
    for i, char in enumerate(text):
        if char in _OPENING:
            stack.append((char, i))
        elif char in _CLOSING:
            if stack and _OPENING.index(stack[-1][0]) == _CLOSING.index(char):
                pairs.append((stack.pop()[1], i))
            else:
                stack.clear()
    return pairs


def spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the code spans of ``text`` a line must not break inside (end excluded)."""
    found = [(m.start(), m.end()) for m in re.finditer(r"``[^`\n]+``|`[^`\n]+`", text)]
    found += [(start, end + 1) for start, end in _matched_brackets(text)]
    for m in re.finditer(r"(?<= )" + _OPERATOR.pattern + r"(?= )", text):
        before = text.rfind(" ", 0, m.start() - 1) + 1
        after = text.find(" ", m.end() + 1)
        found.append((before, len(text) if after < 0 else after))
    return found


def _pieces(text: str, room: int) -> list[str]:
    """``text`` split at the spaces a line may break at: words, runs of spaces, and the code spans that fit in
    ``room`` columns kept whole (a wider one is broken after all, but not the spans inside it)."""
    kept = set()
    for start, end in spans(text):
        if display_width(text[start:end]) <= room:
            kept.update(i for i in range(start, end) if text[i] == " ")
    pieces, current = [], ""
    for i, char in enumerate(text):
        if char == " " and i not in kept:
            if current and not current.startswith(" "):
                pieces.append(current)
                current = ""
        elif current.startswith(" "):
            pieces.append(current)
            current = ""
        current += char
    pieces.append(current)
    return pieces


def wrap(text: str, width: int, indent: str = "", subsequent_indent: str | None = None, *,
         keep_spans: bool = True) -> list[str]:
    """``text`` as lines of at most ``width`` columns, broken at spaces only.

    The first line starts with ``indent``, the others with
    ``subsequent_indent`` (default: ``indent``). Runs of spaces inside a line
    are kept (they may align columns); the spaces a line breaks at are dropped.
    ``keep_spans=False`` breaks at every space, code spans too, as Click lays out help pages.
    """
    rest_indent = indent if subsequent_indent is None else subsequent_indent
    words = _pieces(text.strip(" "), width - display_width(rest_indent) if keep_spans else 0)
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

