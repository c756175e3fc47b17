"""What the app works from: the plan's tables read once, the what-if state precomputed, people masked.

:func:`load_inputs` is the only function of the app that reads files. The
people list the "who is affected" view shows is masked here, at load time
(name, ID number), so the panel never holds an unmasked name or number.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reliefplan.core import labels
from reliefplan.core.areas import areas_at_level
from reliefplan.core.errors import ConfigError
from reliefplan.core.money import format_yuan
from reliefplan.core.privacy import mask_id, mask_name
from reliefplan.ingest.inputs import PlanInputs
from reliefplan.models import budget as bm
from reliefplan.models import campaigns
from reliefplan.models import whatif
from reliefplan.models.standards import scenarios
from reliefplan.views.app.texts import esc, t


@dataclass
class Inputs:
    """What the budget notebook and the app work from."""

    plan: dict
    registry: pd.DataFrame
    dibao: pd.DataFrame
    areas: pd.DataFrame
    rows: pd.DataFrame              # whatif.whatif_rows: eligibility at the plan's and a loose threshold
    beneficiaries: pd.DataFrame     # budget.beneficiaries_from_registry at the requested threshold
    state: whatif.WhatIfState | None
    unit_names: dict
    categories: pd.DataFrame | None = None
    history: pd.DataFrame | None = None
    people: pd.DataFrame | None = None    # masked: name, id_number, township, household_size (registry index)
    demo: bool = False              # PlanInputs.demo: the 示例数据 notice is shown


def masked_people(registry: pd.DataFrame, areas: pd.DataFrame | None, lang: str = "zh") -> pd.DataFrame:
    """The registry reduced to what a list of affected people may show, masked (same index)."""
    names = bm.unit_names(areas, lang)
    area = registry["area_code"].astype(str)
    township = area.str[:9].map(names).fillna(area.str[:9])   # a county-only code shows the county
    return pd.DataFrame({
        "name": registry["name"].map(mask_name),
        "id_number": registry["id_number"].map(mask_id),
        "township": township,
        "household_size": registry["household_size"].astype("Int64") if "household_size" in registry
        else pd.array([pd.NA] * len(registry), dtype="Int64"),
    }, index=registry.index)


def load_inputs(plan_file=None, *, threshold_multiple=None, on_date=None, lang: str = "zh",
                prepare: bool = True) -> Inputs:
    """Read the plan's registry, 低保 standards, areas and history; assess eligibility; precompute the what-if state.

    ``plan_file``: a :class:`PlanInputs`, a loaded plan, a plan file, or None (the demo plan).
    ``prepare=False`` skips the what-if state (the CLI does not need it).
    """
    data = PlanInputs.of(plan_file)
    plan, registry, dibao, areas, categories = data.plan, data.registry, data.dibao, data.areas, data.categories
    rows = whatif.rows_from_assess(registry, plan, dibao, areas, on_date=on_date)
    elig = pd.DataFrame({"eligible": whatif.eligible_at(rows, threshold_multiple), "dibao_fen": rows["dibao_fen"]})
    ben = bm.beneficiaries_from_registry(registry, elig, plan=plan, categories=categories)
    state = whatif.prepare(plan, rows, categories=categories) if prepare else None
    people = masked_people(registry, areas, lang) if prepare else None
    return Inputs(plan, registry, dibao, areas, rows, ben, state, bm.unit_names(areas, lang),
                  categories, data.get("history"), people, demo=data.demo)


def check_unit(unit, inputs: Inputs) -> str:
    """The notebook's ``unit`` as the budget model knows it: 'all' or a county code of the plan.

    The budget is costed per county, so a township (or village) code would match no
    budget line and show 0 households: it is refused with a bilingual error listing
    the counties (the coverage notebook 03 goes down to townships). The planning
    area's own code means 'all'.
    """
    if unit in (None, "", "all", "全部") or str(unit) == str(inputs.plan.get("area", "")):
        return "all"
    unit = str(unit).strip()
    counties = areas_at_level(inputs.areas, "county", inputs.plan.get("area"))
    if unit in set(counties["code"].astype(str)):
        return unit
    valid = ", ".join(f"{c} {n}" for c, n in zip(counties["code"], counties["name"]))
    level = dict(zip(inputs.areas["code"].astype(str), inputs.areas["level"].astype(str))).get(unit)
    why_zh, why_en = (("预算按县(市、区)测算, 乡镇请用覆盖分析(03)", "the budget is costed per county; for a township "
                       "use the coverage notebook (03)") if level in ("township", "village") else
                      ("未知单位代码", "unknown unit code"))
    raise ConfigError(f"{why_zh}: {unit}; 可选: all, {valid}", f"{why_en}: {unit}; valid: all, {valid}", column="unit")


def for_unit(frame: pd.DataFrame, unit: str = "all") -> pd.DataFrame:
    """Rows of one unit (county_code), or all of them."""
    return frame if unit in (None, "all") else frame[frame["county_code"] == unit]


def initial_controls(*, scenario=None, cap=None, allocation_mode=None, threshold_multiple=None,
                     unit="all") -> dict:
    """The app's starting controls from the notebook's parameters (None keeps the plan's)."""
    out = {"unit": unit or "all", "threshold": threshold_multiple}
    if scenario is not None:
        out["scenario"] = scenario
    if cap is not None:
        out["cap_yuan"] = cap
    if allocation_mode is not None:
        out["mode"] = allocation_mode
    return out


def plan_scenarios(plan: dict) -> list[str]:
    return [s["name"] for s in scenarios(plan)]


def last_year_totals(history: pd.DataFrame | None, year: int) -> dict[str, int]:
    """Last campaign's total in fen, city-wide (key ``all``) and per county code; empty without history."""
    if history is None or not len(history):
        return {}
    prev = history[history["year"] == int(year) - 1]
    if not len(prev):
        return {}
    by = campaigns.totals(prev, ["year", "area_code"])
    county = by["area_code"].astype(str).str[:6]
    out = {str(c): int(v) for c, v in by.groupby(county)["total_fen"].sum().items()}
    out["all"] = int(by["total_fen"].sum())
    return out


def intro_html(inputs: Inputs, *, scenario=None, unit="all", lang: str = "zh") -> str:
    """The budget notebook's opening lines (demo notice, plan, unit, who is counted) as escaped HTML.

    The plan name and the unit name come from files: they are escaped, never
    put into Markdown as they are.
    """
    plan = inputs.plan
    ben = for_unit(inputs.beneficiaries, unit)
    unit_name = t("city", lang) if unit in (None, "all") else inputs.unit_names.get(unit, unit)
    sc = scenario or plan_scenarios(plan)[0]
    lines = []
    if lang == "zh":
        lines += [f"方案: {esc(plan.get('name', ''))} ({esc(plan.get('year'))} 年)",
                  f"单位: {esc(unit_name)}; 情景: {esc(sc)}",
                  f"名单 {len(inputs.registry):,} 条, 符合条件 {len(ben):,} 户(人), "
                  f"涉及 {int(ben['persons'].sum()):,} 人"]
    else:
        lines += [f"Plan: {esc(plan.get('name_en', plan.get('name', '')))} ({esc(plan.get('year'))})",
                  f"Unit: {esc(unit_name)}; scenario: {esc(sc)}",
                  f"Registry rows {len(inputs.registry):,}; eligible {len(ben):,} households/persons "
                  f"({int(ben['persons'].sum()):,} persons)"]
    demo = f"<p><b>{esc(t('demo', lang))}</b></p>" if inputs.demo else ""
    return demo + "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"


def totals_table(result: bm.Budget, unit: str = "all", lang: str = "zh") -> pd.DataFrame:
    """Key figures of a budget (or of one unit of it) as a two-column table; money in yuan strings."""
    tot = result.totals if unit in (None, "all") else {**result.unit(unit), **{
        k: result.totals[k] for k in ("funding_fen", "gap_fen", "cap_fen", "cap_margin_fen")}}
    keys = ["households", "persons", "recipients", "cash_fen", "goods_fen", "gifts_fen", "overhead_fen",
            "contingency_fen", "total_fen", "funding_fen", "gap_fen", "cap_fen", "cap_margin_fen"]
    values = []
    for k in keys:
        v = tot.get(k)
        if v is None:
            values.append("—")
        elif k.endswith("_fen"):
            values.append(format_yuan(int(v)))
        else:
            values.append(f"{int(v):,}")
    head = ("项目", "数值") if lang == "zh" else ("Item", "Value")
    label_key = {"cap_fen": "budget_cap_fen"}
    return pd.DataFrame({head[0]: [labels.label(label_key.get(k, k), lang) for k in keys], head[1]: values})
