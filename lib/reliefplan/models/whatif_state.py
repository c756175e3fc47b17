"""The what-if's precomputed state: every row that could ever be eligible, as flat arrays in serving order.

:func:`prepare` runs once when the data loads; ``whatif.update`` then works on these arrays only (see
:mod:`reliefplan.models.whatif` for the whole design). ``state.cache`` keeps a few recent results of each
kind (:func:`remember`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from reliefplan.models import budget as bm
from reliefplan.models import per_person, pools
from reliefplan.models import standards as stds

_NA = -1
INCOME_KEY = np.int64(1) << 40  # income keys: group * INCOME_KEY + income (incomes stay far below 2**40 fen)


@dataclass
class WhatIfState:
    """Everything :func:`update` needs, computed once by :func:`prepare`.

    Rows (registry households/persons that are eligible at some threshold)
    are flat arrays sorted in serving order for the baseline priorities.
    Groups are unit x category x 低保 standard, sorted so that each line
    (unit x category) is a contiguous run of groups. For the threshold
    control, the incomes of income-tested rows are kept sorted per group, so
    the counts at any threshold are one ``searchsorted`` per group.
    """

    plan: dict
    categories: pd.DataFrame
    base_standards: dict            # scenario name -> standards
    scenario_names: list
    overheads: pd.DataFrame
    category_codes: list
    counties: list
    # rows, in serving order
    index: np.ndarray               # registry labels
    grp: np.ndarray                 # group of each row
    households: np.ndarray
    persons: np.ndarray
    income: np.ndarray              # int64, -1 when unknown
    dibao: np.ndarray               # int64, -1 when unknown
    tested: np.ndarray              # the category has an income rule
    eligible: np.ndarray            # eligible at the plan's own thresholds
    divisible: np.ndarray           # counted groups (may be covered in part)
    cat_of_row: np.ndarray          # position in category_codes
    # groups and lines
    g_county: np.ndarray
    g_category: np.ndarray
    g_cat: np.ndarray               # position in category_codes
    g_dibao: np.ndarray
    g_tested: np.ndarray
    line_county: np.ndarray
    line_category: np.ndarray
    line_start: np.ndarray
    # counts per group: every row (rows, households, persons) and at the plan's thresholds
    all_counts: tuple
    base_counts: tuple
    # sorted income keys of income-tested rows, with running households/persons
    thr_keys: np.ndarray
    thr_h: np.ndarray               # cumulative, leading 0
    thr_p: np.ndarray
    thr_off: np.ndarray             # first key of each group
    thresholds_supported: bool = True
    cache: dict = field(default_factory=dict)
    # for the library path (pools, per-person rule): per row, in serving order
    size: np.ndarray | None = None
    position: np.ndarray | None = None   # each row's place in the input rows (the library path keeps input order)
    person_key: np.ndarray | None = None
    organizer: np.ndarray | None = None
    library_path: bool = False      # pools declared or a per-person rule with someone listed twice

    @property
    def n_rows(self) -> int:
        return len(self.grp)


def prepare(plan: dict, rows: pd.DataFrame, *, categories: pd.DataFrame | None = None) -> WhatIfState:
    """Precompute the state from :func:`whatif_rows` output (or counts via :func:`prepare_counts`)."""
    cats = categories if categories is not None else stds.plan_categories(plan)
    names = [s["name"] for s in stds.scenarios(plan)]
    base = {n: stds.scenario_standards(plan, n, cats) for n in names}
    std0 = base[names[0]]
    codes = list(std0["category"])
    keep = rows["loose"].to_numpy(dtype=bool) & rows["category"].astype(object).isin(codes).to_numpy()
    r = rows.loc[keep]
    n = len(r)
    unit_of = dict(zip(cats["code"], cats["unit"]))
    if "households" in r and "persons" in r:  # counted groups
        households = r["households"].to_numpy(dtype=np.int64)
        persons = r["persons"].to_numpy(dtype=np.int64)
        divisible = np.ones(n, dtype=bool)
    else:
        households = np.ones(n, dtype=np.int64)
        size = r["household_size"].astype("Int64").fillna(1).clip(lower=1).to_numpy(dtype=np.int64)
        persons = np.where(r["category"].map(unit_of).to_numpy() == "household", size, 1).astype(np.int64)
        divisible = np.zeros(n, dtype=bool)
    income = r["income_fen"].astype("Int64").fillna(_NA).to_numpy(dtype=np.int64)
    dibao = r["dibao_fen"].astype("Int64").fillna(_NA).to_numpy(dtype=np.int64)
    size_key = r["household_size"].astype("Int64").fillna(1).to_numpy(dtype=np.int64)
    tested = r["income_tested"].to_numpy(dtype=bool) if "income_tested" in r else np.zeros(n, dtype=bool)
    eligible = r["eligible"].to_numpy(dtype=bool)
    # serving order: priority, lowest income (unknown last), largest household, as listed
    inc_key = np.where(income < 0, np.iinfo(np.int64).max, income)
    cat_pos = pd.Index(codes).get_indexer(r["category"].astype(object)).astype(np.int64)
    prio = std0["priority"].to_numpy(dtype=np.int64)[cat_pos]
    order = np.lexsort((np.arange(n), -size_key, inc_key, prio))

    county = r["county_code"].astype(str).to_numpy(dtype=object)
    gkey = pd.DataFrame({"county_code": county, "category": r["category"].to_numpy(dtype=object), "dibao_fen": dibao})
    gframe = gkey.drop_duplicates().sort_values(["county_code", "category", "dibao_fen"]).reset_index(drop=True)
    grp = pd.MultiIndex.from_frame(gframe).get_indexer(pd.MultiIndex.from_frame(gkey)).astype(np.int64)
    g = len(gframe)
    new_line = np.ones(g, dtype=bool)
    if g > 1:
        gc, gk = gframe["county_code"].to_numpy(), gframe["category"].to_numpy()
        new_line[1:] = (gc[1:] != gc[:-1]) | (gk[1:] != gk[:-1])
    line_start = np.flatnonzero(new_line)
    g_cat = pd.Index(codes).get_indexer(gframe["category"].astype(object)).astype(np.int64)

    def counts(sel):
        return (np.bincount(grp[sel], minlength=g).astype(np.int64),
                np.bincount(grp[sel], weights=households[sel], minlength=g).astype(np.int64),
                np.bincount(grp[sel], weights=persons[sel], minlength=g).astype(np.int64))

    everyone = np.ones(n, dtype=bool)
    thr = tested & (income >= 0) & (dibao >= 0)
    keys = grp[thr] * INCOME_KEY + income[thr]
    ko = np.argsort(keys, kind="stable")
    thr_keys = keys[ko]
    thr_h = np.concatenate([[0], np.cumsum(households[thr][ko])]).astype(np.int64)
    thr_p = np.concatenate([[0], np.cumsum(persons[thr][ko])]).astype(np.int64)
    g_tested = np.zeros(g, dtype=bool)
    g_tested[grp[tested]] = True
    return WhatIfState(
        plan=plan, categories=cats, base_standards=base, scenario_names=names,
        overheads=bm.overhead_items(plan), category_codes=codes, counties=sorted(set(county)),
        index=r.index.to_numpy()[order], grp=grp[order], households=households[order], persons=persons[order],
        income=income[order], dibao=dibao[order], tested=tested[order], eligible=eligible[order],
        divisible=divisible[order], cat_of_row=cat_pos[order],
        g_county=gframe["county_code"].to_numpy(dtype=object), g_category=gframe["category"].to_numpy(dtype=object),
        g_cat=g_cat, g_dibao=gframe["dibao_fen"].to_numpy(dtype=np.int64), g_tested=g_tested,
        line_county=gframe["county_code"].to_numpy(dtype=object)[line_start],
        line_category=gframe["category"].to_numpy(dtype=object)[line_start], line_start=line_start,
        all_counts=counts(everyone), base_counts=counts(eligible),
        thr_keys=thr_keys, thr_h=thr_h, thr_p=thr_p,
        thr_off=np.searchsorted(thr_keys, np.arange(g, dtype=np.int64) * INCOME_KEY, side="left"),
        thresholds_supported=bool((~divisible).all()) and "income_fen" in rows,
        size=size_key[order], position=np.arange(n, dtype=np.int64)[order],
        person_key=r["person_key"].to_numpy(dtype=object)[order] if "person_key" in r else None,
        organizer=r["organizer"].to_numpy(dtype=object)[order] if "organizer" in r else None,
        library_path=pools.declared(plan) or (per_person.plan_rule(plan)[0] != "pay_all" and "person_key" in r
                                              and bool(r["person_key"].duplicated().any())),
    )


def prepare_counts(plan: dict, beneficiaries: pd.DataFrame) -> WhatIfState:
    """State from counted beneficiaries (e.g. the forecast); the threshold control does not apply."""
    rows = beneficiaries.assign(eligible=True, loose=True, income_tested=False)
    return prepare(plan, rows)


def remember(state, key, value):
    """Cache ``value``, keeping at most four entries of each kind (thresholds, orders, eligible rows)."""
    same = [k for k in state.cache if k[0] == key[0]]
    if len(same) >= 4:
        del state.cache[same[0]]
    state.cache[key] = value
