"""Consensus: merge two or more coders' segment codings into the one the analysis uses.

A declared rule decides every (segment, code) pair the coders disagree on:

* ``union``: keep a code any coder gave (nothing a coder saw is lost);
* ``intersection``: keep only codes every coder gave (only what all agree on);
* ``adjudication``: an adjudication file records, per disagreement, the decision (keep or
  drop), who made it and why; pairs it does not decide fall back to *unresolved*
  (``union``, ``intersection``, or ``error`` to insist on a decision for each).

:func:`build_consensus` returns the final coding, one row per decision with who made it, and
a record (rule, counts, file hash) for the report's manifest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import pandas as pd
from pydantic import Field

from thematic import io
from thematic.errors import DataError, Errors, ParameterError
from thematic.parameters import Parameter
from thematic.study import DataFile

if TYPE_CHECKING:
    from thematic.disclosure import Screen

Rule = Literal["union", "intersection"]
ConsensusRule = Literal["union", "intersection", "adjudication"]
RULES = ("union", "intersection", "adjudication")
UNRESOLVED = ("union", "intersection", "error")
ADJUDICATION_COLUMNS = ("segment_id", "code", "decision", "decided_by")
DECISION_COLUMNS = ["segment_id", "code", "coded_by", "not_coded_by", "decision", "decided_by",
                    "reason", "source"]
RECORD_NAME = "consensus.json"


def combine_coders(coded: pd.DataFrame, *, rule: Rule = "union",
                   coders: list[str] | None = None) -> pd.DataFrame:
    """The analysis coding: (segment, code) pairs that *rule* keeps across *coders*.

    ``union`` keeps a code any coder gave a segment; ``intersection`` only codes every
    coder gave it. Columns: segment_id, code, coders (how many coders gave it).
    """
    if rule not in ("union", "intersection"):
        raise ParameterError(Errors.E018.format(value=rule, what="coding rule",
                                                known=["union", "intersection"]))
    coders = coders or sorted(coded["coder"].unique())
    mine = coded[coded["coder"].isin(coders)]
    counts = mine.groupby(["segment_id", "code"])["coder"].nunique().reset_index(name="coders")
    if rule == "intersection":
        counts = counts[counts["coders"] == len(coders)]
    return counts[["segment_id", "code", "coders"]].reset_index(drop=True)


def coder_sets(coded: pd.DataFrame, *, coders: list[str]) -> pd.DataFrame:
    """Per (segment, code) any coder gave: which of *coders* gave it and which did not."""
    mine = coded[coded["coder"].isin(coders)]
    given = mine.groupby(["segment_id", "code"])["coder"].agg(lambda c: sorted(set(c))).reset_index(name="by")
    given["coded_by"] = given["by"].map(", ".join)
    given["not_coded_by"] = given["by"].map(lambda by: ", ".join(c for c in coders if c not in by))
    given["agreed"] = given["by"].map(len) == len(coders)
    return given.drop(columns="by").sort_values(["segment_id", "code"]).reset_index(drop=True)


def read_adjudication(path: str | Path, *, screen: Screen | None = None) -> pd.DataFrame:
    """Read an adjudication file: segment_id, code, decision (keep|drop), decided_by[, reason].

    Every problem (missing value, unknown decision, a pair decided twice) names file and line.
    With a *screen* (:class:`thematic.disclosure.Screen`), for a report: each reason is
    de-identified with the known names of its interview (the segment id's prefix), and who
    decided passes the explicit identifier check (the research team, not participants).
    """
    path = io.resolve(path)
    frame = io.read_csv(path, required=ADJUDICATION_COLUMNS).rename(columns={"_line": "file_line"})
    if "reason" not in frame.columns:
        frame["reason"] = ""
    problems, first_line = [], {}
    for row in frame.itertuples(index=False):
        for column in ADJUDICATION_COLUMNS:
            if not getattr(row, column):
                problems.append(Errors.E002.format(path=path, line=row.file_line, column=column))
        if row.decision and row.decision.lower() not in ("keep", "drop"):
            problems.append(Errors.E506.format(path=path, line=row.file_line, value=row.decision))
        key = (row.segment_id, row.code)
        if key in first_line:
            problems.append(Errors.E508.format(path=path, line=row.file_line, segment=row.segment_id,
                                               code=row.code, first=first_line[key]))
        first_line.setdefault(key, row.file_line)
    if problems:
        raise DataError(problems)
    frame["decision"] = frame["decision"].str.lower()
    if screen is not None and len(frame):
        interviews = [segment.split(":")[0] for segment in frame["segment_id"]]
        frame["reason"] = screen.mask_all(list(frame["reason"]), interview_ids=interviews)
        frame["decided_by"] = [screen.check(value) for value in frame["decided_by"]]
    frame.attrs["path"] = str(path)
    return frame


@dataclass
class Consensus:
    """The final coding, every decision behind it, and the record for the manifest."""

    final: pd.DataFrame
    decisions: pd.DataFrame
    record: dict = field(default_factory=dict)


def build_consensus(coded: pd.DataFrame, *, rule: ConsensusRule = "union", coders: list[str] | None = None,
                    adjudication: pd.DataFrame | None = None, unresolved: str = "union") -> Consensus:
    """Merge coders' segment codings by *rule*, recording each decision and who made it.

    Parameters
    ----------
    coded
        ``code_segments`` output: segment_id, coder, code.
    rule
        ``union``, ``intersection`` or ``adjudication``.
    adjudication
        :func:`read_adjudication` output; required for ``adjudication``. Each row must decide a
        real disagreement (some but not all coders gave the code to the segment).
    unresolved
        With ``adjudication``: what happens to disagreements the file does not decide.

    Returns
    -------
    Consensus
        ``final``: segment_id, code, coders (how many gave it), decided_by ("all coders" for
        agreements). ``decisions``: one row per disagreement with coded_by, not_coded_by,
        decision, decided_by, reason, source (file and line, or the rule); adjudicated ones first.
    """
    if rule not in RULES:
        raise ParameterError(Errors.E018.format(value=rule, what="consensus rule", known=list(RULES)))
    if unresolved not in UNRESOLVED:
        raise ParameterError(Errors.E018.format(value=unresolved, what="rule for unresolved disagreements",
                                                known=list(UNRESOLVED)))
    coders = coders or sorted(coded["coder"].unique())
    pairs = coder_sets(coded, coders=coders)
    disagreements = pairs[~pairs["agreed"]].drop(columns="agreed")
    fallback = rule if rule != "adjudication" else unresolved
    decisions = disagreements.assign(decision="keep" if fallback == "union" else "drop",
                                     decided_by=f"rule: {fallback}", reason="", source=f"rule: {fallback}")
    path = ""
    if rule == "adjudication":
        if adjudication is None:
            raise ParameterError(Errors.E018.format(value="adjudication without a file", what="consensus set-up",
                                                    known=["pass adjudication=read_adjudication(path)"]))
        path = adjudication.attrs.get("path", "adjudication file")
        decisions = _apply_adjudication(decisions, pairs, adjudication, path=path, coders=coders)
        open_ones = decisions[decisions["source"].str.startswith("rule")]
        if unresolved == "error" and len(open_ones):
            examples = ", ".join(f"{r.segment_id} {r.code}" for r in open_ones.head(3).itertuples())
            raise DataError(Errors.E509.format(count=len(open_ones), path=path, examples=examples))
    by_rule = decisions["source"].str.startswith("rule")
    decisions = decisions.assign(_rule=by_rule).sort_values(["_rule", "segment_id", "code"])
    decisions = decisions[DECISION_COLUMNS].reset_index(drop=True)
    counts = coded[coded["coder"].isin(coders)].groupby(["segment_id", "code"])["coder"].nunique()
    agreed = pairs.loc[pairs["agreed"], ["segment_id", "code"]].assign(decided_by="all coders")
    kept = decisions.loc[decisions["decision"] == "keep", ["segment_id", "code", "decided_by"]]
    final = pd.concat([agreed, kept], ignore_index=True)
    final["coders"] = [int(counts[(s, c)]) for s, c in zip(final["segment_id"], final["code"], strict=True)]
    final = final[["segment_id", "code", "coders", "decided_by"]].sort_values(["segment_id", "code"])
    record = _record(rule=rule, unresolved=unresolved if rule == "adjudication" else None, coders=coders,
                     pairs=pairs, decisions=decisions, final=final, path=path)
    return Consensus(final=final.reset_index(drop=True), decisions=decisions, record=record)


def _apply_adjudication(decisions: pd.DataFrame, pairs: pd.DataFrame, adjudication: pd.DataFrame, *,
                        path: str, coders: list[str]) -> pd.DataFrame:
    position = {(s, c): i for i, (s, c) in enumerate(zip(decisions["segment_id"], decisions["code"], strict=True))}
    agreed = set(zip(pairs.loc[pairs["agreed"], "segment_id"], pairs.loc[pairs["agreed"], "code"], strict=True))
    decisions = decisions.copy()
    problems = []
    for row in adjudication.itertuples(index=False):
        key = (row.segment_id, row.code)
        if key not in position:
            detail = "all of them gave it" if key in agreed else "none of them gave it"
            problems.append(Errors.E507.format(path=path, line=row.file_line, segment=row.segment_id,
                                               code=row.code, coders=", ".join(coders), detail=detail))
            continue
        i = position[key]
        decisions.iloc[i, decisions.columns.get_indexer(["decision", "decided_by", "reason", "source"])] = [
            row.decision, row.decided_by, row.reason, f"{Path(path).name}, line {row.file_line}"]
    if problems:
        raise DataError(problems)
    return decisions


def _record(*, rule: str, unresolved: str | None, coders: list[str], pairs: pd.DataFrame,
            decisions: pd.DataFrame, final: pd.DataFrame, path: str) -> dict:
    adjudicated = decisions[~decisions["source"].str.startswith("rule")]
    record = {
        "rule": rule, "unresolved": unresolved, "coders": list(coders),
        "coded_pairs": len(pairs), "agreed_pairs": int(pairs["agreed"].sum()),
        "disagreements": len(decisions), "adjudicated": len(adjudicated),
        "kept": int((decisions["decision"] == "keep").sum()),
        "dropped": int((decisions["decision"] == "drop").sum()),
        "decided_by": {k: int(v) for k, v in decisions["decided_by"].value_counts().sort_index().items()},
        "final_pairs": len(final), "adjudication_file": None,
    }
    if path and Path(path).exists():
        try:
            shown = str(Path(path).resolve().relative_to(io.project_root()))
        except ValueError:
            shown = Path(path).name
        record["adjudication_file"] = {"path": shown, "sha256": io.sha256_file(path)}
    return record


def record_data(consensus: Consensus) -> dict:
    """The consensus record with every decision, as ``consensus.json`` holds it."""
    return {**consensus.record, "decisions": consensus.decisions.fillna("").to_dict(orient="records")}


def write_record(consensus: Consensus, output_dir: str | Path | None) -> Path | None:
    """Save the consensus record and every decision as ``consensus.json`` in the report folder."""
    if output_dir is None:
        return None
    return io.write_json(io.resolve(output_dir) / RECORD_NAME, record_data(consensus))


PARAMETERS = (
    Parameter("coding_rule", Rule, "how the coders' codings combine: union or intersection"),
    Parameter("adjudication_file", Annotated[DataFile, Field(min_length=1)],
              "the file of decisions on the coders' disagreements, relative to the data folder"),
)
