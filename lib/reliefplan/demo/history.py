"""Synthetic campaign history 2019-2026, with the deliberate clerical errors of HISTORY_MISMATCHES."""

from __future__ import annotations

import numpy as np
import pandas as pd

from reliefplan.demo.people import shaped_eligible
from reliefplan.demo.profiles import (
    COVID_FACTOR, FUNDING_SPLIT, HISTORY_COLUMNS, HISTORY_GROWTH, HISTORY_MISMATCHES, HISTORY_STANDARDS,
    HISTORY_YEARS, HOUSEHOLD_CATEGORIES, UNION_CATEGORIES,
)
from reliefplan.demo.visits import _standard_yuan


def _typo(stated: int, cash: int, goods: int, kind: str) -> int:
    """A stated total with a deliberate clerical error of ``kind``."""
    if kind == "no_overhead":
        return cash + goods
    digits = list(str(stated))
    if kind == "digit":
        i = len(digits) - 4
        digits[i] = str(int(digits[i]) + 1) if digits[i] != "9" else "8"
        return int("".join(digits))
    for i in range(1, len(digits) - 1):
        if digits[i] != digits[i + 1]:
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
            return int("".join(digits))
    raise ValueError(f"cannot transpose digits of {stated}")


def generate_history(rng: np.random.Generator, listings: pd.DataFrame) -> pd.DataFrame:
    """Campaign records 2019-2026 by year, organizer, county, category and funding source.

    2026 households follow the eligible rows of the registry; earlier years
    shrink by about 3% a year, with a dip in the COVID-era campaigns
    (2021-2023). Standards rise from 2019 to 2026 (:data:`HISTORY_STANDARDS`).
    """
    elig = listings[shaped_eligible(listings)]
    elig = elig[elig["category"].isin(list(HISTORY_STANDARDS))]
    household_unit = np.isin(elig["category"], list(HOUSEHOLD_CATEGORIES))
    base = (elig.assign(persons=np.where(household_unit, elig["household_size"], 1))
            .groupby(["county_code", "category"], sort=True)
            .agg(households=("id_number", "size"), persons=("persons", "sum")).reset_index())
    rows = []
    for year in HISTORY_YEARS:
        factor = HISTORY_GROWTH ** (year - HISTORY_YEARS[-1]) * COVID_FACTOR.get(year, 1.0)
        noise = rng.uniform(.95, 1.05, len(base))
        hh_year = np.maximum(1, np.round(base["households"].to_numpy() * factor * noise)).astype(int)
        ratio = base["persons"].to_numpy() / base["households"].to_numpy()
        cats = base["category"].to_numpy()
        cash_std = _standard_yuan(cats, year, "cash")
        goods_std = _standard_yuan(cats, year, "goods")
        overhead_rate = rng.uniform(.02, .04, len(base))
        for i, (county, cat) in enumerate(zip(base["county_code"], cats)):
            org = "总工会" if cat in UNION_CATEGORIES else "民政局"
            split = FUNDING_SPLIT[org]
            counts = [int(hh_year[i] * share) for _, share in split]
            counts[0] += hh_year[i] - sum(counts)
            for (source, _), hh in zip(split, counts):
                if hh <= 0:
                    continue
                persons = int(round(hh * ratio[i]))
                cash, goods = hh * int(cash_std[i]), hh * int(goods_std[i])
                overhead = int(round((cash + goods) * overhead_rate[i]))
                stated = cash + goods + overhead
                kind = HISTORY_MISMATCHES.get((year, org, county, cat, source))
                if kind:
                    stated = _typo(stated, cash, goods, kind)
                rows.append((year, org, county, cat, source, hh, persons, cash, goods, overhead, stated))
    history = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
    found = {tuple(r) for r in history[["year", "organizer", "area_code", "category", "funding_source"]]
             .itertuples(index=False)}
    counties = set(listings["county_code"])   # a data set without a planned mismatch's county skips it
    missing = [k for k in HISTORY_MISMATCHES if k not in found and k[2] in counties]
    if missing:
        raise ValueError(f"history has no record for the planned mismatches {missing}")
    return history
