import pandas as pd
import pytest

from thematic.bench import suggest as bench
from conftest import SHARED

NHS = SHARED / bench.NHS_FILE


def test_missing_data_set_is_skipped_cleanly(tmp_path):
    result = bench.run(path=tmp_path / "absent.csv")
    assert result.measures == [] and "skipped" in result.notes[0]


def test_loader_drops_uncoded_rows_and_unused_codes(tmp_path):
    path = tmp_path / "mini.csv"
    pd.DataFrame({"Comment ID": [1, 2, 3, 4], "FFT answer": ["good staff", " ", "no parking", "fine"],
                  "Not assigned": [None, 1, None, None], "Parking": [None, None, 1, None],
                  "Staff": [1, None, None, None], "Unused": [None, None, None, None]}).to_csv(path, index=False)
    texts, Y = bench.load_nhs(path)
    assert texts == ["good staff", "no parking"]
    assert list(Y.columns) == ["Parking", "Staff"] and Y.to_numpy().tolist() == [[0, 1], [1, 0]]


@pytest.mark.slow
def test_quick_benchmark_measures_baseline_and_suggester_in_one_run():
    if not NHS.exists():
        pytest.skip("NHS patient-feedback set not in ../shared")
    result = bench.run(quick=True)
    names = {m.name for m in result.measures}
    assert {"300 baseline macro_f1", "300 suggester-tfidf macro_f1", "full suggester-tfidf recall_at_3",
            "full suggester-tfidf fit time / baseline"} <= names
    assert all(0 <= m.value <= 1 for m in result.measures if m.name.endswith(("_f1", "_at_3")))
    assert "random_state=42" in result.notes[0]
