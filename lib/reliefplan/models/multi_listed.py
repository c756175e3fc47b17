"""The same person listed or paid by several organizers (重复慰问).

民政, 工会, 残联, 学校 and 社区 keep their own lists; one person may be on
several, and be visited and paid by each. Matching is by ID number, the one
identifier every list carries. Two questions:

- :func:`duplicates` - who appears more than once (registry listings or
  visits in the campaign year), by which organizers, how many times and
  what they received in total;
- :func:`cap_excess` - who received more than the per-person cap across
  all sources, and by how much (the excess to recover or avoid).

Outputs hold raw ID numbers and names for joining; :func:`masked` is what
any report shows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reliefplan.core import labels
from reliefplan.core.money import format_yuan
from reliefplan.core.areas import area_names
from reliefplan.core.privacy import mask_frame



def joined_unique(keys: pd.Series, values: pd.Series, sep: str = "、") -> pd.Series:
    """Per key, its distinct non-empty values in first-seen order, joined; keys in first-seen order.

    Whole columns at a time: (key, value) pairs are deduplicated in numpy and
    only keys with two or more distinct values are joined in Python (a
    groupby with a Python function per group, or a dict per key, costs
    minutes and gigabytes on a few million rows).
    """
    key_arr = pd.Series(keys).to_numpy(dtype=object)
    if not len(key_arr) or pd.isna(key_arr).any():   # NaN keys: keep the plain pass, whose grouping of NaN is by identity
        return _joined_unique_loop(keys, values, sep)
    codes, uniques = pd.factorize(key_arr)
    vals = pd.Series(values).to_numpy(dtype=object)
    present = ~pd.isna(vals)
    text = vals[present]
    not_str = np.flatnonzero([type(v) is not str for v in text]) if len(text) else np.zeros(0, dtype=np.int64)
    if len(not_str):
        text = text.copy()
        text[not_str] = [str(v) for v in text[not_str]]
    pairs = pd.DataFrame({"code": codes[present], "text": text})
    pairs = pairs.loc[pairs["text"].to_numpy() != ""].drop_duplicates()
    pair_code = pairs["code"].to_numpy()
    n_values = np.bincount(pair_code, minlength=len(uniques))
    out = np.full(len(uniques), "", dtype=object)
    single = n_values[pair_code] == 1
    out[pair_code[single]] = pairs["text"].to_numpy()[single]
    several = pairs.loc[~single]
    if len(several):
        joined = several.groupby("code", sort=False)["text"].agg(sep.join)
        out[joined.index.to_numpy()] = joined.to_numpy(dtype=object)
    return pd.Series(out, index=pd.Index(list(uniques)), dtype=object)


def _joined_unique_loop(keys: pd.Series, values: pd.Series, sep: str) -> pd.Series:
    seen: dict = {}
    for k, v in zip(keys.tolist(), values.tolist()):
        bucket = seen.setdefault(k, {})
        if v is not None and v == v and str(v):
            bucket[str(v)] = None
    return pd.Series({k: sep.join(b) for k, b in seen.items()}, dtype=object)


def received_by_person(visits: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """Per person (ID number) in campaign ``year``: visits, organizers, cash, goods, total received (fen)."""
    vis = visits.loc[visits["campaign_year"].astype(int) == int(year)]
    g = vis.groupby("id_number", sort=True)
    out = pd.DataFrame({
        "n_visits": g.size().astype(int),
        "organizers_visited": joined_unique(vis["id_number"], vis["organizer"]) if "organizer" in vis else "",
        "n_visit_organizers": g["organizer"].nunique().astype(int) if "organizer" in vis else 1,
        "cash_fen": g["cash_fen"].sum().astype("int64"),
        "goods_fen": g["goods_fen"].sum().astype("int64"),
    })
    out["received_fen"] = (out["cash_fen"] + out["goods_fen"]).astype("int64")
    if "name" in vis:
        out["visit_name"] = g["name"].first()
    out["visit_area_code"] = g["area_code"].first().astype(str)
    return out


def duplicates(registry: pd.DataFrame, visits: pd.DataFrame | None = None, *, year: int | None = None,
               cap_fen: int = 0) -> pd.DataFrame:
    """People listed more than once on the registry or visited more than once in ``year``.

    One row per person: id_number, name, area_code, listings (registry rows),
    organizers_listed, n_organizers, categories, n_visits,
    organizers_visited, cash_fen, goods_fen, received_fen, excess_fen
    (over ``cap_fen``; 0 when there is no cap). Sorted by total received,
    then times listed, largest first.
    """
    paid = received_by_person(visits, year=year) if visits is not None and year is not None else None
    # Only people listed twice, or visited twice, can be in the table: the rest of a big registry is left out
    # before grouping (the same rows come out, a million single listings are not joined and dropped).
    ids = registry["id_number"]
    maybe = ids.duplicated(keep=False).to_numpy().copy()
    if paid is not None:
        maybe |= ids.isin(paid.index[paid["n_visits"] > 1]).to_numpy()
    registry = registry.loc[maybe]
    g = registry.groupby("id_number", sort=True)
    listed = pd.DataFrame({
        "name": g["name"].first(),
        "area_code": g["area_code"].first().astype(str),
        "listings": g.size().astype(int),
        "organizers_listed": joined_unique(registry["id_number"], registry["organizer"]) if "organizer" in registry else "",
        "n_organizers": g["organizer"].nunique().astype(int) if "organizer" in registry else 1,
        "categories": joined_unique(registry["id_number"], registry["category"]),
    })
    if paid is not None:
        people = listed.join(paid, how="outer")
        people["name"] = people["name"].fillna(people.get("visit_name"))
        people["area_code"] = people["area_code"].fillna(people["visit_area_code"])
        people = people.drop(columns=[c for c in ("visit_name", "visit_area_code") if c in people])
    else:
        people = listed
    for col in ("listings", "n_organizers", "n_visits", "n_visit_organizers"):
        if col in people:
            people[col] = people[col].fillna(0).astype(int)
    for col in ("cash_fen", "goods_fen", "received_fen"):
        if col not in people:
            people[col] = 0
        people[col] = people[col].fillna(0).astype("int64")
    for col in ("organizers_listed", "organizers_visited", "categories"):
        if col not in people:
            people[col] = ""
        people[col] = people[col].fillna("")
    if "n_visits" not in people:
        people["n_visits"] = 0
    people["excess_fen"] = _excess(people["received_fen"], cap_fen)
    dup = people.loc[(people["listings"] > 1) | (people["n_visits"] > 1)]
    dup = dup.sort_values(["received_fen", "listings"], ascending=False, kind="stable")
    cols = ["name", "area_code", "listings", "organizers_listed", "n_organizers", "categories",
            "n_visits", "organizers_visited", "cash_fen", "goods_fen", "received_fen", "excess_fen"]
    out = dup[cols].copy()
    out.index.name = "id_number"
    return out.reset_index()


def _excess(received: pd.Series, cap_fen: int) -> pd.Series:
    if not cap_fen:
        return pd.Series(0, index=received.index, dtype="int64")
    return (received - int(cap_fen)).clip(lower=0).astype("int64")


def cap_excess(visits: pd.DataFrame, *, year: int, cap_fen: int) -> pd.DataFrame:
    """People whose total received in ``year`` across all organizers exceeds ``cap_fen``.

    Columns: id_number, name, area_code, n_visits, organizers_visited,
    received_fen, cap_fen, excess_fen. Empty when ``cap_fen`` is 0 (no cap).
    """
    paid = received_by_person(visits, year=year)
    paid = paid.rename(columns={"visit_name": "name", "visit_area_code": "area_code"})
    if "name" not in paid:
        paid["name"] = ""
    paid["cap_fen"] = int(cap_fen)
    paid["excess_fen"] = _excess(paid["received_fen"], cap_fen)
    over = paid.loc[paid["excess_fen"] > 0] if cap_fen else paid.iloc[0:0]
    over = over.sort_values("excess_fen", ascending=False, kind="stable")
    cols = ["name", "area_code", "n_visits", "organizers_visited", "received_fen", "cap_fen", "excess_fen"]
    out = over[cols].copy()
    out.index.name = "id_number"
    return out.reset_index()


def summary(dups: pd.DataFrame, excess: pd.DataFrame) -> dict:
    """Headline figures: people listed/visited more than once, over the cap, total excess (fen)."""
    return {
        "duplicate_people": int(len(dups)),
        "listed_by_several": int((dups["n_organizers"] > 1).sum()) if len(dups) else 0,
        "visited_several_times": int((dups["n_visits"] > 1).sum()) if len(dups) else 0,
        "over_cap_people": int(len(excess)),
        "excess_fen": int(excess["excess_fen"].sum()) if len(excess) else 0,
    }


def masked(df: pd.DataFrame) -> pd.DataFrame:
    """The table as any report shows it: names and ID numbers masked."""
    return mask_frame(df)


def display_table(df: pd.DataFrame, *, areas: pd.DataFrame | None = None, categories: pd.DataFrame | None = None,
                  lang: str = "zh") -> pd.DataFrame:
    """A duplicates or cap-excess table ready to show: masked, yuan amounts, area and category names, zh/en headers."""

    out = masked(df)
    if areas is not None and "area_code" in out:
        names = area_names(areas, lang)
        out.insert(out.columns.get_loc("area_code"), "area_name",
                   out["area_code"].astype(str).map(names).fillna(out["area_code"].astype(str)))
        out = out.drop(columns="area_code")
    if categories is not None and "categories" in out:
        cat = dict(zip(categories["code"], categories[lang]))
        out["categories"] = out["categories"].map(lambda t: "、".join(cat.get(c, c) for c in str(t).split("、") if c))
    for col in [c for c in out.columns if c.endswith("_fen")]:
        out[col] = out[col].map(lambda f: format_yuan(int(f)))
    return labels.relabel(out, lang)
