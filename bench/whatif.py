"""Benchmark: a what-if control change on a large registry, fast path vs naive recompute.

    .venv/bin/python bench/whatif.py [--rows 1000000] [--naive-every 5]

Builds a synthetic registry (reliefplan.demo.generate, all people fictitious),
assesses eligibility once at the plan's thresholds and once "loose", and
precomputes the what-if state (timed separately: it is paid when the data
loads). Then it drives a sequence of control changes the way a user moves
sliders - a category's cash, the budget cap, the income threshold, the
allocation mode, the scenario - through ``whatif.update``, the very function
the widgets call, and through ``whatif.update_naive``, the plain library
path that filters the rows, groups them and allocates from scratch each
time. Both must give the same totals (checked). Prints the median time per
change of each, the ratio, and the widget app's own refresh time (update +
HTML + chart). Targets: fast median < 100 ms, ratio >= 20x.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time


def registry_frame(rows: int, seed: int):
    """A loaded-registry-shaped frame of ``rows`` synthetic listings (canonical columns)."""
    from reliefplan.demo import generate as demo_data
    inputs = demo_data.load_inputs(demo_data.default_data_dir())
    listings = demo_data.generate_listings(rows, seed, inputs)
    cols = ["name", "id_number", "area_code", "county_code", "category", "household_size", "income_fen",
            "disabled", "seriously_ill", "birth_date"]
    reg = listings[cols].copy()
    reg["household_size"] = reg["household_size"].astype("Int64")
    reg["income_fen"] = reg["income_fen"].astype("Int64")
    reg["birth_date"] = reg["birth_date"].astype("datetime64[ns]")
    return reg


def control_sequence(plan) -> list[dict]:
    """Slider moves as a user makes them: each change starts from the previous controls."""
    cap = int(plan.get("budget_cap") or 3_000_000)
    seq, cur = [], {"cap_yuan": cap * 40}
    for cash in range(500, 900, 20):  # drag the 低保 cash slider
        cur = {**cur, "amounts": {"dibao": {"cash": cash}}}
        seq.append(cur)
    for k in range(10):  # drag the cap down
        cur = {**cur, "cap_yuan": cap * (40 - 3 * k)}
        seq.append(cur)
    for t in (1.0, 1.1, 1.2, 1.3, 1.5, 2.0):  # move the income line
        cur = {**cur, "threshold": t}
        seq.append(cur)
    cur = {**cur, "mode": "scale"}
    seq.append(cur)
    cur = {**cur, "mode": "priority", "unit": "350602"}
    seq.append(cur)
    for name in [s["name"] for s in plan.get("scenarios") or []][1:]:
        cur = {**cur, "scenario": name, "amounts": {}}
        seq.append(cur)
    return seq


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=2027)
    ap.add_argument("--naive-every", type=int, default=5, help="time the naive path on every k-th change")
    args = ap.parse_args(argv)

    from reliefplan.models import whatif
    from reliefplan.ingest.inputs import load_plan_inputs
    from reliefplan.ingest.plan import load_plan
    from reliefplan.views.app import WhatIfApp

    plan = load_plan()
    data = load_plan_inputs(plan, include=["areas", "dibao", "categories"])
    t0 = time.perf_counter()
    registry = registry_frame(args.rows, args.seed)
    t1 = time.perf_counter()
    rows = whatif.rows_from_assess(registry, plan, data["dibao"], data["areas"])
    t2 = time.perf_counter()
    state = whatif.prepare(plan, rows, categories=data["categories"])
    t3 = time.perf_counter()
    print(f"registry: {len(registry):,} rows (synthetic, fictitious) generated in {t1 - t0:.1f} s")
    print(f"eligibility (assess x2): {t2 - t1:.2f} s; what-if precompute: {t3 - t2:.2f} s "
          f"({state.n_rows:,} rows can be eligible)")

    seq = control_sequence(plan)
    whatif.update(state, seq[0])  # warm-up (imports, first allocation of arrays)
    fast, naive, mismatches = [], [], 0
    for i, controls in enumerate(seq):
        s = time.perf_counter()
        result = whatif.update(state, controls)
        fast.append(time.perf_counter() - s)
        assert result.ok, result.message_en
        if i % args.naive_every == 0:
            s = time.perf_counter()
            spent, full, _ = whatif.update_naive(plan, rows, controls, categories=data["categories"])
            naive.append(time.perf_counter() - s)
            if spent.totals != result.budget.totals or full.totals != result.full.totals:
                mismatches += 1

    app = WhatIfApp(state, chart=True)
    app.tabs.selected_index = 1  # the chart tab open: the refresh redraws the chart too
    slider = app.amounts["dibao"]["cash"].slider
    refresh = []
    for cash in range(500, 700, 20):
        s = time.perf_counter()
        slider.value = cash
        refresh.append(time.perf_counter() - s)

    fast_ms = statistics.median(fast) * 1000
    naive_ms = statistics.median(naive) * 1000
    ratio = naive_ms / fast_ms
    print(f"control changes: {len(fast)} fast, {len(naive)} naive")
    print(f"fast update (what the widgets call): median {fast_ms:.1f} ms, max {max(fast) * 1000:.1f} ms")
    print(f"naive recompute (filter + groupby + allocate): median {naive_ms:.1f} ms")
    print(f"ratio naive / fast: {ratio:.1f}x  (target >= 20x; fast target < 100 ms)")
    print(f"widget app refresh incl. HTML and chart: median {statistics.median(refresh) * 1000:.1f} ms")
    print(f"results identical to the naive path: {'yes' if not mismatches else f'NO ({mismatches} differ)'}")
    ok = fast_ms < 100 and ratio >= 20 and not mismatches
    print("PASS" if ok else "BELOW TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
