"""The held-out de-identification sets of ``thematic bench deidentify``: loading, offsets, skipping.

These tests read the sets' labels, never the rules' output on them: the sets stay held out.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter

import pandas as pd
import pytest
from conftest import ROOT

from thematic.bench import deidentify as bench
from thematic.deidentify import parse_known_names


def _builder(name: str = "build_deid_eval_3"):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _nhs_checksum_ok(digits: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    return (11 - total % 11) % 11 == int(digits[9])


@pytest.fixture(scope="module")
def third():
    return bench.utterance_set("test-3", bench.EVAL_3, "third set", held_out=True)


def test_third_set_loads_as_a_held_out_set_of_its_own(third):
    assert third.held_out and len(third.ids) == len(set(third.ids)) == 313
    assert Counter(third.gold["type"]) == {"PERSON": 200, "PLACE": 52, "ORG": 45, "AGE": 23, "PHONE": 17,
                                           "POSTCODE": 9, "NHS_NUMBER": 8, "DATE_OF_BIRTH": 8, "EMAIL": 6,
                                           "DATE": 2}
    assert len(third.lookalikes) == 94 and third.lookalikes["kind"].nunique() == 20
    assert int(third.gold["known"].sum()) == 47
    assert int((third.gold["lowercase"] & (third.gold["type"] == "PERSON")).sum()) == 26
    assert parse_known_names(third.known_names, source="test-3")  # the bench parses it the same way


def test_third_set_spans_cover_whole_words_and_known_ones_are_on_its_list(third):
    texts = dict(zip(third.ids, third.texts, strict=True))
    surfaces = _builder().known_surfaces(third.known_names)
    for frame in (third.gold, third.lookalikes):
        for span in frame.itertuples():
            text = texts[span.interview_id]
            surface = text[span.start:span.end]
            assert 0 <= span.start < span.end <= len(text) and surface == surface.strip()
            assert span.start == 0 or not text[span.start - 1].isalnum(), surface
            assert span.end == len(text) or not text[span.end].isalnum(), surface
            if getattr(span, "known", False):
                assert surface.lower() in surfaces
    for span in third.gold[third.gold["type"] == "NHS_NUMBER"].itertuples():
        assert _nhs_checksum_ok(re.sub(r"\D", "", texts[span.interview_id][span.start:span.end]))


def test_committed_third_set_is_what_the_builder_writes(third):
    builder = _builder()
    rows = builder.build(known=third.known_names)
    lines = (ROOT / bench.EVAL_3).read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["count"] == len(rows) == len(lines) - 1
    assert [r["text"] for r in rows] == third.texts
    assert [r["identifiers"] for r in rows] == [json.loads(line)["identifiers"] for line in lines[1:]]


def test_builder_refuses_a_known_name_left_unlabelled_and_a_repeated_name_missed(tmp_path):
    builder = _builder()
    known = {"names": [{"surface": ["Anwen"], "type": "PERSON"}]}
    source = tmp_path / "u.txt"
    source.write_text("## s: x\nP: [[PERSON:Dai]] said anwen was there\n", encoding="utf-8")
    with pytest.raises(ValueError, match="u.txt:2: name 'anwen'"):
        builder.build(source, known=known)
    source.write_text("## s: x\nP: [[PERSON:Dai]], no, Dai\n", encoding="utf-8")
    with pytest.raises(ValueError, match="name 'Dai' at 12"):
        builder.build(source, known=known)
    source.write_text("## s: x\nP: [[PERSON*:Dai]] rang\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not on the known-names list"):
        builder.build(source, known=known)


def test_perfect_findings_score_full_recall_and_precision_on_the_third_set(third):
    found = [[(g.start, g.end, g.type) for g in third.gold[third.gold["interview_id"] == i].itertuples()]
             for i in third.ids]
    figures = bench.score_set(third, found)
    assert figures["recall: all identifiers"] == figures["precision"] == 1.0
    assert figures["look-alikes removed"] == 0.0 and figures["n: look-alikes"] == 94


def test_quick_sets_include_the_third_set_held_out():
    sets = {s.name: s for s in bench.all_sets(quick=True)}
    assert sets["test-3"].held_out and len(sets["test-3"].ids) == 30


@pytest.fixture(scope="module")
def fourth():
    return bench.utterance_set("test-4", bench.EVAL_4, "fourth set", held_out=True)


def test_fourth_set_loads_as_a_held_out_set_with_the_counts_the_guide_states(fourth):
    assert fourth.held_out and len(fourth.ids) == len(set(fourth.ids)) == 368
    assert fourth.ids[0] == "t4-001" and fourth.ids[-1] == "t4-368"
    assert Counter(fourth.gold["type"]) == {"PERSON": 204, "PLACE": 68, "ORG": 55, "AGE": 29, "PHONE": 12,
                                            "POSTCODE": 11, "NHS_NUMBER": 10, "EMAIL": 9, "DATE_OF_BIRTH": 8,
                                            "DATE": 2}
    assert len(fourth.lookalikes) == 126 and fourth.lookalikes["kind"].nunique() == 28
    assert int(fourth.gold["known"].sum()) == 51
    assert int((fourth.gold["lowercase"] & (fourth.gold["type"] == "PERSON")).sum()) == 21
    assert int((fourth.gold["lowercase"] & fourth.gold["known"]).sum()) == 5
    assert parse_known_names(fourth.known_names, source="test-4")
    assert not set(fourth.texts) & set(bench.utterance_set("test-3", bench.EVAL_3, "third").texts)


def test_fourth_builder_shares_the_checks_of_the_third(tmp_path):
    builder = _builder("build_deid_eval_4")
    known = {"names": [{"surface": ["Thuy"], "type": "PERSON"}]}
    source = tmp_path / "u.txt"
    source.write_text("## s: x\nP3: [[PERSON:Efua]] said thuy's mum came\n", encoding="utf-8")
    with pytest.raises(ValueError, match="u.txt:2: name 'thuy'"):
        builder.build(source, known=known)
    source.write_text("## s: x\nP: ring [[PHONE: 0113 496 0000]]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="starts or ends with a space"):
        builder.build(source, known=known)
    source.write_text("## s: x\nP: [[PERSON*:Thuy]] in {{May/month}}\n", encoding="utf-8")
    assert [r["id"] for r in builder.build(source, known=known)] == ["t4-001"]


def test_perfect_findings_score_full_recall_and_precision_on_the_fourth_set(fourth):
    found = [[(g.start, g.end, g.type) for g in fourth.gold[fourth.gold["interview_id"] == i].itertuples()]
             for i in fourth.ids]
    figures = bench.score_set(fourth, found)
    assert figures["recall: all identifiers"] == figures["precision"] == 1.0
    assert figures["look-alikes removed"] == 0.0 and figures["n: look-alikes"] == 126
    assert figures["n: kind partial"] == 5 and figures["n: kind handle"] == 5


def test_quick_sets_include_the_fourth_set_held_out():
    sets = {s.name: s for s in bench.all_sets(quick=True)}
    assert sets["test-4"].held_out and len(sets["test-4"].ids) == 30


@pytest.fixture(scope="module")
def fifth():
    return bench.utterance_set("test-5", bench.EVAL_5, "fifth set", held_out=True)


def test_fifth_set_loads_held_out_with_the_counts_the_guide_states_and_names_weighted(fifth):
    assert fifth.held_out and len(fifth.ids) == len(set(fifth.ids)) == 453
    assert fifth.ids[0] == "t5-001" and fifth.ids[-1] == "t5-453"
    assert Counter(fifth.gold["type"]) == {"PERSON": 363, "ORG": 71, "PLACE": 56, "AGE": 52, "PHONE": 15,
                                           "POSTCODE": 13, "DATE_OF_BIRTH": 10, "EMAIL": 10, "NHS_NUMBER": 10,
                                           "DATE": 5}
    person = fifth.gold[fifth.gold["type"] == "PERSON"]
    assert len(person) / len(fifth.gold) == pytest.approx(0.6, abs=0.01)
    assert Counter(person["kind"]) == {"person": 235, "word-name": 53, "nickname": 37, "surname": 23,
                                       "spelled": 8, "misheard": 7}
    assert int(fifth.gold["known"].sum()) == 45 and int(person["known"].sum()) == 42
    assert int(person["lowercase"].sum()) == 65 and int((person["lowercase"] & person["known"]).sum()) == 8
    assert len(fifth.lookalikes) == 246 and fifth.lookalikes["kind"].nunique() == 30
    assert parse_known_names(fifth.known_names, source="test-5")
    earlier = {t for name, path in (("test-3", bench.EVAL_3), ("test-4", bench.EVAL_4))
               for t in bench.utterance_set(name, path, name).texts}
    assert not set(fifth.texts) & earlier


#: The blind held-out sets built by tools/build_deid_eval_<n>.py: name, builder, file.
BLIND_SETS = [("test-4", "build_deid_eval_4", bench.EVAL_4), ("test-5", "build_deid_eval_5", bench.EVAL_5)]


@pytest.mark.parametrize("name, builder, path", BLIND_SETS)
def test_blind_set_spans_cover_whole_words_and_nhs_numbers_hold_their_checksum(name, builder, path):
    labelled = bench.utterance_set(name, path, name, held_out=True)
    texts = dict(zip(labelled.ids, labelled.texts, strict=True))
    surfaces = _builder(builder).known_surfaces(labelled.known_names)
    for frame in (labelled.gold, labelled.lookalikes):
        for span in frame.itertuples():
            text = texts[span.interview_id]
            surface = text[span.start:span.end]
            assert 0 <= span.start < span.end <= len(text) and surface == surface.strip()
            assert span.start == 0 or not text[span.start - 1].isalnum(), surface
            assert span.end == len(text) or not text[span.end].isalnum(), surface
            if getattr(span, "known", False):
                assert surface.lower() in surfaces
    numbers = labelled.gold[labelled.gold["type"] == "NHS_NUMBER"]
    assert len(numbers) == 10
    for span in numbers.itertuples():
        assert _nhs_checksum_ok(re.sub(r"\D", "", texts[span.interview_id][span.start:span.end]))


@pytest.mark.parametrize("name, builder, path", BLIND_SETS)
def test_committed_blind_set_is_what_its_builder_writes(name, builder, path):
    labelled = bench.utterance_set(name, path, name, held_out=True)
    rows = _builder(builder).build(known=labelled.known_names)
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["split"] == name and header["held_out"] and header["count"] == len(rows) == len(lines) - 1
    assert [r["text"] for r in rows] == labelled.texts
    assert [r["identifiers"] for r in rows] == [json.loads(line)["identifiers"] for line in lines[1:]]
    assert [r["lookalikes"] for r in rows] == [json.loads(line)["lookalikes"] for line in lines[1:]]


def test_held_out_main_rewrites_the_fourth_and_fifth_sets_byte_for_byte(tmp_path, capsys):
    shared = _builder("build_deid_eval")
    for name, prefix, split in (("deid-eval-4", "t4-", "test-4"), ("deid-eval-5", "t5-", "test-5")):
        folder = tmp_path / name
        folder.mkdir()
        for file in ("utterances.txt", "known-names.yaml"):
            (folder / file).write_bytes((ROOT / "benchmarks" / name / file).read_bytes())
        assert shared.held_out_main(folder, prefix=prefix, split=split) == 0
        assert (folder / "test.jsonl").read_bytes() == (ROOT / "benchmarks" / name / "test.jsonl").read_bytes()
    assert capsys.readouterr().out.startswith("wrote test.jsonl: 368 utterances")


def test_perfect_findings_score_full_recall_and_precision_on_the_fifth_set(fifth):
    found = [[(g.start, g.end, g.type) for g in fifth.gold[fifth.gold["interview_id"] == i].itertuples()]
             for i in fifth.ids]
    figures = bench.score_set(fifth, found)
    assert figures["recall: all identifiers"] == figures["precision"] == 1.0
    assert figures["look-alikes removed"] == 0.0 and figures["n: look-alikes"] == 246
    assert figures["n: kind word-name"] == 53 and figures["n: kind misheard"] == 7
    assert figures["n: person names, lowercase"] == 65 and figures["n: unknown person names"] == 321


def test_quick_sets_include_the_fifth_set_held_out():
    sets = {s.name: s for s in bench.all_sets(quick=True)}
    assert sets["test-5"].held_out and len(sets["test-5"].ids) == 30


def _labels(path: str) -> list[dict]:
    return [json.loads(line) for line in (ROOT / path).read_text(encoding="utf-8").splitlines()[1:] if line.strip()]


def test_second_nhs_held_out_labels_are_new_comments_with_well_formed_spans():
    labels = _labels(bench.NHS_HELDOUT_2_LABELS)
    ids = [label["comment_id"] for label in labels]
    assert len(ids) == len(set(ids)) == 226 and ids == sorted(ids)
    earlier = {label["comment_id"] for path in (bench.NHS_LABELS, bench.NHS_HELDOUT_LABELS) for label in _labels(path)}
    assert not set(ids) & earlier
    for label in labels:
        assert re.fullmatch(r"[0-9a-f]{16}", label["sha256"])
        spans = sorted([tuple(s[:2]) for s in label["identifiers"]] + [tuple(s) for s in label["lookalikes"]]
                       + [tuple(s) for s in label["neutral"]])
        assert all(start < end for start, end in spans)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
        assert all(kind in bench.TYPES for _, _, kind in label["identifiers"])
    assert Counter(s[2] for label in labels for s in label["identifiers"]) == {
        "ORG": 9, "PERSON": 4, "PLACE": 4, "AGE": 4, "DATE": 2, "DATE_OF_BIRTH": 1}


def test_second_nhs_held_out_set_is_skipped_where_the_data_set_is_absent(tmp_path, monkeypatch):
    monkeypatch.setenv("THEMATIC_SHARED", str(tmp_path))
    assert bench.nhs_set(bench.NHS_HELDOUT_2_LABELS, name="nhs-test-2", held_out=True) is None
    assert "nhs-test-2" not in {s.name for s in bench.all_sets()}


def test_second_nhs_held_out_set_loads_every_comment_where_the_data_set_is_present():
    from thematic.bench.suggest import NHS_FILE, shared_dir

    if not (shared_dir() / NHS_FILE).exists():
        pytest.skip("the NHS patient-feedback data set (../shared) is absent")
    labelled = bench.nhs_set(bench.NHS_HELDOUT_2_LABELS, name="nhs-test-2", held_out=True)
    assert labelled.held_out and len(labelled.ids) == 226 and "226 of 226" in labelled.description
    texts = dict(zip(labelled.ids, labelled.texts, strict=True))
    for frame in (labelled.gold, labelled.lookalikes, labelled.neutral):
        assert isinstance(frame, pd.DataFrame)
        for span in frame.itertuples():
            surface = texts[span.interview_id][span.start:span.end]
            assert surface and surface == surface.strip()
    assert len(labelled.gold) == 24 and len(labelled.lookalikes) == 71 and len(labelled.neutral) == 3
