import numpy as np
import pandas as pd

from thematic.candidates import candidate_codes, lemma_features, topic_stability

SEGMENTS = pd.DataFrame({
    "segment_id": [f"s{i:02d}" for i in range(24)],
    "group": ["referrer", "parent", "commissioner"] * 8,
    "text": (["The waiting list for the clinic was long and the waiting times grew."] * 8
             + ["Parking at the hospital car park costs a lot of money."] * 8
             + ["Our team meeting on Mondays helps the team share case notes."] * 8),
})


def test_lemma_features_have_lemmas_and_noun_phrases():
    features = lemma_features(["The team meetings were helpful."])[0]
    assert "meeting" in features and "team meeting" in features and "the" not in features


def test_candidates_have_terms_exemplars_groups_stability_and_duplicates():
    features = [["waiting", "list", "waiting list", "clinic"]] * 8 + [["parking", "car park", "money"]] * 8 \
        + [["team", "meeting", "team meeting", "case note"]] * 8
    code_features = {"parking_cost": [["parking", "car park", "cost"]], "other": [["weather"]]}
    candidates, exemplars = candidate_codes(SEGMENTS, features=features, n_topics=3, seeds=(0, 1, 2),
                                            code_features=code_features)
    assert len(candidates) == 3 and candidates["segments"].sum() == 24
    parking = candidates[candidates["top_terms"].str.contains("parking")].iloc[0]
    assert parking["duplicates_code"] and parking["closest_code"] == "parking_cost"
    assert not candidates[~candidates["top_terms"].str.contains("parking")]["duplicates_code"].any()
    assert (candidates["stability"] > 0.9).all()
    assert "commissioner (" in parking["groups"]
    assert exemplars.groupby("candidate").size().max() == 5


def test_stability_is_one_for_identical_runs_and_lower_for_different():
    H = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    assert np.allclose(topic_stability(H, [H[::-1]]), 1.0)
    assert topic_stability(H, [np.array([[1.0, 1.0, 0]])]).max() < 0.8
