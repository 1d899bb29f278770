import pytest

from thematic.codebook import parse_codebook
from thematic.errors import DataError


def test_sample_codebook_has_seven_themes_and_their_codes(sample_dataset):
    book = sample_dataset.codebook
    assert [t.id for t in book.themes] == ["T1", "T2", "T3", "T4", "T5", "T6", "T7"]
    assert 25 <= len(book.code_ids) <= 45
    codes = book.codes
    assert set(codes["kind"]) == {"activity", "barrier", "facilitator"}
    assert set(codes.loc[codes["theme"] == "T6", "scope"]) == {"parents"}
    assert set(codes.loc[codes["theme"].isin(["T1", "T2", "T3", "T4", "T5"]), "scope"]) == {"professionals"}
    assert codes.loc[codes["theme"] == "T7", "scope"].isna().all()  # every group's: the shared question
    assert book.scopes == ["parents", "professionals"]
    assert all(code.include and code.exclude and code.examples for t in book.themes for code in t.codes)
    assert book.theme_of("remote_working").id == "T3"


def test_scope_is_free_text_or_absent():
    from thematic.settings import in_scope

    book = parse_codebook({"themes": [
        {"id": "A", "name": "a", "scope": "carers", "codes": [{"id": "x", "label": "X", "kind": "barrier",
                                                              "definition": "d"}]},
        {"id": "B", "name": "b", "codes": [{"id": "y", "label": "Y", "kind": "activity", "definition": "d"}]}]})
    assert book.scopes == ["carers"]
    assert in_scope("carers", "carers") and not in_scope("carers", "staff")
    assert in_scope(None, "staff") and in_scope(float("nan"), "carers") and in_scope("", "x")
    assert in_scope("carers", None) and in_scope("carers", float("nan"))  # a group without a scope takes every theme


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
