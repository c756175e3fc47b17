"""``reliefplan campaigns``: look back at past campaigns from a terminal.

``reliefplan campaigns reconcile [FILE]``
    Recompute every stated subtotal and total and print each mismatch in
    Chinese and English. FILE is a campaign history (.csv/.xlsx) or a case
    library (.yaml); without FILE both files the plan names are checked (the
    demo plan's by default). Exit 1 when any mismatch is found, 0 when none.

    Each slip is printed once, with where it recurs: a total that is wrong
    only because of a subtotal under it, and the same slip in a near-copy of
    another plan (篇8 of 篇7). Figures that agree only through an approximate
    figure (约, 余, 左右) are listed too, as such (they do not set exit 1).

``reliefplan campaigns similar [--all] [--json] [FILE]``
    Near-duplicate plans in a case library (default: the plan's): pairs with
    similar text and the same line items and amounts, with the words that
    differ (职工→员工 ×5). Copies count once in benchmarks. ``--all`` lists
    every pair with its scores. Exit 0.

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
from reliefplan.ingest.inputs import PlanInputs
from reliefplan.models import campaigns, plan_similarity
from reliefplan.models.reconcile import approximate_matches, findings, mismatches, reconcile, status_counts
from reliefplan.models.reconcile_text import status_label
from reliefplan.models.slip_origins import origin_text

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

    sim = sub.add_parser(
        "similar",
        help="案例库中近似重复的方案 / near-duplicate plans in a case library",
        description=("找出案例库中文字相近且明细、金额相同的方案(抄改), 列出差异词。 / "
                     "Find plans in a case library that are near-copies (similar text, same items and "
                     "amounts) and list the words that differ."),
    )
    sim.add_argument("file", nargs="?", default=None,
                     help="案例库 .yaml(默认方案所列) / case library YAML (default: the plan's)")
    sim.add_argument("--plan", default=None, help="方案文件(默认示例方案) / plan file (default: the demo plan)")
    sim.add_argument("--all", action="store_true", help="列出全部方案对及相似度 / list every pair with its scores")
    sim.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
    sim.add_argument("--text-threshold", type=float, default=None,
                     help="文本相似度阈值(默认 0.85) / text similarity threshold (default 0.85)")
    sim.add_argument("--structure-threshold", type=float, default=None,
                     help="结构相似度阈值(默认 0.8) / structure similarity threshold (default 0.8)")
    sim.set_defaults(handler=run_similar)

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


def run_reconcile(args) -> int:
    if args.file:
        path = Path(args.file)
        if not path.exists():
            raise InputError("文件不存在", "file not found", file=path)
        keys = ["case_library" if _is_library(path) else "history"]
        inputs = PlanInputs(args.plan, **{keys[0]: path})
    else:
        inputs = PlanInputs(args.plan)
        keys = [k for k in ("history", "case_library") if inputs.has(k)]
    history = inputs.history if "history" in keys else None
    lib = inputs.case_library if "case_library" in keys else None
    history_path = inputs.path("history") if "history" in keys else None
    library_path = inputs.path("case_library") if "case_library" in keys else None
    checks = reconcile(history, lib, categories=inputs.categories)
    found = mismatches(checks)
    slips = findings(checks)

    for label_zh, label_en, path in (("历年慰问记录", "history", history_path), ("案例库", "case library", library_path)):
        if path:
            print(f"{label_zh} / {label_en}: {path}")
    if args.all:
        for row in checks.itertuples():
            print(f"- [{status_label(row.status, 'zh')} / {status_label(row.status, 'en')}] {row.zh}")
            print(f"  {row.en}")
            note_zh, note_en = origin_text(row.origin, row.root, "zh"), origin_text(row.origin, row.root, "en")
            if note_zh:
                print(f"  ({note_zh} / {note_en})")
    else:
        for row in slips.itertuples():
            print(f"- {row.zh}")
            print(f"  {row.en}")
            if row.repeats:
                print(f"  同一笔误另见 the same slip recurs at: {row.repeats}")
        approx = approximate_matches(checks)
        if len(approx):
            print("\n依约数相符(不能视为核实一致) / agree only through an approximate figure (not verified):")
            for row in approx.itertuples():
                print(f"- {row.zh}")
                print(f"  {row.en}")
    counts = status_counts(checks)
    repeated = len(found) - len(slips)
    print(f"\n共核对 {len(checks)} 项: 一致 {counts['ok']}, 依约数相符 {counts['approx_match']}, "
          f"不符 {counts['mismatch']}, 单位不符 {counts['unit_mismatch']}, 无对应明细 {counts['no_line']}, "
          f"约数不符 {counts['approximate']}, 无法核算 {counts['unverifiable']}, 无法辨认 {counts['illegible']}; "
          f"问题 {len(slips)} 处(另有 {repeated} 项为同一笔误的延续或沿用)")
    print(f"{len(checks)} checks: {counts['ok']} agree, {counts['approx_match']} agree only through an "
          f"approximate figure, {counts['mismatch']} mismatches, {counts['unit_mismatch']} unit mismatches, "
          f"{counts['no_line']} groups named without a line item, "
          f"{counts['approximate']} approximate, {counts['unverifiable']} cannot be recomputed, "
          f"{counts['illegible']} illegible; {len(slips)} distinct findings ({repeated} more repeat one of them)")
    sys.stdout.flush()
    return 1 if len(found) else 0


def run_similar(args) -> int:
    if args.file:
        library_path = Path(args.file)
        if not library_path.exists():
            raise InputError("文件不存在", "file not found", file=library_path)
        if not _is_library(library_path):
            raise InputError("similar 需要案例库文件(.yaml)", "similar needs a case library file (.yaml)",
                             file=library_path)
    inputs = PlanInputs(args.plan, case_library=args.file)
    library_path = inputs.path("case_library")  # a plan without data.case_library: an error naming it
    lib = inputs.case_library
    thresholds = {}
    for key in ("text_threshold", "structure_threshold"):
        value = getattr(args, key)
        if value is not None:
            if not 0 < value <= 1:
                raise InputError(f"--{key.replace('_', '-')} 须在 0 和 1 之间",
                                 f"--{key.replace('_', '-')} must be between 0 and 1")
            thresholds[key] = value
    pairs = plan_similarity.compare_plans(lib, **thresholds)
    shown = pairs if args.all else pairs[pairs["near_duplicate"]]
    if args.json:
        records = [{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
                   for r in shown.to_dict("records")]
        print(json.dumps({"library": str(library_path), "pairs": records,
                          "representatives": plan_similarity.representatives(lib, pairs)},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"案例库 / case library: {library_path}")

    def pct(value) -> str:
        return "" if value != value else f"{value:.0%}"

    rows = [(r.plan_a, r.plan_b, pct(r.text_similarity), pct(r.structure_similarity),
             "是 yes" if r.near_duplicate else "", r.differences) for r in shown.itertuples()]
    header = ("方案甲 A", "方案乙 B", "文本相似 text", "结构相似 structure", "近似重复 copy", "差异词 differing words")
    if rows:
        print(format_table(header, rows))
    else:
        print("没有近似重复的方案 / no near-duplicate plans")
    n = int(pairs["near_duplicate"].sum())
    print(f"近似重复 {n} 对; 计入基准时每组只算一篇 / {n} near-duplicate pair(s); each group counts once in "
          "benchmarks")
    return 0


def _yuan_text(fen) -> str:

    return f"{fen_to_yuan(int(fen)):.2f}"


def run_summary(args) -> int:
    if args.file and _is_library(Path(args.file)):
        raise InputError("summary 需要历年慰问记录文件(.csv/.xlsx), 不是案例库",
                         "summary needs a campaign history file (.csv/.xlsx), not a case library",
                         file=args.file)
    inputs = PlanInputs(args.plan, history=args.file)
    history_path = inputs.path("history")
    history = inputs.history
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
        out = {"source": str(history_path), "unit": unit, "demo": inputs.demo,
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


