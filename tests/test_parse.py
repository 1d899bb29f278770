"""The parse cache: components chosen per need, warm runs parse nothing, files written safely."""

import pytest
from spacy.tokens import DocBin

from thematic.errors import ParameterError
from thematic.nlp import load_pipeline
from thematic.parse import DocCache, DocParser, cache_key, components_for, parse_texts

TEXTS = ["Interviewer: Hello.\n\nParticipant: The health visitors rang me twice.",
         "Participant: We shared a car park and met the social worker on Thursday."]


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline("en_core_web_sm")


def test_only_the_components_a_step_needs_run(nlp):
    assert components_for(nlp, ["lemmas"]) == ("tok2vec", "tagger", "attribute_ruler", "lemmatizer")
    assert "parser" in components_for(nlp, ["noun_chunks"])
    assert "ner" not in components_for(nlp, ["lemmas", "noun_chunks"])
    assert components_for(nlp, ["tokens"]) == ()
    with pytest.raises(ParameterError, match="Unknown parse need"):
        components_for(nlp, ["sentiment"])


def test_warm_run_parses_nothing_and_gives_the_same_documents(nlp, tmp_path):
    cold = DocParser(nlp, needs=("lemmas", "noun_chunks"), cache_dir=tmp_path, progress=False)
    first = cold.parse([*TEXTS, TEXTS[0]])  # a repeated text is parsed once
    assert cold.stats.parsed == 2 and cold.stats.from_cache == 0 and cold.stats.words_parsed > 0
    assert len(DocCache(tmp_path)) == 2
    warm = DocParser(nlp, needs=("lemmas", "noun_chunks"), cache_dir=tmp_path, progress=False)
    second = warm.parse(TEXTS)
    assert warm.stats.parsed == 0 and warm.stats.from_cache == 2
    for a, b in zip(first, second, strict=False):
        assert b.text == a.text
        assert [t.lemma_ for t in a] == [t.lemma_ for t in b]
        assert [c.text for c in a.noun_chunks] == [c.text for c in b.noun_chunks]
        # No tok2vec tensor kept, cold or warm (384 bytes a token nobody reads: scale benchmark)
        assert a.tensor.size == 0 and b.tensor.size == 0
    assert "1 from the cache" not in warm.summary() and "2 from the cache, 0 parsed" in warm.summary()


def test_key_changes_with_text_pipeline_or_components(nlp, tmp_path):
    base = cache_key("a text", pipeline="en_x-1.0", components=["tagger"])
    assert base != cache_key("a text!", pipeline="en_x-1.0", components=["tagger"])
    assert base != cache_key("a text", pipeline="en_x-1.1", components=["tagger"])
    assert base != cache_key("a text", pipeline="en_x-1.0", components=["tagger", "parser"])
    lemmas = DocParser(nlp, needs=("lemmas",), cache_dir=tmp_path, progress=False)
    chunks = DocParser(nlp, needs=("noun_chunks",), cache_dir=tmp_path, progress=False)
    assert lemmas.key(TEXTS[0]) != chunks.key(TEXTS[0])


def test_a_broken_cache_file_is_parsed_again_and_replaced(nlp, tmp_path):
    parser = DocParser(nlp, needs=("lemmas",), cache_dir=tmp_path, progress=False)
    parser.parse(TEXTS[:1])
    path = parser.cache.path(parser.key(TEXTS[0]))
    good = path.read_bytes()
    for broken in (b"not a docbin", good[: len(good) // 2]):  # garbage, and a truncated file
        path.write_bytes(broken)
        docs = parser.parse(TEXTS[:1])
        assert parser.stats.parsed == 1 and docs[0].text == TEXTS[0]
    assert len(list(DocBin().from_bytes(path.read_bytes()).get_docs(nlp.vocab))) == 1
    assert not [p for p in tmp_path.rglob("*.tmp")]  # atomic writes leave no temporary files


def test_cache_folder_from_environment_and_no_cache(nlp, tmp_path, monkeypatch):
    monkeypatch.setenv("THEMATIC_CACHE_DIR", str(tmp_path / "elsewhere"))
    parse_texts(TEXTS[:1], nlp=nlp, needs=("tokens",), progress=False)
    assert len(DocCache()) == 1 and DocCache().folder == tmp_path / "elsewhere" / "docs"
    parser = DocParser(nlp, needs=("tokens",), use_cache=False, progress=False)
    parser.parse(TEXTS)
    assert parser.cache is None and parser.stats.parsed == 2 and len(DocCache()) == 1
    assert DocCache().clear() == 1 and len(DocCache()) == 0


@pytest.mark.slow
def test_parallel_workers_give_the_same_parse(nlp, tmp_path):
    serial = DocParser(nlp, needs=("lemmas",), use_cache=False, progress=False).parse(TEXTS)
    parallel = DocParser(nlp, needs=("lemmas",), cache_dir=tmp_path, n_jobs=2, batch_size=1,
                         progress=False)
    docs = parallel.parse(TEXTS)
    assert [[t.lemma_ for t in d] for d in docs] == [[t.lemma_ for t in d] for d in serial]
    assert len(DocCache(tmp_path)) == 2
