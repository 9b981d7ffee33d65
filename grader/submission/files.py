"""Reading a student's file safely, and its text whatever editor saved it.

A file is read only if it is a regular file, opened without following a
symbolic link, and not larger than a bound; anything else (a link, a FIFO, a
device, a read error) becomes a message for the student, never an exception.

Text is decoded as a student's editor wrote it: UTF-8 with or without a BOM,
UTF-16 with a BOM (Windows Notepad's "Unicode"), a PEP 263 coding line, and
the Korean Windows code page CP949 (a superset of EUC-KR). Line ends
(CRLF, CR) become LF. What cannot be decoded is refused with a message that
names the encoding found and how to save the file as UTF-8.
"""
from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path

from grader.lang import N_, _

MAX_SOURCE_BYTES = 2 << 20
MAX_NOTEBOOK_BYTES = 32 << 20  # notebooks carry their outputs (plots as base64)

_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_SAVE_AS_UTF8 = N_("Save it as UTF-8 and grade again (VS Code: click the encoding in the status bar, "
                   "'Save with Encoding', UTF-8; Notepad: Save As, Encoding: UTF-8).")


class UnreadableFile(ValueError):
    """The file cannot be read; ``str()`` tells the student why and what to do."""


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The bytes of the regular file ``path``; raises :class:`UnreadableFile` for anything else."""
    limit = limit if limit is not None else (MAX_NOTEBOOK_BYTES if path.suffix == ".ipynb" else MAX_SOURCE_BYTES)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            raise UnreadableFile(_("{file} is a symbolic link; the grader reads only regular files. "
                                   "Submit the file itself, not a link to it.").format(file=path.name))
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(_("{file} is not a regular file (it is a {kind}); submit an ordinary file.").format(
                file=path.name, kind=_kind(info.st_mode)))
        fd = os.open(path, flags)
    except UnreadableFile:
        raise
    except OSError as error:
        if getattr(error, "errno", None) == getattr(os, "ELOOP", -1):
            raise UnreadableFile(_("{file} is a symbolic link; the grader reads only regular files.").format(
                file=path.name)) from None
        raise UnreadableFile(_("{file} could not be read ({error}).").format(
            file=path.name, error=error.strerror or error)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(_("{file} is not a regular file; submit an ordinary file.").format(file=path.name))
        if info.st_size > limit:
            raise UnreadableFile(_("{file} is {size} KB, more than the {limit} KB the grader reads; remove large "
                                   "outputs or data from it.").format(file=path.name, size=info.st_size >> 10,
                                                                      limit=limit >> 10))
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise UnreadableFile(_("{file} is more than the {limit} KB the grader reads.").format(
                    file=path.name, limit=limit >> 10))
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise UnreadableFile(_("{file} could not be read ({error}).").format(
            file=path.name, error=error.strerror or error)) from None
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return _("named pipe (FIFO)")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("device")
    if stat.S_ISSOCK(mode):
        return _("socket")
    if stat.S_ISDIR(mode):
        return _("folder")
    return _("special file")


def decode_source(raw: bytes, filename: str) -> tuple[str, tuple[str, ...]]:
    """``(text with LF line ends, notes)``; raises :class:`UnreadableFile` naming the encoding."""
    notes: tuple[str, ...] = ()
    if raw.startswith(codecs.BOM_UTF8):
        text = _strict(raw[3:], "utf-8", filename, "UTF-8 (with a BOM)")
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _strict(raw, "utf-16", filename, "UTF-16")
        notes = (_("{file} is saved as UTF-16; it was read, but UTF-8 is the usual encoding for Python files.").format(
            file=filename),)
    elif _looks_utf16(raw):
        encoding = "utf-16-le" if raw[1:2] == b"\0" else "utf-16-be"
        text = _strict(raw, encoding, filename, "UTF-16 without a BOM")
        notes = (_("{file} is saved as UTF-16; it was read, but UTF-8 is the usual encoding for Python files.").format(
            file=filename),)
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            text, notes = _legacy(raw, filename, error)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, notes


def _strict(raw: bytes, encoding: str, filename: str, described: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise UnreadableFile(_("{file} looks like {encoding} text but is not valid {encoding} (byte {byte}).").format(
            file=filename, encoding=described, byte=error.start) + " " + _(_SAVE_AS_UTF8)) from None


def _looks_utf16(raw: bytes) -> bool:
    sample = raw[:200]
    if len(sample) < 4:
        return False
    zeros_even, zeros_odd = sample[0::2].count(0), sample[1::2].count(0)
    return max(zeros_even, zeros_odd) > len(sample) // 4 and min(zeros_even, zeros_odd) == 0


def _legacy(raw: bytes, filename: str, error: UnicodeDecodeError) -> tuple[str, tuple[str, ...]]:
    """A file that is not UTF-8: its coding line, else Korean Windows (CP949), else refused."""
    line = raw[: error.start].count(b"\n") + 1
    where = {"file": filename, "byte": f"0x{raw[error.start]:02x}", "line": line}
    for first_lines in raw.splitlines()[:2]:
        declared = _CODING.match(first_lines)
        if declared:
            name = declared.group(1).decode("ascii", "replace")
            try:
                return raw.decode(name), (_("{file} is not UTF-8 text (byte {byte} on line {line}); it was read as "
                                            "{encoding}, as its coding line says.").format(encoding=name, **where),)
            except (LookupError, UnicodeDecodeError):
                raise UnreadableFile(_("{file} is not UTF-8 text (byte {byte} on line {line}), nor valid {encoding} as "
                                       "its coding line says.").format(encoding=name, **where)
                                     + " " + _(_SAVE_AS_UTF8)) from None
    try:
        text = raw.decode("cp949")
    except UnicodeDecodeError:
        text = None
    if text is not None and re.search("[\uac00-\ud7a3]", text):
        return text, (_("{file} is saved in the Korean Windows encoding (CP949/EUC-KR); it was read as such. "
                        "UTF-8 is safer:").format(file=filename) + " " + _(_SAVE_AS_UTF8),)
    if all(b < 0x80 or b >= 0xa0 for b in raw):
        text = _("{file} is not UTF-8 text (byte {byte} on line {line}); it looks like Latin-1 or Windows-1252.")
    else:
        text = _("{file} is not UTF-8 text (byte {byte} on line {line}); it looks like an unknown encoding.")
    raise UnreadableFile(text.format(**where) + " " + _(_SAVE_AS_UTF8))
