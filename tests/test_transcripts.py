"""Speaker labels, text layouts and their detection, the canonical text (thematic.transcripts)."""

import time

import pytest

from thematic.errors import DataError, ParameterError
from thematic.transcripts import (
    is_generic,
    is_interviewer,
    label_key,
    parse_transcript,
    parse_turns,
)


def _turns(text: str, **options) -> list[tuple[str, str]]:
    transcript = parse_transcript(text, **options)
    return [(t.speaker, t.text(transcript.text)) for t in transcript.turns]


@pytest.mark.parametrize("label", ["Interviewer", "I", "P3", "Mother 2", "RESEARCHER", "interviewee",
                                   "Interviewer 1", "Speaker B", "Participant (P4)"])
def test_speaker_labels(label):
    text = f"{label}: first line\ncontinued\n\nParticipant: reply\n"
    turns = parse_turns(text)
    assert [t.speaker for t in turns] == [label, "Participant"]
    assert turns[0].text(text) == "first line\ncontinued"
    assert turns[1].text(text) == "reply"


def test_timestamps_before_or_after_the_label_are_kept_apart_from_the_text():
    text = ("00:20 RESEARCHER: Hello there.\n[00:01:05] P1: Hi.\n(0:13) RESEARCHER: And?\n"
            "P1 [00:01:09]: Well.\nRESEARCHER (00:01:15): Go on.\n")
    transcript = parse_transcript(text)
    assert [(t.speaker, t.text(text), t.timestamp) for t in transcript.turns] == [
        ("RESEARCHER", "Hello there.", "00:20"), ("P1", "Hi.", "00:01:05"), ("RESEARCHER", "And?", "0:13"),
        ("P1", "Well.", "00:01:09"), ("RESEARCHER", "Go on.", "00:01:15")]


def test_a_timestamp_after_the_colon_is_taken_when_most_turns_have_one():
    text = "I: [00:00:01] Hello.\nR: [00:00:04] Hi there.\nI: [00:00:09] So.\nR: 10:30 was when I left.\n"
    assert [(t.text(text), t.timestamp) for t in parse_turns(text)] == [
        ("Hello.", "00:00:01"), ("Hi there.", "00:00:04"), ("So.", "00:00:09"), ("10:30 was when I left.", None)]
    plain = "I: Hello.\nR: 10:30 was when I left.\nI: Right.\nR: Yes.\n"
    assert parse_turns(plain)[1].text(plain) == "10:30 was when I left."


@pytest.mark.parametrize("text", ["I: How were the first weeks?\n\nR: Hard, but we managed.\n",
                                  "I: How were the first weeks?\nR: Hard, but we managed.\n",
                                  "Q: How were the first weeks?\n\nA: Hard, but we managed.\n"])
def test_a_two_turn_interview_with_one_letter_labels_is_read(text):
    turns = parse_turns(text)
    assert [(t.text(text), t.is_interviewer) for t in turns] == [
        ("How were the first weeks?", True), ("Hard, but we managed.", False)]


@pytest.mark.parametrize("text", ["I: only one line\n", "A: first point\n\nB: second point\n",
                                  "I: How were they?\nR: Hard.\nand then a line with no label\n"])
def test_one_letter_labels_said_once_are_not_taken_without_an_interview_pair(text):
    with pytest.raises(DataError, match="E208"):
        parse_turns(text)


def test_offsets_index_the_original_text():
    text = "Interviewer: Q?\n\nParticipant: An answer, with: a colon.\n"
    turn = parse_turns(text)[1]
    assert text[turn.start:turn.end] == "An answer, with: a colon."


def test_text_before_the_first_turn_is_the_header_not_an_error():
    text = "Transcript of interview 3\nRecorded by phone\n\nInterviewer: hello\n\nParticipant: hi\n"
    transcript = parse_transcript(text)
    assert transcript.header_text == "Transcript of interview 3\nRecorded by phone"
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "Participant"]


def test_a_block_of_fields_at_the_top_is_header_even_when_it_names_the_speakers():
    text = ("Date: 3 May 2021\nInterviewer: Kate\nInterviewee: P7\nPlace: library\n\n"
            "Interviewer: Thanks for coming in today.\n\nInterviewee: You're welcome.\n")
    transcript = parse_transcript(text)
    assert transcript.header_text == "Date: 3 May 2021\nInterviewer: Kate\nInterviewee: P7\nPlace: library"
    assert _turns(text) == [("Interviewer", "Thanks for coming in today."), ("Interviewee", "You're welcome.")]
    # a short first turn followed by an ordinary line is not a block of fields
    talk = "Interviewer: Hello.\nParticipant: Hi.\nInterviewer: What time is it?\nParticipant: Late.\n"
    assert parse_transcript(talk).header is None


def test_a_first_paragraph_of_short_fields_is_header_in_a_file_of_paragraph_turns():
    text = ("Interviewer: A. Smith\nInterviewee: P12\n\nInterviewer: Hello, thanks for coming.\n\n"
            "Interviewee: No problem.\n\nInterviewer: So.\n\nInterviewee: Yes.\n")
    assert parse_transcript(text).header_text == "Interviewer: A. Smith\nInterviewee: P12"
    greeting = "Interviewer: Hello\nParticipant: Hi\n\nInterviewer: How are you?\n\nParticipant: Fine.\n"
    assert parse_transcript(greeting).header is None


def test_a_timestamp_alone_above_a_label_belongs_to_its_turn():
    text = ("Meeting notes - Transcript\n00:00:00\n\nAnna: Hi all.\nBen: Hello.\nAnna: So.\n00:05:00\n\n"
            "Ben: Yes.\nAnna: Right.\n")
    transcript = parse_transcript(text)
    assert [(t.speaker, t.text(text), t.timestamp) for t in transcript.turns] == [
        ("Anna", "Hi all.", "00:00:00"), ("Ben", "Hello.", None), ("Anna", "So.", None),
        ("Ben", "Yes.", "00:05:00"), ("Anna", "Right.", None)]
    assert transcript.header_text == "Meeting notes - Transcript"


def test_no_turns_is_an_error_naming_the_file_and_the_layouts_understood():
    with pytest.raises(DataError, match=r"x.txt: no speaker turns found: the layout was not recognised. "
                                        r"thematic reads 'Speaker: text' lines"):
        parse_turns("just some words\nwith no labels at all\n", source="x.txt")


def test_a_word_with_a_colon_inside_a_turn_does_not_start_a_speaker():
    text = ("Interviewer: How was the first week?\n\n"
            "Participant: Busy. Note: I was new then.\nReason: nobody had told me about the rota.\n"
            "We met at 10:30 every day.\nAnd then she said: come back tomorrow.\n\n"
            "Interviewer: And the second week?\n\nParticipant: Better.\nStaff: friendlier.\n"
            "Staff: more of them.\n")
    assert [s for s, _ in _turns(text)] == ["Interviewer", "Participant", "Interviewer", "Participant"]
    assert _turns(text)[3][1] == "Better.\nStaff: friendlier.\nStaff: more of them."


def test_a_label_seen_once_is_a_speaker_when_it_is_a_role_or_carries_the_files_timestamps():
    roles = "Interviewer 1: Hi.\n\nParticipant: Hello.\n\nInterviewer 2: One more thing.\n\nParticipant: Yes?\n"
    assert [s for s, _ in _turns(roles)] == ["Interviewer 1", "Participant", "Interviewer 2", "Participant"]
    otter = ("Sara Kim  0:01\nHello both.\n\nTom Reyes  0:05\nHi.\n\nSara Kim  0:09\nGo on.\n\n"
             "Tom Reyes  0:12\nWell.\n\nAnna Lund  0:20\nCan I add one thing?\n")
    assert [s for s, _ in _turns(otter)][-1] == "Anna Lund"


def test_names_as_labels_count_when_they_recur_in_the_files_style():
    text = "KATE: So, the garden.\nSARA: It's overgrown.\nKATE: Since when?\nSARA: Since May: it rained.\n"
    assert _turns(text) == [("KATE", "So, the garden."), ("SARA", "It's overgrown."),
                            ("KATE", "Since when?"), ("SARA", "Since May: it rained.")]


def test_a_misspelt_label_is_read_as_its_speaker():
    text = ("Interviewer: One.\n\nParticipant: Two.\n\nInterveiwer: Three.\n\nParticpant: Four.\n")
    transcript = parse_transcript(text)
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "Participant"] * 2
    assert "2 label(s) read as a misspelling of a speaker's label" in transcript.notes


def test_labels_alone_on_their_line_with_colon_timestamp_or_neither():
    colon = "Interviewer:\nHow did it start?\n\nParticipant:\nWith a phone call.\nThen a visit.\n"
    bare = "Interviewer\nHow did it start?\n\nParticipant\nWith a phone call.\n"
    zoom = "[Sara Kim] 10:15:32\nHello.\n\n[Tom Reyes] 10:15:40\nHi.\n\n[Sara Kim] 10:15:44\nBye.\n"
    assert _turns(colon) == [("Interviewer", "How did it start?"), ("Participant", "With a phone call.\nThen a visit.")]
    assert _turns(bare) == [("Interviewer", "How did it start?"), ("Participant", "With a phone call.")]
    assert parse_transcript(zoom).turns[1].timestamp == "10:15:40"
    assert [parse_transcript(t).layout for t in (colon, bare, zoom)] == ["label-line"] * 3


def test_label_time_and_text_on_one_line_need_brackets_or_a_wide_gap():
    otter = "Anna Berg  0:02  Hi, can you hear me?\nTom Ek  0:05  Yes, fine.\nAnna Berg  0:07  Go on.\n"
    assert [(t.speaker, t.text(otter), t.timestamp) for t in parse_turns(otter)] == [
        ("Anna Berg", "Hi, can you hear me?", "0:02"), ("Tom Ek", "Yes, fine.", "0:05"),
        ("Anna Berg", "Go on.", "0:07")]
    speech = "Interviewer: When?\n\nParticipant: Well\nMonday 10:30 we met.\nMonday 11:30 we left.\n"
    assert len(parse_turns(speech)) == 2


def test_focus_group_role_labels_speak_once():
    text = ("Facilitator: Welcome all.\nF1: Hi.\nM1: Hello.\nMultiple voices: [crosstalk]\n"
            "Facilitator: Let's start.\nF2: Can I say something?\nF1: Go on.\n")
    assert [t.speaker for t in parse_turns(text)] == ["Facilitator", "F1", "M1", "Multiple voices",
                                                      "Facilitator", "F2", "F1"]


def test_tab_separated_and_bold_labels():
    assert _turns("I\tHello.\nR\tHi.\nI\tBye.\nR\tBye.\n")[1] == ("R", "Hi.")
    assert _turns("**Interviewer:** Hello.\n\n**Participant**: Hi.\n") == [("Interviewer", "Hello."),
                                                                        ("Participant", "Hi.")]


@pytest.mark.parametrize("dash", ["-", "\u2013", "\u2014"])
def test_a_spaced_dash_after_a_role_or_a_timestamp_ends_the_label(dash):
    text = (f"Interviewer {dash} How did it start?\nSpeaker 2 {dash} Well - it was July.\n")
    assert _turns(text) == [("Interviewer", "How did it start?"), ("Speaker 2", "Well - it was July.")]
    stamped = (f"[00:00:11] Sara {dash} How did it start?\n[00:00:17] Femi {dash} Well - it was July.\n"
               f"[00:00:19] Sara {dash} And then?\n[00:00:21] Femi {dash} Then \u2013 nothing.\n")
    transcript = parse_transcript(stamped)
    assert [(t.speaker, t.text(stamped), t.timestamp) for t in transcript.turns] == [
        ("Sara", "How did it start?", "00:00:11"), ("Femi", "Well - it was July.", "00:00:17"),
        ("Sara", "And then?", "00:00:19"), ("Femi", "Then \u2013 nothing.", "00:00:21")]


def test_a_bracketed_role_before_its_text_and_full_width_colons():
    text = "[Interviewer] How did it start?\n[Participant 2] Well, in July.\n[laughs] Not really.\n"
    assert _turns(text) == [("Interviewer", "How did it start?"),
                            ("Participant 2", "Well, in July.\n[laughs] Not really.")]
    notes = "Interviewer: Go on.\nParticipant: Well.\n[laughs] In July.\n[laughs] Yes.\n[laughs] No.\n"
    assert [speaker for speaker, _ in _turns(notes)] == ["Interviewer", "Participant"]
    cjk = "\u91c7\u8bbf\u8005\uff1a\u4f60\u597d\u3002\n\u53c2\u4e0e\u8005\uff1a\u4e03\u6708\u3002\n" * 2
    assert [speaker for speaker, _ in _turns(cjk)] == ["\u91c7\u8bbf\u8005", "\u53c2\u4e0e\u8005"] * 2


def test_a_dash_after_a_word_of_speech_stays_text():
    text = ("Interviewer: How was it?\nParticipant: Hard.\nWell - I think so.\nSara - she was there.\n"
            "Well - yes.\nWell - no.\nInterviewer: Right.\n")
    assert [speaker for speaker, _ in _turns(text)] == ["Interviewer", "Participant", "Interviewer"]
    assert _turns(text)[1][1] == "Hard.\nWell - I think so.\nSara - she was there.\nWell - yes.\nWell - no."


def test_closing_lines_of_services_are_the_footer():
    text = "Interviewer: Bye.\n\nParticipant: Bye now.\n\n[END OF INTERVIEW]\n"
    transcript = parse_transcript(text)
    assert transcript.footer_text == "[END OF INTERVIEW]"
    assert transcript.turns[-1].text(text) == "Bye now."


def test_labels_compare_without_case_spacing_or_leading_zeros():
    assert label_key("Interviewee 01") == label_key("INTERVIEWEE1") == label_key("interviewee-1") == "interviewee1"
    assert label_key("  Int. ") == "int"


@pytest.mark.parametrize("label, generic", [
    ("Interviewer", True), ("Interviewee1", True), ("P3", True), ("FG2", True), ("Speaker 4", True),
    ("Mum", True), ("R", True), ("Participant (P3)", True), ("Participant A", True),
    ("Sara Smith", False), ("KJ", False), ("Interviewer (Kate)", False), ("Smith, Sara", False)])
def test_generic_role_labels(label, generic):
    assert is_generic(label) is generic


def test_interviewer_by_default_label_or_by_declaration():
    assert is_interviewer("Interviewer") and is_interviewer("I") and is_interviewer("INT")
    assert is_interviewer("Facilitator 2") and is_interviewer("Moderator (KJ)") and is_interviewer("Q")
    assert not is_interviewer("Participant") and not is_interviewer("R") and not is_interviewer("Kate")
    assert is_interviewer("Kate", interviewer=["kate"]) and not is_interviewer("Researcher", interviewer=["Kate"])
    # the canonical text's label stays an interviewer once the name is gone
    assert is_interviewer("Interviewer 2", interviewer=["Kate"])


def test_a_declared_interviewer_marks_turns_and_may_speak_once():
    text = "Kate: Hello there.\n\nResearcher: Hi, I'm the one being interviewed.\n\nResearcher: Really.\n"
    transcript = parse_transcript(text, interviewer=["KATE"])
    assert [(t.speaker, t.is_interviewer) for t in transcript.turns] == [
        ("Kate", True), ("Researcher", False), ("Researcher", False)]


# --- the canonical text ---------------------------------------------------------------------------

def test_canonical_text_renames_names_keeps_roles_and_timestamps():
    text = ("Focus group 1\n\nSara Kim  0:01\nWelcome.\n\nTom Reyes  0:05\nHi.\n\nSpeaker 3  0:07\n"
            "Hello.\n\nAnna Lund  0:09\nHey.\n\nSara Kim  0:12\nShall we start?\n\nTom Reyes  0:15\nYes.\n\n"
            "Anna Lund  0:18\nOk.\n")
    transcript = parse_transcript(text, interviewer=["Sara Kim"])
    assert transcript.renames == {"Sara Kim": "Interviewer", "Tom Reyes": "Participant 1",
                                  "Anna Lund": "Participant 2"}
    assert transcript.canonical_text() == (
        "Focus group 1\n\n[0:01] Interviewer: Welcome.\n\n[0:05] Participant 1: Hi.\n\n"
        "[0:07] Speaker 3: Hello.\n\n[0:09] Participant 2: Hey.\n\n[0:12] Interviewer: Shall we start?\n\n"
        "[0:15] Participant 1: Yes.\n\n[0:18] Participant 2: Ok.\n")
    assert any(note.startswith("3 speaker label(s) are not role labels") for note in transcript.notes)
    again = parse_transcript(transcript.canonical_text(), interviewer=["Sara Kim"])
    assert [t.is_interviewer for t in again.turns] == [t.is_interviewer for t in transcript.turns]


def test_renamed_labels_never_clash_with_labels_kept():
    text = "Interviewer: Hi.\n\nParticipant: Hello.\n\nJo: And me.\n\nJo: Again.\n\nParticipant: Yes.\n"
    assert parse_transcript(text).renames == {"Jo": "Participant 1"}


def test_canonical_text_comes_back_unchanged_and_cleans_line_endings():
    canonical = "Title line\n\nInterviewer: One.\nStill one.\n\nParticipant: Two.\n"
    assert parse_transcript(canonical).canonical_text() == canonical
    crlf = canonical.replace("\n", "\r\n")
    transcript = parse_transcript(crlf)
    assert transcript.turns[0].text(crlf) == "One.\r\nStill one."  # offsets index the text given
    assert transcript.canonical_text() == canonical
    assert parse_transcript(canonical.replace("\n", "\r")).canonical_text() == canonical


def test_a_speaker_pattern_overrides_the_detection():
    text = "Title\n>> A says hi\n>> B says hello\n"
    transcript = parse_transcript(text, speaker_pattern=r"^>> (?P<speaker>\w) says ")
    assert [(t.speaker, t.text(text)) for t in transcript.turns] == [("A", "hi"), ("B", "hello")]
    assert transcript.layout == "pattern" and transcript.header_text == "Title"
    with pytest.raises(ParameterError, match="no group 'speaker'"):
        parse_transcript(text, speaker_pattern=r"^>> \w")


# --- long transcripts -----------------------------------------------------------------------------

def _seconds(func) -> float:
    """CPU seconds of *func* in this process: a neighbour's load on a shared machine barely
    moves them, where wall time can double."""
    started = time.process_time()
    func()
    return time.process_time() - started


def test_a_2_mb_transcript_parses_in_linear_time():
    from thematic.bench.transcripts import generate_long

    small, large = generate_long(200_000, seed=3), generate_long(2_000_000, seed=4)
    parse_transcript(small)
    small_s = min(_seconds(lambda: parse_transcript(small)) for _ in range(3))
    large_s = min(_seconds(lambda: parse_transcript(large)) for _ in range(3))  # each a best of 3: noise
    transcript = parse_transcript(large)
    assert len(transcript.text) > 2_000_000 and len(transcript.turns) > 2_000
    assert large_s < 10
    assert large_s / small_s < 10 * 3  # 10x the text; linear time allows noise, not a square


@pytest.mark.slow
def test_a_10_mb_transcript_parses_in_seconds():
    from thematic.bench.transcripts import generate_long

    text = generate_long(10_000_000, seed=5)
    assert _seconds(lambda: parse_transcript(text)) < 30


@pytest.mark.parametrize("line", [
    " ".join(["Word"] * 100_000), "[(" * 50_000, "1:1:" * 50_000, "Sara Smith 00:13 " * 20_000,
    "Sara (a) " * 20_000 + ":", "Smith, Sara, " * 20_000, "**[" * 30_000 + "Interviewer"])
def test_pathological_lines_do_not_backtrack(line):
    text = f"Interviewer: hi\n{line}\nParticipant: there\n"
    assert _seconds(lambda: parse_transcript(text)) < 2
