"""Charts of the coverage analysis: one function per chart, DataFrame (or dict) in, Figure out.

Every chart takes ``lang`` ('zh' default, 'en') for its title, axes and
hover text. Maps live in :mod:`reliefplan.views.maps`.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from reliefplan.core import labels
from reliefplan.models.continuity import REASON_LABELS, REASONS
from reliefplan.models.coverage import FUNNEL_RATES

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif"
STAGES = ("registered", "eligible", "planned", "visited", "reached")



def _style(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0.02), height=height, font=dict(family=FONT),
                      margin=dict(l=10, r=10, t=60, b=10), plot_bgcolor="white", paper_bgcolor="white")
    return fig


def funnel_chart(totals: dict, *, lang: str = "zh") -> go.Figure:
    """The whole funnel as a funnel chart; unsigned visits noted in the 'visited' stage's hover."""
    stages = [labels.label(s, lang) for s in STAGES]
    values = [int(totals.get(s, 0)) for s in STAGES]
    fig = go.Figure(go.Funnel(y=stages, x=values, texttemplate="%{x:,}<br>%{percentInitial:.1%}",
                              marker=dict(color=["#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c"]),
                              hovertemplate="%{y}: %{x:,}<extra></extra>"))
    unsigned = int(totals.get("visited_unsigned", 0))
    if unsigned:
        fig.add_annotation(text=f"{labels.label('visited_unsigned', lang)}: {unsigned:,}", xref="paper",
                           yref="paper", x=1, y=0, xanchor="right", yanchor="bottom", showarrow=False,
                           font=dict(size=12, color="#b15928"))
    return _style(fig, labels.label("chart_funnel", lang), height=380)


def coverage_by_area(funnel_df: pd.DataFrame, *, name_col: str = "county_name", lang: str = "zh") -> go.Figure:
    """Horizontal bars of coverage rate per area (lowest first), hover with the counts."""
    df = funnel_df.copy()
    df["_name"] = df[name_col].astype(str) if name_col in df else df.iloc[:, 0].astype(str)
    df = df.sort_values("coverage_rate", ascending=False, na_position="first")
    hover = ["eligible", "reached", "exclusion", "inclusion", "visited_unsigned"]
    fig = px.bar(df, x="coverage_rate", y="_name", orientation="h", color="coverage_rate",
                 color_continuous_scale="YlGn", range_color=(0, 1), range_x=(0, 1),
                 hover_data={c: ":," for c in hover if c in df} | {"_name": False, "coverage_rate": ":.1%"},
                 labels={c: labels.label(c, lang) for c in [*hover, "coverage_rate"]} | {"_name": ""})
    fig.update_layout(xaxis_tickformat=".0%", coloraxis_showscale=False)
    return _style(fig, labels.label("chart_coverage_area", lang), height=max(300, 28 * len(df) + 120))


def coverage_by_category(by_category: pd.DataFrame, *, lang: str = "zh") -> go.Figure:
    """Grouped bars per category: eligible, reached among them, exclusion and inclusion."""
    df = by_category.copy()
    df["_name"] = df["category_label"] if "category_label" in df else df["category"]
    cols = ["eligible", "eligible_reached", "exclusion", "inclusion"]
    long = df.melt(id_vars=["_name"], value_vars=cols, var_name="measure", value_name="people")
    long["measure"] = long["measure"].map(lambda c: labels.label(c, lang))
    fig = px.bar(long, x="_name", y="people", color="measure", barmode="group",
                 color_discrete_sequence=["#6baed6", "#31a354", "#de2d26", "#fd8d3c"],
                 labels={"_name": "", "people": labels.label("people", lang), "measure": ""})
    return _style(fig, labels.label("chart_coverage_category", lang))


def continuity_chart(reason_counts: pd.DataFrame, *, lang: str = "zh") -> go.Figure:
    """Bars of last year's reached people not reached this year, per reason (all reasons shown)."""
    idx = 0 if lang == "zh" else 1
    df = reason_counts.set_index("reason").reindex(list(REASONS)).fillna({"people": 0}).reset_index()
    df["label"] = [REASON_LABELS[r][idx] for r in df["reason"]]
    colours = {"moved": "#9e9ac8", "died": "#969696", "no_longer_eligible": "#74c476", "missed": "#de2d26",
               "unknown": "#fdae6b"}
    fig = go.Figure(go.Bar(x=df["label"], y=df["people"].astype(int), marker_color=[colours[r] for r in df["reason"]],
                           text=df["people"].astype(int), textposition="outside",
                           hovertemplate="%{x}: %{y:,}<extra></extra>"))
    fig.update_layout(yaxis_title=labels.label("people", lang))
    return _style(fig, labels.label("chart_continuity", lang))


def duplicates_chart(dups: pd.DataFrame, *, lang: str = "zh") -> go.Figure:
    """How many people are listed by 1, 2, 3 ... organizers (duplicates only) - a bar per count."""
    counts = dups["n_organizers"].clip(lower=1).value_counts().sort_index() if len(dups) else pd.Series(dtype=int)
    fig = go.Figure(go.Bar(x=[str(i) for i in counts.index], y=counts.to_numpy(), marker_color="#fd8d3c",
                           text=counts.to_numpy(), textposition="outside",
                           hovertemplate="%{x}: %{y:,}<extra></extra>"))
    fig.update_layout(xaxis_title=labels.label("organizer_count", lang), yaxis_title=labels.label("people", lang))
    return _style(fig, labels.label("chart_duplicates", lang))


def funnel_table(funnel_df: pd.DataFrame, *, name_col="county_name", lang: str = "zh",
                 total: dict | None = None) -> pd.DataFrame:
    """The funnel as a table to show: area name(s), counts, rates as percentages, zh/en headers.

    ``name_col``: one column or a list (e.g. ``["county_name", "township_name"]``).
    ``total``: :func:`reliefplan.models.coverage.totals` to append as a 合计 row.
    """

    cols = ["registered", "eligible", "planned", "visited", "reached", "visited_unsigned", "exclusion",
            "inclusion", "coverage_rate", "exclusion_rate", "inclusion_rate"]
    names = [name_col] if isinstance(name_col, str) else list(name_col)
    df = funnel_df[[*names, *cols]].copy()
    if total is not None:
        row = {**{n: "" for n in names}, names[0]: labels.label("total", lang), **{c: total.get(c) for c in cols}}
        df = pd.concat([df, pd.DataFrame([row])], ignore_index=True)
    for c in FUNNEL_RATES:
        df[c] = df[c].map(lambda v: "" if v is None or pd.isna(v) else f"{float(v):.1%}")
    for c in cols:
        if c not in FUNNEL_RATES:
            df[c] = df[c].fillna(0).astype(int)
    return labels.relabel(df, lang)
