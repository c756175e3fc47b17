"""The registry rows the what-if works on, and eligibility at any uniform income threshold.

:func:`rows_from_assess` runs ``eligibility.assess`` twice (at the plan's thresholds and with the income
line left out) so that :func:`eligible_at` can decide eligibility at any multiple of 低保 with one integer
comparison per row, exactly as ``assess`` would.
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from reliefplan.core.areas import county_of
from reliefplan.models import budget as bm
from reliefplan.models.eligibility import assess

LOOSE_THRESHOLD = 10**9  # an income multiple no income fails: assess() with it tests everything but income


def income_tested(plan: dict) -> set[str]:
    """Categories whose eligibility has an income rule (the threshold control moves their line)."""
    return {code for code, std in (plan.get("categories") or {}).items()
            if "income_below_dibao" in ((std or {}).get("eligibility") or {})}


def whatif_rows(registry: pd.DataFrame, plan: dict, eligibility: pd.DataFrame,
                loose: pd.DataFrame | None = None) -> pd.DataFrame:
    """The registry reduced to what the what-if needs, indexed like ``registry``.

    ``eligibility`` is :func:`reliefplan.models.eligibility.assess` at the plan's
    thresholds; ``loose`` the same with ``threshold_multiple=LOOSE_THRESHOLD``
    (everything but the income line tested). Columns: county_code, category,
    household_size, income_fen, dibao_fen, eligible, loose, income_tested.
    """
    county = registry["county_code"] if "county_code" in registry else county_of(registry["area_code"])
    tested = income_tested(plan)
    elig = eligibility["eligible"].reindex(registry.index).fillna(False).astype(bool)
    lo = elig if loose is None else loose["eligible"].reindex(registry.index).fillna(False).astype(bool)
    return pd.DataFrame({
        "county_code": county.astype(str).to_numpy(dtype=object),
        "category": registry["category"].to_numpy(dtype=object),
        "household_size": registry["household_size"].astype("Int64").array if "household_size" in registry
        else pd.array([pd.NA] * len(registry), dtype="Int64"),
        "income_fen": registry["income_fen"].astype("Int64").array if "income_fen" in registry
        else pd.array([pd.NA] * len(registry), dtype="Int64"),
        "dibao_fen": eligibility["dibao_fen"].reindex(registry.index).astype("Int64").array,
        "eligible": elig.to_numpy(),
        "loose": (lo | elig).to_numpy(),
        "income_tested": registry["category"].astype(object).isin(tested).to_numpy(),
        **_identity(registry),
    }, index=registry.index)


def _identity(registry: pd.DataFrame) -> dict:
    """person_key and organizer of each row when the registry has them (for the per-person rule and pools)."""
    out = {}
    key = bm.person_keys(registry)
    if key is not None:
        out["person_key"] = key.to_numpy(dtype=object)
    if "organizer" in registry:
        out["organizer"] = registry["organizer"].astype(object).where(registry["organizer"].notna(), "").to_numpy(
            dtype=object)
    return out


def rows_from_assess(registry: pd.DataFrame, plan: dict, dibao: pd.DataFrame, areas: pd.DataFrame,
                     *, on_date=None) -> pd.DataFrame:
    """:func:`whatif_rows` from the registry via two calls of ``eligibility.assess``."""

    base = assess(registry, plan, dibao, areas, on_date=on_date)
    loose = assess(registry, plan, dibao, areas, threshold_multiple=LOOSE_THRESHOLD, on_date=on_date)
    return whatif_rows(registry, plan, base, loose)


def eligible_at(rows: pd.DataFrame, threshold) -> pd.Series:
    """Eligibility at a uniform income threshold (None: the plan's own), as assess() would decide it.

    Exact: ``income x den < num x 低保`` in integers, like assess.
    """
    if threshold is None:
        return rows["eligible"].astype(bool)
    t = Fraction(str(threshold)).limit_denominator(10_000)
    inc = rows["income_fen"].astype("Int64")
    dib = rows["dibao_fen"].astype("Int64")
    ok = (inc * t.denominator < dib * t.numerator).fillna(False).astype(bool)
    return rows["loose"].astype(bool) & (~rows["income_tested"].astype(bool) | ok)
