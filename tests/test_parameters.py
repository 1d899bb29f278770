import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from thematic.errors import ParameterError
from thematic.parameters import declared_parameters, for_notebook, load_parameters, to_json_type

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_every_notebook_declares_the_common_parameters():
    for notebook in NOTEBOOKS:
        declared = declared_parameters(notebook).declared
        assert {"data_dir", "output_dir", "seed", "spacy_model"} <= set(declared), notebook.name


def test_sample_parameters_are_accepted():
    declared = [declared_parameters(p) for p in NOTEBOOKS]
    values = load_parameters(ROOT / "params" / "sample.yaml", declared)
    assert values["data_dir"] == str(ROOT / "data-sample") and isinstance(values["seed"], int)
    first = for_notebook(values, declared[0], output_dir="/tmp/x")
    assert first["output_dir"] == "/tmp/x" and "coding_rule" not in first


def test_unknown_keys_are_rejected_with_the_known_ones(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("data_dir: mine\nsed: 1\n")
    with pytest.raises(ParameterError, match=r"Unknown parameter\(s\) \['sed'\].*Known parameters: \[.*'seed'"):
        load_parameters(path, [declared_parameters(p) for p in NOTEBOOKS])


def test_output_dir_is_set_by_the_runner_only(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("output_dir: elsewhere\n")
    with pytest.raises(ParameterError, match="output_dir"):
        load_parameters(path, [declared_parameters(p) for p in NOTEBOOKS])


def test_wrong_type_is_rejected(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("seed: twelve\n")
    with pytest.raises(ParameterError, match=r"\[E809\] Parameter 'seed' in .*mine.yaml: must be a valid integer; "
                                             r"got 'twelve'"):
        load_parameters(path, [declared_parameters(p) for p in NOTEBOOKS])


def test_values_are_cast_to_json_types():
    assert to_json_type(Path("a/b")) == "a/b"
    assert to_json_type((1, np.int64(2))) == [1, 2]
    assert to_json_type(dt.date(2020, 7, 1)) == "2020-07-01"
