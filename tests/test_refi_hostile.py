"""Hostile .qdpx/.qdc files: each is refused with a clear error and nothing is written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from thematic.errors import DataError
from thematic.refi import Limits, import_refi

GOOD_QDE = b"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="p">
  <Sources><TextSource guid="11111111-1111-1111-1111-111111111111" name="t"
      plainTextPath="internal://t.txt"/></Sources>
</Project>"""


def _qdpx(path: Path, members: dict[str, bytes], *, symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name == symlink:
                info.external_attr = 0o120777 << 16
            archive.writestr(info, data)
    return path


def _refused(tmp_path: Path, source: Path, match: str, **options) -> DataError:
    target = tmp_path / "out"
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(DataError, match=match) as caught:
        import_refi(source, target, **options)
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no staging folder left behind
    assert source.name in str(caught.value)
    return caught.value


def test_the_good_archive_imports(tmp_path):
    source = _qdpx(tmp_path / "ok.qdpx", {"project.qde": GOOD_QDE, "sources/t.txt": b"Speaker: hi\n"})
    report = import_refi(source, tmp_path / "data", deidentified=True)
    assert report.written["interviews (raw/ and deidentified/)"] == 1


def test_external_entity_is_refused(tmp_path):
    qde = (b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>')
    error = _refused(tmp_path, _qdpx(tmp_path / "xxe.qdpx", {"project.qde": qde}), "project.qde uses")
    assert "root:" not in str(error)


def test_entity_expansion_is_refused(tmp_path):
    qde = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
           b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
           b'<Project xmlns="urn:QDA-XML:project:1.0" name="&lol3;"/>')
    _refused(tmp_path, _qdpx(tmp_path / "laughs.qdpx", {"project.qde": qde}), "XML entity attacks")


def test_codebook_with_entities_is_refused(tmp_path):
    qdc = tmp_path / "bad.qdc"
    qdc.write_bytes(b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaa">]>'
                    b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>')
    _refused(tmp_path, qdc, "XML entity attacks")


@pytest.mark.parametrize(("member", "reason"), [
    ("../evil.txt", "'..' leaves the archive"),
    ("sources/../../evil.txt", "'..' leaves the archive"),
    ("/etc/evil.txt", "absolute path"),
    ("C:/evil.txt", "absolute path"),
    ("..\\evil.txt", "'..' leaves the archive"),
])
def test_unsafe_member_names_are_refused(tmp_path, member, reason):
    source = _qdpx(tmp_path / "names.qdpx", {"project.qde": GOOD_QDE, member: b"x"})
    error = _refused(tmp_path, source, "unsafe name")
    assert reason in str(error) and member in str(error)


def test_symlink_member_is_refused(tmp_path):
    source = _qdpx(tmp_path / "link.qdpx", {"project.qde": GOOD_QDE, "sources/t.txt": b"/etc/passwd"},
                   symlink="sources/t.txt")
    _refused(tmp_path, source, "'sources/t.txt' is a symbolic link")


def test_zip_bomb_is_refused_by_ratio(tmp_path):
    source = _qdpx(tmp_path / "bomb.qdpx", {"project.qde": GOOD_QDE, "sources/t.txt": b"\0" * (8 << 20)})
    _refused(tmp_path, source, "expands .* times")


def test_archive_beyond_the_size_limit_is_refused(tmp_path):
    source = _qdpx(tmp_path / "big.qdpx", {"project.qde": GOOD_QDE, "sources/t.txt": b"a" * 5000})
    _refused(tmp_path, source, "more than the limit of 4000 bytes",
             limits=Limits(total_bytes=4000))
    _refused(tmp_path, source, "member 'sources/t.txt' would expand", limits=Limits(member_bytes=4000))


def test_missing_project_qde_is_refused(tmp_path):
    source = _qdpx(tmp_path / "empty.qdpx", {"sources/t.txt": b"text"})
    _refused(tmp_path, source, "no project.qde")


def test_malformed_project_qde_is_refused_with_its_place(tmp_path):
    source = _qdpx(tmp_path / "broken.qdpx", {"project.qde": b"<Project xmlns='urn:QDA-XML:project:1.0'>\n<Users>"})
    _refused(tmp_path, source, r"not well-formed XML \(line 2")


def test_wrong_root_element_is_refused(tmp_path):
    source = _qdpx(tmp_path / "html.qdpx", {"project.qde": b"<html><body/></html>"})
    _refused(tmp_path, source, "root element 'html'")


def test_duplicate_members_are_refused(tmp_path):
    path = tmp_path / "dup.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", GOOD_QDE)
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("project.qde", b"<Project/>")
    _refused(tmp_path, path, "appears twice")


def test_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "fake.qdpx"
    path.write_text("hello")
    _refused(tmp_path, path, "not a readable zip archive")


def test_missing_guid_is_refused_with_its_place(tmp_path):
    qde = b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Users><User name="x"/></Users></Project>'
    _refused(tmp_path, _qdpx(tmp_path / "noguid.qdpx", {"project.qde": qde}),
             "project.qde, <User name='x'>: missing required attribute 'guid'")


def test_source_not_utf8_is_refused(tmp_path):
    source = _qdpx(tmp_path / "latin.qdpx", {"project.qde": GOOD_QDE, "sources/t.txt": "Frühjahr".encode("latin-1")})
    _refused(tmp_path, source, "not UTF-8 text at byte 2")


def test_media_members_are_checked_but_never_expanded(tmp_path):
    qde = GOOD_QDE.replace(b"</Sources>", b'<PDFSource guid="22222222-2222-2222-2222-222222222222" '
                           b'name="scan" path="internal://scan.pdf"/></Sources>')
    source = _qdpx(tmp_path / "media.qdpx", {"project.qde": qde, "sources/t.txt": b"Speaker: hi\n",
                                             "sources/scan.pdf": b"\0" * (8 << 20)})
    report = import_refi(source, tmp_path / "data", deidentified=True)
    assert any("PDFSource 'scan'" in line for line in report.not_imported)


def test_sources_outside_the_archive_or_without_plain_text_are_reported(tmp_path):
    qde = b"""<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources>
      <TextSource guid="11111111-1111-1111-1111-111111111111" name="here" plainTextPath="internal://t.txt"/>
      <TextSource guid="33333333-3333-3333-3333-333333333333" name="away" plainTextPath="file:///home/x/away.txt"/>
      <TextSource guid="44444444-4444-4444-4444-444444444444" name="rich" richTextPath="internal://r.docx"/>
      <TextSource guid="55555555-5555-5555-5555-555555555555" name="lost" plainTextPath="internal://lost.txt"/>
    </Sources></Project>"""
    source = _qdpx(tmp_path / "paths.qdpx", {"project.qde": qde, "sources/t.txt": b"Speaker: hi\n"})
    report = import_refi(source, tmp_path / "data", deidentified=True)
    text = "\n".join(report.not_imported)
    assert "source 'away': its text 'file:///home/x/away.txt' is outside the archive" in text
    assert "source 'rich': no plain text (only rich text internal://r.docx)" in text
    assert "source 'lost': its text 'internal://lost.txt' is missing from the archive" in text
    assert sorted(p.name for p in (tmp_path / "data" / "raw").iterdir()) == ["here.txt"]
