import pandas as pd
import pytest

from thematic import load_dataset
from thematic.errors import ParameterError
from thematic.segments import code_segments, combine_coders, segment_code_matrix, segment_turns


def test_segments_are_turns_with_stable_ids(tiny_data):
    segments = segment_turns(load_dataset(tiny_data))
    assert segments["segment_id"].tolist() == ["P1-W1:t001", "P1-W1:t002", "P1-W1:t003", "P1-W1:t004",
                                               "P2-W1:t001", "P2-W1:t002"]
    assert segments["is_interviewer"].tolist() == [True, False, True, False, True, False]
    assert segments.loc[1, "text"].startswith("We have no shared system")


def test_a_declared_interviewer_stays_one_in_the_canonical_text(tiny_data):
    # interviews.csv declares the interviewer by name; de-identification wrote the name as
    # "Interviewer" (the canonical text), and the participant is a role label kept as written
    interviews = (tiny_data / "interviews.csv").read_text(encoding="utf-8").splitlines()
    interviews = [interviews[0] + ",interviewer"] + [line + ",Kate Jones" for line in interviews[1:]]
    (tiny_data / "interviews.csv").write_text("\n".join(interviews) + "\n", encoding="utf-8")
    segments = segment_turns(load_dataset(tiny_data))
    assert segments["is_interviewer"].tolist() == [True, False, True, False, True, False]


def test_codings_map_to_overlapping_segments(tiny_data):
    dataset = load_dataset(tiny_data)
    coded = code_segments(segment_turns(dataset), dataset.codings)
    assert coded.values.tolist() == [
        ["P1-W1:t002", "a", "no_shared_records"], ["P1-W1:t002", "b", "no_shared_records"],
        ["P1-W1:t004", "a", "remote_working"], ["P2-W1:t002", "a", "overwhelmed"],
        ["P2-W1:t002", "b", "overwhelmed"]]


def test_combine_rules(tiny_data):
    dataset = load_dataset(tiny_data)
    coded = code_segments(segment_turns(dataset), dataset.codings)
    assert len(combine_coders(coded, rule="union")) == 3
    both = combine_coders(coded, rule="intersection")
    assert both["code"].tolist() == ["no_shared_records", "overwhelmed"]
    with pytest.raises(ParameterError, match="'majority' is not a coding rule"):
        combine_coders(coded, rule="majority")


def test_matrix_keeps_uncoded_segments(tiny_data):
    dataset = load_dataset(tiny_data)
    segments = segment_turns(dataset)
    matrix = segment_code_matrix(segments, code_segments(segments, dataset.codings), coder="b",
                                 codes=dataset.codebook.code_ids)
    assert matrix.shape == (6, 3) and matrix.to_numpy().sum() == 2
    assert isinstance(matrix, pd.DataFrame)


def test_answer_context_gives_each_answer_its_question_and_place():
    import pandas as pd

    from thematic.segments import answer_context

    turns = pd.DataFrame({
        "segment_id": ["A:t001", "A:t002", "A:t003", "A:t004", "A:t005", "B:t001", "B:t002"],
        "interview_id": ["A"] * 5 + ["B"] * 2, "group": ["parent"] * 5 + ["referrer"] * 2,
        "turn": [1, 2, 3, 4, 5, 1, 2],
        "is_interviewer": [False, True, False, False, True, False, False],
        "text": ["hello", "How was the wait?", "long", "very long", "Thanks.", "one", "two"]})
    framed = answer_context(turns.iloc[::-1])  # order in, order out
    assert framed["segment_id"].tolist() == ["B:t002", "B:t001", "A:t004", "A:t003", "A:t001"]
    assert framed["question"].tolist() == ["", "", "How was the wait?", "How was the wait?", ""]
    assert framed["position"].tolist() == [1.0, 0.0, 0.75, 0.5, 0.0]
    assert answer_context(turns.iloc[:0]).empty
