"""A study's own settings (``study.yaml``): its groups, their order, labels, colours and scopes.

The library knows no study: which ``participants.csv`` column groups the participants, in what
order the groups are shown, what a quote's attribution calls a participant ("Mother 3"), which
groups' transcripts a codebook scope covers (the seed study analysed its parents apart), and
whether the data are synthetic all come from here. Every setting is optional::

    synthetic: true                  # every report page then says the data are simulated
    synthetic_note: How the transcripts and the coders were simulated.
    grouping: group                  # participants.csv column holding the stakeholder group
    groups:                          # display order; groups not listed follow, by name
      - id: parent
        label: Mother                # attribution "Mother 3" when participants.csv has no label
        plural: parents              # in prose
        colour: "#1b9e77"
        scope: parents               # codebook themes of this scope apply to this group

Without ``study.yaml`` the groups are the values of the ``group`` column (or a single group,
``participant``, when there is none), in order of name, and every theme applies to every group.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from thematic.errors import DataError, Errors

#: The group every participant belongs to when the study declares no grouping.
SINGLE_GROUP = "participant"
#: Colours of groups without a declared colour, in group order (colour-blind safe, Okabe & Ito 2008).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
           "#999999", "#882255", "#44AA99", "#117733")


class GroupSettings(BaseModel):
    """One stakeholder group: its id (a value of the grouping column) and how it is shown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=100)
    label: str = Field(default="", max_length=100)
    plural: str = Field(default="", max_length=200)
    colour: str = Field(default="", pattern=r"^(|#[0-9A-Fa-f]{6})$")
    scope: str | None = Field(default=None, max_length=100)


class StudySettings(BaseModel):
    """The settings of one study, validated; see the module docstring for the file format."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(default="", max_length=500)
    synthetic: bool = False
    synthetic_note: str = Field(default="", max_length=5000)
    grouping: str = Field(default="group", min_length=1, max_length=100)
    groups: tuple[GroupSettings, ...] = ()

    @model_validator(mode="after")
    def _unique_groups(self) -> StudySettings:
        ids = [g.id for g in self.groups]
        twice = sorted({g for g in ids if ids.count(g) > 1})
        if twice:
            raise ValueError(f"group(s) {twice} listed twice")
        return self

    def declared(self, group: str) -> GroupSettings:
        """The declared settings of *group*, or defaults when the study does not list it."""
        return next((g for g in self.groups if g.id == group), GroupSettings(id=group))

    def order(self, groups: Iterable[str]) -> list[str]:
        """*groups* in the study's order: the declared ones first, then the others by name."""
        return arrange(groups, order=[g.id for g in self.groups])

    def label(self, group: str) -> str:
        """What one participant of *group* is called in attributions ("Mother", "Referrer")."""
        return self.declared(group).label or group.replace("_", " ").strip().capitalize()

    def plural(self, group: str) -> str:
        """The group in running prose ("parents", "the service team")."""
        return self.declared(group).plural or group.replace("_", " ").strip()

    def colours(self, groups: Iterable[str]) -> dict[str, str]:
        """A colour for each of *groups*: declared, else the palette in group order."""
        ordered = self.order(groups)
        return {g: self.declared(g).colour or PALETTE[i % len(PALETTE)] for i, g in enumerate(ordered)}

    def scopes(self, groups: Iterable[str]) -> dict[str, str | None]:
        """The codebook scope of each of *groups* (None: the group takes every theme)."""
        return {g: self.declared(g).scope for g in self.order(groups)}


def arrange(groups: Iterable[str], *, order: Iterable[str] = ()) -> list[str]:
    """The distinct *groups* in *order*, those not in it after them by name."""
    present = set(groups)
    first = [g for g in dict.fromkeys(order) if g in present]
    return first + sorted(present - set(first))


def parse_settings(data: object, *, source: str = "study.yaml") -> StudySettings:
    """Validate parsed YAML (None: an empty file) as :class:`StudySettings`.

    Raises
    ------
    DataError
        Listing every problem with its place in the file.
    """
    try:
        return StudySettings.model_validate(data or {})
    except ValidationError as error:
        problems = [Errors.E104.format(path=source, place=".".join(str(p) for p in item["loc"]) or "top level",
                                       detail=item["msg"])
                    for item in error.errors()]
        raise DataError(problems) from None


def in_scope(theme_scope: str | None, group_scope: str | None) -> bool:
    """Whether a theme of *theme_scope* applies to a group of *group_scope*.

    A theme without a scope applies to every group; a group without a scope takes every theme
    (a study that declares no scopes analyses every group on every theme). A missing value in a
    DataFrame (NaN, NA, "") counts as no scope.
    """
    theme_scope, group_scope = _scope_name(theme_scope), _scope_name(group_scope)
    return theme_scope is None or group_scope is None or theme_scope == group_scope


def _scope_name(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
