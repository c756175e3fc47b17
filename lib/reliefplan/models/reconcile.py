"""Reconciliation: recompute stated subtotals and totals and list every mismatch.

Plans and returns state their own arithmetic (退休教师共15人,人均慰问品100元,
共1500元 ... 慰问经费总支3280元). This module recomputes each figure from the
items it covers and compares it with what was written:

* a case-library line: count x (cash + goods per head) against its stated
  subtotal;
* a case-library stated figure (``stated`` in the YAML): the sum of the items
  it covers (amount, cash, goods or count) against the stated value;
* a history record: cash + goods + overheads against ``stated_total_fen``.

Nothing is corrected. Every check gets a status:

``ok``            computed equals stated;
``mismatch``      computed differs from an exact stated figure;
``approximate``   differs, but the stated figure (or an item) is written as
                  approximate (余, 约);
``unverifiable``  cannot be recomputed (no per-head amounts written);
``illegible``     the stated figure cannot be read (约20XX元).

Money is int fen throughout; counts are kept apart (``*_count`` columns).
"""

from __future__ import annotations

import pandas as pd

from reliefplan.core.labels import LANGS, check_lang, label
from reliefplan.core.money import format_yuan

STATUSES = ("ok", "mismatch", "approximate", "unverifiable", "illegible")

STATUS_LABELS = {
    "ok": ("一致", "agrees"),
    "mismatch": ("不符", "mismatch"),
    "approximate": ("约数不符", "differs (approximate figure)"),
    "unverifiable": ("无法核算", "cannot be recomputed"),
    "illegible": ("无法辨认", "illegible"),
}

CHECK_COLUMNS = [
    "source", "record", "row", "line", "check", "measure", "text",
    "stated_fen", "computed_fen", "difference_fen", "stated_parts_fen",
    "stated_count", "computed_count", "status", "basis", "zh", "en",
]

# Column labels of the checks table (local: keys such as 'source' mean other things elsewhere).
LABELS = {
    "source": ("来源", "Source"),
    "record": ("方案/记录", "Plan / record"),
    "row": ("行号", "Row"),
    "line": ("项目", "Item"),
    "check": ("核对项", "Check"),
    "measure": ("口径", "Measure"),
    "text": ("原文", "As written"),
    "stated_fen": ("填报金额(元)", "Stated (yuan)"),
    "computed_fen": ("核算金额(元)", "Computed (yuan)"),
    "difference_fen": ("差额(元)", "Difference (yuan)"),
    "stated_parts_fen": ("各项填报之和(元)", "Sum of stated parts (yuan)"),
    "stated_count": ("填报数量", "Stated count"),
    "computed_count": ("核算数量", "Computed count"),
    "status": ("核对结果", "Result"),
    "basis": ("核算依据", "Basis"),
    "zh": ("说明", "Explanation (zh)"),
    "en": ("说明(英文)", "Explanation"),
    "explanation": ("说明", "Explanation"),
}


def column_label(key: str, lang: str = "zh") -> str:
    """This module's label for ``key`` (kept local so generic keys never clash), else the shared one."""
    pair = LABELS.get(key)
    return pair[LANGS.index(check_lang(lang))] if pair else label(key, lang)


def status_label(status: str, lang: str = "zh") -> str:
    zh, en = STATUS_LABELS[status]
    return zh if lang == "zh" else en


def _na(value):
    return None if value is None or pd.isna(value) else int(value)


def line_amounts(lines: pd.DataFrame) -> pd.DataFrame:
    """Case-library lines with what can be computed from them.

    Adds ``computed_fen`` = count x (cash + goods per head), ``cash_fen`` and
    ``goods_fen`` (count x per head; a side not written counts as 0 when the
    other is written), and ``amount_fen``: the computed amount, or the stated
    subtotal when the line cannot be computed (``amount_basis`` says which:
    ``items``, ``stated`` or null when neither is known). All Int64.
    """
    out = lines.copy()
    count = out["count"]
    cash = out["cash_per_head_fen"]
    goods = out["goods_per_head_fen"]
    known = count.notna() & (cash.notna() | goods.notna())
    computed = (count * (cash.fillna(0) + goods.fillna(0))).where(known)
    out["computed_fen"] = computed.astype("Int64")
    out["cash_fen"] = (count * cash.fillna(0)).where(known).astype("Int64")
    out["goods_fen"] = (count * goods.fillna(0)).where(known).astype("Int64")
    out["amount_fen"] = out["computed_fen"].fillna(out["stated_subtotal_fen"]).astype("Int64")
    basis = pd.Series(None, index=out.index, dtype=object)
    basis[known] = "items"
    basis[~known & out["stated_subtotal_fen"].notna()] = "stated"
    out["amount_basis"] = basis
    return out


def _status(stated, computed, approximate: bool, illegible: bool) -> str:
    if illegible or stated is None:
        return "illegible"
    if computed is None:
        return "unverifiable"
    if stated == computed:
        return "ok"
    return "approximate" if approximate else "mismatch"


def _money_text(record, line, text, status, stated, computed, parts):
    """zh and en explanation of one money check."""
    head_zh = f"{record} {line}「{text}」"
    head_en = f"{record} {line} '{text}'"
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


def _count_text(record, line, text, status, stated, computed):
    head_zh = f"{record} {line}「{text}」"
    head_en = f"{record} {line} '{text}'"
    if status == "unverifiable":
        return (f"{head_zh}: 明细未写明数量, 无法核算", f"{head_en}: counts not written for every item; not checked")
    if status == "ok":
        return (f"{head_zh}: 填报 {stated}, 与明细之和一致", f"{head_en}: stated {stated}, agrees with the items")
    return (f"{head_zh}: 填报 {stated}, 明细之和为 {computed}", f"{head_en}: stated {stated}, the items add up to {computed}")


def _check_row(**values) -> dict:
    row = dict.fromkeys(CHECK_COLUMNS)
    row.update(values)
    return row


def reconcile_case_library(lib) -> pd.DataFrame:
    """Every check of every plan in a :class:`~reliefplan.ingest.case_library.CaseLibrary`.

    One row per line with a stated subtotal and per stated figure, in plan
    order; columns :data:`CHECK_COLUMNS`. ``line`` is the line reference
    (L1...) or the stated figure's (S1...).
    """
    lines = line_amounts(lib.lines)
    overheads = lib.overheads
    rows: list[dict] = []
    for plan_id in lib.plans["id"]:
        plan_lines = lines[lines["plan_id"] == plan_id].set_index("ref")
        plan_over = overheads[overheads["plan_id"] == plan_id].set_index("ref")
        plan_stated = lib.stated[lib.stated["plan_id"] == plan_id]

        for ref, line in plan_lines.iterrows():
            stated = _na(line["stated_subtotal_fen"])
            if stated is None:
                continue
            computed = _na(line["computed_fen"])
            status = _status(stated, computed, bool(line["approximate"]), False)
            zh, en = _money_text(plan_id, ref, line["text"], status, stated, computed, None)
            rows.append(_check_row(
                source="case_library", record=plan_id, line=ref, check="line", measure="amount",
                text=line["text"], stated_fen=stated, computed_fen=computed,
                difference_fen=None if computed is None else computed - stated,
                status=status, basis="items" if computed is not None else None, zh=zh, en=en))

        # A stated group of overheads stands for them in the "sum of stated parts".
        over_groups = {frozenset(s.of): _na(s.value_fen) for s in plan_stated.itertuples()
                       if s.measure == "amount" and s.of and set(s.of) <= set(plan_over.index)}

        for s in plan_stated.itertuples():
            covered_lines = [r for r in s.of if r in plan_lines.index]
            covered_over = [r for r in s.of if r in plan_over.index]
            approx = bool(s.approximate) or bool(plan_lines.loc[covered_lines, "approximate"].any()) \
                if covered_lines else bool(s.approximate)
            if s.measure == "count":
                counts = plan_lines.loc[covered_lines, "count"] if covered_lines else pd.Series(dtype="Int64")
                computed = None if counts.isna().any() or not covered_lines else int(counts.sum())
                stated = _na(s.value_count)
                status = _status(stated, computed, approx, bool(s.illegible))
                zh, en = _count_text(plan_id, s.ref, s.text, status, stated, computed)
                rows.append(_check_row(
                    source="case_library", record=plan_id, line=s.ref, check="count", measure="count",
                    text=s.text, stated_count=stated, computed_count=computed, status=status,
                    basis="items" if computed is not None else None, zh=zh, en=en))
                continue

            column = {"amount": "amount_fen", "cash": "cash_fen", "goods": "goods_fen"}[s.measure]
            values = plan_lines.loc[covered_lines, column] if covered_lines else pd.Series(dtype="Int64")
            computed = None if values.isna().any() else int(values.sum())
            if computed is not None and s.measure == "amount":
                computed += int(plan_over.loc[covered_over, "amount_fen"].sum()) if covered_over else 0
            basis = None
            if computed is not None:
                used = set(plan_lines.loc[covered_lines, "amount_basis"]) if covered_lines else set()
                basis = "items" if used <= {"items"} else ("stated" if used == {"stated"} else "items+stated")
                if basis != "items":
                    approx = approx or bool(plan_lines.loc[covered_lines, "approximate"].any())
            parts = None
            if s.measure == "amount" and computed is not None:
                parts = int(plan_lines.loc[covered_lines, "stated_subtotal_fen"]
                            .fillna(plan_lines.loc[covered_lines, "computed_fen"]).sum()) if covered_lines else 0
                over_set = frozenset(covered_over)
                if over_set and over_groups.get(over_set) is not None and over_set != frozenset(s.of):
                    parts += over_groups[over_set]
                elif covered_over:
                    parts += int(plan_over.loc[covered_over, "amount_fen"].sum())
            stated = _na(s.value_fen)
            status = _status(stated, computed, approx, bool(s.illegible))
            if status == "illegible":
                zh, en = _money_text(plan_id, s.ref, s.text, status, None, computed, None)
            else:
                zh, en = _money_text(plan_id, s.ref, s.text, status, stated, computed, parts)
            check = "total" if s.of_words == "all" else "subtotal"
            rows.append(_check_row(
                source="case_library", record=plan_id, line=s.ref, check=check, measure=s.measure,
                text=s.text, stated_fen=stated, computed_fen=computed,
                difference_fen=None if computed is None or stated is None else computed - stated,
                stated_parts_fen=parts, status=status, basis=basis, zh=zh, en=en))
    return _frame(rows)


def history_record_label(row) -> str:
    """A history record named by its key columns: '2021 市民政局 350602 dibao 财政'."""
    return f"{row['year']} {row['organizer']} {row['area_code']} {row['category']} {row['funding_source']}"


def reconcile_history(history: pd.DataFrame) -> pd.DataFrame:
    """Check each history record's stated total against cash + goods + overheads.

    Records without a stated total are not checked. ``row`` is the row number
    in the source file: the ``source_row`` column when present (the loaders
    add it), else the position + 2.
    """
    if history.empty or "stated_total_fen" not in history:
        return _frame([])
    if "source_row" in history:
        source_rows = [int(r) for r in history["source_row"]]
    else:
        source_rows = [i + 2 for i in range(len(history))]
    computed = (history["cash_fen"].astype("int64") + history["goods_fen"].astype("int64")
                + history["overhead_fen"].astype("int64"))
    rows = []
    for pos, (_, rec) in enumerate(history.iterrows()):
        stated = _na(rec["stated_total_fen"])
        if stated is None:
            continue
        comp = int(computed.iat[pos])
        status = "ok" if comp == stated else "mismatch"
        record = history_record_label(rec)
        head_zh = f"{record} (第{source_rows[pos]}行)"
        head_en = f"{record} (row {source_rows[pos]})"
        if status == "ok":
            zh, en = f"{head_zh}: 填报合计与慰问金+慰问品+工作经费一致", f"{head_en}: stated total agrees"
        else:
            zh = (f"{head_zh}: 填报合计 {format_yuan(stated)} 元, 慰问金+慰问品+工作经费 = "
                  f"{format_yuan(comp)} 元, 相差 {format_yuan(comp - stated)} 元")
            en = (f"{head_en}: stated total {format_yuan(stated)} yuan, cash + goods + overheads = "
                  f"{format_yuan(comp)} yuan, difference {format_yuan(comp - stated)} yuan")
        rows.append(_check_row(
            source="history", record=record, row=int(source_rows[pos]), line="total", check="record",
            measure="amount", text=format_yuan(stated), stated_fen=stated, computed_fen=comp,
            difference_fen=comp - stated, status=status, basis="items", zh=zh, en=en))
    return _frame(rows)


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=CHECK_COLUMNS)
    for col in ("row", "stated_fen", "computed_fen", "difference_fen", "stated_parts_fen",
                "stated_count", "computed_count"):
        df[col] = pd.Series([pd.NA if v is None or pd.isna(v) else int(v) for v in df[col]], dtype="Int64")
    return df


def reconcile(history: pd.DataFrame | None = None, lib=None) -> pd.DataFrame:
    """All checks of a history table and/or a case library, history first."""
    parts = []
    if history is not None:
        parts.append(reconcile_history(history))
    if lib is not None:
        parts.append(reconcile_case_library(lib))
    if not parts:
        return _frame([])
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def mismatches(checks: pd.DataFrame) -> pd.DataFrame:
    """Only the checks whose stated figure disagrees with the computed one."""
    return checks[checks["status"] == "mismatch"].reset_index(drop=True)


def status_counts(checks: pd.DataFrame) -> dict[str, int]:
    """Number of checks per status (every status present, zeros included)."""
    counts = checks["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}


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
    out = out.rename(columns={"zh": "explanation", "en": "explanation"})
    return out.rename(columns={c: column_label(c, lang) for c in out.columns})
