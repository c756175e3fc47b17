"""Charts of the campaign timeline and the visit load (plotly, zh/en).

One function per chart; each takes the DataFrames from
:mod:`reliefplan.models.timeline` / :mod:`reliefplan.models.schedule` and returns a
``plotly.graph_objects.Figure``. Nothing is fetched: the figures carry no
map tiles or external assets.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from reliefplan.core import labels

HALF_DAY = pd.Timedelta(hours=12)
FESTIVAL_COLOR = "#c0392b"
DUE_COLOR = "#34495e"
SHORT_EN = {"xiaonian": "Little New Year", "xiaonian_south": "Little New Year (S)", "chuxi": "New Year's Eve",
            "chunjie": "Spring Festival", "yuanxiao": "Lantern Festival", "laba": "Laba"}
DATE_TICKS = {"zh": "%-m月%-d日<br>%Y", "en": "%b %-d<br>%Y"}


def _vline(fig: go.Figure, x, *, color: str, dash: str, width: float = 1.5) -> None:
    # add_shape, not add_vline(annotation_text=...): the latter fails on date axes in some plotly versions.
    fig.add_shape(type="line", x0=x, x1=x, xref="x", y0=0, y1=1, yref="paper",
                  line={"color": color, "dash": dash, "width": width}, layer="above")


def gantt_figure(phases: pd.DataFrame, deliverables: pd.DataFrame, festivals: pd.DataFrame,
                 lang: str = "zh", *, visit_window=None, title: str | None = None) -> go.Figure:
    """Gantt chart of the phases, with 小年/除夕/春节/元宵 and deliverable due dates marked.

    Bars run from the start of the first day to the end of the last day
    (dates are inclusive); markers and lines sit at midday of their date.
    A moved deadline shows a hollow marker at the date as written.
    """
    labels.check_lang(lang)
    name_col = "phase" if lang == "zh" else "phase_en"
    bars = phases.assign(
        _label=phases[name_col],
        _end=phases["end"] + pd.Timedelta(days=1),
        _start_text=phases["start"].dt.strftime("%Y-%m-%d") + " " + phases["start_lunar"],
        _end_text=phases["end"].dt.strftime("%Y-%m-%d") + " " + phases["end_lunar"],
    )
    fig = px.timeline(
        bars, x_start="start", x_end="_end", y="_label", color="_label",
        custom_data=["_start_text", "_end_text", "responsible", "tasks"],
    )
    fig.update_traces(hovertemplate=(
        "<b>%{y}</b><br>" + labels.label("start", lang) + ": %{customdata[0]}<br>"
        + labels.label("end", lang) + ": %{customdata[1]}<br>"
        + labels.label("responsible", lang) + ": %{customdata[2]}<br>"
        + labels.label("tasks", lang) + ": %{customdata[3]}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title=None, categoryorder="array", categoryarray=list(bars["_label"]))
    fig.update_xaxes(title=None, tickformat=DATE_TICKS[lang])

    if visit_window is not None:
        fig.add_vrect(x0=pd.Timestamp(visit_window[0]), x1=pd.Timestamp(visit_window[1]) + pd.Timedelta(days=1),
                      fillcolor="#f1c40f", opacity=0.12, line_width=0, layer="below")
        fig.add_annotation(x=pd.Timestamp(visit_window[0]), y=0, yref="paper", yanchor="top", xanchor="left",
                           text=labels.label("gantt_visits", lang), showarrow=False, font={"size": 10})

    fest = festivals.sort_values("date").reset_index(drop=True)
    for i, row in fest.iterrows():
        x = row["date"] + HALF_DAY
        _vline(fig, x, color=FESTIVAL_COLOR, dash="dash")
        # Neighbouring days (除夕, 春节) would print on top of each other: push them apart.
        near_next = i + 1 < len(fest) and (fest.loc[i + 1, "date"] - row["date"]).days <= 3
        near_prev = i > 0 and (row["date"] - fest.loc[i - 1, "date"]).days <= 3
        anchor = "right" if near_next else "left" if near_prev else "center"
        name = row["name_zh"] if lang == "zh" else SHORT_EN.get(row["key"], row["name_en"])
        fig.add_annotation(x=x, y=1, yref="paper", yanchor="bottom", xanchor=anchor, showarrow=False,
                           yshift=0 if i % 2 == 0 else 30, text=f"{name}<br>{row['date']:%m-%d}",
                           font={"color": FESTIVAL_COLOR, "size": 11})

    if not deliverables.empty:
        for due in deliverables["due"].drop_duplicates():
            _vline(fig, due + HALF_DAY, color=DUE_COLOR, dash="dot", width=1)
        dl_name = deliverables["phase"] if lang == "zh" else deliverables["phase_en"]
        note = deliverables["shift_note_zh" if lang == "zh" else "shift_note_en"]
        text = (deliverables["deliverable"] + " → " + deliverables["to"] + "<br>"
                + labels.label("due", lang) + ": " + deliverables["due"].dt.strftime("%Y-%m-%d")
                + " " + deliverables["due_lunar"] + "<br>" + note)
        fig.add_trace(go.Scatter(
            x=deliverables["due"] + HALF_DAY, y=dl_name, mode="markers", name=labels.label("gantt_due", lang),
            marker={"symbol": "diamond", "size": 11, "color": DUE_COLOR, "line": {"width": 1, "color": "white"}},
            hovertext=text, hoverinfo="text"))
        moved = deliverables[deliverables["shifted"]]
        if not moved.empty:
            fig.add_trace(go.Scatter(
                x=moved["due_written"] + HALF_DAY, y=(moved["phase"] if lang == "zh" else moved["phase_en"]),
                mode="markers", name=labels.label("gantt_due_written", lang),
                marker={"symbol": "diamond-open", "size": 11, "color": DUE_COLOR},
                hovertext=moved["deliverable"], hoverinfo="text"))

    year = festivals.loc[festivals["key"] == "chunjie", "date"]
    suffix = ""
    if len(year):
        cny = year.iloc[0]
        suffix = f"（{cny.year}年春节 {cny:%m-%d}）" if lang == "zh" else f" (Spring Festival {cny:%Y-%m-%d})"
    fig.update_layout(
        title=title or labels.label("gantt_title", lang) + suffix,
        legend_title_text="", showlegend=True, margin={"t": 120},
        height=max(320, 90 * len(bars) + 160),
    )
    return fig


def load_figure(load: pd.DataFrame, lang: str = "zh", *, title: str | None = None) -> go.Figure:
    """Visits per day stacked by team, with the day's total capacity as a line."""
    labels.check_lang(lang)
    title = title or labels.label("load_per_day_title", lang)
    if load.empty:
        return _empty(title, lang)
    df = load.rename(columns={"team": labels.label("team", lang), "visits": labels.label("visits", lang),
                              "date": labels.label("date", lang), "capacity": labels.label("capacity", lang)})
    fig = px.bar(df, x=labels.label("date", lang), y=labels.label("visits", lang), color=labels.label("team", lang),
                 hover_data=[labels.label("capacity", lang)], title=title, barmode="stack")
    total = load.groupby("date", as_index=False)["capacity"].sum()
    fig.add_trace(go.Scatter(x=total["date"], y=total["capacity"], mode="lines", line={"dash": "dot", "color": "#555"},
                             name=labels.label("total_capacity", lang), line_shape="hvh"))
    fig.update_xaxes(tickformat=DATE_TICKS[lang])
    fig.update_layout(bargap=0.15, legend_title_text="")
    return fig


def load_heatmap(load: pd.DataFrame, lang: str = "zh", *, title: str | None = None) -> go.Figure:
    """Team x day heat map of the share of visit slots used, with the number of visits in each cell."""
    labels.check_lang(lang)
    title = title or labels.label("load_heatmap_title", lang)
    if load.empty:
        return _empty(title, lang)
    order = list(dict.fromkeys(load["team"]))
    used = (load["visits"] / load["capacity"].where(load["capacity"] > 0)).fillna(0.0)
    share = load.assign(share=used).pivot(index="team", columns="date", values="share").reindex(order)
    visits = load.pivot(index="team", columns="date", values="visits").reindex(order)
    x = [d.strftime("%m-%d") for d in share.columns]
    fig = go.Figure(go.Heatmap(
        z=share.to_numpy(), x=x, y=order, text=visits.to_numpy(), texttemplate="%{text}",
        colorscale="YlOrRd", zmin=0, zmax=1, colorbar={"title": labels.label("used_share", lang), "tickformat": ".0%"},
        hovertemplate="%{y} %{x}<br>" + labels.label("visits", lang) + ": %{text}<br>"
        + labels.label("used_share", lang) + ": %{z:.0%}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(type="category")  # "01-12" must not be read as a date
    fig.update_layout(title=title, height=max(300, 45 * len(order) + 150))
    return fig


def _empty(title: str, lang: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=labels.label("no_visits", lang), showarrow=False, x=0.5, y=0.5,
                       xref="paper", yref="paper")
    fig.update_layout(title=title, xaxis={"visible": False}, yaxis={"visible": False})
    return fig
