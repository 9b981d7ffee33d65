"""Reports: the one report, rendered for people (text, HTML), tools (JSON, JUnit) and platforms.

May import: grader.lang, grader.judge.

Report formats. Each module turns the report (a :class:`grader.judge.record.Report`, or its dict: the JSON
report of the README) into text, through the helpers of :mod:`grader.reports.shared`.

``FORMATS`` maps a ``--format`` name to ``(module, default file name)``; a
module exposes ``render(report, **options) -> str``. Modules are
imported only when their format is used.
"""
from __future__ import annotations

import codecs
import importlib
import os
import tempfile
from pathlib import Path

FORMATS = {
    "text": ("text", None),
    "json": ("json_report", "grade-report.json"),
    "markdown": ("markdown", "grade-report.md"),
    "junit": ("junit", "grade-junit.xml"),
    "gradescope": ("gradescope", "results.json"),
    "html": ("html", "grade-report.html"),
}


def render(report, fmt: str, **options) -> str:
    """``report`` (a ``Report`` or its dict) in ``fmt``; every string is cleaned first (see
    ``grader.lang.sanitize``), whatever its origin."""
    from grader.lang.sanitize import clean_data

    module = importlib.import_module(f"{__name__}.{FORMATS[fmt][0]}")
    return module.render(clean_data(report if isinstance(report, dict) else report.to_dict()), **options)


def write_atomically(path: Path | str, content, encoding: str = "utf-8") -> Path:
    """Write via a temporary file and a rename, so a reader never sees half a file.

    ``content`` is text, bytes, or text in pieces (see :func:`encoded`).
    The file gets the mode the user's umask gives a new file (``grader batch``
    keeps its reports private with a folder of mode 0700 instead).

    A target that exists but is not a regular file (``/dev/null``, a FIFO, a
    terminal) is written to as it is: renaming over it would replace a device
    that other programs rely on.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        with open(path, "wb") as target:
            target.writelines(encoded(content, encoding))
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.writelines(encoded(content, encoding))
        if os.name == "posix":
            os.chmod(tmp, 0o666 & ~_umask())  # as any file the user makes (mkstemp's is 0600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def encoded(content, encoding: str = "utf-8"):
    """The bytes of ``content`` (text, bytes, or an iterable of text pieces, each encoded as it comes, so a
    file of any size is written without being held whole); what ``encoding`` cannot hold is replaced."""
    if isinstance(content, (bytes, bytearray, memoryview)):
        yield content
        return
    encoder = codecs.getincrementalencoder(encoding)("replace")  # one byte-order mark, however many pieces
    for piece in [content] if isinstance(content, str) else content:
        yield encoder.encode(piece)
    yield encoder.encode("", final=True)


def _umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask
