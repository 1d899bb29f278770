"""Agreement statistics against published worked examples, and per code on codings."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from thematic import agreement as ag
from thematic.cli import main
from thematic.dataset import load_dataset
from thematic.errors import ParameterError
from thematic.segments import segment_turns

nan = np.nan

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", example C: 4 observers,
# 12 units, values 1-5, missing data. Transposed to units x coders.
KRIPPENDORFF_C = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]).T
# Krippendorff (2011), example A: two observers, binary data, 10 units.
KRIPPENDORFF_A = np.array([[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]).T

# Fleiss (1971) diagnoses: 30 patients x 6 psychiatrists, 5 categories (the data statsmodels'
# tests use; R irr's kappam.fleiss gives 0.4302445).
DIAGNOSES = np.array([
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
])
# The Wikipedia Fleiss' kappa example (statsmodels' test): 10 subjects, 14 raters each,
# counts per category 1-5; kappa 0.210.
WIKIPEDIA_COUNTS = np.array([
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
])
# R irr's anxiety data (statsmodels' test): 20 subjects x 3 raters; kappa2(anxiety[, 2:3]) = -0.006289308.
ANXIETY = np.array([
    3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3, 3, 6, 4, 6, 2, 4, 2, 4, 3, 3,
    2, 3, 3, 3, 2, 2, 1, 3, 3, 4, 2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2,
]).reshape(20, 3, order="F")


def from_table(table) -> np.ndarray:
    """Expand a two-coder contingency table into a units x 2 matrix."""
    table = np.asarray(table)
    return np.array([(i, j) for i in range(len(table)) for j in range(len(table)) for _ in range(table[i, j])],
                    dtype=float)


def from_counts(counts) -> np.ndarray:
    """Expand per-unit category counts (equal raters per unit) into a units x raters matrix."""
    return np.array([np.repeat(np.arange(len(row)), row) for row in counts], dtype=float)


@pytest.mark.parametrize(("level", "expected"), [("nominal", 0.743), ("ordinal", 0.815),
                                                 ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_2011_four_coders_with_missing_values(level, expected):
    result = ag.krippendorff_alpha(KRIPPENDORFF_C, level=level)
    assert round(result.value, 3) == expected
    assert result.n_units == 11 and result.n_coders == 4  # unit 12 has one value: not pairable


def test_krippendorff_2011_binary_two_coders():
    assert round(ag.krippendorff_alpha(KRIPPENDORFF_A).value, 3) == 0.095


def test_fleiss_kappa_matches_statsmodels_examples():
    assert round(ag.fleiss_kappa(from_counts(WIKIPEDIA_COUNTS)).value, 3) == 0.210
    assert ag.fleiss_kappa(DIAGNOSES).value == pytest.approx(0.4302445, abs=1e-7)


def test_cohen_kappa_matches_statsmodels_examples():
    # SAS example in statsmodels' tests: kappa 0.4842
    assert round(ag.cohen_kappa(from_table([[0, 4, 1], [0, 8, 0], [0, 1, 5]])).value, 4) == 0.4842
    assert ag.cohen_kappa(ANXIETY[:, 1:]).value == pytest.approx(-0.006289308, abs=1e-8)


def test_gwet_ac1_matches_irrcac_worked_example():
    # irrCAC's cont3x3abstractors (Gwet 2014): AC1 0.8493305, kappa 0.7964094,
    # Krippendorff's alpha 0.7972585, percent agreement 0.89.
    matrix = from_table([[13, 0, 0], [0, 20, 7], [0, 4, 56]])
    ac1 = ag.gwet_ac1(matrix)
    assert ac1.value == pytest.approx(0.8493305, abs=1e-7)
    assert (ac1.observed, round(ac1.expected, 6)) == (pytest.approx(0.89), 0.269925)
    assert ag.cohen_kappa(matrix).value == pytest.approx(0.7964094, abs=1e-7)
    assert ag.krippendorff_alpha(matrix).value == pytest.approx(0.7972585, abs=1e-7)
    assert ag.percent_agreement(matrix).value == pytest.approx(0.89)


def test_gwet_ac1_hand_computed_with_three_coders_and_missing():
    # pa = (1 + 0 + 1/3) / 3 = 4/9; pi = (11/24, 13/24); pe = 143/288; AC1 = -15/145
    matrix = np.array([[1, 1, 1], [1, 2, nan], [2, 2, 1], [nan, nan, 2]])
    result = ag.gwet_ac1(matrix)
    assert result.value == pytest.approx(-3 / 29)
    assert result.observed == pytest.approx(4 / 9) and result.expected == pytest.approx(143 / 288)
    assert result.n_units == 3


def test_gwet_ac1_declared_categories_count_unused_ones():
    matrix = np.array([[0, 0], [0, 0], [0, 0]])
    assert np.isnan(ag.gwet_ac1(matrix).value)  # one category: no chance model
    assert ag.gwet_ac1(matrix, categories=(0, 1)).value == pytest.approx(1.0)


def test_fast_pattern_statistics_equal_the_libraries():
    rng = np.random.default_rng(7)
    for _ in range(20):
        matrix = rng.integers(0, 3, size=(40, 3)).astype(float)
        matrix[rng.random(matrix.shape) < 0.15] = nan
        stats = ag.PatternStatistics.from_matrix(matrix)
        fast = stats.all(stats.totals)
        assert fast["krippendorff_alpha"][0] == pytest.approx(ag.krippendorff_alpha(matrix).value, abs=1e-12)
        assert fast["fleiss_kappa"][0] == pytest.approx(ag.fleiss_kappa(matrix).value, abs=1e-12)
        two = matrix[:, :2]
        stats2 = ag.PatternStatistics.from_matrix(two)
        assert stats2.cohen_kappa(stats2.totals)[0] == pytest.approx(ag.cohen_kappa(two).value, abs=1e-12)


def test_degenerate_matrices_give_nan_not_errors():
    constant = np.ones((5, 2))
    for func in (ag.cohen_kappa, ag.fleiss_kappa, ag.krippendorff_alpha):
        assert np.isnan(func(constant).value)
    assert ag.percent_agreement(constant).value == 1.0


def test_bad_matrices_and_arguments_are_refused():
    with pytest.raises(ParameterError, match="units x coders"):
        ag.percent_agreement(np.ones(5))
    with pytest.raises(ParameterError, match="exactly two coders"):
        ag.cohen_kappa(np.ones((4, 3)))
    with pytest.raises(ParameterError, match="level of measurement"):
        ag.krippendorff_alpha(KRIPPENDORFF_A, level="cardinal")
    with pytest.raises(ParameterError, match="n_boot"):
        ag.bootstrap_ci(KRIPPENDORFF_A, ag.cohen_kappa, n_boot=10)


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    first = ag.bootstrap_ci(KRIPPENDORFF_C, ag.krippendorff_alpha, n_boot=200, seed=3)
    second = ag.bootstrap_ci(KRIPPENDORFF_C, ag.krippendorff_alpha, n_boot=200, seed=3)
    assert (first.ci_low, first.ci_high) == (second.ci_low, second.ci_high)
    assert first.ci_low <= first.value <= first.ci_high


# --- codings ------------------------------------------------------------------------------------

@pytest.fixture
def tiny(tiny_data):
    dataset = load_dataset(tiny_data)
    return dataset, segment_turns(dataset)


def test_agreement_table_on_turns(tiny):
    dataset, segments = tiny
    table = ag.agreement_table(segments, dataset.codings, dataset.codebook, n_boot=0).set_index("code")
    # professionals' units: two referrer turns; a coded both codes, b only no_shared_records on the first
    assert table.loc["remote_working", "units"] == 2
    assert table.loc["remote_working", "percent_agreement"] == 0.5
    assert table.loc["remote_working", "prevalence"] == 0.5
    assert table.loc["no_shared_records", "cohen_kappa"] == pytest.approx(1.0)
    assert np.isnan(table.loc["overwhelmed", "cohen_kappa"])  # one unit, both coded: undefined
    pooled = table.loc[ag.POOLED]
    assert pooled["units"] == 5 and pooled["all_coders"] == 2 and pooled["coded_by_a"] == 3


def test_agreement_table_on_characters_counts_characters(tiny):
    dataset, segments = tiny
    table = ag.agreement_table(segments, dataset.codings, dataset.codebook, unit="character",
                               n_boot=0).set_index("code")
    turns = segments[~segments["is_interviewer"] & (segments["group"] != "parent")]
    assert table.loc["no_shared_records", "units"] == (turns["end"] - turns["start"]).sum()
    # a coded 30 characters, b the first 10 of them
    assert table.loc["no_shared_records", "coded_by_a"] == 30
    assert table.loc["no_shared_records", "all_coders"] == 10


def test_sentence_units_are_spans_of_the_text(tiny):
    dataset, segments = tiny
    units = ag.coding_units(segments, unit="sentence")
    for unit in units.itertuples(index=False):
        assert dataset.texts[unit.interview_id][unit.start:unit.end] == unit.text
    assert len(units) >= 3


def test_agreement_table_refuses_unknown_coders_and_units(tiny):
    dataset, segments = tiny
    with pytest.raises(ParameterError, match="no codings"):
        ag.agreement_table(segments, dataset.codings, dataset.codebook, coders=["a", "zed"])
    with pytest.raises(ParameterError, match="at least two coders"):
        ag.agreement_table(segments, dataset.codings, dataset.codebook, coders=["a"])
    with pytest.raises(ParameterError, match="unit of analysis"):
        ag.agreement_table(segments, dataset.codings, dataset.codebook, unit="paragraph")


def _study(disagreements: dict[int, int], *, interviews: int = 12, turns: int = 10):
    """Segments, codings and codebook of a constructed study: one code, two coders, one group.

    In every interview both coders code turns 0-2; coder b also codes
    ``disagreements[i]`` further turns of interview i that coder a left uncoded.
    """
    from thematic.codebook import parse_codebook

    rows, codings = [], []
    for i in range(interviews):
        for t in range(turns):
            start = t * 30
            rows.append({"segment_id": f"I{i:02d}:t{t:03d}", "interview_id": f"I{i:02d}",
                         "participant_id": f"P{i:02d}", "group": "g", "is_interviewer": False,
                         "start": start, "end": start + 20, "text": "x" * 20})
            coders = ["a", "b"] if t < 3 else ["b"] if t < 3 + disagreements.get(i, 0) else []
            codings += [{"interview_id": f"I{i:02d}", "start": start, "end": start + 20, "code": "c",
                         "coder": c, "memo": ""} for c in coders]
    book = parse_codebook({"themes": [{"id": "T", "name": "t", "codes": [
        {"id": "c", "label": "C", "kind": "activity", "definition": "d"}]}]})
    return pd.DataFrame(rows), pd.DataFrame(codings), book


def test_agreement_interval_widens_when_disagreements_bunch_in_interviews():
    # Twelve disagreements in all: one in each interview, or four in each of three interviews.
    spread = _study(dict.fromkeys(range(12), 1))
    bunched = _study({0: 4, 1: 4, 2: 4})
    width = {}
    for name, (segments, codings, book) in {"spread": spread, "bunched": bunched}.items():
        for cluster in ("participant", "unit"):
            row = ag.agreement_table(segments, codings, book, n_boot=2000, seed=5, cluster=cluster,
                                     scopes={"g": ""}).set_index("code").loc["c"]
            width[name, cluster] = row["cohen_kappa_high"] - row["cohen_kappa_low"]
            # 120 turns: 36 both, 12 b only, 72 neither; chance 0.3 x 0.4 + 0.7 x 0.6 = 0.54
            assert row["cohen_kappa"] == pytest.approx((0.9 - 0.54) / (1 - 0.54))
    # the same 36 agreed and 12 disputed turns: point estimates equal, intervals not
    assert width["bunched", "participant"] > 1.5 * width["spread", "participant"]
    assert width["bunched", "participant"] > 1.3 * width["bunched", "unit"]
    table = ag.agreement_table(*bunched, n_boot=200, seed=5, scopes={"g": ""})
    assert table.loc[0, "cluster"] == "participant" and table.loc[0, "clusters"] == 12
    assert table.loc[0, "coded_clusters"] == 12 and table.loc[0, "coded_interviews"] == 12
    assert table.loc[0, "prevalence_low"] <= table.loc[0, "prevalence"] <= table.loc[0, "prevalence_high"]


def test_reliability_flags_read_the_lower_bound():
    table = pd.DataFrame({"code": ["sure", "unsure", "poor", "rare"],
                          "krippendorff_alpha": [0.85, 0.80, 0.40, 0.95],
                          "krippendorff_alpha_low": [0.70, 0.55, 0.20, 0.80],
                          "krippendorff_alpha_high": [0.95, 0.93, 0.60, 1.00],
                          "coded_clusters": [9, 9, 9, 3]})
    flags = ag.reliability(table).tolist()
    # 'unsure' has a point estimate of 0.80, above the bar, but its lower bound is not
    assert flags == ["reliable", "uncertain", "unreliable", "not enough data"]
    assert ag.reliability(table, bar=0.5).tolist()[1] == "reliable"
    with pytest.raises(ParameterError, match="agreement statistic"):
        ag.reliability(table, statistic="kappa")


def test_sample_agreement_per_code_with_intervals(sample_dataset):
    segments = segment_turns(sample_dataset)
    table = ag.agreement_table(segments, sample_dataset.codings, sample_dataset.codebook, n_boot=200, seed=1)
    codes = table[table["code"] != ag.POOLED]
    assert len(codes) == len(sample_dataset.codebook.code_ids)
    assert 0.4 < codes["cohen_kappa"].mean() < 0.9
    assert (codes["gwet_ac1"] > codes["cohen_kappa"]).all()  # rare codes: AC1 above kappa
    assert (codes["cohen_kappa_low"] <= codes["cohen_kappa"]).all()
    assert (codes["cohen_kappa"] <= codes["cohen_kappa_high"]).all()
    again = ag.agreement_table(segments, sample_dataset.codings, sample_dataset.codebook, n_boot=200, seed=1)
    pd.testing.assert_frame_equal(table, again)


def test_per_code_bootstrap_equals_resampling_the_matrix(tiny):
    """The pattern bootstrap is the ordinary bootstrap: same statistic on each resample."""
    dataset, segments = tiny
    units = ag.coding_units(segments, unit="turn")
    units = units[units["group"] != "parent"]
    counts = ag.pattern_counts(units, dataset.codings, code="remote_working", coders=["a", "b"])
    matrix = np.stack([counts.argmax(axis=1) & 1, counts.argmax(axis=1) >> 1], axis=1).astype(float)
    stats = ag.PatternStatistics.binary(2)
    weights = np.array([[2, 0], [0, 2], [1, 1]])
    fast = stats.percent_agreement(weights @ counts)
    slow = [ag.percent_agreement(np.repeat(matrix, w, axis=0)).value for w in weights]
    assert fast == pytest.approx(slow)


def test_disagreements_are_ordered_for_discussion(sample_dataset):
    segments = segment_turns(sample_dataset)
    table = ag.disagreements(segments, sample_dataset.codings, sample_dataset.codebook)
    sizes = table.groupby("code", sort=False).size()
    assert list(sizes) == sorted(sizes, reverse=True)
    assert table["discussion_order"].tolist() == list(range(1, len(table) + 1))
    assert (table["coded_by"] != table["not_coded_by"]).all()
    first = table[table["code"] == table["code"].iloc[0]]
    has_memo = first[["memo_coder_a", "memo_coder_b"]].ne("").any(axis=1).tolist()
    assert has_memo == sorted(has_memo, reverse=True)  # memos first within a code
    assert {"text", "participant", "memo_coder_a", "memo_coder_b"} <= set(table.columns)


def test_cli_agreement_prints_json_per_code():
    result = CliRunner().invoke(main, ["agreement", "data-sample", "--json", "--n-boot", "100", "--seed", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    code = data["codes"][0]
    for name in ("cohen_kappa", "krippendorff_alpha", "gwet_ac1", "percent_agreement"):
        assert set(code[name]) == {"value", "ci_low", "ci_high"}
    assert code["units"] > 0 and 0 < code["prevalence"] < 1
    assert data["pooled"]["code"] == ag.POOLED and data["coders"] == ["coder_a", "coder_b"]


def test_cli_agreement_table_and_errors():
    runner = CliRunner()
    result = runner.invoke(main, ["agreement", "data-sample", "--n-boot", "0", "--unit", "turn"])
    assert result.exit_code == 0 and "cohen_kappa" in result.output and "(pooled)" in result.output
    bad = runner.invoke(main, ["agreement", "data-sample", "--coders", "coder_a,nobody"])
    assert bad.exit_code == 1 and "nobody" in bad.output


def test_agreement_benchmark_quick_run_meets_its_targets():
    from thematic.bench.agreement import bench_agreement

    result = bench_agreement(quick=True)
    table = result.table()
    assert len(table) >= 6 and (table.loc[table["target"] != "", "met"] == "yes").all()


def test_interviews_one_coder_never_coded_are_left_out(tiny_data):
    codings = tiny_data / "codings" / "b.csv"
    lines = codings.read_text(encoding="utf-8").splitlines()
    codings.write_text("\n".join(line for line in lines if not line.startswith("P2-W1")) + "\n", encoding="utf-8")
    dataset = load_dataset(tiny_data)
    segments = segment_turns(dataset)
    table = ag.agreement_table(segments, dataset.codings, dataset.codebook, n_boot=0).set_index("code")
    assert table.loc["overwhelmed", "units"] == 0 and table.loc["overwhelmed", "interviews"] == 0
    assert table.loc["remote_working", "interviews"] == 1
    everything = ag.agreement_table(segments, dataset.codings, dataset.codebook, n_boot=0,
                                    double_coded_only=False).set_index("code")
    assert everything.loc["overwhelmed", "units"] == 1
    assert ag.disagreements(segments, dataset.codings, dataset.codebook)["code"].tolist() == ["remote_working"]
