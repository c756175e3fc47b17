"""What every report section is made of: a Section of headings, text, tables and figures, and how it is shown.

The zh/en strings of the report (``t``), cell formatting for display tables and
the one bar-chart helper the sections share.
"""

from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass, field

import pandas as pd
import plotly.express as px
from IPython.display import HTML, display

from reliefplan.core import labels
from reliefplan.core.money import format_yuan

labels.register({
    "registered_rows": ("登记人次", "Registry listings"),
    "eligible_rows": ("符合条件人次", "Eligible listings"),
    "townships": ("乡镇(街道)数", "Townships"),
    "dibao_urban_fen": ("城市低保标准(元/月)", "Urban dibao (yuan/month)"),
    "dibao_rural_fen": ("农村低保标准(元/月)", "Rural dibao (yuan/month)"),
    "figure": ("项目", "Figure"),
    "city_value": ("全市(汇总重算)", "City (recomputed)"),
    "units_recorded": ("各单位报告之和", "Sum of unit reports"),
    "units_recomputed": ("各单位(本表重算)之和", "Sum of units (recomputed)"),
    "difference": ("差额", "Difference"),
    "match": ("一致", "Equal"),
    "recorded": ("单位报告记录", "Recorded by unit report"),
    "recomputed": ("汇总重算", "Recomputed here"),
    "scenario": ("方案", "Scenario"),
    "coverage_rate": ("覆盖率", "Coverage rate"),
    "people": ("人数", "People"),
    "reason_label": ("原因", "Reason"),
    "unit_code": ("单位代码", "Unit code"),
    "unit_name": ("单位", "Unit"),
    "unit_kind": ("报告类型", "Report type"),
    "counties_n": ("县(市、区)数", "Counties"),
    "per_household_fen": ("户均慰问金品(元)", "Gifts per household (yuan)"),
    "per_head_fen": ("人均慰问金品(元)", "Gifts per person (yuan)"),
    "change_fen": ("比上年增减(元)", "Change on the year before (yuan)"),
    "change_pct": ("比上年增减", "Change on the year before"),
    "cash_share_pct": ("慰问金占比", "Cash share"),
    "overhead_share_pct": ("工作经费占比", "Overhead share"),
})

_T = {
    "report_title": ("{unit} {year}年春节送温暖活动规划报告", "{unit}: {year} Spring Festival relief campaign plan"),
    "rollup_title": ("{unit} {year}年春节送温暖活动汇总报告", "{unit}: {year} Spring Festival relief campaign roll-up"),
    "profile": ("一、单位概况", "1. Unit profile"),
    "history": ("二、历年慰问情况", "2. Past campaigns"),
    "budget": ("三、{year}年预算测算(各方案)", "3. {year} budget under the plan's scenarios"),
    "coverage": ("四、覆盖与缺口({year}年度慰问)", "4. Coverage and gaps ({year} campaign)"),
    "timeline": ("五、时间安排", "5. Timeline"),
    "followup": ("六、待跟进名单(已脱敏)", "6. Follow-up list (masked)"),
    "r_units": ("一、各单位汇总", "1. Totals by unit"),
    "r_reconcile": ("二、汇总核对(精确到分)", "2. Reconciliation with the unit reports (to the fen)"),
    "r_budget": ("三、全市预算与资金", "3. City budget and funding"),
    "r_coverage": ("四、全市覆盖情况", "4. City coverage"),
    "r_history": ("五、历年慰问情况", "5. Past campaigns"),
    "r_timeline": ("六、时间安排与责任分工", "6. Timeline and responsibilities"),
    "demo": ("示例数据，人员均为虚构", "示例数据，人员均为虚构 / Demo data: all people are fictitious"),
    "organizer": ("组织单位", "Organizer"),
    "plan": ("方案", "Plan"),
    "by_category": ("按困难类别", "By category"),
    "by_township": ("按乡镇(街道)", "By township"),
    "share_note": ("工作经费和不可预见费为全市统一测算后按各单位慰问金品比例分摊(最大余数法, 合计精确到分)。",
                   "Overheads and the contingency are costed for the whole city and shared over the units in "
                   "proportion to their gifts (largest remainder, exact to the fen)."),
    "no_history": ("无历年记录。", "No campaign history for this unit."),
    "org_kind": ("组织单位(填报单位)报告: 只含本单位填报的对象。", "Organizer report: only the people this organizer listed."),
    "org_share_note": ("慰问金品按本单位填报的拟慰问对象计算; 工作经费和不可预见费取自全市统一测算, 先按县区和类别分摊到各明细行, "
                       "再在每行内按本单位所占受助人数(不可预见费按金品与工作经费)以最大余数法分摊, 各组织单位合计等于全市合计, 精确到分。"
                       "同一人由多个单位填报时各自计入, 组织单位报告不参与汇总核对。",
                       "Gifts are costed for the planned beneficiaries this organizer listed; overheads and the "
                       "contingency come from the city-wide budget: each county x category line's share is split "
                       "over the organizers in that line by recipients (the contingency by gifts + overheads), "
                       "largest remainder, so all organizers add up to the city to the fen. A person listed by "
                       "several organizers counts for each; organizer reports are not part of the roll-up's "
                       "reconciliation."),
    "org_history": ("历年记录按县区和部门类别登记, 不按具体填报单位细分; 以下为本单位对象所在县区({counties})中部门类别为“{kind}”的记录。",
                    "The campaign history is recorded per county and agency type, not per organizer; shown: the "
                    "records of agency type “{kind}” in the counties of this organizer's people ({counties})."),
    "org_no_history": ("历年记录按县区和部门类别({kinds})登记, 没有与本单位对应的记录, 故不列出。",
                       "The campaign history is recorded per county and agency type ({kinds}); none matches this "
                       "organizer, so no history is shown."),
    "org_coverage": ("只统计本单位填报的对象: 到位 = 这些对象在 {year} 年度的走访记录。",
                     "Only the people this organizer listed: reached = visits of these people in the {year} "
                     "campaign."),
    "org_timeline": ("时间安排为全市统一安排。", "The timeline is the plan's, for the whole city."),
    "no_gaps": ("没有待跟进的对象。", "Nobody is waiting for follow-up."),
    "gaps_all": ("共 {n} 人, 按乡镇(街道)、优先级和人均收入排序; 按对象编号可在单位留存名册中查到本人。",
                 "{n} people, by township, priority and income per head; the person key finds each one in "
                 "the unit's own registry."),
    "gaps_more": ("共 {n} 人, 以下列出前 {shown} 人(按乡镇(街道)、优先级和人均收入排序); 其余按对象编号在单位留存名册中查询。",
                  "{n} people; the first {shown} are listed (by township, priority and income per head); look "
                  "the others up by person key in the unit's own registry."),
    "coverage_note": ("覆盖情况按 {year} 年度(最近一次已完成的慰问)的走访记录统计; 名单按类别优先级和人均收入排序。",
                      "Coverage uses the visits of the {year} campaign (the latest completed); the list is ordered "
                      "by category priority and income per head."),
    "dup_line": ("多头登记或重复慰问: {listed} 人; 超过每人上限 {cap} 元: {over} 人。",
                 "Listed or visited by several organizers: {listed}; above the per-person cap of {cap} yuan: {over}."),
    "continuity": ("上年已慰问、本年未到位的原因", "Reached the year before but not this year: why"),
    "reconciled_yes": ("核对结果: 汇总合计与各单位报告合计完全一致, 精确到分。",
                       "Result: the roll-up equals the sum of the unit reports exactly, to the fen."),
    "reconciled_missing": ("核对结果: 以下单位尚无当前报告, 汇总暂不完整: {units}。已有报告的单位均一致。",
                           "Result: no current report yet for {units}; the roll-up is incomplete. Every unit "
                           "report present agrees."),
    "reconciled_no": ("核对结果: 不一致! 以下项目的汇总与各单位报告不符: {items}。",
                      "Result: NOT reconciled. These figures differ from the unit reports: {items}."),
    "reconciled_below": ("下级单位尚无当前报告(报告缺失或失败): {units}; 其上级汇总因此不完整。",
                         "Units further down with no current report (missing or failed): {units}; the roll-ups "
                         "above them are incomplete."),
    "r_budget_area": ("三、本单位预算(各方案)", "3. Budget of this unit under the plan's scenarios"),
    "area_budget_note": ("资金来源、预算上限和工作经费为全方案统一测算, 见全方案汇总报告; 本表为本单位分摊部分。",
                         "Funding, the cap and overheads are costed for the whole plan (see the top roll-up); "
                         "this table is this unit's share."),
    "rec_units": ("各单位合计(元): 单位报告记录 与 汇总重算", "Unit totals (yuan): recorded by the unit report vs recomputed here"),
    "chart_category": ("登记人次(按困难类别)", "Registry listings by category"),
    "chart_map": ("{year}年度覆盖率(按县区)", "Coverage rate by county, {year}"),
    "funding": ("资金来源", "Funding sources"),
    "overheads": ("工作经费", "Overheads"),
    "cap_line": ("预算上限 {cap} 元; 基准方案合计 {total} 元; 资金来源合计 {funding} 元; {gap}。",
                 "Budget cap {cap} yuan; baseline total {total} yuan; funding {funding} yuan; {gap}."),
    "gap": ("资金缺口 {v} 元", "funding gap {v} yuan"),
    "surplus": ("资金结余 {v} 元", "funding surplus {v} yuan"),
    "forecast": ("下一年度户数预测", "Households forecast for the plan year"),
    "forecast_line": ("{year} 年预测户数合计 {total} 户。方法: {method}",
                      "Forecast for {year}: {total} households in all. Method: {method}"),
    "forecast_error": (" 回测(用此前各年预测已发生年份, {n} 次)平均绝对误差 {mae} 户/类别。",
                       " Backtest ({n} forecasts of past years from the years before): mean absolute error "
                       "{mae} households per category."),
    "phases": ("阶段安排", "Phases"),
    "deliverables": ("上报材料", "Deliverables"),
    "findings": ("时间安排检查", "Timeline checks"),
    "schedule": ("本单位走访安排", "Visit schedule for this unit"),
    "responsibilities": ("责任分工", "Responsibilities"),
}

FUNNEL_STEPS = ("registered", "eligible", "planned", "visited", "reached")
RECONCILE_FIGURES = ("registered_rows", "eligible_rows", "households", "persons", "recipients", "cash_fen",
                     "goods_fen", "gifts_fen", "overhead_fen", "contingency_fen", "total_fen")
FOLLOWUP_ROWS_SHOWN = 200
_PLAIN_INT_COLUMNS = ("year", "campaign_year", "priority", "coverage_year", "last_year", "target_year", "优先级",
                      "Priority")
_PLAIN_INT_WORDS = ("年度", "年份", "代码", "Year", "year", "code", "Code")


def t(key: str, lang: str, **kw) -> str:
    """A report phrase in ``lang``."""
    text = _T[key][0 if lang == "zh" else 1]
    return text.format(**kw) if kw else text


# ------------------------------------------------------------------ sections and display

@dataclass
class Section:
    """A titled part of a report: blocks are str (a paragraph), DataFrame (a table) or plotly Figure."""

    key: str
    title: str
    blocks: list = field(default_factory=list)

    def tables(self) -> list[pd.DataFrame]:
        return [b for b in self.blocks if isinstance(b, pd.DataFrame)]

    def figures(self) -> list:
        return [b for b in self.blocks if hasattr(b, "to_plotly_json")]


@dataclass
class Alert:
    """A warning the reader must see first (e.g. missing reference data); shown in every output."""
    text: str


@dataclass
class Heading:
    text: str
    level: int = 3


@dataclass
class FindingList:
    """Ranked findings (:class:`reliefplan.reports.findings.Finding`), each linking to its section."""

    findings: list
    lang: str = "zh"
    titles: dict = field(default_factory=dict)   # section key -> title shown in the link

    def html(self) -> str:
        esc = _html.escape
        items = []
        for f in self.findings:
            link = ""
            if f.section and f.section in self.titles:
                word = "详见" if self.lang == "zh" else "see"
                link = f' <a class="rp-see" href="#sec-{esc(f.section)}">{word} {esc(self.titles[f.section])}</a>'
            items.append(f'<li class="rp-sev{int(f.severity)}">{esc(f.text(self.lang))}{link}</li>')
        return f'<ol class="rp-findings">{"".join(items)}</ol>'


def _is_plain_int_column(col: str) -> bool:
    """Years, codes and priorities print without thousands separators (2026, not 2,026)."""
    return (col in _PLAIN_INT_COLUMNS or col.endswith("_code") or any(w in col for w in _PLAIN_INT_WORDS)
            or col.lower().endswith("year"))


def _fmt_cell(col: str, value, lang: str = "zh") -> str:
    """One value as people read it: yuan, rounded percentages, dates, separators; never NaN/None/True/False."""
    if value is None or (not isinstance(value, (list, dict, str)) and pd.isna(value)):
        return ""
    if isinstance(value, str):
        words = _VALUE_WORDS.get(value)
        return (words[0] if lang == "zh" else words[1]) if words else value
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if col.endswith("_fen"):
        return format_yuan(int(value))
    if col.endswith("_rate"):
        return f"{float(value) * 100:.1f}%"
    if col.endswith("_pct"):
        return f"{float(value):.1f}%"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (list, tuple, set)):
        return "、".join(str(v) for v in value)
    if isinstance(value, int) or (hasattr(value, "is_integer") and not isinstance(value, float)):
        return str(int(value)) if _is_plain_int_column(col) else f"{int(value):,}"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)) if _is_plain_int_column(col) else f"{int(value):,}"
        return f"{value:,.2f}"
    return str(value)


def display_frame(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A table for people: money in yuan, rates in %, labelled columns (values as text, no index)."""
    names = [str(c) for c in df.columns]          # by position: labelled tables may repeat a header
    out = pd.DataFrame({i: [_fmt_cell(names[i], v, lang) for v in df.iloc[:, i]] for i in range(len(names))})
    out.columns = [labels.label(c, lang) for c in names]
    return out


# Plan keywords that reach tables as values; shown as words.
_VALUE_WORDS = {"per_team_day": ("按组·天", "per team and day"), "fixed": ("定额", "fixed amount")}

_NUMBER = re.compile(r"^[+\-−]?[\d,]+(\.\d+)?%?$")
LONG_TABLE_ROWS = 20


def table_html(df: pd.DataFrame, lang: str = "zh") -> str:
    """A complete HTML table; every value escaped (names and notes are data, never markup).

    Header row in ``<thead>`` (repeats on printed pages), numbers right-aligned,
    columns sortable by a click (the report's own small script). A table
    longer than :data:`LONG_TABLE_ROWS` is folded in a ``<details>`` with a
    filter box: complete on screen when opened, one line when printed.
    """
    esc = _html.escape
    shown = display_frame(df, lang)
    head = "".join(f'<th scope="col">{esc(str(c))}</th>' for c in shown.columns)
    rows = []
    for values in shown.itertuples(index=False):
        cells = "".join(f'<td class="num">{esc(v)}</td>' if _NUMBER.match(v) else f"<td>{esc(v)}</td>"
                        for v in values)
        rows.append(f"<tr>{cells}</tr>")
    table = (f'<table class="rp-table rp-sortable"><thead><tr>{head}</tr></thead>'
             f'<tbody>{"".join(rows)}</tbody></table>')
    if len(shown) <= LONG_TABLE_ROWS:
        return table
    zh = lang == "zh"
    summary = (f"表格共 {len(shown):,} 行（点击展开；可按列排序、筛选）" if zh else
               f"Table of {len(shown):,} rows (click to open; sort by column, filter)")
    box = f'<input type="search" class="rp-filter" placeholder="{"筛选" if zh else "Filter"}" aria-label="filter">'
    return f'<details class="rp-long"><summary>{esc(summary)}</summary>{box}{table}</details>'


def show_table(df: pd.DataFrame, lang: str = "zh") -> None:
    """Display a table in a notebook the way the reports show tables (no index, formatted, complete)."""
    display(HTML(table_html(df, lang)))


def alert_html(text: str) -> str:
    """A visible warning box (kept by the HTML export, printed in the PDF); the text is escaped."""
    return ('<div class="rp-alert" role="alert" style="border:2px solid #b00020;background:#fff4f4;'
            f'color:#b00020;padding:.6em 1em;margin:.8em 0;font-weight:bold">{_html.escape(text)}</div>')


def show(section: Section, lang: str | None = None) -> None:
    """Display a section in the notebook: heading, paragraphs, tables and interactive figures."""

    if section.key == "title":
        # The HTML export stamps its own header with the title and the demo banner; this block is
        # for people reading the notebook itself, so the export hides it (class rp-notebook-title).
        paras = "".join(f"<p>{_html.escape(b)}</p>" for b in section.blocks if isinstance(b, str))
        display(HTML(f'<div class="rp-notebook-title"><h1>{_html.escape(section.title)}</h1>{paras}</div>'))
        for block in section.blocks:
            if isinstance(block, Alert):
                display(HTML(alert_html(block.text)))
        return
    display(HTML(f'<h2 id="sec-{_html.escape(section.key)}" class="rp-section">{_html.escape(section.title)}</h2>'))
    for block in section.blocks:
        if isinstance(block, Alert):
            display(HTML(alert_html(block.text)))
        elif isinstance(block, FindingList):
            display(HTML(block.html()))
        elif isinstance(block, Heading):
            display(HTML(f"<h{block.level}>{_html.escape(block.text)}</h{block.level}>"))
        elif isinstance(block, str):
            display(HTML(f"<p>{_html.escape(block)}</p>"))
        elif isinstance(block, pd.DataFrame):
            display(HTML(table_html(block, lang or "zh")))
        else:
            display(block)


# ------------------------------------------------------------------ charts (one function per chart)

def _bar(df: pd.DataFrame, x: str, y: str, title: str, *, color: str | None = None, lang: str = "zh",
         orientation: str = "v", barmode: str = "relative"):

    fig = px.bar(df, x=x, y=y, color=color, title=title, orientation=orientation, barmode=barmode,
                 labels={c: labels.label(c, lang) for c in df.columns})
    fig.update_layout(margin=dict(l=40, r=20, t=60, b=40), legend_title_text="")
    return fig


def category_chart(counts: pd.DataFrame, lang: str = "zh"):
    """Registry listings per category (horizontal bars)."""
    df = counts.sort_values("registered_rows")
    return _bar(df, "registered_rows", "category_label", t("chart_category", lang), orientation="h", lang=lang)
