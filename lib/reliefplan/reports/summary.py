"""The 摘要 (summary) that opens every report: key figures, ranked findings, and what each count counts.

:func:`unit_summary` serves the unit, organizer and roll-up reports (one
:class:`ReportContext`); :func:`history_summary`, :func:`budget_summary` and
:func:`coverage_summary` serve the city analyses 01/02/03. Each returns a
:class:`Section` keyed ``summary`` that the report shows first. The findings
themselves are the rules of :mod:`reliefplan.reports.findings`.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from reliefplan.core.areas import scope_word
from reliefplan.models import allocation, campaigns, forecast, multi_listed, per_person
from reliefplan.reports import findings as fr
from reliefplan.reports.context import ReportContext
from reliefplan.reports.display import FindingList, Heading, Section, t
from reliefplan.reports.unit_sections import unit_teams_mask


TITLE = ("摘要：主要发现与建议", "Summary: key findings and recommendations")


def _key_table(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["summary_item", "summary_value", "summary_note"])


def _section(lang: str, key_rows, found, notes=(), counts: pd.DataFrame | None = None, titles=None,
             aliases: dict | None = None) -> Section:
    """The summary section; ``aliases`` maps a finding's section key to the key this report uses for it."""
    zh = lang == "zh"
    blocks = [_key_table(key_rows)]
    ranked = [dataclasses.replace(f, section=(aliases or {}).get(f.section, f.section)) for f in fr.rank(found)]
    blocks.append(Heading("主要发现与建议" if zh else "Findings and recommendations"))
    blocks.append(FindingList(ranked, lang, titles or {}) if ranked else
                  ("未发现需要特别说明的问题。" if zh else "Nothing calls for attention."))
    if counts is not None and len(counts):
        blocks += [Heading("各部分数字的口径" if zh else "What each count counts"), counts]
    blocks += list(notes)
    return Section("summary", TITLE[0 if zh else 1], blocks)


def per_head_fen(lines: pd.DataFrame) -> dict[str, int]:
    """Gift (cash + goods) per recipient by category, from budget lines (integer fen, rounded down)."""
    g = lines.groupby("category")[["gifts_fen", "recipients"]].sum()
    return {c: int(r.gifts_fen) // int(r.recipients) for c, r in g.iterrows() if int(r.recipients)}


def _category_mix(lines: pd.DataFrame, names: dict, standards: pd.DataFrame, lang: str, limit: int = 4) -> str:
    per = dict(zip(standards["category"], standards["per"]))
    g = lines.groupby("category")["recipients"].sum().sort_values(ascending=False)
    g = g[g > 0]
    zh = lang == "zh"
    parts = [f"{names.get(c, c)}{int(n):,}{'户' if per.get(c) == 'household' else '人'}" if zh
             else f"{names.get(c, c)} {int(n):,}" for c, n in g.head(limit).items()]
    rest = int(g.iloc[limit:].sum())
    if rest:
        parts.append(f"其他{len(g) - limit}类{rest:,}户(人)" if zh else f"{len(g) - limit} other groups {rest:,}")
    return ("、" if zh else ", ").join(parts)


def _allocation(ctx: ReportContext):
    """The baseline under the plan's cap (city-wide, cached on the context)."""
    if "_summary_allocation" not in ctx.__dict__:
        ctx.__dict__["_summary_allocation"] = allocation.allocate(ctx.plan, ctx.beneficiaries) \
            if ctx.plan.get("budget_cap") is not None else None
    return ctx.__dict__["_summary_allocation"]


def cap_by_category(coverage: pd.DataFrame, names: dict) -> pd.DataFrame:
    """An allocation's coverage table summed by category, with the category's label."""
    out = allocation.coverage_by(coverage, "category")
    out["category_label"] = out["category"].map(names).fillna(out["category"])
    return out


def pool_shortfall(alloc, names: dict):
    """The pools that cannot pay their groups (city-wide: pools are not split by unit), or None."""
    extra = getattr(alloc, "extra", None) or {}
    if "pools" not in extra:
        return None
    return fr.pool_shortfall(extra["pools"], extra.get("short", pd.DataFrame()), names)


def coverage_findings(cov, lang: str, per_head: dict, *, area_col: str, kind: tuple[str, str],
                      by_area: pd.DataFrame, names: dict, rule: str | None = None) -> list:
    """The coverage rules over one coverage result (a unit, the city or an organizer's people)."""
    tot = cov.totals
    status = cov.status
    year = int(cov.year)
    cat = cov.by_category
    cat = cat.assign(category_label=cat["category"].map(names).fillna(cat["category"]))
    missed_money = sum(int(x) * int(per_head.get(c, 0)) for c, x in zip(cat["category"], cat["exclusion"]))
    still = int((cov.continuity["reason"] == "missed").sum()) if len(cov.continuity) else 0
    unsigned = status.loc[status["visited_unsigned"].astype(bool)]
    included = status.loc[status["reached"].astype(bool) & ~status["eligible"].astype(bool)]
    dup = multi_listed.summary(cov.duplicates, cov.cap_excess)
    return [
        fr.lowest_coverage_category(cat, year=year, per_head_fen=per_head),
        fr.missed_people(int(tot["eligible"]), int(tot["exclusion"]), year=year, still_eligible_last_year=still,
                         money_fen=missed_money),
        fr.unsigned_visits(len(unsigned), int(unsigned["received_fen"].sum()), year=year),
        fr.reached_not_eligible(int(tot["inclusion"]), int(included["received_fen"].sum()), year=year),
        fr.lowest_area(by_area, name_col=area_col, year=year, kind_zh=kind[0], kind_en=kind[1]),
        fr.multi_listed(dup["duplicate_people"], dup["over_cap_people"], dup["excess_fen"], rule=rule),
    ]


def _coverage_row(cov, lang: str) -> tuple[str, str, str]:
    tot = cov.totals
    zh = lang == "zh"
    rate = fr.pct_text(int(tot["eligible_reached"]), int(tot["eligible"])) if tot["eligible"] else "-"
    return ((f"{cov.year}年度覆盖率" if zh else f"Coverage {cov.year}"), rate,
            (f"符合条件{int(tot['eligible']):,}人，到位{int(tot['eligible_reached']):,}人，应慰未慰"
             f"{int(tot['exclusion']):,}人，已走访未签收{int(tot['visited_unsigned']):,}人" if zh else
             f"{int(tot['eligible_reached']):,} of {int(tot['eligible']):,} eligible reached, "
             f"{int(tot['exclusion']):,} missed, {int(tot['visited_unsigned']):,} visited but unsigned"))


def forecast_total(ctx: ReportContext, method: str = "trend_floor") -> int | None:
    """Households forecast for the plan year from the unit's history (None with fewer than two years)."""
    years = ctx.history.loc[ctx.history["year"] < ctx.year]
    if years["year"].nunique() < 2:
        return None
    fc = forecast.forecast(years, method=method, target_year=ctx.year, by=("category",))
    return int(fc["forecast"].sum())



RULE_NAMES = {"highest_once": ("就高慰问一次", "once, at the highest standard"),
              "each_up_to_cap": ("各单位分别慰问、每人累计不超过上限", "each organizer, up to the per-person cap"),
              "pay_all": ("各自慰问", "every listing paid")}


def count_meanings(ctx: ReportContext) -> pd.DataFrame:
    """The different people-counts of a report side by side, each with the population it counts."""
    zh = ctx.lang == "zh"
    reg = ctx.registry
    rows = [
        (f"登记人次 {len(reg):,}" if zh else f"Registry listings {len(reg):,}",
         "名册中本单位的登记行；同一人由几个单位登记就计几次（第一部分）。" if zh else
         "Rows of the registry in this unit; a person listed by several organizers counts once per listing (part 1)."),
        (f"不重复人数 {reg['person_key'].nunique():,}" if zh else f"Distinct people {reg['person_key'].nunique():,}",
         "同一身份证号只计一次。" if zh else "The same ID number counted once."),
    ]
    listed = int(ctx.beneficiaries.index.isin(reg.index).sum())
    rows.append((f"符合条件 {listed:,}人次" if zh else f"Eligible listings {listed:,}",
                 f"{ctx.year}年春节时符合方案条件的登记行；同一人由几个单位登记就计几次（第一部分）。" if zh else
                 f"Listings eligible on the {ctx.year} Spring Festival under the plan; a person listed by several "
                 "organizers counts once per listing (part 1)."))
    lines = ctx.unit_lines()
    paid = int(lines["recipients"].sum()) if len(lines) else 0
    rule_zh, rule_en = RULE_NAMES[per_person.plan_rule(ctx.plan)[0]]
    rows.append((f"拟慰问 {paid:,}户(人)次" if zh else f"Planned {paid:,} recipients",
                 f"符合条件者按方案“{rule_zh}”计、按户标准的类别每户计一次，即预算的慰问户(人)次（第三部分、附件）。"
                 if zh else f"The eligible, counted under the plan's rule ({rule_en}), households once for "
                 "per-household standards: the budget's recipients (part 3, attachments)."))
    fc = forecast_total(ctx) if ctx.is_unit or not ctx.organizer else None
    if fc is not None:
        rows.append((f"预测 {fc:,}户" if zh else f"Forecast {fc:,} households",
                     "按历年慰问户数趋势外推，供对照，不进入预算（第二部分）。" if zh else
                     "Past campaigns' households extrapolated; a cross-check, not used by the budget (part 2)."))
    tl = ctx.timeline
    if ctx.unit_code and "raw" in tl and "schedule" in tl["raw"]:
        s = tl["raw"]["schedule"].summary
        n = int(s.loc[unit_teams_mask(s, ctx.unit_code), "people"].sum())
        rows.append((f"走访安排 {n:,}人" if zh else f"Scheduled {n:,} people",
                     "名册中属方案类别、发放方式为上门走访（含代表性走访）的不重复人员，排入慰问组日程；转账、集中发放的"
                     "不排，未按收入条件筛选（第五部分）。" if zh else
                     "Distinct people of the plan's categories whose gift is delivered by a visit (representative "
                     "visits included) put on the teams' schedule; transfers and collective handouts are not; income "
                     "rules not applied (part 5)."))
    cov = ctx.coverage
    rows.append((f"{cov.year}年度符合条件 {int(cov.totals['eligible']):,}人" if zh else
                 f"Eligible in {cov.year}: {int(cov.totals['eligible']):,}",
                 f"{cov.year}年春节时符合条件的不重复人员，用于评估上年覆盖（第四部分）。" if zh else
                 f"Distinct people eligible on the {cov.year} Spring Festival, to assess last campaign's coverage "
                 "(part 4)."))
    return pd.DataFrame(rows, columns=["count_figure", "count_meaning"])


def section_titles(ctx: ReportContext) -> dict[str, str]:
    """Section key -> title, for the findings' links."""
    lang = ctx.lang
    if ctx.is_unit:
        return {"profile": t("profile", lang), "history": t("history", lang),
                "budget": t("budget", lang, year=ctx.year), "coverage": t("coverage", lang, year=ctx.coverage.year),
                "timeline": t("timeline", lang), "followup": t("followup", lang)}
    return {"units": t("r_units", lang), "reconcile": t("r_reconcile", lang), "budget": t("r_budget", lang),
            "coverage": t("r_coverage", lang), "history": t("r_history", lang),
            "timeline": t("r_timeline", lang)}


def unit_summary(ctx: ReportContext) -> Section:
    """The 摘要 of a unit, organizer or roll-up report."""
    lang, zh = ctx.lang, ctx.lang == "zh"
    names = ctx.category_labels()
    lines = ctx.unit_lines()
    city = ctx.baseline.totals
    scenario = next(iter(ctx.budgets))
    total = int(lines["total_fen"].sum())
    per_head = per_head_fen(lines)
    cap = city.get("cap_fen")
    funding_note = (f"资金来源{fr.money_text(city.get('funding_fen', 0))}；预算上限"
                    f"{fr.money_text(cap) if cap is not None else '未设'}" if zh else
                    f"funding {fr.money_text(city.get('funding_fen', 0), 'en')}; cap "
                    f"{fr.money_text(cap, 'en') if cap is not None else 'none'}")
    if ctx.is_unit:
        whole = scope_word(ctx.plan.get("area"), "zh")
        note = (f"占{whole}{fr.money_text(city['total_fen'])}的{fr.pct_text(total, int(city['total_fen']))}；{whole}"
                if zh else f"{fr.pct_text(total, int(city['total_fen']))} of the "
                f"{fr.money_text(city['total_fen'], 'en')} {scope_word(ctx.plan.get('area'), 'en')}; ") + funding_note
    else:
        note = funding_note
    rows = [((f"{ctx.year}年预算（{scenario}）" if zh else f"{ctx.year} budget ({scenario})"),
             fr.money_text(total, lang), note)]
    by_year = campaigns.totals_by_year(ctx.history) if len(ctx.history) else pd.DataFrame()
    past = by_year.loc[by_year["year"] < ctx.year] if len(by_year) else by_year
    last_year = int(past["year"].iloc[-1]) if len(past) else None
    last_total = int(past["total_fen"].iloc[-1]) if len(past) else None
    if last_year is not None:
        diff = total - last_total
        rows.append(((f"比{last_year}年实际" if zh else f"Against {last_year} actual"),
                     ("+" if diff >= 0 else "-") + fr.money_text(abs(diff), lang) +
                     ((f"（{fr.pct_text(abs(diff), last_total)}）" if zh else f" ({fr.pct_text(abs(diff), last_total)})")
                      if last_total else ""),
                     (f"{last_year}年实际支出{fr.money_text(last_total)}" if zh else
                      f"{fr.money_text(last_total, 'en')} spent in {last_year}")))
    rows.append((("拟慰问" if zh else "Planned recipients"),
                 (f"{int(lines['recipients'].sum()):,}户(人)次，{int(lines['persons'].sum()):,}人" if zh else
                  f"{int(lines['recipients'].sum()):,} recipients, {int(lines['persons'].sum()):,} persons"),
                 _category_mix(lines, names, ctx.baseline.standards, lang)))
    rows.append(_coverage_row(ctx.coverage, lang))
    alloc = _allocation(ctx) if not ctx.organizer else None
    found = [fr.funding_gap(int(city["total_fen"]), int(city.get("funding_fen", 0)), cap,
                            scope_total_fen=total if ctx.is_unit else None,
                            scope_name=ctx.unit_name if ctx.is_unit else "",
                            area_word=(scope_word(ctx.plan.get("area"), "zh"), scope_word(ctx.plan.get("area"), "en"))),
             fr.change_vs_last_year(last_year, last_total, ctx.year, total)]
    if alloc is not None and not alloc.fits:
        cov_lines = alloc.coverage
        if ctx.unit_code:
            cov_lines = cov_lines.loc[ctx.in_unit(cov_lines["county_code"])]
        by_cat = cap_by_category(cov_lines, names)
        covered = int(by_cat["covered_recipients"].sum())
        rows.append((("预算上限内可覆盖" if zh else "Covered within the cap"),
                     f"{covered:,} / {int(by_cat['eligible_recipients'].sum()):,}",
                     alloc.message(lang)))
        found.append(fr.cap_shortfall(by_cat, cap))
    found.append(pool_shortfall(alloc, names))
    cov = ctx.coverage
    if ctx.is_unit:
        by_area, area_col, kind = cov.by_township, "township_name", ("乡镇(街道)", "townships")
    else:
        by_area, area_col, kind = cov.by_county, "county_name", ("县(市、区)", "counties")
    if area_col not in by_area:
        area_col = area_col.replace("_name", "_code")
    found += coverage_findings(cov, lang, per_head, area_col=area_col, kind=kind, by_area=by_area,
                               names=names, rule=per_person.plan_rule(ctx.plan)[0])
    found.append(fr.timeline_issues(ctx.timeline["raw"]["findings"]))
    counts = count_meanings(ctx) if ctx.is_unit else None
    return _section(lang, rows, found, counts=counts, titles=section_titles(ctx),
                    aliases=None if ctx.is_unit else {"followup": "coverage"})
