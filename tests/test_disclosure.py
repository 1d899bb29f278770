"""What may be published: free text masked, labels checked, names withheld, file names hidden."""

from __future__ import annotations

import pytest
from conftest import SAMPLE

from thematic.codebook import parse_codebook
from thematic.deidentify import parse_known_names
from thematic.disclosure import Screen, file_label, name_hash, pseudonyms

KNOWN = parse_known_names({"names": [
    {"surface": ["Dr Helen Marwick", "Helen"], "type": "PERSON", "placeholder": "[clinical lead]"},
    {"surface": "Calderholme", "type": "PLACE", "placeholder": "[town]"},
    {"surface": "Kai", "type": "PERSON", "placeholder": "[older child]", "interviews": ["PAR01-W1"]},
]})


@pytest.fixture(scope="module")
def screen() -> Screen:
    return Screen(KNOWN, vocabulary=["Joint visits and care planning", "Unclear remit and roles of the service"])


def test_a_memo_loses_names_and_numbers(screen):
    memo = ("Follow-up: her sister Bronwen Tillotson rang the team on 07700 900 417; Helen says the "
            "visits in Calderholme helped.")
    assert screen.mask(memo, interview_id="PAR02-W1") == (
        "Follow-up: her sister [person 1] rang the team on [phone number]; [clinical lead] says the "
        "visits in [town] helped.")


def test_known_names_of_one_interview_apply_to_its_text_and_to_text_of_none(screen):
    text = "Kai was at nursery that day."
    assert screen.mask(text, interview_id="PAR01-W1").startswith("[older child] was")
    assert screen.mask(text).startswith("[older child] was")  # a comment: every name of the study
    assert screen.mask_all([text, text], interview_ids=["PAR01-W1", None]) == [
        "[older child] was at nursery that day."] * 2


def test_a_coding_memo_keeps_the_codes_it_quotes(screen):
    memo = ("Borderline between 'Joint visits and care planning' and 'Unclear remit and roles of the "
            "service'; ask Ottoline Farquharson.")
    masked = screen.mask(memo, interview_id="REF01-W1")
    assert masked == ("Borderline between 'Joint visits and care planning' and 'Unclear remit and roles of "
                      "the service'; ask [person 1].")
    # without the vocabulary the NER takes a capitalised code label for a name ("Unclear", an
    # adjective, no longer since round 2 of issue 15; "Navigating Services" still)
    quoting = "Coded as 'Navigating Services alone'; ask Ottoline Farquharson."
    assert "'Navigating Services" not in Screen(KNOWN).mask(quoting, interview_id="REF01-W1")
    assert Screen(KNOWN, vocabulary=["Navigating Services alone"]).mask(quoting, interview_id="REF01-W1") == (
        "Coded as 'Navigating Services alone'; ask [person 1].")


def test_the_explicit_check_replaces_known_names_and_patterns_only(screen):
    assert screen.check("coding meeting with Helen (helen.marwick@trust.example)") == \
        "coding meeting with [clinical lead] ([email address])"
    assert screen.check("coding meeting (coder_a; coder_b)") == "coding meeting (coder_a; coder_b)"
    assert screen.check("Jane Doe") == "Jane Doe"  # no NER: names of the team are not participants'
    assert screen.check("") == ""


def test_a_codebook_is_masked_and_its_labels_checked():
    book = parse_codebook({"title": "Study", "themes": [{"id": "T1", "name": "Working with Helen", "codes": [
        {"id": "c1", "label": "Calling Calderholme", "kind": "activity",
         "definition": "As when Rosalind Attwater first joined.",
         "examples": ["Our health visitor Ambrose Kettleby came round.", "It was fine."]}]}]})
    masked = Screen(KNOWN).codebook(book)
    code = masked.themes[0].codes[0]
    assert masked.themes[0].name == "Working with [clinical lead]" and code.label == "Calling [town]"
    assert code.definition == "As when [person 1] first joined."
    assert code.examples == ("Our health visitor [person 1] came round.", "It was fine.")
    assert [c.id for t in masked.themes for c in t.codes] == ["c1"]


def test_the_sample_codebook_loses_only_its_three_names(sample_dataset):
    published = sample_dataset.for_publication()
    before = [e for t in sample_dataset.codebook.themes for c in t.codes for e in c.examples]
    after = [e for t in published.codebook.themes for c in t.codes for e in c.examples]
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert [b for _, b in changed] == [
        "Bit by bit we're getting to a sort of [the service] way of doing it, if that makes sense.",
        "[clinical lead]'s very good at noticing when someone's carrying too much and just quietly picking it up.",
        "I rang about a dad I was worried about, and [practitioner] helped me work out what to say to him."]
    definitions = [c.definition for t in published.codebook.themes for c in t.codes]
    assert definitions == [c.definition for t in sample_dataset.codebook.themes for c in t.codes]
    assert published.codings["memo"].equals(sample_dataset.codings["memo"])  # no name in them
    assert published.published and not sample_dataset.published
    assert published.for_publication() is published


def test_reviewers_are_withheld():
    assert pseudonyms(["Harriet Vossberg", "", "harriet  vossberg", "Clinical lead"], role="reviewer") == [
        "reviewer 1", "", "reviewer 1", "reviewer 2"]


def test_file_names_a_person_chose_are_never_shown():
    interviews = {"raw/Maisie Calloway interview.txt": "PAR03-W1", "transcripts/Smith family.docx": "PAR04-W1"}
    safe = {"participants.csv", "memos/PAR02-W1.md"}
    assert file_label("raw/Maisie Calloway interview.txt", interviews=interviews) == "raw/PAR03-W1.txt"
    assert file_label("transcripts/Smith family.docx", interviews=interviews) == "transcripts/PAR04-W1.docx"
    assert file_label("memos/PAR02-W1.md", safe=safe) == "memos/PAR02-W1.md"
    stray = file_label("member-check/reply from Harriet Vossberg.docx")
    assert stray == f"member-check/unnamed-{name_hash('member-check/reply from Harriet Vossberg.docx')}.docx"
    assert file_label("Jane's notes/x.md").startswith("other/unnamed-")
    assert file_label("memos/Jane Smith.md").startswith("memos/unnamed-")  # not an interview id


def test_a_study_without_known_names_still_masks(tmp_path):
    screen = Screen.for_study(type("S", (), {"read_known_names": lambda self: parse_known_names({"names": []})})())
    assert screen.mask("Call Bronwen Tillotson on 07700 900 417.") == "Call [person 1] on [phone number]."
    assert SAMPLE.exists()


def test_attribution_labels_and_roles_are_checked(sample_copy):
    import pandas as pd

    from thematic import load_dataset

    participants = pd.read_csv(sample_copy / "participants.csv", dtype=str, keep_default_na=False)
    participants.loc[0, "label"] = "Danielle"  # a known name of PAR01's interview, set by a careless hand
    participants.loc[1, "role"] = "mother, 07700 900 832"
    participants.to_csv(sample_copy / "participants.csv", index=False)
    published = load_dataset(sample_copy).for_publication()
    assert published.participants["label"].iloc[0].startswith("[") and "Danielle" not in published.interviews.to_csv()
    assert published.participants["role"].iloc[1] == "mother, [phone number]"
    assert published.participants["label"].iloc[2] == "Mother 3"


def test_ids_that_hold_a_known_name_are_flagged(sample_copy):
    import pandas as pd

    from thematic import load_dataset
    from thematic.disclosure import ids_naming_someone

    assert ids_naming_someone(["danielle-w1", "PAR01-W1", "helen_marwick", "calderholme2"], KNOWN) == [
        "helen_marwick"]  # "Helen" alone is a surface too: whole words in any case
    assert ids_naming_someone(["helen", "P-Helen-2"], KNOWN) == ["helen", "P-Helen-2"]
    interviews = pd.read_csv(sample_copy / "interviews.csv", dtype=str, keep_default_na=False)
    assert not [w for w in load_dataset(sample_copy).warnings if "[E343]" in w]  # the sample's ids are neutral
    interviews.loc[0, "interview_id"] = "Danielle-Quillfeather-W1"
    interviews.to_csv(sample_copy / "interviews.csv", index=False)
    (sample_copy / "deidentified" / "PAR01-W1.txt").rename(sample_copy / "deidentified" / "Danielle-Quillfeather-W1.txt")
    _rename_in_codings(sample_copy, "PAR01-W1", "Danielle-Quillfeather-W1")
    warnings = load_dataset(sample_copy).warnings
    assert any("[E343]" in w and "interview_id Danielle-Quillfeather-W1" in w for w in warnings)


def _rename_in_codings(folder, old, new):
    import pandas as pd

    for path in (folder / "codings").glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame.loc[frame["interview_id"] == old, "interview_id"] = new
        frame.to_csv(path, index=False)


def test_masked_texts_are_cached_without_the_texts_given(tmp_path, monkeypatch):
    """A study is masked once, not at every report or export; the cache holds masked text only,
    and a text is masked once for all the interviews it comes from unless one's own name is in it."""
    import thematic.disclosure as disclosure

    monkeypatch.setenv("THEMATIC_CACHE_DIR", str(tmp_path))
    calls = []
    real = disclosure.find_identifiers_batch
    monkeypatch.setattr(disclosure, "find_identifiers_batch", lambda texts, **kw: calls.append(len(texts)) or real(texts, **kw))
    memos = ["Ask Ottoline Farquharson.", "Ask Ottoline Farquharson.", "Kai was there."]
    ids = ["REF01-W1", "REF02-W1", "PAR01-W1"]
    first = Screen(KNOWN).mask_all(memos, interview_ids=ids)
    assert first == ["Ask [person 1].", "Ask [person 1].", "[older child] was there."] and calls == [2]
    assert Screen(KNOWN).mask_all(memos, interview_ids=ids) == first and calls == [2]  # from the cache
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert b"Farquharson" not in stored and b"[person 1]" in stored
    # not the family of REF01-W1: an unknown name there, not "[older child]"
    assert Screen(KNOWN, cache=False).mask("Kai was there.", interview_id="REF01-W1") == "[person 1] was there."


def test_an_entity_running_into_a_quoted_code_is_not_a_name(screen):
    memo = "Weak 'Joint visits and care planning'; flag. Ask Ottoline Farquharson."
    assert screen.mask(memo, interview_id="REF01-W1") == "Weak 'Joint visits and care planning'; flag. Ask [person 1]."


def test_the_deidentifier_cache_key_covers_every_detector_module_and_the_allow_list():
    """A change to any detector (a new module too) or to allow.yaml starts a new cache: the
    key is taken over modules found on disk, never over a function named like its module."""
    import pkgutil
    from pathlib import Path
    from types import ModuleType

    import thematic.deidentify as package
    from thematic.disclosure import DEIDENTIFIER_MODULES

    folder = Path(package.__file__).parent
    modules = [m for m in DEIDENTIFIER_MODULES if not isinstance(m, Path)]
    assert all(isinstance(m, ModuleType) for m in modules)
    assert {m.__name__ for m in modules} == {"thematic.deidentify"} | {
        f"thematic.deidentify.{info.name}" for info in pkgutil.iter_modules([str(folder)])}
    assert folder / "allow.yaml" in DEIDENTIFIER_MODULES
