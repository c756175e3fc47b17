"""Benchmark: the batch reports our way against the naive way, in one run.

Generates the 12 reports of the demo plan (11 counties + the roll-up) twice:

* **naive**: a sequential loop calling the ``papermill`` command on
  ``notebooks/10_unit_report.ipynb`` once per county, then on
  ``20_rollup.ipynb`` (given the units' recorded figures, as our runner
  does). Every call starts a Python process, a kernel and the imports.
  With ``--naive-html`` each notebook is also exported with
  ``jupyter nbconvert --to html --no-input`` (our way always exports HTML).
* **ours**: ``reliefplan report`` (``run_reports``): ``--jobs`` worker
  processes, each keeping one warm kernel (pandas, plotly and the library's
  dependencies imported once) and resetting it between units; HTML export,
  Excel attachments, manifest and index included.

Prints both wall times and the ratio (target: ours >= 3x faster on 2 cores).

    .venv/bin/python bench/batch.py [--jobs 2] [--units 11] [--naive-html]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def naive(units, plan_path: str, year: int, out: Path, html: bool) -> float:
    """Sequential papermill command per notebook (and nbconvert when ``html``); returns seconds."""
    from reliefplan.core.record import read_records

    nb_dir = ROOT / "notebooks"
    records = {}
    t0 = time.perf_counter()
    for code in units:
        att = out / f"att_{code}"
        att.mkdir(parents=True, exist_ok=True)
        target = out / f"{code}.ipynb"
        subprocess.run([str(BIN / "papermill"), str(nb_dir / "10_unit_report.ipynb"), str(target),
                        "-p", "plan_file", plan_path, "-p", "unit_code", code, "-p", "year", str(year),
                        "-p", "lang", "zh", "-p", "attachments_dir", str(att), "-k", "python3",
                        "--cwd", str(nb_dir), "--no-progress-bar"],
                       check=True, capture_output=True)
        records[code] = read_records(target)
        if html:
            subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(target)],
                           check=True, capture_output=True)
    att = out / "att_rollup"
    att.mkdir(parents=True, exist_ok=True)
    target = out / "rollup.ipynb"
    params = {"plan_file": plan_path, "year": year, "lang": "zh", "unit_records": records,
              "attachments_dir": str(att)}
    subprocess.run([str(BIN / "papermill"), str(nb_dir / "20_rollup.ipynb"), str(target), "-y", json.dumps(params),
                    "-k", "python3", "--cwd", str(nb_dir), "--no-progress-bar"], check=True, capture_output=True)
    if html:
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(target)],
                       check=True, capture_output=True)
    return time.perf_counter() - t0


def ours(units, plan_path: str, out: Path, jobs: int) -> tuple[float, dict]:
    from reliefplan.batch.params import check_report_params
    from reliefplan.batch.run import run_reports

    t0 = time.perf_counter()
    params = check_report_params(plan_path, units=",".join(units), out=out, jobs=jobs, include_city=False)
    summary = run_reports(params, progress=False)
    elapsed = time.perf_counter() - t0
    if summary.failed:
        raise SystemExit(f"our run failed: {summary.statuses}")
    return elapsed, summary.statuses


def main(argv=None) -> int:
    from reliefplan.batch.jobs import load_area_table, unit_table
    from reliefplan.ingest.plan import load_plan

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--units", type=int, default=None, help="first N counties only (default: all 11)")
    ap.add_argument("--plan", default=None)
    ap.add_argument("--naive-html", action="store_true", help="naive way also runs nbconvert per report")
    ap.add_argument("--skip-naive", action="store_true")
    args = ap.parse_args(argv)

    plan = load_plan(args.plan)
    units = list(unit_table(plan, load_area_table(plan))["code"])[: args.units]
    plan_path = str(plan["_path"])
    print(f"reports: {len(units)} units + roll-up; cores: {os.cpu_count()}; jobs: {args.jobs}")
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        tmp = Path(tmp)
        t_ours, statuses = ours(units, plan_path, tmp / "ours", args.jobs)
        print(f"ours  (warm kernels, {args.jobs} workers, HTML+xlsx+manifest): {t_ours:7.1f} s "
              f"({len(statuses)} reports)")
        if args.skip_naive:
            return 0
        t_naive = naive(units, plan_path, int(plan["year"]), tmp / "naive", args.naive_html)
        what = "papermill + nbconvert" if args.naive_html else "papermill command"
        print(f"naive (sequential {what} per notebook):          {t_naive:7.1f} s")
        print(f"ratio naive / ours: {t_naive / t_ours:.2f}x (target >= 3x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
