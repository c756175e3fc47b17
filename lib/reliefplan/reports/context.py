"""The report context: one plan, one unit (or organizer), and every input and model result its sections use.

Inputs come from the plan's :class:`~reliefplan.ingest.inputs.PlanInputs` (which
shares parsed tables between the unit reports of a warm batch kernel); model
results are computed lazily, once per context.
"""

from __future__ import annotations

import dataclasses
from functools import cached_property

import numpy as np
import pandas as pd

from reliefplan.core import labels
from reliefplan.core.areas import area_name, county_of
from reliefplan.core.errors import ConfigError
from reliefplan.core.lunar_dates import spring_festival
from reliefplan.ingest.categories import category_labels
from reliefplan.ingest.inputs import PlanInputs
from reliefplan.ingest.units import child_units, normalize_organizer, organizer_names, unit_table
from reliefplan.models import budget, campaigns, coverage
from reliefplan.core.areas import township_of
from reliefplan.models.coverage import in_unit
from reliefplan.models.eligibility import assess, dibao_notice, missing_dibao, missing_dibao_notice
from reliefplan.reports.timeline_section import timeline_section

# ------------------------------------------------------------------ context

class ReportContext:
    """Everything one report reads, loaded once; derived results computed on first use.

    ``plan``: the plan's :class:`PlanInputs` (or a plan dict). ``unit_code`` None means a roll-up:
    of ``rollup_code`` (a unit with units below it, e.g. a city of a province plan) or, when that
    is None too, of the whole planning area.
    """

    def __init__(self, plan, *, unit_code: str | None = None, lang: str = "zh", organizer: str | None = None,
                 rollup_code: str | None = None):
        self.plan_inputs = PlanInputs.of(plan)
        plan = self.plan = self.plan_inputs.plan
        self.lang = lang
        self.year = int(plan["year"])
        self.unit_code = None if organizer else unit_code
        self.organizer = _norm_org(organizer) if organizer else None
        self.rollup_code = None if (organizer or unit_code) else (str(rollup_code) if rollup_code else None)
        self.demo = self.plan_inputs.demo

    @property
    def area_code(self) -> str:
        """The area this report covers: the unit, the roll-up's unit, or the plan's area."""
        return str(self.unit_code or self.rollup_code or self.plan.get("area") or "all")

    @property
    def is_unit(self) -> bool:
        """A report of one unit (an area or an organizer), not the roll-up."""
        return bool(self.unit_code or self.organizer)

    # -- inputs --
    @cached_property
    def inputs(self):
        # only a roll-up draws a map: a unit report does not unpickle the boundaries (a province's are large)
        return coverage.load_inputs(self.plan_inputs, boundaries=not self.is_unit)

    @property
    def areas(self) -> pd.DataFrame:
        return self.inputs.areas

    @property
    def categories(self) -> pd.DataFrame:
        return self.inputs.categories

    @cached_property
    def all_units(self) -> pd.DataFrame:
        """Every reporting unit of the plan, as a tree (see :func:`reliefplan.ingest.units.unit_table`)."""
        return unit_table(self.plan, self.areas)

    @cached_property
    def units(self) -> pd.DataFrame:
        """The units a roll-up reconciles with: those directly below its area."""
        return child_units(self.all_units, self.rollup_code or str(self.plan.get("area", "") or ""))

    @cached_property
    def unit_name(self) -> str:
        if self.organizer:
            return self.organizer
        return area_name(self.areas, self.unit_code or self.rollup_code or str(self.plan.get("area", "")), self.lang)

    def in_unit(self, codes: pd.Series) -> pd.Series:
        """Which area codes belong to this report: the unit's, or (roll-up) any reporting unit's."""

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
        hist = campaigns.prepare(self.plan_inputs.history)
        return hist.loc[self.in_unit(hist["area_code"])]

    def category_labels(self) -> dict[str, str]:

        return category_labels(self.categories, self.lang)

    # -- the plan year: eligibility and budget (city-wide, then sliced) --
    @cached_property
    def _plan_wide(self) -> dict:
        """Eligibility, beneficiaries and every scenario's budget over the whole planning area.

        They are the same for every report of a run (a pure function of the plan and its files), so a
        warm kernel computes them once and each report gets deep copies
        (:meth:`PlanInputs.shared <reliefplan.ingest.inputs.PlanInputs.shared>`): a province's 100
        reports do not each recompute the province's budget.
        """
        def compute():
            inp = self.inputs
            elig = assess(inp.registry, self.plan, inp.dibao, inp.areas, on_date=spring_festival(self.year))
            ben = budget.beneficiaries_from_registry(inp.registry, elig, plan=self.plan, categories=self.categories)
            return {"eligibility": elig, "beneficiaries": ben, "budgets": budget.compare_scenarios(self.plan, ben)}

        return self.plan_inputs.shared("plan_wide", compute)

    @property
    def eligibility(self) -> pd.DataFrame:
        """Eligibility of every registry row in the planning area on 春节 of the plan year."""
        return self._plan_wide["eligibility"]

    @cached_property
    def reference_notice(self) -> tuple[str, str] | None:
        """(zh, en) warning when the plan needs 低保 standards the table lacks for this report's people."""
        reg = self.registry
        gaps = missing_dibao(reg, self.eligibility.reindex(reg.index), self.plan)
        names = dict(zip(self.areas["code"].astype(str), self.areas["name"].astype(str)))
        return missing_dibao_notice(gaps, spring_festival(self.year), names)

    @property
    def beneficiaries(self) -> pd.DataFrame:
        return self._plan_wide["beneficiaries"]

    @property
    def budgets(self) -> dict:
        """Every scenario's city-wide budget, baseline first."""
        return self._plan_wide["budgets"]

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
        if self.unit_code or self.rollup_code:
            return self.lines_in(self.unit_code or self.rollup_code, b)
        return b.lines.loc[self.in_unit(b.lines["county_code"])]

    def listing_payments(self, b=None) -> pd.DataFrame:
        """What the plan's per-person rule pays each listing under budget ``b`` (the baseline by default).

        Decided over the whole planning area (which of a person's listings pays), so, like the budgets,
        a warm kernel computes it once per scenario and each report gets a copy.
        """
        b = b if b is not None else self.baseline
        return self.plan_inputs.shared(f"listing_payments:{b.scenario}",
                                       lambda: budget.listing_payments(self.plan, self.beneficiaries, b.standards))

    def lines_in(self, code: str, b=None) -> pd.DataFrame:
        """Budget lines of the area ``code``: a county's (or a city's) lines, or a township's share of them.

        Budget lines are per county and category; a township's are its
        beneficiaries' gifts with the county line's overheads and
        contingency split by :func:`split_lines`, so the townships of a county
        add up to the county to the fen.
        """
        b = b if b is not None else self.baseline
        code = str(code)
        if len(code) <= 6:
            return b.lines.loc[in_unit(b.lines["county_code"].astype(str), code)]
        lines = self.township_lines(b.scenario)
        return lines.loc[lines["township_code"] == code].drop(columns=["township_code"]).reset_index(drop=True)

    def township_lines(self, scenario: str) -> pd.DataFrame:
        """Budget ``scenario``'s lines split over townships (cached per scenario)."""
        cache = self.__dict__.setdefault("_township_lines", {})
        if scenario not in cache:
            reg = self.inputs.registry
            cache[scenario] = split_lines(self.budgets[scenario], self.beneficiaries,
                                          township_of(reg["area_code"]).astype(str), key="township_code",
                                          plan=self.plan)
        return cache[scenario]

    def organizer_lines(self, scenario: str) -> pd.DataFrame:
        """Budget ``scenario``'s lines split over every organizer (cached per scenario)."""
        cache = self.__dict__.setdefault("_organizer_lines", {})
        if scenario not in cache:
            reg = self.inputs.registry
            cache[scenario] = organizer_lines(self.budgets[scenario], self.beneficiaries,
                                              reg["organizer"].astype("string").fillna("").map(_norm_org),
                                              plan=self.plan)
        return cache[scenario]

    # -- the last completed campaign: coverage --
    @cached_property
    def coverage(self):

        inputs = self.inputs
        if self.organizer:
            reg = self.registry
            ids = set(reg["id_number"].astype(str))
            visits = inputs.visits.loc[inputs.visits["id_number"].astype(str).isin(ids)]
            inputs = dataclasses.replace(inputs, registry=reg, visits=visits)
        return coverage.analyse(inputs, unit=self.area_code)

    @cached_property
    def timeline(self) -> dict:
        # the reports draw their own teams' load chart (unit_sections.unit_schedule_blocks), never these
        return timeline_section(self.plan, self.lang, registry=self.registry, areas=self.areas, load_charts=False)


def of_organizer(registry: pd.DataFrame, organizer: str) -> pd.Series:
    """Which registry rows were listed by ``organizer`` (names compared with whitespace runs made one space)."""
    if "organizer" not in registry:
        return pd.Series(False, index=registry.index)
    names = registry["organizer"].astype("string").fillna("").map(_norm_org)
    return (names == _norm_org(organizer)).astype(bool)


def _norm_org(name) -> str:

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
    county = county_of(history["area_code"])
    return (history["organizer"].astype(str).str.strip() == kind) & county.isin(set(counties.astype(str)))


def organizer_lines(b, beneficiaries: pd.DataFrame, organizer: pd.Series, *, plan: dict | None = None) -> pd.DataFrame:
    """Budget ``b``'s lines split by organizer (see :func:`split_lines`); ``organizer`` '' = none given."""
    return split_lines(b, beneficiaries, organizer, key="organizer", plan=plan)


def split_lines(b, beneficiaries: pd.DataFrame, part_of: pd.Series, *, key: str,
                plan: dict | None = None) -> pd.DataFrame:
    """Budget ``b``'s lines split by ``part_of`` (an organizer, a township): county_code, category, ``key``, money.

    Gifts are each beneficiary's own amount under ``b``'s standards (they add
    up to the line's gifts exactly); the line's overhead is split over the
    parts in it by recipients and its contingency by gifts + overhead,
    both largest remainder (:func:`reliefplan.models.budget.allocate_exact`) — the
    weights :func:`reliefplan.models.budget.build_budget` uses between lines — so the
    parts of a line add up to the line, and all of them to the city, to
    the fen. ``part_of`` is aligned with the registry.
    With ``plan``, a listing's gifts are what the plan's per-person rule pays
    it (``budget.listing_payments``); a listing paid elsewhere counts nothing.
    """
    organizer = part_of

    ben = beneficiaries
    count, cash, goods = budget.group_amounts(ben, b.standards)
    cash, goods = count * cash, count * goods
    if plan is not None and "person_key" in ben:
        pay = budget.listing_payments(plan, ben, b.standards)
        paid = pay["paid"].to_numpy(dtype=bool)
        ben = ben.loc[paid]
        count, cash, goods = count[paid], pay["cash_fen"].to_numpy()[paid], pay["goods_fen"].to_numpy()[paid]
    rows = pd.DataFrame({
        "county_code": ben["county_code"].astype(str).to_numpy(), "category": ben["category"].astype(str).to_numpy(),
        key: organizer.reindex(ben.index).fillna("").astype(str).to_numpy(),
        "households": ben["households"].to_numpy(dtype=np.int64), "persons": ben["persons"].to_numpy(dtype=np.int64),
        "recipients": count, "cash_fen": cash, "goods_fen": goods,
    })
    keys = ["county_code", "category", key]
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


def plan_dibao_notice(plan) -> tuple[str, str] | None:
    """The missing-低保 warning for the whole plan area on 春节 of the plan year (None when complete).

    ``plan``: a loaded plan or its PlanInputs.
    """
    inputs = PlanInputs.of(plan)
    if not all(inputs.has(key) for key in ("registry", "areas", "dibao")):
        return None
    return dibao_notice(inputs.registry, inputs.plan, inputs.dibao, inputs.areas)


def load_context(plan_file=None, unit_code=None, *, year=None, lang: str = "zh", organizer=None,
                 rollup: bool = False) -> ReportContext:
    """Load a plan and check the notebook's parameters against it (bilingual errors listing valid choices).

    ``organizer`` (a registry 填报单位 name) makes it an organizer's report; ``unit_code`` is then ignored.
    ``rollup``: a roll-up of ``unit_code`` (a unit with units below it), or of the planning area when
    ``unit_code`` is None or empty.
    """

    if lang not in labels.LANGS:
        raise ConfigError(f"语言 {lang!r} 无效, 可选: zh, en", f"invalid language {lang!r}; valid: zh, en",
                          column="lang")
    inputs = PlanInputs(plan_file)
    plan = inputs.plan
    if year is not None and int(year) != int(plan["year"]):
        raise ConfigError(f"参数 year={year} 与方案年度 {plan['year']} 不一致",
                          f"parameter year={year} does not match the plan's year {plan['year']}",
                          file=plan["_path"], column="year")
    if organizer:

        valid = organizer_names(inputs)
        if _norm_org(organizer) not in set(valid):
            shown = ", ".join(valid[:40])
            raise ConfigError(f"未知组织单位 {organizer!r}。可选: {shown}",
                              f"unknown organizer {organizer!r}. Valid: {shown}", file=plan["_path"],
                              column="organizer")
        return ReportContext(inputs, lang=lang, organizer=_norm_org(organizer))
    if rollup and not unit_code:
        return ReportContext(inputs, lang=lang)
    if unit_code is not None:
        units = unit_table(plan, inputs.areas)
        if rollup:
            units = units[~units["leaf"]]
        if str(unit_code) not in set(units["code"]):
            valid = ", ".join(f"{r.code} {r.name}" for r in units.itertuples())
            raise ConfigError(f"未知单位代码 {unit_code!r}。可选: {valid}",
                              f"unknown unit code {unit_code!r}. Valid: {valid}", file=plan["_path"],
                              column="unit_code")
        unit_code = str(unit_code)
    if rollup:
        return ReportContext(inputs, lang=lang, rollup_code=unit_code)
    return ReportContext(inputs, unit_code=unit_code, lang=lang)
