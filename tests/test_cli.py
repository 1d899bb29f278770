from click.testing import CliRunner

from thematic.cli import main


def test_validate_sample_ok():
    result = CliRunner().invoke(main, ["validate", "data-sample"])
    assert result.exit_code == 0, result.output
    assert "21 participants in 4 group(s), 25 interviews, 25 de-identified transcripts" in result.output


def test_validate_lists_every_problem_and_fails(tiny_data):
    (tiny_data / "interviews.csv").write_text(
        "interview_id,participant_id,wave,date,duration_min,transcript\n"
        "X1,NOPE,1,2020-01-01,10,raw/P1-W1.txt\nX2,P1,zero,2020-01-01,10,raw/missing.txt\n")
    result = CliRunner().invoke(main, ["validate", str(tiny_data)])
    assert result.exit_code == 1
    assert "line 2: unknown participant_id 'NOPE'" in result.output
    assert "line 3: 'zero' in column 'wave'" in result.output
    assert "missing.txt: file not found" in result.output


def test_report_rejects_unknown_parameters(tmp_path):
    params = tmp_path / "bad.yaml"
    params.write_text("data_dir: data-sample\ncolour: blue\n")
    result = CliRunner().invoke(main, ["report", "--params", str(params), "-o", str(tmp_path / "r")])
    assert result.exit_code == 1 and "Unknown parameter(s) ['colour']" in result.output
    assert not (tmp_path / "r").exists()
