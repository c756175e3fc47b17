"""Findings: what the figures say, as sentences a planner can sign, ranked by weight.

Each rule is a plain function over small plain inputs (counts, amounts in
fen, a few DataFrame columns) and returns a :class:`Finding` or ``None``
when there is nothing to say. A finding names the people involved and the
money at stake and points to the report section with the detail, so the
摘要 at the top of a report can be read alone and checked in the body.

Ranking (:func:`rank`): severity first (3 act now, 2 look into, 1 for the
record), then money, then people. Rates are exact fractions until shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pandas as pd

from reliefplan.core.money import format_yuan

HIGH, MEDIUM, LOW = 3, 2, 1


@dataclass(frozen=True)
class Finding:
    """One finding: a sentence in zh and en, the people and money it concerns, and where the detail is."""

    rule: str
    severity: int
    people: int
    money_fen: int
    section: str          # key of the report section with the detail ('' if none)
    zh: str
    en: str

    def text(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


def rank(findings) -> list[Finding]:
    """Drop the empty rules' ``None`` and order by severity, then money, then people (largest first)."""
    found = [f for f in findings if f is not None]
    return sorted(found, key=lambda f: (-f.severity, -abs(f.money_fen), -f.people, f.rule))


# ------------------------------------------------------------------ wording helpers

def money_text(fen: int, lang: str = "zh") -> str:
    """An amount for a sentence: 万元 with two decimals from 10,000 yuan up, else yuan with separators."""
    fen = int(fen)
    if abs(fen) >= 1_000_000:
        wan = (Decimal(fen) / Decimal(1_000_000)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if lang == "zh":
            return f"{wan:,}万元"
        return f"{(Decimal(fen) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP):,} yuan"
    return f"{format_yuan(fen)}元" if lang == "zh" else f"{format_yuan(fen)} yuan"


def pct_text(part: int | Fraction, whole: int | None = None, digits: int = 1) -> str:
    """A percentage rounded half up: pct_text(11, 17) -> '64.7%'; pct_text(Fraction(1, 8)) -> '12.5%'."""
    ratio = Fraction(part) if whole is None else Fraction(int(part), int(whole)) if whole else Fraction(0)
    value = (Decimal(ratio.numerator) * 100 / Decimal(ratio.denominator)).quantize(
        Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{value}%"


def _list_zh(names, limit: int = 5) -> str:
    names = [str(n) for n in names]
    shown = "、".join(names[:limit])
    return shown + (f"等{len(names)}类" if len(names) > limit else "")


def _list_en(names, limit: int = 5) -> str:
    names = [str(n) for n in names]
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


# ------------------------------------------------------------------ coverage rules

def lowest_coverage_category(by_category: pd.DataFrame, *, year: int, per_head_fen: dict | None = None,
                             margin_points: int = 5) -> Finding | None:
    """The category with the lowest coverage, when it is at least ``margin_points`` below the overall rate.

    ``by_category``: one row per category with ``category``, ``category_label``,
    ``priority`` (1 = first), ``eligible``, ``eligible_reached``, ``exclusion``.
    ``per_head_fen``: category -> gift per recipient (cash + goods), to price
    the people missed. Ranked high when the category is the plan's highest
    priority among those with eligible people: the ones meant to come first
    were reached least.
    """
    df = by_category.loc[by_category["eligible"].astype(int) > 0]
    if df.empty:
        return None
    overall = Fraction(int(df["eligible_reached"].sum()), int(df["eligible"].sum()))
    rates = [Fraction(int(r), int(e)) for r, e in zip(df["eligible_reached"], df["eligible"])]
    pos = min(range(len(df)), key=lambda i: (rates[i], int(df["priority"].iloc[i])))
    row, rate = df.iloc[pos], rates[pos]
    if rate > overall - Fraction(margin_points, 100):
        return None
    top = int(row["priority"]) == int(df["priority"].min())
    missed = int(row["exclusion"])
    money = missed * int((per_head_fen or {}).get(row["category"], 0))
    label = str(row["category_label"])
    money_zh = f"，按今年标准约{money_text(money)}" if money else ""
    money_en = f", about {money_text(money, 'en')} at this year's standards" if money else ""
    lead_zh = f"优先级最高的{label}覆盖率最低" if top else f"{label}覆盖率最低"
    lead_en = f"The highest-priority group, {label}, has the lowest coverage" if top else \
        f"{label} has the lowest coverage"
    return Finding(
        "lowest_coverage_category", HIGH if top else MEDIUM, missed, money, "coverage",
        f"{lead_zh}：{year}年度符合条件{int(row['eligible']):,}人、到位{int(row['eligible_reached']):,}人"
        f"（{pct_text(rate)}，全部类别为{pct_text(overall)}），{missed:,}人应慰未慰{money_zh}。",
        f"{lead_en}: in {year}, {int(row['eligible_reached']):,} of {int(row['eligible']):,} eligible were reached "
        f"({pct_text(rate)} against {pct_text(overall)} for all groups); {missed:,} were missed{money_en}.")


def missed_people(eligible: int, missed: int, *, year: int, still_eligible_last_year: int = 0,
                  money_fen: int = 0) -> Finding | None:
    """Eligible people not reached in the campaign year (the follow-up list), with last year's reached among them."""
    if missed <= 0 or eligible <= 0:
        return None
    rate = Fraction(missed, eligible)
    sev = HIGH if rate >= Fraction(1, 10) else MEDIUM
    money_zh = f"，按今年标准约{money_text(money_fen)}" if money_fen else ""
    money_en = f" (about {money_text(money_fen, 'en')} at this year's standards)" if money_fen else ""
    extra_zh = f"；其中{still_eligible_last_year:,}人上年已慰问、本年仍在册且符合条件却未到位" \
        if still_eligible_last_year else ""
    extra_en = f"; {still_eligible_last_year:,} of them were reached the year before and are still listed and " \
        "eligible" if still_eligible_last_year else ""
    return Finding(
        "missed_people", sev, missed, money_fen, "followup",
        f"{year}年度应慰未慰{missed:,}人（漏慰率{pct_text(rate)}）{money_zh}{extra_zh}。按乡镇列入待跟进名单，"
        "建议在本年慰问阶段优先安排。",
        f"{missed:,} eligible people were not reached in {year} ({pct_text(rate)} missed){money_en}{extra_en}. "
        "They are on the follow-up list by township; schedule them first this year.")


def unsigned_visits(people: int, paid_fen: int, *, year: int) -> Finding | None:
    """Visited and given money or goods, but no signed receipt: not counted as reached until signed."""
    if people <= 0:
        return None
    return Finding(
        "unsigned_visits", MEDIUM, people, paid_fen, "followup",
        f"{year}年度有{people:,}人已走访、已发放{money_text(paid_fen)}，但没有签收记录，不计入到位；"
        "请在总结阶段前补齐签收。",
        f"{people:,} people were visited in {year} and given {money_text(paid_fen, 'en')} but never signed a "
        "receipt, so they do not count as reached; get the receipts signed before the review phase.")


def reached_not_eligible(people: int, paid_fen: int, *, year: int) -> Finding | None:
    """Reached although not eligible on the rules (or not on the registry): money to account for."""
    if people <= 0:
        return None
    return Finding(
        "reached_not_eligible", MEDIUM, people, paid_fen, "coverage",
        f"{year}年度有{people:,}人不符合条件（或不在名册）却已慰问，发放{money_text(paid_fen)}；请逐一核实并说明。",
        f"{people:,} people were reached in {year} although not eligible (or not on the registry), "
        f"{money_text(paid_fen, 'en')} in all; check and explain each case.")


def lowest_area(by_area: pd.DataFrame, *, name_col: str, year: int, kind_zh: str = "乡镇(街道)",
                kind_en: str = "townships", margin_points: int = 3) -> Finding | None:
    """The area with the lowest coverage, when it is ``margin_points`` or more below the overall rate."""
    df = by_area.loc[by_area["eligible"].astype(int) > 0]
    if len(df) < 2:
        return None
    overall = Fraction(int(df["eligible_reached"].sum()), int(df["eligible"].sum()))
    rates = [Fraction(int(r), int(e)) for r, e in zip(df["eligible_reached"], df["eligible"])]
    pos = min(range(len(df)), key=lambda i: rates[i])
    if rates[pos] > overall - Fraction(margin_points, 100):
        return None
    row = df.iloc[pos]
    name, missed = str(row[name_col]), int(row["exclusion"])
    return Finding(
        "lowest_area", LOW, missed, 0, "coverage",
        f"各{kind_zh}中{name}覆盖率最低（{pct_text(rates[pos])}，全部为{pct_text(overall)}），{missed:,}人应慰未慰。",
        f"Of the {kind_en}, {name} has the lowest coverage in {year} ({pct_text(rates[pos])} against "
        f"{pct_text(overall)} overall); {missed:,} missed.")


_RULE_WORDS = {  # what the budget does with a person several organizers list, by the plan's per_person_rule
    "highest_once": ("预算按方案就高慰问一次，请核定由哪个单位慰问。",
                     "The budget pays such a person once, at the highest standard; agree which organizer visits."),
    "each_up_to_cap": ("预算按方案各单位分别慰问、每人累计不超过上限，请核定各单位的份额。",
                       "The budget pays each organizer's standard up to the per-person cap; agree the shares."),
    "pay_all": ("预算按每个填报单位各计一次，请核定由哪个单位慰问。",
                "The budget counts such a person once per organizer listing them; agree which organizer visits."),
    None: ("请核定由哪个单位慰问。", "Agree which organizer visits."),
}


def multi_listed(people: int, over_cap_people: int = 0, excess_fen: int = 0, *,
                 rule: str | None = None) -> Finding | None:
    """People listed or visited by several organizers, and those above the per-person cap.

    ``rule`` is the plan's per_person_rule, so the sentence says what the
    budget does with them (None: the report has no plan, say nothing about it).
    """
    if people <= 0:
        return None
    sev = MEDIUM if over_cap_people else LOW
    cap_zh = f"；{over_cap_people:,}人超过每人全年上限，超出{money_text(excess_fen)}" if over_cap_people else \
        "；无人超过每人全年上限"
    cap_en = f"; {over_cap_people:,} are above the per-person cap by {money_text(excess_fen, 'en')} in all" \
        if over_cap_people else "; nobody is above the per-person cap"
    act_zh, act_en = _RULE_WORDS.get(rule, _RULE_WORDS[None])
    return Finding(
        "multi_listed", sev, people, excess_fen, "coverage",
        f"{people:,}人由两个及以上单位登记或慰问{cap_zh}。{act_zh}",
        f"{people:,} people are listed or visited by several organizers{cap_en}. {act_en}")


# ------------------------------------------------------------------ budget rules

def funding_gap(total_fen: int, funding_fen: int, cap_fen: int | None, *, scope_total_fen: int | None = None,
                scope_name: str = "", area_word: tuple[str, str] = ("全市", "city-wide")) -> Finding | None:
    """The baseline costs more than the funding sources or the cap (area-wide; a unit's share named).

    ``area_word``: how the planning area is named (:func:`reliefplan.core.areas.scope_word`), zh and en.
    """
    gap = int(total_fen) - int(funding_fen)
    over_cap = int(total_fen) - int(cap_fen) if cap_fen is not None else 0
    if gap <= 0 and over_cap <= 0:
        return None
    parts_zh, parts_en = [], []
    if gap > 0:
        parts_zh.append(f"比资金来源合计{money_text(funding_fen)}多{money_text(gap)}")
        parts_en.append(f"{money_text(gap, 'en')} more than the funding of {money_text(funding_fen, 'en')}")
    if over_cap > 0:
        parts_zh.append(f"超出预算上限{money_text(cap_fen)}共{money_text(over_cap)}")
        parts_en.append(f"{money_text(over_cap, 'en')} above the cap of {money_text(cap_fen, 'en')}")
    share_zh = share_en = ""
    if scope_total_fen is not None and scope_name:
        share_zh = f"其中{scope_name}{money_text(scope_total_fen)}（占{pct_text(int(scope_total_fen), int(total_fen))}）。"
        share_en = f" {scope_name} accounts for {money_text(scope_total_fen, 'en')} " \
            f"({pct_text(int(scope_total_fen), int(total_fen))})."
    return Finding(
        "funding_gap", HIGH, 0, max(gap, over_cap), "budget",
        f"按基准方案{area_word[0]}需{money_text(total_fen)}，{'，'.join(parts_zh)}。{share_zh}需追加资金、压缩标准或按优先级安排。",
        f"The baseline costs {money_text(total_fen, 'en')} {area_word[1]}: {'; '.join(parts_en)}.{share_en} Raise "
        "funds, lower standards or serve by priority.")


def cap_shortfall(by_category: pd.DataFrame, cap_fen: int | None) -> Finding | None:
    """Under the cap (priority mode), the categories that get nothing or only part of their need.

    ``by_category``: ``category_label``, ``eligible_recipients``,
    ``covered_recipients``, ``need_fen``, ``covered_fen`` (one row per category).
    """
    if cap_fen is None or by_category.empty:
        return None
    need = by_category["need_fen"].astype(int)
    got = by_category["covered_fen"].astype(int)
    zero = by_category.loc[(need > 0) & (got == 0)]
    part = by_category.loc[(got > 0) & (got < need)]
    if zero.empty and part.empty:
        return None
    people = int((by_category["eligible_recipients"] - by_category["covered_recipients"]).astype(int).sum())
    money = int((need - got).sum())
    zh = [f"在预算上限{money_text(cap_fen)}内按优先级安排，"]
    en = [f"Within the cap of {money_text(cap_fen, 'en')}, served by priority, "]
    if len(zero):
        zh.append(f"{len(zero)}个类别（{_list_zh(zero['category_label'])}）分不到慰问金品")
        en.append(f"{len(zero)} groups ({_list_en(zero['category_label'])}) get nothing")
    if len(part):
        zh.append(("，" if len(zero) else "") + f"{_list_zh(part['category_label'])}只覆盖一部分")
        en.append(("; " if len(zero) else "") + f"{_list_en(part['category_label'])} only in part")
    zh.append(f"：共{people:,}户(人)次未覆盖，少安排{money_text(money)}。")
    en.append(f": {people:,} recipients not covered, {money_text(money, 'en')} short.")
    return Finding("cap_shortfall", HIGH, people, money, "budget", "".join(zh), "".join(en))


def pool_shortfall(pools: pd.DataFrame, short: pd.DataFrame, names: dict | None = None) -> Finding | None:
    """Funding pools that cannot pay all their groups: money does not move between sources.

    ``pools``: the pool table (``source``, ``source_en``, ``amount_fen``,
    ``need_in_pool_fen``, ``short_fen``); ``short``: what is short because of
    which pool (``pool``, ``county_code``, ``category``, ``part``,
    ``recipients``, ``short_fen``). A recipient short of both cash and goods
    counts once. The cap's own row (预算上限) is left to :func:`cap_shortfall`.
    """
    if pools is None or pools.empty or "short_fen" not in pools:
        return None
    names = names or {}
    lacking = pools.loc[(pools["short_fen"].astype("int64") > 0) & (pools["amount_fen"].astype("int64") > 0)]
    if lacking.empty:
        return None
    zh, en, people, money = [], [], 0, 0
    for row in lacking.itertuples(index=False):
        mine = short.loc[short["pool"] == row.source] if len(short) else short
        heads = int(mine.groupby(["county_code", "category"])["recipients"].max().sum()) if len(mine) else 0
        cats = list(dict.fromkeys(names.get(c, c) for c in mine["category"])) if len(mine) else []
        people += heads
        money += int(row.short_fen)
        used = int(getattr(row, "used_fen", row.amount_fen))
        rest_zh = f"（已安排{money_text(used)}）" if used != int(row.amount_fen) else ""
        rest_en = f" ({money_text(used, 'en')} spent)" \
            if used != int(row.amount_fen) else ""
        zh.append(f"{row.source}可用{money_text(row.amount_fen)}{rest_zh}、需{money_text(row.need_in_pool_fen)}，"
                  f"缺口{money_text(row.short_fen)}" + (f"，{_list_zh(cats)}共{heads:,}户(人)次少发或未发" if cats else ""))
        en.append(f"{row.source_en or row.source} has {money_text(row.amount_fen, 'en')}{rest_en} for a need of "
                  f"{money_text(row.need_in_pool_fen, 'en')}, {money_text(row.short_fen, 'en')} short"
                  + (f" ({_list_en(cats)}: {heads:,} recipients paid less or nothing)" if cats else ""))
    return Finding(
        "pool_shortfall", HIGH, people, money, "budget",
        "；".join(zh) + "。各资金来源专款专用、不能相互调剂，需为该来源追加资金或调整其类别的标准。",
        "; ".join(en) + ". Money cannot move between funding sources: add to that source or lower its groups' "
        "standards.")


def change_vs_last_year(last_year: int | None, last_total_fen: int | None, plan_year: int,
                        plan_total_fen: int, *, threshold_pct: int = 10) -> Finding | None:
    """The plan year's baseline against the last campaign's actual spending (a large change ranks higher)."""
    if last_year is None or not last_total_fen:
        return None
    diff = int(plan_total_fen) - int(last_total_fen)
    rate = Fraction(abs(diff), int(last_total_fen))
    sev = MEDIUM if rate >= Fraction(threshold_pct, 100) else LOW
    word_zh = "增加" if diff >= 0 else "减少"
    word_en = "up" if diff >= 0 else "down"
    return Finding(
        "change_vs_last_year", sev, 0, abs(diff), "history",
        f"{plan_year}年基准预算{money_text(plan_total_fen)}，比{last_year}年实际支出{money_text(last_total_fen)}"
        f"{word_zh}{money_text(abs(diff))}（{pct_text(rate)}）。",
        f"The {plan_year} baseline of {money_text(plan_total_fen, 'en')} is {word_en} "
        f"{money_text(abs(diff), 'en')} ({pct_text(rate)}) on the {money_text(last_total_fen, 'en')} spent in "
        f"{last_year}.")


def timeline_issues(findings: pd.DataFrame) -> Finding | None:
    """Errors and warnings of the timeline check (``severity`` error|warning|info and ``message_zh``/``_en``)."""
    if findings is None or findings.empty:
        return None
    bad = findings.loc[findings["severity"].isin(["error", "warning"])]
    if bad.empty:
        return None
    n_err = int((bad["severity"] == "error").sum())
    n_warn = len(bad) - n_err
    first = bad.sort_values("severity").iloc[0]
    msg_zh = str(first.get("message_zh", first.get("message", "")))
    msg_en = str(first.get("message_en", first.get("message", "")))
    count_zh = "、".join(p for p in (f"{n_err}个错误" if n_err else "", f"{n_warn}个警告" if n_warn else "") if p)
    count_en = " and ".join(p for p in (f"{n_err} error{'s' * (n_err > 1)}" if n_err else "",
                                        f"{n_warn} warning{'s' * (n_warn > 1)}" if n_warn else "") if p)
    lead_zh, lead_en = ("例如：", "e.g. ") if len(bad) > 1 else ("", "")
    return Finding(
        "timeline_issues", HIGH if n_err else MEDIUM, 0, 0, "timeline",
        f"时间安排检查有{count_zh}：{lead_zh}{msg_zh.rstrip('。')}。",
        f"The timeline check found {count_en}: {lead_en}{msg_en.rstrip('.')}.")


def stated_total_mismatches(count: int, by_source: dict | None = None) -> Finding | None:
    """Stated subtotals or totals that do not equal the sum of their items (history and case library)."""
    if count <= 0:
        return None
    src = "、".join(f"{k}{v}处" for k, v in (by_source or {}).items())
    src_en = ", ".join(f"{v} in {k}" for k, v in (by_source or {}).items())
    return Finding(
        "stated_total_mismatches", MEDIUM, 0, 0, "reconcile",
        f"填报的小计或合计与明细之和不符{count}处" + (f"（{src}）" if src else "") + "；只标记不更正，请与填报单位核对。",
        f"{count} stated subtotals or totals differ from the sum of their items" + (f" ({src_en})" if src_en else "")
        + "; flagged, not corrected: check them with the organizers.")


# ------------------------------------------------------------------ history and budget rules

def spending_trend(by_year: pd.DataFrame) -> Finding | None:
    """Spending over the years (``year``, ``total_fen``): first to last, the average yearly growth, the largest jump."""
    df = by_year.sort_values("year")
    if len(df) < 2:
        return None
    years = [int(y) for y in df["year"]]
    totals = [int(v) for v in df["total_fen"]]
    first, last = totals[0], totals[-1]
    steps = [(years[i], Fraction(totals[i] - totals[i - 1], totals[i - 1])) for i in range(1, len(df)) if totals[i - 1]]
    if not first or not steps:
        return None
    n = years[-1] - years[0]
    cagr = (Decimal(last) / Decimal(first)) ** (Decimal(1) / Decimal(n)) - 1 if n > 0 and last > 0 else Decimal(0)
    cagr_text = f"{(cagr * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
    jump_year, jump = max(steps, key=lambda s: abs(s[1]))
    sev = MEDIUM if abs(jump) >= Fraction(15, 100) else LOW
    sign = "+" if jump >= 0 else "-"
    return Finding(
        "spending_trend", sev, 0, last - first, "history",
        f"{years[0]}—{years[-1]}年慰问支出从{money_text(first)}变为{money_text(last)}，年均变化{cagr_text}；"
        f"变化最大的是{jump_year}年（{sign}{pct_text(abs(jump))}）。",
        f"Spending went from {money_text(first, 'en')} in {years[0]} to {money_text(last, 'en')} in {years[-1]}, "
        f"{cagr_text} a year on average; the largest change was {jump_year} ({sign}{pct_text(abs(jump))}).")


def households_forecast(target_year: int, forecast_households: int, last_year: int, last_households: int,
                        mae: float | None = None) -> Finding | None:
    """Next year's households forecast against the last year's, with the backtest's error when known."""
    if not last_households:
        return None
    diff = int(forecast_households) - int(last_households)
    rate = Fraction(abs(diff), int(last_households))
    sev = MEDIUM if rate >= Fraction(10, 100) else LOW
    err_zh = f"；回测平均绝对误差{mae:.2f}户/组" if mae is not None else ""
    err_en = f"; backtest mean absolute error {mae:.2f} households per series" if mae is not None else ""
    return Finding(
        "households_forecast", sev, abs(diff), 0, "forecast",
        f"预测{target_year}年需慰问{int(forecast_households):,}户，比{last_year}年的{int(last_households):,}户"
        f"{'增加' if diff >= 0 else '减少'}{abs(diff):,}户（{pct_text(rate)}）{err_zh}。",
        f"{int(forecast_households):,} households are forecast for {target_year}, "
        f"{'up' if diff >= 0 else 'down'} {abs(diff):,} ({pct_text(rate)}) on {int(last_households):,} in "
        f"{last_year}{err_en}.")


def largest_cost_share(by_category: pd.DataFrame) -> Finding | None:
    """The category taking the largest share of the gifts (``category_label``, ``gifts_fen``, ``recipients``)."""
    total = int(by_category["gifts_fen"].sum())
    if not total or by_category.empty:
        return None
    row = by_category.loc[by_category["gifts_fen"].astype(int).idxmax()]
    share = Fraction(int(row["gifts_fen"]), total)
    return Finding(
        "largest_cost_share", LOW, int(row["recipients"]), int(row["gifts_fen"]), "cost",
        f"{row['category_label']}慰问金品{money_text(int(row['gifts_fen']))}，占全部慰问金品的{pct_text(share)}"
        f"（{int(row['recipients']):,}户(人)次），调整其标准对总额影响最大。",
        f"{row['category_label']} takes {money_text(int(row['gifts_fen']), 'en')}, {pct_text(share)} of all gifts "
        f"({int(row['recipients']):,} recipients): its standard moves the total most.")
