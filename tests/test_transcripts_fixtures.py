"""Every fixture transcript (tests/fixtures/transcripts/, fictional, one per layout) read with
its layout, speakers, turns, first and last turn, header; nothing of any file dropped."""

from __future__ import annotations

import importlib.util
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from thematic import io
from thematic.transcripts import describe, explain, parse_transcript, read_transcript

FIXTURES = Path(__file__).parent / "fixtures" / "transcripts"
SAMPLE_RAW = Path(__file__).resolve().parent.parent / "data-sample" / "raw"

#: file -> (layout, speakers with turn counts, first turn, last turn, header, footer)
EXPECTED = {
    "inline-plain.txt": (
        "inline", [("Interviewer", 6), ("Participant", 6)],
        "Thanks for agreeing to talk to me about the allotment project. Could you start by telling "
        "me how you got involved?",
        "No bother. Come and see the squash in August.", "", ""),
    "inline-lower-numbered.txt": (
        "inline", [("interviewer 1", 4), ("interviewee1", 5), ("interviewer 2", 1)],
        "Okay, the recorder's on. Can you say a bit about what you do at the library?",
        "Keep the late opening. That's it really. Keep the lights on.",
        "Interview 4 - Female, 41\nLibrary volunteers study, second round", ""),
    "inline-abbrev-crlf.txt": (
        "inline", [("I", 5), ("R", 5)],
        "Right, so this is the second interview, and we said we would look back at the cycling diary.",
        "Probably, yes. It is cheaper than parking and I sleep better.", "", ""),
    "inline-timestamps.txt": (
        "inline", [("INT", 4), ("P3", 4)],
        "Okay, we're recording. So, first question: how did you hear about the bus pass scheme?",
        "Let it start before half nine. Half the things I want to get to start at nine.",
        "Date: 14 March 2022\nInterviewer: JB\nParticipant: P3\nLocation: community centre, side room", ""),
    "otter.txt": (
        "label-line", [("Wren Talbot", 3), ("Speaker 2", 3), ("Osian Pryce", 2), ("Speaker 4", 1)],
        "Thanks everyone for staying behind after rehearsal. I just want to hear how the first term "
        "has gone for you.",
        "Just that we'd like more songs we actually know.",
        "SUMMARY KEYWORDS\nchoir, rehearsal, hall, tea, newcomers, parking\n\nSPEAKERS\nWren Talbot, "
        "Speaker 2, Osian Pryce, Speaker 4", "Transcribed by https://otter.ai"),
    "rev.txt": (
        "label-line", [("Speaker 1", 4), ("Speaker 2", 4)],
        "Could you tell me a bit about the repair caf\u00e9 and how it started?",
        "Cake, and the feeling of beating the bin. Also, people say thank you, which doesn't happen "
        "much in my day job.", "", ""),
    "label-colon-utf16.txt": (
        "label-line", [("Interviewer", 4), ("Participant", 3)],
        "So to begin with, how did you first come across the food pantry?",
        "Thank you, that's really helpful.", "Part 1:\nBackground and first contact", ""),
    "bare-labels-cp1252.txt": (
        "label-line", [("Interviewer", 4), ("Respondent", 4)],
        "Thanks for meeting me at the caf\u00e9. Shall we start with how long you\u2019ve lived on the estate?",
        "Put it where the old garages were. It\u2019s flatter, and it\u2019s away from the road.", "", ""),
    "tab-separated.txt": (
        "inline", [("INT", 4), ("RESP", 4)],
        "So you volunteer with the river clean-up group. How did that begin?",
        "A proper skip at the lock, so we are not dragging bags half a mile to the road.", "", ""),
    "stamp-above-label.txt": (
        "label-line", [("Facilitator 1", 2), ("Parent A", 2), ("Parent B", 2), ("Facilitator 2", 1),
                       ("Parent C", 1)],
        "Welcome, everyone. Let's go round and say which sessions you've been to.",
        "Thank you. We'll take a short break there.",
        "Focus group 2: parents of under-fives\nRecorded at the family hub", ""),
    "zoom.vtt": (
        "webvtt", [("Tamsin Hale", 3), ("Rhodri Vaughan", 3)],
        "Hi Rhodri, can you hear me okay? Great, thanks for joining. So today I'd like to talk about "
        "the evening classes.",
        "If the price stays the same, yes. If it goes up, I'll have to think.", "", ""),
    "teams.vtt": (
        "webvtt", [("Imogen Strand", 3), ("Femi Adeyemi", 3)],
        "Morning Femi. Shall we start with how the mentoring sessions have gone?",
        "Longer. Six months goes really fast.", "", ""),
    "captions.srt": (
        "srt", [("INTERVIEWER", 3), ("VOLUNTEER", 3)],
        "Thank you for coming in. Shall we talk about the night shelter?",
        "Breakfast. Everyone's a bit more cheerful by breakfast.", "", ""),
    "docx-paragraphs-comments.docx": (
        "docx-inline", [("Interviewer", 3), ("Participant", 3)],
        "How long have you been coming to the men\u2019s shed?",
        "I talk to people again.\tI hadn\u2019t realised how much I\u2019d stopped.",
        "Interview 9 \u2013 male, 67, retired postman", ""),
    "docx-teams.docx": (
        "docx-label-line", [("Okafor, Nneka", 3), ("Byrne, Lorcan", 3)],
        "Thanks for making time, Lorcan. I wanted to ask about the walking netball.",
        "Brilliant. Mostly because nobody takes it seriously except the umpire.",
        "Transcript\n\n2 February 2023, 10:04AM\n\nOkafor, Nneka started transcription",
        "Okafor, Nneka stopped transcription"),
    "docx-table-3col.docx": (
        "docx-table", [("Researcher", 3), ("Warden", 3)],
        "Could you describe what a normal day looks like for you here?",
        "Curtains open by ten means all is well. It has worked for twenty years.",
        "Site visit interview, warden of the almshouses", ""),
    "docx-table-2col.docx": (
        "docx-table", [("Interviewer", 3), ("Interviewee", 3)],
        "You've been the lollipop lady on this crossing since 2009?",
        "To the right person. You need a good coat and a thick skin.", "", ""),
    "docx-otter.docx": (
        "docx-label-line", [("Carys Whitlow", 3), ("Speaker 2", 3)],
        "So you're three months into the apprenticeship. How's it going?",
        "Costing. Working out what a loaf really costs to make. Maths was never my thing.",
        "Bakery apprenticeship interview", ""),
}


def _docx_builders():
    spec = importlib.util.spec_from_file_location("docx_fixtures", FIXTURES / "docx_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fixture_files(tmp_path_factory) -> dict[str, Path]:
    files = {p.name: p for p in FIXTURES.iterdir() if p.suffix in (".txt", ".vtt", ".srt")}
    files.update(_docx_builders().write_all(tmp_path_factory.mktemp("docx")))
    return files


def test_every_layout_has_a_fixture(fixture_files):
    assert sorted(fixture_files) == sorted(EXPECTED)
    assert len(EXPECTED) >= 14


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_is_read_as_expected(fixture_files, name):
    layout, speakers, first, last, header, footer = EXPECTED[name]
    transcript = read_transcript(fixture_files[name])
    assert transcript.layout == layout
    assert [(s.label, s.turns) for s in transcript.speakers] == speakers
    assert len(transcript.turns) == sum(n for _, n in speakers)
    assert transcript.turns[0].text(transcript.text) == first
    assert transcript.turns[-1].text(transcript.text) == last
    assert transcript.header_text == header
    assert transcript.footer_text == footer


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_canonical_text_parses_back_to_the_same_turns(fixture_files, name):
    transcript = read_transcript(fixture_files[name])
    canonical = transcript.canonical_text()
    again = parse_transcript(canonical)
    renames = transcript.renames
    assert [(renames.get(t.speaker, t.speaker), t.text(transcript.text), t.timestamp)
            for t in transcript.turns] == [(t.speaker, t.text(again.text), t.timestamp) for t in again.turns]
    assert [t.is_interviewer for t in transcript.turns] == [t.is_interviewer for t in again.turns]
    assert again.header_text == transcript.header_text
    assert again.footer_text == transcript.footer_text
    assert again.canonical_text() == canonical


# --- nothing silently dropped ---------------------------------------------------------------------

_TIME = re.compile(r"\d{1,2}(?::\d{1,2}){1,2}(?:[.,]\d{1,3})?")
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


def _words(text: str) -> Counter:
    return Counter(w.casefold() for w in _WORD.findall(_TIME.sub(" ", text)))


def _file_words(path: Path) -> Counter:
    """The words of a file, read independently of thematic's readers: .docx from the XML's
    text elements (inserted text in, deleted text out), captions without the structure lines."""
    if path.suffix == ".docx":
        xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
        pieces = re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>|<w:(?:tab|br)/>|</w:p>", xml)
        return _words(" ".join(pieces).replace("&apos;", "'").replace("&amp;", "&"))
    text = io.read_text(path)
    if path.suffix in (".vtt", ".srt"):
        text = re.sub(r"(?s)\nNOTE\n.*?\n\n", "\n\n", text)
        lines = [line for line in text.split("\n") if "-->" not in line and not line.strip().isdigit()
                 and line.strip() != "WEBVTT" and not re.fullmatch(r"[0-9a-f\-]{36}/\d+-\d+", line)]
        text = re.sub(r"<[^>]+>", " ", "\n".join(lines)).replace("&apos;", "'").replace("&amp;", "&")
    return _words(text)


def _label_words(transcript) -> Counter:
    """Words that may go: speaker labels, and a table's column titles (its header row)."""
    words = Counter({"time": 1, "speaker": 1, "text": 1}) if transcript.layout == "docx-table" else Counter()
    for speaker in transcript.speakers:
        words |= Counter({w: 10_000 for w in _words(speaker.label)})
    return words


def assert_nothing_dropped(path: Path, transcript) -> None:
    found = _words("\n".join([transcript.header_text, transcript.footer_text,
                              *(t.text(transcript.text) for t in transcript.turns)]))
    expected = _file_words(path)
    missing = expected - found
    not_labels = missing - _label_words(transcript)
    share = 1 - sum(not_labels.values()) / sum(expected.values())
    assert share >= 0.99, (path.name, share)
    assert not not_labels, f"{path.name}: words dropped: {sorted(not_labels)}"
    assert not (found - expected), f"{path.name}: words added: {sorted(found - expected)}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_word_of_a_fixture_is_in_its_header_turns_or_footer(fixture_files, name):
    assert_nothing_dropped(fixture_files[name], read_transcript(fixture_files[name]))


@pytest.mark.parametrize("path", sorted(SAMPLE_RAW.glob("*.txt")), ids=lambda p: p.name)
def test_sample_raw_files_are_canonical_and_lose_no_word(path):
    transcript = read_transcript(path)
    assert transcript.canonical_text() == path.read_text(encoding="utf-8")
    assert transcript.layout == "inline" and transcript.header is None
    assert [s.label for s in transcript.speakers] == ["Interviewer", "Participant"]
    assert_nothing_dropped(path, transcript)


# --- what the user is told ------------------------------------------------------------------------

def test_describe_counts_and_warns_without_names(fixture_files):
    otter = read_transcript(fixture_files["otter.txt"])
    info = describe(otter)
    assert info["layout"] == "label-line" and info["turns"] == 9 and info["timestamps"]
    assert info["header_words"] == 17 and info["footer_words"] == 3
    assert info["interviewers"] == []
    assert [s["canonical"] for s in info["speakers"]] == ["Participant 1", "Speaker 2", "Participant 2",
                                                         "Speaker 4"]
    assert any("no interviewer" in w for w in info["warnings"])
    for message in info["warnings"] + info["notes"]:
        assert "Wren" not in message and "Osian" not in message and "choir" not in message
    declared = describe(read_transcript(fixture_files["otter.txt"], interviewer=["wren talbot"]))
    assert declared["interviewers"] == ["Wren Talbot"]
    assert [s["canonical"] for s in declared["speakers"]] == ["Interviewer", "Speaker 2", "Participant",
                                                             "Speaker 4"]
    assert declared["warnings"] == []  # several participants are fine once the interviewer is declared


def test_notes_say_what_was_ignored_or_repaired(fixture_files):
    assert read_transcript(fixture_files["docx-paragraphs-comments.docx"]).notes == (
        "1 Word comment(s) ignored", "1 tracked deletion(s) ignored (deleted text left out)",
        "1 tracked insertion(s) kept")
    zoom = read_transcript(fixture_files["zoom.vtt"])
    assert "1 caption(s) with a malformed timing line (line(s) 16) read anyway" in zoom.notes
    table = read_transcript(fixture_files["docx-table-3col.docx"])
    assert "text in page headers, footers or footnotes ignored" in table.notes
    assert table.turns[0].timestamp == "00:00:05"


def test_explain_shows_the_first_turns_as_parsed(fixture_files):
    text = explain(read_transcript(fixture_files["rev.txt"]), turns=2)
    assert text.splitlines()[0].endswith("rev.txt: layout label-line with timestamps, 2 speaker(s), 8 turns, 111 words")
    assert "    1. [00:00:02] Speaker 1:" in text and "    2. [00:00:09] Speaker 2:" in text
    assert "    3." not in text
    assert "warning: no interviewer found" in text
