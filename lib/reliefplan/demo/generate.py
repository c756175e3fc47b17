"""Synthetic demo data (示例数据，人员均为虚构): every person here is fictitious.

This module generates the embedded demo data set in ``data/`` from a fixed
seed, so the same seed always yields the same bytes:

- ``registry.csv``: about 6,000 registry rows (救助对象名单) across the
  townships of 漳州市, Chinese headers, UTF-8 with BOM. Names, ID numbers
  (valid GB 11643 check characters), phones and addresses are invented.
  About 4% of the people are listed by two organizers (same ID number,
  different 填报单位) so that deduplication has work; nobody is listed twice
  by the same organizer.
- ``registry_flawed.xlsx``: a small government-style 登记表 with a title row,
  merged cells and deliberately flawed rows for the validation walkthrough
  (see :data:`FLAWED_ROWS`).
- ``campaign_history.csv``: 2019-2026 campaign records by year, organizer
  (民政局 / 总工会), county, category and funding source.
- ``visits.csv``: visits and disbursements of the 2025 and 2026 campaigns.
- ``registry_changes.csv``: why some people reached in 2025 were not reached
  in 2026 (moved, died, no longer eligible); the rest were simply missed.

Deliberate mismatches in ``campaign_history.csv`` (``stated_total_yuan``
differs from cash + goods + overhead; everything else reconciles):

1. 2019, 民政局, 350623 漳浦县, dibao, 财政: two adjacent digits transposed.
2. 2021, 总工会, 350602 芗城区, hardship_worker, 工会经费: two adjacent
   digits transposed.
3. 2023, 民政局, 350628 平和县, tekun, 财政: one digit mistyped (the
   thousands digit one higher, or 8 for a 9).
4. 2024, 民政局, 350624 诏安县, dibao_edge, 社会募捐: overheads left out of
   the stated total (stated = cash + goods).

The inputs are the reference tables owned elsewhere: ``areas.csv``
(townships and their urban/rural class), ``dibao_standards.csv`` and
``categories.csv``. Who counts as eligible while shaping the data mirrors
the rules of the demo plan ``plan_2027.yaml`` (:func:`plan_rules`).

The large-registry generator (``reliefplan demo-data --rows N``) uses the
same vectorised numpy path as the demo registry: there is no Python loop
over rows while generating, only while writing xlsx cells.

Modules: ``profiles`` (the numbers that shape the data), ``reference`` (the
tables drawn from), ``ids``, ``people`` (people and registry rows),
``visits``, ``history``, ``flawed``, ``writers``. This module puts them
together and is the one import for the CLI, the bench and the tests.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from reliefplan.demo.area_plan import AREA_SETS, area_set_dir, default_rows, write_area_plan  # noqa: F401

from reliefplan.demo.flawed import (  # noqa: F401  (re-exported)
    FLAWED_DATA_ROWS, FLAWED_FIRST_DATA_ROW, FLAWED_ORGANIZER, FLAWED_ROWS, FLAWED_TITLE, flawed_rows,
    write_flawed_xlsx,
)
from reliefplan.demo.history import generate_history
from reliefplan.demo.ids import check_chars, make_ids  # noqa: F401  (re-exported)
from reliefplan.demo.people import (  # noqa: F401  (re-exported)
    generate_listings, generate_registry, registry_frame, shaped_eligible,
)
from reliefplan.demo.profiles import (  # noqa: F401  (re-exported)
    CAMPAIGN_YEAR, CHANGES_COLUMNS, COUNTY_WEIGHTS, DEMO_ROWS, HISTORY_COLUMNS, HISTORY_MISMATCHES, HISTORY_YEARS,
    REGISTRY_HEADERS, SEED, SPRING_FESTIVAL, SYNTHETIC_NOTE, VISITS_COLUMNS, plan_rules,
)
from reliefplan.demo.reference import Inputs, build_inputs, default_data_dir, load_inputs  # noqa: F401
from reliefplan.demo.visits import generate_visits
from reliefplan.demo.writers import write_registry, write_table_csv


def write_demo_set(out_dir=None, seed: int = SEED, data_dir=None, *, area: str | None = None,
                   rows: int | None = None) -> dict[str, Path]:
    """Regenerate the whole demo data set into ``out_dir`` (default: the data folder).

    Reads the reference tables from ``data_dir`` (default: the data folder). ``area`` (e.g.
    350000 福建省): a larger set drawn from every county under it, with its own plan
    (:mod:`reliefplan.demo.area_plan`); its reference tables default to the shipped folder
    (``data/province_350000``). ``rows``: registry rows (default 6,000; 300,000 for an area).
    Returns the written files by name.
    """
    if area is not None and data_dir is None:
        data_dir = area_set_dir(area)
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    out_dir = Path(out_dir) if out_dir else data_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs = load_inputs(data_dir, area)
    listings = generate_listings(rows or default_rows(area), seed, inputs)
    rng = np.random.default_rng(seed + 2)
    visits, changes = generate_visits(rng, listings, inputs)
    history = generate_history(np.random.default_rng(seed + 3), listings)
    out = {
        "registry": write_registry(registry_frame(listings, inputs.categories), out_dir / "registry.csv"),
        "registry_flawed": write_flawed_xlsx(out_dir / "registry_flawed.xlsx", seed, inputs),
        "campaign_history": write_table_csv(history, out_dir / "campaign_history.csv"),
        "visits": write_table_csv(visits, out_dir / "visits.csv"),
        "registry_changes": write_table_csv(changes, out_dir / "registry_changes.csv"),
    }
    if area is not None:
        for name in ("areas.csv", "dibao_standards.csv", "categories.csv"):
            if data_dir.resolve() != out_dir.resolve():
                shutil.copyfile(data_dir / name, out_dir / name)
                out[name.split(".")[0]] = out_dir / name
        if (data_dir / "boundaries").is_dir() and data_dir.resolve() != out_dir.resolve():
            shutil.copytree(data_dir / "boundaries", out_dir / "boundaries", dirs_exist_ok=True)
        areas = pd.read_csv(out_dir / "areas.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        out["plan"] = write_area_plan(out_dir, area, areas, len(listings))
    return out
