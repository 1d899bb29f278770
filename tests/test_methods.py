"""The methods statement from what a data folder declares, and the reviewer's table of statistics."""

import pandas as pd
import pytest

from conftest import SAMPLE
from thematic import agreement as ag
from thematic import io, methods
from thematic.errors import DataError
from thematic.segments import segment_turns


def test_sample_declares_itself_synthetic():
    declared = methods.synthetic_declaration(SAMPLE)
    assert declared.synthetic and declared.source == "study.yaml"
    assert "simulated" in declared.note and "\n" not in declared.note
    text = methods.methods_statement(declared, coders=["coder_a", "coder_b"], interviews=25)
    assert text.startswith("**These data are synthetic.**")
    assert "coder_a and coder_b on 25 interviews" in text and "not how reliably people code" in text
    assert declared.note in text  # how the data and coders were made comes from the study itself


def test_real_or_undeclared_data_get_no_statement(tmp_path):
    assert methods.synthetic_declaration(tmp_path) == methods.SyntheticDeclaration()
    (tmp_path / "study.yaml").write_text("synthetic: false\n", encoding="utf-8")
    declared = methods.synthetic_declaration(tmp_path)
    assert not declared.synthetic and methods.methods_statement(declared, coders=["a", "b"]) == ""
    (tmp_path / "study.yaml").write_text("synthetic: true\n", encoding="utf-8")
    bare = methods.methods_statement(methods.synthetic_declaration(tmp_path), coders=["a"])
    assert "without saying how" in bare and "agreement" not in bare  # one coder: nothing on agreement


@pytest.mark.parametrize("content, message", [
    ("synthetic: yes please\n", r"\[E104\] .*study.yaml, synthetic: Input should be a valid boolean"),
    ("synthetic: true\nsynthetic_note: [a, b]\n", r"study.yaml, synthetic_note: Input should be a valid string"),
    ("- just a list\n", r"study.yaml, top level: Input should be a valid dictionary"),
])
def test_bad_declarations_name_the_file(tmp_path, content, message):
    (tmp_path / "study.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message) as error:
        methods.synthetic_declaration(tmp_path)
    assert "study.yaml" in str(error.value)


def test_register_describes_each_statistic(sample_dataset, tmp_path):
    segments = segment_turns(sample_dataset)
    table = ag.agreement_table(segments, sample_dataset.codings, sample_dataset.codebook, n_boot=200, seed=7)
    rows = methods.statistics_register(methods.agreement_entries(table, shown_in="03 agreement-per-code",
                                                                 n_boot=200, seed=7))
    assert list(rows.columns) == methods.REGISTER_COLUMNS and len(rows) == 3
    per_code = rows.iloc[0]
    codes = table[table["code"] != ag.POOLED]
    assert per_code["units"] == f"{codes['units'].min()}-{codes['units'].max()}"
    assert per_code["unit"] == "turn" and per_code["seed"] == 7 and per_code["resamples"] == 200
    assert "participants" in per_code["interval"] and "expanded percentile" in per_code["interval"]
    assert rows.iloc[2]["interviews"] == str(table.iloc[-1]["interviews"])
    fixed = methods.statistics_register([methods.register_entry("convergence", shown_in="04", unit="theme x group",
                                                                units=42, interviews=25)])
    assert fixed.loc[0, "interval"] == methods.NO_INTERVAL and fixed.loc[0, "seed"] == ""
    # one table for the report: earlier phases' saved registers, then the current phase's
    io.write_csv(tmp_path / "tables" / "03-theme-mapping" / "statistics-register.csv", rows)
    io.write_csv(tmp_path / "tables" / "04-triangulation" / "statistics-register.csv", rows.head(1))
    combined = methods.collect_registers(tmp_path, phase="04-triangulation", current=fixed)
    assert combined["statistic"].tolist() == [*rows["statistic"], "convergence"]
    alone = methods.collect_registers(None, phase="04-triangulation", current=fixed)
    assert alone["statistic"].tolist() == ["convergence"]
    assert isinstance(alone, pd.DataFrame)
