"""Vocabulary: term occurrences, frequent terms and the weighted log-odds ratio."""

import math

import pandas as pd
import pytest

from thematic import load_dataset, vocabulary
from thematic.errors import ParameterError
from thematic.parse import parse_transcripts
from thematic.segments import segment_turns


def test_weighted_log_odds_matches_a_hand_computed_example():
    # Group X said a 3 times, b once (n_X = 4); group Y said a once, b twice, c twice (n_Y = 5).
    # Default prior: the pooled counts, so a_a = 4, a_b = 3, a_c = 2 and a_0 = 9.
    counts = pd.DataFrame({"X": [3, 1, 0], "Y": [1, 2, 2]}, index=["a", "b", "c"])
    table = vocabulary.weighted_log_odds(counts).set_index(["group", "term"])
    # term a, X vs rest (= Y):
    #   delta = ln((3+4)/(4+9-3-4)) - ln((1+4)/(5+9-1-4)) = ln(7/6) - ln(5/9) = 0.741937
    #   var   = 1/(3+4) + 1/(1+4) = 0.342857;  z = 0.741937 / 0.585540 = 1.267099
    row = table.loc[("X", "a")]
    assert row["log_odds"] == pytest.approx(0.741937, abs=1e-6)
    assert row["se"] == pytest.approx(0.585540, abs=1e-6)
    assert row["z"] == pytest.approx(1.267099, abs=1e-6)
    # term c, X vs rest: delta = ln((0+2)/(4+9-0-2)) - ln((2+2)/(5+9-2-2)) = ln(2/11) - ln(4/10)
    #   var = 1/2 + 1/4 = 0.75
    expected = (math.log(2 / 11) - math.log(4 / 10)) / math.sqrt(0.75)
    assert table.loc[("X", "c"), "z"] == pytest.approx(expected) == pytest.approx(-0.910432, abs=1e-6)
    # with two groups, each is the other's "rest": the scores are mirror images
    assert table.loc[("Y", "a"), "z"] == pytest.approx(-row["z"])
    assert table.loc[("X", "a"), "count_rest"] == 1

def test_rare_terms_are_shrunk_more_than_frequent_ones():
    # "rare" appears 2 times in A only; "common" 40 vs 10: the same direction, far more evidence.
    counts = pd.DataFrame({"A": [2, 40, 100], "B": [0, 10, 100]}, index=["rare", "common", "other"])
    z = vocabulary.weighted_log_odds(counts).set_index(["group", "term"])["z"]
    assert z[("A", "common")] > z[("A", "rare")] > 0

def test_weighted_log_odds_rejects_bad_counts_and_priors():
    with pytest.raises(ParameterError, match="two groups"):
        vocabulary.weighted_log_odds(pd.DataFrame({"A": [1, 2]}, index=["x", "y"]))
    counts = pd.DataFrame({"A": [1, 2], "B": [3, 0]}, index=["x", "y"])
    with pytest.raises(ParameterError, match="no weight for 1 term"):
        vocabulary.weighted_log_odds(counts, prior=pd.Series({"x": 5.0}))
    scaled = vocabulary.weighted_log_odds(counts, prior=pd.Series({"x": 1.0, "y": 1.0}), prior_scale=2)
    assert len(scaled) == 4

@pytest.fixture(scope="module")
def tiny_vocabulary(tmp_path_factory):

    root = tmp_path_factory.mktemp("vocab")
    (root / "deidentified").mkdir()
    (root / "raw").mkdir()
    (root / "participants.csv").write_text("participant_id,group,role\nP1,referrer,health visitor\n"
                                           "P2,parent,mother\n", encoding="utf-8")
    (root / "interviews.csv").write_text(
        "interview_id,participant_id,wave,date,duration_min,transcript\n"
        "P1-W1,P1,1,2020-07-01,20,raw/P1-W1.txt\nP2-W1,P2,1,2020-08-01,15,raw/P2-W1.txt\n", encoding="utf-8")
    texts = {
        "P1-W1": "Interviewer: Tell me about the meetings.\n\nParticipant: The health visitors visited "
                 "[town] twice. Erm, the health visitor rang [practitioner] about the shared records.\n",
        "P2-W1": "Interviewer: How was it?\n\nParticipant: Five people were visiting me in one week, "
                 "and nobody shared their medical records.\n",
    }
    for name, text in texts.items():
        (root / "raw" / f"{name}.txt").write_text(text, encoding="utf-8")
        (root / "deidentified" / f"{name}.txt").write_text(text, encoding="utf-8")
    dataset = load_dataset(root)
    segments = segment_turns(dataset)
    docs = parse_transcripts(dataset.texts, nlp="en_core_web_sm", needs=("lemmas", "noun_chunks"),
                             cache_dir=root / "cache", progress=False)
    return dataset, segments, vocabulary.term_occurrences(docs, segments)

def test_occurrences_carry_offsets_into_the_transcript_and_the_turn(tiny_vocabulary):
    dataset, _, occurrences = tiny_vocabulary
    for row in occurrences.itertuples():
        assert dataset.texts[row.interview_id][row.start:row.end] == row.surface
        assert row.segment_id.startswith(row.interview_id)
    lemmas = occurrences.query("kind == 'lemma'")
    assert {"visit", "record", "visitor"} <= set(lemmas["term"])
    assert "town" not in set(lemmas["term"]) and "practitioner" not in set(lemmas["term"])  # placeholders
    assert "erm" not in set(lemmas["term"])  # spoken filler
    phrases = occurrences.query("kind == 'phrase'")
    assert "health visitor" in set(phrases["term"])  # "The health visitors" -> its content, lemmatised
    assert occurrences.query("term == 'meeting'")["is_interviewer"].all()

def test_frequent_terms_leave_out_the_interviewer_and_scale_per_1000_words(tiny_vocabulary):
    _, segments, occurrences = tiny_vocabulary
    table = vocabulary.frequent_terms(occurrences, segments, top_n=20)
    assert "meeting" not in set(table["term"])
    parent = table[table["group"] == "parent"].set_index("term")
    words = segments.query("group == 'parent' and not is_interviewer")["words"].sum()
    assert parent.loc["visit", "count"] == 1
    assert parent.loc["visit", "per_1000_words"] == pytest.approx(round(1000 / words, 2))
    with_interviewer = vocabulary.frequent_terms(occurrences, segments, top_n=20, include_interviewer=True)
    assert "meeting" in set(with_interviewer["term"])
    overall = vocabulary.frequent_terms(occurrences, segments, by=None, top_n=3)
    assert set(overall["group"]) == {"all"} and len(overall) == 3

def test_distinctive_terms_and_key_terms(tiny_vocabulary):
    _, segments, occurrences = tiny_vocabulary
    table = vocabulary.distinctive_terms(occurrences, min_count=1)
    assert set(table["group"]) <= {"parent", "referrer"}
    assert (table["z"] > 0).all() and (table["rank"] >= 1).all()
    assert "visitor" in set(table.query("group == 'referrer'")["term"])
    ranked = pd.DataFrame({"group": ["a", "a", "b", "b"], "term": ["x", "y", "y", "z"]})
    assert vocabulary.leading_terms(ranked, per_group=2) == ["x", "y", "z"]
    rates = vocabulary.term_rates(occurrences, segments, terms=["visit", "record"])
    assert list(rates.index) == ["visit", "record"] and rates.to_numpy().min() > 0
    keys = vocabulary.key_terms_per_interview(occurrences, min_count=1).set_index("interview_id")
    assert "health visitor" in keys.loc["P1-W1", "key_phrases"]
    with pytest.raises(ParameterError, match="term kind"):
        vocabulary.frequent_terms(occurrences, segments, kind="bigram")
