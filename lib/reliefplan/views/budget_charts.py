"""Charts and display tables of the budget model: one function per chart, zh or en.

Money is integer fen in the model; charts plot yuan (fen / 100) because a
chart axis is a picture, not a sum. Tables show yuan strings with two
decimals, formatted from the exact fen.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from reliefplan.core import labels
from reliefplan.models.budget import KIND_LABELS, Budget
from reliefplan.core.money import format_yuan, yuan_for_plot
from reliefplan.views.chart_axes import money_axis



def category_names(budget_or_std, lang: str = "zh") -> dict[str, str]:
    """Category code -> label from a Budget's (or a standards table's) category columns."""
    std = budget_or_std.standards if isinstance(budget_or_std, Budget) else budget_or_std
    return dict(zip(std["category"], std["zh" if lang == "zh" else "en"]))


def _long(frame: pd.DataFrame, key: str, names: dict, lang: str) -> pd.DataFrame:
    rows = []
    for _, r in frame.iterrows():
        for col, pair in KIND_LABELS.items():
            rows.append({"name": names.get(r[key], r[key]), "kind": pair[0 if lang == "zh" else 1],
                         "yuan": int(r[col]) / 100, "text": format_yuan(int(r[col]))})
    return pd.DataFrame(rows, columns=["name", "kind", "yuan", "text"])


def category_chart(budget: Budget, lang: str = "zh") -> go.Figure:
    """Stacked bars per category: cash, goods, overheads, contingency (yuan)."""
    names = category_names(budget, lang)
    data = _long(budget.categories, "category", names, lang)
    fig = px.bar(data, x="name", y="yuan", color="kind", hover_data={"text": True, "yuan": False},
                 labels={"name": labels.label("category", lang), "yuan": labels.label("amount", lang),
                         "kind": labels.label("kind", lang), "text": labels.label("amount", lang)},
                 title=labels.label("chart_by_category", lang))
    return money_axis(fig.update_layout(barmode="stack", legend_title_text=""), lang=lang)


def unit_chart(budget: Budget, unit_names: dict | None = None, lang: str = "zh") -> go.Figure:
    """Stacked bars per unit (county): cash, goods, overheads, contingency (yuan)."""
    return units_chart(budget.units, "county_code", unit_names, lang)


def units_chart(units: pd.DataFrame, key: str, unit_names: dict | None = None, lang: str = "zh") -> go.Figure:
    """Stacked bars per row of ``units`` (named by column ``key``): cash, goods, overheads, contingency (yuan)."""
    data = _long(units, key, unit_names or {}, lang)
    fig = px.bar(data, x="name", y="yuan", color="kind", hover_data={"text": True, "yuan": False},
                 labels={"name": labels.label("report_unit", lang), "yuan": labels.label("amount", lang),
                         "kind": labels.label("kind", lang), "text": labels.label("amount", lang)},
                 title=labels.label("chart_by_unit", lang))
    return money_axis(fig.update_layout(barmode="stack", legend_title_text=""), lang=lang)


def scenario_chart(summary: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Total per scenario, with the difference to the baseline written on each bar."""
    data = summary.assign(
        yuan=yuan_for_plot(summary["total_fen"]),
        text=[f"{format_yuan(t)}<br>{'+' if d >= 0 else ''}{format_yuan(d)} ({p:+.1f}%)"
              for t, d, p in zip(summary["total_fen"], summary["diff_fen"], summary["diff_pct"])])
    fig = px.bar(data, x="scenario", y="yuan", text="text",
                 labels={"scenario": labels.label("scenario", lang), "yuan": labels.label("total_fen", lang)},
                 title=labels.label("chart_scenarios", lang))
    fig.update_traces(textposition="outside").update_layout(uniformtext_minsize=8)
    return money_axis(fig, lang=lang, title="合计" if lang == "zh" else "Total")


def scenario_diff_chart(diff: pd.DataFrame, names: dict | None = None, lang: str = "zh") -> go.Figure:
    """Per category, each scenario's difference to the baseline (yuan)."""
    names = names or {}
    data = diff.assign(name=diff["category"].map(lambda c: names.get(c, c)), yuan=yuan_for_plot(diff["diff_fen"]))
    fig = px.bar(data, x="name", y="yuan", color="scenario", barmode="group",
                 labels={"name": labels.label("category", lang), "yuan": labels.label("diff_fen", lang),
                         "scenario": labels.label("scenario", lang)},
                 title=labels.label("chart_scenario_diff", lang))
    return money_axis(fig, lang=lang, title="与基准之差" if lang == "zh" else "Difference to the baseline")


def coverage_chart(coverage_by_category: pd.DataFrame, names: dict | None = None, lang: str = "zh") -> go.Figure:
    """Covered and not covered recipients per category under the cap."""
    names = names or {}
    rows = []
    for _, r in coverage_by_category.iterrows():
        name = names.get(r["category"], r["category"])
        rows.append({"name": name, "status": labels.label("covered_label", lang), "n": int(r["covered_recipients"])})
        rows.append({"name": name, "status": labels.label("uncovered_label", lang),
                     "n": int(r["uncovered_recipients"])})
    data = pd.DataFrame(rows, columns=["name", "status", "n"])
    fig = px.bar(data, x="name", y="n", color="status",
                 labels={"name": labels.label("category", lang), "n": labels.label("recipients", lang), "status": ""},
                 title=labels.label("chart_coverage", lang))
    return fig.update_layout(barmode="stack")


def tornado_chart(sens: pd.DataFrame, lang: str = "zh", top: int = 12) -> go.Figure:
    """Tornado: change of the total when each standard is lowered / raised, largest swing on top."""
    s = sens.head(top).iloc[::-1]
    comp = {"cash": ("慰问金", "cash"), "goods": ("慰问品", "goods")}
    names = [f"{r['zh'] if lang == 'zh' else r['en']} {comp[r['component']][0 if lang == 'zh' else 1]}"
             for _, r in s.iterrows()]
    fig = go.Figure([
        go.Bar(y=names, x=yuan_for_plot(s["delta_low_fen"]), orientation="h", name=labels.label("lowered", lang)),
        go.Bar(y=names, x=yuan_for_plot(s["delta_high_fen"]), orientation="h", name=labels.label("raised", lang)),
    ])
    fig.update_layout(barmode="overlay", title=labels.label("chart_tornado", lang))
    return money_axis(fig, axis="x", lang=lang, title="合计的变化" if lang == "zh" else "Change of the total")


def funding_chart(budget: Budget, lang: str = "zh") -> go.Figure:
    """Funding sources stacked against the total cost; the gap (or surplus) is the difference."""
    src = budget.funding
    name_col = "source" if lang == "zh" else "source_en"
    fig = go.Figure()
    for _, r in src.iterrows():
        fig.add_bar(x=[labels.label("funding_fen", lang)], y=[int(r["amount_fen"]) / 100], name=r[name_col])
    fig.add_bar(x=[labels.label("total_cost", lang)], y=[budget.total_fen / 100], name=labels.label("total_cost", lang))
    fig.update_layout(barmode="stack", title=labels.label("chart_funding", lang))
    return money_axis(fig, lang=lang)


def money_table(df: pd.DataFrame, lang: str = "zh", names: dict | None = None) -> pd.DataFrame:
    """A display copy: *_fen columns as yuan strings, codes replaced by names, labelled columns."""
    out = df.copy()
    for col in out.columns:
        if str(col).endswith("_fen"):
            out[col] = [format_yuan(int(v)) if pd.notna(v) else "" for v in out[col]]
    if names:
        for col in ("county_code", "category"):
            if col in out:
                out[col] = out[col].map(lambda c: names.get(c, c))
        if "categories" in out:   # a pool's categories, '、'-joined codes
            out["categories"] = out["categories"].map(
                lambda v: "、".join(names.get(c, c) for c in str(v).split("、") if c) if isinstance(v, str) else v)
    if "categories" in out and ("source" in out or "source_en" in out):   # a pool table: what it pays for
        out = out.rename(columns={"categories": "pays_for", "amount_fen": "pool_amount_fen"})
        if "county_code" in out:
            out = out.rename(columns={"county_code": "county_name"})
    return labels.relabel(out, lang)


def whatif_chart(result, names: dict | None = None, lang: str = "zh", unit: str = "all") -> go.Figure:
    """The what-if chart: per category, allocated cost split into cash / goods / overheads (fast to build)."""
    lines = result.budget.lines
    if unit != "all":
        lines = lines[lines["county_code"] == unit]
    by = lines.groupby("category", sort=False)[["cash_fen", "goods_fen", "overhead_fen", "contingency_fen"]].sum()
    names = names or {}
    x = [names.get(c, c) for c in by.index]
    fig = go.Figure([go.Bar(x=x, y=by[col].to_numpy() / 100, name=pair[0 if lang == "zh" else 1])
                     for col, pair in KIND_LABELS.items()])
    fig.update_layout(barmode="stack", title=labels.label("chart_by_category", lang),
                      margin=dict(l=40, r=10, t=40, b=40), height=360)
    return money_axis(fig, lang=lang)


def goal_table(seek: dict, lang: str = "zh") -> pd.DataFrame:
    """The goal-seek answers of :func:`reliefplan.models.goal_seek.seek_all` as a two-column table."""
    u, m, c = seek["uniform"], seek["multiplier"], seek["coverage"]
    budget, step = format_yuan(seek["budget_fen"]), format_yuan(seek["step_fen"], decimals=False)
    pct = f"{float(c['coverage']) * 100:g}%"
    if lang == "zh":
        rows = [
            (f"预算 {budget} 元内, 每户(人)统一标准最高(按 {step} 元取整)", f"{format_yuan(u['amount_fen'])} 元"
             f" (合计 {format_yuan(u['total_fen'])} 元, {u['recipients']:,} 户(人))"),
            (f"预算 {budget} 元内, 各标准统一倍数最高(各按 {step} 元向下取整)",
             f"{m['factor_float']:.4f} 倍 (合计 {format_yuan(m['total_fen'])} 元)"),
            (f"覆盖 {pct} 应慰问对象(按优先顺序)所需预算",
             f"{format_yuan(c['budget_fen'])} 元 ({c['covered']:,} / {c['eligible']:,})"),
        ]
        cols = ["问题", "结果"]
    else:
        rows = [
            (f"Highest uniform amount per recipient within {budget} (rounded down to {step})",
             f"{format_yuan(u['amount_fen'])} (total {format_yuan(u['total_fen'])}, {u['recipients']:,} recipients)"),
            (f"Highest multiplier on all standards within {budget} (each rounded down to {step})",
             f"x {m['factor_float']:.4f} (total {format_yuan(m['total_fen'])})"),
            (f"Budget needed to cover {pct} of the eligible (in priority order)",
             f"{format_yuan(c['budget_fen'])} ({c['covered']:,} / {c['eligible']:,})"),
        ]
        cols = ["Question", "Answer"]
    return pd.DataFrame(rows, columns=cols)
