"""What a methods reviewer needs beside the numbers: what the data are, and how each figure was made.

* :func:`synthetic_declaration` reads what a data folder declares about itself (is it
  synthetic, and how was it made), and :func:`methods_statement` turns that into the
  paragraph the report prints before any agreement figure: what the data are, how the coders
  were made, and what agreement between them can then mean.
* :func:`register_entry` and the ``*_entries`` helpers describe every reported statistic: its
  unit, how many units and interviews it rests on, how its interval was computed, and the
  seed, so one table (:func:`statistics_register`) answers a reviewer's first questions.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from thematic import io, resample
from thematic.settings import StudySettings
from thematic.study import Study

STUDY_FILE = "study.yaml"
REGISTER = "statistics-register"
REGISTER_COLUMNS = ["statistic", "shown_in", "unit", "units", "interviews", "clusters", "interval",
                    "resamples", "seed", "confidence"]
NO_INTERVAL = "none: a description of these interviews, or a declared rule applied to it"


@dataclass(frozen=True)
class SyntheticDeclaration:
    """What a data folder says about being synthetic."""

    synthetic: bool = False
    note: str = ""
    source: str = ""


def synthetic_declaration(study: str | Path | Study | StudySettings) -> SyntheticDeclaration:
    """What the study (a data folder, a :class:`~thematic.study.Study` or its settings) says about
    being synthetic: ``synthetic`` and ``synthetic_note`` of its ``study.yaml``.

    A missing file or key means not synthetic; a bad value is a DataError naming the file.
    """
    if not isinstance(study, StudySettings):
        study = study if isinstance(study, Study) else Study(study)
        if not study.settings_file.is_file():
            return SyntheticDeclaration()
        study = study.settings()
    return SyntheticDeclaration(synthetic=study.synthetic, note=" ".join(study.synthetic_note.split()),
                                source=STUDY_FILE)


def methods_statement(declaration: SyntheticDeclaration, *, coders: Sequence[str] = (),
                      interviews: int | None = None) -> str:
    """The methods paragraph for a synthetic study (Markdown); empty for real data.

    Says that the data are synthetic, what the study's own note says about how they (and the
    coders) were made, and what agreement between simulated coders can and cannot mean.
    """
    if not declaration.synthetic:
        return ""
    parts = ["**These data are synthetic.**"]
    if declaration.note:
        parts.append(declaration.note)
    else:
        parts.append(f"The data folder declares itself synthetic ({declaration.source}) without saying how "
                     "it was made.")
    if len(coders) >= 2:
        listed = ", ".join(coders[:-1]) + " and " + coders[-1]
        where = f" on {interviews} interviews" if interviews else ""
        parts.append(
            f"The agreement between {listed}{where} is therefore agreement between simulated coders: it "
            "measures how far the simulation makes them depart from one another, not how reliably people "
            "code this material. Read the figures as a demonstration of the method and of how wide the "
            "intervals of a study this size are, not as evidence about a coding team.")
    parts.append("No finding here describes real people or a real service.")
    return " ".join(parts)


# --- the reviewer's table -----------------------------------------------------------------------

def register_entry(statistic: str, *, shown_in: str, unit: str, units: int | str, interviews: int | str,
                   clusters: int | str = "", cluster: str = "", n_boot: int = 0, seed: int | str = "",
                   confidence: float | str = 0.95, within_groups: bool = True) -> dict:
    """One row of the register: a statistic, what it counts, and how its interval was made."""
    if n_boot:
        interval = f"{resample.METHOD} of {cluster or 'clusters'}" + (", within stakeholder groups"
                                                                       if within_groups else "")
    else:
        interval = NO_INTERVAL
    return {"statistic": statistic, "shown_in": shown_in, "unit": unit, "units": _span(units),
            "interviews": _span(interviews), "clusters": _span(clusters), "interval": interval,
            "resamples": n_boot or "", "seed": seed if n_boot else "", "confidence": confidence if n_boot else ""}


def _span(values: int | str | Iterable[int]) -> str:
    """``7`` or ``89-391`` (the range over codes) or text as given."""
    if isinstance(values, str):
        return values
    if isinstance(values, numbers.Number):
        return str(int(values))
    values = sorted({int(v) for v in values})
    if not values:
        return ""
    return str(values[0]) if values[0] == values[-1] else f"{values[0]}-{values[-1]}"


def agreement_entries(table: pd.DataFrame, *, shown_in: str, n_boot: int, seed: int,
                      confidence: float = 0.95) -> list[dict]:
    """Register rows for an :func:`thematic.agreement.agreement_table`: per code, pooled, prevalence."""
    from thematic.agreement import POOLED, STATISTICS

    codes, pooled = table[table["code"] != POOLED], table[table["code"] == POOLED]
    unit, cluster = table["unit"].iloc[0], table["cluster"].iloc[0]
    common = {"shown_in": shown_in, "unit": unit, "cluster": f"{cluster}s", "n_boot": n_boot, "seed": seed,
              "confidence": confidence}
    rows = [register_entry(f"agreement per code ({', '.join(STATISTICS)})", units=codes["units"],
                           interviews=codes["interviews"], clusters=codes["clusters"], **common),
            register_entry("prevalence per code (share of units either coder coded)", units=codes["units"],
                           interviews=codes["interviews"], clusters=codes["clusters"], **common)]
    if len(pooled):
        row = pooled.iloc[0]
        rows.append(register_entry("agreement, all codes pooled", units=int(row["units"]),
                                   interviews=int(row["interviews"]), clusters=int(row["clusters"]), **common))
    return rows


def wave_entries(waves: pd.DataFrame, *, shown_in: str, n_boot: int, seed: int,
                 confidence: float = 0.95) -> list[dict]:
    """Register rows for :func:`thematic.triangulate.wave_change`, one per group."""
    rows = []
    for group, part in waves.groupby("group", sort=False):
        people = int(part["participants"].iloc[0])
        rows.append(register_entry(
            f"change in coded share of talk, wave {part['first_wave'].iloc[0]} to {part['last_wave'].iloc[0]} "
            f"({group})", shown_in=shown_in, unit="participant (coded characters / own talk)", units=people,
            interviews=2 * people, clusters=people, cluster="participants", n_boot=n_boot, seed=seed,
            confidence=confidence, within_groups=False))
    return rows


def statistics_register(entries: Iterable[dict]) -> pd.DataFrame:
    """The reviewer's table: one row per reported statistic (see :func:`register_entry`)."""
    return pd.DataFrame(list(entries), columns=REGISTER_COLUMNS)


def collect_registers(output_dir: str | Path | None, *, phase: str, current: pd.DataFrame) -> pd.DataFrame:
    """One register for the whole report: the other phases' saved registers, then *current*.

    Reads ``tables/<other phase>/statistics-register.csv`` under *output_dir* (phases already
    rendered), so the last analysis notebook can show every reported statistic in one table.
    Without *output_dir* (interactive use) it is *current* alone.
    """
    frames = []
    if output_dir is not None:
        for path in sorted((io.resolve(output_dir) / "tables").glob(f"*/{REGISTER}.csv")):
            if path.parent.name != phase:
                frames.append(io.read_csv(path, required=("statistic",)).drop(columns="_line"))
    frames.append(current.astype(str))
    return pd.concat(frames, ignore_index=True)[REGISTER_COLUMNS]
