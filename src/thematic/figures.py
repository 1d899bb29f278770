"""Plotly figure builders: DataFrame in, Figure out, nothing displayed or written."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

GROUP_ORDER = ["parent", "service_team", "referrer", "commissioner"]
TEMPLATE = "plotly_white"


def _groups(frame: pd.DataFrame) -> list[str]:
    present = list(dict.fromkeys(frame["group"]))
    return [g for g in GROUP_ORDER if g in present] + sorted(g for g in present if g not in GROUP_ORDER)


def words_per_interview(summary: pd.DataFrame) -> go.Figure:
    """Bar chart of words per interview, coloured by group."""
    fig = px.bar(summary, x="interview_id", y="words", color="group",
                 category_orders={"group": _groups(summary)}, template=TEMPLATE,
                 hover_data=["label", "wave", "turns", "participant_share"],
                 title="Words per interview")
    return fig.update_layout(xaxis_title=None, yaxis_title="words (all speakers)")


def duration_by_group(interviews: pd.DataFrame) -> go.Figure:
    """Strip-and-box plot of interview durations per group."""
    fig = px.box(interviews, x="group", y="duration_min", points="all", template=TEMPLATE,
                 category_orders={"group": _groups(interviews)}, hover_data=["interview_id"],
                 title="Interview duration by stakeholder group")
    return fig.update_layout(xaxis_title=None, yaxis_title="minutes")


def terms_by_group(terms: pd.DataFrame) -> go.Figure:
    """Horizontal bars of the most frequent terms, one panel per group."""
    fig = px.bar(terms, x="per_1000_words", y="term", facet_col="group", orientation="h",
                 category_orders={"group": _groups(terms)}, template=TEMPLATE,
                 title="Frequent terms per stakeholder group (per 1,000 participant words)")
    fig.update_yaxes(matches=None, showticklabels=True, autorange="reversed", title=None)
    return fig.update_layout(height=520)


def metric_by_code(table: pd.DataFrame, *, metric: str, title: str) -> go.Figure:
    """One bar per code for a metric column (F1, kappa...)."""
    fig = px.bar(table, x="code", y=metric, template=TEMPLATE, title=title,
                 hover_data=[c for c in table.columns if c not in ("code", metric)][:6])
    return fig.update_layout(xaxis_title=None, xaxis_tickangle=-45)


def theme_sunburst(prevalence: pd.DataFrame, themes: dict[str, str]) -> go.Figure:
    """Themes and their codes, sized by the number of coded segments."""
    frame = prevalence.assign(theme_name=prevalence["theme"].map(themes))
    frame = frame[frame["segments"] > 0]
    fig = px.sunburst(frame, path=["theme_name", "label"], values="segments", color="kind",
                      template=TEMPLATE, title="Themes and codes by coded segments")
    return fig.update_layout(height=600)


def theme_group_heatmap(matrix: pd.DataFrame, themes: dict[str, str]) -> go.Figure:
    """Share of each group's participants whose interviews carry each theme."""
    grid = matrix.pivot(index="theme", columns="group", values="share")
    grid = grid.reindex(columns=[g for g in GROUP_ORDER if g in grid.columns])
    labels = [f"{t}: {themes[t]}" for t in grid.index]
    fig = px.imshow(grid.to_numpy(), x=list(grid.columns), y=labels, zmin=0, zmax=1,
                    color_continuous_scale="Blues", text_auto=".0%", aspect="auto", template=TEMPLATE,
                    title="Share of participants in each group whose interviews carry each theme")
    return fig.update_layout(height=420, coloraxis_colorbar_title="share")


def suggestion_learning_curve(curve: pd.DataFrame, *, title: str = "Learning curve of code suggestions") -> go.Figure:
    """Macro-F1, micro-F1 and recall@3 against the number of coded segments learnt from."""
    metrics = [m for m in ("macro_f1", "micro_f1", "recall_at_3", "precision_at_3") if m in curve.columns]
    long = curve.melt(id_vars=["trained_on"], value_vars=metrics, var_name="measure", value_name="value")
    fig = px.line(long, x="trained_on", y="value", color="measure", markers=True, template=TEMPLATE, title=title)
    return fig.update_layout(xaxis_title="coded segments learnt from (mean per fold)", yaxis_range=[0, 1])


def kappa_model_vs_coder(table: pd.DataFrame, *, title: str = "Cohen's kappa per code") -> go.Figure:
    """Per code, kappa of model vs coder next to coder vs coder on the same segments."""
    columns = [c for c in ("kappa_model_vs_coder", "kappa_coder_vs_coder") if c in table.columns]
    long = table.melt(id_vars=["code"], value_vars=columns, var_name="pair", value_name="kappa")
    fig = px.bar(long, x="code", y="kappa", color="pair", barmode="group", template=TEMPLATE, title=title)
    return fig.update_layout(xaxis_title=None, xaxis_tickangle=-45, yaxis_range=[-0.2, 1])
