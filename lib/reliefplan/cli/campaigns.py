"""``reliefplan campaigns``: look back at past campaigns from a terminal.

``reliefplan campaigns reconcile [FILE]``
    Recompute every stated subtotal and total and print each mismatch in
    Chinese and English. FILE is a campaign history (.csv/.xlsx) or a case
    library (.yaml); without FILE both files the plan names are checked (the
    demo plan's by default). Exit 1 when any mismatch is found, 0 when none.

``reliefplan campaigns summary [--json] [FILE]``
    Totals by year of a campaign history (default: the plan's). The text
    table shows yuan; ``--json`` prints one object per year with every
    amount twice: ``*_fen`` as an integer number of fen (exact) and
    ``*_yuan`` as a string with two decimals and no separators
    (e.g. ``"1705619.00"``). Per-head amounts are rounded half-up to the fen.

Exit 2 when a file cannot be read (the message names file, row and field).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from reliefplan.core.errors import InputError
from reliefplan.core.money import fen_to_yuan, format_yuan
from reliefplan.core.text import format_table
from reliefplan.ingest.case_library import load_case_library
from reliefplan.ingest.categories import load_categories
from reliefplan.ingest.plan import load_plan
from reliefplan.ingest.reference import load_history
from reliefplan.models import campaigns
from reliefplan.models.reconcile import mismatches, reconcile, status_counts

YAML_SUFFIXES = (".yaml", ".yml")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "campaigns",
        help="历年慰问回顾: 核算核对、年度汇总 / past campaigns: reconcile, summary",
        description="历年慰问活动回顾 / Look back at past campaigns.",
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION")

    rec = sub.add_parser(
        "reconcile",
        help="核对填报的小计与合计 / recompute stated subtotals and totals",
        description=("按明细重新计算填报的小计与合计, 列出不符之处(不更正)。有不符时退出码为 1。 / "
                     "Recompute stated subtotals and totals from their items and list mismatches "
                     "(never corrected). Exit code 1 when any is found."),
    )
    rec.add_argument("file", nargs="?", default=None,
                     help="历年慰问记录(.csv/.xlsx)或案例库(.yaml); 默认两者都查 / a history file or a case "
                          "library YAML (default: both files of the plan)")
    rec.add_argument("--plan", default=None, help="方案文件(默认示例方案) / plan file (default: the demo plan)")
    rec.add_argument("--all", action="store_true", help="列出全部核对项 / list every check, not only mismatches")
    rec.set_defaults(handler=run_reconcile)

    summ = sub.add_parser(
        "summary",
        help="历年总计 / totals by year",
        description=("历年慰问户数、人数、金额总计。--json: 金额同时给出 *_fen(整数, 分) 和 *_yuan(两位小数的字符串, 元)。 / "
                     "Totals by year. With --json every amount is given as *_fen (integer fen, exact) and "
                     "*_yuan (string with 2 decimals, no separators)."),
    )
    summ.add_argument("file", nargs="?", default=None,
                      help="历年慰问记录(.csv/.xlsx); 默认方案所列文件 / history file (default: the plan's)")
    summ.add_argument("--plan", default=None, help="方案文件(默认示例方案) / plan file (default: the demo plan)")
    summ.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
    summ.add_argument("--unit", default="all", help="县级区划代码或 all / a county code or all")
    summ.add_argument("--from", dest="year_from", type=int, default=None, help="起始年度 / first year")
    summ.add_argument("--to", dest="year_to", type=int, default=None, help="截止年度 / last year")
    summ.set_defaults(handler=run_summary)

    p.set_defaults(handler=lambda args: _usage(p))


def _usage(parser) -> int:
    parser.print_help()
    return 2


def _is_library(path: Path) -> bool:
    return path.suffix.lower() in YAML_SUFFIXES


def _plan_files(plan_file) -> tuple[Path | None, Path | None, dict]:

    plan = load_plan(plan_file)
    files = plan.get("_files") or {}
    return files.get("history"), files.get("case_library"), plan


def run_reconcile(args) -> int:

    history_path, library_path, plan = _plan_files(args.plan)
    if args.file:
        path = Path(args.file)
        if not path.exists():
            raise InputError("文件不存在", "file not found", file=path)
        history_path, library_path = (None, path) if _is_library(path) else (path, None)
    categories = load_categories((plan.get("_files") or {}).get("categories"))
    history = load_history(history_path, categories=categories) if history_path else None
    lib = load_case_library(library_path, categories=categories) if library_path else None
    checks = reconcile(history, lib)
    found = mismatches(checks)

    for label_zh, label_en, path in (("历年慰问记录", "history", history_path), ("案例库", "case library", library_path)):
        if path:
            print(f"{label_zh} / {label_en}: {path}")
    shown = checks if args.all else found
    for row in shown.itertuples():
        print(f"- {row.zh}")
        print(f"  {row.en}")
    counts = status_counts(checks)
    print(f"\n共核对 {len(checks)} 项: 一致 {counts['ok']}, 不符 {counts['mismatch']}, "
          f"约数不符 {counts['approximate']}, 无法核算 {counts['unverifiable']}, 无法辨认 {counts['illegible']}")
    print(f"{len(checks)} checks: {counts['ok']} agree, {counts['mismatch']} mismatches, "
          f"{counts['approximate']} approximate, {counts['unverifiable']} cannot be recomputed, "
          f"{counts['illegible']} illegible")
    sys.stdout.flush()
    return 1 if len(found) else 0


def _yuan_text(fen) -> str:

    return f"{fen_to_yuan(int(fen)):.2f}"


def run_summary(args) -> int:


    history_path, _, plan = _plan_files(args.plan)
    if args.file:
        history_path = Path(args.file)
        if _is_library(history_path):
            raise InputError("summary 需要历年慰问记录文件(.csv/.xlsx), 不是案例库",
                             "summary needs a campaign history file (.csv/.xlsx), not a case library",
                             file=history_path)
    if history_path is None:
        raise InputError("方案未指定历年慰问记录(data.history)", "the plan names no history file (data.history)",
                         file=plan.get("_path"))
    history = load_history(history_path, categories=load_categories((plan.get("_files") or {}).get("categories")))
    unit = campaigns.check_unit(args.unit)
    filtered = campaigns.require_rows(campaigns.filter_history(history, args.year_from, args.year_to, unit),
                                      args.year_from, args.year_to, unit)
    table = campaigns.totals_by_year(filtered)

    if args.json:
        years = []
        for row in table.to_dict("records"):
            item = {"year": int(row["year"]), "households": int(row["households"]), "persons": int(row["persons"])}
            for col in ("cash_fen", "goods_fen", "overhead_fen", "gifts_fen", "total_fen",
                        "per_head_fen", "per_household_fen", "change_fen"):
                value = row[col]
                base = col[:-4]
                item[col] = None if pd.isna(value) else int(value)
                item[f"{base}_yuan"] = None if pd.isna(value) else _yuan_text(value)
            for col in ("cash_share_pct", "overhead_share_pct", "change_pct"):
                item[col] = None if pd.isna(row[col]) else float(row[col])
            years.append(item)
        out = {"source": str(history_path), "unit": unit, "demo": bool(plan.get("demo")) and not args.file,
               "money": "*_fen: integer fen; *_yuan: yuan as a string with 2 decimals", "years": years}
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0

    print(f"历年慰问记录 / history: {history_path}  单位 unit: {unit}")
    header = ("年度 year", "户数 hh", "人数 persons", "慰问金 cash", "慰问品 goods", "经费 overheads",
              "合计 total", "人均 per head", "增减 change %")
    rows = [header]
    for r in table.itertuples():
        rows.append((str(r.year), f"{r.households:,}", f"{r.persons:,}", format_yuan(r.cash_fen),
                     format_yuan(r.goods_fen), format_yuan(r.overhead_fen), format_yuan(r.total_fen),
                     "" if pd.isna(r.per_head_fen) else format_yuan(int(r.per_head_fen)),
                     "" if pd.isna(r.change_pct) else f"{r.change_pct:+.2f}"))
    print(format_table(rows[0], rows[1:], right_from=0))
    return 0


