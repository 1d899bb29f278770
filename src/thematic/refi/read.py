"""Parse QDA-XML (``project.qde`` and ``.qdc``) into a :class:`~thematic.refi.model.Project`.

XML is parsed with defusedxml: a document type declaration, entity (billion laughs) or
external reference (XXE) is refused before anything is expanded. Source texts are looked up in
the archive members passed in; what cannot be represented is recorded in
``Project.problems`` rather than dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)

from thematic.errors import DataError, Errors
from thematic.refi.model import (
    CODEBOOK_NS,
    INTERNAL_PREFIX,
    PROJECT_NS,
    Case,
    Code,
    CodeSet,
    Coding,
    Note,
    OtherSource,
    Project,
    Selection,
    TextSource,
    User,
    Variable,
)

_OTHER_SOURCES = {"PictureSource": "PictureSelection", "PDFSource": "PDFSelection",
                  "AudioSource": "AudioSelection", "VideoSource": "VideoSelection"}


def parse_xml(data: bytes, *, path: str, member: str, expected: tuple[str, ...]) -> Element:
    """Parse *data* safely; its root must be one of *expected* (``{ns}Tag``)."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden:
        raise DataError(Errors.E707.format(path=path, member=member,
                                           construct="a document type declaration (DTD)")) from None
    except EntitiesForbidden:
        raise DataError(Errors.E707.format(path=path, member=member,
                                           construct="entity declarations")) from None
    except ExternalReferenceForbidden:
        raise DataError(Errors.E707.format(path=path, member=member,
                                           construct="an external reference")) from None
    except DefusedXmlException as error:
        raise DataError(Errors.E707.format(path=path, member=member, construct=error)) from None
    except ParseError as error:
        line, column = error.position
        raise DataError(Errors.E708.format(path=path, member=member,
                                           detail=f"line {line}, column {column + 1}: {error.msg}"
                                           if hasattr(error, "msg") else str(error))) from None
    if root.tag not in expected:
        raise DataError(Errors.E709.format(path=path, member=member, found=root.tag,
                                           expected=" or ".join(expected)))
    return root


def read_project(data: bytes, *, members: Mapping[str, bytes], path: str,
                 member: str = "project.qde") -> Project:
    """A Project from the bytes of ``project.qde`` and the archive's other members."""
    root = parse_xml(data, path=path, member=member, expected=(_tag(PROJECT_NS, "Project"),))
    reader = _Reader(PROJECT_NS, path=path, member=member)
    project = Project(name=root.get("name", ""), origin=root.get("origin", ""),
                      description=reader.text(root, "Description"))
    project.users = [User(guid=reader.guid(u), name=u.get("name") or u.get("id") or "")
                     for u in reader.children(root, "Users", "User")]
    project.codes = [reader.code(c) for c in reader.children(root, "CodeBook", "Codes", "Code")]
    project.variables = [Variable(guid=reader.guid(v), name=v.get("name", ""),
                                  type=v.get("typeOfVariable", "Text"))
                         for v in reader.children(root, "Variables", "Variable")]
    project.cases = [
        Case(guid=reader.guid(c), name=c.get("name", ""), description=reader.text(c, "Description"),
             values=reader.values(c), sources=tuple(reader.refs(c, "SourceRef")))
        for c in reader.children(root, "Cases", "Case")]
    for case in reader.children(root, "Cases", "Case"):
        extra = len(case.findall(_tag(PROJECT_NS, "CodeRef"))) + len(case.findall(_tag(PROJECT_NS, "SelectionRef")))
        if extra:
            project.problems.append(f"case '{case.get('name', '')}': {extra} code or selection "
                                    "reference(s) on the case itself; thematic links cases to "
                                    "whole interviews only; not imported.")
    sources = root.find(_tag(PROJECT_NS, "Sources"))
    for element in (list(sources) if sources is not None else []):
        kind = element.tag.rsplit("}", 1)[-1]
        if kind == "TextSource":
            source = reader.text_source(element, members, project.problems)
            if source is not None:
                project.sources.append(source)
        elif kind in _OTHER_SOURCES:
            selections = element.findall(_tag(PROJECT_NS, _OTHER_SOURCES[kind]))
            codings = len(element.findall(f".//{_tag(PROJECT_NS, 'Coding')}"))
            project.other_sources.append(OtherSource(
                kind=kind, guid=reader.guid(element), name=element.get("name", ""),
                selections=len(selections), codings=codings))
    for element in reader.children(root, "Notes", "Note"):
        note = reader.text_source(element, members, project.problems, note=True)
        if note is not None:
            project.notes.append(Note(guid=note.guid, name=note.name, text=note.text or "",
                                      user=note.user, created=note.created,
                                      description=note.description,
                                      member=element.get("plainTextPath") is not None,
                                      selections=len(note.selections)))
    project.sets = [reader.code_set(s) for s in reader.children(root, "Sets", "Set")]
    if root.find(_tag(PROJECT_NS, "Sets")) is not None and not project.sets:
        project.problems.append("an empty <Sets/> element (the REFI-QDA schema requires at least "
                                "one Set; Taguette writes it): ignored.")
    if root.find(_tag(PROJECT_NS, "Links")) is not None:
        project.problems.append(f"{len(reader.children(root, 'Links', 'Link'))} link(s) between "
                                "items: thematic has no links; not imported.")
    if root.find(_tag(PROJECT_NS, "Graphs")) is not None:
        project.problems.append(f"{len(reader.children(root, 'Graphs', 'Graph'))} graph(s): "
                                "thematic draws its own thematic map; not imported.")
    return project


def read_codebook(data: bytes, *, path: str, member: str = "codebook") -> Project:
    """A Project holding only the codes and sets of a ``.qdc`` codebook."""
    root = parse_xml(data, path=path, member=member, expected=(_tag(CODEBOOK_NS, "CodeBook"),))
    reader = _Reader(CODEBOOK_NS, path=path, member=member)
    project = Project(name="", origin=root.get("origin", ""))
    project.codes = [reader.code(c) for c in reader.children(root, "Codes", "Code")]
    project.sets = [reader.code_set(s, member_attribute="guid")
                    for s in reader.children(root, "Sets", "Set")]
    if root.find(_tag(CODEBOOK_NS, "Sets")) is not None and not project.sets:
        project.problems.append("an empty <Sets/> element (the REFI-QDA schema requires at least "
                                "one Set; Taguette writes it): ignored.")
    return project


def member_for(path: str) -> str | None:
    """The archive member a source's ``plainTextPath`` names, or None if it lies outside."""
    if path.startswith(INTERNAL_PREFIX):
        return "sources/" + path[len(INTERNAL_PREFIX):].lstrip("/")
    if "://" in path or path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":"):
        return None
    return path.replace("\\", "/")


def _tag(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


class _Reader:
    """Element helpers bound to one namespace and one file (for error messages)."""

    def __init__(self, ns: str, *, path: str, member: str):
        self.ns, self.path, self.member = ns, path, member

    def children(self, element: Element, *names: str) -> list[Element]:
        for name in names[:-1]:
            element = element.find(_tag(self.ns, name))
            if element is None:
                return []
        return element.findall(_tag(self.ns, names[-1]))

    def text(self, element: Element, name: str) -> str:
        child = element.find(_tag(self.ns, name))
        return (child.text or "") if child is not None else ""

    def guid(self, element: Element, attribute: str = "guid") -> str:
        value = element.get(attribute)
        if not value:
            raise DataError(Errors.E710.format(
                path=self.path, member=self.member,
                place=f"<{element.tag.rsplit('}', 1)[-1]} name='{element.get('name', '')}'>",
                detail=f"missing required attribute '{attribute}'."))
        return value.strip("{}").lower()

    def refs(self, element: Element, name: str, attribute: str = "targetGUID") -> list[str]:
        return [self.guid(ref, attribute) for ref in element.findall(_tag(self.ns, name))]

    def code_set(self, element: Element, *, member_attribute: str = "targetGUID") -> CodeSet:
        """A ``Set``; a codebook's ``MemberCode`` names its code ``guid``, a project's ``targetGUID``."""
        return CodeSet(guid=self.guid(element), name=element.get("name", ""),
                       description=self.text(element, "Description"),
                       member_codes=tuple(self.refs(element, "MemberCode", member_attribute)),
                       member_sources=tuple(self.refs(element, "MemberSource")),
                       member_notes=tuple(self.refs(element, "MemberNote")))

    def values(self, element: Element) -> tuple[tuple[str, str], ...]:
        pairs = []
        for value in element.findall(_tag(self.ns, "VariableValue")):
            ref = value.find(_tag(self.ns, "VariableRef"))
            if ref is None:
                continue
            content = [child for child in value if child is not ref]
            pairs.append((self.guid(ref, "targetGUID"), (content[0].text or "") if content else ""))
        return tuple(pairs)

    def user(self, element: Element) -> str | None:
        value = element.get("creatingUser") or element.get("modifyingUser")
        return value.strip("{}").lower() if value else None

    def code(self, element: Element) -> Code:
        codable = element.get("isCodable", "true").strip().lower() in ("true", "1")
        return Code(guid=self.guid(element), name=element.get("name", ""), codable=codable,
                    description=self.text(element, "Description"), color=element.get("color"),
                    children=tuple(self.code(c) for c in element.findall(_tag(self.ns, "Code"))))

    def text_source(self, element: Element, members: Mapping[str, bytes], problems: list[str],
                    *, note: bool = False) -> TextSource | None:
        kind = "note" if note else "source"
        guid = self.guid(element)
        path = element.get("plainTextPath")
        name = element.get("name") or (path.rsplit("/", 1)[-1].rsplit(".", 1)[0] if path else guid)
        content = element.find(_tag(self.ns, "PlainTextContent"))
        text = None
        if content is not None:
            text = content.text or ""
        elif path:
            member = member_for(path)
            candidates = [member, f"sources/{member}"] if member else []
            found = next((m for m in candidates if m in members), None)
            if found is None:
                problems.append(f"{kind} '{name}': its text '{path}' is "
                                f"{'outside the archive' if member is None else 'missing from the archive'}"
                                "; not imported.")
                return None
            try:
                text = members[found].decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise DataError(Errors.E712.format(path=self.path, source=name, member=found,
                                                   position=error.start)) from None
        elif not note:
            rich = element.get("richTextPath")
            problems.append(f"source '{name}': no plain text"
                            f"{f' (only rich text {rich})' if rich else ''}; not imported.")
            return None
        selections = []
        for sel in element.findall(_tag(self.ns, "PlainTextSelection")):
            try:
                start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
            except ValueError:
                raise DataError(Errors.E710.format(
                    path=self.path, member=self.member, place=f"source '{name}', selection {sel.get('guid')}",
                    detail="startPosition and endPosition must be whole numbers.")) from None
            codings = tuple(
                Coding(guid=self.guid(c), code=self.guid(c.find(_tag(self.ns, "CodeRef")), "targetGUID"),
                       user=self.user(c), notes=tuple(self.refs(c, "NoteRef")),
                       created=c.get("creationDateTime"))
                for c in sel.findall(_tag(self.ns, "Coding"))
                if c.find(_tag(self.ns, "CodeRef")) is not None)
            selections.append(Selection(guid=self.guid(sel), start=start, end=end,
                                        name=sel.get("name", ""), description=self.text(sel, "Description"),
                                        user=self.user(sel), codings=codings,
                                        notes=tuple(self.refs(sel, "NoteRef")),
                                        created=sel.get("creationDateTime")))
        whole = element.findall(_tag(self.ns, "Coding"))
        if whole:
            problems.append(f"source '{name}': {len(whole)} coding(s) of the whole document; "
                            "thematic codes character spans, not imported.")
        return TextSource(guid=guid, name=name, text=text, path=path,
                          description=self.text(element, "Description"), user=self.user(element),
                          selections=tuple(selections), values=self.values(element),
                          notes=tuple(self.refs(element, "NoteRef")),
                          created=element.get("creationDateTime"),
                          rich_path=element.get("richTextPath"))
