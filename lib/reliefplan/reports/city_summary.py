"""The 摘要 of the city analyses: past campaigns (01), the budget model (02), coverage and maps (03).

Each function takes what its notebook has already loaded and returns the
``summary`` :class:`Section` the notebook shows first: key figures, then the
ranked findings of :mod:`reliefplan.reports.findings` with links to the
notebook's own sections.
"""

from __future__ import annotations

import pandas as pd

from reliefplan.models import campaigns, forecast, reconcile
from reliefplan.reports import findings as fr
from reliefplan.reports.display import Section
from reliefplan.reports.summary import _section, cap_by_category, coverage_findings, pool_shortfall

# Section keys of the notebooks' markdown headings (their anchors are set in the notebooks).
HISTORY_TITLES = {"history": ("历年总计", "Totals by year"), "reconcile": ("核算核对", "Reconciliation"),
                  "forecast": ("下一年度户数预测", "Next year's households")}
BUDGET_TITLES = {"budget": ("资金来源与缺口", "Funding and gap"), "cost": ("预算", "Cost")}
COVERAGE_TITLES = {"coverage": ("类别", "Categories"), "followup": ("跟进名单", "Follow-up list")}


def _titles(titles: dict, lang: str) -> dict:
    return {k: v[0 if lang == "zh" else 1] for k, v in titles.items()}


def history_summary(history: pd.DataFrame, case_library, *, lang: str = "zh",
                    method: str = "trend_floor", categories: pd.DataFrame | None = None) -> Section:
    """Notebook 01: the last year's spending and change, the trend, mismatches, next year's forecast.

    ``categories``: the plan's categories table (the case library's named groups are checked against it).
    """
    zh = lang == "zh"
    by_year = campaigns.totals_by_year(history)
    last = by_year.iloc[-1]
    year = int(last["year"])
    rows = [((f"{year}年慰问支出" if zh else f"Spent in {year}"), fr.money_text(int(last["total_fen"]), lang),
             (f"{int(last['households']):,}户、{int(last['persons']):,}人，户均慰问金品"
              f"{fr.money_text(int(last['per_household_fen']))}" if zh else
              f"{int(last['households']):,} households, {int(last['persons']):,} persons, "
              f"{fr.money_text(int(last['per_household_fen']), 'en')} gifts per household"))]
    found = [fr.spending_trend(by_year)]
    if len(by_year) > 1:
        prev = by_year.iloc[-2]
        diff = int(last["total_fen"]) - int(prev["total_fen"])
        prev_total, prev_year = int(prev["total_fen"]), int(prev["year"])
        pct = fr.pct_text(abs(diff), prev_total) if prev_total else ""
        rows.append(((f"比{prev_year}年" if zh else f"Against {prev_year}"),
                     ("+" if diff >= 0 else "-") + fr.money_text(abs(diff), lang) +
                     ((f"（{pct}）" if zh else f" ({pct})") if pct else ""),
                     (f"{prev_year}年慰问支出{fr.money_text(prev_total)}" if zh else
                      f"{fr.money_text(prev_total, 'en')} spent in {prev_year}")))
    checks = reconcile.reconcile(history, case_library, categories=categories)
    bad = reconcile.mismatches(checks)
    by_source = bad["source"].value_counts().to_dict() if len(bad) else {}
    source_names = {"history": "历年记录" if zh else "history", "case_library": "案例库" if zh else "case library"}
    by_source = {source_names.get(k, k): int(v) for k, v in by_source.items()}
    rows.append((("核算不符" if zh else "Stated totals that do not add up"), f"{len(bad):,}",
                 "、".join(f"{k}{v}处" for k, v in by_source.items()) if zh else
                 ", ".join(f"{v} in {k}" for k, v in by_source.items())))
    found.append(fr.stated_total_mismatches(len(bad), by_source))
    if history["year"].nunique() >= 2:
        fc = forecast.forecast(history, method)
        target = int(fc["target_year"].iloc[0])
        total = forecast.forecast_totals(fc)
        bt = forecast.backtest(history, method)
        summ = forecast.backtest_summary(bt) if len(bt) else None
        mae = float(summ["mae"].iloc[0]) if summ is not None and len(summ) else None
        rows.append(((f"{target}年预测户数" if zh else f"Households forecast for {target}"), f"{total:,}",
                     forecast.method_description(method, lang)))
        found.append(fr.households_forecast(target, total, year, int(last["households"]), mae))
    return _section(lang, rows, found, titles=_titles(HISTORY_TITLES, lang))


def budget_summary(result, alloc, *, lang: str = "zh", names: dict | None = None) -> Section:
    """Notebook 02: the baseline's cost against funding and cap, and what the cap leaves out."""
    zh = lang == "zh"
    names = names or {}
    tot = result.totals
    cap = tot.get("cap_fen")
    rows = [(("预算合计" if zh else "Total cost"), fr.money_text(int(tot["total_fen"]), lang),
             (f"{result.scenario}；{int(tot['recipients']):,}户(人)次、{int(tot['persons']):,}人" if zh else
              f"{result.scenario}; {int(tot['recipients']):,} recipients, {int(tot['persons']):,} persons")),
            (("资金来源合计" if zh else "Funding"), fr.money_text(int(tot.get("funding_fen", 0)), lang),
             ((f"缺口{fr.money_text(int(tot['gap_fen']))}" if tot.get("gap_fen", 0) > 0 else
               f"结余{fr.money_text(-int(tot.get('gap_fen', 0)))}") if zh else
              (f"gap {fr.money_text(int(tot['gap_fen']), 'en')}" if tot.get("gap_fen", 0) > 0 else
               f"surplus {fr.money_text(-int(tot.get('gap_fen', 0)), 'en')}")))]
    if cap is not None:
        rows.append((("预算上限" if zh else "Budget cap"), fr.money_text(int(cap), lang), alloc.message(lang)))
    cats = result.categories.assign(category_label=result.categories["category"].map(names)
                                    .fillna(result.categories["category"]))
    found = [fr.funding_gap(int(tot["total_fen"]), int(tot.get("funding_fen", 0)), cap),
             fr.largest_cost_share(cats)]
    if alloc is not None and not alloc.fits:
        found.append(fr.cap_shortfall(cap_by_category(alloc.coverage, names), cap))
    found.append(pool_shortfall(alloc, names))
    return _section(lang, rows, found, titles=_titles(BUDGET_TITLES, lang))


def coverage_summary(result, *, lang: str = "zh", names: dict | None = None) -> Section:
    """Notebook 03: the funnel in one line and the coverage findings (lowest category and county, missed, unsigned)."""
    zh = lang == "zh"
    tot = result.totals
    names = names or dict(zip(result.by_category["category"], result.by_category.get(
        "category_label", result.by_category["category"])))
    rows = [((f"{result.year}年度覆盖率" if zh else f"Coverage {result.year}"),
             fr.pct_text(int(tot["eligible_reached"]), int(tot["eligible"])) if tot["eligible"] else "-",
             (f"在册{int(tot['registered']):,}人→符合条件{int(tot['eligible']):,}人→到位{int(tot['eligible_reached']):,}人"
              if zh else f"registered {int(tot['registered']):,} → eligible {int(tot['eligible']):,} → reached "
              f"{int(tot['eligible_reached']):,}")),
            (("应慰未慰" if zh else "Missed"), f"{int(tot['exclusion']):,}",
             (f"漏慰率{fr.pct_text(int(tot['exclusion']), int(tot['eligible']))}" if zh else
              f"{fr.pct_text(int(tot['exclusion']), int(tot['eligible']))} of the eligible") if tot["eligible"] else ""),
            (("已走访未签收" if zh else "Visited, not signed"), f"{int(tot['visited_unsigned']):,}", "")]
    area_col = "county_name" if "county_name" in result.by_county else "county_code"
    found = coverage_findings(result, lang, {}, area_col=area_col, kind=("县(市、区)", "counties"),
                              by_area=result.by_county, names=names)
    return _section(lang, rows, found, titles=_titles(COVERAGE_TITLES, lang))

