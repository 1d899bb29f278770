"""All of thematic's file input and output: reading data files, writing outputs atomically.

Everything else in the package works on strings, dicts and DataFrames.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from thematic.errors import DataError, Errors

PROJECT_MARKERS = ("pyproject.toml", "params")


def project_root(start: str | os.PathLike | None = None) -> Path:
    """The project folder: ``$THEMATIC_PROJECT_ROOT``, else the nearest parent of *start*
    (default: the working directory) holding ``pyproject.toml`` or ``params/``."""
    if os.environ.get("THEMATIC_PROJECT_ROOT"):
        return Path(os.environ["THEMATIC_PROJECT_ROOT"]).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder
    return here


def resolve(path: str | os.PathLike, *, root: str | os.PathLike | None = None) -> Path:
    """Resolve *path* against the project root (not the working directory) unless absolute."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else (Path(root) if root else project_root()) / path


def read_text(path: str | os.PathLike) -> str:
    """Read a text file in whatever encoding a Windows or Mac tool wrote it (see
    :func:`decode_text`).

    Line endings become ``\\n`` and non-breaking spaces plain spaces, so that character
    offsets mean the same on every platform.
    """
    return normalise_text(read_text_verbatim(path))


def normalise_text(text: str) -> str:
    """*text* with ``\n`` line endings and plain spaces for non-breaking ones (as read)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")


def read_text_verbatim(path: str | os.PathLike) -> str:
    """Read a text file like :func:`read_text` but keep its line endings and spaces as stored.

    Used where offsets must match the file byte for byte (REFI-QDA export).
    """
    path = Path(path)
    if not path.exists():
        raise DataError(Errors.E001.format(path=path, hint="Check the path in interviews.csv."))
    if path.is_dir():
        raise DataError(Errors.E201.format(path=path))
    return decode_text(path.read_bytes(), source=path)


#: Byte-order marks, longest first (a UTF-32 LE mark starts like a UTF-16 LE one).
BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode_text(data: bytes, *, source: str | os.PathLike = "<bytes>") -> str:
    """Decode the bytes of a text file.

    UTF-8 with or without a byte-order mark; UTF-16 (and UTF-32) with a byte-order mark, and
    UTF-16 without one when every other byte is NUL; otherwise Windows-1252, line by line, so
    that a file mixing UTF-8 and Windows-1252 lines (text pasted from two tools) reads right.

    Raises
    ------
    DataError
        NUL bytes in a UTF-8 or Windows-1252 text (E203), bytes that no encoding explains
        (E204), naming the line.
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return _decode_whole(data[len(bom):], encoding, source)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _decode_whole(data, utf16, source)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise DataError(Errors.E203.format(path=source, line=data.count(b"\n", 0, nul) + 1))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lines, offset = [], 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                lines.append(line.decode("cp1252"))
            except UnicodeDecodeError as error:
                raise DataError(Errors.E204.format(path=source, line=number, position=offset + error.start,
                                                   encoding="as UTF-8 or Windows-1252")) from None
        offset += len(line) + 1
    return "\n".join(lines)


def _utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when the NUL bytes say so (ASCII-range text in UTF-16
    has a NUL in every other byte), else None."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    odd = sum(1 for i in range(1, 2 * pairs, 2) if sample[i] == 0)
    even = sum(1 for i in range(0, 2 * pairs, 2) if sample[i] == 0)
    if odd >= 0.6 * pairs and even <= 0.05 * pairs:
        return "utf-16-le"
    if even >= 0.6 * pairs and odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _decode_whole(data: bytes, encoding: str, source: str | os.PathLike) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[:error.start].decode(encoding, errors="replace").count("\n") + 1
        raise DataError(Errors.E204.format(path=source, line=line, position=error.start,
                                           encoding=f"as {encoding.upper()}")) from None
    if encoding == "utf-8" and "\x00" in text:
        raise DataError(Errors.E203.format(path=source, line=text.count("\n", 0, text.index("\x00")) + 1))
    return text


def read_csv(path: str | os.PathLike, *, required: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read a CSV of strings; check *required* columns. Adds ``_line`` (file line number)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(Errors.E001.format(path=path, hint="See data-sample/ for the expected files."))
    text = read_text(path)
    try:
        frame = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise DataError(Errors.E008.format(path=path, detail="the file is empty; it needs a header row "
                                           f"with the columns {list(required)}")) from None
    except pd.errors.ParserError as error:
        raise DataError(Errors.E008.format(path=path, detail=f"not a readable CSV file ({error})")) from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataError(Errors.E003.format(path=path, missing=missing, expected=list(required)))
    frame = frame.apply(lambda col: col.str.strip().map(restore_formula).str.strip())
    frame.insert(len(frame.columns), "_line", range(2, len(frame) + 2))
    return frame


#: The most thematic reads from one YAML file (codebook, parameters, settings, known names,
#: member-check replies): its size in bytes, its nesting, and the values it holds once every
#: alias is expanded. A codebook nests six levels and holds a few thousand values.
YAML_MAX_BYTES = 20_000_000
YAML_MAX_DEPTH = 50
YAML_MAX_VALUES = 1_000_000
#: libyaml's safe loader where PyYAML was built with it (about 10x faster than the pure-Python
#: one, which still words the message of a file that does not parse).
_FAST_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: str | os.PathLike) -> Any:
    """Parse a YAML file safely; a syntax error names the file, line and column.

    Before anything is built, the file is checked against :data:`YAML_MAX_BYTES`,
    :data:`YAML_MAX_DEPTH` and :data:`YAML_MAX_VALUES` (aliases counted as the values they
    expand to), so a deeply nested file or an alias bomb fails at once with a message instead of
    a RecursionError or a hang, and an alias that refers to itself is refused.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(Errors.E001.format(path=path, hint="Create it or fix the path."))
    if path.is_file() and path.stat().st_size > YAML_MAX_BYTES:
        raise DataError(Errors.E808.format(path=path, size=path.stat().st_size, limit=YAML_MAX_BYTES))
    text = read_text(path)
    try:
        try:
            _check_yaml_limits(text, source=path, loader=_FAST_YAML)
            return yaml.load(text, Loader=_FAST_YAML)  # noqa: S506 - a safe loader
        except yaml.YAMLError:  # said as the pure-Python loader says it
            _check_yaml_limits(text, source=path)
            return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        detail = f"line {mark.line + 1}, column {mark.column + 1}: {error.problem}" if mark else str(error)
        raise DataError(Errors.E007.format(path=path, detail=detail)) from None


def _check_yaml_limits(text: str, *, source: Path, loader: type = yaml.SafeLoader) -> None:
    """Walk the YAML events (no recursion, nothing built) and enforce the limits of
    :func:`read_yaml`; a collection's size counts every value below it, aliases expanded."""
    depth, values = 0, 0
    open_sizes: list[int] = [0]            # values inside each open collection, innermost last
    open_anchors: list[str | None] = []
    sizes: dict[str, int] = {}             # anchor -> values it stands for
    for event in yaml.parse(text, Loader=loader):
        line = event.start_mark.line + 1 if event.start_mark else "?"
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > YAML_MAX_DEPTH:
                raise DataError(Errors.E806.format(path=source, line=line, limit=YAML_MAX_DEPTH))
            open_sizes.append(1)
            open_anchors.append(event.anchor)
            added = 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            size, anchor = open_sizes.pop(), open_anchors.pop()
            if anchor is not None:
                sizes[anchor] = size
            open_sizes[-1] += size
            continue
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                sizes[event.anchor] = 1
            open_sizes[-1] += 1
            added = 1
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor in open_anchors:
                raise DataError(Errors.E807.format(path=source, line=line,
                                                   detail=f"the alias *{event.anchor} refers to a value it is part of"))
            added = sizes.get(event.anchor, 1)
            open_sizes[-1] += added
        else:
            continue
        values += added
        if values > YAML_MAX_VALUES:
            raise DataError(Errors.E807.format(path=source, line=line,
                                               detail=f"aliases expand to more than {YAML_MAX_VALUES:,} values (an alias bomb?)"))


def sha256_file(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def iter_files(folder: str | os.PathLike) -> Iterator[Path]:
    """Every regular file below *folder*, sorted, skipping hidden files and folders."""
    folder = Path(folder)
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts):
            yield path


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside *path*; on success move it into place in one step."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp makes the file private (0600); give it the mode any new file would get.
        os.chmod(tmp, 0o666 & ~umask())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def umask() -> int:
    """The process's file-creation mask (new files get ``0o666 & ~umask()``)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 text atomically, line endings exactly as given (no conversion on Windows)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="")
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write bytes atomically (text whose line endings must survive unchanged)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_tree(folder: str | os.PathLike, files: dict[str, bytes]) -> Path:
    """Write *files* (relative path -> bytes) into *folder*, a fresh staging folder.

    Files are written directly, not one by one atomically: the caller swaps the whole folder
    into place (:func:`thematic.folders.owned_output`).
    """
    folder = Path(folder)
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def write_json(path: str | os.PathLike, data: Any) -> Path:
    """Write JSON (sorted keys, indented) atomically."""
    return write_text(path, json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


#: What opens a spreadsheet formula: a text cell starting so is run by Excel or LibreOffice
#: when the CSV is opened ("=HYPERLINK(...)" in a transcript would reach review.csv).
FORMULA_START = frozenset("=+-@\t\r")


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def neutralise_formula(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, with an apostrophe before it (as OWASP
    advises); so is a cell already starting with apostrophes before such a character, so that
    :func:`restore_formula` gives back exactly what was written. Numbers ("-0.5") are kept."""
    if not isinstance(value, str) or not value:
        return value
    bare = value.lstrip("'")
    if bare[:1] in FORMULA_START and bare and not _is_number(value):
        return "'" + value
    return value


def restore_formula(value: str) -> str:
    """The inverse of :func:`neutralise_formula`."""
    if value.startswith("'") and value.lstrip("'")[:1] in FORMULA_START and value.lstrip("'"):
        return value[1:]
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A DataFrame as UTF-8 CSV, without the index unless it is named, ``\n`` line endings;
    text cells that a spreadsheet would run as formulas are neutralised (:func:`neutralise_formula`)."""
    index = any(name is not None for name in frame.index.names)
    text = [i for i, dtype in enumerate(frame.dtypes) if dtype == object or pd.api.types.is_string_dtype(dtype)]
    if text:
        frame = frame.copy()
        for i in text:
            frame.isetitem(i, frame.iloc[:, i].map(neutralise_formula))
    return frame.to_csv(index=index, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).encode("utf-8")


def write_csv(path: str | os.PathLike, frame: pd.DataFrame) -> Path:
    """Write a DataFrame as CSV atomically (see :func:`csv_bytes`)."""
    return write_bytes(path, csv_bytes(frame))

