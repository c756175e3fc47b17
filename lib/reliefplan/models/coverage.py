"""Coverage (慰问到位): registered -> eligible -> planned -> reached, by area and category.

The funnel follows the shape humanitarian dashboards use:

- **registered** (在册): people on the registry (one per ID number, however
  many organizers listed them);
- **eligible** (符合条件): passing the plan's rules (:mod:`reliefplan.models.eligibility`);
- **planned** (计划慰问): the eligible people in the plan's categories, or the
  people a plan or budget allocation names when one is given;
- **visited** (已走访): has a visit record in the campaign year;
- **reached** (已到位), by the person's delivery mode (:mod:`reliefplan.models.delivery`):
  a transfer (转账/社会化发放) is reached when it is paid (a record with money),
  ``reached_paid``; a collective distribution (集中发放) when its receipt is
  signed, ``reached_signed``; a home visit (上门走访) when the visit's receipt
  is signed, ``reached_visited``. Visits or distributions without a signature
  count as visited-not-confirmed (``visited_unsigned``) and are shown, not
  counted as reached. A plan that sets no delivery mode treats everyone as
  visited, as before.

Derived per group: coverage rate (eligible people reached / eligible),
exclusion (eligible, not reached) and inclusion (reached, not eligible -
including people visited who are not on the registry at all), with rates
(exclusion / eligible, inclusion / reached).

A person listed under several categories or areas is counted once, under
their highest-priority eligible listing, so group counts add up to the
totals. Everything here is a pure function of DataFrames;
:func:`load_inputs` is the one place that reads files (through the
project loaders) so notebooks and the CLI share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from reliefplan.core import labels
from reliefplan.core.areas import (  # noqa: F401  (NO_TOWNSHIP, in_unit, township_of, unit_prefix re-exported)
    NO_TOWNSHIP, area_names, county_of, in_unit, township_of, unit_prefix)
from reliefplan.models import delivery
from reliefplan.models.coverage_inputs import CoverageInputs, load_inputs  # noqa: F401  (re-exported)
from reliefplan.core.lunar_dates import spring_festival
from reliefplan.core.money import to_fen
from reliefplan.core.privacy import person_keys
from reliefplan.models import continuity as cont
from reliefplan.models import follow_up as gaplist
from reliefplan.models import multi_listed as dup
from reliefplan.models.eligibility import assess
from reliefplan.models.multi_listed import joined_unique

FUNNEL_COUNTS = ("registered", "eligible", "planned", "visited", "reached", "visited_unsigned",
                 "eligible_reached", "exclusion", "inclusion", "reached_unregistered",
                 "reached_paid", "reached_signed", "reached_visited")
REACHED_BY_MODE = {"transfer": "reached_paid", "collective": "reached_signed", "visit": "reached_visited"}
FUNNEL_RATES = ("coverage_rate", "exclusion_rate", "inclusion_rate")



# ---------------------------------------------------------------------------
# Helpers on codes and units
# ---------------------------------------------------------------------------

def category_priority(plan: dict, categories: pd.DataFrame | None) -> dict[str, int]:
    """Category code -> priority: the plan's ``priority`` when set, else the category default."""
    out = {} if categories is None else dict(zip(categories["code"], categories["priority"].astype(int)))
    for code, std in (plan.get("categories") or {}).items():
        if isinstance(std, dict) and std.get("priority") is not None:
            out[code] = int(std["priority"])
    return out


def visits_in_year(visits: pd.DataFrame, year: int) -> pd.DataFrame:
    """Visits of one campaign year."""
    return visits.loc[visits["campaign_year"].astype(int) == int(year)]


# ---------------------------------------------------------------------------
# Person-level status
# ---------------------------------------------------------------------------

def _planned_mask(registry: pd.DataFrame, eligible: pd.Series, planned) -> pd.Series:
    if planned is None:
        return eligible.astype(bool)
    if isinstance(planned, pd.Series) and planned.dtype == bool:
        return planned.reindex(registry.index, fill_value=False)
    wanted = set(map(str, planned))
    hit = registry["id_number"].astype(str).isin(wanted)
    if "person_key" in registry:
        hit |= registry["person_key"].astype(str).isin(wanted)
    return hit


def person_status(registry: pd.DataFrame, eligibility: pd.DataFrame, visits: pd.DataFrame, *,
                  year: int, planned=None, priority: dict | None = None) -> pd.DataFrame:
    """One row per person (ID number): registry facts, eligibility and what the visits say.

    ``eligibility`` is :func:`reliefplan.models.eligibility.assess` on ``registry``.
    ``planned``: None (= the eligible), a boolean Series aligned with the
    registry, or a collection of ID numbers / person keys (a plan's list or
    a budget allocation). ``priority``: category -> priority, used to pick
    the row that represents a person listed more than once (eligible rows
    first, then the highest priority, then the first listed).

    People with visits in ``year`` who are not on the registry get a row
    with ``registered`` False (they count as inclusion when reached).
    """
    priority = priority or {}
    # Only the columns read below: a copy of every registry column is the largest transient of a big run.
    keep = [c for c in ("person_key", "name", "area_code", "county_code", "category", "income_fen", "phone",
                        "household_size", "delivery") if c in registry]
    reg = registry[["id_number", *keep, *(["organizer"] if "organizer" in registry else [])]]
    elig = eligibility.reindex(reg.index)
    reg["eligible"] = elig["eligible"].fillna(False).astype(bool)
    for col in ("income_ratio", "dibao_fen", "reason_zh", "reason_en", "age"):
        if col in elig:
            reg[col] = elig[col]
    reg["planned"] = _planned_mask(reg, reg["eligible"], planned).astype(bool)
    reg["priority"] = reg["category"].map(priority).fillna(99).astype(int)
    reg["_order"] = np.arange(len(reg))

    grouped = reg.groupby("id_number", sort=False)
    listings = grouped.size().rename("listings")
    organizers = joined_unique(reg["id_number"], reg["organizer"]) if "organizer" in reg \
        else pd.Series("", index=listings.index)
    any_eligible = grouped["eligible"].any()
    any_planned = grouped["planned"].any()

    # The representative row of each person: sort positions by the keys, not the whole frame.
    order = reg[["eligible", "priority", "_order"]].sort_values(["eligible", "priority", "_order"],
                                                               ascending=[False, True, True])["_order"].to_numpy()
    ids_in_order = reg["id_number"].to_numpy()[order]
    first = order[~pd.Series(ids_in_order).duplicated(keep="first").to_numpy()]
    keep = [c for c in ("person_key", "name", "area_code", "county_code", "category", "income_fen",
                        "income_ratio", "dibao_fen", "age", "phone", "reason_zh", "reason_en",
                        "priority", "household_size", "delivery") if c in reg]
    people = reg[["id_number", *keep]].take(first).set_index("id_number")
    people["registered"] = True
    people["listings"] = listings.reindex(people.index).astype(int)
    people["organizers"] = organizers.reindex(people.index).fillna("")
    people["eligible"] = any_eligible.reindex(people.index).astype(bool)
    people["planned"] = any_planned.reindex(people.index).astype(bool)

    vis = visits_in_year(visits, year).copy()
    vis["signed"] = vis["signed"].fillna(False).astype(bool)
    vg = vis.groupby("id_number", sort=False)
    vsum = pd.DataFrame({
        "n_visits": vg.size(),
        "signed_any": vg["signed"].any(),
        "cash_fen": vg["cash_fen"].sum().astype("int64"),
        "goods_fen": vg["goods_fen"].sum().astype("int64"),
    })
    # Visited people not on the registry: take their facts from the first visit.
    extra_ids = vsum.index.difference(people.index)
    if len(extra_ids):
        first = vis.drop_duplicates("id_number").set_index("id_number").loc[extra_ids]

        extra = pd.DataFrame({
            "person_key": person_keys(extra_ids),
            "name": first["name"] if "name" in first else "",
            "area_code": first["area_code"].astype(str),
            "county_code": county_of(first["area_code"]),
            "category": first["category"] if "category" in first else "",
            "priority": first["category"].map(priority).fillna(99).astype(int) if "category" in first else 99,
            "registered": False, "listings": 0, "organizers": "", "eligible": False, "planned": False,
            "reason_zh": "未在名单中", "reason_en": "not on the registry",
        }, index=extra_ids)
        people = pd.concat([people, extra])

    people = people.join(vsum, how="left")
    people["n_visits"] = people["n_visits"].fillna(0).astype(int)
    people["visited"] = people["n_visits"] > 0
    people["reached"] = people["signed_any"].fillna(False).astype(bool)
    people["visited_unsigned"] = people["visited"] & ~people["reached"]
    for col in ("cash_fen", "goods_fen"):
        people[col] = people[col].fillna(0).astype("int64")
    people["received_fen"] = people["cash_fen"] + people["goods_fen"]
    people = people.drop(columns=["signed_any"])
    people["area_code"] = people["area_code"].astype(str)
    people["county_code"] = people["county_code"].astype(str)
    people["township_code"] = township_of(people["area_code"]).astype(str)
    people.index.name = "id_number"
    return people.reset_index()


# ---------------------------------------------------------------------------
# Funnel
# ---------------------------------------------------------------------------

def _rates(df: pd.DataFrame) -> pd.DataFrame:
    with np.errstate(divide="ignore", invalid="ignore"):
        df["coverage_rate"] = np.where(df["eligible"] > 0, df["eligible_reached"] / df["eligible"].where(df["eligible"] > 0, 1), np.nan)
        df["exclusion_rate"] = np.where(df["eligible"] > 0, df["exclusion"] / df["eligible"].where(df["eligible"] > 0, 1), np.nan)
        df["inclusion_rate"] = np.where(df["reached"] > 0, df["inclusion"] / df["reached"].where(df["reached"] > 0, 1), np.nan)
    return df


def apply_delivery(status: pd.DataFrame, plan: dict) -> pd.DataFrame:
    """``status`` with each person's ``delivery`` mode and "reached" counted by mode (module docstring).

    ``reached`` from :func:`person_status` is a signed receipt; a transfer
    needs no signature, only a payment (cash or goods recorded).
    """
    s = status.copy(deep=False)   # copy-on-write: the columns set below are new, the rest are shared, not copied
    s["delivery"] = delivery.person_modes(s, plan).to_numpy()
    signed = s["reached"].astype(bool)
    paid = s["received_fen"] > 0
    s["reached_paid"] = (s["delivery"] == "transfer") & paid
    s["reached_signed"] = (s["delivery"] == "collective") & signed
    s["reached_visited"] = (s["delivery"] == "visit") & signed
    s["reached"] = s["reached_paid"] | s["reached_signed"] | s["reached_visited"]
    s["visited_unsigned"] = s["visited"] & ~s["reached"] & (s["delivery"] != "transfer")
    return s


def _flags(status: pd.DataFrame) -> pd.DataFrame:
    s = status
    by_mode = {k: s[k] if k in s else (s["reached"] if k == "reached_visited" else False)
               for k in REACHED_BY_MODE.values()}
    return pd.DataFrame({
        "registered": s["registered"],
        "eligible": s["eligible"],
        "planned": s["planned"],
        "visited": s["visited"],
        "reached": s["reached"],
        "visited_unsigned": s["visited_unsigned"],
        "eligible_reached": s["eligible"] & s["reached"],
        "exclusion": s["eligible"] & ~s["reached"],
        "inclusion": s["reached"] & ~s["eligible"],
        "reached_unregistered": s["reached"] & ~s["registered"],
        **by_mode,
    }, index=s.index).astype(int)


def funnel(status: pd.DataFrame, by="county_code") -> pd.DataFrame:
    """Funnel counts and rates per group of ``by`` (a column or list of columns of ``status``).

    Counts are people (int); rates are floats in 0..1 (NaN when the
    denominator is zero). Groups with nobody in them do not appear; see
    :func:`with_all_areas` to list every area.
    """
    by = [by] if isinstance(by, str) else list(by)
    flags = _flags(status)
    keys = [status[c].astype(str).rename(c) for c in by]
    out = flags.groupby(keys, sort=True).sum().reset_index() if len(status) else \
        pd.DataFrame(columns=[*by, *FUNNEL_COUNTS])
    for c in FUNNEL_COUNTS:
        out[c] = out[c].astype(int)
    return _rates(out)


def totals(status: pd.DataFrame) -> dict:
    """Whole-population funnel as plain values (ints and float rates) for records and CLIs."""
    sums = {k: int(v) for k, v in _flags(status).sum().items()}
    for k in FUNNEL_COUNTS:
        sums.setdefault(k, 0)
    row = _rates(pd.DataFrame([sums])).iloc[0]
    out = dict(sums)
    for r in FUNNEL_RATES:
        out[r] = None if pd.isna(row[r]) else float(row[r])
    return out


def with_all_areas(funnel_df: pd.DataFrame, codes, *, code_col: str = "county_code") -> pd.DataFrame:
    """The funnel with one row for every code in ``codes`` (zero counts, NaN rates where nobody)."""
    codes = pd.Index([str(c) for c in codes], name=code_col)
    out = funnel_df.set_index(code_col).reindex(codes.union(funnel_df[code_col].astype(str)))
    for c in FUNNEL_COUNTS:
        out[c] = out[c].fillna(0).astype(int)
    return _rates(out.reset_index())


def with_names(df: pd.DataFrame, areas: pd.DataFrame | None = None, categories: pd.DataFrame | None = None,
               *, lang: str = "zh") -> pd.DataFrame:
    """Add ``area_name`` (for county/township/area code columns) and ``category_label`` columns."""
    out = df.copy(deep=False)   # copy-on-write: only the name columns added below are new
    if areas is not None:
        names = area_names(areas, lang)
        for col, target in (("township_code", "township_name"), ("county_code", "county_name"),
                            ("area_code", "area_name")):
            if col in out:
                out[target] = out[col].astype(str).map(names)
                if col == "township_code":
                    out[target] = out[target].where(out[col].astype(str) != NO_TOWNSHIP,
                                                    labels.label("no_township", lang))
                out[target] = out[target].fillna(out[col].astype(str))
    if categories is not None and "category" in out:
        out["category_label"] = out["category"].map(dict(zip(categories["code"], categories[lang]))) \
            .fillna(out["category"])
    return out


# ---------------------------------------------------------------------------
# Loading and the whole analysis, shared by notebook 03, the unit report and the CLI
# ---------------------------------------------------------------------------

@dataclass
class CoverageResult:
    """The coverage analysis of one unit and campaign year (all DataFrames unmasked inside)."""

    year: int
    unit: str
    eligibility: pd.DataFrame
    status: pd.DataFrame
    by_county: pd.DataFrame
    by_township: pd.DataFrame
    by_category: pd.DataFrame
    totals: dict
    duplicates: pd.DataFrame
    cap_excess: pd.DataFrame
    continuity: pd.DataFrame
    gaps: pd.DataFrame
    cap_fen: int = 0
    extra: dict = field(default_factory=dict)


def _rows_in_unit(frame: pd.DataFrame, unit) -> pd.DataFrame:
    """The rows of ``frame`` whose area lies in ``unit``; the frame itself when that is every row.

    (A boolean selection of every row is a full copy: for a whole province's
    registry of millions that is gigabytes for nothing. Nothing here writes to it.)
    """
    inside = in_unit(frame["area_code"], unit)
    return frame if bool(inside.all()) else frame.loc[inside]


def analyse(inputs: CoverageInputs, *, year: int | None = None, unit="all", threshold_multiple=None,
            per_person_cap=None, planned=None, on_date=None, lang: str = "zh") -> CoverageResult:
    """Run eligibility, funnel, duplicates, continuity and gap list for one unit.

    ``year``: the campaign year whose visits count as reached (default: the
    latest year in the visits, else the plan year). ``per_person_cap`` in
    yuan (None = the plan's ``per_person_cap``; 0 = no cap).
    ``on_date`` defaults to 春节 of ``year`` so ages and 低保 standards
    match the campaign being assessed. ``lang`` picks the language of the
    area and category names and of the follow-up notes in the result.
    """

    plan = inputs.plan
    if year is None:
        years = inputs.visits["campaign_year"].dropna().astype(int)
        year = int(years.max()) if len(years) else int(plan["year"])
    year = int(year)
    cap = plan.get("per_person_cap", 0) if per_person_cap is None else per_person_cap
    cap_fen = to_fen(str(cap or 0))
    when = on_date if on_date is not None else spring_festival(year)

    all_visits = inputs.visits
    registry = _rows_in_unit(inputs.registry, unit)
    visits = _rows_in_unit(all_visits, unit)
    changes = inputs.changes
    areas = inputs.areas
    dibao = inputs.dibao
    prio = category_priority(plan, inputs.categories)
    elig = assess(registry, plan, dibao, areas, threshold_multiple=threshold_multiple, on_date=when)
    status = person_status(registry, elig, visits, year=year, planned=planned, priority=prio)
    status = apply_delivery(status, plan)
    status = with_names(status, areas, inputs.categories, lang=lang)

    county_codes = areas.loc[(areas["level"] == "county") & in_unit(areas["code"], unit), "code"].astype(str)
    by_county = with_names(with_all_areas(funnel(status, "county_code"), county_codes), areas, lang=lang)
    by_township = with_names(funnel(status, ["county_code", "township_code"]), areas, lang=lang)
    by_category = with_names(funnel(status, "category"), categories=inputs.categories, lang=lang)
    by_category["priority"] = by_category["category"].map(prio).fillna(99).astype(int)
    by_category = by_category.sort_values(["priority", "category"]).reset_index(drop=True)

    dups = dup.duplicates(registry, visits, year=year, cap_fen=cap_fen)
    excess = dup.cap_excess(visits, year=year, cap_fen=cap_fen)
    continuity = cont.continuity(visits, changes, status, year=year)
    gaps = gaplist.gap_list(status, lang=lang)
    return CoverageResult(year=year, unit=str(unit), eligibility=elig, status=status, by_county=by_county,
                          by_township=by_township, by_category=by_category, totals=totals(status),
                          duplicates=dups, cap_excess=excess, continuity=continuity, gaps=gaps,
                          cap_fen=cap_fen)
