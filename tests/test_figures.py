"""Figures for reading: every axis titled in plain words, no column name in a figure's text."""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from thematic import figures

THEMES = {"T1": "Developing team cohesion and shared practice", "T2": "Building partner links"}
CODES = ["shared_practice_model", "joint_visits", "staff_turnover"]


def _prevalence() -> pd.DataFrame:
    return pd.DataFrame({"theme": ["T1", "T1", "T2"], "code": CODES,
                         "label": ["Building a shared model of practice", "Joint visits", "Staff turnover"],
                         "kind": ["activity", "facilitator", "barrier"], "segments": [9, 4, 6],
                         "participants": [5, 3, 4]})


def _cooccurrence() -> pd.DataFrame:
    return pd.DataFrame({"code_a": ["shared_practice_model"], "code_b": ["joint_visits"],
                         "jaccard": [0.3], "segments_both": [3]})


SUMMARY = pd.DataFrame({"interview_id": ["PAR01-W1", "REF01-W1"], "group": ["parent", "service_team"],
                        "label": ["Mother 1", "Referrer 1"], "wave": [1, 1], "words": [900, 1200],
                        "turns": [20, 30], "participant_share": [0.8, 0.6]})

CASES = {
    "words_per_interview": lambda: (figures.words_per_interview(SUMMARY), SUMMARY),
    "talk_share": lambda: (figures.talk_share(SUMMARY), SUMMARY),
    "duration_by_group": lambda: (figures.duration_by_group(
        frame := pd.DataFrame({"group": ["parent", "service_team"], "duration_min": [30, 45],
                               "interview_id": ["a", "b"]})), frame),
    "terms_by_group": lambda: (figures.terms_by_group(
        frame := pd.DataFrame({"group": ["parent", "service_team"], "term": ["visit", "referral"],
                               "per_1000_words": [3.0, 2.5]})), frame),
    "distinctive_terms": lambda: (figures.distinctive_terms(
        frame := pd.DataFrame({"group": ["parent", "service_team"], "term": ["visit", "referral"], "z": [2.0, 1.5],
                               "count": [3, 4], "count_rest": [0, 1], "log_odds": [1.0, 0.7]})), frame),
    "term_group_heatmap": lambda: (figures.term_group_heatmap(
        frame := pd.DataFrame({"service_team": [1.0, 0.0], "parent": [0.5, 2.0]}, index=["a", "b"])), frame),
    "identifiers_by_type": lambda: (figures.identifiers_by_type(
        frame := pd.DataFrame({"type": ["PERSON", "DATE_OF_BIRTH"], "detector": ["known_names", "date_of_birth"],
                               "identifiers": [3, 1], "interviews": [2, 1]})), frame),
    "metric_by_code": lambda: (figures.metric_by_code(
        frame := pd.DataFrame({"code": CODES, "f1": [0.3, 0.5, 0.7], "support": [9, 4, 6],
                               "precision": [0.2, 0.4, 0.6]}), metric="f1", title="F1 per code"), frame),
    "kappa_model_vs_coder": lambda: (figures.kappa_model_vs_coder(
        frame := pd.DataFrame({"code": CODES, "kappa_model_vs_coder": [0.3, 0.5, 0.1], "kappa_low": [0.0, 0.2, -0.1],
                               "kappa_high": [0.6, 0.7, 0.3], "kappa_coder_vs_coder": [0.5, 0.8, 0.4],
                               "coder_kappa_low": [0.2, 0.6, 0.1], "coder_kappa_high": [0.7, 0.9, 0.6]})), frame),
    "suggestion_learning_curve": lambda: (figures.suggestion_learning_curve(
        frame := pd.DataFrame({"requested": [100, 300, 1000], "capped": [False, False, True],
                               "trained_on": [100.0, 300.0, 312.8], "macro_f1": [0.3, 0.37, 0.4],
                               "micro_f1": [0.33, 0.39, 0.39], "recall_at_3": [0.56, 0.64, 0.66]})), frame),
    "agreement_intervals": lambda: (figures.agreement_intervals(
        frame := pd.DataFrame({"code": CODES, "unit": "turn", "units": 300, "prevalence": [0.04, 0.03, 0.02],
                               **{f"{s}{e}": [0.5, 0.6, 0.7] for s in ("cohen_kappa", "gwet_ac1")
                                  for e in ("", "_low", "_high")}})), frame),
    "theme_sunburst": lambda: (figures.theme_sunburst(_prevalence(), THEMES), _prevalence()),
    "theme_kind_sunburst": lambda: (figures.theme_kind_sunburst(_prevalence(), THEMES), _prevalence()),
    "thematic_map": lambda: (figures.thematic_map(_prevalence(), _cooccurrence(), THEMES), _cooccurrence()),
    "cooccurrence_heatmap": lambda: (figures.cooccurrence_heatmap(_cooccurrence(), CODES), _cooccurrence()),
    "theme_group_heatmap": lambda: (figures.theme_group_heatmap(
        frame := pd.DataFrame({"theme": ["T1", "T2"], "group": ["parent", "parent"], "share": [0.5, 1.0]}),
        THEMES), frame),
    "salience_heatmap": lambda: (figures.salience_heatmap(
        frame := pd.DataFrame({"theme": ["T1", "T2"], "group": ["parent", "parent"], "talk_share_mean": [0.1, 0.2],
                               "in_scope": [True, True], "participants_with_theme": [2, 3],
                               "participants_in_group": [5, 5]}), THEMES), frame),
    "convergence_matrix": lambda: (figures.convergence_matrix(
        frame := pd.DataFrame({"theme": ["T1", "T2"], "group_a": ["a", "a"], "group_b": ["b", "b"],
                               "pair": ["a / b", "a / b"], "convergence": ["agreement", "silence"],
                               "evidence": ["x", "y"]}), THEMES), frame),
    "wave_change_chart": lambda: (figures.wave_change_chart(
        frame := pd.DataFrame({"theme": ["T1", "T2"], "name": list(THEMES.values()),
                               "talk_share_first": [0.1, 0.2], "talk_share_last": [0.2, 0.1]}),
        group_label="the service team"), frame),
}


def _figure_text(fig: go.Figure) -> list[str]:
    """Every text of a figure a reader sees without hovering: titles, legend, facets, trace names."""
    layout = fig.layout
    texts = [layout.title.text, layout.legend.title.text]
    texts += [a.text for a in layout.annotations or ()]
    texts += [getattr(layout, key).title.text for key in layout if re.fullmatch(r"[xy]axis\d*", key)]
    if "coloraxis" in layout and layout.coloraxis.colorbar:
        texts.append(layout.coloraxis.colorbar.title.text)
    texts += [trace.name for trace in fig.data if getattr(trace, "showlegend", True) is not False]
    return [t for t in texts if t]


NAMED = figures.Groups(order=("g_kin", "g_staff"), colours={"g_kin": "#111111", "g_staff": "#222222"},
                       names={"g_kin": "kinship carers", "g_staff": "outreach staff"})
BY_GROUP = pd.DataFrame({"interview_id": ["K1", "S1"], "group": ["g_kin", "g_staff"], "label": ["Carer 1", "Worker 1"],
                         "wave": [1, 1], "words": [900, 1200], "turns": [20, 30], "participant_share": [0.8, 0.6],
                         "duration_min": [30, 45], "term": ["visit", "referral"], "per_1000_words": [3.0, 2.5],
                         "z": [2.0, 1.5], "theme": ["T1", "T2"], "share": [0.5, 1.0], "talk_share_mean": [0.1, 0.2],
                         "in_scope": [True, True], "participants_with_theme": [2, 3],
                         "participants_in_group": [5, 5]})
GROUP_DRAWINGS = {
    "words_per_interview": lambda: figures.words_per_interview(BY_GROUP, groups=NAMED),
    "talk_share": lambda: figures.talk_share(BY_GROUP, groups=NAMED),
    "duration_by_group": lambda: figures.duration_by_group(BY_GROUP, groups=NAMED),
    "terms_by_group": lambda: figures.terms_by_group(BY_GROUP, groups=NAMED),
    "distinctive_terms": lambda: figures.distinctive_terms(BY_GROUP, groups=NAMED),
    "term_group_heatmap": lambda: figures.term_group_heatmap(
        pd.DataFrame({"g_staff": [1.0], "g_kin": [0.5]}, index=["visit"]), groups=NAMED),
    "theme_group_heatmap": lambda: figures.theme_group_heatmap(BY_GROUP, THEMES, groups=NAMED),
    "salience_heatmap": lambda: figures.salience_heatmap(BY_GROUP, THEMES, groups=NAMED),
    "convergence_matrix": lambda: figures.convergence_matrix(pd.DataFrame(
        {"theme": ["T1"], "group_a": ["g_kin"], "group_b": ["g_staff"], "pair": ["g_kin / g_staff"],
         "convergence": ["agreement"], "evidence": ["x"]}), THEMES, groups=NAMED),
}


@pytest.mark.parametrize("name", sorted(GROUP_DRAWINGS))
def test_groups_are_drawn_by_the_names_the_study_gives_them(name):
    fig = GROUP_DRAWINGS[name]()
    drawn = fig.to_json()
    assert "g_kin" not in drawn and "g_staff" not in drawn
    assert "kinship carers" in drawn and "outreach staff" in drawn
    if name in ("words_per_interview", "talk_share", "duration_by_group"):
        assert {t.name: t.marker.color for t in fig.data} == {"kinship carers": "#111111", "outreach staff": "#222222"}


def test_a_group_legend_drops_the_article_of_its_plural():
    assert figures.display_name("the service team") == "service team"
    assert figures.display_name("The Others") == "Others"
    assert figures.display_name("theatre staff") == "theatre staff"


def test_every_figure_builder_is_covered():
    builders = {name for name, value in vars(figures).items()
                if callable(value) and getattr(value, "__module__", "") == figures.__name__
                and not name.startswith("_") and isinstance(value, type(figures.words))
                and value.__annotations__.get("return") in ("go.Figure", go.Figure)}
    assert builders == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_axes_are_titled_in_plain_words_and_no_column_name_shows(name):
    fig, frame = CASES[name]()
    cartesian = any(trace.type != "sunburst" for trace in fig.data)
    for key in fig.layout:
        if not cartesian or not re.fullmatch(r"[xy]axis\d*", key):
            continue
        axis = getattr(fig.layout, key)
        first_of_facets = key in ("xaxis", "yaxis") or key.startswith("xaxis")
        if axis.visible is not False and first_of_facets:
            assert axis.title.text, f"{name}: {key} has no title"
    raw = {c for c in map(str, frame.columns) if "_" in c or len(c) == 1}
    for text in _figure_text(fig):
        words = set(re.findall(r"[\w-]+", text))
        assert not raw & words, f"{name}: column name {raw & words} in {text!r}"
        assert not re.search(r"\w=\w", text), f"{name}: facet title {text!r}"


def test_the_learning_curve_shows_requested_and_actual_sizes_where_capped():
    fig, _ = CASES["suggestion_learning_curve"]()
    notes = [a.text for a in fig.layout.annotations]
    assert notes == ["requested 1,000<br>learnt from 313<br>(all a fold holds)"]
    assert {t.name for t in fig.data} == {"macro F1", "micro F1", "recall at 3"}


def test_codes_are_drawn_on_horizontal_bars_and_long_labels_wrapped():
    fig, _ = CASES["kappa_model_vs_coder"]()
    assert {t.orientation for t in fig.data} == {"h"} and list(fig.data[0].y) == CODES
    assert figures.wrap_label("Building a shared model of practice", 14) == "Building a<br>shared model<br>of practice"
    sunburst = CASES["theme_kind_sunburst"]()[0].data[0]
    assert sunburst.maxdepth == 2 and all(len(line) <= 22 for label in sunburst.labels for line in label.split("<br>"))


def _label_boxes(fig: go.Figure, *, width: int = 1100, legend: int = 110) -> list[tuple]:
    """Pixel boxes of a fixed-range figure's marker labels at *width* (text about 0.6 em wide a
    character, 1.2 em a line): an estimate of where plotly draws them."""
    layout, boxes = fig.layout, []
    size = 11
    x0, x1 = layout.xaxis.range
    y0, y1 = layout.yaxis.range
    sx = (width - layout.margin.l - layout.margin.r - legend) / (x1 - x0)
    sy = (layout.height - layout.margin.t - layout.margin.b) / (y1 - y0)
    for trace in fig.data:
        if not trace.mode or "text" not in trace.mode or trace.textposition == "middle center":
            continue
        markers = trace.marker.size
        for x, y, label, side, marker in zip(trace.x, trace.y, trace.texttemplate, trace.textposition, markers,
                                             strict=True):
            lines = label.split("<br>")
            w, h = max(map(len, lines)) * 0.6 * size, len(lines) * 1.2 * size
            px, py = (x - x0) * sx, (y1 - y) * sy
            left = px + marker / 2 + 2 if side.endswith("right") else px - marker / 2 - 2 - w
            boxes.append((left, py - h / 2, left + w, py + h / 2, label))
    return boxes


def test_thematic_map_labels_do_not_meet_at_report_width():
    words_ = "coordinating professional roles across partner services and families".split()
    themes = {f"T{t}": f"Theme {t}" for t in range(1, 8)}
    rows = [{"theme": f"T{t}", "code": f"c{t}_{c}", "label": " ".join(words_[(c + t) % 5:(c + t) % 5 + 3 + c % 3]),
             "kind": ["activity", "barrier", "facilitator"][c % 3], "segments": 3 + 5 * c, "participants": 2}
            for t in range(1, 8) for c in range(3 + t % 4 * 2)]
    prevalence = pd.DataFrame(rows)
    links = pd.DataFrame({"code_a": ["c1_0", "c1_1"], "code_b": ["c1_2", "c7_0"], "jaccard": [0.4, 0.2],
                          "segments_both": [3, 2]})
    fig = figures.thematic_map(prevalence, links, themes)
    boxes = _label_boxes(fig)
    assert len(boxes) == len(prevalence)
    meet = [(a[4], b[4]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]
    assert meet == []
    assert all(0 <= box[0] and box[2] <= 1100 - 110 for box in boxes)  # nothing cut at the edges
