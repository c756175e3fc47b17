"""Synthetic people and their registry rows (示例数据，人员均为虚构), drawn vectorised.

There is no Python loop over rows: the large-registry generator
(``reliefplan demo-data --rows N``) uses the same path as the demo registry.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reliefplan.demo.ids import make_ids
from reliefplan.demo.profiles import (
    CAMPAIGN_YEAR, CHILD_NOTES, DEMO_ROWS, DIAGNOSES, DUPLICATE_SHARE, FEMALE_CHARS, FORMER_CODES,
    MALE_CHARS, NOTES, OTHER_ORIGIN_SHARE, OTHER_ORIGINS, PHONE_PREFIXES, PROFILES, ROADS, SEED, SPRING_FESTIVAL,
    SURNAME_WEIGHTS, SURNAMES, UNIT_KINDS, VILLAGES, plan_rules,
)
from reliefplan.demo.reference import Inputs, default_data_dir, load_inputs


def _pick(rng, cdf: np.ndarray, n: int | None = None) -> np.ndarray:
    """Draw indices from rows of cumulative weights (one row per draw, or one shared row)."""
    if cdf.ndim == 1:
        return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(cdf) - 1)
    u = rng.random(len(cdf))[:, None]
    return np.minimum((u >= cdf).sum(axis=1), cdf.shape[1] - 1)


def _cdf(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return np.cumsum(w) / w.sum()


def _profile_table():
    codes = list(PROFILES)
    unit_w = np.array([[PROFILES[c]["units"].get(u, 0) for u in UNIT_KINDS] for c in codes], float)
    hh_w = np.zeros((len(codes), 6))
    for i, c in enumerate(codes):
        hh = PROFILES[c]["hh"]
        hh_w[i, :len(hh)] = hh
    num = {k: np.array([PROFILES[c].get(k, d) for c in codes], float)
           for k, d in (("weight", 0), ("above", 0), ("age_out", 0), ("disabled", 0), ("ill", 0), ("female", .5))}
    age = np.array([PROFILES[c]["age"] for c in codes], float)
    age_out = np.array([PROFILES[c].get("age_out_range", PROFILES[c]["age"]) for c in codes], float)
    income = np.array([PROFILES[c]["income"] for c in codes], float)
    line = np.array([plan_rules().get(c, {}).get("income_below_dibao", np.nan) for c in codes], float)
    return codes, unit_w, hh_w, num, age, age_out, income, line


def _people(rng: np.random.Generator, n: int, inputs: Inputs, taken: set | None = None) -> pd.DataFrame:
    """``n`` distinct synthetic people with every attribute drawn vectorised.

    Returns canonical columns plus helpers (birth_date, male, urban_rural,
    dibao_fen, unit) used to shape the other tables.
    """
    codes, unit_w, hh_w, num, age_rng, age_out_rng, income_rng, line = _profile_table()
    cat = _pick(rng, _cdf(num["weight"]), n)

    towns = inputs.townships
    county_w = towns["county_code"].map(inputs.county_weights).to_numpy(float)
    county_w = county_w / towns.groupby("county_code")["code"].transform("size").to_numpy(float)
    town_w = county_w * rng.uniform(.5, 1.5, len(towns))
    town = _pick(rng, _cdf(town_w), n)
    county = towns["county_code"].to_numpy()[town]
    urban_rural = towns["urban_rural"].to_numpy()[town]
    dibao = np.array([inputs.dibao_fen[(c, u)] for c, u in zip(towns["county_code"], towns["urban_rural"])],
                     dtype=np.int64)[town]

    # Age on 春节 of the campaign year; a few drawn just outside the plan's age rule.
    out = rng.random(n) < num["age_out"][cat]
    lo = np.where(out, age_out_rng[cat, 0], age_rng[cat, 0])
    hi = np.where(out, age_out_rng[cat, 1], age_rng[cat, 1])
    age = np.floor(lo + rng.random(n) * (hi - lo + 1)).astype(np.int64)
    ref = np.datetime64(SPRING_FESTIVAL[CAMPAIGN_YEAR].isoformat())
    birthday_year = (CAMPAIGN_YEAR - age - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    births = birthday_year + (ref - np.datetime64(f"{CAMPAIGN_YEAR}-01-01")) - rng.integers(0, 365, n)
    male = rng.random(n) >= num["female"][cat]

    birth_year = births.astype("datetime64[Y]").astype(np.int64) + 1970
    prefix = county.astype(np.int64)
    for now, (old, since) in FORMER_CODES.items():
        mask = (county == now) & (birth_year < since)
        prefix[mask] = int(old)
    elsewhere = rng.random(n) < OTHER_ORIGIN_SHARE
    prefix[elsewhere] = np.array([int(c) for c in OTHER_ORIGINS], dtype=np.int64)[rng.integers(0, len(OTHER_ORIGINS), n)][elsewhere]
    ids = make_ids(rng, prefix, births, male, taken)

    # Income per head as a multiple of the local 低保 line; some above the plan's line.
    above = (rng.random(n) < num["above"][cat]) & ~np.isnan(line[cat])
    mult = income_rng[cat, 0] + rng.random(n) * (income_rng[cat, 1] - income_rng[cat, 0])
    mult = np.where(above, line[cat] + .05 + rng.random(n) * .55, mult)
    income_fen = (np.round(mult * dibao / 100) * 100).astype(np.int64)

    hh = _pick(rng, np.cumsum(hh_w[cat], axis=1) / hh_w[cat].sum(axis=1, keepdims=True)) + 1
    unit = _pick(rng, np.cumsum(unit_w[cat], axis=1) / unit_w[cat].sum(axis=1, keepdims=True))
    disabled = rng.random(n) < num["disabled"][cat]
    ill = rng.random(n) < num["ill"][cat]

    sur = np.array(list(SURNAMES))[_pick(rng, _cdf(SURNAME_WEIGHTS), n)]
    chars = np.where(male[:, None], np.array(list(MALE_CHARS))[rng.integers(0, len(MALE_CHARS), (n, 2))],
                     np.array(list(FEMALE_CHARS))[rng.integers(0, len(FEMALE_CHARS), (n, 2))])
    single = rng.random(n) < .2
    given = np.where(single, chars[:, 0], np.char.add(chars[:, 0], chars[:, 1]))
    names = np.char.add(sur, given)

    phones = np.char.add(np.array(PHONE_PREFIXES)[rng.integers(0, len(PHONE_PREFIXES), n)],
                         np.char.zfill(rng.integers(0, 10 ** 8, n).astype("U8"), 8))
    phones[rng.random(n) < .02] = ""

    town_name = towns["name"].to_numpy()[town]
    county_name = towns["county_name"].to_numpy()[town]
    number = rng.integers(1, 300, n).astype("U3")
    urban_addr = np.char.add(np.char.add(np.array(ROADS)[rng.integers(0, len(ROADS), n)], "路"),
                             np.char.add(number, "号"))
    rural_addr = np.char.add(np.char.add(np.array(VILLAGES)[rng.integers(0, len(VILLAGES), n)], "村"),
                             np.char.add(number, "号"))
    street = np.where(urban_rural == "urban", urban_addr, rural_addr)
    city = pd.Series(county).map(inputs.city_names).fillna("").to_numpy().astype(str)
    address = np.char.add(np.char.add(city, county_name.astype(str)), np.char.add(town_name.astype(str), street))

    diagnosis = np.where(ill, np.array(DIAGNOSES)[rng.integers(0, len(DIAGNOSES), n)], "")
    note = np.where(age < 18, np.array(CHILD_NOTES)[rng.integers(0, len(CHILD_NOTES), n)],
                    np.array(NOTES)[rng.integers(0, len(NOTES), n)])
    note[(note == "独居") & (hh > 1)] = ""

    return pd.DataFrame({
        "name": names, "id_number": ids, "area_code": towns["code"].to_numpy()[town],
        "county_code": county, "county_name": county_name, "category": np.array(codes)[cat],
        "household_size": hh.astype(np.int64), "income_fen": income_fen, "phone": phones,
        "unit": np.array(UNIT_KINDS)[unit], "address": address, "disabled": disabled, "seriously_ill": ill,
        "diagnosis": diagnosis, "note": note, "birth_date": births, "male": male, "age": age,
        "urban_rural": urban_rural, "dibao_fen": dibao,
    })


# Second organizer for a person listed twice: row = first organizer kind.
_SECOND_UNIT = np.array([
    # 民政局 总工会 残联 教育局 社区 人社局 退役军人
    [0, .3, 0, .1, .6, 0, 0],    # 民政局
    [.8, 0, 0, 0, .2, 0, 0],     # 总工会
    [.7, 0, 0, 0, .3, 0, 0],     # 残联
    [.5, 0, 0, 0, .5, 0, 0],     # 教育局
    [.9, .1, 0, 0, 0, 0, 0],     # 社区居委会
    [.5, .5, 0, 0, 0, 0, 0],     # 人社局
    [.8, 0, 0, 0, .2, 0, 0],     # 退役军人事务局
])


def _listings(rng: np.random.Generator, people: pd.DataFrame, n_rows: int) -> pd.DataFrame:
    """Registry rows: each person once, plus ``n_rows - len(people)`` second listings by another organizer.

    A disabled person's second listing is by 残联 under 困难残疾人; the others
    keep their category. Column ``organizer`` is '<county><organizer kind>'.
    """
    n_dup = n_rows - len(people)
    first_unit = pd.Index(UNIT_KINDS).get_indexer(people["unit"])
    eligible_dup = np.flatnonzero(~people["category"].isin(["retired_teacher"]).to_numpy())
    dup = np.sort(rng.choice(eligible_dup, n_dup, replace=False))
    src = people.iloc[dup].copy()
    fu = first_unit[dup]
    second = _pick(rng, np.cumsum(_SECOND_UNIT[fu], axis=1))
    to_cl = src["disabled"].to_numpy() & (fu != 2)
    second = np.where(to_cl, 2, second)
    src["unit"] = np.array(UNIT_KINDS)[second]
    src["category"] = np.where(to_cl, "disabled", src["category"])
    src["note"] = np.where(rng.random(n_dup) < .5, "", src["note"].to_numpy())
    rows = pd.concat([people, src], ignore_index=True)
    rows["organizer"] = rows["county_name"] + rows["unit"]
    # Sort like a consolidated file (township, organizer, ID) on integer keys: fast for 1M rows.
    org_codes, _ = pd.factorize(rows["organizer"], sort=True)
    id_key = rows["id_number"].str.slice(0, 17).astype("int64").to_numpy()
    order = np.lexsort((id_key, org_codes, rows["area_code"].astype("int64").to_numpy()))
    return rows.iloc[order].reset_index(drop=True)


def generate_listings(n_rows: int = DEMO_ROWS, seed: int = SEED, inputs: Inputs | None = None,
                      duplicate_share: float = DUPLICATE_SHARE) -> pd.DataFrame:
    """Registry rows in canonical columns (money in fen) plus helper columns."""
    rng = np.random.default_rng(seed)
    n_people = int(round(n_rows / (1 + duplicate_share)))
    people = _people(rng, n_people, inputs)
    return _listings(rng, people, n_rows)


def registry_frame(listings: pd.DataFrame, categories: dict) -> pd.DataFrame:
    """Registry rows in the file form: Chinese headers, yuan amounts, 是/否 flags."""
    yes_no = np.array(["否", "是"])
    return pd.DataFrame({
        "姓名": listings["name"].to_numpy(),
        "身份证号": listings["id_number"].to_numpy(),
        "区划代码": listings["area_code"].to_numpy(),
        "困难类别": listings["category"].map(categories).to_numpy(),
        "家庭人口": listings["household_size"].to_numpy(),
        "家庭人均月收入": listings["income_fen"].to_numpy() // 100,
        "联系电话": listings["phone"].to_numpy(),
        "填报单位": listings["organizer"].to_numpy(),
        "家庭住址": listings["address"].to_numpy(),
        "是否残疾": yes_no[listings["disabled"].to_numpy().astype(int)],
        "是否重病": yes_no[listings["seriously_ill"].to_numpy().astype(int)],
        "病情": listings["diagnosis"].to_numpy(),
        "备注": listings["note"].to_numpy(),
    })


def generate_registry(n_rows: int = DEMO_ROWS, seed: int = SEED, inputs: Inputs | None = None) -> pd.DataFrame:
    """A synthetic registry of ``n_rows`` rows in the file form (Chinese headers)."""
    inputs = inputs or load_inputs(default_data_dir())
    return registry_frame(generate_listings(n_rows, seed, inputs), inputs.categories)


# ---------------------------------------------------------------------------
# Eligibility (shaping only; the coverage module owns the real rules)
# ---------------------------------------------------------------------------
def shaped_eligible(listings: pd.DataFrame, rules: dict | None = None) -> np.ndarray:
    """Whether each registry row meets the demo plan's rule for its category."""
    rules = plan_rules() if rules is None else rules
    cat = listings["category"].to_numpy()
    ok = np.isin(cat, list(rules))
    for code, rule in rules.items():
        m = cat == code
        if "income_below_dibao" in rule:
            ok[m] &= listings["income_fen"].to_numpy()[m] < rule["income_below_dibao"] * listings["dibao_fen"].to_numpy()[m]
        if "min_age" in rule:
            ok[m] &= listings["age"].to_numpy()[m] >= rule["min_age"]
        if "max_age" in rule:
            ok[m] &= listings["age"].to_numpy()[m] <= rule["max_age"]
        if "requires_flag" in rule:
            ok[m] &= listings[rule["requires_flag"]].to_numpy()[m]
    return ok
