"""Gift lines (慰问金品): what each unit x category is paid, from beneficiaries and standards.

A standard per household counts households, per person counts persons. Rows
the per-person rule (:mod:`reliefplan.models.per_person`) cut cost their cut
amount; rows it leaves unpaid are already gone. Integer fen throughout.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reliefplan.core.errors import InputError
from reliefplan.models import per_person
from reliefplan.models import standards as stds
from reliefplan.models.beneficiaries import aggregate


def group_amounts(groups: pd.DataFrame, standards: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(count, cash per unit, goods per unit) per group row, int64: count is households or persons by ``per``."""
    pos = stds.category_positions(standards, groups["category"])
    if (pos < 0).any():
        bad = groups["category"].to_numpy()[pos < 0][0]
        raise InputError(f"类别 {bad} 不在标准中", f"category {bad} has no standard", column="category")
    per_person = (standards["per"].to_numpy() == "person")[pos]
    count = np.where(per_person, groups["persons"].to_numpy(dtype=np.int64), groups["households"].to_numpy(dtype=np.int64))
    cash, goods = stds.unit_amounts(standards, pos, groups["dibao_fen"].to_numpy(dtype=np.int64))
    return count.astype(np.int64), cash, goods


def gift_lines(beneficiaries: pd.DataFrame, standards: pd.DataFrame) -> pd.DataFrame:
    """Gifts per unit x category: households, persons, recipients, cash_fen, goods_fen, gifts_fen.

    Rows cut by the per-person rule (:func:`reliefplan.models.per_person.apply_rule`)
    cost their cut amount; rows it leaves unpaid are already gone.
    """
    groups = aggregate(beneficiaries)
    count, cash, goods = group_amounts(groups, standards)
    cash_cut, goods_cut = per_person.cuts(groups)
    g = pd.DataFrame({
        "county_code": groups["county_code"].to_numpy(dtype=object),
        "category": groups["category"].to_numpy(dtype=object),
        "households": groups["households"].to_numpy(dtype=np.int64),
        "persons": groups["persons"].to_numpy(dtype=np.int64),
        "recipients": count,
        "cash_fen": count * cash - cash_cut,
        "goods_fen": count * goods - goods_cut,
    })
    lines = g.groupby(["county_code", "category"], sort=True).sum().reset_index()
    lines["gifts_fen"] = lines["cash_fen"] + lines["goods_fen"]
    for col in lines.columns[2:]:
        lines[col] = lines[col].astype("int64")
    return lines
