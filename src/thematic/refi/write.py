"""Write a :class:`~thematic.refi.model.Project` as QDA-XML: ``project.qde`` or a ``.qdc``.

Elements follow the order the REFI-QDA 1.0 schemas require. Text sources are written as
archive members (``plainTextPath="internal://<guid>.txt"``) by the caller; this module only
builds the XML. Output is deterministic: time stamps are those of the model (thematic derives
them from the data, never from the clock), items in the model's order.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement, indent, tostring

from thematic.refi.model import (
    CODEBOOK_NS,
    PROJECT_NS,
    Code,
    Note,
    Project,
    Selection,
    TextSource,
)


def project_xml(project: Project) -> bytes:
    """``project.qde`` for *project*; sources point at ``internal://<guid>.txt`` members."""
    ns = PROJECT_NS
    root = Element(_t(ns, "Project"), _attrs(name=project.name, origin=project.origin))
    if project.users:
        users = SubElement(root, _t(ns, "Users"))
        for user in project.users:
            SubElement(users, _t(ns, "User"), guid=user.guid, name=user.name)
    if project.codes:
        codes = SubElement(SubElement(root, _t(ns, "CodeBook")), _t(ns, "Codes"))
        for code in project.codes:
            _code(codes, code, ns)
    if project.variables:
        variables = SubElement(root, _t(ns, "Variables"))
        for variable in project.variables:
            SubElement(variables, _t(ns, "Variable"), guid=variable.guid, name=variable.name,
                       typeOfVariable=variable.type)
    types = {v.guid: v.type for v in project.variables}
    if project.cases:
        cases = SubElement(root, _t(ns, "Cases"))
        for case in project.cases:
            element = SubElement(cases, _t(ns, "Case"), guid=case.guid, name=case.name)
            _description(element, case.description, ns)
            _values(element, case.values, types, ns)
            for source in case.sources:
                SubElement(element, _t(ns, "SourceRef"), targetGUID=source)
    if project.sources:
        sources = SubElement(root, _t(ns, "Sources"))
        for source in project.sources:
            _text_source(sources, source, types, ns, tag="TextSource")
    if project.notes:
        notes = SubElement(root, _t(ns, "Notes"))
        for note in project.notes:
            element = SubElement(notes, _t(ns, "Note"), _attrs(
                guid=note.guid, name=note.name,
                plainTextPath=f"internal://{note.guid}.txt" if note.member else None,
                creatingUser=note.user, creationDateTime=note.created))
            _description(element, note.description, ns)
            if not note.member:
                SubElement(element, _t(ns, "PlainTextContent")).text = note.text
    _sets(root, project, ns, member_attribute="targetGUID")
    _description(root, project.description, ns)
    return _serialise(root, ns)


def codebook_xml(project: Project) -> bytes:
    """A ``.qdc`` codebook: the codes and sets of *project*."""
    ns = CODEBOOK_NS
    root = Element(_t(ns, "CodeBook"), _attrs(origin=project.origin))
    codes = SubElement(root, _t(ns, "Codes"))
    for code in project.codes:
        _code(codes, code, ns)
    _sets(root, project, ns, member_attribute="guid")
    return _serialise(root, ns)


def _sets(root: Element, project: Project, ns: str, *, member_attribute: str) -> None:
    """The ``Sets`` element; a project's MemberCode names its code ``targetGUID``, a codebook's ``guid``."""
    if not project.sets:
        return
    sets = SubElement(root, _t(ns, "Sets"))
    for code_set in project.sets:
        element = SubElement(sets, _t(ns, "Set"), guid=code_set.guid, name=code_set.name)
        _description(element, code_set.description, ns)
        for member in code_set.member_codes:
            SubElement(element, _t(ns, "MemberCode"), {member_attribute: member})
        for member in code_set.member_sources:
            SubElement(element, _t(ns, "MemberSource"), targetGUID=member)
        for member in code_set.member_notes:
            SubElement(element, _t(ns, "MemberNote"), targetGUID=member)


def source_member(source: TextSource | Note) -> str:
    """The archive member that holds the text of *source* (or of a note stored as a member)."""
    return f"sources/{source.guid}.txt"


def _code(parent: Element, code: Code, ns: str) -> None:
    element = SubElement(parent, _t(ns, "Code"), _attrs(
        guid=code.guid, name=code.name, isCodable="true" if code.codable else "false",
        color=code.color))
    _description(element, code.description, ns)
    for child in code.children:
        _code(element, child, ns)


def _text_source(parent: Element, source: TextSource, types: dict[str, str], ns: str, *,
                 tag: str) -> None:
    element = SubElement(parent, _t(ns, tag), _attrs(
        guid=source.guid, name=source.name,
        plainTextPath=f"internal://{source.guid}.txt", creatingUser=source.user,
        creationDateTime=source.created))
    _description(element, source.description, ns)
    for selection in source.selections:
        _selection(element, selection, ns)
    for note in source.notes:
        SubElement(element, _t(ns, "NoteRef"), targetGUID=note)
    _values(element, source.values, types, ns)


def _selection(parent: Element, selection: Selection, ns: str) -> None:
    element = SubElement(parent, _t(ns, "PlainTextSelection"), _attrs(
        guid=selection.guid, name=selection.name, startPosition=str(selection.start),
        endPosition=str(selection.end), creatingUser=selection.user,
        creationDateTime=selection.created))
    _description(element, selection.description, ns)
    for coding in selection.codings:
        coding_element = SubElement(element, _t(ns, "Coding"), _attrs(
            guid=coding.guid, creatingUser=coding.user, creationDateTime=coding.created))
        SubElement(coding_element, _t(ns, "CodeRef"), targetGUID=coding.code)
        for note in coding.notes:
            SubElement(coding_element, _t(ns, "NoteRef"), targetGUID=note)
    for note in selection.notes:
        SubElement(element, _t(ns, "NoteRef"), targetGUID=note)


_VALUE_TAGS = {"Text": "TextValue", "Boolean": "BooleanValue", "Integer": "IntegerValue",
               "Float": "FloatValue", "Date": "DateValue", "DateTime": "DateTimeValue"}


def _values(parent: Element, values: tuple[tuple[str, str], ...], types: dict[str, str],
            ns: str) -> None:
    for variable, value in values:
        element = SubElement(parent, _t(ns, "VariableValue"))
        SubElement(element, _t(ns, "VariableRef"), targetGUID=variable)
        SubElement(element, _t(ns, _VALUE_TAGS[types.get(variable, "Text")])).text = value


def _description(parent: Element, text: str, ns: str) -> None:
    if text:
        SubElement(parent, _t(ns, "Description")).text = text


def _attrs(**values: str | None) -> dict[str, str]:
    return {key: value for key, value in values.items() if value}


def _t(ns: str, name: str) -> str:
    """Tags are written unqualified under a default namespace declared on the root."""
    return name


def _serialise(root: Element, ns: str) -> bytes:
    root.attrib = {"xmlns": ns, **root.attrib}
    indent(root, space="  ")
    return tostring(root, encoding="utf-8", xml_declaration=True)
