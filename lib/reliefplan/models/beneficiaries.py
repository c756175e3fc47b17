"""Who the budget pays (救助对象): beneficiary frames from the registry or from counts.

Beneficiaries come either from the registry's eligible people
(:func:`beneficiaries_from_registry`) or from counts such as the
campaign-history forecast (:func:`beneficiaries_from_counts`); both give the
same frame, one row per registry household/person or per counted group:

    county_code, category, dibao_fen, households, persons,
    income_fen, household_size, divisible

plus, for registry rows, ``person_key`` (who the row is, for the per-person
rule of :mod:`reliefplan.models.per_person`) and ``organizer`` (填报单位,
for funding pools restricted to organizers) when the registry has them.

A household category's registry row is one household of ``household_size``
persons; any other row is one person. A standard per household counts
households, per person counts persons (a 低保 household of 3 under a
per-person standard is paid 3 times). ``divisible`` marks counted groups
that a budget cap may cover in part; registry rows are covered whole.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from reliefplan.core import labels
from reliefplan.core.areas import county_of
from reliefplan.core.errors import InputError
from reliefplan.core.lunar_dates import spring_festival
from reliefplan.models import households
from reliefplan.models import standards as stds
from reliefplan.models.eligibility import assess, dibao_in_force

BENEFICIARY_COLUMNS = ("county_code", "category", "dibao_fen", "households", "persons",
                       "income_fen", "household_size", "divisible")
# Optional columns carried from the registry (dropped when rows are aggregated into groups).
IDENTITY_COLUMNS = ("person_key", "organizer")
# What the per-person rule takes off a row's full cost (see reliefplan.models.per_person).
CUT_COLUMNS = ("cash_cut_fen", "goods_cut_fen")


def _empty_beneficiaries() -> pd.DataFrame:
    return pd.DataFrame({
        "county_code": pd.Series([], dtype=object), "category": pd.Series([], dtype=object),
        "dibao_fen": pd.Series([], dtype="int64"), "households": pd.Series([], dtype="int64"),
        "persons": pd.Series([], dtype="int64"), "income_fen": pd.Series([], dtype="Int64"),
        "household_size": pd.Series([], dtype="Int64"), "divisible": pd.Series([], dtype=bool),
    })


def _unit_of(plan: dict, categories: pd.DataFrame | None) -> dict[str, str]:
    cats = categories if categories is not None else stds.plan_categories(plan)
    return dict(zip(cats["code"], cats["unit"]))


def beneficiaries_from_registry(registry: pd.DataFrame, eligibility: pd.DataFrame | None = None, *,
                                plan: dict, categories: pd.DataFrame | None = None,
                                only_eligible: bool = True) -> pd.DataFrame:
    """The registry's beneficiaries in the plan's categories, indexed like ``registry``.

    ``eligibility`` is :func:`reliefplan.models.eligibility.assess` output (``eligible``,
    ``dibao_fen``); without it every row in a plan category counts and the
    低保 standard is taken from a ``dibao_fen`` column of the registry if any.
    """
    in_plan = registry["category"].astype(object).isin(list(plan.get("categories") or {}))
    keep = in_plan.to_numpy(dtype=bool).copy()
    if eligibility is not None and only_eligible:
        keep &= eligibility["eligible"].reindex(registry.index).fillna(False).to_numpy(dtype=bool)
    rows = registry.loc[keep]
    if not len(rows):
        return _empty_beneficiaries()
    if "county_code" in rows:
        county = rows["county_code"].astype(str)
    else:
        county = county_of(rows["area_code"])
    if eligibility is not None:
        dibao = eligibility["dibao_fen"].reindex(rows.index)
    elif "dibao_fen" in rows:
        dibao = rows["dibao_fen"]
    else:
        dibao = pd.Series(pd.NA, index=rows.index)
    dibao = pd.to_numeric(dibao, errors="coerce").fillna(-1).astype("int64")
    size = (rows["household_size"].astype("Int64") if "household_size" in rows
            else pd.Series(pd.array([pd.NA] * len(rows), dtype="Int64"), index=rows.index))
    unit = rows["category"].astype(object).map(_unit_of(plan, categories))
    persons = np.where(unit.to_numpy() == "household", size.fillna(1).clip(lower=1).to_numpy(dtype=np.int64), 1)
    income = (rows["income_fen"].astype("Int64") if "income_fen" in rows
              else pd.Series(pd.array([pd.NA] * len(rows), dtype="Int64"), index=rows.index))
    out = pd.DataFrame({
        "county_code": county.to_numpy(dtype=object),
        "category": rows["category"].to_numpy(dtype=object),
        "dibao_fen": dibao.to_numpy(),
        "households": np.ones(len(rows), dtype=np.int64),
        "persons": persons.astype(np.int64),
        "income_fen": income.array,
        "household_size": size.array,
        "divisible": np.zeros(len(rows), dtype=bool),
    }, index=rows.index)
    key = person_keys(rows)
    if key is not None:
        out["person_key"] = key.to_numpy(dtype=object)
    if "organizer" in rows:
        out["organizer"] = rows["organizer"].astype(object).where(rows["organizer"].notna(), "").to_numpy(dtype=object)
    # A roster household (member rows sharing a household_key) is one beneficiary of as many persons as members.
    return households.collapse(out, rows)


def person_keys(registry: pd.DataFrame) -> pd.Series | None:
    """Who each registry row is: its ``person_key`` (pseudonymous) or else its ID number; None without either."""
    for col in ("person_key", "id_number"):
        if col in registry:
            return registry[col].astype(object)
    return None


def beneficiaries_for_plan(plan: dict, registry: pd.DataFrame, dibao: pd.DataFrame, areas: pd.DataFrame, *,
                           threshold_multiple=None, on_date=None,
                           categories: pd.DataFrame | None = None) -> pd.DataFrame:
    """The plan's eligible beneficiaries from a loaded registry (eligibility.assess, then the rows it admits).

    Use the whole plan area's registry even for one unit's report: a unit's
    budget is its share of the city-wide budget (``Budget.unit(code)``), so
    the unit reports add up to the roll-up to the fen.
    """
    elig = assess(registry, plan, dibao, areas, threshold_multiple=threshold_multiple, on_date=on_date)
    return beneficiaries_from_registry(registry, elig, plan=plan, categories=categories)


def dibao_by_county(dibao: pd.DataFrame, on_date) -> pd.DataFrame:
    """The monthly 低保 standard in force on ``on_date`` per county and urban/rural (monthly_fen)."""
    return dibao_in_force(dibao, on_date)


def beneficiaries_from_counts(counts: pd.DataFrame, *, plan: dict, dibao: pd.DataFrame | None = None,
                              on_date=None) -> pd.DataFrame:
    """Beneficiaries given as counts (county_code, category, households, persons), e.g. a forecast.

    Categories outside the plan are left out. The 低保 standard of a group
    comes from its ``dibao_fen`` column if present, else from the ``dibao``
    table in force on ``on_date`` (春节 of the plan year by default),
    matched on ``urban_rural`` when the counts have it; without that the
    county's higher standard is used, so the budget is not understated.
    """
    missing = [c for c in ("county_code", "category", "households", "persons") if c not in counts]
    if missing:
        raise InputError(f"人数表缺少列: {', '.join(missing)}", f"counts lack columns: {', '.join(missing)}",
                         column=missing[0])
    df = counts.loc[counts["category"].astype(object).isin(list(plan.get("categories") or {}))].copy()
    for col in ("households", "persons"):
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() | (values < 0) | (values != values.round())
        if bad.any():
            i = bad.to_numpy().nonzero()[0][0]
            raise InputError(f"{labels.label(col)}须为非负整数, 实为 {df[col].iloc[i]!r}",
                             f"{col} must be a whole number >= 0, got {df[col].iloc[i]!r}", row=int(i) + 1, column=col)
        df[col] = values.astype("int64")
    df["county_code"] = df["county_code"].astype(str)
    if "dibao_fen" in df:
        dib = pd.to_numeric(df["dibao_fen"], errors="coerce").fillna(-1).astype("int64")
    elif dibao is not None:
        when = on_date if on_date is not None else spring_festival(int(plan["year"]))
        current = dibao_by_county(dibao, when)
        current = current.assign(county_code=current["county_code"].astype(str))
        if "urban_rural" in df:
            table = current.set_index(["county_code", "urban_rural"])["monthly_fen"]
            keys = pd.MultiIndex.from_arrays([df["county_code"], df["urban_rural"].astype(str)])
            dib = pd.Series(table.reindex(keys).to_numpy(), index=df.index)
        else:
            table = current.groupby("county_code")["monthly_fen"].max()
            dib = df["county_code"].map(table)
        dib = pd.to_numeric(dib, errors="coerce").fillna(-1).astype("int64")
    else:
        dib = pd.Series(-1, index=df.index, dtype="int64")
    n = len(df)
    return pd.DataFrame({
        "county_code": df["county_code"].to_numpy(dtype=object),
        "category": df["category"].to_numpy(dtype=object),
        "dibao_fen": dib.to_numpy(dtype=np.int64),
        "households": df["households"].to_numpy(dtype=np.int64),
        "persons": df["persons"].to_numpy(dtype=np.int64),
        "income_fen": pd.array([pd.NA] * n, dtype="Int64"),
        "household_size": pd.array([pd.NA] * n, dtype="Int64"),
        "divisible": np.ones(n, dtype=bool),
    }, index=df.index)


def forecast_counts(forecast: pd.DataFrame, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """Counts (county_code, category, households, persons) from :func:`reliefplan.models.forecast.forecast`.

    The forecast gives households; persons are households x the persons per
    household of the series' latest year in ``history`` (half-up), or equal
    to households where the history has none.
    """
    out = forecast[["county_code", "category"]].copy()
    out["county_code"] = out["county_code"].astype(str)
    out["households"] = forecast["forecast"].astype("int64").to_numpy()
    ratio = {}
    if history is not None and len(history):
        h = history.copy()
        if "county_code" not in h:
            h["county_code"] = county_of(h["area_code"])
        h["county_code"] = h["county_code"].astype(str)
        per_year = h.groupby(["county_code", "category", "year"])[["households", "persons"]].sum().reset_index()
        last = per_year.sort_values("year").drop_duplicates(["county_code", "category"], keep="last")
        ratio = {(c, k): (int(p), int(hh)) for c, k, p, hh in
                 zip(last["county_code"], last["category"], last["persons"], last["households"]) if hh > 0}
    persons = []
    for c, k, hh in zip(out["county_code"], out["category"], out["households"]):
        p, base = ratio.get((c, k), (1, 1))
        persons.append(stds.round_fraction(Fraction(int(hh) * p, base)))
    out["persons"] = np.array(persons, dtype=np.int64)
    return out.reset_index(drop=True)


def aggregate(beneficiaries: pd.DataFrame) -> pd.DataFrame:
    """Beneficiaries summed by (county_code, category, dibao_fen): the groups the cost model needs.

    The per-person rule's cuts (``cash_cut_fen``, ``goods_cut_fen``), when
    present, are summed with them.
    """
    if not len(beneficiaries):
        return _empty_beneficiaries()
    sums = ["households", "persons", *[c for c in CUT_COLUMNS if c in beneficiaries]]
    g = (beneficiaries.groupby(["county_code", "category", "dibao_fen"], sort=True, observed=True)
         [sums].sum().reset_index())
    n = len(g)
    g["households"] = g["households"].astype("int64")
    g["persons"] = g["persons"].astype("int64")
    g["income_fen"] = pd.array([pd.NA] * n, dtype="Int64")
    g["household_size"] = pd.array([pd.NA] * n, dtype="Int64")
    g["divisible"] = True
    return g[list(BENEFICIARY_COLUMNS) + [c for c in CUT_COLUMNS if c in g]]


