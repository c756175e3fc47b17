"""Who is affected when the budget cap bites: the registry rows that drop out or get less.

:func:`reliefplan.models.whatif.update` answers in counts per group; a
planner arguing over the cap also asks *who*: which people in which
township lose their visit. This walks the same serving order as the
what-if (priority, lowest income, largest household, as listed) over the
precomputed state's rows and marks each row:

- priority mode: rows past the point where the money runs out are
  ``dropped`` (the strict prefix that fits is served, as in
  :func:`reliefplan.models.allocation.allocate`);
- scale mode: every eligible row whose standard was scaled down
  ``gets less`` (all of them are dropped when the overheads alone exceed the cap).

With funding pools or a per-person rule (the what-if's library path) the
cap rule runs inside each pool: the rows are the listings the library's
allocation does not pay in full, ``dropped`` (nothing) or ``reduced`` (a part).

The counts it gives agree with the what-if's coverage table (the tests
check it). States built from counted groups (no registry rows) give an
empty answer.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from reliefplan.models import allocation as al
from reliefplan.models import budget as bm
from reliefplan.models import per_person
from reliefplan.models import standards as stds
from reliefplan.models import whatif

DROPPED, REDUCED = "dropped", "reduced"
COLUMNS = ["county_code", "category", "status", "recipients", "standard_fen", "gets_fen"]


def _eligible_rows(state: whatif.WhatIfState, threshold) -> np.ndarray:
    """Each row's eligibility at ``threshold`` (None: the plan's own), as the what-if decides it."""
    if threshold is None:
        return state.eligible.copy()
    t = Fraction(str(threshold)).limit_denominator(10_000)
    inc, dib = state.income, state.dibao
    ok = (inc >= 0) & (dib >= 0) & (inc * t.denominator < dib * t.numerator)
    return ~state.tested | ok


def _row_amounts(state: whatif.WhatIfState, std: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(cost of the whole row in fen, recipients in the row) at standards ``std``, per row in serving order."""
    pos = stds.category_positions(std, state.category_codes)
    cash, goods = stds.unit_amounts(std, pos[state.g_cat], state.g_dibao)
    per_person = (std["per"].to_numpy() == "person")[pos][state.g_cat]
    amount = (cash + goods)[state.grp]
    count = np.where(per_person[state.grp], state.persons, state.households)
    return count * amount, count


def affected_rows(state: whatif.WhatIfState, result: whatif.WhatIfResult) -> pd.DataFrame:
    """Rows that drop out or get less under ``result``'s cap, indexed by registry label.

    Columns: county_code, category, status (``dropped`` / ``reduced``),
    recipients (households or persons, as the category is paid), standard_fen
    (the full cost of the row at the scenario's standards) and gets_fen (what it gets within the cap). Empty when the cap does not bite.
    """
    empty = pd.DataFrame(columns=COLUMNS)
    if not result.ok or result.fits or bool(state.divisible.any()):
        return empty
    c = whatif.parse_controls(state, result.controls)
    if result.allocation is not None:
        return _affected_by_library(state, result, c)
    std = c["standards"]
    eligible = _eligible_rows(state, c["threshold"])
    full_cost, recipients = _row_amounts(state, std)
    room = al.gifts_room(c["cap"], int(state.overheads["total_fen"].sum()), state.plan.get("contingency_pct", 0))
    if c["mode"] == "priority":
        prio = std["priority"].to_numpy(dtype=np.int64)[stds.category_positions(std, state.category_codes)]
        order = np.argsort(prio[state.cat_of_row], kind="stable")
        cum = np.cumsum(np.where(eligible[order], full_cost[order], 0))
        served = np.zeros(len(order), dtype=bool)
        if room >= 0:
            served[order] = cum <= room
        hit = eligible & ~served
        status = np.full(int(hit.sum()), DROPPED, dtype=object)
        gets = np.zeros(int(hit.sum()), dtype=np.int64)
    else:
        scaled_cost, _ = _row_amounts(state, result.standards)
        if room < 0:
            hit = eligible.copy()
            status = np.full(int(hit.sum()), DROPPED, dtype=object)
            gets = np.zeros(int(hit.sum()), dtype=np.int64)
        else:
            hit = eligible & (scaled_cost < full_cost)
            status = np.full(int(hit.sum()), REDUCED, dtype=object)
            gets = scaled_cost[hit]
    return pd.DataFrame({
        "county_code": state.g_county[state.grp[hit]], "category": state.g_category[state.grp[hit]],
        "status": status, "recipients": recipients[hit], "standard_fen": full_cost[hit], "gets_fen": gets,
    }, index=pd.Index(state.index[hit]))


def _affected_by_library(state: whatif.WhatIfState, result: whatif.WhatIfResult, c: dict) -> pd.DataFrame:
    """Affected rows when pools (or the per-person rule) decide: the listings the rule pays that the library's
    allocation does not pay in full. Nothing paid: ``dropped``; paid in part (a pool paid the goods and not the
    cash, or scaled its standards down): ``reduced``, with what it gets.

    A listing the per-person rule does not pay (the person is paid through another organizer's listing) is
    not affected by the money: it is left out, as the coverage table leaves it out.
    """
    a = result.allocation
    ben = whatif.eligible_beneficiaries(state, c["threshold"])
    paid_rows, _ = bm.paid_beneficiaries(state.plan, ben, c["standards"])
    if a is None or not len(paid_rows):
        return pd.DataFrame(columns=COLUMNS)
    cash, goods = per_person.full_amounts(paid_rows, c["standards"])
    cut_c, cut_g = per_person.cuts(paid_rows)
    standard = cash + goods - cut_c - cut_g
    pos = stds.category_positions(c["standards"], paid_rows["category"])
    per_person_std = (c["standards"]["per"].to_numpy() == "person")[pos]
    count = np.where(per_person_std, paid_rows["persons"].to_numpy(dtype=np.int64),
                     paid_rows["households"].to_numpy(dtype=np.int64))
    covered = a.covered_units.reindex(paid_rows.index, fill_value=0).to_numpy(dtype=np.int64)
    gets = a.paid_fen().reindex(paid_rows.index, fill_value=0).to_numpy(dtype=np.int64)
    hit = (covered <= 0) & (standard > 0)
    return pd.DataFrame({
        "county_code": paid_rows["county_code"].to_numpy(dtype=object)[hit],
        "category": paid_rows["category"].to_numpy(dtype=object)[hit],
        "status": np.where(gets[hit] > 0, REDUCED, DROPPED).astype(object),
        "recipients": count[hit], "standard_fen": standard[hit], "gets_fen": gets[hit],
    }, index=paid_rows.index[hit])
