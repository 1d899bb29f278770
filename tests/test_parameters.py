import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from thematic.errors import DataError, ParameterError
from thematic.parameters import (
    declarations,
    declared_parameters,
    effective_parameters,
    for_notebook,
    load_parameters,
    resolved,
    schema,
    to_json_type,
)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_every_notebook_declares_the_common_parameters():
    for notebook in NOTEBOOKS:
        declared = declared_parameters(notebook).declared
        assert {"data_dir", "output_dir", "spacy_model"} <= set(declared), notebook.name


def test_seed_is_declared_only_where_something_is_random():
    declaring = [nb.stem for nb in NOTEBOOKS if "seed" in declared_parameters(nb).declared]
    assert declaring == ["02-code-suggestions", "03-theme-mapping", "04-triangulation"]


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


# --- the declared schema --------------------------------------------------------------------------


def test_every_notebook_parameter_is_declared_once_and_its_default_passes():
    declared = [declared_parameters(p) for p in NOTEBOOKS]
    known = schema()
    for notebook in declared:
        for name, value in notebook.defaults().items():
            if name == "output_dir":
                continue
            assert name in known, f"{notebook.notebook.name}: {name} has no declaration"
            known[name].check(value, source=notebook.notebook)


def test_declarations_are_those_of_the_schema_importing_only_what_it_takes():
    known = schema()
    assert declarations(["coding_rule", "n_jobs", "no_such_parameter"]) == {
        "coding_rule": known["coding_rule"], "n_jobs": known["n_jobs"]}
    # In a fresh process, a phase's own parameters are found without importing the modules of
    # the report runner (nbformat, papermill) or of code suggestions (scikit-learn).
    code = ("import sys\nimport thematic.review\nfrom thematic.parameters import declarations\n"
            "found = declarations(['spacy_model', 'deidentify_audit'])\n"
            "print(sorted(found), [m for m in ('thematic.report', 'nbformat', 'sklearn') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['deidentify_audit', 'spacy_model'] []"


@pytest.mark.parametrize(("line", "message"), [
    ("cv_folds: 0", r"'cv_folds' in .*mine.yaml: must be greater than or equal to 2; got 0"),
    ("coding_rule: majority", r"'coding_rule' in .*: must be 'union' or 'intersection'; got 'majority'"),
    ("n_jobs: 0", r"'n_jobs' in .*: must be 1 or more \(worker processes\), or -1 for every core; got 0"),
    ("data_dir: null", r"'data_dir' in .*: must be set; got None"),
    ("data_dir: no/such/folder", r"'data_dir' in .*: must be a folder that exists"),
    ("data_dir: src", r"'data_dir' in .*: must be a study's data folder, holding interviews.csv"),
    ("n_boot: -5", r"'n_boot' in .*: must be 0 \(no intervals\) or at least 100; got -5"),
    ("spacy_model: ../../../etc", r"'spacy_model' in .*: spaCy pipeline '../../../etc' is not the name of an "
                                  r"installed pipeline package.*never from a path"),
    ("learning_sizes: [100, -3]", r"'learning_sizes\[1\]' in .*: must be greater than or equal to 1"),
    ("seed: true", r"'seed' in .*: must be a valid integer; got True"),
    ("cv_folds: '5'", r"'cv_folds' in .*: must be a valid integer; got '5'"),
    ("reliability_bar: 2", r"'reliability_bar' in .*: must be less than or equal to 1"),
    ("reliability_statistic: kappa", r"'reliability_statistic' in .*: must be 'percent_agreement', 'cohen_kappa'"),
    ("min_wave_participants: 0", r"'min_wave_participants' in .*: must be greater than or equal to 1"),
    ("convergence_rules: {salient: 1}", r"'convergence_rules\[salient\]' in .*: is not one of its keys.*salient_ratio"),
    ("quote_rules: {per_group: 0}", r"'quote_rules\[per_group\]' in .*: must be greater than or equal to 1"),
    ("known_names: /etc/passwd", r"'known_names' in .*: must name a file inside the data folder \(it is an absolute"),
    ("adjudication_file: ../../x.csv", r"'adjudication_file' in .*: must name a file inside the data folder "
                                       r"\(it goes up with '..'\)"),
    ("reference_coder: ../a", r"'reference_coder' in .*: must match pattern"),
    ("kwic_query: '   '", r"'kwic_query' in .*: must match pattern"),
    ("title: ''", r"'title' in .*: must have at least 1 character"),
    ("next_segments: 0", r"'next_segments' in .*: must be greater than or equal to 1; got 0"),
])
def test_a_bad_value_names_the_parameter_and_the_file(tmp_path, line, message):
    path = tmp_path / "mine.yaml"
    path.write_text(line + "\n")
    with pytest.raises(ParameterError, match=r"\[E809\] Parameter " + message):
        load_parameters(path, [declared_parameters(p) for p in NOTEBOOKS])


def test_every_bad_value_is_listed_at_once(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("cv_folds: 1\nn_jobs: 0\ncoding_rule: majority\n")
    with pytest.raises(ParameterError) as error:
        load_parameters(path, [declared_parameters(p) for p in NOTEBOOKS])
    assert [line.split("'")[1] for line in str(error.value).splitlines()] == ["cv_folds", "n_jobs", "coding_rule"]


def test_a_bad_default_in_a_notebook_is_named(tmp_path):
    import nbformat

    notebook = tmp_path / "00-mine.ipynb"
    nb = nbformat.read(NOTEBOOKS[1], as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = cell.source.replace("top_n_terms = 12", "top_n_terms = 0")
    nbformat.write(nb, notebook)
    path = tmp_path / "mine.yaml"
    path.write_text("kwic_window: 5\n")
    with pytest.raises(ParameterError, match=r"'top_n_terms' in .*00-mine.ipynb: must be greater than or equal to 1"):
        load_parameters(path, [declared_parameters(notebook)])


def test_the_manifest_records_the_pipeline_that_loads():
    from spacy.util import is_package

    values = effective_parameters({}, [declared_parameters(p) for p in NOTEBOOKS])
    record = resolved(values)
    assert record["spacy_model"]["requested"] == "en_core_web_sm"
    assert is_package(record["spacy_model"]["loaded"]) and record["spacy_model"]["version"]
    assert record["data_dir"] == str(ROOT / "data-sample")


def test_an_alias_bomb_in_a_list_parameter_fails_at_once(tmp_path):
    import time

    lines = ["learning_sizes:", "  - &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"  - &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    started = time.perf_counter()
    with pytest.raises(DataError, match=r"\[E807\] .*bomb.yaml, line \d+: aliases expand to more than 1,000,000 values"):
        load_parameters(path, [declared_parameters(p) for p in NOTEBOOKS])
    assert time.perf_counter() - started < 5


def test_command_line_options_are_checked_like_parameters():
    from click.testing import CliRunner

    from thematic.cli import main

    for args, option in ((["deidentify", str(ROOT / "data-sample"), "--n-jobs", "0"], "--n-jobs"),
                         (["qdpx", "export", str(ROOT / "data-sample"), "-o", "x.qdpx", "--n-jobs", "0"], "--n-jobs"),
                         (["kwic", "care", "--model", "../../etc"], "--model"),
                         (["agreement", "--n-boot", "-5"], "--n-boot")):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2 and f"Invalid value for '{option}'" in result.output, args
        assert "Traceback" not in result.output


def test_the_safety_guide_lists_every_declared_parameter():
    guide = (ROOT / "docs" / "safety.md").read_text(encoding="utf-8")
    missing = [name for name in schema() if f"`{name}`" not in guide]
    assert not missing, f"docs/safety.md does not list {missing}"
