import pytest

from thematic.errors import DataError
from thematic.transcripts import is_interviewer, parse_turns


@pytest.mark.parametrize("label", ["Interviewer", "I", "P3", "Mother 2", "RESEARCHER"])
def test_speaker_labels(label):
    text = f"{label}: first line\ncontinued\n\nParticipant: reply\n"
    turns = parse_turns(text)
    assert [t.speaker for t in turns] == [label, "Participant"]
    assert turns[0].text(text) == "first line\ncontinued"
    assert turns[1].text(text) == "reply"


def test_timestamped_labels():
    text = "00:20 RESEARCHER: Hello there.\n[00:01:05] P1: Hi.\n"
    turns = parse_turns(text)
    assert [(t.speaker, t.text(text)) for t in turns] == [("RESEARCHER", "Hello there."), ("P1", "Hi.")]


def test_offsets_index_the_original_text():
    text = "Interviewer: Q?\n\nParticipant: An answer, with: a colon.\n"
    turn = parse_turns(text)[1]
    assert text[turn.start:turn.end] == "An answer, with: a colon."


def test_text_before_first_turn_is_an_error_with_line():
    with pytest.raises(DataError, match=r"T1.txt, line 1: text before the first speaker turn"):
        parse_turns("Transcript of interview\nInterviewer: hello\n", source="T1.txt")


def test_no_turns_is_an_error():
    with pytest.raises(DataError, match="no speaker turns found"):
        parse_turns("just some words", source="x.txt")


def test_interviewer_labels():
    assert is_interviewer("Interviewer") and is_interviewer("I") and not is_interviewer("Participant")
