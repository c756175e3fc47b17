"""``reliefplan report``: the planning reports for every unit, the roll-up and the city analyses.

Writes ``<out>/<year>/``: per unit ``<code>_<name>.html`` (per organizer
``org_<name>.html``, asked for with ``--units org:<name>``) (code hidden) with
the executed ``.ipynb`` beside it and the Excel attachments; the roll-up;
the city-level analysis notebooks; one ``plotly.min.js``; ``manifest.json``
and ``index.html`` (plus ``<out>/index.html`` listing the years).
Exit code 0 when every report succeeded, 1 when any failed, 2 for unusable
parameters (nothing is started), 130 when interrupted.
"""

from __future__ import annotations

import argparse

from reliefplan.batch.params import check_report_params
from reliefplan.batch.run import run_reports


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"须为正整数 / must be a positive integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"须为正整数 / must be a positive integer: {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"须为正数 / must be a positive number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"须为正数 / must be a positive number: {text!r}")
    return value


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="批量生成规划报告 / generate the planning reports",
        description="批量生成各单位规划报告、汇总报告、附件和索引 / "
                    "generate per-unit planning reports, the roll-up, Excel attachments and an index")
    p.add_argument("--plan", default=None, help="方案文件 plan YAML (默认示例方案 / default: demo plan)")
    p.add_argument("--units", default="all",
                   help="all, 逗号分隔的区划代码, org:组织单位名称 (org:all 全部组织单位) / "
                        "all, CODE,CODE,... or org:ORGANIZER (org:all: every organizer), e.g. org:芗城区民政局,350602")
    p.add_argument("--out", default="reports", help="输出目录 output folder (default: reports)")
    p.add_argument("--jobs", type=_positive_int, default=None, help="并行数 parallel jobs (default: CPU count)")
    p.add_argument("--lang", default="zh", choices=("zh", "en"), help="报告语言 report language")
    p.add_argument("--resume", action="store_true",
                   help="跳过输入和参数未变化的已完成报告 / skip reports whose inputs and parameters are unchanged")
    p.add_argument("--executor", default="local", choices=("local", "dask"), help="local 进程池 或 dask 集群")
    p.add_argument("--scheduler", default=None, help="Dask 调度器地址 scheduler address (with --executor dask)")
    p.add_argument("--ship-inputs", action="store_true",
                   help="把方案、数据和笔记本发给每个 dask 节点一次(节点看不到本机文件时自动如此) / send the plan, "
                        "its data and the notebooks once to every dask worker (automatic when workers cannot "
                        "read the client's files)")
    p.add_argument("--timeout", type=_positive_float, default=600.0, help="每个报告超时(秒) per-report timeout, seconds")
    p.add_argument("--no-city", action="store_true", help="不运行全市分析笔记本 / skip the city analysis notebooks")
    p.add_argument("--no-progress", action="store_true", help="不显示进度条 / no progress bar")
    p.add_argument("--pdf", action="store_true", default=None,
                   help="同时用 Chromium 输出 A4 PDF / also print each report to A4 PDF with headless Chromium "
                        "(default: the plan's pdf: setting)")
    p.add_argument("--quiet", action="store_true",
                   help="不显示进度和逐个失败信息(CI 用), 只打印结果 / no progress and no per-failure lines (for CI)")
    p.add_argument("--progress-lines", action="store_true",
                   help="每完成一个报告输出一行 JSON 进度(调度程序用) / one JSON progress line per finished job "
                        "on stdout (for schedulers)")
    p.set_defaults(handler=run)


def run(args) -> int:

    params = check_report_params(
        args.plan, units=args.units, out=args.out, lang=args.lang, jobs=args.jobs, timeout=args.timeout,
        resume=args.resume, executor=args.executor, scheduler=args.scheduler, include_city=not args.no_city,
        pdf=args.pdf)
    params.extra["ship_inputs"] = bool(args.ship_inputs)
    mode = "lines" if args.progress_lines else ("quiet" if args.quiet or args.no_progress else "bar")
    summary = run_reports(params, progress=mode, echo=None if args.quiet or args.progress_lines else print)
    total = len(summary.statuses)
    ok = total - len(summary.failed)
    print(f"报告 reports: {ok}/{total} 完成 ok, {len(summary.skipped)} 沿用 resumed, "
          f"{len(summary.failed)} 失败 failed -> {summary.year_dir / 'index.html'}")
    for job_id in summary.failed:
        print(f"  失败 failed: {job_id} ({summary.statuses[job_id]})")
    return summary.exit_code
