"""Every input table a plan names, loaded in one call."""

from __future__ import annotations

import inspect

from reliefplan.ingest.categories import load_categories
from reliefplan.ingest.plan import load_plan, plan_file
from reliefplan.ingest.reference import (
    load_areas, load_boundaries, load_case_library, load_dibao, load_history, load_registry_changes, load_visits,
)
from reliefplan.ingest.registry import read_registry


_LOADERS = {
    "areas": load_areas,
    "dibao": load_dibao,
    "history": load_history,
    "visits": load_visits,
    "registry_changes": load_registry_changes,
}


def load_plan_inputs(plan=None, include=None) -> dict:
    """Load every table the plan names; ``plan`` is a loaded plan dict, a path, or None (demo).

    Returns a dict keyed by the plan's data keys: ``areas``, ``boundaries``
    (GeoJSON dict), ``dibao``, ``categories``, ``history``, ``visits``,
    ``registry_changes``, ``case_library`` and ``registry`` (the accepted
    rows; the whole IngestResult is under ``registry_result``). Keys the plan does not name are
    absent. ``include`` limits loading to the given keys (reading the registry
    is the slow part).
    """
    if not isinstance(plan, dict):
        plan = load_plan(plan)
    named = set((plan.get("_files") or {}).keys())
    wanted = named if include is None else named & set(include)
    out: dict = {}
    categories = load_categories(plan_file(plan, "categories")) if "categories" in named else None
    if categories is not None and "categories" in wanted:
        out["categories"] = categories
    if "boundaries" in wanted:
        out["boundaries"] = load_boundaries(plan_file(plan, "boundaries"),
                                            plan.get("data", {}).get("boundary_code_property", "code"))
    for key, loader in _LOADERS.items():
        if key not in wanted:
            continue
        if key in ("history", "visits"):
            out[key] = loader(plan_file(plan, key), categories=categories)
        else:
            out[key] = loader(plan_file(plan, key))
    if "case_library" in wanted:
        out["case_library"] = load_case_library(plan_file(plan, "case_library"), categories=categories)
    if "registry" in wanted:
        # Pass the plan's reference tables when read_registry takes them, so its
        # category and area checks use the plan's files rather than the demo's.
        params = inspect.signature(read_registry).parameters
        extra = {}
        if "categories" in params and categories is not None:
            extra["categories"] = categories
        if "areas" in params and "areas" in named:
            extra["areas"] = out["areas"] if "areas" in out else load_areas(plan_file(plan, "areas"))
        result = read_registry(plan_file(plan, "registry"), **extra)
        out["registry_result"] = result
        out["registry"] = result.accepted
    return out
