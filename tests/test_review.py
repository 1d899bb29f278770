"""De-identifying a data folder: raw untouched, audit without text, review applied, codings kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from thematic import io, load_dataset
from thematic.cli import main
from thematic.errors import DataError
from thematic.review import Decision, align, apply_review, deidentify_folder, map_offset, remap_codings

RAW = ("Interviewer: Thanks for talking to me, Kerry.\n\n"
       "Participant: So Siobhan Kowalski, my health visitor, rang me on 07700 900 315 on Monday. "
       "We live near Calderholme, WX3 8QT. I hope it helps.\n")


@pytest.fixture
def folder(tiny_data: Path) -> Path:
    """The tiny folder with identifiers in one raw transcript and a known-names file."""
    (tiny_data / "raw" / "P1-W1.txt").write_text(RAW, encoding="utf-8")
    (tiny_data / "known-names.yaml").write_text(
        "names:\n  - {surface: Kerry, type: PERSON, placeholder: '[participant]'}\n"
        "  - {surface: Calderholme, type: PLACE, placeholder: '[town]'}\n", encoding="utf-8")
    for path in (tiny_data / "codings").glob("*.csv"):  # codings of the old P1-W1 text don't apply
        frame = pd.read_csv(path, dtype=str)
        frame[frame["interview_id"] != "P1-W1"].to_csv(path, index=False)
    (tiny_data / "deidentified" / "P1-W1.txt").unlink()
    return tiny_data


def test_folder_is_deidentified_with_audit_and_review(folder: Path):
    before = io.sha256_file(folder / "raw" / "P1-W1.txt")
    result = deidentify_folder(folder)
    assert io.sha256_file(folder / "raw" / "P1-W1.txt") == before
    text = io.read_text(folder / "deidentified" / "P1-W1.txt")
    assert text == ("Interviewer: Thanks for talking to me, [participant].\n\n"
                    "Participant: So [person 1], my health visitor, rang me on [phone number] on Monday. "
                    "We live near [town], [postcode]. I hope it helps.\n")
    audit = pd.read_csv(folder / "deidentification" / "audit" / "P1-W1.csv")
    assert list(audit.columns) == ["interview_id", "start", "end", "type", "detector", "score", "placeholder"]
    assert not audit.astype(str).apply(lambda c: c.str.contains("Kowalski|Kerry|07700")).any().any()
    review = pd.read_csv(folder / "deidentification" / "review.csv", dtype=str, keep_default_na=False)
    assert "Siobhan Kowalski" in set(review["text"]) and set(review["decision"]) == {""}
    assert result.written and "P1-W1" in result.changed
    assert load_dataset(folder).texts["P1-W1"] == text


def test_review_marks_false_positives_and_adds_missed_spans(folder: Path):
    deidentify_folder(folder)
    review_path = folder / "deidentification" / "review.csv"
    review = pd.read_csv(review_path, dtype=str, keep_default_na=False)
    review.loc[review["text"] == "Calderholme", "decision"] = "false positive"
    start = RAW.index("Monday")
    missed = {"interview_id": "P1-W1", "start": str(start), "end": str(start + 6), "type": "DATE",
              "placeholder": "[day]", "decision": "missed", "text": "Monday"}
    review = pd.concat([review, pd.DataFrame([missed])], ignore_index=True)
    review.to_csv(review_path, index=False)
    result = deidentify_folder(folder)
    text = io.read_text(folder / "deidentified" / "P1-W1.txt")
    assert "near Calderholme," in text and "on [day]." in text
    status = dict(zip(result.review_status["review"], result.review_status["count"], strict=True))
    assert status["marked false positive"] == 1 and status["added as missed"] == 1
    again = pd.read_csv(review_path, dtype=str, keep_default_na=False)
    assert set(again["decision"]) >= {"false positive", "missed"}  # decisions survive a re-run


def test_malformed_review_rows_are_all_listed(folder: Path):
    deidentify_folder(folder)
    review_path = folder / "deidentification" / "review.csv"
    review_path.write_text("interview_id,start,end,type,decision\nP1-W1,1,2,PERSON,maybe\n"
                           "P1-W1,,,PERSON,missed\n", encoding="utf-8")
    with pytest.raises(DataError) as error:
        deidentify_folder(folder)
    assert len(error.value.problems) == 2
    assert "review.csv, line 2" in error.value.problems[0] and "line 3" in error.value.problems[1]


def test_codings_move_with_the_text_or_the_run_is_refused(folder: Path):
    deidentify_folder(folder)
    text = io.read_text(folder / "deidentified" / "P1-W1.txt")
    start = text.index("I hope")
    inside = text.index("[town]")
    (folder / "codings" / "a.csv").write_text(
        "interview_id,start,end,code,coder,memo\n"
        f"P1-W1,{start},{start + 12},no_shared_records,a,\n", encoding="utf-8")
    review_path = folder / "deidentification" / "review.csv"
    review = pd.read_csv(review_path, dtype=str, keep_default_na=False)
    review.loc[review["text"] == "Calderholme", "decision"] = "false positive"
    review.to_csv(review_path, index=False)
    deidentify_folder(folder)  # the coded span lies after the change: it moves
    new = io.read_text(folder / "deidentified" / "P1-W1.txt")
    coding = pd.read_csv(folder / "codings" / "a.csv").iloc[0]
    assert new[coding["start"]:coding["end"]] == "I hope it he"
    # a coding that starts inside a span that is about to change blocks the run
    (folder / "codings" / "b.csv").write_text(
        "interview_id,start,end,code,coder,memo\n"
        f"P1-W1,{new.index('Calderholme') + 3},{new.index('I hope')},no_shared_records,b,\n", encoding="utf-8")
    review.loc[review["text"] == "Calderholme", "decision"] = ""
    review.to_csv(review_path, index=False)
    with pytest.raises(DataError, match=r"E?b.csv line 2 \(no_shared_records\)"):
        deidentify_folder(folder)
    assert io.read_text(folder / "deidentified" / "P1-W1.txt") == new  # nothing written
    assert inside > 0


def test_alignment_maps_offsets_around_changes():
    old, new = "Hello [person 1], how are you?\n\nFine.\n", "Hello [participant], how are you?\n\nFine.\n"
    opcodes = align(old, new)
    assert map_offset(old.index("how"), opcodes, side="start") == new.index("how")
    assert map_offset(old.index("1]"), opcodes, side="start") is None
    assert map_offset(len(old), opcodes, side="end") == len(new)
    codings = pd.DataFrame({"start": [0, 8], "end": [5, 20]})
    moved, blocked = remap_codings(codings, old, new)
    assert moved.loc[0, "end"] in (5, "5") and list(blocked.index) == [1]


def test_deidentify_command_and_dry_run(folder: Path):
    runner = CliRunner()
    dry = runner.invoke(main, ["deidentify", str(folder), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would change" in dry.output and not (folder / "deidentified" / "P1-W1.txt").exists()
    out = runner.invoke(main, ["deidentify", str(folder), "--n-jobs", "2"])
    assert out.exit_code == 0, out.output
    assert (folder / "deidentified" / "P1-W1.txt").exists() and "review file" in out.output
    assert "Kowalski" not in out.output


def test_names_in_speaker_labels_are_removed_wherever_they_appear(tiny_data):
    from thematic.review import deidentify_folder, speaker_names

    shutil.rmtree(tiny_data / "codings")
    (tiny_data / "raw" / "P1-W1.txt").write_text(
        "SPEAKERS\nQuorra Vintleby, Dr Pelham Strace\n\n"
        "Quorra Vintleby  0:03\nHow do you share notes, Pelham?\n\n"
        "Dr Pelham Strace  0:09\nWe have no shared system. Quorra knows that.\n\n"
        "Quorra Vintleby  0:15\nAnd meetings?\n\n"
        "Dr Pelham Strace  0:20\nVideo calls save a long drive.\n", encoding="utf-8")
    (tiny_data / "interviews.csv").write_text(
        "interview_id,participant_id,transcript,interviewer\n"
        "P1-W1,P1,raw/P1-W1.txt,Quorra Vintleby\nP2-W1,P2,raw/P2-W1.txt,\n", encoding="utf-8")
    names = speaker_names({"Dr Pelham Strace": "Participant"})
    assert names[0].surfaces == ("Dr Pelham Strace", "Pelham", "Strace") and names[0].placeholder == "[participant]"
    deidentify_folder(tiny_data)
    text = (tiny_data / "deidentified" / "P1-W1.txt").read_text(encoding="utf-8")
    assert not any(word in text for word in ("Quorra", "Vintleby", "Pelham", "Strace")), text
    assert "[0:03] Interviewer: How do you share notes, [participant]?" in text
    assert "[interviewer] knows that" in text


def test_turning_the_speech_name_recogniser_off_detects_again(folder: Path, tmp_path, monkeypatch):
    """Whether the name recogniser trained on speech runs is part of the audit's cache key."""
    from thematic.cache import computed, recording

    monkeypatch.setenv("THEMATIC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("THEMATIC_SPEECH_NAMES", "1")
    with recording() as events:
        deidentify_folder(folder, write=False)
    assert computed(events) == {"thematic.review._detect": 2}
    monkeypatch.setenv("THEMATIC_SPEECH_NAMES", "0")
    with recording() as events:
        deidentify_folder(folder, write=False)
    assert computed(events) == {"thematic.review._detect": 2}
    with recording() as events:
        deidentify_folder(folder, write=False)
    assert computed(events) == {}


def test_the_audit_detects_again_only_what_changed_and_equals_a_cold_run(folder: Path, tmp_path, monkeypatch):
    """Notebook 00 re-runs the audit at every report: an unchanged transcript with unchanged
    known names is read from the results cache; a changed one, or changed known names, is not."""
    from thematic.cache import computed, recording

    monkeypatch.setenv("THEMATIC_CACHE_DIR", str(tmp_path / "cache"))
    detect = "thematic.review._detect"
    with recording() as events:
        cold = deidentify_folder(folder, write=False)
    assert computed(events) == {detect: 2}
    with recording() as events:
        warm = deidentify_folder(folder, write=False)
    assert computed(events) == {} and [e.hit for e in events] == [True, True]
    pd.testing.assert_frame_equal(warm.identifiers, cold.identifiers)

    raw = folder / "raw" / "P2-W1.txt"
    raw.write_text(raw.read_text(encoding="utf-8") + "\nParticipant: Bronwen Tate from Calderholme rang.\n",
                   encoding="utf-8")
    with recording() as events:
        changed = deidentify_folder(folder, write=False)
    assert computed(events) == {detect: 1}  # only the transcript that changed
    monkeypatch.setenv("THEMATIC_CACHE_DIR", str(tmp_path / "empty"))
    pd.testing.assert_frame_equal(changed.identifiers, deidentify_folder(folder, write=False).identifiers)
    assert "P2-W1" in set(changed.identifiers["interview_id"])

    monkeypatch.setenv("THEMATIC_CACHE_DIR", str(tmp_path / "cache"))
    names = folder / "known-names.yaml"
    names.write_text(names.read_text(encoding="utf-8")
                     + "  - {surface: Tate, type: PERSON, placeholder: '[mother]', interviews: [P2-W1]}\n",
                     encoding="utf-8")
    with recording() as events:
        renamed = deidentify_folder(folder, write=False)
    assert computed(events) == {detect: 1}  # the new name belongs to P2-W1 only
    monkeypatch.setenv("THEMATIC_CACHE_DIR", str(tmp_path / "empty-2"))
    pd.testing.assert_frame_equal(renamed.identifiers, deidentify_folder(folder, write=False).identifiers)
    for path in (tmp_path / "cache").rglob("*"):  # keys are hashes; results hold no text
        assert "Bronwen" not in path.name and (path.is_dir() or b"Bronwen" not in path.read_bytes())


def test_words_left_to_check_are_listed_marked_and_applied(folder: Path, monkeypatch):
    import thematic.review as review

    # detectors that find nothing: what they would have missed is on the list
    monkeypatch.setattr(review, "map_cached", lambda func, items, compute: [[] for _ in items])
    result = deidentify_folder(folder)
    check_path = folder / "deidentification" / "check.csv"
    checks = pd.read_csv(check_path, dtype=str, keep_default_na=False)
    assert list(checks.columns) == ["interview_id", "word", "count", "reason", "context", "decision", "type",
                                    "placeholder", "note"]
    assert list(checks["word"]) == ["Kerry", "Siobhan", "Kowalski", "07700 900 315", "Calderholme", "WX3", "8QT"]
    assert result.words_to_check == 7 and set(checks["decision"]) == {""}
    assert checks.loc[2, "context"] == ("or talking to me, Kerry. Participant: So Siobhan «Kowalski», my health "
                                        "visitor, rang me on 07700 900 315 on M")
    # marks: one word missed (every occurrence replaced), one fine; both kept on the next run
    checks.loc[2, ["decision", "type", "placeholder"]] = ["missed", "PERSON", "[health visitor]"]
    checks.loc[4, "decision"] = "ok"
    checks.to_csv(check_path, index=False)
    result = deidentify_folder(folder)
    text = io.read_text(folder / "deidentified" / "P1-W1.txt")
    assert "So Siobhan [health visitor], my health visitor" in text and "near Calderholme," in text
    kept = pd.read_csv(check_path, dtype=str, keep_default_na=False)
    assert list(zip(kept["word"], kept["decision"], strict=True)) == [
        ("Kowalski", "missed"), ("Calderholme", "ok"), ("Kerry", ""), ("Siobhan", ""), ("07700 900 315", ""),
        ("WX3", ""), ("8QT", "")]
    assert result.words_to_check == 5
    review_rows = pd.read_csv(folder / "deidentification" / "review.csv", dtype=str, keep_default_na=False)
    assert list(zip(review_rows["text"], review_rows["detector"], review_rows["decision"], strict=True)) == [
        ("Kowalski", "review", "")]  # the marked word is a finding of the review; its mark stays in check.csv


def test_a_missed_dictionary_word_is_replaced_where_it_is_capitalised_only():
    from thematic.deidentify.words import word_tests

    is_word, _ = word_tests("en_core_web_sm")
    text = "I hope so. Hope was born in May; HOPE's nan came. okonkwo rang, then Okonkwo again."
    marks = [Decision("P1-W1", "missed", None, None, "PERSON", "[baby]", "Hope", 2),
             Decision("P1-W1", "missed", None, None, "PERSON", "[health visitor]", "Okonkwo", 3)]
    found = apply_review(text, [], marks, is_word=is_word)
    assert [(text[i.start:i.end], i.placeholder) for i in found] == [
        ("Hope", "[baby]"), ("HOPE", "[baby]"), ("okonkwo", "[health visitor]"), ("Okonkwo", "[health visitor]")]
    assert len(apply_review(text, [], marks)) == 5  # without a dictionary: every occurrence, in any case


def test_words_marked_false_positive_are_not_listed_again(folder: Path):
    deidentify_folder(folder)
    review_path = folder / "deidentification" / "review.csv"
    rows = pd.read_csv(review_path, dtype=str, keep_default_na=False)
    rows.loc[rows["text"] == "Siobhan Kowalski", "decision"] = "false positive"
    rows.to_csv(review_path, index=False)
    deidentify_folder(folder)
    assert "Siobhan Kowalski" in io.read_text(folder / "deidentified" / "P1-W1.txt")
    checks = pd.read_csv(folder / "deidentification" / "check.csv", dtype=str, keep_default_na=False)
    assert not checks["word"].isin(["Siobhan", "Kowalski"]).any()


def test_malformed_marks_on_words_to_check_are_all_listed(folder: Path):
    deidentify_folder(folder)
    check_path = folder / "deidentification" / "check.csv"
    check_path.write_text("interview_id,word,decision,type\nP1-W1,Kowalski,perhaps,\n"
                          "P1-W1,Kowalski,missed,SURNAME\n,Kowalski,ok,\n", encoding="utf-8")
    with pytest.raises(DataError) as error:
        deidentify_folder(folder)
    assert [p.split(":")[0] for p in error.value.problems] == [f"[E309] {check_path}, line {n}" for n in (2, 3, 4)]


def test_marks_for_an_interview_the_study_does_not_have_are_refused(folder: Path):
    deidentify_folder(folder)
    review_path = folder / "deidentification" / "review.csv"
    review_path.write_text("interview_id,start,end,type,decision,text\nP9-W1,,,PERSON,missed,Kowalski\n",
                           encoding="utf-8")
    with pytest.raises(DataError) as error:
        deidentify_folder(folder)
    assert error.value.problems == [
        f"[E305] {review_path}, line 2: interview_id 'P9-W1' is not in {folder / 'interviews.csv'}. Review rows need "
        "interview_id, decision ('ok', 'false positive' or 'missed') and, for 'missed', start/end or text."]
    review_path.unlink()
    check_path = folder / "deidentification" / "check.csv"
    check_path.write_text("interview_id,word,decision\nP1-W1,Monday,ok\n../P1-W1,Kowalski,ok\n", encoding="utf-8")
    with pytest.raises(DataError) as error:
        deidentify_folder(folder)
    assert len(error.value.problems) == 1 and f"{check_path}, line 3: interview_id '../P1-W1'" in error.value.problems[0]
