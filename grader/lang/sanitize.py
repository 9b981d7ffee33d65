"""Text that came from student code or a student's files, made safe for each place it is written.

Strings enter the judge in replies from the child (exception messages,
tracebacks, printed output), in file and folder names and in notes about a
submission's files. Any of them may hold lone surrogates (which cannot be
written as UTF-8, so the report write would fail), terminal escape sequences
(which could clear the screen or paint a fake "Total: 100/100" over the real
one), carriage returns that overwrite a line, or invisible format characters
(bidirectional controls such as U+202E or U+061C, zero-width spaces) that
reorder or hide what a reader sees.

One rule per place a string is written, each defined here and nowhere else:

- terminal and plain text (the text report, messages, JSON, Gradescope):
  :func:`clean`, applied once where strings enter and again at every output
  boundary (:func:`clean_data` on the whole report);
- HTML: :func:`html_text` (the report templates apply it to every value);
- XML: :func:`xml_text`;
- Markdown outside code blocks: :func:`markdown_text`;
- CSV cells, opened in a spreadsheet: :func:`csv_cell`, and :func:`csv_lines`
  to write a whole table through it.

File names made from a student's name are :mod:`grader.platforms.class_folder`'s.
"""
from __future__ import annotations

import csv
import html
import io
import re
import unicodedata

# ESC [ ... final byte (CSI), ESC ] ... BEL or ESC \ (OSC), ESC P/X/^/_ ... ESC \ (strings), other ESC pairs
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -/]*[0-~]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_PRINTABLE_ASCII = re.compile("[^\n\t -~]")
# A shortcut only (:func:`shown` decides): characters always shown as they are (printable ASCII and Latin,
# general punctuation, arrows, symbols and box drawing, CJK, Hangul), so text of these alone is left as it is.
_USUAL = re.compile("[^\n\t -~\u00a0-\u00ac\u00ae-\u0377\u2010-\u2027\u2030-\u205e\u2190-\u23ff\u2500-\u27bf"
                    "\u3000-\u303f\u3131-\u318e\u4e00-\u9fff\uac00-\ud7a3\uff01-\uff60]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#!|~])")
# What a spreadsheet may read as the start of a formula (after leading spaces, full-width forms too).
_FORMULA_START = ("=", "+", "-", "@")


def shown(character: str) -> bool:
    """Whether ``character`` is kept as it is: not a control, format, surrogate, private-use or unassigned
    character (Unicode categories C*), nor a line or paragraph separator; tab and newline are kept."""
    return character.isprintable() or character in "\n\t" or unicodedata.category(character) == "Zs"


def _visible(character: str) -> str:
    code = ord(character)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _show(match: re.Match) -> str:
    character = match.group()
    return character if shown(character) else _visible(character)


def clean(text) -> str:
    """``text`` for a terminal or a plain-text file: surrogates replaced, escape sequences removed, and
    every other character :func:`shown` rejects written as ``\\xNN``, ``\\uNNNN`` or ``\\UNNNNNNNN``."""
    if not isinstance(text, str):
        text = str(text)
    if not _USUAL.search(text):
        return text
    text = _SURROGATE.sub("\ufffd", text)
    text = text.replace("\r\n", "\n")
    text = _ESCAPE_SEQUENCE.sub("", text)
    return _NOT_PRINTABLE_ASCII.sub(_show, text)


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


def html_text(text) -> str:
    """Clean text for HTML element content or a quoted attribute value: markup shown literally."""
    return html.escape(clean(text), quote=True)


def xml_text(text) -> str:
    """Clean text for XML 1.0 content or attributes (the XML writer escapes ``< & "``).

    :func:`clean` leaves only characters XML 1.0 can carry: no C0 control but
    tab and newline, no surrogate, no U+FFFE or U+FFFF (unassigned).
    """
    return clean(text)


def markdown_text(text) -> str:
    """Clean text for Markdown outside code blocks: HTML and Markdown syntax shown literally."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(clean(text), quote=True))


def csv_cell(text) -> str:
    """Clean text for a spreadsheet cell: nothing a spreadsheet could take for a formula.

    A cell whose first visible character is ``= + - @`` (or its full-width
    form) starts with ``'`` instead, which spreadsheets show as text; tabs
    become spaces (a leading tab also starts a formula in some).
    """
    text = clean(text).replace("\t", " ")
    first = text.lstrip()[:1]
    return "'" + text if first and unicodedata.normalize("NFKC", first)[:1] in _FORMULA_START else text


def csv_lines(rows, fields):
    """A CSV table a line at a time, the header first: every text cell through :func:`csv_cell`, numbers as
    they are; ``rows`` are read as the lines are made, so a table of any length is never held whole."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), lineterminator="\n")
    writer.writeheader()
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow({k: csv_cell(v) if isinstance(v, str) else v for k, v in row.items()})
        yield buffer.getvalue()
