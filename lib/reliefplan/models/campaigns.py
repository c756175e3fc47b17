"""Past campaigns: totals and trends over the campaign history.

The history (历年慰问记录) has one row per year, organizer, area, category
and funding source with households, persons, cash, goods and overheads (int
fen). This module filters it (years, one county) and totals it by any of
year, county, category and funding source, adding:

* ``gifts_fen`` = cash + goods, ``total_fen`` = cash + goods + overheads
  (recomputed; the stated total is checked by :mod:`reliefplan.models.reconcile`);
* ``per_head_fen`` / ``per_household_fen``: gifts per person / household,
  rounded half-up to the fen (integer arithmetic; Int64, null when there
  are no persons / households);
* ``cash_share_pct`` (cash / gifts), ``overhead_share_pct`` (overheads /
  total): percentages for display, rounded to 0.01;
* year-over-year change of any amount (:func:`with_change`).

Sums are exact integer sums; nothing is summed as float.
"""

from __future__ import annotations

import pandas as pd

from reliefplan.core.errors import ConfigError, InputError
from reliefplan.core.areas import area_names, county_of, in_unit  # noqa: F401  (area_names: the notebooks')
from reliefplan.core import labels
from reliefplan.core.money import format_yuan
from reliefplan.ingest.inputs import PlanInputs

COUNT_COLUMNS = ("households", "persons")
MONEY_COLUMNS = ("cash_fen", "goods_fen", "overhead_fen", "gifts_fen", "total_fen")
DIMENSIONS = ("year", "county_code", "category", "funding_source", "organizer", "area_code")





def _half_up_div(num: pd.Series, den: pd.Series) -> pd.Series:
    """num / den rounded half-up, element-wise on integers (Int64; null where den is 0)."""
    num = num.astype("int64")
    den = den.astype("int64")
    safe = den.where(den > 0, 1)
    out = ((2 * num + safe) // (2 * safe)).astype("Int64")
    return out.where(den > 0)


def _pct(part: pd.Series, whole: pd.Series) -> pd.Series:
    """part / whole as a percentage rounded to 0.01 (float, for display; NaN where whole is 0)."""
    whole = whole.astype("int64")
    pct = part.astype("int64") * 100 / whole.where(whole > 0)
    return pct.astype("float64").round(2)


def prepare(history: pd.DataFrame) -> pd.DataFrame:
    """History with ``county_code`` (first 6 digits of the area code), gifts and total in fen.

    Also ``source_row``: the row in the source file (the loader's column,
    else position + 2), so checks on a filtered table still point at the
    right row.
    """
    df = history.copy()
    if "source_row" not in df:
        df["source_row"] = pd.Series(range(2, len(df) + 2), index=df.index, dtype="int64")
    df["county_code"] = county_of(df["area_code"])
    for col in ("households", "persons", "cash_fen", "goods_fen", "overhead_fen"):
        df[col] = df[col].astype("int64")
    df["gifts_fen"] = df["cash_fen"] + df["goods_fen"]
    df["total_fen"] = df["gifts_fen"] + df["overhead_fen"]
    return df


def filter_history(history: pd.DataFrame, year_from: int | None = None, year_to: int | None = None,
                   unit: str = "all") -> pd.DataFrame:
    """Rows in ``year_from..year_to`` (inclusive; None = open) and in ``unit``.

    ``unit`` is ``'all'`` or an area code: the rows whose area lies in it
    (:func:`reliefplan.core.areas.in_unit`: a city code keeps its counties).
    """
    df = prepare(history) if "county_code" not in history else history
    keep = pd.Series(True, index=df.index)
    if year_from is not None:
        keep &= df["year"] >= int(year_from)
    if year_to is not None:
        keep &= df["year"] <= int(year_to)
    keep &= in_unit(df["area_code"].astype(str), unit).to_numpy()
    return df[keep].reset_index(drop=True)


def totals(history: pd.DataFrame, by=("year",)) -> pd.DataFrame:
    """Households, persons, cash, goods, overheads, gifts and total by ``by``, with ratios.

    ``by`` is any of year, county_code, category, funding_source, organizer,
    area_code (empty for a grand total). Returns one row per group, sorted.
    """
    df = prepare(history) if "total_fen" not in history else history
    by = list(by)
    cols = list(COUNT_COLUMNS) + list(MONEY_COLUMNS)
    if by:
        out = df.groupby(by, sort=True)[cols].sum().reset_index()
    else:
        out = pd.DataFrame([{c: int(df[c].sum()) for c in cols}])
    for col in cols:
        out[col] = out[col].astype("int64")
    out["per_head_fen"] = _half_up_div(out["gifts_fen"], out["persons"])
    out["per_household_fen"] = _half_up_div(out["gifts_fen"], out["households"])
    out["cash_share_pct"] = _pct(out["cash_fen"], out["gifts_fen"])
    out["overhead_share_pct"] = _pct(out["overhead_fen"], out["total_fen"])
    return out


def with_change(df: pd.DataFrame, value: str = "total_fen", within=()) -> pd.DataFrame:
    """Add the change of ``value`` on the previous year (``change_fen``/``change_pct``).

    ``within`` names the columns that identify a series (e.g. county_code);
    the previous year is the previous row of the same series in year order.
    The first year of each series has no change (null).
    """
    out = df.sort_values(list(within) + ["year"], kind="stable").copy()
    if within:
        prev = out.groupby(list(within), sort=False)[value].shift(1)
        prev_year = out.groupby(list(within), sort=False)["year"].shift(1)
    else:
        prev = out[value].shift(1)
        prev_year = out["year"].shift(1)
    prev = prev.astype("Int64")
    # only a change on the year just before counts (a gap year gives no change)
    adjacent = (out["year"] - prev_year) == 1
    prev = prev.where(adjacent.fillna(False))
    name = "change_fen" if value.endswith("_fen") else f"change_{value}"
    out[name] = (out[value].astype("Int64") - prev).astype("Int64")
    pct = out[name].astype("float64") * 100 / prev.astype("float64").where(prev > 0)
    out["change_pct" if value == "total_fen" else f"{name}_pct"] = pct.round(2)
    return out.reset_index(drop=True)


def totals_by_year(history: pd.DataFrame) -> pd.DataFrame:
    """Totals per year with the year-over-year change of the total."""
    return with_change(totals(history, ["year"]))


def summary(history: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The standard set of tables: by year, county, category, funding source and year x each."""
    out = {
        "by_year": totals_by_year(history),
        "by_county": totals(history, ["county_code"]),
        "by_category": totals(history, ["category"]),
        "by_funding": totals(history, ["funding_source"]),
        "by_year_county": with_change(totals(history, ["year", "county_code"]), within=["county_code"]),
        "by_year_category": with_change(totals(history, ["year", "category"]), within=["category"]),
        "by_year_funding": totals(history, ["year", "funding_source"]),
    }
    return out


def year_totals(history: pd.DataFrame, value: str = "total_fen") -> dict[int, int]:
    """{year: value} as plain ints, e.g. to record or print."""
    t = totals(history, ["year"])
    return {int(y): int(v) for y, v in zip(t["year"], t[value])}


def add_names(df: pd.DataFrame, areas: pd.DataFrame | None = None, categories: pd.DataFrame | None = None,
              lang: str = "zh") -> pd.DataFrame:
    """Add ``county_name`` (from an areas table) and ``category_name`` (from categories) where possible.

    Each name column follows its code column. Codes without a name keep the
    code as their name, so nothing disappears.
    """
    out = df.copy()
    if "county_code" in out and areas is not None:
        names = area_names(areas, lang)
        out.insert(out.columns.get_loc("county_code") + 1, "county_name",
                   out["county_code"].map(lambda c: names.get(str(c), str(c))))
    if "category" in out and categories is not None:
        names = dict(zip(categories["code"], categories["en" if lang == "en" else "zh"]))
        out.insert(out.columns.get_loc("category") + 1, "category_name",
                   out["category"].map(lambda c: names.get(c, c)))
    return out


def display_totals(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A totals table for people: yuan with thousands separators, labelled columns."""
    out = df.copy()
    for col in out.columns:
        if col.endswith("_fen"):
            out[col] = [format_yuan(int(v)) if pd.notna(v) else "" for v in out[col]]
    return out.rename(columns={c: labels.column_label(c, lang, table="models.campaigns") for c in out.columns})


def check_unit(unit, areas: pd.DataFrame | None = None) -> str:
    """``'all'`` or an area code known to ``areas``; a bilingual error listing the counties otherwise."""

    if unit in (None, "", "all"):
        return "all"
    unit = str(unit).strip()
    if areas is None:
        if not unit.isdigit() or len(unit) not in (6, 9, 12):
            raise ConfigError(f"单位须为 all 或区划代码: {unit!r}", f"unit must be 'all' or an area code: {unit!r}",
                              column="unit")
        return unit
    known = set(areas["code"].astype(str))
    if unit not in known:
        counties = areas[areas["level"] == "county"]
        valid = ", ".join(f"{c} {n}" for c, n in zip(counties["code"], counties["name"]))
        raise ConfigError(f"未知单位代码 {unit}; 可选: all, {valid}",
                          f"unknown unit code {unit}; valid: all, {valid}", column="unit")
    return unit


def load_inputs(plan_file=None, history_file=None, case_library_file=None) -> dict:
    """What the past-campaigns analysis needs, from the plan's :class:`~reliefplan.ingest.inputs.PlanInputs`.

    The history and case library come from ``history_file`` /
    ``case_library_file`` when given, else from the plan's ``data:`` entries
    (``plan_file``: a PlanInputs, a plan, a plan file, or None for the demo
    plan). Returns a dict with plan, history, case_library, areas (None when
    the plan names none), categories, history_path, case_library_path, and
    ``demo`` (:attr:`PlanInputs.demo`: the notebook then shows 示例数据，人员均为虚构).
    """
    if isinstance(plan_file, PlanInputs) and not (history_file or case_library_file):
        inputs = plan_file
    else:
        plan = plan_file.plan if isinstance(plan_file, PlanInputs) else plan_file
        inputs = PlanInputs(plan, history=history_file, case_library=case_library_file)
    return {
        "plan": inputs.plan,
        "history": inputs.history,
        "case_library": inputs.case_library,
        "areas": inputs.get("areas"),
        "categories": inputs.categories,
        "history_path": inputs.path("history"),
        "case_library_path": inputs.path("case_library"),
        "demo": inputs.demo,
    }


def require_rows(history: pd.DataFrame, year_from=None, year_to=None, unit="all") -> pd.DataFrame:
    """``history`` unchanged, or a bilingual error when the filter left no record."""
    if len(history):
        return history

    raise InputError(f"所选范围内没有历年慰问记录(年度 {year_from}–{year_to}, 单位 {unit})",
                     f"no campaign records in the selection (years {year_from}-{year_to}, unit {unit})",
                     column="year_from/year_to/unit")
