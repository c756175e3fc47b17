"""``reliefplan validate``: check a registry file and say which rows cannot be used, and why.

Prints how many rows were read, accepted and rejected, in total and for each
sheet read (every sheet that holds a registry is read; sheets that do not are
named with the reason they were skipped; a household roster says how many
households it lists), then the first rejections (zh and en, ID numbers and
phones masked, each naming its sheet and row). ``--quarantine OUT``
writes every rejected row with its reasons and its original cells to OUT
(.xlsx or .csv) for the sending unit to correct. With no FILE the registry
named by the plan (``--plan``, default the demo plan) is checked; area codes
and categories are checked against the plan's areas and categories tables.

Exit codes: 0 every row accepted, 1 some rows rejected, 2 the file cannot be
read at all or lacks required columns.
"""

from __future__ import annotations

import sys

from reliefplan.ingest.inputs import PlanInputs
from reliefplan.ingest.registry import first_rejections, write_quarantine

DEFAULT_LIMIT = 10


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "validate",
        help="检查救助对象名单 / check a registry file",
        description="检查救助对象名单并列出退回的行 / Check a registry file and list rejected rows.",
    )
    p.add_argument("file", nargs="?", default=None,
                   help="名单文件 .xlsx/.xls/.csv（默认：示例名单）/ registry file (default: the demo registry)")
    p.add_argument("--quarantine", metavar="OUT", default=None,
                   help="把退回的行写入此文件(.xlsx 或 .csv) / write rejected rows to OUT (.xlsx or .csv)")
    p.add_argument("--plan", default=None,
                   help="方案文件：用其区划表、类别表（及默认名单）/ plan whose areas, categories (and registry) to use")
    p.add_argument("--sheet", default=None,
                   help="只读这一个工作表 / read only this sheet (default: every sheet that holds a registry)")
    p.add_argument("--limit", type=int, default=DEFAULT_LIMIT,
                   help=f"显示前 N 条退回 / show the first N rejections (default {DEFAULT_LIMIT})")
    p.set_defaults(handler=run)


def run(args) -> int:
    inputs = PlanInputs(args.plan, registry=args.file, sheet=args.sheet)
    path = inputs.path("registry")
    result = inputs.registry_result
    result.check()

    where = f" [{result.sheet}]" if result.sheet and len(result.sheets) == 1 else ""
    print(f"文件 file: {path}{where}  表头行 header row: {result.header_row}")
    print(result.summary("zh"))
    print(result.summary("en"))
    if len(result.sheets) > 1 or any(s.roster for s in result.sheets):
        for zh, en in zip(result.sheet_lines("zh"), result.sheet_lines("en")):
            print(f"  {zh}")
            print(f"    {en}")
    for zh, en in result.notes:
        print(f"说明 note: {zh} / {en}")
    if len(result.warnings):
        counts = result.warnings["reason_code"].value_counts()
        shown = ", ".join(f"{code} ×{n}" for code, n in counts.items())
        print(f"提示 warnings: {len(result.warnings)} ({shown})")

    if len(result.rejected):
        limit = max(0, args.limit)
        print(f"\n前 {min(limit, len(result.rejected))} 条退回 / first rejections:")
        for zh, en in zip(first_rejections(result, limit, "zh"), first_rejections(result, limit, "en")):
            print(f"  {zh}")
            print(f"    {en}")
        if len(result.rejected) > limit:
            print(f"  … 另有 {len(result.rejected) - limit} 行 / {len(result.rejected) - limit} more")

    if args.quarantine:
        out = write_quarantine(result, args.quarantine)
        print(f"\n退回的 {len(result.rejected)} 行已写入 / rejected rows written to: {out}")
    sys.stdout.flush()
    return 1 if len(result.rejected) else 0
