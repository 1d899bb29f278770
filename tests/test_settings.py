"""Study settings (study.yaml): groups, order, labels, colours, scopes."""

import pytest

from thematic.errors import DataError
from thematic.settings import PALETTE, SINGLE_GROUP, StudySettings, arrange, in_scope, parse_settings


def test_without_settings_groups_come_by_name_and_every_theme_applies():
    settings = StudySettings()
    assert settings.order(["b", "a", "b"]) == ["a", "b"]
    assert settings.label("health_visitor") == "Health visitor"
    assert settings.plural("health_visitor") == "health visitor"
    assert settings.scopes(["a", "b"]) == {"a": None, "b": None}
    assert settings.colours(["b", "a"]) == {"a": PALETTE[0], "b": PALETTE[1]}
    assert SINGLE_GROUP == "participant"


def test_declared_groups_lead_in_their_order_with_their_names():
    settings = parse_settings({"grouping": "cohort", "groups": [
        {"id": "z", "label": "Carer", "plural": "carers", "colour": "#112233", "scope": "family"},
        {"id": "m", "scope": "staff"}]})
    assert settings.order(["a", "m", "z"]) == ["z", "m", "a"]
    assert settings.label("z") == "Carer" and settings.plural("z") == "carers"
    assert settings.colours(["a", "m", "z"]) == {"z": "#112233", "m": PALETTE[1], "a": PALETTE[2]}
    assert settings.scopes(["a", "z"]) == {"z": "family", "a": None}


def test_arrange_keeps_declared_order_then_names():
    assert arrange(["c", "a", "x", "a"], order=["x", "q", "c"]) == ["x", "c", "a"]


@pytest.mark.parametrize(("theme", "group", "expected"), [
    (None, "staff", True), ("staff", None, True), ("staff", "staff", True), ("staff", "family", False)])
def test_scope_rule(theme, group, expected):
    assert in_scope(theme, group) is expected


def test_bad_settings_name_every_place():
    with pytest.raises(DataError) as error:
        parse_settings({"groups": [{"id": "a", "colour": "red"}, {"id": "a"}], "grouping": "", "extra": 1},
                       source="study.yaml")
    problems = "\n".join(error.value.problems)
    assert "[E104] study.yaml, groups.0.colour" in problems
    assert "study.yaml, grouping" in problems and "study.yaml, extra" in problems
    with pytest.raises(DataError, match=r"listed twice"):
        parse_settings({"groups": [{"id": "a"}, {"id": "a"}]})
