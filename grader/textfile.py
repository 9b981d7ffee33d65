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

MAX_SOURCE_BYTES = 2 << 20
MAX_NOTEBOOK_BYTES = 32 << 20  # notebooks carry their outputs (plots as base64)

_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_SAVE_AS_UTF8 = ("Save it as UTF-8 and grade again (VS Code: click the encoding in the status bar, "
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
            raise UnreadableFile(f"{path.name} is a symbolic link; the grader reads only regular files. "
                                 "Submit the file itself, not a link to it.")
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(f"{path.name} is not a regular file (it is a {_kind(info.st_mode)}); "
                                 "submit an ordinary file.")
        fd = os.open(path, flags)
    except UnreadableFile:
        raise
    except OSError as error:
        if getattr(error, "errno", None) == getattr(os, "ELOOP", -1):
            raise UnreadableFile(f"{path.name} is a symbolic link; the grader reads only regular files.") from None
        raise UnreadableFile(f"{path.name} could not be read ({error.strerror or error}).") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(f"{path.name} is not a regular file; submit an ordinary file.")
        if info.st_size > limit:
            raise UnreadableFile(f"{path.name} is {info.st_size >> 10} KB, more than the {limit >> 10} KB the grader "
                                 "reads; remove large outputs or data from it.")
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise UnreadableFile(f"{path.name} is more than the {limit >> 10} KB the grader reads.")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise UnreadableFile(f"{path.name} could not be read ({error.strerror or error}).") from None
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISDIR(mode):
        return "folder"
    return "special file"


def decode_source(raw: bytes, filename: str) -> tuple[str, tuple[str, ...]]:
    """``(text with LF line ends, notes)``; raises :class:`UnreadableFile` naming the encoding."""
    notes: tuple[str, ...] = ()
    if raw.startswith(codecs.BOM_UTF8):
        text = _strict(raw[3:], "utf-8", filename, "UTF-8 (with a BOM)")
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _strict(raw, "utf-16", filename, "UTF-16")
        notes = (f"{filename} is saved as UTF-16; it was read, but UTF-8 is the usual encoding for Python files.",)
    elif _looks_utf16(raw):
        encoding = "utf-16-le" if raw[1:2] == b"\0" else "utf-16-be"
        text = _strict(raw, encoding, filename, "UTF-16 without a BOM")
        notes = (f"{filename} is saved as UTF-16; it was read, but UTF-8 is the usual encoding for Python files.",)
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
        raise UnreadableFile(f"{filename} looks like {described} text but is not valid {described} "
                             f"(byte {error.start}). {_SAVE_AS_UTF8}") from None


def _looks_utf16(raw: bytes) -> bool:
    sample = raw[:200]
    if len(sample) < 4:
        return False
    zeros_even, zeros_odd = sample[0::2].count(0), sample[1::2].count(0)
    return max(zeros_even, zeros_odd) > len(sample) // 4 and min(zeros_even, zeros_odd) == 0


def _legacy(raw: bytes, filename: str, error: UnicodeDecodeError) -> tuple[str, tuple[str, ...]]:
    """A file that is not UTF-8: its coding line, else Korean Windows (CP949), else refused."""
    line = raw[: error.start].count(b"\n") + 1
    not_utf8 = f"{filename} is not UTF-8 text (byte 0x{raw[error.start]:02x} on line {line})"
    for first_lines in raw.splitlines()[:2]:
        declared = _CODING.match(first_lines)
        if declared:
            name = declared.group(1).decode("ascii", "replace")
            try:
                return raw.decode(name), (f"{not_utf8}; it was read as {name}, as its coding line says.",)
            except (LookupError, UnicodeDecodeError):
                raise UnreadableFile(f"{not_utf8}, nor valid {name} as its coding line says. {_SAVE_AS_UTF8}") from None
    try:
        text = raw.decode("cp949")
    except UnicodeDecodeError:
        text = None
    if text is not None and re.search("[\uac00-\ud7a3]", text):
        return text, (f"{filename} is saved in the Korean Windows encoding (CP949/EUC-KR); it was read as such. "
                      f"UTF-8 is safer: {_SAVE_AS_UTF8}",)
    guess = "Latin-1 or Windows-1252" if all(b < 0x80 or b >= 0xa0 for b in raw) else "an unknown encoding"
    raise UnreadableFile(f"{not_utf8}; it looks like {guess}. {_SAVE_AS_UTF8}")
