"""A student's ``.zip``, unpacked for grading without trusting it: no path leaves the folder, no link is
followed, and neither the number of entries nor the unpacked size can exceed the limits, whatever the
archive's headers claim."""
from __future__ import annotations

import os
import struct
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from grader.lang import _

MAX_ZIP_BYTES = 50 * 2**20  # uncompressed; a course's modules are a few kB
MAX_ZIP_FILES = 1000
MAX_CENTRAL_DIRECTORY = MAX_ZIP_FILES * (46 + 2 * 0xFFFF)  # the most MAX_ZIP_FILES entries can take
_END_OF_DIRECTORY = struct.Struct("<4s4H2LH")  # signature, disks, entries here, entries, size, offset, comment
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_END = struct.Struct("<4sQ2H2L4Q")


class BrokenSubmission(Exception):
    """The submission cannot be opened; the message is for the gradebook."""


def zip_directory_size(archive: Path) -> tuple[int, int]:
    """``(entries, bytes)`` of a zip's central directory, read from its end record alone.

    ``zipfile`` parses the whole central directory when it opens an archive
    (hundreds of MB of Python objects for a few hundred thousand entries), so
    the counts are checked here first, from the last 64 kB of the file.
    """
    with open(archive, "rb") as f:
        f.seek(0, os.SEEK_END)
        length = f.tell()
        f.seek(max(0, length - _END_OF_DIRECTORY.size - 0xFFFF))
        tail = f.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < _END_OF_DIRECTORY.size:
            raise BrokenSubmission(_("{name} is not a readable zip file (no end of central directory)").format(
                name=archive.name))
        entries, size = _END_OF_DIRECTORY.unpack_from(tail, at)[4:6]
        start = length - len(tail) + at
        if (entries == 0xFFFF or size == 0xFFFFFFFF) and start >= _ZIP64_LOCATOR.size:
            f.seek(start - _ZIP64_LOCATOR.size)
            signature, end64 = _ZIP64_LOCATOR.unpack(f.read(_ZIP64_LOCATOR.size))[::2]
            if signature == b"PK\x06\x07" and end64 < length:
                f.seek(end64)
                record = f.read(_ZIP64_END.size)
                if len(record) == _ZIP64_END.size and record[:4] == b"PK\x06\x06":
                    entries, size = _ZIP64_END.unpack(record)[7:9]
    return entries, size


def check_zip_directory(archive: Path) -> None:
    """Refuse a zip with too many entries or too large a directory before ``zipfile`` reads it."""
    try:
        entries, size = zip_directory_size(archive)
    except OSError as error:
        raise BrokenSubmission(_("{name} cannot be read ({error})").format(
            name=archive.name, error=error.strerror or error)) from None
    if entries > MAX_ZIP_FILES or size > MAX_CENTRAL_DIRECTORY:
        raise BrokenSubmission(_("{name} holds {entries} entries ({size} bytes of directory); the limit is "
                                 "{limit} files").format(name=archive.name, entries=entries, size=size,
                                                          limit=MAX_ZIP_FILES))


def extract_zip(archive: Path, dest: Path) -> None:
    """Unpack regular files only, refusing paths that leave ``dest`` and oversized contents."""
    check_zip_directory(archive)
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if len(members) > MAX_ZIP_FILES:
                raise BrokenSubmission(_("{file} holds {count} files; the limit is {limit}").format(
                    file=archive.name, count=len(members), limit=MAX_ZIP_FILES))
            declared = sum(m.file_size for m in members)
            if declared > MAX_ZIP_BYTES:
                raise BrokenSubmission(_("{name} unpacks to more than {limit} MB").format(
                    name=archive.name, limit=MAX_ZIP_BYTES // 2**20))
            budget = MAX_ZIP_BYTES
            for member in members:
                member.filename = zip_member_name(member)
                parts = PurePosixPath(member.filename.replace("\\", "/")).parts
                if member.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                    raise BrokenSubmission(_("{file} contains an unsafe path: {path}").format(
                        file=archive.name, path=repr(member.filename)))
                is_link = (member.external_attr >> 16) & 0o170000 == 0o120000
                if is_link or "__MACOSX" in parts:
                    continue
                target = dest.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as src, open(target, "wb") as out:
                    while chunk := src.read(1 << 16):  # count real bytes: headers can lie
                        budget -= len(chunk)
                        if budget < 0:
                            raise BrokenSubmission(_("{file} unpacks to more than {size} MB").format(
                                file=archive.name, size=MAX_ZIP_BYTES // 2**20))
                        out.write(chunk)
    except BrokenSubmission:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as error:
        raise BrokenSubmission(_("{file} is not a readable zip file ({error})").format(
            file=archive.name, error=error)) from None


def zip_member_name(member: zipfile.ZipInfo) -> str:
    """The member's real name: zips made on Korean Windows store CP949 names without saying so."""
    if member.flag_bits & 0x800:  # the name is marked as UTF-8
        return member.filename
    raw = member.filename.encode("cp437", "replace")
    for encoding in ("utf-8", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return member.filename
