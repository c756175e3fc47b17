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


LINE_COLUMNS = ["county_code", "category", "households", "persons", "recipients", "cash_fen", "goods_fen", "gifts_fen"]


def line_codes(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(line of each row, county_code and category of each line), lines sorted as ``groupby(sort=True)`` sorts them.

    The same grouping as ``frame.groupby(["county_code", "category"])`` with
    one factorize per column and no groupby; None when a key is missing
    (groupby would drop the row) or categorical, so callers keep the groupby then.
    """
    county, category = frame["county_code"], frame["category"]
    if isinstance(county.dtype, pd.CategoricalDtype) or isinstance(category.dtype, pd.CategoricalDtype):
        return None
    cc, cu = pd.factorize(county.to_numpy(dtype=object), sort=True)
    kc, ku = pd.factorize(category.to_numpy(dtype=object), sort=True)
    if (cc < 0).any() or (kc < 0).any():
        return None
    width = max(len(ku), 1)
    combo = cc.astype(np.int64) * width + kc
    # the pairs that occur, numbered in (county, category) order: a table of all pairs instead of a sort
    present = np.zeros(max(len(cu), 1) * width, dtype=bool)
    present[combo] = True
    uniq = np.flatnonzero(present)
    codes = (np.cumsum(present) - 1)[combo]
    return (codes.astype(np.int64), np.asarray(cu, dtype=object)[uniq // width],
            np.asarray(ku, dtype=object)[uniq % width])


def sum_by_line(codes: np.ndarray, n_lines: int, values) -> np.ndarray:
    """Exact int64 sums of ``values`` per line code (no float weights)."""
    out = np.zeros(n_lines, dtype=np.int64)
    np.add.at(out, codes, np.asarray(values, dtype=np.int64))
    return out


def gift_lines(beneficiaries: pd.DataFrame, standards: pd.DataFrame) -> pd.DataFrame:
    """Gifts per unit x category: households, persons, recipients, cash_fen, goods_fen, gifts_fen.

    Rows cut by the per-person rule (:func:`reliefplan.models.per_person.apply_rule`)
    cost their cut amount; rows it leaves unpaid are already gone.
    """
    fast = _gift_lines_by_row(beneficiaries, standards)
    if fast is not None:
        return fast
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


def _gift_lines_by_row(ben: pd.DataFrame, standards: pd.DataFrame) -> pd.DataFrame | None:
    """:func:`gift_lines` summed straight from the rows (the same sums: a row's cost is linear in its counts).

    None when the grouping path must decide (no rows, a missing key or 低保 standard, categorical keys).
    """
    if not len(ben) or ben["dibao_fen"].isna().any():
        return None
    lc = line_codes(ben)
    if lc is None:
        return None
    codes, county, category = lc
    count, cash, goods = group_amounts(ben, standards)
    cash_cut, goods_cut = per_person.cuts(ben)
    n = len(county)
    cash_fen = sum_by_line(codes, n, count * cash - cash_cut)
    goods_fen = sum_by_line(codes, n, count * goods - goods_cut)
    return pd.DataFrame({
        "county_code": county, "category": category,
        "households": sum_by_line(codes, n, ben["households"].to_numpy(dtype=np.int64)),
        "persons": sum_by_line(codes, n, ben["persons"].to_numpy(dtype=np.int64)),
        "recipients": sum_by_line(codes, n, count), "cash_fen": cash_fen, "goods_fen": goods_fen,
        "gifts_fen": cash_fen + goods_fen,
    })
