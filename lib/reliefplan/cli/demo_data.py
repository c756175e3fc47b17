"""``reliefplan demo-data``: regenerate the synthetic demo set, or write a large registry.

Without ``--rows`` the whole demo data set (registry, flawed registry,
campaign history, visits, registry changes) is regenerated into the data
folder (or ``--out-dir``) from the fixed seed. With ``--rows N`` one large
synthetic registry is written for benchmarks (CSV or xlsx). With ``--area
350000`` the province demo (福建省: 9 cities, 84 county-level units, their
townships, ~300,000 registry rows, history, visits and a plan reporting cities
and counties) is generated into ``data/province_350000`` (or ``--out-dir``)
from the same generator. All people are fictitious (示例数据，人员均为虚构).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from reliefplan.core import paths
from reliefplan.core.errors import InputError
from reliefplan.demo import generate as demo_data

PROGRESS_FROM_ROWS = 100_000


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "demo-data",
        help="生成示例数据 / generate the synthetic demo data",
        description="生成示例数据（人员均为虚构）/ Generate synthetic demo data (all people fictitious).",
    )
    p.add_argument("--rows", type=int, default=None,
                   help="写出一个 N 行的大型名单（基准测试用）/ write one registry of N rows (for benchmarks)")
    p.add_argument("--out", default=None,
                   help="--rows 的输出文件 / output file for --rows (default registry_<N>.<format>)")
    p.add_argument("--format", choices=("csv", "xlsx"), default=None,
                   help="--rows 的文件格式 / file format for --rows (default: from --out, else csv)")
    p.add_argument("--seed", type=int, default=None, help="随机种子 / random seed (default: the demo seed)")
    p.add_argument("--out-dir", default=None,
                   help="示例数据输出目录 / folder for the demo set (default: the data folder)")
    p.add_argument("--data-dir", default=None,
                   help="参考表目录(区划、低保标准、类别) / folder with areas, dibao and categories (default: data)")
    p.add_argument("--area", default=None,
                   help="生成整个区域的示例数据, 如 350000 (福建省) / generate the demo set of a whole area, "
                        "e.g. 350000 (Fujian province)")
    p.add_argument("--listings", type=int, default=None,
                   help="示例数据的名单行数 / registry rows of the demo set (default 6,000; 300,000 with --area)")
    p.add_argument("--no-progress", action="store_true", help="不显示进度条 / no progress bar")
    p.set_defaults(handler=run)


def _inputs(data_dir, area=None):
    if area is not None and not data_dir:
        try:
            folder = demo_data.area_set_dir(area)
        except ValueError:
            valid = ", ".join(demo_data.AREA_SETS)
            raise InputError(f"没有区域 {area} 的参考表; 可选: {valid}, 或用 --data-dir 指定",
                             f"no reference tables for area {area}; valid: {valid}, or give --data-dir",
                             column="--area") from None
    else:
        folder = Path(data_dir) if data_dir else paths.data_dir()
    try:
        return folder, demo_data.load_inputs(folder, area)
    except (OSError, KeyError, ValueError) as exc:
        raise InputError(f"无法读取参考表（areas.csv、dibao_standards.csv、categories.csv）: {exc}",
                         f"cannot read the reference tables (areas.csv, dibao_standards.csv, categories.csv): {exc}",
                         file=folder) from exc


def run(args) -> int:
    seed = demo_data.SEED if args.seed is None else args.seed
    folder, inputs = _inputs(args.data_dir, args.area)
    started = time.perf_counter()
    if args.listings is not None and args.listings < 1:
        print("错误 error: --listings 须为正整数 / --listings must be a positive whole number", file=sys.stderr)
        return 2
    if args.rows is None:
        written = demo_data.write_demo_set(args.out_dir, seed, data_dir=folder, area=args.area,
                                           rows=args.listings)
        for name, path in written.items():
            print(f"{name}: {path}")
        print(f"示例数据已生成 / demo data written ({time.perf_counter() - started:.1f} s; "
              f"{demo_data.SYNTHETIC_NOTE})")
        return 0

    if args.rows < 1:
        print("错误 error: --rows 须为正整数 / --rows must be a positive whole number", file=sys.stderr)
        return 2
    fmt = args.format or (Path(args.out).suffix.lstrip(".").lower() if args.out else "csv")
    if fmt not in ("csv", "xlsx"):
        print(f"错误 error: 不支持的格式 {fmt!r} / unsupported format {fmt!r} (csv, xlsx)", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path(f"registry_{args.rows}.{fmt}")
    show = args.rows >= PROGRESS_FROM_ROWS and not args.no_progress
    frame = demo_data.generate_registry(args.rows, seed, inputs)
    generated = time.perf_counter()
    demo_data.write_registry(frame, out, fmt, progress=show)
    done = time.perf_counter()
    print(f"{out}: {args.rows:,} 行 rows, 生成 generate {generated - started:.1f} s, "
          f"写出 write {done - generated:.1f} s ({demo_data.SYNTHETIC_NOTE})")
    return 0
