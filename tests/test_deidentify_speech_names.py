"""The name recogniser trained on speech (``thematic.deidentify.speech_names``): it loads from
the package, finds names in sentences written for this file (none is in its training corpus or
in a benchmark set), leaves look-alike words alone, and can be turned off."""

from __future__ import annotations

import pytest

from thematic.deidentify import find_identifiers_batch
from thematic.deidentify import speech_names as module
from thematic.deidentify.speech_names import (
    COMPONENT,
    MODEL_DIR,
    MODEL_SHA256,
    enabled,
    finder,
    load_pipeline_with,
    model_digest,
)
from thematic.errors import ModelError


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline_with("en_core_web_sm")


def names(nlp, text: str) -> list[str]:
    return [text[s:e] for s, e, *_ in finder("en_core_web_sm")(text, nlp(text))]


def test_the_stored_model_is_the_one_the_module_names_and_is_small():
    assert MODEL_SHA256 == model_digest()
    size = sum(p.stat().st_size for p in MODEL_DIR.rglob("*") if p.is_file())
    assert 10_000 < size < 10_000_000


def test_it_runs_before_the_pipelines_ner_and_leaves_its_entities_alone(nlp):
    assert nlp.pipe_names.index(COMPONENT) < nlp.pipe_names.index("ner")
    assert "parser" not in nlp.pipe_names
    text = "I rang Mind and then Barack Obama was on the news in London."
    doc = nlp(text)
    from thematic.nlp import load_pipeline

    plain = load_pipeline("en_core_web_sm", disable=("parser",))(text)
    assert [(e.text, e.label_) for e in doc.ents] == [(e.text, e.label_) for e in plain.ents]
    assert COMPONENT in doc.spans and COMPONENT not in plain.spans


@pytest.mark.parametrize("text, expected", [
    ("i was talking to chidinma about it at the drop in", ["chidinma"]),
    ("and then marek said he'd had enough of the lot of them", ["marek"]),
    ("me and kerensa fell out over the christening", ["kerensa"]),
    ("um yeah obinna was doing the school run that week", ["obinna"]),
    ("My health visitor, Mrs Adeyemi-Clarke, came out on the Thursday.", ["Mrs Adeyemi-Clarke"]),
    ("I texted Siobhan to say we'd be late.", ["Siobhan"]),
])
def test_it_finds_names_in_speech(nlp, text, expected):
    assert names(nlp, text) == expected


@pytest.mark.parametrize("text", [
    "I will ring them back after the weekend",
    "we just hope the waiting list gets shorter",
    "the staff were helpful and reassuring throughout",
    "I rang the NSPCC and they put me through to Mind",
    "i rang the council and they were useless",
])
def test_look_alike_words_are_not_names(nlp, text):
    assert names(nlp, text) == []


def test_what_it_takes_for_a_name_the_allow_list_still_keeps():
    text = "we went to Asda on the Monday in May"
    assert names(load_pipeline_with("en_core_web_sm"), text) == ["Asda"]  # the recogniser's mistake
    assert find_identifiers_batch([text], speech_names=True) == [[]]      # resolve's allow-list


def test_it_is_on_with_its_pipeline_unless_turned_off(monkeypatch):
    text = "me and kerensa fell out over it"
    monkeypatch.delenv(module.ENV, raising=False)
    assert enabled(None) is True and module.fits("en_core_web_sm")
    monkeypatch.setattr(module, "PIPELINE", ("en_core_web_sm", "0.0.1"))  # weights of another pipeline
    assert enabled(None) is False
    monkeypatch.setenv(module.ENV, "1")
    assert enabled(None) is True
    assert enabled(False) is False
    monkeypatch.setenv(module.ENV, "0")
    assert enabled(None) is False
    monkeypatch.undo()
    monkeypatch.setenv(module.ENV, "off")
    assert find_identifiers_batch([text])[0] == find_identifiers_batch([text], speech_names=False)[0]
    found = find_identifiers_batch([text], speech_names=False)[0]
    assert all(i.detector != COMPONENT for i in found)
    monkeypatch.delenv(module.ENV)
    for on in (find_identifiers_batch([text])[0], find_identifiers_batch([text], speech_names=True)[0]):
        assert [(text[i.start:i.end], i.type) for i in on] == [("kerensa", "PERSON")]


def test_a_model_that_is_not_the_expected_one_is_refused(monkeypatch):
    import spacy

    monkeypatch.setattr(module, "MODEL_SHA256", "0" * 16)
    blank = spacy.blank("en")
    blank.add_pipe("tok2vec")
    with pytest.raises(ModelError, match=r"\[E310\]"):
        module.add_to(blank)


def test_a_pipeline_other_than_the_one_it_listens_to_is_refused():
    import spacy

    with pytest.raises(ModelError, match=r"\[E311\]"):
        module.add_to(spacy.blank("en"))
    other = spacy.blank("en")
    other.add_pipe("tok2vec")
    other.meta.update({"thematic_loaded_as": "en_core_web_md", "version": "3.8.0"})
    with pytest.raises(ModelError, match=r"\[E311\] .*en_core_web_sm 3\.8\.0"):
        module.add_to(other)


def test_the_cache_key_of_the_de_identifier_follows_the_model():
    """The model's digest is in the module's source, and the module is one of the de-identifier's
    modules whose source keys its caches: new weights, new key."""
    import inspect

    from thematic.disclosure import DEIDENTIFIER_MODULES

    assert module in DEIDENTIFIER_MODULES
    assert f'MODEL_SHA256 = "{model_digest()}"' in inspect.getsource(module)
