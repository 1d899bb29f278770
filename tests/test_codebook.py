import pytest

from thematic.codebook import parse_codebook
from thematic.errors import DataError


def test_sample_codebook_has_six_themes_and_their_codes(sample_dataset):
    book = sample_dataset.codebook
    assert [t.id for t in book.themes] == ["T1", "T2", "T3", "T4", "T5", "T6"]
    assert 25 <= len(book.code_ids) <= 40
    codes = book.codes
    assert set(codes["kind"]) == {"activity", "barrier", "facilitator"}
    assert set(codes.loc[codes["theme"] == "T6", "scope"]) == {"parents"}
    assert set(codes.loc[codes["theme"] != "T6", "scope"]) == {"professionals"}
    assert all(code.include and code.exclude and code.examples for t in book.themes for code in t.codes)
    assert book.theme_of("remote_working").id == "T3"


def test_duplicate_code_ids_are_rejected():
    code = {"id": "a", "label": "A", "kind": "barrier", "definition": "d"}
    data = {"themes": [{"id": "T1", "name": "n", "scope": "parents", "codes": [code, code]}]}
    with pytest.raises(DataError, match="code id 'a' appears twice"):
        parse_codebook(data, source="cb.yaml")


def test_unknown_field_is_named():
    data = {"themes": [{"id": "T1", "name": "n", "scope": "parents",
                        "codes": [{"id": "a", "label": "A", "kind": "barrier", "definition": "d", "colour": 1}]}]}
    with pytest.raises(DataError, match=r"cb.yaml: theme 1 \(id T1\), code 1 \(id a\), colour: Extra inputs"):
        parse_codebook(data, source="cb.yaml")
