"""Merging coders: union, intersection, adjudication with every decision recorded."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from thematic import consensus, provenance, segments
from thematic.dataset import load_dataset
from thematic.errors import DataError, ParameterError
from thematic.segments import code_segments, segment_turns

CODED = pd.DataFrame({
    "segment_id": ["s1", "s1", "s2", "s3", "s3"],
    "coder": ["a", "b", "a", "b", "a"],
    "code": ["x", "x", "x", "y", "z"],
})


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_combine_coders_stays_importable_from_segments():
    assert segments.combine_coders is consensus.combine_coders
    assert len(segments.combine_coders(CODED, rule="union")) == 4


def test_union_and_intersection_record_each_disagreement():
    union = consensus.build_consensus(CODED, rule="union")
    assert set(zip(union.final["segment_id"], union.final["code"], strict=True)) == {
        ("s1", "x"), ("s2", "x"), ("s3", "y"), ("s3", "z")}
    assert (union.decisions["decided_by"] == "rule: union").all() and len(union.decisions) == 3
    both = consensus.build_consensus(CODED, rule="intersection")
    assert both.final[["segment_id", "code"]].values.tolist() == [["s1", "x"]]
    assert both.record["dropped"] == 3 and both.record["agreed_pairs"] == 1


def test_adjudication_decides_and_falls_back(tmp_path):
    path = write(tmp_path / "adj.csv", "segment_id,code,decision,decided_by,reason\n"
                                       "s2,x,drop,PI,not about x\ns3,y,KEEP,coding meeting,clear case\n")
    result = consensus.build_consensus(CODED, rule="adjudication", unresolved="intersection",
                                       adjudication=consensus.read_adjudication(path))
    pairs = set(zip(result.final["segment_id"], result.final["code"], strict=True))
    assert pairs == {("s1", "x"), ("s3", "y")}  # s3 z undecided: dropped by intersection
    decided = result.decisions.set_index(["segment_id", "code"])
    assert decided.loc[("s2", "x"), "decided_by"] == "PI"
    assert decided.loc[("s3", "y"), "source"] == "adj.csv, line 3"
    assert decided.loc[("s3", "z"), "decided_by"] == "rule: intersection"
    assert result.decisions["source"].tolist()[:2] == ["adj.csv, line 2", "adj.csv, line 3"]  # adjudicated first
    assert result.record["adjudicated"] == 2 and result.record["decided_by"]["PI"] == 1
    assert result.record["adjudication_file"]["sha256"]


def test_adjudication_problems_name_file_and_line(tmp_path):
    path = write(tmp_path / "adj.csv", "segment_id,code,decision,decided_by\n"
                                       "s1,x,maybe,PI\ns2,x,keep,\ns2,x,drop,PI\n")
    with pytest.raises(DataError) as error:
        consensus.read_adjudication(path)
    text = str(error.value)
    assert "line 2" in text and "maybe" in text and "line 3" in text and "already decided on line 3" in text
    agreed = write(tmp_path / "agreed.csv", "segment_id,code,decision,decided_by\ns1,x,drop,PI\n")
    with pytest.raises(DataError, match="all of them gave it"):
        consensus.build_consensus(CODED, rule="adjudication", adjudication=consensus.read_adjudication(agreed))
    with pytest.raises(DataError, match="2 disagreement"):
        consensus.build_consensus(CODED, rule="adjudication", unresolved="error",
                                  adjudication=consensus.read_adjudication(
                                      write(tmp_path / "one.csv", "segment_id,code,decision,decided_by\n"
                                                                  "s2,x,keep,PI\n")))
    with pytest.raises(ParameterError, match="consensus rule"):
        consensus.build_consensus(CODED, rule="majority")


def test_sample_adjudication_file_and_record(tmp_path):
    dataset = load_dataset("data-sample")
    turns = segment_turns(dataset)
    coded = code_segments(turns, dataset.codings)
    result = consensus.build_consensus(coded, rule="adjudication", unresolved="union",
                                       adjudication=consensus.read_adjudication(dataset.root / "adjudication.csv"))
    union = consensus.combine_coders(coded, rule="union")
    assert result.record["adjudicated"] == 11
    assert len(result.final) == len(union) - result.record["dropped"]
    consensus.write_record(result, tmp_path)
    saved = json.loads((tmp_path / "consensus.json").read_text())
    assert len(saved["decisions"]) == result.record["disagreements"]
    manifest_part = provenance.consensus_record(tmp_path)
    assert manifest_part["rule"] == "adjudication" and "decisions" not in manifest_part
    assert provenance.consensus_record(tmp_path / "nothing") is None


def test_adjudication_reasons_are_deidentified_for_a_report(sample_copy):
    """A reason is prose about a passage and may name people; who decided is checked for known
    names (the research team is not a study's participant)."""
    from thematic.disclosure import Screen

    path = sample_copy / "adjudication.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "reason"] += " Ingrid Ruhlmann agreed; Helen disagreed."
    frame.loc[1, "decided_by"] = "Dr Helen Marwick"
    frame.to_csv(path, index=False)
    dataset = load_dataset(sample_copy)
    plain = consensus.read_adjudication(path)
    shown = consensus.read_adjudication(path, screen=dataset.publication_screen())
    assert plain["reason"].iloc[0].endswith("Ingrid Ruhlmann agreed; Helen disagreed.")
    assert shown["reason"].iloc[0].endswith("[person 1] agreed; [clinical lead] disagreed.")
    assert shown["decided_by"].tolist()[:3] == ["coding meeting (coder_a; coder_b)", "[clinical lead]",
                                               "coding meeting (coder_a; coder_b)"]
    assert shown["reason"].iloc[2:].tolist() == plain["reason"].iloc[2:].tolist()
    assert isinstance(dataset.publication_screen(), Screen)
