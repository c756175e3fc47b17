"""Scenarios side by side (table and chart), and the two files a planner takes to a meeting:
the comparison as an xlsx and the current state as a one-page HTML summary.

Each scenario is a controls dict run through :func:`reliefplan.models.whatif.update`,
so the figures are exactly those the panel shows. In the xlsx every name is
written as text (a scenario called ``=HYPERLINK(...)`` stays a string) and
money as numbers in yuan with two decimals; the HTML is rendered by Jinja2
with autoescape on.
"""

from __future__ import annotations

import datetime as dt
import io

import jinja2
import pandas as pd
import plotly.graph_objects as go
import xlsxwriter

from reliefplan.core.money import format_yuan, yuan_for_plot
from reliefplan.models import whatif
from reliefplan.views.app.figures import category_names
from reliefplan.views.app.texts import esc, t

MAX_COMPARED = 4

COLUMNS = {  # key -> (zh, en)
    "scenario": ("情景", "Scenario"),
    "total_fen": ("预算合计(安排, 元)", "Total allocated (yuan)"),
    "full_total_fen": ("全额需求(元)", "Full cost (yuan)"),
    "gap_fen": ("资金缺口(元, 负数为结余)", "Funding gap (yuan, negative: surplus)"),
    "cap_fen": ("预算上限(元)", "Budget cap (yuan)"),
    "covered_recipients": ("覆盖户(人)", "Covered recipients"),
    "uncovered_recipients": ("未覆盖户(人)", "Not covered recipients"),
    "coverage_pct": ("覆盖率(%)", "Coverage (%)"),
    "change_fen": ("比上年(元)", "Change vs last year (yuan)"),
}
MONEY = ("total_fen", "full_total_fen", "gap_fen", "cap_fen", "change_fen")


def compare(state: whatif.WhatIfState, named_controls: dict[str, dict], last_year: dict | None = None) -> pd.DataFrame:
    """One row per scenario (at most four): the headline figures in fen and counts; bad controls are left out."""
    rows = []
    for label, controls in list(named_controls.items())[:MAX_COMPARED]:
        result = whatif.update(state, controls)
        if not result.ok:
            continue
        s = result.summary()
        prev = (last_year or {}).get(result.unit)
        rows.append({"scenario": label, **{k: s[k] for k in COLUMNS if k in s},
                     "change_fen": None if not prev else s["total_fen"] - prev})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def table_html(frame: pd.DataFrame, lang: str) -> str:
    """The comparison as an escaped HTML table (scenarios as columns, figures as rows)."""
    i = 0 if lang == "zh" else 1
    head = "".join(f"<th style='padding:0 8px'>{esc(n)}</th>" for n in frame["scenario"])
    body = []
    for key, pair in COLUMNS.items():
        if key == "scenario":
            continue
        cells = []
        for v in frame[key]:
            if v is None or pd.isna(v):
                cells.append("—")
            elif key in MONEY:
                cells.append(format_yuan(int(v)))
            elif key == "coverage_pct":
                cells.append(f"{float(v):.1f}")
            else:
                cells.append(f"{int(v):,}")
        body.append(f'<tr data-key="{key}"><td>{esc(pair[i])}</td>'
                    + "".join(f"<td style='text-align:right;padding:0 8px'>{esc(c)}</td>" for c in cells) + "</tr>")
    return (f'<table id="rp-compare" style="border-collapse:collapse"><thead><tr><th></th>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def compare_chart(frame: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Allocated total and full cost per scenario, side by side (yuan)."""
    i = 0 if lang == "zh" else 1
    fig = go.Figure([
        go.Bar(x=list(frame["scenario"]), y=yuan_for_plot(frame["total_fen"]), name=COLUMNS["total_fen"][i]),
        go.Bar(x=list(frame["scenario"]), y=yuan_for_plot(frame["full_total_fen"]), name=COLUMNS["full_total_fen"][i]),
    ])
    title = ("情景比较: 安排与全额需求", "Scenarios: allocated and full cost")[i]
    return fig.update_layout(barmode="group", title=title, yaxis_title=t("yuan", lang), height=340,
                             margin=dict(l=40, r=10, t=40, b=40))


def comparison_xlsx(frame: pd.DataFrame, *, plan_name: str = "", lang: str = "zh") -> bytes:
    """The comparison as an xlsx workbook: Chinese and English headers, names as text, money as yuan numbers."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("情景比较")
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    count = book.add_format({"num_format": "#,##0"})
    sheet.write_string(0, 0, f"{plan_name} 情景比较 / Scenario comparison", bold)
    for c, (zh, en) in enumerate(COLUMNS.values()):
        sheet.write_string(1, c, zh, bold)
        sheet.write_string(2, c, en)
        sheet.set_column(c, c, 18)
    for r, row in enumerate(frame.itertuples(index=False), start=3):
        for c, key in enumerate(COLUMNS):
            v = getattr(row, key)
            if key == "scenario":
                sheet.write_string(r, c, str(v))
            elif v is None or pd.isna(v):
                sheet.write_blank(r, c, None)
            elif key in MONEY:
                sheet.write_number(r, c, int(v) / 100, money)
            elif key == "coverage_pct":
                sheet.write_number(r, c, float(v))
            else:
                sheet.write_number(r, c, int(v), count)
    book.close()
    return buf.getvalue()


SUMMARY_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
 @page { size: A4; margin: 15mm; }
 body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; font-size: 11pt; max-width: 180mm; margin: auto; }
 h1 { font-size: 15pt; } h2 { font-size: 12pt; margin: 10px 0 4px; }
 table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #ccc; padding: 2px 6px; }
 td.n { text-align: right; } .demo { color: #b45309; font-weight: bold; } .muted { color: #555; font-size: 9pt; }
</style></head><body>
{% if demo %}<p class="demo">{{ demo }}</p>{% endif %}
<h1>{{ title }}</h1>
<p class="muted">{{ stamp }}</p>
<h2>{{ settings_title }}</h2>
<table>{% for k, v in settings %}<tr><th>{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}</table>
<h2>{{ results_title }}</h2>
<table>{% for k, v in figures %}<tr><th>{{ k }}</th><td class="n">{{ v }}</td></tr>{% endfor %}</table>
<h2>{{ standards_title }}</h2>
<table><tr>{% for h in standards_head %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in standards %}<tr>{% for c in row %}<td{% if not loop.first %} class="n"{% endif %}>{{ c }}</td>{% endfor %}</tr>{% endfor %}
</table>
{% if status %}<p>{{ status }}</p>{% endif %}
</body></html>
"""

_ENV = jinja2.Environment(autoescape=True)


def summary_html(result: whatif.WhatIfResult, *, plan: dict, unit_label: str, scenario_label: str,
                 lang: str = "zh", now: dt.datetime | None = None, demo: bool = False) -> str:
    """The current state on one A4 page: settings, headline figures, the standards used (escaped HTML).

    ``demo`` (:attr:`PlanInputs.demo <reliefplan.ingest.inputs.PlanInputs.demo>`) adds the 示例数据 notice.
    """
    zh = lang == "zh"
    s = result.summary()
    c = result.controls
    cap = "—" if s["cap_fen"] is None else format_yuan(int(s["cap_fen"]))
    mode = t("priority" if c.get("mode", plan.get("allocation_mode", "priority")) == "priority" else "scale", lang)
    settings = [(t("scenario", lang), scenario_label), (t("unit", lang), unit_label), (t("cap", lang), cap),
                (t("mode", lang), mode),
                (t("threshold", lang), "—" if c.get("threshold") is None else f"{c['threshold']:g}")]
    gap = s["gap_fen"]
    figures = [(t("total", lang), format_yuan(s["total_fen"])), (t("full", lang), format_yuan(s["full_total_fen"])),
               (t("gap", lang) if gap > 0 else t("surplus", lang), format_yuan(abs(gap))),
               (t("covered", lang), f"{s['covered_recipients']:,} / {s['eligible_recipients']:,} "
                                    f"{t('recipients', lang)} ({s['coverage_pct']}%)")]
    names = category_names(result.standards, lang)
    std_rows = []
    for row in result.standards.itertuples():
        cash = (f"{float(row.cash_dibao_multiple):g} {t('months_of_dibao', lang)}"
                if row.cash_dibao_multiple is not None else format_yuan(int(row.cash_fen)))
        std_rows.append([names.get(row.category, row.category), cash, format_yuan(int(row.goods_fen))])
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%d %H:%M %Z")
    title = f"{plan.get('name' if zh else 'name_en', plan.get('name', ''))} — {t('title', lang)}"
    return _ENV.from_string(SUMMARY_TEMPLATE).render(
        lang=lang, title=title, stamp=("生成时间 " if zh else "Generated ") + stamp,
        demo=t("demo", lang) if demo else "",
        settings_title=t("settings", lang), settings=settings, results_title=t("results", lang), figures=figures,
        standards_title=t("amounts", lang),
        standards_head=[t("category", lang), t("cash", lang), t("goods", lang)], standards=std_rows,
        status=result.message(lang))
