"""Text that came from student code or a student's files, made safe to keep and to show.

Strings enter the judge in replies from the child (exception messages,
tracebacks, printed output), in file and folder names and in notes about a
submission's files. Any of them may hold lone surrogates (which cannot be
written as UTF-8, so the report write would fail), terminal escape sequences
(which could clear the screen or paint a fake "Total: 100/100" over the real
one), carriage returns that overwrite a line, or bidirectional controls that
reorder what a reader sees. :func:`clean` is applied once where strings
enter and again at every output boundary (:func:`clean_data` on the whole
report), so no format or writer has to trust its input.

:func:`markdown_text` and :func:`csv_cell` add what their formats need:
HTML and Markdown escaping, and no spreadsheet formulas.
"""
from __future__ import annotations

import html
import re

# ESC [ ... final byte (CSI), ESC ] ... BEL or ESC \ (OSC), ESC P/X/^/_ ... ESC \ (strings), other ESC pairs
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -/]*[0-~]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 controls but tab and newline, DEL, C1 controls, bidirectional overrides and isolates
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#!|~])")
_ANYTHING_TO_CLEAN = re.compile("[\ud800-\udfff\r\x1b\x9b\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e"
                                "\u2066-\u2069]")


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text) -> str:
    """``text`` with surrogates replaced, escape sequences removed and other controls shown as ``\\xNN``."""
    if not isinstance(text, str):
        text = str(text)
    if (text.isascii() and text.isprintable()) or not _ANYTHING_TO_CLEAN.search(text):
        return text
    text = _SURROGATE.sub("\ufffd", text)
    text = text.replace("\r\n", "\n")
    text = _ESCAPE_SEQUENCE.sub("", text)
    return _CONTROL.sub(_visible, text)


def clean_data(value):
    """A copy of a report (dicts, lists, tuples, strings, numbers) with every string and key cleaned."""
    kind = type(value)
    if kind is int or kind is float or kind is bool or value is None:
        return value
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(k) if isinstance(k, str) else k: clean_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_data(v) for v in value]
    return value


def markdown_text(text) -> str:
    """Clean text for Markdown outside code blocks: HTML and Markdown syntax shown literally."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(clean(text), quote=True))


def csv_cell(text) -> str:
    """Clean text for a spreadsheet cell: a leading ``= + - @`` cannot start a formula."""
    text = clean(text).replace("\t", " ")
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
