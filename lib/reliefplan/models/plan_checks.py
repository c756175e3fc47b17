"""Everything the models would refuse in a plan, checked before any data is read.

:func:`reliefplan.ingest.plan.load_plan` checks each key's type and bounds;
the models add rules that need more than one key (a scenario override of a
category the plan lacks, per-team-day overheads without teams or visit days,
a team without ``visits_per_slot``, a phase that ends before it starts is
left to the timeline findings). ``reliefplan report`` calls
:func:`check_plan_models` up front so a plan mistake costs one clear error
(exit 2), not one failed kernel per unit.
"""

from __future__ import annotations

from reliefplan.models import budget, eligibility, schedule, standards, timeline


def check_plan_models(plan: dict) -> None:
    """Raise the first ConfigError any model would raise on ``plan`` alone (no registry needed)."""
    base = standards.base_standards(plan)
    for sc in standards.scenarios(plan):
        standards.apply_scenario(base, sc, path=plan.get("_path"))
    eligibility.check_rules(plan)
    timeline.resolve_phases(plan)
    timeline.resolve_deliverables(plan)
    timeline.visit_window(plan)
    budget.overhead_items(plan)
    if plan.get("teams"):
        schedule.team_table(plan)
