"""The sections of the planning reports, for the report notebooks to call.

``notebooks/10_unit_report.ipynb`` (one unit) and ``notebooks/20_rollup.ipynb``
(the whole city) are a list of calls to this module: load a
:class:`ReportContext`, then ``show(<section>(ctx))`` per section. Each
section function returns a :class:`Section` (a title and blocks: text,
tables, figures) built from the domain modules — eligibility, budget,
coverage, campaigns, timeline, schedule, maps — so the notebooks hold no
logic and tests can check a section without a kernel.

Rules kept here:

* a unit's report holds only that unit's people: every person-level table
  is cut to the unit's area codes, and is masked (names, ID numbers,
  phones) by the module that builds it;
* money is integer fen until it is shown;
* the unit's budget is its slice of the city-wide budget (overheads and the
  contingency are city-wide amounts spread over the lines exactly), so the
  units add up to the city to the fen — which the roll-up checks against
  the figures each unit report recorded (:func:`reconciliation`);
* an organizer's report (``organizer=`` the registry's 填报单位) holds only the
  people that organizer listed; its budget is their slice of the same
  city-wide budget (:func:`organizer_lines`), and it is never part of the
  roll-up's reconciliation (one person may be listed by several organizers).
"""

from __future__ import annotations

import html as _html
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from reliefplan.core import labels
from reliefplan.reports.timeline_section import timeline_section
from reliefplan.core.errors import ConfigError
from reliefplan.core.money import format_yuan

labels.register({
    "registered_rows": ("登记人次", "Registry listings"),
    "eligible_rows": ("拟慰问人次", "Planned beneficiaries"),
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
_PLAIN_INT_COLUMNS = ("year", "campaign_year", "priority", "coverage_year", "last_year", "target_year")


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
class Heading:
    text: str
    level: int = 3


def _fmt_cell(col: str, value):
    if value is None or (not isinstance(value, (list, dict, str)) and pd.isna(value)):
        return ""
    if col.endswith("_fen") and not isinstance(value, str):
        return format_yuan(int(value))
    if col.endswith("_rate") and not isinstance(value, str):
        return f"{float(value) * 100:.1f}%"
    if col.endswith("_pct") and not isinstance(value, str):
        return f"{float(value):.2f}%"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, int) or (hasattr(value, "is_integer") and not isinstance(value, float)):
        return str(int(value)) if col in _PLAIN_INT_COLUMNS or col.endswith("_code") else f"{int(value):,}"
    return str(value)


def display_frame(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A table for people: money in yuan, rates in %, labelled columns (values as text)."""
    out = pd.DataFrame({col: [_fmt_cell(str(col), v) for v in df[col]] for col in df.columns}, index=df.index)
    return out.rename(columns={c: labels.label(str(c), lang) for c in out.columns})


def table_html(df: pd.DataFrame, lang: str = "zh") -> str:
    """HTML of a table; every value escaped (names and notes are data, never markup)."""
    shown = display_frame(df, lang)
    return shown.to_html(index=False, escape=True, border=0, classes="rp-table", na_rep="")


def show(section: Section, lang: str | None = None) -> None:
    """Display a section in the notebook: heading, paragraphs, tables and interactive figures."""
    from IPython.display import HTML, display

    if section.key == "title":
        # The HTML export stamps its own header with the title and the demo banner; this block is
        # for people reading the notebook itself, so the export hides it (class rp-notebook-title).
        paras = "".join(f"<p>{_html.escape(b)}</p>" for b in section.blocks if isinstance(b, str))
        display(HTML(f'<div class="rp-notebook-title"><h1>{_html.escape(section.title)}</h1>{paras}</div>'))
        return
    display(HTML(f"<h2>{_html.escape(section.title)}</h2>"))
    for block in section.blocks:
        if isinstance(block, Heading):
            display(HTML(f"<h{block.level}>{_html.escape(block.text)}</h{block.level}>"))
        elif isinstance(block, str):
            display(HTML(f"<p>{_html.escape(block)}</p>"))
        elif isinstance(block, pd.DataFrame):
            display(HTML(table_html(block, lang or "zh")))
        else:
            display(block)


# ------------------------------------------------------------------ context

def _files_key(plan: dict) -> tuple:
    """Identity of the plan and its data files (path, size, modification time) for the input cache."""
    from pathlib import Path

    files = {"plan": Path(plan["_path"]), **(plan.get("_files") or {})}
    out = []
    for key, path in sorted(files.items()):
        st = Path(path).stat()
        out.append((key, str(path), st.st_size, st.st_mtime_ns))
    return tuple(out)


def _input_cache(key: tuple, load) -> dict:
    """Parsed input tables, shared by the reports run one after another in one warm kernel.

    ``reliefplan report`` runs several units per kernel (see
    :mod:`reliefplan.batch.executor`); reading and validating the same
    registry for every unit would cost more than the report itself. The
    cache lives in the kernel's ``_reliefplan_warm`` helper (outside the
    library, which is re-imported for every unit), is keyed by the files'
    paths, sizes and modification times, holds only plain pandas frames and
    dicts (a pure function of the files), and every caller gets deep copies,
    so nothing one report does to its tables reaches the next. Outside a
    warm kernel (Jupyter, plain papermill) nothing is cached.
    """
    import copy
    import sys

    store = getattr(sys.modules.get("_reliefplan_warm"), "cache", None)
    if store is None:
        return load()
    if key not in store:
        if len(store) >= 8:
            store.pop(next(iter(store)))
        store[key] = load()
    return {k: v.copy(deep=True) if isinstance(v, pd.DataFrame) else copy.deepcopy(v) for k, v in store[key].items()}


class ReportContext:
    """Everything one report reads, loaded once; derived results computed on first use.

    ``unit_code`` None means the whole planning area (the roll-up).
    """

    def __init__(self, plan: dict, *, unit_code: str | None = None, lang: str = "zh", organizer: str | None = None):
        self.plan = plan
        self.lang = lang
        self.year = int(plan["year"])
        self.unit_code = None if organizer else unit_code
        self.organizer = _norm_org(organizer) if organizer else None
        self.demo = bool(plan.get("demo"))

    @property
    def is_unit(self) -> bool:
        """A report of one unit (an area or an organizer), not the roll-up."""
        return bool(self.unit_code or self.organizer)

    # -- inputs --
    @cached_property
    def inputs(self):
        from reliefplan.models import coverage
        def load():
            inp = coverage.load_inputs(self.plan, boundaries=True)
            return {name: v for name, v in vars(inp).items()
                    if name != "plan"}

        parts = _input_cache(("coverage_inputs",) + _files_key(self.plan), load)
        return coverage.CoverageInputs(plan=self.plan, **parts)

    @property
    def areas(self) -> pd.DataFrame:
        return self.inputs.areas

    @property
    def categories(self) -> pd.DataFrame:
        return self.inputs.categories

    @cached_property
    def units(self) -> pd.DataFrame:
        from reliefplan.ingest.units import unit_table

        return unit_table(self.plan, self.areas)

    @cached_property
    def unit_name(self) -> str:
        if self.organizer:
            return self.organizer
        code = self.unit_code or str(self.plan.get("area", ""))
        row = self.areas[self.areas["code"] == code]
        if row.empty:
            return code
        if self.lang == "en" and pd.notna(row["name_en"].iloc[0]):
            return str(row["name_en"].iloc[0])
        return str(row["name"].iloc[0])

    def in_unit(self, codes: pd.Series) -> pd.Series:
        """Which area codes belong to this report: the unit's, or (roll-up) any reporting unit's."""
        from reliefplan.models.coverage import in_unit

        codes = codes.astype(str)
        if self.unit_code:
            return in_unit(codes, self.unit_code)
        mask = pd.Series(False, index=codes.index)
        for code in self.units["code"]:
            mask |= in_unit(codes, code)
        return mask

    @cached_property
    def registry(self) -> pd.DataFrame:
        """The registry rows of this unit only (the whole planning area for the roll-up)."""
        reg = self.inputs.registry
        mask = self.in_unit(reg["area_code"])
        if self.organizer:
            mask &= of_organizer(reg, self.organizer)
        return reg.loc[mask]

    @cached_property
    def history(self) -> pd.DataFrame:
        """The unit's campaign history (an organizer: its agency type in its people's counties)."""
        hist = self.area_history
        if self.organizer:
            hist = hist.loc[organizer_history_mask(hist, self.organizer, self.registry["county_code"])]
        return hist

    @cached_property
    def area_history(self) -> pd.DataFrame:
        """The campaign history of the unit's area (the whole planning area for an organizer)."""
        from reliefplan.models import campaigns
        from reliefplan.ingest.reference import load_history
        from reliefplan.ingest.plan import plan_file

        path = plan_file(self.plan, "history")
        hist = _input_cache(("history",) + _files_key(self.plan),
                            lambda: {"history": load_history(path, self.categories)})["history"]
        hist = campaigns.prepare(hist)
        return hist.loc[self.in_unit(hist["area_code"])]

    def category_labels(self) -> dict[str, str]:
        from reliefplan.ingest.categories import category_labels

        return category_labels(self.categories, self.lang)

    # -- the plan year: eligibility and budget (city-wide, then sliced) --
    @cached_property
    def eligibility(self) -> pd.DataFrame:
        """Eligibility of every registry row in the planning area on 春节 of the plan year."""
        from reliefplan.models.eligibility import assess
        from reliefplan.core.lunar_dates import spring_festival

        inp = self.inputs
        return assess(inp.registry, self.plan, inp.dibao, inp.areas, on_date=spring_festival(self.year))

    @cached_property
    def beneficiaries(self) -> pd.DataFrame:
        from reliefplan.models import budget
        return budget.beneficiaries_from_registry(self.inputs.registry, self.eligibility, plan=self.plan,
                                                  categories=self.categories)

    @cached_property
    def budgets(self) -> dict:
        """Every scenario's city-wide budget, baseline first."""
        from reliefplan.models import budget
        return budget.compare_scenarios(self.plan, self.beneficiaries)

    @property
    def baseline(self):
        return next(iter(self.budgets.values()))

    def unit_lines(self, b=None) -> pd.DataFrame:
        """Budget lines (unit x category) of this unit in budget ``b`` (the baseline by default)."""
        b = b if b is not None else self.baseline
        if self.organizer:
            lines = self.organizer_lines(b.scenario)
            lines = lines.loc[lines["organizer"] == self.organizer].drop(columns=["organizer"])
            return lines.reset_index(drop=True)
        return b.lines.loc[self.in_unit(b.lines["county_code"])]

    def organizer_lines(self, scenario: str) -> pd.DataFrame:
        """Budget ``scenario``'s lines split over every organizer (cached per scenario)."""
        cache = self.__dict__.setdefault("_organizer_lines", {})
        if scenario not in cache:
            reg = self.inputs.registry
            cache[scenario] = organizer_lines(self.budgets[scenario], self.beneficiaries,
                                              reg["organizer"].astype("string").fillna("").map(_norm_org))
        return cache[scenario]

    # -- the last completed campaign: coverage --
    @cached_property
    def coverage(self):
        import dataclasses

        from reliefplan.models import coverage
        inputs = self.inputs
        if self.organizer:
            reg = self.registry
            ids = set(reg["id_number"].astype(str))
            visits = inputs.visits.loc[inputs.visits["id_number"].astype(str).isin(ids)]
            inputs = dataclasses.replace(inputs, registry=reg, visits=visits)
        return coverage.analyse(inputs, unit=self.unit_code or self.plan.get("area") or "all")

    @cached_property
    def timeline(self) -> dict:
        return timeline_section(self.plan, self.lang, registry=self.registry, areas=self.areas)


def of_organizer(registry: pd.DataFrame, organizer: str) -> pd.Series:
    """Which registry rows were listed by ``organizer`` (names compared with whitespace runs made one space)."""
    if "organizer" not in registry:
        return pd.Series(False, index=registry.index)
    names = registry["organizer"].astype("string").fillna("").map(_norm_org)
    return (names == _norm_org(organizer)).astype(bool)


def _norm_org(name) -> str:
    from reliefplan.ingest.units import normalize_organizer

    return normalize_organizer(name)


def history_kind(history: pd.DataFrame, organizer: str) -> str | None:
    """The history's agency type (e.g. 民政局, 总工会) that ``organizer`` is one of, by name suffix; None if none.

    The history records campaigns per county and agency type, so 芗城区民政局 matches 民政局;
    the longest matching type wins.
    """
    kinds = sorted({str(k).strip() for k in history.get("organizer", pd.Series([], dtype=object)).dropna()
                    if str(k).strip()}, key=len, reverse=True)
    name = str(organizer).strip()
    return next((k for k in kinds if name.endswith(k)), None)


def organizer_history_mask(history: pd.DataFrame, organizer: str, counties: pd.Series) -> pd.Series:
    """History rows of ``organizer``'s agency type in the counties of its people (all False if no type matches)."""
    kind = history_kind(history, organizer)
    if kind is None:
        return pd.Series(False, index=history.index)
    county = history["area_code"].astype(str).str[:6]
    return (history["organizer"].astype(str).str.strip() == kind) & county.isin(set(counties.astype(str)))


def organizer_lines(b, beneficiaries: pd.DataFrame, organizer: pd.Series) -> pd.DataFrame:
    """Budget ``b``'s lines split by organizer: county_code, category, organizer and the money parts.

    Gifts are each beneficiary's own amount under ``b``'s standards (they add
    up to the line's gifts exactly); the line's overhead is split over the
    organizers in it by recipients and its contingency by gifts + overhead,
    both largest remainder (:func:`reliefplan.models.budget.allocate_exact`) — the
    weights :func:`reliefplan.models.budget.build_budget` uses between lines — so the
    organizers of a line add up to the line, and all of them to the city, to
    the fen. ``organizer`` is aligned with the registry ('' = none given).
    """
    import numpy as np

    from reliefplan.models import budget
    ben = beneficiaries
    count, cash, goods = budget.group_amounts(ben, b.standards)
    rows = pd.DataFrame({
        "county_code": ben["county_code"].astype(str).to_numpy(), "category": ben["category"].astype(str).to_numpy(),
        "organizer": organizer.reindex(ben.index).fillna("").astype(str).to_numpy(),
        "households": ben["households"].to_numpy(dtype=np.int64), "persons": ben["persons"].to_numpy(dtype=np.int64),
        "recipients": count, "cash_fen": count * cash, "goods_fen": count * goods,
    })
    keys = ["county_code", "category", "organizer"]
    out = rows.groupby(keys, sort=True).sum().reset_index()
    for col in out.columns[3:]:
        out[col] = out[col].astype("int64")
    out["gifts_fen"] = out["cash_fen"] + out["goods_fen"]
    overhead = np.zeros(len(out), dtype=np.int64)
    contingency = np.zeros(len(out), dtype=np.int64)
    positions = out.groupby(["county_code", "category"], sort=False).indices
    recipients, gifts = out["recipients"].to_numpy(), out["gifts_fen"].to_numpy()
    for line in b.lines.itertuples(index=False):
        sel = positions.get((str(line.county_code), str(line.category)))
        if sel is None:
            continue
        overhead[sel] = budget.allocate_exact(int(line.overhead_fen), recipients[sel].tolist())
        contingency[sel] = budget.allocate_exact(int(line.contingency_fen), (gifts[sel] + overhead[sel]).tolist())
    out["overhead_fen"] = overhead
    out["contingency_fen"] = contingency
    out["total_fen"] = out["gifts_fen"] + overhead + contingency
    return out


def load_context(plan_file=None, unit_code=None, *, year=None, lang: str = "zh", organizer=None) -> ReportContext:
    """Load a plan and check the notebook's parameters against it (bilingual errors listing valid choices).

    ``organizer`` (a registry 填报单位 name) makes it an organizer's report; ``unit_code`` is then ignored.
    """
    from reliefplan.ingest.units import unit_table
    from reliefplan.ingest.reference import load_areas
    from reliefplan.ingest.plan import load_plan, plan_file as data_file

    if lang not in labels.LANGS:
        raise ConfigError(f"语言 {lang!r} 无效, 可选: zh, en", f"invalid language {lang!r}; valid: zh, en",
                          column="lang")
    plan = load_plan(plan_file)
    if year is not None and int(year) != int(plan["year"]):
        raise ConfigError(f"参数 year={year} 与方案年度 {plan['year']} 不一致",
                          f"parameter year={year} does not match the plan's year {plan['year']}",
                          file=plan["_path"], column="year")
    if organizer:
        from reliefplan.ingest.units import organizer_names

        valid = organizer_names(plan)
        if _norm_org(organizer) not in set(valid):
            shown = ", ".join(valid[:40])
            raise ConfigError(f"未知组织单位 {organizer!r}。可选: {shown}",
                              f"unknown organizer {organizer!r}. Valid: {shown}", file=plan["_path"],
                              column="organizer")
        return ReportContext(plan, lang=lang, organizer=_norm_org(organizer))
    if unit_code is not None:
        units = unit_table(plan, load_areas(data_file(plan, "areas")))
        if str(unit_code) not in set(units["code"]):
            valid = ", ".join(f"{r.code} {r.name}" for r in units.itertuples())
            raise ConfigError(f"未知单位代码 {unit_code!r}。可选: {valid}",
                              f"unknown unit code {unit_code!r}. Valid: {valid}", file=plan["_path"],
                              column="unit_code")
        unit_code = str(unit_code)
    return ReportContext(plan, unit_code=unit_code, lang=lang)


# ------------------------------------------------------------------ charts (one function per chart)

def _bar(df: pd.DataFrame, x: str, y: str, title: str, *, color: str | None = None, lang: str = "zh",
         orientation: str = "v", barmode: str = "relative"):
    import plotly.express as px

    fig = px.bar(df, x=x, y=y, color=color, title=title, orientation=orientation, barmode=barmode,
                 labels={c: labels.label(c, lang) for c in df.columns})
    fig.update_layout(margin=dict(l=40, r=20, t=60, b=40), legend_title_text="")
    return fig


def category_chart(counts: pd.DataFrame, lang: str = "zh"):
    """Registry listings per category (horizontal bars)."""
    df = counts.sort_values("registered_rows")
    return _bar(df, "registered_rows", "category_label", t("chart_category", lang), orientation="h", lang=lang)


# ------------------------------------------------------------------ unit report sections

def title_block(ctx: ReportContext) -> Section:
    """Title, demo banner, plan and organizer."""
    key = "report_title" if ctx.is_unit else "rollup_title"
    blocks = []
    if ctx.demo:
        blocks.append(t("demo", ctx.lang))
    if ctx.organizer:
        blocks.append(t("org_kind", ctx.lang))
    name = ctx.plan.get("name") if ctx.lang == "zh" else ctx.plan.get("name_en") or ctx.plan.get("name")
    blocks.append(f"{t('plan', ctx.lang)}: {name}")
    if ctx.plan.get("organizer"):
        blocks.append(f"{t('organizer', ctx.lang)}: {ctx.plan['organizer']}")
    return Section("title", t(key, ctx.lang, unit=ctx.unit_name, year=ctx.year), blocks)


def registry_counts(ctx: ReportContext, by: str) -> pd.DataFrame:
    """Listings and planned beneficiaries of the unit, by ``category`` or ``township_code``."""
    from reliefplan.models.coverage import township_of

    reg = ctx.registry
    planned = ctx.beneficiaries.index.intersection(reg.index)
    keys = reg["category"].astype(str) if by == "category" else township_of(reg["area_code"].astype(str))
    df = pd.DataFrame({by: keys, "planned": reg.index.isin(planned)})
    out = df.groupby(by, sort=True).agg(registered_rows=(by, "size"), eligible_rows=("planned", "sum")).reset_index()
    out["registered_rows"] = out["registered_rows"].astype("int64")
    out["eligible_rows"] = out["eligible_rows"].astype("int64")
    if by == "category":
        out["category_label"] = out["category"].map(ctx.category_labels()).fillna(out["category"])
        return out[["category_label", "registered_rows", "eligible_rows", "category"]]
    names = dict(zip(ctx.areas["code"], ctx.areas["name"] if ctx.lang == "zh" else ctx.areas["name_en"].fillna(ctx.areas["name"])))
    out["township_name"] = out[by].map(names).fillna(out[by]).replace("", "(县级)" if ctx.lang == "zh" else "(county level)")
    return out[["township_name", "registered_rows", "eligible_rows", by]]


def profile(ctx: ReportContext) -> Section:
    """The unit: area facts, 低保 standards, registry listings by category and township."""
    from reliefplan.models import dibao as dibao_mod
    from reliefplan.core.lunar_dates import spring_festival

    lang = ctx.lang
    code = ctx.unit_code or str(ctx.plan.get("area"))
    areas = ctx.areas
    townships = areas[(areas["level"] == "township") & ctx.in_unit(areas["code"])]
    if ctx.organizer:  # the townships and counties where its people live
        codes = ctx.registry["area_code"].astype(str)
        townships = codes[codes.str.len() >= 9].str[:9].drop_duplicates()
    std = dibao_mod.in_force(ctx.inputs.dibao, spring_festival(ctx.year))
    std = std[ctx.in_unit(std["county_code"])]
    facts = {
        "unit_code": code, "unit_name": ctx.unit_name, "townships": len(townships),
        "registered_rows": len(ctx.registry),
        "eligible_rows": int(ctx.beneficiaries.index.isin(ctx.registry.index).sum()),
    }
    if ctx.unit_code and len(std):
        for ur in ("urban", "rural"):
            vals = std.loc[std["urban_rural"] == ur, "monthly_fen"]
            if len(vals):
                facts[f"dibao_{ur}_fen"] = int(vals.iloc[0])
    if ctx.organizer:
        facts.pop("unit_code")
        facts = {"unit_name": facts.pop("unit_name"), "counties_n": int(ctx.registry["county_code"].nunique()), **facts}
    facts_df = pd.DataFrame([facts])
    by_cat = registry_counts(ctx, "category")
    blocks = [facts_df, Heading(t("by_category", lang)), by_cat.drop(columns=["category"]), category_chart(by_cat, lang)]
    if ctx.is_unit:
        by_town = registry_counts(ctx, "township_code")
        blocks += [Heading(t("by_township", lang)), by_town.drop(columns=["township_code"])]
    return Section("profile", t("profile", lang), blocks)


def past_campaigns(ctx: ReportContext) -> Section:
    """The unit's campaign history: totals by year (with change), households by category and year."""
    from reliefplan.views import campaign_charts
    from reliefplan.models import campaigns
    lang = ctx.lang
    hist = ctx.history
    key = "history" if ctx.is_unit else "r_history"
    note = []
    if ctx.organizer:
        kind = history_kind(ctx.area_history, ctx.organizer)
        if kind is None:
            kinds = ", ".join(sorted(ctx.area_history["organizer"].dropna().astype(str).unique())) or "-"
            return Section("history", t(key, lang), [t("org_no_history", lang, kinds=kinds)])
        names = dict(zip(ctx.areas["code"], ctx.areas["name"] if lang == "zh" else ctx.areas["name_en"].fillna(ctx.areas["name"])))
        counties = "、".join(names.get(c, c) for c in sorted(hist["area_code"].astype(str).str[:6].unique()))
        note = [t("org_history", lang, kind=kind, counties=counties)]
    if hist.empty:
        return Section("history", t(key, lang), [t("no_history", lang)])
    by_year = campaigns.totals_by_year(hist)
    cols = [c for c in ("year", "households", "persons", "cash_fen", "goods_fen", "overhead_fen", "total_fen",
                        "per_household_fen", "change_fen", "change_pct") if c in by_year]
    by_cat = campaigns.totals(hist, by=("year", "category"))
    blocks = note + [
        by_year[cols],
        campaign_charts.trend_figure(by_year, lang),
        campaign_charts.category_bars_figure(by_cat, lang, value="households", names=ctx.category_labels()),
    ]
    return Section("history", t(key, lang), blocks + forecast_blocks(ctx, hist))


def forecast_blocks(ctx: ReportContext, hist: pd.DataFrame, method: str = "trend_floor") -> list:
    """Next year's households per category from the history, with the method and its backtest error."""
    from reliefplan.models import forecast
    lang = ctx.lang
    years = hist.loc[hist["year"] < ctx.year]
    if years["year"].nunique() < 2:
        return []
    fc = forecast.forecast(years, method=method, target_year=ctx.year, by=("category",))
    fc["category"] = fc["category"].map(ctx.category_labels()).fillna(fc["category"])
    bt = forecast.backtest(years, method=method, by=("category",))
    summary = forecast.backtest_summary(bt) if len(bt) else None
    text = t("forecast_line", lang, year=ctx.year, total=int(fc["forecast"].sum()),
             method=forecast.method_description(method, lang))
    if summary is not None and len(summary):
        text += t("forecast_error", lang, mae=summary["mae"].iloc[0], n=int(summary["n"].iloc[0]))
    table = forecast.display(fc[["category", "last_year", "last_value", "forecast"]], lang)
    return [Heading(t("forecast", lang)), text, table]


def _unit_totals(lines: pd.DataFrame) -> dict:
    cols = ("households", "persons", "recipients", "cash_fen", "goods_fen", "gifts_fen", "overhead_fen",
            "contingency_fen", "total_fen")
    return {c: int(lines[c].sum()) if c in lines else 0 for c in cols}


def budget_section(ctx: ReportContext) -> Section:
    """The unit's budget under each scenario (its share of each city-wide budget), and its baseline by category."""
    from reliefplan.models import budget
    from reliefplan.views import budget_charts
    lang = ctx.lang
    summary = organizer_summary(ctx) if ctx.organizer else budget.scenario_summary(ctx.budgets, unit=ctx.unit_code)
    lines = ctx.unit_lines().copy()
    lines["category_label"] = lines["category"].map(ctx.category_labels()).fillna(lines["category"])
    by_cat = lines[["category_label", "households", "persons", "recipients", "cash_fen", "goods_fen",
                    "overhead_fen", "contingency_fen", "total_fen"]]
    by_cat = by_cat.groupby("category_label", sort=False).sum().reset_index()
    return Section("budget", t("budget", lang, year=ctx.year), [
        summary[["scenario", "recipients", "persons", "cash_fen", "goods_fen", "overhead_fen", "contingency_fen",
                 "total_fen", "diff_fen", "diff_pct"]],
        budget_charts.scenario_chart(summary, lang),
        Heading(f"{t('by_category', lang)} ({next(iter(ctx.budgets))})"),
        by_cat,
        t("org_share_note" if ctx.organizer else "share_note", lang),
    ])


def organizer_summary(ctx: ReportContext) -> pd.DataFrame:
    """One row per scenario for an organizer (as :func:`reliefplan.models.budget.scenario_summary`): its share of each
    city-wide budget, the difference to the baseline; ``gap_fen`` stays the city's."""
    from fractions import Fraction

    from reliefplan.models.budget import MONEY_PARTS

    rows = []
    base = None
    for name, b in ctx.budgets.items():
        tot = _unit_totals(ctx.unit_lines(b))
        base = tot["total_fen"] if base is None else base
        rows.append({"scenario": name, "recipients": tot["recipients"], "persons": tot["persons"],
                     **{c: tot[c] for c in MONEY_PARTS}, "gap_fen": int(b.totals["gap_fen"]),
                     "diff_fen": tot["total_fen"] - base,
                     "diff_pct": float(Fraction(tot["total_fen"] - base, base) * 100) if base else 0.0})
    df = pd.DataFrame(rows)
    for col in ("recipients", "persons", *MONEY_PARTS, "gap_fen", "diff_fen"):
        df[col] = df[col].astype("int64")
    return df


def coverage_section(ctx: ReportContext) -> Section:
    """Last campaign's funnel, by township (county for the roll-up) and category; duplicates; continuity."""
    from reliefplan.models import continuity, multi_listed as duplicates
    from reliefplan.views import coverage_charts
    lang = ctx.lang
    cov = ctx.coverage
    totals = cov.totals
    funnel_cols = ["registered", "eligible", "planned", "visited", "reached", "exclusion", "inclusion",
                   "coverage_rate", "exclusion_rate"]
    tot_df = pd.DataFrame([{k: totals.get(k) for k in funnel_cols}])
    blocks = [t("coverage_note", lang, year=cov.year)]
    if ctx.organizer:
        blocks.append(t("org_coverage", lang, year=cov.year))
    blocks += [tot_df, coverage_charts.funnel_chart(totals, lang=lang)]
    areas = cov.by_township if ctx.is_unit else cov.by_county
    name_col = ("township_name" if "township_name" in areas else "township_code") if ctx.is_unit else \
        ("county_name" if "county_name" in areas else "county_code")
    blocks += [Heading(t("by_township", lang) if ctx.is_unit else labels.label("county_name", lang)),
               areas[[name_col] + [c for c in funnel_cols if c in areas]],
               coverage_charts.coverage_by_area(areas, name_col=name_col, lang=lang)]
    cat = cov.by_category
    cat_name = "category_label" if "category_label" in cat else "category"
    blocks += [Heading(t("by_category", lang)), cat[[cat_name] + [c for c in funnel_cols if c in cat]]]
    dup = duplicates.summary(cov.duplicates, cov.cap_excess)
    blocks.append(t("dup_line", lang, listed=dup["duplicate_people"],
                    cap=format_yuan(cov.cap_fen, decimals=False), over=dup["over_cap_people"]))
    reasons = continuity.reason_counts(cov.continuity, lang=lang)
    blocks += [Heading(t("continuity", lang)), reasons[["reason_label", "people"]],
               coverage_charts.continuity_chart(reasons, lang=lang)]
    return Section("coverage", t("coverage", lang, year=cov.year), blocks)


def timeline_block(ctx: ReportContext) -> Section:
    """Phases with the Gantt chart, deliverables, checks; the unit's visit schedule."""
    lang = ctx.lang
    tl = ctx.timeline
    blocks = [t("org_timeline", lang)] if ctx.organizer else []
    blocks += [Heading(t("phases", lang)), tl["phases"], tl["gantt"], Heading(t("deliverables", lang)),
               tl["deliverables"]]
    if len(tl["findings"]):
        blocks += [Heading(t("findings", lang)), tl["findings"]]
    blocks += list(tl.get("notes") or [])
    if ctx.unit_code and "schedule_summary" in tl:
        blocks += [Heading(t("schedule", lang)), tl["schedule_summary"], tl["load"]]
    if not ctx.is_unit:
        blocks += [Heading(t("responsibilities", lang)), tl["responsibilities"]]
    return Section("timeline", t("timeline" if ctx.is_unit else "r_timeline", lang), blocks)


def followup_list(ctx: ReportContext, limit: int = FOLLOWUP_ROWS_SHOWN) -> Section:
    """The masked follow-up list (eligible, not reached), by township and priority."""
    from reliefplan.models import follow_up as gaplist
    lang = ctx.lang
    gaps = ctx.coverage.gaps
    if len(gaps):  # analyse() already cut to the unit; this keeps the rule explicit and local
        area = gaps["township_code"].astype(str).where(gaps["township_code"].astype(str) != "",
                                                       gaps["county_code"].astype(str))
        gaps = gaps.loc[ctx.in_unit(area)]
    if gaps.empty:
        return Section("followup", t("followup", lang), [t("no_gaps", lang)])
    counts = gaplist.township_counts(gaps)
    table = gaplist.display_table(gaps.head(limit), lang=lang)
    note = t("gaps_more", lang, n=len(gaps), shown=limit) if len(gaps) > limit else t("gaps_all", lang, n=len(gaps))
    blocks = [counts, note, table]
    return Section("followup", t("followup", lang), blocks)


def unit_figures(ctx: ReportContext) -> dict:
    """The figures a unit report records for the roll-up's reconciliation (plain ints)."""
    lines = ctx.unit_lines()
    figures = {
        "unit_code": ctx.unit_code, "unit_name": ctx.unit_name,
        "unit_kind": "organizer" if ctx.organizer else "area", "organizer": ctx.organizer,
        "registered_rows": int(len(ctx.registry)),
        "eligible_rows": int(ctx.beneficiaries.index.isin(ctx.registry.index).sum()),
        **_unit_totals(lines),
        "scenario_totals_fen": {name: int(ctx.unit_lines(b)["total_fen"].sum()) for name, b in ctx.budgets.items()},
        "followup_people": int(len(ctx.coverage.gaps)),
        "coverage_year": int(ctx.coverage.year),
    }
    return figures


def record_unit(ctx: ReportContext) -> dict:
    """Record the unit's figures in the notebook (read back by the runner and the roll-up)."""
    from reliefplan.core.record import record

    figures = unit_figures(ctx)
    for key, value in figures.items():
        record(key, value)
    return figures


# ------------------------------------------------------------------ attachments

def register_people(ctx: ReportContext) -> pd.DataFrame:
    """The unit's planned beneficiaries with their baseline gift amounts (unmasked; masked by the form)."""
    from reliefplan.models import budget
    from reliefplan.models.coverage import township_of

    ben = ctx.beneficiaries
    ben = ben.loc[ben.index.isin(ctx.registry.index)]
    std = ctx.baseline.standards
    count, cash, goods = budget.group_amounts(ben, std)
    reg = ctx.inputs.registry.loc[ben.index]
    names = dict(zip(ctx.areas["code"], ctx.areas["name"]))
    town = township_of(reg["area_code"].astype(str))
    people = pd.DataFrame({
        "township_code": town,
        "township_name": town.map(names).fillna(""),
        "name": reg["name"], "gender": reg["gender"], "id_number": reg["id_number"],
        "category": reg["category"].astype(str),
        "category_label": reg["category"].astype(str).map(ctx.category_labels()),
        "household_size": reg["household_size"], "income_fen": reg["income_fen"], "phone": reg["phone"],
        "cash_fen": count * cash, "goods_fen": count * goods, "person_key": reg["person_key"],
    }, index=ben.index)
    return people.sort_values(["township_code", "category", "person_key"], kind="stable")


def attachment_files(ctx: ReportContext) -> dict[str, bytes]:
    """The unit's (or the roll-up's) Excel attachments: file name -> xlsx bytes."""
    from reliefplan.views import excel_forms as xf
    from reliefplan.ingest.units import safe_filename

    from reliefplan.ingest.units import organizer_stem

    code = ctx.unit_code or str(ctx.plan.get("area"))
    stem = organizer_stem(ctx.organizer) if ctx.organizer else f"{code}_{safe_filename(ctx.unit_name)}"
    unit_line = f"填报单位（盖章）：{ctx.unit_name}"
    lines = ctx.unit_lines()
    cat_frame = xf.summary_frame(lines, "category", ctx.category_labels())
    sheets = [("按类别", "附件3", f"{ctx.unit_name}{ctx.year}年春节送温暖慰问汇总表", unit_line, cat_frame,
               ("困难类别", "Category"))]
    if not ctx.is_unit:
        unit_names = dict(zip(ctx.units["code"], ctx.units["name"]))
        unit_frame = xf.summary_frame(lines, "county_code", unit_names)
        sheets.insert(0, ("按单位", "附件3", f"{ctx.unit_name}{ctx.year}年春节送温暖慰问汇总表(按单位)", unit_line,
                          unit_frame, ("县(市、区)", "Unit")))
    files = {
        f"{stem}_汇总表.xlsx": xf.summary_workbook(sheets, demo=ctx.demo, lang=ctx.lang),
        f"{stem}_登记表.xlsx": xf.register_workbook(
            xf.register_frame(register_people(ctx)), form_no="附件2",
            title=f"{ctx.unit_name}{ctx.year}年春节送温暖慰问对象登记表", unit_line=unit_line, demo=ctx.demo,
            lang=ctx.lang),
    }
    return files


def write_attachments(ctx: ReportContext, folder) -> list[str]:
    """Write the attachments into ``folder`` (the runner's collection folder); nothing when ``folder`` is None."""
    from pathlib import Path

    if not folder:
        return []
    written = []
    for name, data in attachment_files(ctx).items():
        (Path(folder) / name).write_bytes(data)
        written.append(name)
    return written


# ------------------------------------------------------------------ roll-up sections

def units_table(ctx: ReportContext) -> pd.DataFrame:
    """Per unit of the plan, recomputed here: listings, planned, baseline budget parts."""
    reg = ctx.inputs.registry
    ben_idx = ctx.beneficiaries.index
    lines = ctx.baseline.lines
    rows = []
    from reliefplan.models.coverage import in_unit

    for u in ctx.units.itertuples(index=False):
        mask = in_unit(reg["area_code"].astype(str), u.code)
        rows.append({"unit_code": u.code, "unit_name": u.name if ctx.lang == "zh" else u.name_en,
                     "registered_rows": int(mask.sum()),
                     "eligible_rows": int(reg.index[mask.to_numpy()].isin(ben_idx).sum()),
                     **_unit_totals(lines.loc[in_unit(lines["county_code"].astype(str), u.code)])})
    return pd.DataFrame(rows)


def city_figures(ctx: ReportContext) -> dict:
    """The city-level figures, computed directly over the whole planning area."""
    return {"registered_rows": int(len(ctx.registry)),
            "eligible_rows": int(ctx.beneficiaries.index.isin(ctx.registry.index).sum()),
            **_unit_totals(ctx.unit_lines())}


@dataclass
class Reconciliation:
    figures: pd.DataFrame        # figure, city_value, units_recorded, units_recomputed, difference, match
    units: pd.DataFrame          # unit_code, unit_name, recorded total, recomputed total, difference, match
    missing: list                # unit codes without a current report
    mismatched: list             # figure keys or unit codes that differ
    reconciled: bool             # complete and equal
    city_total_fen: int = 0
    sum_of_units_fen: int | None = None   # sum of the recorded unit totals (None: no unit report)


def reconciliation(ctx: ReportContext, unit_records: dict | None) -> Reconciliation:
    """Compare the city totals with the sum of the unit reports' recorded figures, to the fen.

    ``unit_records``: unit code -> the figures its report recorded
    (:func:`unit_figures`), as passed by the runner. Units without a current
    report are listed as missing; a recorded figure that differs from what
    the roll-up recomputes for that unit is a mismatch.
    """
    unit_records = unit_records or {}
    per_unit = units_table(ctx)
    city = city_figures(ctx)
    missing = [c for c in per_unit["unit_code"] if c not in unit_records]
    rows = []
    mismatched = []
    for key in RECONCILE_FIGURES:
        recomputed = int(per_unit[key].sum())
        recorded = sum(int(r.get(key, 0)) for r in unit_records.values()) if unit_records else None
        equal = recomputed == city[key] and (missing or recorded == city[key])
        if not equal:
            mismatched.append(key)
        rows.append({"figure": labels.label(key, ctx.lang), "city_value": _money_or_int(key, city[key]),
                     "units_recorded": "" if recorded is None else _money_or_int(key, recorded),
                     "units_recomputed": _money_or_int(key, recomputed),
                     "difference": "" if recorded is None or missing else _money_or_int(key, city[key] - recorded),
                     "match": bool(equal) and not missing})
    unit_rows = []
    for row in per_unit.itertuples(index=False):
        rec = unit_records.get(row.unit_code)
        recorded = None if rec is None else int(rec.get("total_fen", 0))
        ok = rec is not None and all(int(rec.get(k, 0)) == int(getattr(row, k)) for k in RECONCILE_FIGURES)
        if rec is not None and not ok:
            mismatched.append(row.unit_code)
        unit_rows.append({"unit_code": row.unit_code, "unit_name": row.unit_name,
                          "recorded": "" if recorded is None else format_yuan(recorded),
                          "recomputed": format_yuan(int(row.total_fen)),
                          "difference": "" if recorded is None else format_yuan(int(row.total_fen) - recorded),
                          "match": ok})
    return Reconciliation(pd.DataFrame(rows), pd.DataFrame(unit_rows), missing, mismatched,
                          reconciled=not missing and not mismatched, city_total_fen=city["total_fen"],
                          sum_of_units_fen=sum(int(r.get("total_fen", 0)) for r in unit_records.values())
                          if unit_records else None)


def _money_or_int(key: str, value: int) -> str:
    return format_yuan(int(value)) if key.endswith("_fen") else f"{int(value):,}"


def reconciliation_section(ctx: ReportContext, rec: Reconciliation) -> Section:
    """The reconciliation tables and the explicit statement of the result."""
    lang = ctx.lang
    if rec.mismatched:
        verdict = t("reconciled_no", lang, items=", ".join(map(str, rec.mismatched)))
    elif rec.missing:
        verdict = t("reconciled_missing", lang, units=", ".join(rec.missing))
    else:
        verdict = t("reconciled_yes", lang)
    return Section("reconcile", t("r_reconcile", lang), [verdict, rec.figures, Heading(t("rec_units", lang)), rec.units])


def units_section(ctx: ReportContext) -> Section:
    """Per unit: listings, planned beneficiaries and the baseline budget parts, with a chart."""
    from reliefplan.views import budget_charts
    lang = ctx.lang
    units = units_table(ctx)
    names = dict(zip(units["unit_code"], units["unit_name"]))
    return Section("units", t("r_units", lang), [
        units[["unit_code", "unit_name", "registered_rows", "eligible_rows", "recipients", "cash_fen", "goods_fen",
               "overhead_fen", "contingency_fen", "total_fen"]],
        budget_charts.unit_chart(ctx.baseline, names, lang), t("share_note", lang)])


def city_budget_section(ctx: ReportContext) -> Section:
    """Scenarios side by side, funding sources and the gap, overheads (city-wide)."""
    from reliefplan.models import budget
    from reliefplan.views import budget_charts
    lang = ctx.lang
    summary = budget.scenario_summary(ctx.budgets)
    tot = ctx.baseline.totals
    gap = tot.get("gap_fen", 0)
    gap_text = t("gap", lang, v=format_yuan(gap)) if gap > 0 else t("surplus", lang, v=format_yuan(-gap))
    cap = tot.get("cap_fen")
    line = t("cap_line", lang, cap=format_yuan(cap) if cap is not None else "-", total=format_yuan(tot["total_fen"]),
             funding=format_yuan(tot.get("funding_fen", 0)), gap=gap_text)
    funding = ctx.baseline.funding.copy()
    if lang == "en" and "source_en" in funding:
        funding["source"] = funding["source_en"].fillna(funding["source"])
    overheads = ctx.baseline.overheads.copy()
    if lang == "en" and "item_en" in overheads:
        overheads["item"] = overheads["item_en"]
    cols = [c for c in ("scenario", "recipients", "persons", "cash_fen", "goods_fen", "overhead_fen",
                        "contingency_fen", "total_fen", "gap_fen", "diff_fen", "diff_pct") if c in summary]
    return Section("budget", t("r_budget", lang), [
        summary[cols], budget_charts.scenario_chart(summary, lang), line,
        Heading(t("funding", lang)), funding[[c for c in ("source", "amount_fen", "used_fen") if c in funding]],
        budget_charts.funding_chart(ctx.baseline, lang),
        Heading(t("overheads", lang)), overheads[[c for c in ("item", "basis", "amount_fen", "teams", "days",
                                                              "total_fen") if c in overheads]],
    ])


def city_coverage_section(ctx: ReportContext) -> Section:
    """Coverage funnel by county with an offline map."""
    from reliefplan.views import maps
    sec = coverage_section(ctx)
    cov = ctx.coverage
    if ctx.inputs.boundaries:
        fig = maps.choropleth(cov.by_county, ctx.inputs.boundaries, value="coverage_rate",
                              code_property=maps.boundary_code_property(ctx.plan),
                              title=t("chart_map", ctx.lang, year=cov.year), lang=ctx.lang)
        sec.blocks.insert(3, fig)
    sec.title = t("r_coverage", ctx.lang)
    return sec


def record_rollup(ctx: ReportContext, rec: Reconciliation) -> dict:
    """Record the roll-up's headline figures (shown on index.html)."""
    from reliefplan.core.record import record

    city = city_figures(ctx)
    figures = {
        "units_total": len(ctx.units), "units_reconciled": len(ctx.units) - len(rec.missing) - len(
            [m for m in rec.mismatched if m in set(ctx.units["code"])]),
        "registered_rows": city["registered_rows"], "eligible_rows": city["eligible_rows"],
        "households": city["households"], "persons": city["persons"],
        "baseline_total_fen": city["total_fen"], "city_total_fen": rec.city_total_fen,
        "sum_of_units_fen": rec.sum_of_units_fen,
        "reconciled": rec.reconciled, "missing_units": rec.missing, "mismatched": rec.mismatched,
        "scenario_totals_fen": {n: int(b.total_fen) for n, b in ctx.budgets.items()},
    }
    for key, value in figures.items():
        record(key, value)
    return figures


def assert_reconciled(rec: Reconciliation) -> None:
    """Fail the roll-up when a unit report disagrees with it (missing reports are shown, not fatal)."""
    if rec.mismatched:
        raise ConfigError(f"汇总与单位报告不一致: {', '.join(map(str, rec.mismatched))}",
                          f"the roll-up does not reconcile with the unit reports: {', '.join(map(str, rec.mismatched))}")
