"""``reliefplan schedule``: assign the registry's people to visit teams, days and half-days.

Reads the plan (default: the demo plan) and its registry, schedules every
person to be visited (one visit per person) to the team covering their area,
within each team's visits per slot, priority first and township by township,
and writes an Excel workbook: a summary sheet, the delivery modes, one sheet
per team (日期, 时段, 乡镇(街道), 姓名, 身份证号, 类别, 地址; names and ID
numbers masked) and the people not scheduled with the reason. Default
output: reports/schedule_<year>.xlsx.

Only visits are scheduled: people whose category (or registry 发放方式) is
paid by transfer (转账/社会化发放) or at a collective distribution (集中发放)
are counted, not visited, except the representative households the plan's
``delivery.representative_visits`` picks (e.g. 2 per township, highest
priority first).

Exit codes: 0 everyone in scope is scheduled; 1 the workbook was written but
some people could not be scheduled (no team covers their area, or the
teams' slots are full): they are listed in the 未安排 sheet, so a script or
a planner sees at once that teams or days must be added; 2 the plan or the
registry cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from reliefplan.core import paths
from reliefplan.ingest.inputs import PlanInputs
from reliefplan.models import delivery, schedule
from reliefplan.views import schedule_tables


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "schedule",
        help="编排走访安排并导出 Excel / schedule visits per team, day and slot, export to Excel",
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--plan", default=None, help="方案文件(默认: 示例方案) / plan YAML (default: the demo plan)")
    p.add_argument("--registry", default=None,
                   help="名单文件(默认: 方案 data.registry) / registry file (default: the plan's data.registry)")
    p.add_argument("--out", default=None,
                   help="输出 .xlsx(默认 reports/schedule_<年度>.xlsx) / output workbook "
                        "(default reports/schedule_<year>.xlsx)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="工作簿语言 / workbook language (default zh)")
    p.set_defaults(handler=run)


def run(args) -> int:
    inputs = PlanInputs(args.plan, registry=args.registry)
    plan, areas, categories = inputs.plan, inputs.areas, inputs.categories
    ingest = inputs.registry_result
    if len(ingest.rejected):
        print(f"名单中 {len(ingest.rejected)} 行被退回, 未参与编排(用 reliefplan validate 查看) / "
              f"{len(ingest.rejected)} registry rows rejected and not scheduled (see `reliefplan validate`)")

    result = schedule.build_schedule(plan, ingest.accepted, categories=categories)
    out = Path(args.out) if args.out else paths.reports_dir() / f"schedule_{plan['year']}.xlsx"
    sheets = len(result.teams) + 2 + int(schedule_tables.needs_delivery_table(result))
    with tqdm(total=sheets, desc="写入工作簿 writing", unit="sheet", disable=None, file=sys.stderr) as bar:
        schedule_tables.write_schedule_excel(result, out, areas=areas, categories=categories,
                                      demo=inputs.demo, lang=args.lang,
                                      progress=lambda _name: bar.update(1))

    for row in result.by_delivery.itertuples():
        zh, en = delivery.mode_label(row.delivery, "zh"), delivery.mode_label(row.delivery, "en")
        print(f"发放方式 delivery: {zh} / {en}: {row.people} 人 people, 安排走访 to visit {row.to_visit}")
    reps = int(result.assigned["representative"].sum() + result.unassigned["representative"].sum())
    if reps:
        print(f"其中代表性走访(转账或集中发放对象) representative visits to people paid otherwise: {reps}")
    days = result.days["date"]
    if len(days):
        print(f"走访日期 visit days: {days.min():%Y-%m-%d} – {days.max():%Y-%m-%d}, "
              f"{days.nunique()} 天 days × {result.days['slot'].nunique()} 时段 slots")
    for row in result.skipped.itertuples():
        print(f"  不走访 skipped: {row.date:%Y-%m-%d} {row.reason_zh} / {row.reason_en}")
    print(f"{'慰问组 team':<14}{'已安排 scheduled':>18}{'未安排 not scheduled':>22}{'名额 capacity':>16}")
    for row in result.summary.itertuples():
        print(f"{row.team:<14}{row.assigned:>18}{row.unassigned:>22}{row.capacity:>16}")
    total_assigned = len(result.assigned)
    total_unassigned = len(result.unassigned)
    print(f"合计 total: 已安排 scheduled {total_assigned}, 未安排 not scheduled {total_unassigned}")
    if total_unassigned:
        for (reason, zh, en), n in result.unassigned.groupby(["reason", "reason_zh", "reason_en"]).size().items():
            print(f"  {zh} / {en}: {n}")
    if len(result.excluded):
        print(f"不在本方案慰问类别内, 未编排 / categories outside the plan, not scheduled: {len(result.excluded)}")
    if result.duplicates:
        print(f"重复列出的人员只安排一次 / people listed more than once, visited once: {result.duplicates}")
    for zh, en in result.notes:
        print(f"说明 note: {zh} / {en}")
    print(f"已写入 written: {out}")
    return 1 if total_unassigned else 0
