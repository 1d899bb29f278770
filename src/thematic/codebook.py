"""The codebook: themes and codes, with definitions, kind and scope."""

from __future__ import annotations

from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from thematic.errors import DataError, Errors

Kind = Literal["activity", "barrier", "facilitator"]
#: Which groups' transcripts a theme or code applies to: a name the study's settings give to
#: groups (``scope`` in study.yaml); none means every group.
Scope = str


class Code(BaseModel):
    """One code: what it means and when to apply it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    kind: Kind
    definition: str
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = ()
    scope: Scope | None = Field(default=None, min_length=1, max_length=100)


class Theme(BaseModel):
    """A theme and the codes clustered under it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=100)
    name: str
    scope: Scope | None = Field(default=None, min_length=1, max_length=100)
    description: str = ""
    codes: tuple[Code, ...]


class Codebook(BaseModel):
    """Themes and codes; a code's scope defaults to its theme's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = "Codebook"
    description: str = ""
    version: str = "1"
    themes: tuple[Theme, ...]

    @model_validator(mode="after")
    def _unique_ids(self) -> Codebook:
        seen: set[str] = set()
        for theme in self.themes:
            for code in theme.codes:
                if code.id in seen:
                    raise ValueError(f"code id '{code.id}' appears twice")
                seen.add(code.id)
        return self

    @property
    def codes(self) -> pd.DataFrame:
        """One row per code: id, label, kind, scope, theme id and name, definition."""
        rows = [
            {
                "code": code.id, "label": code.label, "kind": code.kind,
                "scope": code.scope or theme.scope, "theme": theme.id, "theme_name": theme.name,
                "definition": code.definition,
            }
            for theme in self.themes for code in theme.codes
        ]
        return pd.DataFrame(rows)

    @property
    def scopes(self) -> list[str]:
        """The named scopes the codebook uses, sorted (themes and codes without one apply to all)."""
        return sorted({s for s in self.codes["scope"] if isinstance(s, str) and s})

    @property
    def code_ids(self) -> list[str]:
        return [code.id for theme in self.themes for code in theme.codes]

    def theme_of(self, code_id: str) -> Theme:
        for theme in self.themes:
            if any(code.id == code_id for code in theme.codes):
                return theme
        raise KeyError(code_id)


def parse_codebook(data: object, *, source: str = "codebook.yaml") -> Codebook:
    """Validate parsed YAML as a :class:`Codebook`; every problem names its place."""
    try:
        return Codebook.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = _locate(data, item["loc"])
            problems.append(Errors.E008.format(path=source, detail=f"{where}: {item['msg']}"))
        raise DataError(problems) from None


def _locate(data: object, loc: tuple) -> str:
    """Turn a pydantic error location into 'theme T2, code 3 (id geographic_fragmentation), field'."""
    parts, node = [], data
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            node = node[key]
            ident = node.get("id") if isinstance(node, dict) else None
            parts[-1] = f"{parts[-1].rstrip('s')} {key + 1}" + (f" (id {ident})" if ident else "")
        else:
            node = node.get(key) if isinstance(node, dict) else None
            parts.append(str(key))
    return ", ".join(parts) or "top level"
