"""The results beside the controls, as HTML fragments built from a :class:`~reliefplan.models.whatif.WhatIfResult`.

Each figure sits in a ``<span>`` with a stable id (``rp-total-value``,
``rp-gap-value``, ...) and its exact amount in fen in ``data-fen``, so a
browser test reads what the library computed. Every text from a file
(unit, category, funding source names) is escaped.
"""

from __future__ import annotations

import pandas as pd

from reliefplan.core import labels
from reliefplan.core.money import format_yuan
from reliefplan.models import whatif
from reliefplan.views.app.texts import esc, t

RIGHT = 'style="text-align:right;padding:0 6px"'


def money_span(key: str, fen, text: str | None = None) -> str:
    value = "" if fen is None else str(int(fen))
    shown = text if text is not None else ("—" if fen is None else format_yuan(int(fen)))
    return f'<span id="rp-{key}-value" class="rp-value" data-fen="{value}">{esc(shown)}</span>'


def message_html(zh_en: tuple[str, str] | None, lang: str) -> str:
    if not zh_en:
        return '<span id="rp-message-text"></span>'
    text = zh_en[0] if lang == "zh" else zh_en[1]
    return (f'<div style="color:#b91c1c;font-weight:bold">{esc(t("bad_input", lang))}: '
            f'<span id="rp-message-text">{esc(text)}</span></div>')


def headline_html(result: whatif.WhatIfResult, unit_label: str, last_year: dict, lang: str) -> str:
    """Total, full cost, gap or surplus, households covered and dropped, change on last year."""
    s = result.summary()
    gap = s["gap_fen"]
    word = t("gap", lang) if gap > 0 else t("surplus", lang)
    yuan = esc(t("yuan", lang))
    cov = result.coverage if result.unit == "all" else result.coverage[result.coverage["county_code"] == result.unit]
    eligible_h, covered_h = int(cov["eligible_households"].sum()), int(cov["covered_households"].sum())
    dropped = s["uncovered_recipients"]
    prev = last_year.get(result.unit)
    if prev:
        change = s["total_fen"] - prev
        pct = 100 * change / prev
        sign = t("up", lang) if change >= 0 else t("down", lang)
        vs = (f'{esc(t("last_year", lang))} {esc(sign)} <span id="rp-change-value" data-fen="{change}">'
              f'{esc(format_yuan(abs(change)))}</span> {yuan} ({pct:+.1f}%)')
    else:
        vs = f'<span id="rp-change-value" data-fen="">{esc(t("last_year_none", lang))}</span>'
    return (
        f'<div class="rp-headline" style="font-size:15px;line-height:1.7">'
        f'<div style="font-size:20px"><b>{esc(t("total", lang))}</b> ({esc(unit_label)}): '
        f'{money_span("total", s["total_fen"])} {yuan}</div>'
        f'<div>{esc(t("full", lang))}: {money_span("full", s["full_total_fen"])} {yuan}</div>'
        f'<div><b>{esc(word)}</b> ({esc(t("city", lang))}): {money_span("gap", gap, format_yuan(abs(gap)))} '
        f'{yuan}</div>'
        f'<div>{esc(t("covered", lang))}: <span id="rp-coverage-value" data-covered="{s["covered_recipients"]}" '
        f'data-eligible="{s["eligible_recipients"]}">{s["covered_recipients"]:,} / {s["eligible_recipients"]:,}'
        f'</span> {esc(t("recipients", lang))} ({s["coverage_pct"]}%); '
        f'<span id="rp-households-value" data-covered="{covered_h}" data-eligible="{eligible_h}">'
        f'{covered_h:,} / {eligible_h:,}</span> {esc(t("households", lang))}</div>'
        f'<div>{esc(t("dropped", lang))}: <span id="rp-dropped-value" data-count="{dropped}">{dropped:,}</span> '
        f'{esc(t("recipients", lang))}; <span id="rp-dropped-households-value" data-count="{eligible_h - covered_h}">'
        f'{eligible_h - covered_h:,}</span> {esc(t("households", lang))}</div>'
        f'<div>{vs}</div></div>'
    )


def status_html(result: whatif.WhatIfResult, lang: str) -> str:
    color = "#15803d" if result.fits else "#b45309"
    return f'<div style="color:{color}"><span id="rp-status-text">{esc(result.message(lang))}</span></div>'


def pools_html(pools: pd.DataFrame, lang: str) -> str:
    """Per funding pool: what it has, what is asked of it, what it pays, what is left and what is short."""
    head = [t("pool", lang), t("available", lang), t("need", lang), t("allocated", lang), t("left", lang),
            t("pool_gap", lang)]
    cols = ["amount_fen", "need_in_pool_fen", "used_fen", "left_fen", "short_fen"]
    names = pools["source" if lang == "zh" else "source_en"]
    rows = []
    for name, (_, row) in zip(names, pools.iterrows()):
        cells = "".join(f'<td {RIGHT} data-fen="{int(row[c])}">{esc(format_yuan(int(row[c])))}</td>' for c in cols)
        rows.append(f'<tr data-pool="{esc(row["source"])}"><td>{esc(name)}</td>{cells}</tr>')
    return ('<table id="rp-pools" style="border-collapse:collapse;margin-top:6px"><thead><tr>'
            + "".join(f"<th {RIGHT}>{esc(h)}</th>" for h in head) + "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def funding_html(result: whatif.WhatIfResult, lang: str) -> str:
    """Per funding source (pool): what it has, what this plan asks of it, and the gap (city-wide)."""
    if result.pools is not None and len(result.pools):
        return pools_html(result.pools, lang)
    funding = result.full.funding
    if funding is None or not len(funding):
        return ""
    asked = result.full.totals["total_fen"]
    names = funding["source" if lang == "zh" else "source_en"]
    head = [t("pool", lang), t("available", lang), t("allocated", lang), t("pool_gap", lang)]
    rows = []
    for name, amount, used in zip(names, funding["amount_fen"], funding["used_fen"]):
        rows.append(f"<tr><td>{esc(name)}</td><td {RIGHT}>{esc(format_yuan(int(amount)))}</td>"
                    f"<td {RIGHT}>{esc(format_yuan(int(used)))}</td><td {RIGHT}></td></tr>")
    total_amount = int(funding["amount_fen"].sum())
    gap = asked - total_amount
    rows.append(f'<tr style="font-weight:bold"><td>{esc(t("pools_total", lang))}</td>'
                f"<td {RIGHT}>{esc(format_yuan(total_amount))}</td><td {RIGHT}>{esc(format_yuan(asked))}</td>"
                f'<td {RIGHT} data-fen="{gap}">{esc(format_yuan(max(gap, 0)))}</td></tr>')
    return ('<table id="rp-pools" style="border-collapse:collapse;margin-top:6px"><thead><tr>'
            + "".join(f"<th {RIGHT}>{esc(h)}</th>" for h in head) + "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def category_table_html(result: whatif.WhatIfResult, lang: str) -> str:
    """Eligible and covered recipients, gifts and total per category of the selected unit."""
    lines, cov = result.budget.lines, result.coverage
    if result.unit != "all":
        lines = lines[lines["county_code"] == result.unit]
        cov = cov[cov["county_code"] == result.unit]
    by = lines.groupby("category", sort=False)[["recipients", "gifts_fen", "total_fen"]].sum()
    elig = cov.groupby("category", sort=False)["eligible_recipients"].sum()
    names = category_names(result.standards, lang)
    head = [labels.label(k, lang) for k in ("category", "eligible_recipients", "covered_recipients",
                                            "gifts_fen", "total_fen")]
    rows = "".join(
        f'<tr data-category="{esc(c)}"><td>{esc(names.get(c, c))}</td>'
        f"<td {RIGHT}>{int(elig.get(c, 0)):,}</td><td {RIGHT}>{int(r.recipients):,}</td>"
        f"<td {RIGHT}>{esc(format_yuan(int(r.gifts_fen)))}</td>"
        f'<td {RIGHT} data-fen="{int(r.total_fen)}">{esc(format_yuan(int(r.total_fen)))}</td></tr>'
        for c, r in by.iterrows())
    return ('<table id="rp-table" style="border-collapse:collapse"><thead><tr>'
            + "".join(f"<th {RIGHT}>{esc(h)}</th>" for h in head)
            + f"</tr></thead><tbody>{rows}</tbody></table>")


def category_names(standards: pd.DataFrame, lang: str) -> dict:
    return dict(zip(standards["category"], standards["zh" if lang == "zh" else "en"]))
