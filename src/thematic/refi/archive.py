"""Safe reading and atomic writing of ``.qdpx`` archives (zip files).

A ``.qdpx`` comes from outside the research team's control, so every member is checked
before anything is read: no absolute paths, no ``..``, no symbolic links, no duplicates, and
limits on the expanded size (in total and per member) and on the compression ratio. The
sizes the zip declares are not trusted: reading stops as soon as the real data exceed them.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from thematic import io
from thematic.errors import DataError, Errors

PROJECT_MEMBER = "project.qde"
#: Default limits; a real project with hours of transcripts stays far below them.
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200
#: Members smaller than this are not checked for their compression ratio (tiny files compress
#: unpredictably well and cannot hurt).
RATIO_FLOOR_BYTES = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
#: Only these members are unpacked (thematic reads plain text); pictures, PDFs, audio and
#: video are checked for safe names but never expanded.
TEXT_SUFFIXES = (".txt", ".qde")


@dataclass(frozen=True)
class Limits:
    """How much a ``.qdpx`` may expand to before it is refused."""

    total_bytes: int = MAX_TOTAL_BYTES
    member_bytes: int = MAX_MEMBER_BYTES
    ratio: float = MAX_RATIO


def read_archive(path: str | os.PathLike, *, limits: Limits | None = None) -> dict[str, bytes]:
    """The ``project.qde`` and plain-text members of the ``.qdpx`` at *path*, by normalised name.

    Raises
    ------
    DataError
        Naming the file and member, if the archive is not a zip, a member name is unsafe, a
        member is a symbolic link or appears twice, a limit is exceeded, or ``project.qde`` is
        missing.
    """
    path, limits = Path(path), limits or Limits()
    if not path.is_file():
        raise DataError(Errors.E001.format(path=path, hint="Give the path of a .qdpx or .qdc file."))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise DataError(Errors.E701.format(path=path, detail=error)) from None
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        names = [_check_member(path, info) for info in infos]
        seen: set[str] = set()
        for name in names:
            if name.lower() in seen:
                raise DataError(Errors.E711.format(path=path, member=name))
            seen.add(name.lower())
        if PROJECT_MEMBER not in names:
            raise DataError(Errors.E706.format(path=path))
        wanted = [(info, name) for info, name in zip(infos, names, strict=True)
                  if name == PROJECT_MEMBER or name.lower().endswith(TEXT_SUFFIXES)]
        declared = sum(info.file_size for info, _ in wanted)
        if declared > limits.total_bytes:
            raise DataError(Errors.E704.format(path=path, what="the archive's text", size=declared,
                                               limit=limits.total_bytes))
        for info, name in wanted:
            if info.file_size > limits.member_bytes:
                raise DataError(Errors.E704.format(path=path, what=f"member '{name}'",
                                                   size=info.file_size, limit=limits.member_bytes))
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_FLOOR_BYTES and ratio > limits.ratio:
                raise DataError(Errors.E705.format(path=path, member=name, ratio=ratio,
                                                   limit=limits.ratio))
        members, total = {}, 0
        for info, name in wanted:
            data = _read_bounded(archive, info, path=path, name=name,
                                 limit=min(info.file_size, limits.member_bytes))
            total += len(data)
            if total > limits.total_bytes:
                raise DataError(Errors.E704.format(path=path, what="the archive's text", size=total,
                                                   limit=limits.total_bytes))
            members[name] = data
    return members


def _check_member(path: Path, info: zipfile.ZipInfo) -> str:
    """The member's name as a relative POSIX path, or a DataError if it is unsafe."""
    raw = info.filename
    if stat.S_ISLNK(info.external_attr >> 16):
        raise DataError(Errors.E703.format(path=path, member=raw))
    name = raw.replace("\\", "/")
    if name.startswith("/") or _DRIVE.match(name):
        raise DataError(Errors.E702.format(path=path, member=raw, reason="absolute path"))
    parts = PurePosixPath(name).parts
    if ".." in parts:
        raise DataError(Errors.E702.format(path=path, member=raw, reason="'..' leaves the archive"))
    if "\x00" in name or not parts:
        raise DataError(Errors.E702.format(path=path, member=raw, reason="empty or NUL in name"))
    return "/".join(part for part in parts if part != ".")


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, path: Path, name: str,
                  limit: int) -> bytes:
    """Read a member, stopping with an error as soon as it exceeds *limit* bytes."""
    chunks, size = [], 0
    try:
        with archive.open(info) as stream:
            while block := stream.read(1 << 16):
                size += len(block)
                if size > limit:
                    raise DataError(Errors.E704.format(path=path, what=f"member '{name}'",
                                                       size=f"more than {limit}", limit=limit))
                chunks.append(block)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError,
            NotImplementedError) as error:
        raise DataError(Errors.E701.format(path=path, detail=f"member '{name}': {error}")) from None
    return b"".join(chunks)


def write_archive(path: str | os.PathLike, members: dict[str, bytes]) -> Path:
    """Write *members* (name -> bytes) as a deflated zip at *path*, atomically.

    Members are written in sorted order with a fixed timestamp, so the same content gives
    the same bytes.
    """
    path = Path(path)
    with io.atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members, key=lambda n: (n != PROJECT_MEMBER, n)):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, members[name])
    return path
