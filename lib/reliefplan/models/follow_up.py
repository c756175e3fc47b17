"""Follow-up lists (应慰未慰名单): eligible people not yet reached, masked, by township.

Each township's list is sorted so that whoever should be served first comes
first: category priority (1 = 特困 first), then lowest income per head.
People visited without a signed receipt are on the list too, marked, since
the receipt still has to be collected.

The list is masked when it is built (姓名 张*三, 身份证 350602********1234,
电话 138****5678) and there is no option to unmask it: the person key is
kept so the unit holding the full registry can look people up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reliefplan.core import labels
from reliefplan.core.money import format_yuan
from reliefplan.core.privacy import mask_id, mask_name, mask_phone
from reliefplan.ingest.convert import map_unique


FOLLOW_UP = {
    "not_visited": ("未走访", "not visited"),
    "unsigned": ("已走访, 待补签收", "visited, get the receipt signed"),
}

COLUMNS = ["county_code", "county_name", "township_code", "township_name", "category", "category_label",
           "priority", "name", "id_number", "phone", "person_key", "income_fen", "income_ratio",
           "visited_unsigned", "follow_up"]


def gap_list(status: pd.DataFrame, *, lang: str = "zh") -> pd.DataFrame:
    """The masked follow-up list from :func:`reliefplan.models.coverage.person_status`.

    Rows: eligible and not reached. Sorted by township, then priority, then
    income per head (missing income last), then the masked ID.
    """
    # Only the columns used: a copy of every status column would double a big run's memory here.
    wanted = [c for c in ("county_code", "county_name", "township_code", "township_name", "category", "category_label",
                          "priority", "name", "id_number", "phone", "person_key", "income_fen", "income_ratio",
                          "visited_unsigned") if c in status]
    gaps = status.loc[status["eligible"] & ~status["reached"], wanted]
    idx = 0 if lang == "zh" else 1
    out = pd.DataFrame(index=gaps.index)
    out["county_code"] = gaps["county_code"].astype(str)
    out["county_name"] = gaps["county_name"] if "county_name" in gaps else out["county_code"]
    out["township_code"] = gaps["township_code"].astype(str)
    out["township_name"] = gaps["township_name"] if "township_name" in gaps else out["township_code"]
    out["category"] = gaps["category"]
    out["category_label"] = gaps["category_label"] if "category_label" in gaps else gaps["category"]
    out["priority"] = gaps["priority"].astype(int) if "priority" in gaps else 99
    out["name"] = map_unique(gaps["name"], mask_name) if "name" in gaps else ""
    out["id_number"] = gaps["id_number"].map(mask_id)
    out["phone"] = gaps["phone"].map(mask_phone) if "phone" in gaps else ""
    out["person_key"] = gaps["person_key"] if "person_key" in gaps else ""
    out["income_fen"] = gaps["income_fen"].astype("Int64") if "income_fen" in gaps else pd.NA
    out["income_ratio"] = gaps["income_ratio"].astype(float) if "income_ratio" in gaps else np.nan
    out["visited_unsigned"] = gaps["visited_unsigned"].astype(bool)
    notes = np.array([FOLLOW_UP["not_visited"][idx], FOLLOW_UP["unsigned"][idx]], dtype=object)
    out["follow_up"] = pd.Series(notes[out["visited_unsigned"].to_numpy(dtype=np.int64)], index=out.index, dtype="str")
    out["_income_sort"] = out["income_fen"].astype("float64").fillna(np.inf)
    out = out.sort_values(["county_code", "township_code", "priority", "_income_sort", "id_number"], kind="stable")
    return out.drop(columns="_income_sort")[COLUMNS].reset_index(drop=True)


def by_township(gaps: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """The list split per township: [(township_code, township_name, rows)], in code order."""
    out = []
    for code, rows in gaps.groupby("township_code", sort=True):
        out.append((str(code), str(rows["township_name"].iloc[0]), rows.reset_index(drop=True)))
    return out


def township_counts(gaps: pd.DataFrame) -> pd.DataFrame:
    """People on the list per township (and how many only need a receipt signed)."""
    g = gaps.groupby(["county_code", "county_name", "township_code", "township_name"], sort=True)
    return g.agg(people=("id_number", "size"), unsigned=("visited_unsigned", "sum")).reset_index() \
        .astype({"people": int, "unsigned": int})


def display_table(gaps: pd.DataFrame, *, lang: str = "zh") -> pd.DataFrame:
    """The list ready to show or export: income in yuan, labelled columns, codes dropped."""
    out = gaps.copy()
    out["income_yuan"] = out["income_fen"].map(lambda f: "" if pd.isna(f) else format_yuan(int(f)))
    out["income_ratio"] = out["income_ratio"].map(lambda r: "" if pd.isna(r) else f"{r:.2f}")
    cols = ["county_name", "township_name", "category_label", "priority", "name", "id_number", "phone",
            "income_yuan", "income_ratio", "follow_up", "person_key"]
    return labels.relabel(out[cols], lang)
