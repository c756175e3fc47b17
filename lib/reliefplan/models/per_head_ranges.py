"""Benchmarks: what organizers give per head, by category, from past plans.

What does a union give a 困难职工, a school a retired teacher? The case
library answers with ranges (min / median / max of cash + goods per person
or household) by category and organizer type. The ranges feed the budget
model's default standards (:func:`default_standards`).

Rules:

* only gift lines (慰问金/慰问品, 困难补助金) with exactly one category count;
  prizes, donations and lines covering several categories are left out;
* the per-head amount is written (cash and/or goods per head; a side not
  written is 0) or implied (stated subtotal / count, rounded to the fen;
  ``basis = implied``; cash or goods as the line's ``stated_subtotal_kind``
  says, unknown otherwise); approximate figures are kept and flagged;
* near-duplicate plans count once (:mod:`reliefplan.models.plan_similarity`): only
  each group's first plan is used.

All amounts are int fen; a median of an even number of values is rounded
half-up to the fen.
"""

from __future__ import annotations

import pandas as pd

from reliefplan.core import labels
from reliefplan.core.labels import LANGS, check_lang
from reliefplan.core.money import format_yuan
from reliefplan.models.plan_similarity import representatives





def _half_up_div(num: int, den: int) -> int:
    """num / den rounded half-up (num >= 0, den > 0), in integers."""
    return (2 * num + den) // (2 * den)


def median_fen(values) -> int:
    """Median of integer fen values; the mean of the middle two rounded half-up to the fen."""
    vals = sorted(int(v) for v in values)
    if not vals:
        raise ValueError("median of no values")
    mid = len(vals) // 2
    if len(vals) % 2:
        return vals[mid]
    return _half_up_div(vals[mid - 1] + vals[mid], 2)


def benchmark_lines(lib, keep: list[str] | None = None) -> pd.DataFrame:
    """The line items that make the benchmarks, one per row, with per-head amounts.

    ``keep``: plan ids to use (default: one representative per near-duplicate
    group). Columns: plan_id, ref, organizer, organizer_type, level, year,
    category, per, count, cash_fen, goods_fen (null when the split is unknown),
    per_head_fen, basis ('written' or 'implied'), approximate, text.
    """
    if keep is None:

        keep = representatives(lib)
    plans = lib.plans.set_index("id")
    rows = []
    for line in lib.lines.itertuples():
        if line.plan_id not in keep or line.kind not in ("gift", "grant") or pd.isna(line.category):
            continue
        cash, goods = line.cash_per_head_fen, line.goods_per_head_fen
        if pd.notna(cash) or pd.notna(goods):
            cash = 0 if pd.isna(cash) else int(cash)
            goods = 0 if pd.isna(goods) else int(goods)
            per_head, basis = cash + goods, "written"
        elif pd.notna(line.stated_subtotal_fen) and pd.notna(line.count) and int(line.count) > 0:
            per_head, basis = _half_up_div(int(line.stated_subtotal_fen), int(line.count)), "implied"
            kind = line.stated_subtotal_kind
            cash = per_head if kind == "cash" else (0 if kind == "goods" else None)
            goods = per_head if kind == "goods" else (0 if kind == "cash" else None)
        else:
            continue
        plan = plans.loc[line.plan_id]
        rows.append({
            "plan_id": line.plan_id, "ref": line.ref, "organizer": plan["organizer"],
            "organizer_type": plan["organizer_type"], "level": plan["level"], "year": plan["year"],
            "category": line.category, "per": line.per,
            "count": line.count, "cash_fen": cash, "goods_fen": goods, "per_head_fen": per_head,
            "basis": basis, "approximate": bool(line.approximate), "text": line.text,
        })
    cols = ["plan_id", "ref", "organizer", "organizer_type", "level", "year", "category", "per", "count",
            "cash_fen", "goods_fen", "per_head_fen", "basis", "approximate", "text"]
    df = pd.DataFrame(rows, columns=cols)
    for col in ("year", "count", "cash_fen", "goods_fen"):
        df[col] = pd.Series([pd.NA if v is None or pd.isna(v) else int(v) for v in df[col]], dtype="Int64")
    df["per_head_fen"] = df["per_head_fen"].astype("int64")
    df["approximate"] = df["approximate"].astype(bool)
    return df


def ranges(lines: pd.DataFrame, by=("category", "organizer_type")) -> pd.DataFrame:
    """Min / median / max per head by ``by`` (default category x organizer type).

    Columns: the ``by`` columns, per (person/household; 'mixed' when lines
    differ), n_lines, n_plans, min_fen, median_fen, max_fen, plans
    ('篇4, 篇7'), approximate (any figure approximate). Sorted by ``by``.
    """
    by = list(by)
    out = []
    for key, group in lines.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        pers = set(group["per"].dropna())
        vals = group["per_head_fen"].tolist()
        out.append({
            **dict(zip(by, key)),
            "per": pers.pop() if len(pers) == 1 else ("mixed" if pers else None),
            "n_lines": len(group), "n_plans": group["plan_id"].nunique(),
            "min_fen": min(vals), "median_fen": median_fen(vals), "max_fen": max(vals),
            "plans": ", ".join(dict.fromkeys(group["plan_id"])),
            "approximate": bool(group["approximate"].any()),
        })
    df = pd.DataFrame(out, columns=by + ["per", "n_lines", "n_plans", "min_fen", "median_fen", "max_fen",
                                         "plans", "approximate"])
    for col in ("n_lines", "n_plans", "min_fen", "median_fen", "max_fen"):
        df[col] = df[col].astype("int64")
    return df


def benchmarks(lib, by=("category", "organizer_type")) -> pd.DataFrame:
    """Ranges of per-head amounts from a case library, duplicates counted once."""
    return ranges(benchmark_lines(lib), by=by)


def default_standards(lib=None, lines: pd.DataFrame | None = None) -> dict[str, dict]:
    """Default standards per category from the benchmarks, for the budget model.

    Returns ``{category: {"per": "person"|"household", "per_head_fen": median,
    "cash_fen": ..., "goods_fen": ..., "min_fen": ..., "max_fen": ...,
    "n_lines": ..., "plans": [...], "split": "known"|"unknown"}}``.
    The median per head is split into cash and goods in the proportion of
    the cash and goods known on that category's lines (cash + goods =
    per_head_fen exactly); when no line tells the split it is all cash
    (``split = "unknown"``). ``per`` is the most common unit of the lines.
    ``lib``: a case library (e.g. the plan's ``PlanInputs.case_library``), or ``lines`` already drawn from one.
    """
    if lines is None:
        if lib is None:
            raise TypeError("default_standards needs a case library (lib) or its benchmark lines (lines)")
        lines = benchmark_lines(lib)
    out: dict[str, dict] = {}
    for code, group in lines.groupby("category", sort=True):
        vals = group["per_head_fen"].tolist()
        per_head = median_fen(vals)
        written = group[group["cash_fen"].notna() & group["goods_fen"].notna()]
        cash_sum = int(written["cash_fen"].sum()) if len(written) else 0
        goods_sum = int(written["goods_fen"].sum()) if len(written) else 0
        if cash_sum + goods_sum > 0:
            cash = _half_up_div(per_head * cash_sum, cash_sum + goods_sum)
            split = "known"
        else:
            cash, split = per_head, "unknown"
        per = group["per"].dropna().mode()
        out[str(code)] = {
            "per": str(per.iloc[0]) if len(per) else "person",
            "per_head_fen": per_head, "cash_fen": cash, "goods_fen": per_head - cash,
            "min_fen": min(vals), "max_fen": max(vals), "n_lines": len(group),
            "plans": list(dict.fromkeys(group["plan_id"])), "split": split,
        }
    return out


def history_per_head(history: pd.DataFrame, by=("category",)) -> pd.DataFrame:
    """Per-head ranges from campaign history records ((cash + goods) / persons per record).

    Records with no persons are left out. Same columns as :func:`ranges`
    (``plans`` lists the years instead of plan ids).
    """
    hist = history[history["persons"] > 0]
    gifts = hist["cash_fen"].astype("int64") + hist["goods_fen"].astype("int64")
    lines = pd.DataFrame({
        **{col: hist[col] for col in by},
        "per": "person",
        "plan_id": hist["year"].astype(str),
        "per_head_fen": [_half_up_div(int(g), int(p)) for g, p in zip(gifts, hist["persons"])],
        "approximate": False,
    })
    return ranges(lines, by=by)


def display_ranges(ranges: pd.DataFrame, lang: str = "zh", categories: pd.DataFrame | None = None,
                   organizer_types: dict | None = None) -> pd.DataFrame:
    """Ranges for people: category and organizer-type names, yuan with separators, labelled columns.

    ``organizer_types`` is the case library's vocabulary ({code: {zh, en}}).
    """
    out = ranges.reset_index(drop=True).copy()
    if categories is not None and "category" in out:
        names = dict(zip(categories["code"], categories["en" if lang == "en" else "zh"]))
        out.insert(out.columns.get_loc("category") + 1, "category_name",
                   out["category"].map(lambda c: names.get(c, c)))
    if organizer_types and "organizer_type" in out:
        out["organizer_type"] = out["organizer_type"].map(
            lambda t: (organizer_types.get(t) or {}).get(lang, t))
    if "per" in out:
        per = {"person": ("人", "person"), "household": ("户", "household"), "mixed": ("人/户", "mixed")}
        out["per"] = out["per"].map(lambda p: per.get(p, (p, p))[LANGS.index(check_lang(lang))])
    for col in ("min_fen", "median_fen", "max_fen"):
        if col in out:
            out[col] = [format_yuan(int(v)) for v in out[col]]
    return out.rename(columns={c: labels.column_label(c, lang, table="models.per_head_ranges") for c in out.columns})
