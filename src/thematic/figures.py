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


def identifiers_by_type(summary: pd.DataFrame) -> go.Figure:
    """Identifiers found per type, stacked by the detector that found them (no text)."""
    fig = px.bar(summary, x="type", y="identifiers", color="detector", template=TEMPLATE,
                 title="Identifiers found in the raw transcripts, by type and detector")
    return fig.update_layout(xaxis_title=None, yaxis_title="identifiers", barmode="stack")
