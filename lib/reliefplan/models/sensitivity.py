"""Sensitivity (敏感性分析): which standard moves the total most.

Each standard - cash and goods of every category - is moved down and up by
the same percentage (10% by default) with everything else held, and the
plan's total (gifts, overheads, contingency) is recomputed. The rows, sorted
by swing, are what a tornado chart draws: the standards to watch first are
the ones where many recipients meet a large amount.
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from reliefplan.models import budget as bm
from reliefplan.models import standards as stds

COMPONENTS = {"cash": ("慰问金", "Cash"), "goods": ("慰问品", "Goods")}


def _moved(std: pd.DataFrame, i: int, component: str, factor: Fraction) -> pd.DataFrame:
    out = std.copy()
    if component == "cash" and out["cash_dibao_multiple"].iat[i] is not None:
        out.iat[i, out.columns.get_loc("cash_dibao_multiple")] = out["cash_dibao_multiple"].iat[i] * factor
    else:
        col = f"{component}_fen"
        out.iat[i, out.columns.get_loc(col)] = stds.round_fraction(Fraction(int(out[col].iat[i])) * factor)
    return out


def sensitivity(plan: dict, beneficiaries: pd.DataFrame, *, scenario: str | None = None,
                standards: pd.DataFrame | None = None, pct=10) -> pd.DataFrame:
    """Total when each standard is lowered / raised by ``pct`` percent, sorted by swing (largest first).

    Columns: category, zh, en, component (cash/goods), base_fen (the
    baseline total), low_fen, high_fen, delta_low_fen, delta_high_fen,
    swing_fen (high - low). Standards that move nothing (zero, or a category
    without beneficiaries) are left out.
    """
    std = standards if standards is not None else stds.scenario_standards(plan, scenario)
    groups = bm.aggregate(beneficiaries)
    oh = bm.overhead_items(plan)
    p = stds.exact(pct) / 100

    def total(s):
        return bm.build_budget(plan, bm.gift_lines(groups, s), standards=s, overheads=oh).total_fen

    base = total(std)
    rows = []
    for i, code in enumerate(std["category"]):
        for comp in COMPONENTS:
            uses_multiple = comp == "cash" and std["cash_dibao_multiple"].iat[i] is not None
            if not uses_multiple and int(std[f"{comp}_fen"].iat[i]) == 0:
                continue
            low, high = total(_moved(std, i, comp, 1 - p)), total(_moved(std, i, comp, 1 + p))
            rows.append({"category": code, "zh": std["zh"].iat[i], "en": std["en"].iat[i], "component": comp,
                         "base_fen": base, "low_fen": low, "high_fen": high,
                         "delta_low_fen": low - base, "delta_high_fen": high - base, "swing_fen": high - low})
    cols = ["category", "zh", "en", "component", "base_fen", "low_fen", "high_fen",
            "delta_low_fen", "delta_high_fen", "swing_fen"]
    df = pd.DataFrame(rows, columns=cols)
    for col in cols[4:]:
        df[col] = df[col].astype("int64")
    df = df[df["swing_fen"] != 0]
    return df.sort_values(["swing_fen", "category", "component"], ascending=[False, True, True],
                          kind="stable").reset_index(drop=True)
