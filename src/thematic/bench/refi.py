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
from statistics import median

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


def _seconds(func) -> tuple[float, object]:
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


@register("refi")
def bench_refi(*, quick: bool = False) -> BenchResult:
    from thematic.refi import export_refi, import_refi

    copies, repeat = (1, 1) if quick else (8, 5)
    note = f"sample corpus x{copies}, {repeat} interleaved rounds of load_dataset, export, import"
    result = BenchResult("refi", notes=[note])
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = replicate_sample(tmp / "data", copies=copies)
        def run_import():
            shutil.rmtree(tmp / "back", ignore_errors=True)
            return import_refi(tmp / "out.qdpx", tmp / "back", deidentified=True)

        # interleaved rounds: each ratio compares runs made moments apart on this shared machine
        export_ratios, import_ratios, export_times, import_times = [], [], [], []
        for _ in range(repeat):
            load_s, dataset = _seconds(lambda: load_dataset(data))
            export_s, _ = _seconds(lambda: export_refi(data, tmp / "out.qdpx"))
            import_s, _ = _seconds(run_import)
            export_ratios.append(export_s / load_s)
            import_ratios.append(import_s / load_s)
            export_times.append(export_s)
            import_times.append(import_s)
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
        result.add("codebook back unchanged (as published: its text de-identified)",
                   float(back.codebook == dataset.for_publication().codebook), "fraction", at_least=1.0)
        result.add("export codings per second (best)", n / min(export_times), "codings/s")
        result.add("import codings per second (best)", n / min(import_times), "codings/s")
        result.add("export time / load_dataset time (median)", median(export_ratios), "x", at_most=3.0)
        result.add("import time / load_dataset time (median)", median(import_ratios), "x", at_most=3.0)
    return result
