"""``reliefplan plan-doc``: a draft 实施方案 (.docx) for the whole area or one unit, filled from the model.

Exit code 0 when written, 2 for unusable parameters (unknown unit, bad plan).
"""

from __future__ import annotations

from pathlib import Path

from reliefplan.ingest.units import safe_filename
from reliefplan.reports.context import load_context
from reliefplan.reports.plan_doc import build_plan_doc


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "plan-doc", help="实施方案草稿 (.docx) / draft implementation plan in Word",
        description="按方案和名册测算生成实施方案草稿(Word, 公文格式); 金额与汇总表一致。 "
                    "Write a draft 实施方案 in Word from the plan and the model; its figures equal the 汇总表's.")
    p.add_argument("--plan", default=None, help="方案文件 plan YAML (默认示例方案 / default: demo plan)")
    p.add_argument("--unit", default=None, help="单位区划代码 unit code (默认全区域 / default: the whole area)")
    p.add_argument("--out", default=None, help="输出文件 output .docx (默认 <单位>_<年>年实施方案.docx)")
    p.set_defaults(handler=run)


def run(args) -> int:
    ctx = load_context(args.plan, args.unit)
    # the default name is built from data (the area's name): made safe, in the current folder
    out = Path(args.out) if args.out else Path(safe_filename(f"{ctx.unit_name}{ctx.year}年实施方案草稿") + ".docx")
    out.write_bytes(build_plan_doc(ctx))
    print(f"实施方案草稿 draft plan -> {out}")
    return 0
