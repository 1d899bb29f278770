"""Reuse of a phase notebook's previous execution when none of its inputs changed.

``thematic report`` runs each phase notebook in a kernel. When a notebook, the parameters passed
to it, the study's data folder, the files earlier phases wrote into the report, thematic's code,
the installed distributions, Python, the kernel and the environment variables that change
results are all as they were when the notebook last ran, its executed notebook and the files it
wrote are restored from the store instead of being executed again (as a build system skips a
target whose inputs did not change). When in doubt, the notebook is executed.

The module has two halves:

* the key (pure): :class:`Inputs` holds the hashes and values of everything a notebook can read,
  :func:`phase_key` hashes them (:func:`thematic.cache.stable_hash`), :func:`changed_files` and
  :func:`retarget_notebook` work on dicts and strings;
* file I/O at the edges: :func:`folder_hashes`, :func:`environment_inputs` gather the inputs
  (files hashed with :func:`thematic.io.sha256_file`), :class:`Store` keeps, checks, restores
  and prunes the entries under ``<cache root>/notebooks/``.

Only a notebook whose metadata says ``"thematic": {"reuse": true}`` (the five phase notebooks,
which read nothing but their parameters, the data folder, the report folder as far as it is
written and the installed code) is ever reused; any other notebook (one of your own, a test's)
is executed every time.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from thematic import io
from thematic.cache import cache_root, stable_hash
from thematic.errors import Errors

#: The store's layout version: part of every key, so a change of layout starts afresh.
FORMAT = 1
#: Entries kept per notebook (the newest): e.g. the sample, a study of your own and one variant.
KEEP = 3
#: Folder of the store inside :func:`thematic.cache.cache_root`.
STORE_DIR = "notebooks"
ENTRY_FILE = "entry.json"
NOTEBOOK_FILE = "executed.ipynb"
FILES_DIR = "files"
#: Top-level names of the report folder the runner writes itself (never a phase's input or output).
RUNNER_OWNED = ("executed", "html", "manifest.json", "index.html", ".thematic-folder.json")
#: A phase's step timings: carried with its entry, but no input of a later phase.
TIMINGS = "timings"
#: Environment variables that can change what a notebook computes, besides every ``THEMATIC_*``.
KEYED_ENV = ("PYTHONPATH", "PYTHONHASHSEED", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "TZ", "LANG", "LC_ALL", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
#: A stored run's temporary folder older than this (seconds) was left by a killed store.
STALE_SECONDS = 3600


# --- the key (pure) ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Inputs:
    """Everything one notebook's run can depend on, as hashes and values.

    Attributes
    ----------
    notebook
        SHA-256 of the notebook file's bytes.
    parameters
        The parameters passed to it, except ``output_dir`` (where the report is staged differs
        from run to run and never changes a result).
    data
        Relative path -> SHA-256 of every file of the study's data folder (hidden ones too).
    staged
        Relative path -> SHA-256 of every file earlier phases wrote into the report folder
        (not the runner's own pages, executed notebooks and step timings).
    environment
        Thematic's source, installed distributions, Python, kernel, project and notebook
        folders, and environment variables (:func:`environment_inputs`).
    """

    notebook: str
    parameters: dict[str, Any]
    data: dict[str, str] = field(default_factory=dict)
    staged: dict[str, str] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)


def phase_key(inputs: Inputs) -> str:
    """The key of a notebook's run: a hash of every one of its *inputs* (32 hex digits)."""
    return stable_hash({"format": FORMAT, **asdict(inputs)})


def key_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    """*parameters* as they enter the key: ``output_dir`` left out (see :class:`Inputs`)."""
    return {name: value for name, value in sorted(parameters.items()) if name != "output_dir"}


def changed_files(before: dict[str, str], after: dict[str, str]) -> tuple[list[str], list[str]]:
    """Files written (new or changed) and files removed between two :func:`folder_hashes`."""
    written = sorted(p for p, digest in after.items() if before.get(p) != digest)
    removed = sorted(p for p in before if p not in after)
    return written, removed


def staged_inputs(hashes: dict[str, str]) -> dict[str, str]:
    """The files of a report folder's :func:`folder_hashes` that a later phase may read: not the
    runner's own outputs, nor step timings."""
    return {p: d for p, d in hashes.items() if p.split("/", 1)[0] not in (*RUNNER_OWNED, TIMINGS)}


def reusable(notebook: dict) -> bool:
    """Whether a notebook (its JSON) says it may be reused: ``metadata.thematic.reuse`` is true."""
    meta = notebook.get("metadata", {}).get("thematic", {})
    return isinstance(meta, dict) and meta.get("reuse") is True


def retarget_notebook(notebook: dict, *, old: str, new: str) -> dict:
    """*notebook* (its JSON) with the staging folder *old* named *new* where papermill wrote it:
    the injected parameters cell and papermill's metadata. Nothing else is touched."""
    if not old or old == new:
        return notebook
    forms = [(old, new), (json.dumps(old)[1:-1], json.dumps(new)[1:-1])]

    def swap(text: str) -> str:
        for before, after in forms:
            text = text.replace(before, after)
        return text

    for cell in notebook.get("cells", []):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            cell["source"] = swap(source) if isinstance(source, str) else [swap(s) for s in source]
    papermill = notebook.get("metadata", {}).get("papermill", {})
    if isinstance(papermill, dict):
        if isinstance(papermill.get("output_path"), str):
            papermill["output_path"] = swap(papermill["output_path"])
        parameters = papermill.get("parameters")
        if isinstance(parameters, dict) and isinstance(parameters.get("output_dir"), str):
            parameters["output_dir"] = swap(parameters["output_dir"])
    return notebook


def _safe_relative(relative: str) -> bool:
    """Whether *relative* (from an entry) names a file inside a folder: no absolute path, no
    ``..``, no backslash, no empty part, nothing of the runner's own."""
    parts = relative.split("/")
    return (bool(relative) and not relative.startswith("/") and "\\" not in relative and "\x00" not in relative
            and all(part not in ("", ".", "..") for part in parts) and parts[0] not in RUNNER_OWNED)


def notebook_folder_name(name: str) -> str:
    """The store's folder of the notebook *name*: its safe characters and a hash of the name, so
    that no name (``..``, markup, a slash) can lead out of the store or collide."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:60] or "notebook"
    return f"{safe}-{stable_hash(name)[:12]}"


# --- gathering the inputs (file I/O) ----------------------------------------------------------------

def folder_hashes(folder: Path, *, skip: Iterable[Path] = (), top_skip: Iterable[str] = ()) -> dict[str, str]:
    """Relative posix path -> SHA-256 of every file below *folder*, hidden files included and
    links followed (each folder once); *skip* folders and top-level names in *top_skip* left out.
    An unreadable file is keyed by the error, so it never matches a stored run."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    skipped = {Path(p).resolve() for p in skip}
    top = set(top_skip)
    hashes: dict[str, str] = {}
    seen: set[Path] = set()
    for current, dirs, files in os.walk(folder, followlinks=True):
        here = Path(current)
        real = here.resolve()
        relative_dir = here.relative_to(folder)
        if real in seen or real in skipped:
            dirs[:] = []
            continue
        seen.add(real)
        dirs.sort()
        if relative_dir == Path("."):
            dirs[:] = [d for d in dirs if d not in top]
            files = [f for f in files if f not in top]
        for name in sorted(files):
            path = here / name
            relative = (relative_dir / name).as_posix()
            try:
                hashes[relative] = io.sha256_file(path)
            except OSError as error:
                hashes[relative] = f"unreadable: {error.strerror or error}"
    return dict(sorted(hashes.items()))


def package_hashes() -> dict[str, str]:
    """SHA-256 of every file of the installed ``thematic`` package (.py, .yaml, templates...),
    compiled bytecode left out."""
    import thematic

    root = Path(thematic.__file__).resolve().parent
    return {path: digest for path, digest in folder_hashes(root).items()
            if "__pycache__" not in path.split("/") and not path.endswith((".pyc", ".pyo"))}


def distributions() -> list[tuple[str, str]]:
    """Every installed distribution on the path, as sorted ``(name, version)`` pairs."""
    from importlib import metadata

    found = set()
    for dist in metadata.distributions():
        name = dist.metadata["Name"] if dist.metadata else None
        found.add((str(name or "?").lower(), str(dist.version)))
    return sorted(found)


def kernel_spec(kernel_name: str) -> dict[str, Any]:
    """What starts the kernel *kernel_name* (its argv, environment and language), or an error."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        spec = KernelSpecManager().get_kernel_spec(kernel_name)
        return {"argv": list(spec.argv), "env": dict(spec.env), "language": spec.language}
    except Exception as error:  # noqa: BLE001 - papermill reports a missing kernel itself
        return {"error": f"{type(error).__name__}: {error}"}


def environment_inputs(*, kernel_name: str, notebooks_dir: Path) -> dict[str, Any]:
    """The inputs every notebook of a run shares: thematic's source, the installed
    distributions, Python, the kernel, the project and notebooks folders and the environment
    variables that can change results (every ``THEMATIC_*`` and :data:`KEYED_ENV`)."""
    import platform

    env = {name: value for name, value in os.environ.items() if name.startswith("THEMATIC_") or name in KEYED_ENV}
    return {
        "thematic": package_hashes(), "distributions": distributions(),
        "python": sys.version, "executable": sys.executable, "platform": platform.platform(),
        "kernel_name": kernel_name, "kernel": kernel_spec(kernel_name),
        "project_root": str(io.project_root()), "notebooks_dir": str(Path(notebooks_dir).resolve()),
        "env": dict(sorted(env.items())),
    }


# --- the store (file I/O) ------------------------------------------------------------------------

class Damaged(Exception):
    """A stored entry that cannot be trusted (the message says why)."""


@dataclass(frozen=True)
class Entry:
    """A stored run of one notebook: what it wrote, when it ran and how long it took."""

    folder: Path
    key: str
    notebook: str
    executed_at: str
    seconds: float
    output_dir: str
    files: dict[str, str]


class Store:
    """Stored runs of notebooks: ``<root>/<notebook folder>/<key>/`` holding ``entry.json``,
    ``executed.ipynb`` and ``files/`` (what the run wrote into the report folder).

    Parameters
    ----------
    root
        The store's folder (default ``notebooks/`` in :func:`thematic.cache.cache_root`).
    keep
        Entries kept per notebook, the newest (:data:`KEEP`).
    """

    def __init__(self, root: Path | None = None, *, keep: int = KEEP):
        self.root = Path(root) if root is not None else cache_root() / STORE_DIR
        self.keep = keep

    def folder(self, notebook: str) -> Path:
        return self.root / notebook_folder_name(notebook)

    def load(self, notebook: str, key: str) -> Entry | None:
        """The entry of *notebook* stored under *key*, checked whole; None if there is none.

        Raises
        ------
        Damaged
            If the entry exists but is unreadable, incomplete or altered.
        """
        if not re.fullmatch(r"[0-9a-f]{32}", key):
            raise Damaged(f"the key {key!r} is not a key")
        folder = self.folder(notebook) / key
        if not folder.exists() and not folder.is_symlink():
            return None
        if folder.is_symlink() or not folder.is_dir():
            raise Damaged("it is not a folder")
        try:
            record = json.loads((folder / ENTRY_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise Damaged(f"{ENTRY_FILE} is unreadable ({type(error).__name__})") from None
        try:
            if record["format"] != FORMAT or record["key"] != key or record["notebook"] != notebook:
                raise Damaged(f"{ENTRY_FILE} describes another run")
            files = dict(record["files"])
            entry = Entry(folder=folder, key=key, notebook=notebook, executed_at=str(record["executed_at"]),
                          seconds=float(record["seconds"]), output_dir=str(record["output_dir"]),
                          files={str(k): str(v) for k, v in files.items()})
            self._check_file(folder / NOTEBOOK_FILE, str(record["executed_sha256"]), folder)
        except (KeyError, TypeError, ValueError) as error:
            raise Damaged(f"{ENTRY_FILE} is incomplete ({type(error).__name__}: {error})") from None
        for relative, digest in entry.files.items():
            if not _safe_relative(relative):
                raise Damaged(f"it names a file outside the report folder ({relative!r})")
            self._check_file(folder / FILES_DIR / relative, digest, folder)
        return entry

    @staticmethod
    def _check_file(path: Path, digest: str, folder: Path) -> None:
        if path.is_symlink() or not path.is_file() or not path.resolve().is_relative_to(folder.resolve()):
            raise Damaged(f"{path.relative_to(folder).as_posix()} is missing")
        if io.sha256_file(path) != digest:
            raise Damaged(f"{path.relative_to(folder).as_posix()} is altered or truncated")

    def restore(self, entry: Entry, *, staging: Path, executed: Path) -> list[str]:
        """Write *entry*'s files into the report folder *staging* and its executed notebook to
        *executed* (with the staging folder renamed in it, :func:`retarget_notebook`); return
        the files written. On an error, what was written is removed again and it is raised."""
        written: list[Path] = []
        try:
            notebook = json.loads((entry.folder / NOTEBOOK_FILE).read_text(encoding="utf-8"))
            notebook = retarget_notebook(notebook, old=entry.output_dir, new=str(staging))
            for relative in entry.files:
                target = staging / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(entry.folder / FILES_DIR / relative, target)
                written.append(target)
            io.write_text(executed, json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
            written.append(executed)
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        return sorted(entry.files)

    def save(self, notebook: str, key: str, *, executed: Path, staging: Path, files: list[str],
             executed_at: str, seconds: float) -> Path:
        """Store a run: *executed* (the executed notebook) and *files* (relative to *staging*).

        The entry is written in a hidden temporary folder, ``entry.json`` last, then renamed
        into place in one step, so a store killed half-way leaves nothing taken as an entry.
        Then the notebook's entries beyond :attr:`keep` (the oldest) are removed."""
        folder = self.folder(notebook)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".tmp-{key}-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            (tmp / FILES_DIR).mkdir(parents=True)
            digests = {}
            for relative in files:
                if not _safe_relative(relative):
                    raise ValueError(f"not a file of the report folder: {relative!r}")
                target = tmp / FILES_DIR / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(staging / relative, target)
                digests[relative] = io.sha256_file(target)
            shutil.copyfile(executed, tmp / NOTEBOOK_FILE)
            record = {"format": FORMAT, "key": key, "notebook": notebook, "executed_at": executed_at,
                      "seconds": round(seconds, 2), "output_dir": str(staging), "files": digests,
                      "executed_sha256": io.sha256_file(tmp / NOTEBOOK_FILE), "stored": time.time()}
            (tmp / ENTRY_FILE).write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
            final = folder / key
            if final.exists() or final.is_symlink():  # a damaged entry, or another run's: replaced
                aside = folder / f".old-{key}-{os.getpid()}-{secrets.token_hex(4)}"
                os.replace(final, aside)
                shutil.rmtree(aside, ignore_errors=True)
            os.replace(tmp, final)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        self.prune(notebook)
        return final

    def entries(self, notebook: str) -> list[Path]:
        """The entry folders of *notebook*, newest first (by the time each was stored)."""
        folder = self.folder(notebook)
        if not folder.is_dir():
            return []

        def stored(path: Path) -> float:
            try:
                return float(json.loads((path / ENTRY_FILE).read_text(encoding="utf-8"))["stored"])
            except (OSError, ValueError, KeyError, TypeError):
                return 0.0

        found = [p for p in folder.iterdir() if not p.name.startswith(".") and p.is_dir() and not p.is_symlink()]
        return sorted(found, key=lambda p: (stored(p), p.name), reverse=True)

    def prune(self, notebook: str) -> None:
        """Keep the newest :attr:`keep` entries of *notebook*; remove what killed stores left."""
        for old in self.entries(notebook)[self.keep:]:
            shutil.rmtree(old, ignore_errors=True)
        now = time.time()
        for left in self.folder(notebook).glob(".*"):
            try:
                if now - left.stat().st_mtime > STALE_SECONDS:
                    shutil.rmtree(left, ignore_errors=True)
            except OSError:
                continue


# --- one report's runs -------------------------------------------------------------------------

@dataclass
class Decision:
    """What the runner does with one notebook: its key (None when it is never reused), the
    stored entry to restore (None: execute), and why."""

    key: str | None
    entry: Entry | None
    reason: str
    data_before: dict[str, str] = field(default_factory=dict)
    staged_before: dict[str, str] = field(default_factory=dict)


class Runs:
    """Reuse decisions for one report: a key per notebook, what to restore, what to store.

    Parameters
    ----------
    data_dir
        The study's data folder (None when the notebooks name none).
    kernel_name, notebooks_dir
        As the runner uses them.
    rerun
        Execute every notebook (the stored runs are still refreshed).
    store
        Where runs are kept (default :class:`Store`).
    echo
        Where the one-line messages go.
    """

    def __init__(self, *, data_dir: Path | None, kernel_name: str, notebooks_dir: Path, rerun: bool = False,
                 store: Store | None = None, echo=print):
        self.data_dir = Path(data_dir) if data_dir else None
        self.rerun, self.echo = rerun, echo
        self.store = store or Store()
        self._environment: dict[str, Any] | None = None
        self._data_after: dict[str, str] | None = None  # the data folder as the last stored run left it
        self._kernel_name, self._notebooks_dir = kernel_name, notebooks_dir

    def environment(self) -> dict[str, Any]:
        if self._environment is None:
            self._environment = environment_inputs(kernel_name=self._kernel_name, notebooks_dir=self._notebooks_dir)
        return self._environment

    def data_hashes(self) -> dict[str, str]:
        """The data folder's files, without the cache folder when it lies inside it."""
        if self.data_dir is None:
            return {}
        return folder_hashes(self.data_dir, skip=[cache_root()])

    def decide(self, notebook: Path, parameters: dict[str, Any], *, staging: Path) -> Decision:
        """The key of *notebook* run with *parameters* on the report folder *staging* as it is
        now, and the stored entry to restore, if any (a damaged one is said and ignored)."""
        try:
            marked = reusable(json.loads(notebook.read_bytes()))
        except ValueError:
            marked = False
        if not marked:  # nothing to hash: it is executed and never stored
            return Decision(None, None, "not marked for reuse")
        data = self._data_after if self._data_after is not None else self.data_hashes()
        self._data_after = None
        staged = folder_hashes(staging, top_skip=RUNNER_OWNED)
        inputs = Inputs(notebook=io.sha256_file(notebook), parameters=key_parameters(parameters), data=data,
                        staged=staged_inputs(staged), environment=self.environment())
        key = phase_key(inputs)
        if self.rerun:
            return Decision(key, None, "--rerun", data, staged)
        try:
            entry = self.store.load(notebook.name, key)
        except Exception as error:  # noqa: BLE001 - whatever is wrong with an entry, the notebook runs
            problem = error if isinstance(error, Damaged) else f"{type(error).__name__}: {error}"
            self.echo(Errors.E019.format(notebook=notebook.name, problem=problem))
            return Decision(key, None, "stored run damaged", data, staged)
        return Decision(key, entry, "inputs unchanged" if entry else "no stored run with these inputs",
                        data, staged)

    def restore(self, decision: Decision, *, staging: Path, executed: Path) -> bool:
        """Restore *decision*'s entry into *staging*; False (said in one line) if that failed."""
        try:
            self.store.restore(decision.entry, staging=staging, executed=executed)
        except Exception as error:  # noqa: BLE001 - the notebook is executed instead
            self.echo(Errors.E019.format(notebook=executed.name, problem=f"restoring it failed ({error})"))
            return False
        return True

    def remember(self, decision: Decision, notebook: Path, *, staging: Path, executed: Path,
                 executed_at: str, seconds: float) -> str:
        """Store the run just made, unless it cannot be replayed; return what happened."""
        if decision.key is None:
            return "not stored (not marked for reuse)"
        self._data_after = self.data_hashes()  # also the next notebook's "before": hashed once
        if self._data_after != decision.data_before:
            self.echo(Errors.E020.format(notebook=notebook.name))
            return "not stored (wrote into the data folder)"
        written, removed = changed_files(decision.staged_before, folder_hashes(staging, top_skip=RUNNER_OWNED))
        if removed:
            return "not stored (removed files of the report folder)"
        try:
            self.store.save(notebook.name, decision.key, executed=executed, staging=staging, files=written,
                            executed_at=executed_at, seconds=seconds)
        except Exception as error:  # noqa: BLE001 - a run not stored never fails a complete report
            self.echo(Errors.E021.format(notebook=notebook.name, problem=error))
            return "not stored (store failed)"
        return "stored"
