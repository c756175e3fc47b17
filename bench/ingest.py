"""Benchmark: reading a large registry with reliefplan vs the naive way.

    .venv/bin/python bench/ingest.py                 # 1,000,000 rows (xlsx + csv)
    .venv/bin/python bench/ingest.py --rows 200000
    .venv/bin/python bench/ingest.py --rows 1000000 --naive-rows 100000 --repeat 2

Generates a synthetic registry (all people fictitious; valid-checksum IDs,
real 漳州 township codes, ~0.5% deliberately flawed rows) as .xlsx (xlsxwriter,
constant_memory) and .csv, cached under bench/out/ (gitignored), then runs
each method in its own subprocess and prints seconds, rows/s and peak memory
(ru_maxrss of that process, interpreter and imports included):

* ours-xlsx / ours-csv: :func:`reliefplan.ingest.registry.read_registry`
  (python-calamine, vectorised validation);
* naive-xlsx: ``pandas.read_excel(engine="openpyxl", dtype=str)`` and a
  Python loop validating row by row (checksum, birth date, category, area,
  counts, amounts, duplicates) — what one writes first;
* naive-csv: ``pandas.read_csv(dtype=str)`` and the same loop.

The naive side on 1M xlsx rows takes many minutes, so by default it is run on
a smaller file (--naive-rows, default 100,000) and its time extrapolated
linearly to --rows; the output says so. Pass --naive-rows equal to --rows to
measure it in full. The target is ours-xlsx >= 5x faster than naive-xlsx.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
SEED = 20270101
HEADERS = ["序号", "姓名", "身份证号", "区划代码", "困难类别", "家庭人口", "家庭人均月收入", "联系电话",
           "填报单位", "家庭住址", "是否残疾", "是否重病", "备注"]
FLAWED_SHARE = 0.005

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅建国志文辉鹏飞春燕海林慧金荣德福宝珍秀凤云莲")
STREETS = ["胜利路", "延安路", "九龙路", "新华路", "建元路", "大同路", "瑞京路", "江滨路", "水仙大街", "人民路"]


# ---------------------------------------------------------------------------
# Synthetic data
# ---------------------------------------------------------------------------

def _reference():
    areas = pd.read_csv(REPO / "data" / "areas.csv", dtype=str)
    townships = areas[areas["level"] == "township"]
    counties = areas.set_index("code")["name"]
    cats = pd.read_csv(REPO / "data" / "categories.csv", dtype=str)
    cats = cats[cats["unit"] != "enterprise"]
    return townships, counties, cats


def generate(rows: int, seed: int = SEED) -> pd.DataFrame:
    """A synthetic registry of ``rows`` rows (vectorised; ~1 s per 100k rows)."""
    from reliefplan.core.ids import WEIGHTS, CHECK_CHARS

    rng = np.random.default_rng(seed)
    townships, counties, cats = _reference()
    town = townships.iloc[rng.integers(0, len(townships), rows)]
    area = town["code"].to_numpy()
    county = area.astype("<U6")  # where the person lives; the ID prefix may differ below
    prefix = np.where(rng.random(rows) < 0.9, county, "350681")  # some registered elsewhere first

    birth = np.datetime64("1930-01-01") + rng.integers(0, 365 * 90, rows).astype("timedelta64[D]")
    ymd = pd.DatetimeIndex(birth).strftime("%Y%m%d").to_numpy(dtype="<U8")
    seq = rng.integers(0, 1000, rows)
    key = pd.Series(np.char.add(np.char.add(prefix, ymd), np.char.zfill(seq.astype("<U3"), 3)))
    # Unique people: bump the sequence of repeated numbers until none repeat.
    while key.duplicated().any():
        dup = key.duplicated().to_numpy()
        seq[dup] = (seq[dup] + rng.integers(1, 999, dup.sum())) % 1000
        key = pd.Series(np.char.add(np.char.add(prefix, ymd), np.char.zfill(seq.astype("<U3"), 3)))
    first17 = key.to_numpy(dtype="<U17")
    digits = first17.view(np.uint32).reshape(rows, 17).astype(np.int64) - 48
    check = np.array(list(CHECK_CHARS))[(digits @ WEIGHTS) % 11]
    id_numbers = np.char.add(first17, check).astype(object)

    names = np.char.add(np.array(SURNAMES)[rng.integers(0, len(SURNAMES), rows)],
                        np.array(GIVEN)[rng.integers(0, len(GIVEN), rows)])
    two = rng.random(rows) < 0.6
    names = np.where(two, np.char.add(names, np.array(GIVEN)[rng.integers(0, len(GIVEN), rows)]), names)
    phones = np.char.add(np.array(["138", "139", "150", "152", "177", "189"])[rng.integers(0, 6, rows)],
                         np.char.zfill(rng.integers(0, 10**8, rows).astype("<U8"), 8))
    county_names = counties.reindex(area.astype("<U6")).to_numpy(dtype=object)
    org = np.where(rng.random(rows) < 0.5, county_names + "民政局", county_names + "总工会")
    address = (county_names + town["name"].to_numpy(dtype=object)
               + np.array(STREETS, dtype=object)[rng.integers(0, len(STREETS), rows)]
               + rng.integers(1, 400, rows).astype(str).astype(object) + "号")
    income = rng.integers(0, 2500, rows).astype(object)
    cents = rng.random(rows) < 0.1
    income[cents] = [f"{v}.50" for v in income[cents]]
    frame = pd.DataFrame({
        "序号": np.arange(1, rows + 1),
        "姓名": names.astype(object),
        "身份证号": id_numbers,
        "区划代码": area.astype(object),
        "困难类别": cats["zh"].to_numpy(dtype=object)[rng.integers(0, len(cats), rows)],
        "家庭人口": rng.integers(1, 7, rows),
        "家庭人均月收入": income,
        "联系电话": phones.astype(object),
        "填报单位": org,
        "家庭住址": address,
        "是否残疾": np.where(rng.random(rows) < 0.08, "是", "否").astype(object),
        "是否重病": np.where(rng.random(rows) < 0.06, "是", "否").astype(object),
        "备注": np.where(rng.random(rows) < 0.1, "住房困难", "").astype(object),
    })
    # Deliberate flaws: bad check character, unknown category, negative income.
    flawed = np.flatnonzero(rng.random(rows) < FLAWED_SHARE)
    kinds = flawed % 3
    bad_id = flawed[kinds == 0]
    frame.loc[bad_id, "身份证号"] = [v[:17] + ("0" if v[17] != "0" else "1") for v in frame.loc[bad_id, "身份证号"]]
    frame.loc[flawed[kinds == 1], "困难类别"] = "贫困户"
    frame.loc[flawed[kinds == 2], "家庭人均月收入"] = "-100"
    return frame


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, encoding="utf-8")


def write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    import xlsxwriter

    with xlsxwriter.Workbook(str(path), {"constant_memory": True}) as book:
        sheet = book.add_worksheet("名单")
        sheet.write_string(0, 0, "附件1 困难群众慰问对象登记表（示例数据，人员均为虚构）")
        sheet.write_row(1, 0, HEADERS)
        numeric = {0, 5}  # 序号, 家庭人口 typed as numbers, as users do
        for i, row in enumerate(frame.itertuples(index=False, name=None), start=2):
            for j, value in enumerate(row):
                if j in numeric:
                    sheet.write_number(i, j, int(value))
                elif value != "":
                    sheet.write_string(i, j, str(value))


def ensure_files(rows: int, formats=("xlsx", "csv"), quiet=False) -> dict[str, Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    paths = {fmt: OUT / f"registry_{rows}.{fmt}" for fmt in formats}
    missing = [fmt for fmt, p in paths.items() if not p.exists()]
    if missing:
        started = time.perf_counter()
        frame = generate(rows)
        for fmt in missing:
            tmp = paths[fmt].with_suffix(f".tmp.{fmt}")
            (write_xlsx if fmt == "xlsx" else write_csv)(frame, tmp)
            tmp.replace(paths[fmt])
        if not quiet:
            print(f"generated {rows:,} rows -> {', '.join(str(paths[f]) for f in missing)} "
                  f"({time.perf_counter() - started:.1f} s)")
    return paths


# ---------------------------------------------------------------------------
# The naive way: openpyxl (or read_csv) + row-by-row validation
# ---------------------------------------------------------------------------

def naive_read(path: Path) -> tuple[int, int]:
    """Row-by-row validation as first written: returns (accepted, rejected)."""
    import datetime as dt
    import re
    from decimal import Decimal, InvalidOperation

    from reliefplan.ingest.categories import category_lookup, load_categories
    from reliefplan.core.ids import check_char
    from reliefplan.core.paths import demo_path
    from reliefplan.ingest.reference import load_areas
    from reliefplan.core.text import header_key

    if path.suffix == ".xlsx":
        df = pd.read_excel(path, engine="openpyxl", dtype=str, header=1)
    else:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = df.fillna("")
    lookup = category_lookup(load_categories(demo_path("categories.csv")))
    areas = set(load_areas(demo_path("areas.csv"))["code"])
    seen = {}
    accepted, rejected = [], []
    today = dt.date.today()
    for i, row in enumerate(df.to_dict("records")):
        reasons = []
        idn = str(row["身份证号"]).strip().replace(" ", "").upper()
        if not re.fullmatch(r"[0-9]{17}[0-9X]", idn):
            reasons.append("id_bad_format")
        elif check_char(idn[:17]) != idn[17]:
            reasons.append("id_bad_checksum")
        else:
            try:
                born = dt.date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14]))
                if born > today:
                    reasons.append("id_future_birth_date")
            except ValueError:
                reasons.append("id_bad_birth_date")
        if not str(row["姓名"]).strip():
            reasons.append("missing_value")
        category = lookup.get(header_key(row["困难类别"]))
        if category is None:
            reasons.append("unknown_category")
        area = str(row["区划代码"]).strip()
        if area not in areas:
            reasons.append("unknown_area")
        try:
            size = int(float(row["家庭人口"]))
            if size < 1:
                reasons.append("below_minimum")
        except ValueError:
            reasons.append("not_a_number")
        try:
            income = Decimal(str(row["家庭人均月收入"]).replace(",", "") or "0")
            if income < 0:
                reasons.append("negative_number")
        except InvalidOperation:
            reasons.append("not_a_number")
        key = (idn, row["填报单位"])
        if key in seen:
            reasons.append("duplicate_id")
        else:
            seen[key] = i
        if reasons:
            rejected.append({"row": i + 3, "reasons": ";".join(reasons)})
        else:
            accepted.append({"name": row["姓名"], "id_number": idn, "area_code": area, "category": category,
                             "household_size": size, "income_fen": int(income * 100)})
    return len(pd.DataFrame(accepted)), len(rejected)


def ours_read(path: Path) -> tuple[int, int]:
    from reliefplan.core.paths import demo_path
    from reliefplan.ingest.reference import load_areas
    from reliefplan.ingest.registry import read_registry

    # the generated people live in the demo areas and categories, named explicitly
    result = read_registry(path, areas=load_areas(demo_path("areas.csv")), categories=demo_path("categories.csv"))
    result.check()
    return len(result.accepted), len(result.rejected)


def _peak_mb() -> float:
    """Peak resident memory of this process in MB.

    VmHWM from /proc (Linux) is per address space, so unlike ru_maxrss it does not
    carry over the parent's peak across fork/exec.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(method: str, path: str) -> None:
    fn = ours_read if method == "ours" else naive_read
    import reliefplan.ingest.registry  # noqa: F401  (imports outside the timing)
    import openpyxl  # noqa: F401

    started = time.perf_counter()
    accepted, rejected = fn(Path(path))
    seconds = time.perf_counter() - started
    peak_mb = _peak_mb()
    print(json.dumps({"seconds": seconds, "accepted": accepted, "rejected": rejected, "peak_mb": peak_mb}))


def run_method(method: str, path: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--_child", method, str(path)],
                          capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise RuntimeError(f"{method} {path} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--naive-rows", type=int, default=None,
                        help="rows for the naive runs (default: min(rows, 100000)); extrapolated to --rows")
    parser.add_argument("--skip-naive-csv", action="store_true")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each method N times and keep the fastest (the machine may be shared)")
    parser.add_argument("--_child", nargs=2, metavar=("METHOD", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child:
        _child(*args._child)
        return 0

    naive_rows = args.naive_rows or min(args.rows, 100_000)
    files = ensure_files(args.rows)
    naive_files = files if naive_rows == args.rows else ensure_files(naive_rows)

    print(f"load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs (timings are wall-clock; a busy machine inflates them)")
    results = []
    for method, fmt in (("ours", "xlsx"), ("ours", "csv"), ("naive", "xlsx"), ("naive", "csv")):
        if method == "naive" and fmt == "csv" and args.skip_naive_csv:
            continue
        path = files[fmt] if method == "ours" else naive_files[fmt]
        measured_rows = args.rows if method == "ours" else naive_rows
        runs = [run_method(method, path) for _ in range(max(1, args.repeat))]
        res = min(runs, key=lambda r: r["seconds"])
        seconds = res["seconds"]
        if measured_rows != args.rows:
            res["measured"] = (f"measured on {measured_rows:,} rows in {seconds:.1f} s, time extrapolated "
                               f"x{args.rows / measured_rows:g}; peak memory is for {measured_rows:,} rows")
            seconds = seconds * args.rows / measured_rows
        res.update(method=method, fmt=fmt, est_seconds=seconds, rows_per_s=args.rows / seconds)
        results.append(res)
        print(f"{method}-{fmt:4s}: {seconds:8.1f} s  {res['rows_per_s']:>12,.0f} rows/s  peak {res['peak_mb']:7.0f} MB"
              f"  accepted {res['accepted']:,} rejected {res['rejected']:,}"
              + (f"  [{res['measured']}]" if "measured" in res else ""), flush=True)

    by = {(r["method"], r["fmt"]): r for r in results}
    print(f"\nrows: {args.rows:,}")
    for fmt in ("xlsx", "csv"):
        if ("naive", fmt) in by:
            ratio = by[("naive", fmt)]["est_seconds"] / by[("ours", fmt)]["est_seconds"]
            note = " (naive side extrapolated from a smaller file)" if naive_rows != args.rows else ""
            target = "  target >= 5x: " + ("MET" if ratio >= 5 else "NOT MET") if fmt == "xlsx" else ""
            print(f"speed-up {fmt}: ours is {ratio:.1f}x faster than naive{note}{target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
