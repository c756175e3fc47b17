"""Charts of past campaigns (plotly, zh/en): one function per chart.

Each takes a table from :mod:`reliefplan.models.campaigns`, :mod:`reliefplan.models.forecast`
or :mod:`reliefplan.models.per_head_ranges` and returns a ``plotly.graph_objects.Figure``
a planner can put on a slide. Amounts are computed in fen and shown in yuan;
the conversion to float happens here, for drawing only.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from reliefplan.core import labels
from reliefplan.core.money import yuan_for_plot
from reliefplan.views.chart_axes import money_axis


PALETTE = px.colors.qualitative.Safe


def _label(key: str, lang: str) -> str:
    """This chart module's label (core.label_table.TABLES['views.campaign_charts']), else the shared one."""
    return labels.column_label(key, lang, table="views.campaign_charts")




def _name(code, names: dict | None) -> str:
    return str((names or {}).get(code, code))


def trend_figure(by_year: pd.DataFrame, lang: str = "zh",
                 measures=("cash_fen", "goods_fen", "overhead_fen", "total_fen")) -> go.Figure:
    """Lines of cash, goods, overheads and total by year (yuan)."""
    labels.check_lang(lang)
    long = by_year.melt(id_vars=["year"], value_vars=list(measures), var_name="measure", value_name="fen")
    long["yuan"] = yuan_for_plot(long["fen"])
    long["series"] = long["measure"].map(lambda m: _label(m, lang))
    fig = px.line(long, x="year", y="yuan", color="series", markers=True,
                  color_discrete_sequence=PALETTE, title=_label("trend_title", lang),
                  labels={"year": _label("year_axis", lang), "yuan": _label("yuan", lang),
                          "series": _label("series", lang)})
    fig.update_traces(hovertemplate="%{x}: %{y:,.2f}")
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(rangemode="tozero")
    return money_axis(fig, lang=lang)


def counts_figure(by_year: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Lines of households and persons reached by year."""
    labels.check_lang(lang)
    long = by_year.melt(id_vars=["year"], value_vars=["households", "persons"], var_name="measure",
                        value_name="value")
    long["series"] = long["measure"].map(lambda m: _label(m, lang))
    fig = px.line(long, x="year", y="value", color="series", markers=True, color_discrete_sequence=PALETTE,
                  title=_label("counts_title", lang),
                  labels={"year": _label("year_axis", lang), "value": _label("count_value", lang),
                          "series": _label("series", lang)})
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(tickformat=",d", rangemode="tozero")
    return fig


def category_bars_figure(by_year_category: pd.DataFrame, lang: str = "zh", value: str = "total_fen",
                         names: dict | None = None) -> go.Figure:
    """Bars by year stacked by category: amount (``*_fen``, in yuan) or ``households``/``persons``.

    ``names`` maps category codes to labels (e.g. categories.category_labels()).
    """
    labels.check_lang(lang)
    df = by_year_category.copy()
    df["category_label"] = df["category"].map(lambda c: _name(c, names))
    money = value.endswith("_fen")
    df["value"] = yuan_for_plot(df[value]) if money else df[value]
    title = _label("category_title" if money else "category_households_title", lang)
    fig = px.bar(df, x="year", y="value", color="category_label", title=title,
                 color_discrete_sequence=px.colors.qualitative.Alphabet,
                 labels={"year": _label("year_axis", lang),
                         "value": _label("yuan" if money else value, lang),
                         "category_label": _label("category", lang)})
    fig.update_layout(barmode="stack")
    fig.update_traces(hovertemplate="%{fullData.name}<br>%{x}: %{y:,.2f}" if money
                      else "%{fullData.name}<br>%{x}: %{y:,d}")
    fig.update_xaxes(dtick=1)
    if money:
        return money_axis(fig, lang=lang)
    fig.update_yaxes(tickformat=",d")
    return fig


def funding_mix_figure(by_year_funding: pd.DataFrame, lang: str = "zh", percent: bool = True) -> go.Figure:
    """Bars by year stacked by funding source; as shares of each year's total when ``percent``."""
    labels.check_lang(lang)
    df = by_year_funding.copy()
    df["yuan"] = yuan_for_plot(df["total_fen"])
    fig = px.bar(df, x="year", y="yuan", color="funding_source", title=_label("funding_title", lang),
                 color_discrete_sequence=PALETTE,
                 labels={"year": _label("year_axis", lang),
                         "yuan": _label("share_pct" if percent else "yuan", lang),
                         "funding_source": _label("funding_source", lang)})
    if percent:
        fig.update_layout(barmode="stack", barnorm="percent")
        fig.update_traces(hovertemplate="%{fullData.name}<br>%{x}: %{y:.1f}%")
    else:
        fig.update_layout(barmode="stack")
        fig.update_traces(hovertemplate="%{fullData.name}<br>%{x}: %{y:,.2f}")
        money_axis(fig, lang=lang)
    fig.update_xaxes(dtick=1)
    return fig


def county_small_multiples_figure(by_year_county: pd.DataFrame, lang: str = "zh", value: str = "total_fen",
                                  names: dict | None = None, wrap: int = 4) -> go.Figure:
    """One small line chart per county (shared axes) of ``value`` by year."""
    labels.check_lang(lang)
    df = by_year_county.copy()
    df["county_label"] = df["county_code"].map(lambda c: _name(c, names))
    money = value.endswith("_fen")
    df["value"] = yuan_for_plot(df[value]) if money else df[value]
    fig = px.line(df, x="year", y="value", facet_col="county_label", facet_col_wrap=wrap, markers=True,
                  title=_label("county_title", lang), color_discrete_sequence=PALETTE,
                  labels={"year": _label("year_axis", lang),
                          "value": _label("yuan" if money else value, lang),
                          "county_label": _label("county_name", lang)},
                  facet_row_spacing=0.08, facet_col_spacing=0.04)
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
    fig.update_traces(hovertemplate="%{x}: %{y:,.2f}" if money else "%{x}: %{y:,d}")
    fig.update_xaxes(dtick=2)
    fig.update_yaxes(tickformat=",.0f", rangemode="tozero")
    rows = -(-df["county_label"].nunique() // wrap)
    fig.update_layout(height=max(300, 220 * rows))
    return fig


def forecast_figure(actual: pd.DataFrame, backtest_by_year: pd.DataFrame, forecast_total: int,
                    target_year: int, lang: str = "zh", method_text: str = "") -> go.Figure:
    """Actual households by year, the backtest's forecasts of past years, and next year's forecast.

    ``actual``: year, households (e.g. campaigns.totals(history, ['year'])).
    ``backtest_by_year``: year, forecast (forecast.backtest_totals for one method).
    ``method_text`` (forecast.method_description) goes under the title.
    """
    labels.check_lang(lang)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=actual["year"], y=actual["households"], mode="lines+markers",
                             name=_label("actual_series", lang), line={"color": PALETTE[0]}))
    if len(backtest_by_year):
        fig.add_trace(go.Scatter(x=backtest_by_year["year"], y=backtest_by_year["forecast"], mode="lines+markers",
                                 name=_label("backtest_series", lang),
                                 line={"color": PALETTE[1], "dash": "dash"}))
    last = actual.sort_values("year").iloc[-1] if len(actual) else None
    xs = [int(last["year"]), int(target_year)] if last is not None else [int(target_year)]
    ys = [int(last["households"]), int(forecast_total)] if last is not None else [int(forecast_total)]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers+text", name=_label("forecast_series", lang),
                             line={"color": PALETTE[2], "dash": "dot"}, marker={"size": [6, 12][-len(xs):]},
                             text=["", f"{int(forecast_total):,}"][-len(xs):], textposition="top center"))
    title = _label("forecast_title", lang)
    if method_text:
        title += f"<br><sup>{method_text}</sup>"
    fig.update_layout(title=title, xaxis_title=_label("year_axis", lang),
                      yaxis_title=_label("households", lang))
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(tickformat=",d", rangemode="tozero")
    return fig


def benchmark_ranges_figure(ranges: pd.DataFrame, lang: str = "zh", names: dict | None = None,
                            type_names: dict | None = None) -> go.Figure:
    """Horizontal min-max bars with the median marked, one per category (x organizer type)."""
    labels.check_lang(lang)
    df = ranges.copy()
    group = df["category"].map(lambda c: _name(c, names))
    if "organizer_type" in df:
        group = group + " · " + df["organizer_type"].map(lambda t: _name(t, type_names))
    df["group"] = group
    df["min_yuan"] = yuan_for_plot(df["min_fen"])
    df["span_yuan"] = yuan_for_plot(df["max_fen"] - df["min_fen"])
    df["median_yuan"] = yuan_for_plot(df["median_fen"])
    fig = go.Figure()
    fig.add_trace(go.Bar(y=df["group"], x=df["span_yuan"], base=df["min_yuan"], orientation="h",
                         name=_label("range", lang), marker={"color": PALETTE[0], "opacity": 0.45},
                         customdata=df[["min_yuan", "median_yuan"]].assign(max=yuan_for_plot(df["max_fen"]),
                                                                           plans=df["plans"]).to_numpy(),
                         hovertemplate="%{y}<br>%{customdata[0]:,.2f} – %{customdata[2]:,.2f}"
                                       "<br>%{customdata[3]}<extra></extra>"))
    fig.add_trace(go.Scatter(y=df["group"], x=df["median_yuan"], mode="markers",
                             name=_label("median", lang),
                             marker={"color": PALETTE[1], "size": 11, "symbol": "line-ns-open",
                                     "line": {"width": 3}},
                             hovertemplate="%{y}: %{x:,.2f}<extra></extra>"))
    fig.update_layout(title=_label("benchmark_title", lang), xaxis_title=_label("benchmark_axis", lang),
                      height=max(300, 40 * len(df) + 120), bargap=0.4)
    fig.update_xaxes(tickformat=",.0f", rangemode="tozero")
    fig.update_yaxes(autorange="reversed")
    return fig
