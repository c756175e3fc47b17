"""Synthetic visits of the 2025 and 2026 campaigns, and the registry changes that explain some gaps."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from reliefplan.demo.people import _people, shaped_eligible
from reliefplan.demo.profiles import HISTORY_STANDARDS, HISTORY_YEARS, SPRING_FESTIVAL, plan_rules
from reliefplan.demo.reference import Inputs


def _standard_yuan(category: np.ndarray, year: int, which: str) -> np.ndarray:
    """Cash or goods standard in whole yuan for ``year`` (linear 2019 -> 2026, rounded to 50 / 10)."""
    t = (year - HISTORY_YEARS[0]) / (HISTORY_YEARS[-1] - HISTORY_YEARS[0])
    out = np.zeros(len(category), dtype=np.int64)
    for code, (c0, c1, g0, g1) in HISTORY_STANDARDS.items():
        lo, hi, step = (c0, c1, 50) if which == "cash" else (g0, g1, 10)
        out[category == code] = int(round((lo + t * (hi - lo)) / step) * step)
    return out


def _visit_dates(rng, year: int, n: int) -> np.ndarray:
    """Weekdays in the three weeks before 除夕 of ``year`` (sorted, one per visit)."""
    eve = SPRING_FESTIVAL[year] - dt.timedelta(days=1)
    days = [eve - dt.timedelta(days=k) for k in range(2, 25)]
    days = np.array([d.isoformat() for d in days if d.weekday() < 5])
    return np.sort(days[rng.integers(0, len(days), n)])


def generate_visits(rng: np.random.Generator, listings: pd.DataFrame, inputs: Inputs):
    """Visits of the 2025 and 2026 campaigns and the registry changes that explain some gaps.

    Returns (visits, changes) in the file form. Eligible rows are mostly
    reached with a signed receipt; a few reached rows are not eligible; some
    people reached in 2025 are not reached in 2026 because they moved or died
    (people no longer in the registry), are no longer eligible, or were
    missed (no change record).
    """
    n = len(listings)
    planned = listings["category"].isin(list(plan_rules())).to_numpy()
    eligible = shaped_eligible(listings)
    # Per person (not per row): new in 2026/2027, and whether no longer eligible.
    ids = listings["id_number"].to_numpy()
    uniq, inv = np.unique(ids, return_inverse=True)
    u = rng.random(len(uniq))
    new_2027 = (u < .05)[inv]
    new_2026 = ((u >= .05) & (u < .12))[inv]

    r = rng.random(n)
    reached26 = planned & ~new_2027 & np.where(eligible, r < .9, r < .12)
    reached26_person = np.zeros(len(uniq), bool)
    np.logical_or.at(reached26_person, inv, reached26)
    # No longer eligible: reached in 2025, not eligible now, reached by nobody in 2026.
    lost = planned & ~eligible & ~new_2027 & ~new_2026 & ~reached26_person[inv]
    lost_person = np.zeros(len(uniq), bool)
    np.logical_or.at(lost_person, inv, lost & (rng.random(n) < .45))
    lost = lost_person[inv] & lost
    r25 = rng.random(n)
    reached25 = planned & ~new_2027 & ~new_2026 & (np.where(eligible, r25 < .88, r25 < .1) | lost)

    # Former beneficiaries: reached in 2025, then died or moved away (not in today's registry).
    n_former = max(3, int(round(len(uniq) * .03)))
    taken = set(pd.Series(uniq).str[:17].astype("int64").tolist())
    former = _people(rng, n_former, inputs, taken=taken)
    former = former[former["category"].isin(list(plan_rules()))].reset_index(drop=True)
    former["organizer"] = former["county_name"] + former["unit"]
    died = rng.random(len(former)) < .6

    frames = []
    for year, mask, pool in ((2025, reached25, listings), (2026, reached26, listings), (2025, None, former)):
        rows = pool if mask is None else pool[mask]
        k = len(rows)
        cat = rows["category"].to_numpy()
        frames.append(pd.DataFrame({
            "campaign_year": year, "id_number": rows["id_number"].to_numpy(), "name": rows["name"].to_numpy(),
            "area_code": rows["area_code"].to_numpy(), "organizer": rows["organizer"].to_numpy(),
            "category": cat, "visit_date": _visit_dates(rng, year, k),
            "team": rows["county_code"].map(inputs.teams).to_numpy(),
            "cash_yuan": _standard_yuan(cat, year, "cash"), "goods_yuan": _standard_yuan(cat, year, "goods"),
            "signed": np.where(rng.random(k) < .96, "是", "否"),
        }))
    visits = pd.concat(frames, ignore_index=True)
    visits = visits.sort_values(["campaign_year", "visit_date", "team", "area_code", "id_number", "organizer"],
                                kind="stable").reset_index(drop=True)

    months = rng.integers(3, 13, len(former))
    cities = np.array(["厦门市思明区", "泉州市丰泽区", "福州市鼓楼区", "广东省深圳市", "广东省汕头市"])
    moved_to = cities[rng.integers(0, len(cities), len(former))]
    former_notes = np.where(died, np.char.add(np.char.add("2025年", months.astype("U2")), "月病故"),
                            np.char.add("迁往", moved_to))
    lost_ids = np.unique(ids[lost])
    lost_notes = np.array(["家庭人均收入超过低保标准", "子女就业后家庭收入增加", "经复核不再符合条件"])
    changes = pd.concat([
        pd.DataFrame({"id_number": former["id_number"], "year": 2025,
                      "reason": np.where(died, "died", "moved"), "note": former_notes}),
        pd.DataFrame({"id_number": lost_ids, "year": 2025, "reason": "no_longer_eligible",
                      "note": lost_notes[rng.integers(0, len(lost_notes), len(lost_ids))]}),
    ], ignore_index=True).sort_values("id_number", kind="stable").reset_index(drop=True)
    return visits, changes
