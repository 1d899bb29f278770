"""``thematic bench refi``: REFI-QDA round trip on the sample corpus replicated N times.

Measures the fidelity of export -> import (codings, texts and codebook back unchanged) and the
cost of export and import relative to loading the same data folder (``load_dataset``), in the
same run, so the figures hold on a shared machine.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from thematic import io
from thematic.bench import BenchResult, register
from thematic.dataset import load_dataset


def replicate_sample(target: Path, *, copies: int, sample: Path | None = None) -> Path:
    """A data folder holding *copies* of the sample study (ids suffixed ``-c<n>``)."""
    sample = sample or io.project_root() / "data-sample"
    participants = io.read_csv(sample / "participants.csv").drop(columns="_line")
    interviews = io.read_csv(sample / "interviews.csv").drop(columns="_line")
    codings = {path.name: io.read_csv(path).drop(columns="_line") for path in (sample / "codings").glob("*.csv")}
    parts, views, coded = [], [], {name: [] for name in codings}
    for n in range(1, copies + 1):
        suffix = f"-c{n}"
        parts.append(participants.assign(participant_id=participants["participant_id"] + suffix,
                                         label=participants["label"] + suffix))
        views.append(interviews.assign(interview_id=interviews["interview_id"] + suffix,
                                       participant_id=interviews["participant_id"] + suffix,
                                       transcript="raw/" + interviews["interview_id"] + suffix + ".txt"))
        for name, frame in codings.items():
            coded[name].append(frame.assign(interview_id=frame["interview_id"] + suffix))
        for iid in interviews["interview_id"]:
            for folder in ("raw", "deidentified"):
                (target / folder).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(sample / folder / f"{iid}.txt", target / folder / f"{iid}{suffix}.txt")
    io.write_csv(target / "participants.csv", pd.concat(parts, ignore_index=True))
    io.write_csv(target / "interviews.csv", pd.concat(views, ignore_index=True))
    for name, frames in coded.items():
        io.write_csv(target / "codings" / name, pd.concat(frames, ignore_index=True))
    shutil.copyfile(sample / "codebook.yaml", target / "codebook.yaml")
    return target


def _timed(func, repeat: int) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = func()
        best = min(best, time.perf_counter() - start)
    return best, value


@register("refi")
def bench_refi(*, quick: bool = False) -> BenchResult:
    from thematic.refi import export_refi, import_refi

    copies, repeat = (1, 1) if quick else (8, 3)
    result = BenchResult("refi", notes=[f"sample corpus x{copies}, best of {repeat} runs"])
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = replicate_sample(tmp / "data", copies=copies)
        load_s, dataset = _timed(lambda: load_dataset(data), repeat)
        export_s, project = _timed(lambda: export_refi(data, tmp / "out.qdpx"), repeat)

        def run_import():
            shutil.rmtree(tmp / "back", ignore_errors=True)
            return import_refi(tmp / "out.qdpx", tmp / "back")

        import_s, _ = _timed(run_import, repeat)
        back = load_dataset(tmp / "back")
        columns = ["interview_id", "start", "end", "code", "coder", "memo"]
        merged = dataset.codings[columns].merge(back.codings[columns], how="outer", indicator=True)
        same = int((merged["_merge"] == "both").sum())
        n = len(dataset.codings)
        result.notes.append(f"{len(dataset.texts)} interviews, {n} codings, "
                            f"{(tmp / 'out.qdpx').stat().st_size / 1e6:.1f} MB .qdpx")
        result.add("codings back unchanged after export + import", same / max(n, len(back.codings)),
                   "fraction", at_least=1.0)
        result.add("texts back unchanged", float(back.texts == dataset.texts), "fraction", at_least=1.0)
        result.add("codebook back unchanged", float(back.codebook == dataset.codebook), "fraction",
                   at_least=1.0)
        result.add("export codings per second", project.counts()["codings"] / export_s, "codings/s")
        result.add("import codings per second", n / import_s, "codings/s")
        result.add("export time / load_dataset time", export_s / load_s, "x", at_most=3.0)
        result.add("import time / load_dataset time", import_s / load_s, "x", at_most=3.0)
    return result
