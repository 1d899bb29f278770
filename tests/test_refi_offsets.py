"""Position conventions: detected from the text selections name, converted exactly, never silently."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from thematic.dataset import load_dataset
from thematic.refi import import_refi
from thematic.refi.offsets import (
    CRLF_ONCE,
    STANDARD,
    UTF16,
    UTF16_CRLF_ONCE,
    Positions,
    detect_convention,
    names_text,
)

TEXT = "Speaker: Hello 😀 there\r\nSpeaker: the café\r\nwas shut\r\nSpeaker: bye 🎉 now\r\n"
WANTED = ["Hello 😀 there", "the café\r\nwas", "bye 🎉 now"]


def _positions(text: str, wanted: list[str], *, crlf_once: bool, utf16: bool) -> list[tuple[int, int, str]]:
    """Where a tool counting this way puts each wanted passage, with the passage as its name."""
    counted = text.replace("\r\n", "\n") if crlf_once else text
    out = []
    for passage in wanted:
        passage_counted = passage.replace("\r\n", "\n") if crlf_once else passage
        start = counted.index(passage_counted)
        before, inside = counted[:start], passage_counted
        if utf16:
            width = lambda s: len(s.encode("utf-16-le")) // 2  # noqa: E731
            out.append((width(before), width(before) + width(inside), passage))
        else:
            out.append((start, start + len(inside), passage))
    return out


@pytest.mark.parametrize("convention", [STANDARD, CRLF_ONCE, UTF16, UTF16_CRLF_ONCE], ids=lambda c: c.name)
def test_each_convention_is_detected_and_converted_exactly(convention):
    selections = _positions(TEXT, WANTED, crlf_once=convention.crlf_once, utf16=convention.utf16)
    detection = detect_convention(TEXT, selections)
    assert detection.convention == convention and detection.checked == 3 and not detection.conflict
    mapper = Positions(TEXT, detection.convention)
    assert [TEXT[mapper.to_stored(s):mapper.to_stored(e)] for s, e, _ in selections] == WANTED


def test_the_standard_wins_when_nothing_before_a_selection_differs():
    selections = _positions(TEXT, WANTED[:1], crlf_once=True, utf16=False)  # before any line break
    assert detect_convention(TEXT, selections).convention == STANDARD


def test_positions_inside_a_surrogate_pair_or_outside_the_text_are_refused():
    mapper = Positions("a😀b", UTF16)
    assert [mapper.to_stored(p) for p in range(5)] == [0, 1, None, 2, 3]
    assert mapper.to_stored(-1) is None and mapper.to_stored(5) is None


def test_names_compare_collapsed_whitespace_and_shortened_names():
    assert names_text("the café was", "the café\r\nwas")  # an XML attribute turned the break into a space
    assert names_text("Speaker: the caf...", "Speaker: the café")
    assert names_text("Speaker: the café was shut and so", "Speaker: the café was shut and so on")  # >= 20
    assert not names_text("the", "the café")  # too short to be a beginning
    assert not names_text("line:6", "Speaker: the café")
    assert not names_text("", "x")


def _import(tmp_path: Path, text: str, selections: list[tuple[int, int, str]], *, name: str = "t.txt"):
    sels = "".join(
        f'<PlainTextSelection guid="44444444-0000-0000-0000-{i:012d}" name="{n}" startPosition="{s}" '
        f'endPosition="{e}" creatingUser="11111111-1111-1111-1111-111111111111">'
        f'<Coding guid="55555555-0000-0000-0000-{i:012d}"><CodeRef targetGUID="22222222-2222-2222-2222-222222222222"/>'
        f'</Coding></PlainTextSelection>'
        for i, (s, e, n) in enumerate(selections))
    qde = f"""<Project xmlns="urn:QDA-XML:project:1.0" name="p">
      <Users><User guid="11111111-1111-1111-1111-111111111111" name="Ann"/></Users>
      <CodeBook><Codes><Code guid="22222222-2222-2222-2222-222222222222" name="Gut" isCodable="true"/>
      </Codes></CodeBook>
      <Sources><TextSource guid="33333333-3333-3333-3333-333333333333" name="{name}"
          plainTextPath="internal://t.txt">{sels}</TextSource></Sources></Project>"""
    with zipfile.ZipFile(tmp_path / "p.qdpx", "w") as archive:
        archive.writestr("project.qde", qde.encode("utf-8"))
        archive.writestr("sources/t.txt", text.encode("utf-8"))
    report = import_refi(tmp_path / "p.qdpx", tmp_path / "data", deidentified=True)
    return report, load_dataset(tmp_path / "data")


def _xml_name(text: str) -> str:
    return text.replace("&", "&amp;").replace("\r", "&#13;").replace("\n", "&#10;")


def test_crlf_counted_once_is_converted_and_reported(tmp_path):
    """QualCoder's "MAXQDA line endings" export: \\r\\n in the text, each break counted once."""
    selections = [(s, e, _xml_name(n)) for s, e, n in _positions(TEXT, WANTED, crlf_once=True, utf16=False)]
    report, dataset = _import(tmp_path, TEXT, selections)
    text = dataset.texts["t"]
    assert sorted(text[r.start:r.end] for r in dataset.codings.itertuples()) == sorted(
        w.replace("\r\n", "\n") for w in WANTED)
    assert "line breaks (\\r\\n) counted once" in "\n".join(report.converted)
    assert (tmp_path / "data" / "raw" / "t.txt").read_bytes() == TEXT.encode("utf-8")  # kept as stored


def test_utf16_positions_are_converted(tmp_path):
    selections = [(s, e, _xml_name(n)) for s, e, n in _positions(TEXT, WANTED, crlf_once=False, utf16=True)]
    report, dataset = _import(tmp_path, TEXT, selections)
    assert sorted(dataset.texts["t"][r.start:r.end] for r in dataset.codings.itertuples()) == sorted(
        w.replace("\r\n", "\n") for w in WANTED)
    assert "UTF-16 code units" in "\n".join(report.converted)


def test_lone_carriage_returns_keep_their_offsets(tmp_path):
    text = "Speaker: one\rSpeaker: two 😀\rSpeaker: three\r"
    start = text.index("three")
    report, dataset = _import(tmp_path, text, [(start, start + 5, "three")])
    row = dataset.codings.iloc[0]
    assert dataset.texts["t"][row.start:row.end] == "three"
    assert report.converted == []


def test_unnamed_selections_on_an_ambiguous_text_are_read_as_the_standard_and_reported(tmp_path):
    start = TEXT.index("was shut")
    report, dataset = _import(tmp_path, TEXT, [(start, start + 8, "")])
    row = dataset.codings.iloc[0]
    assert dataset.texts["t"][row.start:row.end] == "was shut"
    assert "could not be checked" in "\n".join(report.to_check)


def test_names_no_convention_explains_are_reported_not_shifted_silently(tmp_path):
    once = _positions(TEXT, WANTED[1:2], crlf_once=True, utf16=False)
    twice = _positions(TEXT, WANTED[2:], crlf_once=False, utf16=False)
    selections = [(s, e, _xml_name(n)) for s, e, n in [*once, *twice]]
    report, _ = _import(tmp_path, TEXT, selections)
    assert "do not hold the text they name under any one convention" in "\n".join(report.to_check)
