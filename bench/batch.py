"""Benchmark: the batch reports our way, the naive way and the compute floor, for the city and a province.

For a plan (the demo city by default; ``--province PLAN`` adds the province
demo, see ``reliefplan demo-data --area 350000``) it measures:

* **ours**: ``reliefplan report`` (``run_reports``): ``--jobs`` worker
  processes, each keeping one warm kernel and resetting it between reports;
  HTML export, Excel attachments, manifest and index included. Peak RSS is
  the largest sum over the run's process tree (workers and kernels), sampled.
* **floor**: every figure of every report computed in one process, no
  notebooks, HTML or Excel (``bench/batch_floor.py``); ours/floor is how far
  the batch is from it (target <= 3).
* **naive**: a sequential loop of ``papermill`` commands (one process, kernel
  and import per report; ``--naive-html`` adds ``jupyter nbconvert``), on the
  first ``--naive-reports`` reports (default all) and extrapolated per report
  when fewer; naive/ours is the speed-up (targets: >= 3x city, >= 8x province).
* **split**: where our time goes: kernel start, notebook execution, HTML
  export (nbconvert) summed over the jobs from the manifest; input loading,
  plotly serialisation and Excel writing measured beside the floor.
* ``--unshared``: ours once more with every kernel parsing and holding its own
  inputs (no shared store), to print what the shared, memory-mapped inputs
  save (peak PSS counts a page shared by several processes once).
* ``--memory-people N``: a budget + coverage run on an N-person registry of the
  province (loaded from a CSV the way a planner's file is), peak RSS (target:
  5,000,000 people within 8 GB).

Timings on a shared machine are noisy: run it when the machine is idle.

    .venv/bin/python bench/batch.py [--jobs 2] [--province data/province_350000/plan_2027.yaml]
        [--naive-reports 10] [--memory-people 5000000]
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


def _naive_order(jobs):
    """Leaf reports first, then the roll-ups once their children are done (deepest first)."""
    leaves = [j for j in jobs if not j.after_units]
    later = [j for j in jobs if j.after_units]
    done = {j.job_id for j in leaves}
    ordered = list(leaves)
    while later:
        ready = [j for j in later if set(j.children) <= done] or later[:1]
        for j in ready:
            later.remove(j)
            ordered.append(j)
            done.add(j.job_id)
    return ordered


def naive(jobs, out: Path, html: bool, limit: int | None = None) -> tuple[float, int]:
    """Sequential papermill command per report (and nbconvert when ``html``); returns (seconds, reports run)."""
    from reliefplan.core.record import read_records

    nb_dir = ROOT / "notebooks"
    records = {}
    ordered = _naive_order(jobs)[:limit]
    t0 = time.perf_counter()
    for job in ordered:
        att = out / f"att_{job.job_id}"
        att.mkdir(parents=True, exist_ok=True)
        target = out / f"{job.job_id}.ipynb"
        params = {**job.parameters, "attachments_dir": str(att)}
        if job.after_units:
            params["unit_records"] = {records[c]["unit_code"]: records[c] for c in job.children if c in records}
        subprocess.run([str(BIN / "papermill"), str(job.notebook_path()), str(target), "-y", json.dumps(params),
                        "-k", "python3", "--cwd", str(nb_dir), "--no-progress-bar"], check=True, capture_output=True)
        records[job.job_id] = read_records(target)
        if html:
            subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(target)],
                           check=True, capture_output=True)
    return time.perf_counter() - t0, len(ordered)


class TreeRSS:
    """Peak of the summed RSS of this process and all its descendants, sampled every 0.2 s.

    ``peak_pss`` is the same for PSS (proportional set size): a page several processes
    share (the memory-mapped inputs, shared libraries) counts once in total, split among
    them, where RSS counts it in each: the memory the run really takes.
    """

    def __init__(self):
        import threading

        self.peak = 0
        self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree_rss() -> int:
        parents, rss = {}, {}
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(proc.name)] = int(stat[1])
                rss[int(proc.name)] = int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError, ValueError):
                continue
        tree, frontier = {os.getpid()}, [os.getpid()]
        while frontier:
            pid = frontier.pop()
            kids = [p for p, pp in parents.items() if pp == pid and p not in tree]
            tree.update(kids)
            frontier.extend(kids)
        return sum(rss.get(p, 0) for p in tree), sum(_pss(p) for p in tree)

    def _run(self):
        while not self._stop.wait(0.2):
            rss, pss = self._tree_rss()
            self.peak, self.peak_pss = max(self.peak, rss), max(self.peak_pss, pss)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _pss(pid: int) -> int:
    """A process's PSS in bytes (0 when it is gone or unreadable)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def ours(plan_path: str, out: Path, jobs: int, share_inputs: bool = True) -> tuple[float, dict, TreeRSS]:
    """Our batch run; ``share_inputs=False`` without the shared parsed inputs (each kernel parses its own)."""
    from reliefplan.batch.params import check_report_params
    from reliefplan.batch.run import run_reports

    with TreeRSS() as memory:
        t0 = time.perf_counter()
        params = check_report_params(plan_path, out=out, jobs=jobs, include_city=False)
        params.extra["share_inputs"] = share_inputs
        summary = run_reports(params, progress=False)
        elapsed = time.perf_counter() - t0
    if summary.failed:
        raise SystemExit(f"our run failed: {summary.statuses}")
    manifest = json.loads((summary.year_dir / "manifest.json").read_text(encoding="utf-8"))
    return elapsed, manifest, memory


def _timings(manifest: dict) -> dict:
    out = {"kernel_start_s": 0.0, "execute_s": 0.0, "export_s": 0.0}
    for job in manifest["jobs"].values():
        for key, value in ((job.get("worker") or {}).get("timings") or {}).items():
            out[key] = out.get(key, 0.0) + float(value)
    return out


def bench_plan(label: str, plan_path: str, args, tmp: Path) -> None:
    from batch_floor import floor, split

    from reliefplan.batch.jobs import build_jobs
    from reliefplan.ingest.units import area_name, load_area_table, unit_table
    from reliefplan.ingest.plan import load_plan

    plan = load_plan(plan_path)
    areas = load_area_table(plan)
    tree = unit_table(plan, areas)
    jobs = build_jobs(plan, tree, include_city=False, tree=tree, area_name=area_name(plan, areas))
    print(f"\n== {label}: {len(jobs)} reports ({int(tree['leaf'].sum())} units, "
          f"{len(jobs) - int(tree['leaf'].sum())} roll-ups); cores {os.cpu_count()}; jobs {args.jobs}")
    t_ours, manifest, memory = ours(plan_path, tmp / f"ours-{label}", args.jobs)
    print(f"ours  (warm kernels, {args.jobs} workers, HTML+xlsx+manifest+index): {t_ours:8.1f} s, "
          f"peak RSS {memory.peak / 2**30:.2f} GiB, peak PSS {memory.peak_pss / 2**30:.2f} GiB (all processes; "
          f"PSS counts the shared inputs once)")
    if args.unshared:
        t_alone, _, alone = ours(plan_path, tmp / f"unshared-{label}", args.jobs, share_inputs=False)
        print(f"ours without shared inputs (each kernel parses and holds its own, text as Python objects): "
              f"{t_alone:8.1f} s, "
              f"peak RSS {alone.peak / 2**30:.2f} GiB, peak PSS {alone.peak_pss / 2**30:.2f} GiB "
              f"-> shared saves {(alone.peak_pss - memory.peak_pss) / 2**20:,.0f} MiB PSS")
    fl = floor(plan_path, jobs)
    print(f"floor (every figure of every report, one process, no notebook/HTML/Excel): {fl['seconds']:8.1f} s "
          f"-> ours/floor {t_ours / fl['seconds']:.2f} (target <= 3)")
    parts = split(fl["built"], sample=args.excel_sample)
    tm = _timings(manifest)
    total_job = sum(tm.values()) or 1.0
    print("where our time goes (summed over jobs, so it exceeds wall time with several workers):")
    print(f"  kernel start        {tm['kernel_start_s']:8.1f} s  ({tm['kernel_start_s'] / total_job:5.1%})")
    print(f"  notebook execution  {tm['execute_s']:8.1f} s  ({tm['execute_s'] / total_job:5.1%})"
          f"  of which input loading ~{fl['input_load_s']:.1f} s once per kernel, "
          f"Excel writing ~{parts['excel_s']:.1f} s")
    print(f"  HTML export         {tm['export_s']:8.1f} s  ({tm['export_s'] / total_job:5.1%})"
          f"  of which plotly serialisation ~{parts['plotly_serialise_s']:.1f} s ({parts['figures']} figures)")
    if args.skip_naive:
        return
    t_naive, n = naive(jobs, tmp / f"naive-{label}", args.naive_html, args.naive_reports)
    what = "papermill + nbconvert" if args.naive_html else "papermill command"
    total = t_naive / n * len(jobs)
    note = "" if n == len(jobs) else f" (measured on {n} reports, {t_naive:.1f} s, extrapolated)"
    print(f"naive (sequential {what} per report): {total:8.1f} s{note}")
    print(f"naive/ours {total / t_ours:.2f}x (target >= {3 if label == 'city' else 8}x)")


MEMORY_SCRIPT = r"""
import resource, sys, time
def peak_kb():
    # VmHWM, the high-water mark of this process's own memory. Not ru_maxrss: Linux carries it over from
    # the parent through fork + exec, so a child of a big process would report the parent's peak.
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from reliefplan.core.lunar_dates import spring_festival
from reliefplan.ingest.plan import load_plan
from reliefplan.models import budget, coverage
from reliefplan.models.eligibility import assess
plan = load_plan(sys.argv[1])
t0 = time.perf_counter()
inp = coverage.load_inputs(plan, boundaries=False)
t1 = time.perf_counter()
load_peak = peak_kb()
elig = assess(inp.registry, plan, inp.dibao, inp.areas, on_date=spring_festival(int(plan["year"])))
ben = budget.beneficiaries_from_registry(inp.registry, elig, plan=plan, categories=inp.categories)
budgets = budget.compare_scenarios(plan, ben)
cov = coverage.analyse(inp, unit=plan["area"])
t2 = time.perf_counter()
print(len(inp.registry), round(t1 - t0, 1), round(t2 - t1, 1), load_peak, peak_kb())
"""


def memory_run(people: int, province_plan: str, tmp: Path) -> None:
    """Budget + coverage for the province with an N-person registry; peak RSS of that process."""
    import yaml

    folder = Path(province_plan).parent
    registry = tmp / f"registry_{people}.csv"
    subprocess.run([sys.executable, "-m", "reliefplan", "demo-data", "--area", "350000", "--rows", str(people),
                    "--out", str(registry), "--no-progress"], check=True, capture_output=True)
    plan = yaml.safe_load(Path(province_plan).read_text(encoding="utf-8"))
    plan["data"] = {k: (str(registry) if k == "registry" else str((folder / v).resolve()) if isinstance(v, str)
                        and k != "boundary_code_property" else v) for k, v in plan["data"].items()}
    plan_path = tmp / "plan_memory.yaml"
    plan_path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(plan_path)], check=True, capture_output=True,
                          text=True)
    rows, load_s, model_s, load_kb, maxrss_kb = proc.stdout.split()[-5:]
    print(f"\n== memory: budget + coverage on {int(rows):,} registry rows: load {load_s} s, models {model_s} s, "
          f"peak RSS {int(maxrss_kb) / 2**20:.2f} GiB (peak while loading {int(load_kb) / 2**20:.2f} GiB) "
          f"(target: 5,000,000 people within 8 GB)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--plan", default=None, help="the city plan (default: the demo plan)")
    ap.add_argument("--province", default=None, help="a province plan, e.g. data/province_350000/plan_2027.yaml")
    ap.add_argument("--naive-reports", type=int, default=None,
                    help="time the naive loop on the first N reports and extrapolate (default: all)")
    ap.add_argument("--naive-html", action="store_true", help="naive way also runs nbconvert per report")
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--unshared", action="store_true",
                    help="run ours a second time without the shared parsed inputs, to show what they save")
    ap.add_argument("--skip-city", action="store_true")
    ap.add_argument("--excel-sample", type=int, default=12, help="reports whose Excel writing is timed")
    ap.add_argument("--memory-people", type=int, default=None, help="registry size of the memory run")
    args = ap.parse_args(argv)

    from reliefplan.core import paths

    sys.path.insert(0, str(Path(__file__).parent))
    print("timings on a shared machine are noisy; run when it is idle")
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        tmp = Path(tmp)
        if not args.skip_city:
            bench_plan("city", str(args.plan or paths.demo_plan_path()), args, tmp)
        if args.province:
            bench_plan("province", args.province, args, tmp)
        if args.memory_people:
            memory_run(args.memory_people, args.province or str(ROOT / "data" / "province_350000" / "plan_2027.yaml"),
                       tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
