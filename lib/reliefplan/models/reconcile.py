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

``ok``            computed equals stated, every figure used is exact;
``approx_match``  equal, but only through a figure written as approximate
                  (约, 余, 左右): 篇3's 合计5000元 equals its cash lines (2,000)
                  plus a donation "估约需捐款3000余元"; reported as such, not as
                  agreement, with the exact part shown;
``mismatch``      computed differs from an exact stated figure;
``approximate``   differs, but the stated figure (or an item) is written as
                  approximate;
``unit_mismatch`` a count compared across units: 篇9's "6人" against line
                  items counted in households (6户) is a finding, not a match;
``no_line``       a group the plan names in a stated figure (篇9: 农民工) has
                  no line item (:mod:`reliefplan.models.named_groups`);
``unverifiable``  cannot be recomputed (no per-head amounts written);
``illegible``     the stated figure cannot be read (约20XX元).

One slip is reported once (:mod:`reliefplan.models.slip_origins`): a total
that is wrong only because a subtotal under it is wrong ``follows`` that
subtotal, and the same slip in a near-copy of another plan (篇8 of 篇7) is
``inherited``; ``origin`` and ``root`` say so, and :func:`findings` lists
each slip once with where it recurs.

Money is int fen throughout; counts are kept apart (``*_count`` columns).
"""

from __future__ import annotations

import re

import pandas as pd

from reliefplan.core.errors import ConfigError
from reliefplan.core.money import format_yuan
from reliefplan.models import named_groups, slip_origins
from reliefplan.models.reconcile_text import (  # noqa: F401  (re-exported: the labels and table live there)
    LABELS, STATUS_LABELS, UNIT_EN, count_text, money_text, column_label, display_checks, status_label,
)

STATUSES = ("ok", "approx_match", "mismatch", "approximate", "unit_mismatch", "no_line", "unverifiable",
            "illegible")
FINDING_STATUSES = ("mismatch", "unit_mismatch", "no_line")

CHECK_COLUMNS = [
    "source", "record", "row", "line", "check", "measure", "text",
    "stated_fen", "computed_fen", "difference_fen", "stated_parts_fen",
    "stated_count", "computed_count", "status", "basis", "zh", "en", "origin", "root",
]

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
        return "approx_match" if approximate else "ok"
    return "approximate" if approximate else "mismatch"


def _approx_items(lines: pd.DataFrame, overheads: pd.DataFrame, column: str) -> list:
    """(ref, text as written, fen counted) of the approximate items a money figure was computed from."""
    out = []
    for ref, line in lines[lines["approximate"]].iterrows():
        text = line["stated_subtotal_text"] if isinstance(line["stated_subtotal_text"], str) else line["text"]
        out.append((ref, text, _na(line[column]) or 0))
    if column == "amount_fen":
        for ref, item in overheads[overheads["approximate"]].iterrows():
            out.append((ref, item["text"], int(item["amount_fen"])))
    return out


def _unit_written(text: str) -> str | None:
    """The unit written after the last count in ``text`` (共6人 -> 人), if any."""
    found = re.findall(r"\d\s*([人户名个家])", text or "")
    return found[-1] if found else None


def _count_check(plan_id, s, lines: pd.DataFrame, approx: bool) -> dict:
    """A stated count against its line items, compared in the same unit (人 with 人, 户 with 户).

    A count in persons over lines counted in households is compared with the
    lines' ``persons`` when every line gives it; otherwise the units differ
    and that is the finding (篇9: 6人 against 6户).
    """
    stated = _na(s.value_count)
    unit = s.unit if isinstance(s.unit, str) and s.unit else _unit_written(s.text)
    line_units = set(lines["unit"].dropna())
    counts = lines["count"]
    not_persons = lines["unit"] != "人"
    if unit == "人" and line_units - {"人"} and lines.loc[not_persons, "persons"].notna().all():
        counts, line_units = lines["persons"].where(lines["unit"] != "人", lines["count"]), {"人"}
    computed = None if counts.isna().any() or lines.empty else int(counts.sum())
    status = _status(stated, computed, approx, bool(s.illegible))
    head_zh, head_en = f"{plan_id} {s.ref}「{s.text}」", f"{plan_id} {s.ref} '{s.text}'"
    if unit and line_units and line_units != {unit} and status not in ("illegible", "unverifiable"):
        status = "unit_mismatch"
        written = "、".join(sorted(line_units))
        zh = (f"{head_zh}: 填报 {stated}{unit}, 明细按{written}计共 {computed}: 计量单位不同, "
              f"不能视为一致(人数与户数不是同一口径)")
        en = (f"{head_en}: stated {stated} ({UNIT_EN.get(unit, unit)}), the items count {computed} "
              f"({', '.join(UNIT_EN.get(u, u) for u in sorted(line_units))}): different units, not an agreement")
    else:
        zh, en = count_text(plan_id, s.ref, s.text, status, stated, computed)
    return _check_row(source="case_library", record=plan_id, line=s.ref, check="count", measure="count",
                      text=s.text, stated_count=stated, computed_count=computed, status=status,
                      basis="items" if computed is not None else None, zh=zh, en=en)


def _check_row(**values) -> dict:
    row = dict.fromkeys(CHECK_COLUMNS)
    row.update(values)
    return row


def reconcile_case_library(lib, categories: pd.DataFrame | None = None,
                            pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every check of every plan in a :class:`~reliefplan.ingest.case_library.CaseLibrary`.

    One row per line with a stated subtotal, per stated figure and per group
    named without a line item, in plan order; columns :data:`CHECK_COLUMNS`.
    ``line`` is the line reference (L1...) or the stated figure's (S1...).
    ``categories`` (names and aliases, for the named groups) defaults to the
    table the library was loaded with (the plan's); ``pairs`` (:func:`~reliefplan.models.plan_similarity.compare_plans`)
    is computed when not given.
    """
    lines = line_amounts(lib.lines)
    overheads = lib.overheads
    named = _named_group_rows(lib, categories)
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
            zh, en = money_text(plan_id, ref, line["text"], status, stated, computed, None)
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
                rows.append(_count_check(plan_id, s, plan_lines.loc[covered_lines], approx))
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
            approx = approx or bool(covered_over and plan_over.loc[covered_over, "approximate"].any())
            status = _status(stated, computed, approx, bool(s.illegible))
            if status == "illegible":
                zh, en = money_text(plan_id, s.ref, s.text, status, None, computed, None)
            else:
                zh, en = money_text(plan_id, s.ref, s.text, status, stated, computed, parts,
                                     _approx_items(plan_lines.loc[covered_lines], plan_over.loc[covered_over],
                                                   column))
            check = "total" if s.of_words == "all" else "subtotal"
            rows.append(_check_row(
                source="case_library", record=plan_id, line=s.ref, check=check, measure=s.measure,
                text=s.text, stated_fen=stated, computed_fen=computed,
                difference_fen=None if computed is None or stated is None else computed - stated,
                stated_parts_fen=parts, status=status, basis=basis, zh=zh, en=en))
        rows.extend(named.get(plan_id, []))
    return slip_origins.mark_origins(_frame(rows), lib, FINDING_STATUSES, pairs)


def _named_group_rows(lib, categories) -> dict[str, list[dict]]:
    """Plan id -> check rows for the groups it names with no line item."""
    out: dict[str, list[dict]] = {}
    if categories is None:
        categories = getattr(lib, "categories", None)
    if categories is None:
        raise ConfigError("核对案例库所列人群需要困难类别表(方案 data.categories)",
                          "checking the groups a case library names needs the categories table (data.categories)",
                          file=getattr(lib, "path", None), column="categories")
    found = named_groups.groups_without_lines(lib, categories)
    for g in found:
        plan_id = g["plan_id"]
        out.setdefault(plan_id, []).append(_check_row(
            source="case_library", record=plan_id, line=g["ref"], check="named_group", measure="count",
            text=g["text"], status="no_line",
            zh=f"{plan_id} {g['ref']}「{g['text']}」: 列出了“{g['name']}”, 但慰问明细中没有对应项目(户数、标准均未写明)",
            en=f"{plan_id} {g['ref']} '{g['text']}': names {g['name']} ({g['code']}), but no line item covers "
               "them (no count or standard is given)"))
    return out


def history_record_label(row, names: dict | None = None) -> str:
    """A history record named by its key columns: '2021 市民政局 芗城区 低保户 财政'.

    ``names`` maps ``category`` and ``county`` codes to the names people read
    (``{"category": {...}, "county": {...}}``); a code without a name stays a code.
    """
    names = names or {}
    area = str(row["area_code"])
    category = str(row["category"])
    return (f"{row['year']} {row['organizer']} {names.get('county', {}).get(area, area)} "
            f"{names.get('category', {}).get(category, category)} {row['funding_source']}")


def reconcile_history(history: pd.DataFrame, names: dict | None = None) -> pd.DataFrame:
    """Check each history record's stated total against cash + goods + overheads.

    Records without a stated total are not checked. ``row`` is the row number
    in the source file: the ``source_row`` column when present (the loaders
    add it), else the position + 2. ``names``: see :func:`history_record_label`.
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
        record = history_record_label(rec, names)
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


def reconcile(history: pd.DataFrame | None = None, lib=None, *, categories: pd.DataFrame | None = None,
              names: dict | None = None) -> pd.DataFrame:
    """All checks of a history table and/or a case library, history first (``names``: see
    :func:`history_record_label`)."""
    parts = []
    if history is not None:
        parts.append(reconcile_history(history, names))
    if lib is not None:
        parts.append(reconcile_case_library(lib, categories))
    if not parts:
        return _frame([])
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def mismatches(checks: pd.DataFrame) -> pd.DataFrame:
    """The findings: stated figures that disagree with the computed ones, counts in different units,
    and groups named without a line item (repeats of one slip included; see :func:`findings`)."""
    return checks[checks["status"].isin(FINDING_STATUSES)].reset_index(drop=True)


def findings(checks: pd.DataFrame) -> pd.DataFrame:
    """Each slip once: the findings without an origin, with ``repeats``: the checks that repeat it
    (a total that follows from it, a near-copy that inherited it), e.g. '篇7 S2; 篇8 S1; 篇8 S2'."""
    found = mismatches(checks)
    has_origin = found["origin"].map(lambda o: isinstance(o, str) and o != "").astype(bool)
    roots = found[~has_origin].copy()
    keys = roots["record"] + " " + roots["line"].astype(str)
    repeats = {k: [] for k in keys}
    for row in found[has_origin].itertuples():
        if row.root in repeats:
            repeats[row.root].append(f"{row.record} {row.line}")
    roots["repeats"] = ["; ".join(repeats[k]) for k in keys]
    return roots.reset_index(drop=True)


def approximate_matches(checks: pd.DataFrame) -> pd.DataFrame:
    """Checks that agree only through an approximate figure (reported, but not as agreement)."""
    return checks[checks["status"] == "approx_match"].reset_index(drop=True)


def status_counts(checks: pd.DataFrame) -> dict[str, int]:
    """Number of checks per status (every status present, zeros included)."""
    counts = checks["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}
