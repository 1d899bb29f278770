"""Plotly figure builders: DataFrame in, Figure out, nothing displayed or written."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from thematic.settings import arrange

TEMPLATE = "plotly_white"

#: Plain words for the columns the figure builders draw (axis titles, legends, hover labels):
#: a reader sees these, never a column name.
WORDS = {
    "interview_id": "interview", "words": "words (all speakers)", "group": "stakeholder group",
    "label": "participant", "wave": "wave", "turns": "turns", "participant_share": "participant's share of words",
    "duration_min": "interview length (minutes)", "per_1000_words": "uses per 1,000 participant words",
    "term": "term", "z": "distinctiveness (log-odds z-score)", "count": "uses in the group",
    "count_rest": "uses in the other groups", "log_odds": "log-odds", "code": "code", "f1": "F1",
    "precision": "precision", "recall": "recall", "support": "coded segments", "suggested": "suggested segments",
    "interviews": "interviews", "kappa": "Cohen's kappa", "pair": "compared", "type": "identifier type",
    "detector": "found by", "identifiers": "identifiers found", "trained_on": "coded segments learnt from",
    "value": "score", "measure": "measure", "requested": "segments requested", "macro_f1": "macro F1",
    "micro_f1": "micro F1", "recall_at_3": "recall at 3", "precision_at_3": "precision at 3",
    "kappa_model_vs_coder": "model vs coder", "kappa_coder_vs_coder": "coder vs coder",
    "cohen_kappa": "Cohen's kappa", "gwet_ac1": "Gwet's AC1", "krippendorff_alpha": "Krippendorff's alpha",
    "percent_agreement": "percent agreement", "fleiss_kappa": "Fleiss' kappa",
    "segments": "coded segments", "kind": "kind", "theme_name": "theme",
}


def words(column: str) -> str:
    """The plain words for *column* (its name with spaces for underscores when not in :data:`WORDS`)."""
    return WORDS.get(column, column.replace("_", " "))


def _labels(*columns: str) -> dict[str, str]:
    return {c: words(c) for c in columns}


def _facet_titles(fig: go.Figure, column: str, label: str) -> go.Figure:
    """Facet titles as the value alone (plotly writes ``label=value``)."""
    prefix = f"{label}="
    return fig.for_each_annotation(lambda a: a.update(text=a.text[len(prefix):])
                                   if a.text.startswith(prefix) else None)


def wrap_label(text: str, width: int = 18) -> str:
    """*text* broken into lines of about *width* characters at spaces (``<br>`` between them),
    for labels drawn inside a figure."""
    return "<br>".join(_wrap(text, width))


@dataclass(frozen=True)
class Groups:
    """How a study's stakeholder groups are drawn: their order and colours (from its settings).

    Build it with :meth:`of` from a :class:`~thematic.dataset.Dataset`; the default draws
    groups in order of name with plotly's colours.
    """

    order: tuple[str, ...] = ()
    colours: Mapping[str, str] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, dataset) -> Groups:
        """The groups of *dataset*, in its study's order, colours and plural names."""
        settings = dataset.settings
        return cls(order=tuple(dataset.groups), colours=settings.colours(dataset.groups),
                   names={g: display_name(settings.plural(g)) for g in dataset.groups})

    def arrange(self, present: Iterable[str]) -> list[str]:
        """*present* groups in the study's order, unknown ones after them by name."""
        return arrange(present, order=self.order)

    def name(self, group: str) -> str:
        """What a reader sees for *group* (its id when the study names it nothing)."""
        return self.names.get(group, group)

    def named(self, frame: pd.DataFrame, column: str = "group") -> pd.DataFrame:
        """*frame* with the groups of *column* replaced by their names."""
        return frame.assign(**{column: frame[column].map(lambda g: self.name(str(g)))})

    def express(self, frame: pd.DataFrame, column: str = "group") -> dict:
        """plotly express keywords for a frame of group ids: the named groups' order and colours
        (draw ``self.named(frame)``)."""
        return {"category_orders": {column: [self.name(g) for g in self.arrange(frame[column])]},
                "color_discrete_map": {self.name(g): c for g, c in self.colours.items()}}


def display_name(plural: str) -> str:
    """A group's plural as a legend shows it: without a leading article ("the service team" ->
    "service team")."""
    return re.sub(r"^(the|a|an)\s+", "", plural.strip(), flags=re.IGNORECASE) or plural


def _groups(groups: Groups | None) -> Groups:
    return groups or Groups()


def words_per_interview(summary: pd.DataFrame, *, groups: Groups | None = None) -> go.Figure:
    """Bar chart of words per interview, coloured by group."""
    hover = [c for c in ("label", "wave", "turns", "participant_share") if c in summary.columns]
    fig = px.bar(_groups(groups).named(summary), x="interview_id", y="words", color="group",
                 **_groups(groups).express(summary), template=TEMPLATE, hover_data=hover,
                 labels=_labels("interview_id", "words", "group", *hover), title="Words per interview")
    return fig.update_layout(xaxis_title="interview", yaxis_title="words (all speakers)")


def duration_by_group(interviews: pd.DataFrame, *, groups: Groups | None = None) -> go.Figure:
    """Strip-and-box plot of interview durations per group."""
    fig = px.box(_groups(groups).named(interviews), x="group", y="duration_min", points="all", template=TEMPLATE,
                 color="group",
                 **_groups(groups).express(interviews), hover_data=["interview_id"],
                 labels=_labels("group", "duration_min", "interview_id"),
                 title="Interview duration by stakeholder group")
    return fig.update_layout(xaxis_title="stakeholder group", yaxis_title="interview length (minutes)")


def terms_by_group(terms: pd.DataFrame, *, groups: Groups | None = None) -> go.Figure:
    """Horizontal bars of the most frequent terms, one panel per group."""
    fig = px.bar(_groups(groups).named(terms), x="per_1000_words", y="term", facet_col="group", orientation="h",
                 color="group",
                 **_groups(groups).express(terms), template=TEMPLATE,
                 labels=_labels("per_1000_words", "term", "group"),
                 title="Frequent terms per stakeholder group (per 1,000 participant words)")
    fig.update_yaxes(matches=None, showticklabels=True, autorange="reversed", title=None)
    fig.update_yaxes(title="term", col=1)
    fig.update_xaxes(title="per 1,000 words")
    _facet_titles(fig, "group", words("group"))
    return fig.update_layout(height=520)


def metric_by_code(table: pd.DataFrame, *, metric: str, title: str, metric_label: str | None = None) -> go.Figure:
    """One horizontal bar per code for a metric column (F1, kappa...), codes top to bottom in
    the table's order; *metric_label* titles the axis (plain words for *metric* by default)."""
    hover = [c for c in table.columns if c not in ("code", metric)][:6]
    fig = px.bar(table, x=metric, y="code", orientation="h", template=TEMPLATE, title=title, hover_data=hover,
                 labels=_labels("code", metric, *hover) | ({metric: metric_label} if metric_label else {}))
    fig.update_yaxes(autorange="reversed", title="code", automargin=True)
    return fig.update_layout(xaxis_title=metric_label or words(metric), height=max(360, 20 * len(table) + 140))


def theme_sunburst(prevalence: pd.DataFrame, themes: dict[str, str]) -> go.Figure:
    """Themes and their codes, sized by the number of coded segments."""
    frame = prevalence.assign(theme_name=prevalence["theme"].map(lambda t: wrap_label(str(themes[t]), 16)),
                              label=prevalence["label"].map(lambda t: wrap_label(str(t), 14)))
    frame = frame[frame["segments"] > 0]
    fig = px.sunburst(frame, path=["theme_name", "label"], values="segments", color="kind",
                      labels=_labels("theme_name", "label", "segments", "kind") | {"label": "code"},
                      template=TEMPLATE, title="Themes and codes by coded segments")
    fig.update_traces(insidetextorientation="horizontal")
    return fig.update_layout(height=720, uniformtext={"minsize": 10, "mode": "hide"}, legend_title_text="kind")


def theme_group_heatmap(matrix: pd.DataFrame, themes: dict[str, str], *,
                        groups: Groups | None = None) -> go.Figure:
    """Share of each group's participants whose interviews carry each theme."""
    grid = matrix.pivot(index="theme", columns="group", values="share")
    grid = grid.reindex(columns=_groups(groups).arrange(grid.columns))
    labels = [f"{t}: {themes[t]}" for t in grid.index]
    fig = px.imshow(grid.to_numpy(), x=[_groups(groups).name(g) for g in grid.columns], y=labels, zmin=0, zmax=1,
                    color_continuous_scale="Blues", text_auto=".0%", aspect="auto", template=TEMPLATE,
                    labels={"x": "stakeholder group", "y": "theme", "color": "share of participants"},
                    title="Share of participants in each group whose interviews carry each theme")
    return fig.update_layout(height=420, coloraxis_colorbar_title="share of participants",
                             xaxis_title="stakeholder group", yaxis_title="theme")


KIND_COLOURS = {"activity": "#4C78A8", "barrier": "#E45756", "facilitator": "#54A24B"}


def thematic_map(prevalence: pd.DataFrame, cooccurrence: pd.DataFrame, themes: dict[str, str], *,
                 min_jaccard: float = 0.15) -> go.Figure:
    """Network of themes and their codes, with codes that share segments linked.

    Themes stand in two columns in the middle, each with its codes listed beside it on the
outer side, their labels pointing outwards, so that no two labels meet (a fixed layout: the
same data always draws the same map). Code markers are sized by coded segments and coloured
by kind; grey lines join a theme to its codes; a code-code line (width by Jaccard) joins
codes whose segment sets have Jaccard similarity of at least *min_jaccard*.
    """
    theme_ids = list(themes)
    counts = [int((prevalence["theme"] == theme).sum()) for theme in theme_ids]
    half, running, split = sum(counts) / 2, 0, len(theme_ids)
    for t, count in enumerate(counts):  # the first themes on the left, until it holds half the codes
        if running >= half:
            split = t
            break
        running += count
    position, sides, depth = {}, {}, {}
    for t, theme in enumerate(theme_ids):
        side = -1 if t < split else 1
        slot = depth.get(side, 0.0)
        codes = list(prevalence.loc[prevalence["theme"] == theme, "code"])
        for c, code in enumerate(codes):
            position[code] = (side * _MAP_CODE_X, -(slot + c))
            sides[code] = "middle left" if side < 0 else "middle right"
        position[theme] = (side * _MAP_THEME_X, -(slot + (max(len(codes), 1) - 1) / 2))
        depth[side] = slot + max(len(codes), 1) + _MAP_THEME_GAP
    rows = max(depth.values(), default=1.0) - _MAP_THEME_GAP
    fig = go.Figure()
    links = cooccurrence[cooccurrence["jaccard"] >= min_jaccard]
    for link in links.itertuples(index=False):
        xs, ys = _arc(position[link.code_a], position[link.code_b])
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", showlegend=False, hoverinfo="text",
            text=f"{link.code_a} + {link.code_b}: {link.segments_both} shared segments, Jaccard {link.jaccard:.2f}",
            line={"width": 1 + 12 * link.jaccard, "color": "rgba(120,120,160,0.45)"}))
    edge_x, edge_y = [], []
    for code in prevalence.itertuples(index=False):
        (x0, y0), (x1, y1) = position[code.theme], position[code.code]
        edge_x += [x0, x1, None]
        edge_y += [y0, y1, None]
    fig.add_trace(go.Scatter(x=edge_x, y=edge_y, mode="lines", hoverinfo="skip", showlegend=False,
                             line={"width": 1, "color": "#bbbbbb"}))
    for kind, colour in KIND_COLOURS.items():
        mine = prevalence[prevalence["kind"] == kind]
        fig.add_trace(go.Scatter(
            x=[position[c][0] for c in mine["code"]], y=[position[c][1] for c in mine["code"]],
            mode="markers+text", name=kind, textposition=[sides[c] for c in mine["code"]],
            textfont={"size": 11, "color": "#333333"},
            texttemplate=[wrap_label(str(label), 34) for label in mine["label"]],
            marker={"color": colour, "size": 8 + 0.5 * mine["segments"].clip(upper=40),
                    "line": {"width": 1, "color": "white"}},
            text=[f"{r.label} ({r.code})<br>{kind}, {r.segments} segments, {r.participants} participants"
                  for r in mine.itertuples(index=False)], hoverinfo="text"))
    fig.add_trace(go.Scatter(
        x=[position[t][0] for t in theme_ids], y=[position[t][1] for t in theme_ids],
        mode="markers+text", name="theme", text=[f"<b>{t}</b>" for t in theme_ids], textposition="middle center",
        hovertext=[f"{t}: {themes[t]}" for t in theme_ids], hoverinfo="text",
        marker={"size": 34, "color": "#f2f2f2", "line": {"width": 2, "color": "#555555"}}))
    fig.update_xaxes(visible=False, range=[-_MAP_WIDTH, _MAP_WIDTH])
    fig.update_yaxes(visible=False, range=[-rows - 0.2, 1.2])
    return fig.update_layout(template=TEMPLATE, height=int(_MAP_ROW_PX * (rows + 1.4)) + 70,
                             title="Thematic map: themes, codes and shared segments",
                             legend_title_text="node", margin={"l": 10, "r": 10, "t": 60, "b": 10})


def _shorten(text: str, width: int) -> str:
    """*text* cut at a word boundary to at most *width* characters, with an ellipsis if cut."""
    return text if len(text) <= width else textwrap.shorten(text, width=width, placeholder=" …")


def _arc(start: tuple[float, float], end: tuple[float, float], *, points: int = 24) -> tuple[list, list]:
    """A quadratic curve from *start* to *end* bowed towards the middle of the map, so that links
    between codes of one column do not run along the column."""
    (x0, y0), (x1, y1) = start, end
    mid_x = (x0 + x1) / 2
    if x0 * x1 > 0:  # same column: bow inwards, further for codes further apart
        mid_x -= (1 if x0 > 0 else -1) * min(0.35 + 0.22 * abs(y1 - y0), _MAP_CODE_X - 0.3)
    control = (mid_x, (y0 + y1) / 2)
    steps = [i / (points - 1) for i in range(points)]
    xs = [(1 - t) ** 2 * x0 + 2 * (1 - t) * t * control[0] + t ** 2 * x1 for t in steps]
    ys = [(1 - t) ** 2 * y0 + 2 * (1 - t) * t * control[1] + t ** 2 * y1 for t in steps]
    return xs, ys


#: The thematic map's layout, in data units: x of theme and code columns, half the width, the
#: gap between two themes in a column (in code rows) and the height of a code row in pixels.
_MAP_THEME_X, _MAP_CODE_X, _MAP_WIDTH, _MAP_THEME_GAP, _MAP_ROW_PX = 1.0, 2.6, 9.0, 0.8, 30


def theme_kind_sunburst(prevalence: pd.DataFrame, themes: dict[str, str]) -> go.Figure:
    """Theme -> activity / barrier / facilitator -> code, sized by coded segments."""
    frame = prevalence.assign(
        theme_name=prevalence["theme"].map(lambda t: wrap_label(_shorten(f"{t}: {themes[t]}", 48), 18)),
        label=prevalence["label"].map(lambda t: wrap_label(str(t), 22)))
    frame = frame[frame["segments"] > 0]
    fig = px.sunburst(frame, path=["theme_name", "kind", "label"], values="segments", color="kind",
                      color_discrete_map={"(?)": "#dddddd", **KIND_COLOURS}, template=TEMPLATE, maxdepth=2,
                      labels=_labels("theme_name", "kind", "segments") | {"label": "code"},
                      title="Themes and the barrier / facilitator dimension by coded segments (click a theme for its codes)")
    fig.update_traces(insidetextorientation="radial")
    return fig.update_layout(height=760, uniformtext={"minsize": 9, "mode": "hide"})


def cooccurrence_heatmap(cooccurrence: pd.DataFrame, codes: list[str]) -> go.Figure:
    """Jaccard similarity of every pair of codes (same segment), codes in codebook order."""
    grid = pd.DataFrame(0.0, index=codes, columns=codes)
    for pair in cooccurrence.itertuples(index=False):
        grid.loc[pair.code_a, pair.code_b] = grid.loc[pair.code_b, pair.code_a] = pair.jaccard
    fig = px.imshow(grid.to_numpy(), x=codes, y=codes, zmin=0, color_continuous_scale="Purples",
                    labels={"x": "code", "y": "code", "color": "Jaccard similarity"},
                    aspect="auto", template=TEMPLATE, title="Code co-occurrence in the same segment (Jaccard)")
    fig.update_xaxes(tickangle=-90, tickfont={"size": 10}, title="code")
    fig.update_yaxes(tickfont={"size": 10}, title="code")
    return fig.update_layout(height=max(500, 18 * len(codes) + 260), coloraxis_colorbar_title="Jaccard similarity")


def agreement_intervals(table: pd.DataFrame, *, statistics: tuple[str, ...] = ("cohen_kappa", "gwet_ac1")) -> go.Figure:
    """Per code, each statistic with its bootstrap interval (pooled row last)."""
    fig = go.Figure()
    for name in statistics:
        fig.add_trace(go.Scatter(
            x=table[name], y=table["code"], mode="markers", name=words(name),
            error_x={"type": "data", "symmetric": False, "array": table[f"{name}_high"] - table[name],
                     "arrayminus": table[name] - table[f"{name}_low"]},
            customdata=table[["units", "prevalence"]].to_numpy(),
            hovertemplate="%{y}: %{x:.3f}<br>units %{customdata[0]}, prevalence %{customdata[1]:.3f}"))
    fig.update_yaxes(autorange="reversed", title="code")
    unit = table["unit"].iloc[0] if len(table) else ""
    return fig.update_layout(template=TEMPLATE, height=max(420, 22 * len(table)),
                             xaxis_title="agreement (95% interval)", legend_title_text="statistic",
                             title=f"Agreement per code with 95% bootstrap intervals (unit: {unit})")
CONVERGENCE_COLOURS = {"agreement": "#1a7f37", "partial agreement": "#9fd89f", "silence": "#f2cc60",
                       "dissonance": "#cf222e", "absent in both": "#d0d7de", "out of scope": "#ffffff",
                       "single group": "#ffffff"}


def salience_heatmap(matrix: pd.DataFrame, themes: dict[str, str], *,
                     value: str = "talk_share_mean", groups: Groups | None = None) -> go.Figure:
    """Theme x group heatmap of coded share of participants' talk; cells say n/N participants.

    Cells outside a theme's scope are left empty.
    """
    frame = matrix.assign(shown=matrix[value].where(matrix["in_scope"]))
    grid = frame.pivot(index="theme", columns="group", values="shown")
    drawn = _groups(groups)
    groups = drawn.arrange(grid.columns)
    grid = grid.reindex(index=list(themes), columns=groups)
    people = frame.assign(text=lambda f: [
        f"{v:.1%}<br>{a}/{b} people" if s else "out of scope" for v, a, b, s in
        zip(f[value], f["participants_with_theme"], f["participants_in_group"], f["in_scope"], strict=True)])
    text = people.pivot(index="theme", columns="group", values="text").reindex(index=list(themes), columns=groups)
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=[drawn.name(g) for g in groups],
                               y=[f"{t}: {themes[t]}" for t in grid.index],
                               text=text.to_numpy(), texttemplate="%{text}", colorscale="Blues", zmin=0,
                               hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
                               colorbar={"title": "share of talk", "tickformat": ".0%"}))
    return fig.update_layout(template=TEMPLATE, height=460, yaxis={"autorange": "reversed", "title": "theme"},
                             xaxis_title="stakeholder group",
                             title="Coded share of each group's talk per theme (mean over participants)")


def convergence_matrix(pairs: pd.DataFrame, themes: dict[str, str], *, groups: Groups | None = None) -> go.Figure:
    """Theme x pair-of-groups grid of convergence codes; hovering shows the evidence."""
    codes = list(CONVERGENCE_COLOURS)
    frame = pairs[pairs["convergence"] != "out of scope"]
    columns = list(dict.fromkeys(frame["pair"]))
    rows = [t for t in themes if t in set(frame["theme"])]
    lookup = frame.set_index(["theme", "pair"])
    z = [[codes.index(lookup.loc[(t, p), "convergence"]) if (t, p) in lookup.index else None
          for p in columns] for t in rows]
    text = [[lookup.loc[(t, p), "convergence"] if (t, p) in lookup.index else "" for p in columns] for t in rows]
    hover = [["<br>".join(_wrap(lookup.loc[(t, p), "evidence"])) if (t, p) in lookup.index else ""
              for p in columns] for t in rows]
    n = len(codes)
    scale = []
    for i, code in enumerate(codes):
        scale += [[i / n, CONVERGENCE_COLOURS[code]], [(i + 1) / n, CONVERGENCE_COLOURS[code]]]
    pair_names = {p: f"{_groups(groups).name(a)} / {_groups(groups).name(b)}"
                  for p, a, b in zip(frame["pair"], frame["group_a"], frame["group_b"], strict=True)}
    fig = go.Figure(go.Heatmap(z=z, x=[pair_names[p] for p in columns], y=[f"{t}: {themes[t]}" for t in rows],
                               text=text,
                               customdata=hover, texttemplate="%{text}", zmin=-0.5, zmax=n - 0.5,
                               colorscale=scale, showscale=False, xgap=2, ygap=2,
                               hovertemplate="%{y}<br>%{x}<br>%{customdata}<extra></extra>"))
    return fig.update_layout(template=TEMPLATE, height=140 + 60 * len(rows), yaxis={"autorange": "reversed", "title": "theme"},
                             xaxis_title="pair of stakeholder groups",
                             title="Convergence of each theme between pairs of stakeholder groups")


def wave_change_chart(waves: pd.DataFrame, *, group_label: str) -> go.Figure:
    """Dumbbell chart: each theme's share of talk in the first and the last wave."""
    fig = go.Figure()
    labels = [f"{t}: {n}" for t, n in zip(waves["theme"], waves["name"], strict=True)]
    for x0, x1, y in zip(waves["talk_share_first"], waves["talk_share_last"], labels, strict=True):
        fig.add_trace(go.Scatter(x=[x0, x1], y=[y, y], mode="lines", line={"color": "#8c959f"},
                                 showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=waves["talk_share_first"], y=labels, mode="markers", name="first wave",
                             marker={"size": 11, "color": "#8c959f"}))
    fig.add_trace(go.Scatter(x=waves["talk_share_last"], y=labels, mode="markers", name="last wave",
                             marker={"size": 11, "color": "#0969da"}))
    return fig.update_layout(template=TEMPLATE, height=420, yaxis={"autorange": "reversed", "title": "theme"},
                             xaxis={"tickformat": ".0%", "title": "coded share of talk (mean over participants)"},
                             title=f"The {group_label} over time: share of talk per theme, wave 1 and wave 2")


def _wrap(text: str, width: int = 90) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line]
def distinctive_terms(table: pd.DataFrame, *, by: str = "group", title: str | None = None,
                      groups: Groups | None = None) -> go.Figure:
    """Horizontal bars of the log-odds z-score of each group's most distinctive terms.

    *table* is :func:`thematic.vocabulary.distinctive_terms` output; bars are ordered by rank
    within each panel, and the hover shows the counts behind each z-score.
    """
    frame = table.rename(columns={by: "group"}) if by != "group" else table
    hover = [c for c in ("count", "count_rest", "log_odds") if c in frame.columns]
    fig = px.bar(_groups(groups).named(frame), x="z", y="term", facet_col="group", orientation="h", template=TEMPLATE,
                 color="group",
                 **_groups(groups).express(frame), hover_data=hover, labels=_labels("z", "term", "group", *hover),
                 title=title or "Distinctive terms per stakeholder group (weighted log-odds z-score vs the rest)")
    fig.update_yaxes(matches=None, showticklabels=True, autorange="reversed", title=None)
    fig.update_yaxes(title="term", col=1)
    fig.update_xaxes(title="log-odds z-score")
    _facet_titles(fig, "group", words("group"))
    return fig.update_layout(height=max(360, 26 * frame.groupby("group").size().max() + 120))


def term_group_heatmap(rates: pd.DataFrame, *, title: str | None = None,
                       groups: Groups | None = None) -> go.Figure:
    """Terms (rows) x groups (columns): uses per 1,000 words spoken by the group.

    *rates* is :func:`thematic.vocabulary.term_rates` output.
    """
    columns = _groups(groups).arrange(rates.columns)
    grid = rates[columns]
    fig = px.imshow(grid.to_numpy(), x=[_groups(groups).name(g) for g in columns], y=list(grid.index),
                    color_continuous_scale="Blues",
                    text_auto=".1f", aspect="auto", template=TEMPLATE,
                    labels={"x": "stakeholder group", "y": "term", "color": "uses per 1,000 words"},
                    title=title or "Uses per 1,000 participant words, by stakeholder group")
    return fig.update_layout(height=max(360, 22 * len(grid) + 140), coloraxis_colorbar_title="uses per 1,000 words",
                             xaxis_title="stakeholder group", yaxis_title="term")


def talk_share(summary: pd.DataFrame, *, groups: Groups | None = None) -> go.Figure:
    """The participant's share of the words in each interview, coloured by group.

    *summary* is :func:`thematic.familiarise.interview_summary` output; a dashed line marks
    the corpus median, so interviews where the interviewer spoke unusually much stand out.
    """
    drawn = _groups(groups)
    order = drawn.arrange(summary["group"])
    frame = summary.assign(_rank=summary["group"].map(order.index)).sort_values(["_rank", "interview_id"])
    fig = px.bar(drawn.named(frame), x="interview_id", y="participant_share", color="group", template=TEMPLATE,
                 category_orders={"group": [drawn.name(g) for g in order],
                                  "interview_id": list(frame["interview_id"])},
                 color_discrete_map={drawn.name(g): c for g, c in drawn.colours.items()},
                 hover_data=[c for c in ("label", "wave", "words", "turns") if c in frame.columns],
                 labels=_labels("interview_id", "participant_share", "group", "label", "wave", "words", "turns"),
                 title="Participant's share of the words spoken, per interview")
    median = float(frame["participant_share"].median())
    fig.add_hline(y=median, line_dash="dash", line_color="grey",
                  annotation_text=f"median {median:.0%}", annotation_position="top left")
    fig.update_yaxes(range=[0, 1], tickformat=".0%", title="participant share of words")
    return fig.update_layout(xaxis_title="interview", xaxis_tickangle=-45)


def identifiers_by_type(summary: pd.DataFrame) -> go.Figure:
    """Identifiers found per type, stacked by the detector that found them (no text)."""
    fig = px.bar(summary, x="type", y="identifiers", color="detector", template=TEMPLATE,
                 labels=_labels("type", "identifiers", "detector", "interviews"),
                 title="Identifiers found in the raw transcripts, by type and detector")
    return fig.update_layout(xaxis_title="identifier type", yaxis_title="identifiers found", barmode="stack")


def suggestion_learning_curve(curve: pd.DataFrame, *, title: str = "Learning curve of code suggestions") -> go.Figure:
    """Macro-F1, micro-F1 and recall@3 against the number of coded segments learnt from."""
    metrics = [m for m in ("macro_f1", "micro_f1", "recall_at_3", "precision_at_3") if m in curve.columns]
    frame = curve if "requested" in curve.columns else curve.assign(requested=curve["trained_on"])
    long = frame.melt(id_vars=["trained_on", "requested"], value_vars=metrics, var_name="measure", value_name="value")
    long["measure"] = long["measure"].map(words)
    fig = px.line(long, x="trained_on", y="value", color="measure", markers=True, template=TEMPLATE, title=title,
                  hover_data=["requested"], labels=_labels("trained_on", "value", "measure", "requested"))
    capped = frame[frame["requested"] > frame["trained_on"]]
    for row in capped.itertuples(index=False):
        fig.add_annotation(x=row.trained_on, y=1, yanchor="top", xanchor="right", showarrow=False, font={"size": 11},
                           text=f"requested {row.requested:,}<br>learnt from {row.trained_on:,.0f}<br>(all a fold holds)")
    if len(capped):
        fig.add_vline(x=float(capped["trained_on"].max()), line_dash="dot", line_color="grey")
    return fig.update_layout(xaxis_title="coded segments learnt from (mean per fold)", yaxis_title="score",
                             yaxis_range=[0, 1])


def kappa_model_vs_coder(table: pd.DataFrame, *, title: str = "Cohen's kappa per code") -> go.Figure:
    """Per code, kappa of model vs coder next to coder vs coder on the same segments, with
    their 95% intervals where the table has them (``kappa_low``/``kappa_high`` and
    ``coder_kappa_low``/``coder_kappa_high``, from :func:`thematic.suggest.reliability_by_code`)."""
    bounds = {"kappa_model_vs_coder": ("kappa_low", "kappa_high"),
              "kappa_coder_vs_coder": ("coder_kappa_low", "coder_kappa_high")}
    parts = []
    for column, (low, high) in bounds.items():
        if column not in table.columns:
            continue
        part = pd.DataFrame({"code": table["code"], "pair": words(column), "kappa": table[column]})
        if low in table.columns and high in table.columns:
            part["above"] = table[high] - table[column]
            part["below"] = table[column] - table[low]
        parts.append(part)
    long = pd.concat(parts, ignore_index=True)
    intervals = {"error_x": "above", "error_x_minus": "below"} if "above" in long.columns else {}
    fig = px.bar(long, x="kappa", y="code", color="pair", barmode="group", orientation="h", template=TEMPLATE,
                 title=title, labels=_labels("code", "kappa", "pair"), **intervals)
    fig.update_yaxes(autorange="reversed", title="code", automargin=True)
    return fig.update_layout(xaxis_title="Cohen's kappa (95% interval)", xaxis_range=[-0.4, 1],
                             legend_title_text="compared", height=max(400, 30 * len(table) + 160))
