"""Codes both ways: thematic's codebook as a REFI-QDA code tree, and any code tree as a codebook.

Themes become non-codable parent codes (and ``Set``s), codes their codable children. What
REFI-QDA has no place for (thematic id, kind, scope, include/exclude notes, examples) goes into
the code's ``Description``, in paragraphs QDA tools show as text and thematic reads back.
"""

from __future__ import annotations

import re

import yaml

from thematic.codebook import Codebook, Theme, parse_codebook
from thematic.refi.ids import free_id, guid
from thematic.refi.model import Code, CodeSet, Project
from thematic.refi.report import ImportReport

#: The last paragraph of a code's or theme's description carries what REFI-QDA has no place
#: for (thematic id, kind, scope), so that a round trip through a QDA tool keeps them.
TRAILER = "thematic: "
_PREFIXES = {"include": "Include: ", "exclude": "Exclude: ", "example": "Example: "}
UNGROUPED_THEME = "ungrouped"


def codebook_to_codes(codebook: Codebook) -> tuple[list[Code], list[CodeSet]]:
    """Themes as non-codable parent codes (and as sets), codes as their codable children."""
    codes, sets = [], []
    for theme in codebook.themes:
        children = tuple(
            Code(guid=guid("code", code.id), name=code.label, codable=True,
                 description=code_description(code))
            for code in theme.codes)
        codes.append(Code(guid=guid("theme", theme.id), name=theme.name, codable=False,
                          description=describe(theme.description, id=theme.id, scope=theme.scope),
                          children=children))
        sets.append(CodeSet(guid=guid("set", theme.id), name=theme.name,
                            description=theme.description,
                            member_codes=tuple(child.guid for child in children)))
    return codes, sets


def code_description(code) -> str:
    """A code's description: definition, ``Include:``/``Exclude:``/``Example:`` paragraphs, trailer."""
    paragraphs = [code.definition.strip()]
    if code.include:
        paragraphs.append(_PREFIXES["include"] + code.include.strip())
    if code.exclude:
        paragraphs.append(_PREFIXES["exclude"] + code.exclude.strip())
    paragraphs += [_PREFIXES["example"] + example.strip() for example in code.examples]
    return describe("\n\n".join(p for p in paragraphs if p), id=code.id, kind=code.kind,
                    scope=code.scope)


def describe(text: str, **fields: str | None) -> str:
    """*text* followed by a trailer paragraph ``thematic: key=value; ...`` of the non-empty *fields*."""
    trailer = "; ".join(f"{key}={value}" for key, value in fields.items() if value)
    return "\n\n".join(part for part in (text.strip(), TRAILER + trailer if trailer else "") if part)


def parse_description(text: str) -> dict[str, object]:
    """Split a description written by :func:`code_description` back into its fields.

    A description from another tool is all definition; fields absent are absent from the
    result.
    """
    fields: dict[str, object] = {}
    rest, examples = [], []
    for paragraph in re.split(r"\n\s*\n", text.strip()) if text.strip() else []:
        if paragraph.startswith(TRAILER):
            for item in paragraph[len(TRAILER):].split(";"):
                key, _, value = item.strip().partition("=")
                if key and value:
                    fields[key] = value
        elif paragraph.startswith(_PREFIXES["include"]):
            fields["include"] = paragraph[len(_PREFIXES["include"]):]
        elif paragraph.startswith(_PREFIXES["exclude"]):
            fields["exclude"] = paragraph[len(_PREFIXES["exclude"]):]
        elif paragraph.startswith(_PREFIXES["example"]):
            examples.append(paragraph[len(_PREFIXES["example"]):])
        else:
            rest.append(paragraph)
    fields["text"] = "\n\n".join(rest)
    if examples:
        fields["examples"] = examples
    return fields


def project_codebook(project: Project, *, report: ImportReport | None = None) -> tuple[Codebook, dict[str, str]]:
    """Our two-level codebook from a code tree of any depth, and code GUID -> code id.

    Top-level codes with children (or not codable) become themes; every codable code below
    becomes a code of that theme (deeper levels are flattened). Codable top-level codes
    without children go under a generated theme.
    """
    report = report or ImportReport(source="")
    themes, code_ids, used_ids = [], {}, set()
    ungrouped = []
    no_kind = flattened = 0
    meta = parse_description(project.description)
    theme_ids = set()

    def make_code(code: Code, theme_scope: str | None) -> dict:
        nonlocal no_kind
        fields = parse_description(code.description)
        ident = free_id(str(fields.get("id") or ""), code.name, used_ids)
        code_ids[code.guid] = ident
        kind = fields.get("kind")
        if kind not in ("activity", "barrier", "facilitator"):
            no_kind += 1
            kind = "activity"
        entry = {"id": ident, "label": code.name or ident, "kind": kind,
                 "definition": fields["text"]}
        for key in ("include", "exclude"):
            if fields.get(key):
                entry[key] = fields[key]
        if fields.get("examples"):
            entry["examples"] = fields["examples"]
        if _scope(fields) and _scope(fields) != theme_scope:
            entry["scope"] = _scope(fields)
        return entry

    for top in project.codes:
        if not top.children and top.codable:
            ungrouped.append(top)
            continue
        fields = parse_description(top.description)
        scope = _scope(fields)
        theme_id = str(fields.get("id") or f"T{len(themes) + 1}")
        while theme_id in theme_ids:
            theme_id = f"{theme_id}_"
        theme_ids.add(theme_id)
        codes = []
        for code, parents in top.walk():
            if code is top and not code.codable:
                continue
            if len(parents) > 1:
                flattened += 1
            if code.codable:
                codes.append(make_code(code, scope))
        themes.append({"id": theme_id, "name": top.name, **({"scope": scope} if scope else {}),
                       "description": fields["text"], "codes": codes})
    if ungrouped:
        themes.append({"id": UNGROUPED_THEME, "name": "Codes without a theme",
                       "description": "Generated on import: top-level codes that had no sub-codes.",
                       "codes": [make_code(code, None) for code in ungrouped]})
        report.defaults.append(f"{len(ungrouped)} top-level code(s) without sub-codes were put under "
                               f"the generated theme '{UNGROUPED_THEME}' (for every group).")
    if no_kind:
        report.defaults.append(f"{no_kind} code(s) had no thematic kind; set to 'activity'.")
    if flattened:
        report.defaults.append(f"{flattened} code(s) nested more than one level below their theme "
                               "were listed directly under it (thematic codebooks have two levels).")
    for code, _ in project.all_codes():
        if not code.codable and code.children and code not in project.codes:
            report.defaults.append(f"code group '{code.name}' (not codable) was dropped; its "
                                   "sub-codes were kept under the theme.")
    data = {"title": project.name or "Imported codebook",
            "description": meta["text"] or f"Imported from {project.origin or 'a REFI-QDA file'}.",
            "version": str(meta.get("version") or "1"), "themes": themes}
    for theme in data["themes"]:
        if not theme["description"]:
            del theme["description"]
    return parse_codebook(data, source="imported codebook"), code_ids


def dump_codebook(codebook: Codebook) -> bytes:
    """codebook.yaml, fields in the order people read them, empty optional fields left out."""
    def theme_dict(theme: Theme) -> dict:
        out = {"id": theme.id, "name": theme.name, **({"scope": theme.scope} if theme.scope else {})}
        if theme.description:
            out["description"] = theme.description
        out["codes"] = [
            {key: (list(value) if isinstance(value, tuple) else value)
             for key, value in code.model_dump().items()
             if key in ("id", "label", "kind", "definition") or value not in ("", (), None)}
            for code in theme.codes]
        return out

    data = {"title": codebook.title, "description": codebook.description, "version": codebook.version,
            "themes": [theme_dict(theme) for theme in codebook.themes]}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100).encode("utf-8")


def _scope(fields: dict) -> str | None:
    """A theme's or code's scope from its description's thematic fields (any non-empty name)."""
    scope = str(fields.get("scope") or "").strip()
    return scope[:100] or None
