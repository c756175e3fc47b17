"""What the coverage analysis reads (registry, areas, 低保, visits, changes, categories, boundaries),
loaded once from a plan; :func:`load_inputs` is the coverage analysis's only file-reading function.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reliefplan.ingest.inputs import PlanInputs


@dataclass
class CoverageInputs:
    """Everything the coverage analysis reads, loaded once from a plan."""

    plan: dict
    registry: pd.DataFrame
    areas: pd.DataFrame
    dibao: pd.DataFrame
    visits: pd.DataFrame
    changes: pd.DataFrame
    categories: pd.DataFrame
    boundaries: dict | None = None
    rejected: pd.DataFrame | None = None
    demo: bool = False              # PlanInputs.demo: the 示例数据 notice is shown


def load_inputs(plan=None, *, boundaries: bool = True) -> CoverageInputs:
    """The tables the coverage analysis reads (registry, areas, 低保, visits, changes, categories, boundaries).

    Every table comes from :class:`reliefplan.ingest.inputs.PlanInputs`; ``plan``
    is a PlanInputs, a loaded plan, a path, or None for the demo plan. The
    registry, areas, 低保 standards and categories are required (a ConfigError
    names the missing one). Registry rows the reader rejects are kept in
    ``rejected`` (nothing lost) and left out of the analysis. A plan without
    visits or registry changes gets empty tables, without boundaries None.
    """
    inputs = PlanInputs.of(plan)
    return CoverageInputs(
        plan=inputs.plan,
        registry=inputs.registry,
        areas=inputs.areas,
        dibao=inputs.dibao,
        visits=inputs.get("visits", _empty_visits()),
        changes=inputs.get("registry_changes", pd.DataFrame(columns=["id_number", "year", "reason", "note"])),
        categories=inputs.categories,
        boundaries=inputs.get("boundaries") if boundaries else None,
        rejected=inputs.registry_result.rejected,
        demo=inputs.demo,
    )


def _empty_visits() -> pd.DataFrame:
    return pd.DataFrame({
        "campaign_year": pd.Series(dtype="int64"), "id_number": pd.Series(dtype=str),
        "name": pd.Series(dtype=str), "area_code": pd.Series(dtype=str), "organizer": pd.Series(dtype=str),
        "category": pd.Series(dtype=str), "visit_date": pd.Series(dtype="datetime64[ns]"),
        "team": pd.Series(dtype=str), "cash_fen": pd.Series(dtype="int64"),
        "goods_fen": pd.Series(dtype="int64"), "signed": pd.Series(dtype=bool),
    })
