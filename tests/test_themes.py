"""Theme mapping: hierarchy, prevalence, co-occurrence, barriers and facilitators, figures."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from thematic import figures, themes
from thematic.dataset import load_dataset
from thematic.segments import code_segments, combine_coders, segment_turns


@pytest.fixture
def tiny(tiny_data):
    dataset = load_dataset(tiny_data)
    turns = segment_turns(dataset)
    return dataset, turns, combine_coders(code_segments(turns, dataset.codings))


def test_hierarchy_and_theme_prevalence(tiny):
    dataset, turns, final = tiny
    hierarchy = themes.code_hierarchy(dataset.codebook)
    assert hierarchy[["theme", "code", "kind"]].values.tolist()[0] == ["T1", "no_shared_records", "barrier"]
    prevalence = themes.theme_prevalence(final, turns, dataset.codebook).set_index("theme")
    assert prevalence.loc["T1", "segments"] == 2 and prevalence.loc["T1", "participants"] == 1
    assert prevalence.loc["T1", "participant_share"] == 1.0  # the one professional
    assert prevalence.loc["T2", "group_names"] == "parent"


def test_cooccurrence_jaccard():
    final = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s3", "s3"], "code": ["a", "b", "a", "a", "b"]})

    book = SimpleNamespace(code_ids=["a", "b"], codes=pd.DataFrame({"code": ["a", "b"], "theme": ["T1", "T1"]}))
    table = themes.code_cooccurrence(final, book)
    row = table.iloc[0]
    assert (row["code_a"], row["code_b"], row["segments_both"]) == ("a", "b", 2)
    assert row["jaccard"] == pytest.approx(2 / 3)


def test_table_one_names_barriers_and_facilitators(tiny):
    dataset, turns, final = tiny
    table = themes.table_one(final, turns, dataset.codebook).set_index("theme")
    assert table.loc["T1", "barrier_codes"] == "No shared records (1)"
    assert table.loc["T1", "facilitator_codes"] == "Remote working (1)"


def test_barriers_facilitators_side_by_side(tiny):
    dataset, turns, final = tiny
    levers = themes.barriers_facilitators(final, turns, dataset.codebook)
    assert levers["kind"].tolist() == ["barrier", "facilitator", "barrier"]
    wide = themes.barriers_facilitators_side_by_side(levers, theme="T2")
    assert wide.to_dict(orient="records") == [{"barriers": "Overwhelmed (1 participant)", "facilitators": ""}]


def test_rule_sensitivity_and_figures_on_the_sample(sample_dataset):
    turns = segment_turns(sample_dataset)
    coded = code_segments(turns, sample_dataset.codings)
    by_rule = {rule: combine_coders(coded, rule=rule) for rule in ("union", "intersection")}
    table = themes.rule_sensitivity(by_rule, turns, sample_dataset.codebook)
    assert (table["segments_union"] >= table["segments_intersection"]).all()
    final = by_rule["union"]
    prevalence = themes.code_prevalence(final, turns, sample_dataset.codebook)
    cooccurrence = themes.code_cooccurrence(final, sample_dataset.codebook)
    names = {t.id: t.name for t in sample_dataset.codebook.themes}
    network = figures.thematic_map(prevalence, cooccurrence, names)
    markers = [t for t in network.data if t.mode and "markers" in t.mode and t.name != "theme"]
    assert sum(len(t.x) for t in markers) == len(sample_dataset.codebook.code_ids)
    assert figures.theme_kind_sunburst(prevalence, names).data
    assert figures.cooccurrence_heatmap(cooccurrence, sample_dataset.codebook.code_ids).data
