"""Words of the reconciliation: status and column labels, explanations, the table for people.

Kept apart from :mod:`reliefplan.models.reconcile` (which computes the
checks) so that each stays small; reconcile re-exports what callers use.
"""

from __future__ import annotations

import pandas as pd

from reliefplan.core import labels
from reliefplan.core.label_table import TABLES
from reliefplan.core.money import format_yuan
from reliefplan.models.slip_origins import origin_text

STATUS_LABELS = {
    "ok": ("一致", "agrees"),
    "approx_match": ("依约数相符", "agrees only through an approximate figure"),
    "mismatch": ("不符", "mismatch"),
    "approximate": ("约数不符", "differs (approximate figure)"),
    "unit_mismatch": ("计量单位不符", "units differ"),
    "no_line": ("无对应明细", "named, no line item"),
    "unverifiable": ("无法核算", "cannot be recomputed"),
    "illegible": ("无法辨认", "illegible"),
}

UNIT_EN = {"人": "persons", "户": "households", "名": "places", "个": "units", "家": "enterprises"}

LABELS = TABLES["models.reconcile"]  # the checks table's column labels (declared in core.label_table)


def column_label(key: str, lang: str = "zh") -> str:
    """A column of the checks table: its label in core.label_table.TABLES["models.reconcile"], else the shared one."""
    return labels.column_label(key, lang, table="models.reconcile")


def status_label(status: str, lang: str = "zh") -> str:
    zh, en = STATUS_LABELS[status]
    return zh if lang == "zh" else en


def money_text(record, line, text, status, stated, computed, parts, approx_items=()):
    """zh and en explanation of one money check; ``approx_items``: (ref, text, fen) of approximate items used."""
    head_zh = f"{record} {line}「{text}」"
    head_en = f"{record} {line} '{text}'"
    if status == "approx_match":
        used = [(r, t, f) for r, t, f in approx_items if f]
        exact = computed - sum(f for _, _, f in used)
        if used:
            zh_items = "、".join(f"{r}「{t}」({format_yuan(f)} 元)" for r, t, f in used)
            en_items = ", ".join(f"{r} '{t}' ({format_yuan(f)})" for r, t, f in used)
            return (f"{head_zh}: 填报 {format_yuan(stated)} 元, 仅在计入约数项 {zh_items} 后相符; "
                    f"按确数核算为 {format_yuan(exact)} 元, 相差 {format_yuan(exact - stated)} 元",
                    f"{head_en}: stated {format_yuan(stated)} yuan agrees only when the approximate {en_items} "
                    f"is counted; the exact figures add up to {format_yuan(exact)} yuan, a difference of "
                    f"{format_yuan(exact - stated)} yuan")
        return (f"{head_zh}: 填报 {format_yuan(stated)} 元为约数, 与核算数相同, 不能视为核实一致",
                f"{head_en}: stated {format_yuan(stated)} yuan is approximate; equal to the items, "
                "but not a verified agreement")
    if status == "illegible":
        return (f"{head_zh}: 填报金额无法辨认, 无法核对", f"{head_en}: the stated amount is illegible; not checked")
    if status == "unverifiable":
        return (f"{head_zh}: 未写明数量或人均标准, 无法按明细核算(填报 {format_yuan(stated)} 元)",
                f"{head_en}: counts or per-head amounts not written, cannot be recomputed "
                f"(stated {format_yuan(stated)})")
    if status == "ok":
        return (f"{head_zh}: 填报 {format_yuan(stated)} 元, 与核算一致",
                f"{head_en}: stated {format_yuan(stated)}, agrees with the items")
    diff = computed - stated
    zh = (f"{head_zh}: 填报 {format_yuan(stated)} 元, 按明细核算 {format_yuan(computed)} 元, "
          f"相差 {format_yuan(diff)} 元")
    en = (f"{head_en}: stated {format_yuan(stated)} yuan, computed from its items {format_yuan(computed)} yuan, "
          f"difference {format_yuan(diff)} yuan")
    if parts is not None and parts == stated and parts != computed:
        zh += f"(填报数等于各项填报小计之和 {format_yuan(parts)} 元)"
        en += f" (the stated figure equals the sum of the stated subtotals, {format_yuan(parts)})"
    if status == "approximate":
        zh += "; 原文为约数"
        en += "; the text gives an approximate figure"
    return zh, en


def count_text(record, line, text, status, stated, computed):
    head_zh = f"{record} {line}「{text}」"
    head_en = f"{record} {line} '{text}'"
    if status == "unverifiable":
        return (f"{head_zh}: 明细未写明数量, 无法核算", f"{head_en}: counts not written for every item; not checked")
    if status == "ok":
        return (f"{head_zh}: 填报 {stated}, 与明细之和一致", f"{head_en}: stated {stated}, agrees with the items")
    if status == "approx_match":
        return (f"{head_zh}: 填报 {stated}, 与明细之和相同, 但依赖约数, 不能视为核实一致",
                f"{head_en}: stated {stated}, equal to the items, but through an approximate figure")
    return (f"{head_zh}: 填报 {stated}, 明细之和为 {computed}", f"{head_en}: stated {stated}, the items add up to {computed}")


def display_checks(checks: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Checks as a table for people: yuan with separators, status words, labelled columns."""
    cols = ["record", "line", "text", "stated_fen", "computed_fen", "difference_fen", "status",
            "zh" if lang == "zh" else "en"]
    checks = checks.reset_index(drop=True)
    out = checks[cols].copy()
    for col in ("stated_fen", "computed_fen", "difference_fen"):
        values = checks[col]
        counts = checks["stated_count"] if col == "stated_fen" else checks["computed_count"]
        shown = []
        for i in range(len(checks)):
            if pd.notna(values.iat[i]):
                shown.append(format_yuan(int(values.iat[i])))
            elif col != "difference_fen" and pd.notna(counts.iat[i]):
                shown.append(str(int(counts.iat[i])))
            else:
                shown.append("")
        out[col] = shown
    out["status"] = [status_label(s, lang) for s in checks["status"]]
    out["line"] = ["合计" if (v == "total" and lang == "zh") else "Total" if v == "total" else v for v in out["line"]]
    text_col = "zh" if lang == "zh" else "en"
    if "origin" in checks:
        notes = [origin_text(o, r, lang) for o, r in zip(checks["origin"], checks["root"])]
        out[text_col] = [f"{t} ({n})" if n else t for t, n in zip(out[text_col], notes)]
    out = out.rename(columns={"zh": "explanation", "en": "explanation"})
    return out.rename(columns={c: column_label(c, lang) for c in out.columns})
