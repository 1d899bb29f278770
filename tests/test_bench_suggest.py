import pandas as pd
import pytest

from thematic.bench import suggest as bench
from conftest import SHARED

NHS = SHARED / bench.NHS_FILE


def test_missing_data_set_is_skipped_cleanly(tmp_path):
    result = bench.run(path=tmp_path / "absent.csv")
    assert result.measures == [] and "skipped" in result.notes[0]


def test_loader_drops_uncoded_rows_and_unused_codes_and_keeps_the_survey_structure(tmp_path):
    path = tmp_path / "mini.csv"
    pd.DataFrame({"Comment ID": ["A 1 - Q1", "A 1 - Q2", "B 2 - Q1", "C 3 - Q2"], "Respondent ID": [1, 1, 2, 3],
                  "Service type 1": ["111", "111", None, "PTS"],
                  "FFT question": ["What was good?", "How could\nwe  improve?", "Why?", "Why?"],
                  "FFT answer": ["good staff", "more parking", " ", "fine"],
                  "Not assigned": [None, None, 1, None], "Parking": [None, 1, None, None],
                  "Staff": [1, None, None, 1], "Unused": [None, None, None, None]}).to_csv(path, index=False)
    inputs, Y = bench.load_nhs(path)
    assert inputs["text"].tolist() == ["good staff", "more parking", "fine"]
    assert inputs["question"].tolist() == ["What was good?", "How could we improve?", "Why?"]
    assert inputs["group"].tolist() == ["111", "111", "PTS"]
    assert inputs["position"].tolist() == [0.5, 1.0, 1.0]
    assert list(Y.columns) == ["Parking", "Staff"] and Y.to_numpy().tolist() == [[0, 1], [1, 0], [0, 1]]


def test_protocol_parts_carve_validation_from_training_only():
    parts = bench.protocol_parts(1000)
    assert len(parts.test) == 200 and len(parts.train) == 800 and len(parts.validation) == 160
    assert set(parts.dev) | set(parts.validation) == set(parts.train)
    assert not set(parts.train) & set(parts.test) and not set(parts.dev) & set(parts.validation)
    # the maintainers' split is unchanged by the carving
    assert (parts.test == bench.protocol_parts(1000).test).all()


def test_tuned_baseline_picks_the_grid_point_with_the_best_validation_score():
    import numpy as np

    texts = [f"parking car fee {i}" for i in range(20)] + [f"kind nurse staff {i}" for i in range(20)]
    inputs = pd.DataFrame({"text": texts})
    Y = pd.DataFrame({"parking": [1] * 20 + [0] * 20, "staff": [0] * 20 + [1] * 20})
    order = np.random.default_rng(0).permutation(40)
    stage = bench.Stage("validation", inputs, Y, order[:30], order[30:], {"all": (None, (0,))})
    grid = [{"C": 0.3, "class_weight": None}, {"C": 10.0, "class_weight": "balanced"}]
    chosen, table = bench.choose_baseline(stage, grid=grid, log=lambda _: None)
    assert set(table["model"]) == {"baseline C=0.3 unweighted", "baseline C=10 balanced"}
    scores = table.set_index("model")["macro_f1"]
    first_best = scores.index[int(np.argmax(scores.to_numpy()))]  # ties go to the earlier grid point
    assert bench._grid_name(chosen["all"]) == first_best


@pytest.mark.slow
def test_quick_benchmark_measures_baseline_and_suggester_in_one_run():
    if not NHS.exists():
        pytest.skip("NHS patient-feedback set not in ../shared")
    result = bench.run(quick=True)
    names = {m.name for m in result.measures}
    assert {"300 baseline macro_f1", "300 baseline-tuned macro_f1", "300 suggester-round1 macro_f1",
            "full suggester-round1 recall_at_3", "full suggester-round1 fit time / baseline"} <= names
    assert all(0 <= m.value <= 1 for m in result.measures if m.name.endswith(("_f1", "_at_3")))
    assert "random_state=42" in result.notes[0]


def test_finetune_benchmarks_are_registered_and_skip_without_the_data(tmp_path):
    from thematic.bench import discover
    from thematic.bench import suggest_finetune

    assert {"suggest-finetune", "suggest-finetune-test"} <= set(discover())
    result = suggest_finetune.run("validation", path=tmp_path / "absent.csv")
    assert result.measures == [] and result.notes[0].startswith("skipped:")
