"""Import of people, groups and memos in the shapes other tools write them: nothing dropped silently."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from thematic.dataset import load_dataset
from thematic.refi import import_refi

USER = "11111111-1111-1111-1111-111111111111"
CODE = "22222222-2222-2222-2222-222222222222"


def _guid(kind: int, n: int) -> str:
    return f"{kind:08d}-0000-0000-0000-{n:012d}"


def _source(n: int, name: str, *, inner: str = "", member: str | None = None, **attributes: str) -> str:
    extra = "".join(f' {k}="{v}"' for k, v in attributes.items())
    return (f'<TextSource guid="{_guid(3, n)}" name="{name}" '
            f'plainTextPath="internal://{member or _guid(3, n)}.txt"{extra}>{inner}</TextSource>')


def _value(variable: int, value: str) -> str:
    return (f'<VariableValue><VariableRef targetGUID="{_guid(7, variable)}"/>'
            f'<TextValue>{value}</TextValue></VariableValue>')


def _project(tmp_path: Path, *, sources: list[str], texts: dict[str, str], cases: str = "",
             variables: list[str] = (), sets: str = "", notes: str = "", name: str = "p.qdpx"):
    variable_xml = "".join(f'<Variable guid="{_guid(7, i)}" name="{v}" typeOfVariable="Text"/>'
                           for i, v in enumerate(variables))
    qde = f"""<Project xmlns="urn:QDA-XML:project:1.0" name="p">
      <Users><User guid="{USER}" name="Ann"/></Users>
      <CodeBook><Codes><Code guid="{CODE}" name="Gut" isCodable="true"/></Codes></CodeBook>
      {f"<Variables>{variable_xml}</Variables>" if variables else ""}
      {f"<Cases>{cases}</Cases>" if cases else ""}
      <Sources>{"".join(sources)}</Sources>
      {f"<Notes>{notes}</Notes>" if notes else ""}
      {sets}</Project>"""
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde.encode("utf-8"))
        for member, text in texts.items():
            archive.writestr(f"sources/{member}.txt", text.encode("utf-8"))
    target = tmp_path / path.stem
    report = import_refi(path, target, deidentified=True)
    return report, target


def _texts(*numbers: int) -> dict[str, str]:
    return {_guid(3, n): f"Speaker: text {n}\n" for n in numbers}


def test_source_names_lose_their_suffix_not_their_dot_and_collisions_are_reported(tmp_path):
    sources = [_source(1, "interview1.txt"), _source(2, "interview1.docx"), _source(3, "Anna B.txt")]
    report, data = _project(tmp_path, sources=sources, texts=_texts(1, 2, 3))
    interviews = pd.read_csv(data / "interviews.csv", dtype=str)
    assert list(interviews["interview_id"]) == ["interview1", "interview1-2", "Anna-B"]
    changed = "\n".join(report.converted)
    assert "'interview1.docx' -> 'interview1-2'" in changed and "'Anna B.txt' -> 'Anna-B'" in changed
    assert "interview1.txt" not in changed  # a dropped suffix is no change worth a line
    load_dataset(data)


def test_qualcoder_cases_link_through_the_text_members_guid(tmp_path):
    """QualCoder's export: the case's SourceRef names the GUID of the source's file, not its own."""
    sources = [_source(1, "a.txt", member=_guid(9, 1)), _source(2, "b.txt", member=_guid(9, 2))]
    cases = (f'<Case guid="{_guid(5, 1)}" name="Jo">{_value(0, "carer")}'
             f'<SourceRef targetGUID="{_guid(9, 1)}"/><SourceRef targetGUID="{_guid(3, 2)}"/>'
             f'<SourceRef targetGUID="{_guid(9, 7)}"/></Case>')
    texts = {_guid(9, 1): "Speaker: a\n", _guid(9, 2): "Speaker: b\n"}
    report, data = _project(tmp_path, sources=sources, texts=texts, cases=cases, variables=["Role"])
    interviews = pd.read_csv(data / "interviews.csv", dtype=str)
    assert list(interviews["participant_id"]) == ["Jo", "Jo"]
    people = pd.read_csv(data / "participants.csv", dtype=str)
    assert people.loc[0, ["participant_id", "role"]].tolist() == ["Jo", "carer"]
    assert "1 case SourceRef(s) name no text source" in "\n".join(report.not_imported)


def test_unnamed_cases_hold_source_variables(tmp_path):
    """MAXQDA and Quirkos: a case without a name and with one SourceRef holds a document's variables."""
    sources = [_source(1, "a"), _source(2, "b")]
    cases = "".join(f'<Case guid="{_guid(5, n)}">{_value(0, w)}<SourceRef targetGUID="{_guid(3, n)}"/></Case>'
                    for n, w in ((1, "2"), (2, "1")))
    report, data = _project(tmp_path, sources=sources, texts=_texts(1, 2), cases=cases, variables=["Wave"])
    interviews = pd.read_csv(data / "interviews.csv", dtype=str)
    assert list(interviews["wave"]) == ["2", "1"]
    assert len(pd.read_csv(data / "participants.csv")) == 2  # one per source, not one per case
    assert "2 unnamed case(s)" in "\n".join(report.converted)


def test_a_grouping_variable_becomes_the_group_column(tmp_path):
    sources = [_source(n, f"s{n}") for n in (1, 2, 3)]
    cases = "".join(f'<Case guid="{_guid(5, n)}" name="P{n}">{_value(0, g)}{_value(1, a)}'
                    f'<SourceRef targetGUID="{_guid(3, n)}"/></Case>'
                    for n, g, a in ((1, "nurse", "30"), (2, "parent", "41"), (3, "nurse", "30")))
    report, data = _project(tmp_path, sources=sources, texts=_texts(1, 2, 3), cases=cases,
                            variables=["Stakeholder group", "Age"])
    people = pd.read_csv(data / "participants.csv", dtype=str)
    assert list(people["group"]) == ["nurse", "parent", "nurse"]
    assert "case variable 'stakeholder_group': nurse (2), parent (1)" in "\n".join(report.converted)
    load_dataset(data)


def test_two_candidate_groupings_are_left_for_the_user_to_choose(tmp_path):
    sources = [_source(n, f"s{n}") for n in (1, 2)]
    cases = "".join(f'<Case guid="{_guid(5, n)}" name="P{n}">{_value(0, g)}{_value(1, s)}'
                    f'<SourceRef targetGUID="{_guid(3, n)}"/></Case>'
                    for n, g, s in ((1, "a", "north"), (2, "b", "north")))
    report, data = _project(tmp_path, sources=sources, texts=_texts(1, 2), cases=cases,
                            variables=["Group of staff", "Site"])
    assert set(pd.read_csv(data / "participants.csv", dtype=str)["group"]) == {"unspecified"}
    advice = "\n".join(report.to_check)
    assert "case variable 'group_of_staff' (2 values)" in advice and "case variable 'site' (1 values)" in advice
    load_dataset(data)


def test_sets_of_sources_become_the_grouping_or_columns(tmp_path):
    sources = [_source(n, f"s{n}") for n in (1, 2, 3)]
    sets = ("<Sets>" + "".join(
        f'<Set guid="{_guid(6, i)}" name="{name}">'
        + "".join(f'<MemberSource targetGUID="{_guid(3, n)}"/>' for n in members) + "</Set>"
        for i, (name, members) in enumerate((("Nurses", (1, 3)), ("Parents", (2,))))) + "</Sets>")
    report, data = _project(tmp_path, sources=sources, texts=_texts(1, 2, 3), sets=sets)
    assert list(pd.read_csv(data / "participants.csv", dtype=str)["group"]) == ["Nurses", "Parents", "Nurses"]
    assert "the sets of sources 'Nurses', 'Parents'" in "\n".join(report.converted)
    overlapping = sets.replace(f'<Set guid="{_guid(6, 1)}" name="Parents">',
                               f'<Set guid="{_guid(6, 1)}" name="Parents"><MemberSource targetGUID="{_guid(3, 1)}"/>')
    report, data = _project(tmp_path, sources=sources, texts=_texts(1, 2, 3), sets=overlapping, name="q.qdpx")
    interviews = pd.read_csv(data / "interviews.csv", dtype=str)
    assert list(interviews["set_nurses"]) == ["yes", "no", "yes"]
    assert list(interviews["set_parents"]) == ["yes", "yes", "no"]
    assert "2 set(s) of sources became yes/no columns" in "\n".join(report.converted)
    assert "nothing in the file names the participants' group" in "\n".join(report.defaults)
    load_dataset(data)


def test_descriptions_and_notes_of_sources_become_their_memos(tmp_path):
    annotation = (f'<Note guid="{_guid(8, 1)}" creationDateTime="2020-01-01T00:00:00Z"><PlainTextContent>'
                  f'A remark on a span</PlainTextContent><PlainTextSelection guid="{_guid(8, 9)}" '
                  'startPosition="0" endPosition="4"/></Note>')
    journal = (f'<Note guid="{_guid(8, 2)}" name="Project diary" creationDateTime="2020-01-01T00:00:00Z">'
               '<PlainTextContent>Week one</PlainTextContent></Note>')
    sources = [_source(1, "a.txt", inner=f'<Description>First impressions</Description>'
                       f'<NoteRef targetGUID="{_guid(8, 1)}"/>')]
    report, data = _project(tmp_path, sources=sources, texts=_texts(1), notes=annotation + journal)
    assert (data / "memos" / "a.md").read_text() == "First impressions\n\nA remark on a span\n"
    assert (data / "memos" / "Project-diary.txt").read_text() == "Week one"
    assert "1 note(s) on a span of a source" in "\n".join(report.converted)
    assert "1 note(s) attached to no coding or source" in "\n".join(report.not_imported)


def test_a_participant_id_variable_links_sources_in_no_case(tmp_path):
    """thematic's export through QualCoder keeps cases, not their sources, but keeps this variable."""
    sources = [_source(n, f"s{n}", inner=_value(0, pid)) for n, pid in ((1, "P1"), (2, "P1"), (3, "P2"))]
    cases = f'<Case guid="{_guid(5, 1)}" name="P1">{_value(1, "nurse")}</Case>'
    report, data = _project(tmp_path, sources=sources, texts=_texts(1, 2, 3), cases=cases,
                            variables=["participant_id", "group"])
    interviews = pd.read_csv(data / "interviews.csv", dtype=str)
    assert list(interviews["participant_id"]) == ["P1", "P1", "P2"]
    people = pd.read_csv(data / "participants.csv", dtype=str)
    assert people[["participant_id", "group"]].values.tolist() == [["P1", "nurse"], ["P2", "unspecified"]]
    assert "3 source(s) in no case were linked" in "\n".join(report.converted)
    load_dataset(data)


def test_taguettes_empty_sets_element_is_tolerated_and_said(tmp_path):
    report, data = _project(tmp_path, sources=[_source(1, "a")], texts=_texts(1), sets="<Sets/>")
    assert "an empty <Sets/> element" in "\n".join(report.not_imported)
    load_dataset(data)


def test_nothing_reported_as_nothing_when_something_was_dropped(tmp_path):
    sets = (f'<Sets><Set guid="{_guid(6, 1)}" name="Diary notes"><MemberNote targetGUID="{_guid(8, 2)}"/>'
            '</Set></Sets>')
    journal = (f'<Note guid="{_guid(8, 2)}" name="d" creationDateTime="2020-01-01T00:00:00Z">'
               '<PlainTextContent>x</PlainTextContent></Note>')
    report, data = _project(tmp_path, sources=[_source(1, "a")], texts=_texts(1), sets=sets, notes=journal)
    text = "\n".join(report.not_imported)
    assert "1 set(s) of notes only ('Diary notes')" in text
    written = (data / "import-report.md").read_text()
    assert "## Not imported\n- nothing" not in written


def test_a_source_in_no_case_never_takes_over_a_case_of_the_same_name(tmp_path):
    sources = [_source(1, "P1"), _source(2, "s2")]
    cases = f'<Case guid="{_guid(5, 1)}" name="P1">{_value(0, "nurse")}<SourceRef targetGUID="{_guid(3, 2)}"/></Case>'
    _, data = _project(tmp_path, sources=sources, texts=_texts(1, 2), cases=cases, variables=["group"])
    people = pd.read_csv(data / "participants.csv", dtype=str)
    assert people[["participant_id", "group"]].values.tolist() == [["P1", "nurse"], ["P1-2", "unspecified"]]
    assert list(pd.read_csv(data / "interviews.csv", dtype=str)["participant_id"]) == ["P1-2", "P1"]
    load_dataset(data)
