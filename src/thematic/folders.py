"""Folders thematic creates and replaces: owned, never borrowed.

A command that writes a whole folder (``thematic report``, ``thematic qdpx import``,
``thematic init``) builds it in a staging folder beside its target and swaps it in with one
rename, so a crash leaves either the old folder or the new one, never half of each. It only
ever replaces a folder it made itself, marked by :data:`MARKER`, and it refuses outright:

- ``/``, the home folder, the project root and the working directory, and every folder above
  them;
- the study's data folder, every folder above it and every folder inside it;
- a symbolic link, a file, or an existing folder that is not empty and carries no marker.

One writer at a time: :func:`owned_output` holds a lock beside the target, and removes the
staging folders that interrupted runs left behind.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from thematic.errors import Errors, OutputError

#: The file that says "thematic made this folder, and may replace it".
MARKER = ".thematic-folder.json"


@dataclass(frozen=True)
class Staging:
    """A staging folder being filled for *target*; :func:`owned_output` swaps it in."""

    path: Path
    target: Path
    kind: str


def protected_places(*, data_dirs: Iterable[str | os.PathLike] = ()) -> dict[Path, str]:
    """Folders no command may replace, with why: root, home, project, working folder, data."""
    from thematic.io import project_root

    places = {Path("/").resolve(): "the file system root",
              Path.home().resolve(): "your home folder",
              project_root().resolve(): "the project folder",
              Path.cwd().resolve(): "the working folder"}
    for data_dir in data_dirs:
        places[Path(data_dir).expanduser().resolve()] = "the study's data folder"
    return places


def check_target(target: str | os.PathLike, *, kind: str,
                 data_dirs: Iterable[str | os.PathLike] = ()) -> Path:
    """The resolved *target* folder if thematic may write a *kind* folder there.

    Raises
    ------
    OutputError
        If *target* is protected, lies inside a data folder, is a link or a file, or is an
        existing non-empty folder that thematic did not make (each message says what to do).
    """
    given = Path(target).expanduser()
    restore_interrupted(given)
    if given.is_symlink():
        raise OutputError(Errors.E801.format(path=given, kind=kind, reason="it is a symbolic link"))
    resolved = given.resolve()
    data = [Path(d).expanduser().resolve() for d in data_dirs]
    for place, why in protected_places(data_dirs=data).items():
        if resolved == place or place.is_relative_to(resolved):
            reason = f"it is {why}" if resolved == place else f"it holds {why} ({place})"
            raise OutputError(Errors.E801.format(path=given, kind=kind, reason=reason))
    for folder in data:
        if resolved.is_relative_to(folder):
            raise OutputError(Errors.E801.format(path=given, kind=kind,
                                                 reason=f"it lies inside the study's data folder {folder}"))
    if resolved.exists() and not resolved.is_dir():
        raise OutputError(Errors.E801.format(path=given, kind=kind, reason="it is a file"))
    if resolved.is_dir() and not is_owned(resolved) and any(resolved.iterdir()):
        raise OutputError(Errors.E802.format(path=given, kind=kind))
    return resolved


def is_owned(folder: Path, *, kind: str | None = None) -> bool:
    """Whether *folder* carries thematic's marker (of *kind*, if given)."""
    marker = folder / MARKER
    if folder.is_symlink() or marker.is_symlink() or not marker.is_file():
        return _is_legacy_report(folder) and kind in (None, "report")
    try:
        found = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(found, dict) and (kind is None or found.get("kind") == kind)


def _is_legacy_report(folder: Path) -> bool:
    """A report written before markers existed: its manifest names thematic and its phases."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(manifest, dict) and "thematic_version" in manifest and "phases" in manifest
            and (folder / "index.html").is_file())


def mark(folder: Path, *, kind: str) -> None:
    """Write thematic's marker into *folder* (a folder thematic is creating)."""
    from thematic import __version__

    (folder / MARKER).write_text(json.dumps({"kind": kind, "made_by": f"thematic {__version__}"}) + "\n",
                                 encoding="utf-8")


@contextmanager
def owned_output(target: str | os.PathLike, *, kind: str,
                 data_dirs: Iterable[str | os.PathLike] = ()) -> Iterator[Staging]:
    """Check *target*, lock it, and yield a fresh staging folder to fill.

    On normal exit the staging folder replaces *target* in one rename; on an exception it is
    removed and *target* is untouched (use :func:`keep_failed` first to keep it for
    inspection).
    """
    target = check_target(target, kind=kind, data_dirs=data_dirs)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock(target):
        # Checked again under the lock: another writer may have changed it meanwhile.
        target = check_target(target, kind=kind, data_dirs=data_dirs)
        remove_leftovers(target)
        staging = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        staging.mkdir()
        mark(staging, kind=kind)
        try:
            yield Staging(staging, target, kind)
            _swap_in(staging, target)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)


def keep_failed(staging: Staging) -> Path:
    """Move a failed run's staging folder to ``<target>.failed`` for inspection; return it.

    An existing ``.failed`` folder is replaced only if thematic made it; otherwise the failed
    run gets a numbered name beside it.
    """
    kept = staging.target.with_name(f"{staging.target.name}.failed")
    number = 1
    while kept.exists() or kept.is_symlink():
        if not kept.is_symlink() and kept.is_dir() and is_owned(kept, kind=staging.kind):
            shutil.rmtree(kept)
            break
        number += 1
        kept = staging.target.with_name(f"{staging.target.name}.failed-{number}")
    os.replace(staging.path, kept)
    return kept


#: Names of the folders interrupted runs leave beside a target.
_LEFTOVER = r"\.{name}\.(tmp-\d+|old|import-[A-Za-z0-9_]+)"


def restore_interrupted(target: Path) -> bool:
    """Put back a folder that a run killed between the two renames of a swap left aside.

    The swap moves ``<name>`` to ``.<name>.old``, then the staging folder to ``<name>``; a
    kill in between leaves ``.<name>.old`` and no ``<name>``. That folder is the last complete
    one (and may hold a researcher's work since): it is renamed back, never removed. Returns
    whether there was one.
    """
    target = Path(target).expanduser().absolute()
    if not target.name:
        return False
    old = target.with_name(f".{target.name}.old")
    if old.is_dir() and not old.is_symlink() and not target.exists() and not target.is_symlink():
        os.replace(old, target)
        return True
    return False


def remove_leftovers(target: Path) -> list[Path]:
    """Remove staging folders that interrupted runs left beside *target* (call under the lock),
    after putting back a folder an interrupted swap left aside (:func:`restore_interrupted`)."""
    restore_interrupted(target)
    pattern = re.compile(_LEFTOVER.format(name=re.escape(target.name)))
    removed = []
    for path in sorted(target.parent.glob(f".{target.name}.*")):
        if pattern.fullmatch(path.name) and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _swap_in(staging: Path, target: Path) -> None:
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _lock(target: Path) -> Iterator[None]:
    """An exclusive lock on *target* for this process, or OutputError naming the other writer."""
    lock_path = target.with_name(f".{target.name}.lock")
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock, as before
        yield
        return
    handle = open(lock_path, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise OutputError(Errors.E803.format(path=target, holder=holder)) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()
