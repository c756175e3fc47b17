"""The what-if's controls checked: standards with typed amounts, cap, mode, step, threshold, unit, pools.

Every bad value becomes a :class:`ControlError` with a Chinese and an English message, which
``whatif.update`` turns into ``ok=False`` for the widgets to show (it never raises).
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from reliefplan.core.errors import ReliefplanError
from reliefplan.core.money import to_fen
from reliefplan.models import allocation as al
from reliefplan.models import budget as bm
from reliefplan.models import pools
from reliefplan.models import standards as stds
from reliefplan.models.whatif_state import WhatIfState, remember


class ControlError(ReliefplanError):
    """A control holds a value the model cannot use (shown, never raised out of update)."""


def _yuan(value, what_zh, what_en, *, positive=False, allow_none=True):
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_none and value is None:
            return None
        raise ControlError(f"{what_zh}不能为空", f"{what_en} must not be empty", column=what_en)
    try:
        fen = to_fen(value if not isinstance(value, float) else repr(value))
    except (ValueError, TypeError):
        raise ControlError(f"{what_zh}不是有效金额: {value!r}", f"{what_en} is not an amount: {value!r}",
                           column=what_en) from None
    if fen < 0 or (positive and fen == 0):
        raise ControlError(f"{what_zh}须大于 0" if positive else f"{what_zh}不能为负数",
                           f"{what_en} must be greater than 0" if positive else f"{what_en} must not be negative",
                           column=what_en)
    return fen


def standards_for(state: WhatIfState, controls: dict) -> pd.DataFrame:
    """The scenario's standards with the amounts typed in the controls (yuan) applied."""
    name = controls.get("scenario") or state.scenario_names[0]
    if name not in state.base_standards:
        raise ControlError(f"没有情景 {name}", f"no scenario {name}", column="scenario")
    std = state.base_standards[name]
    amounts = controls.get("amounts") or {}
    checked = {}
    for code, change in amounts.items():
        if code not in state.category_codes:
            continue
        row = {}
        for key, value in (change or {}).items():
            if key not in ("cash", "goods", "cash_dibao_multiple"):
                continue
            label_zh = f"{_cat_label(state, code)}{'慰问金' if key == 'cash' else '慰问品' if key == 'goods' else '低保倍数'}"
            label_en = f"{key} of {code}"
            if key == "cash_dibao_multiple":
                if value is None or (isinstance(value, str) and not value.strip()):
                    raise ControlError(f"{label_zh}不能为空", f"{label_en} must not be empty", column=label_en)
                try:
                    m = stds.exact(value)
                except (ValueError, TypeError, ArithmeticError):
                    raise ControlError(f"{label_zh}不是数字: {value!r}", f"{label_en} is not a number: {value!r}",
                                       column=label_en) from None
                if m < 0:
                    raise ControlError(f"{label_zh}不能为负数", f"{label_en} must not be negative", column=label_en)
                row[key] = m
            else:
                fen = _yuan(value, label_zh, label_en, allow_none=False)
                row[key] = f"{fen // 100}.{fen % 100:02d}"
        checked[code] = row
    if not checked:
        return std
    # the same amounts come back as other controls move (cap, mode, pools): rebuild the table only when they change
    key = ("standards", name, tuple(sorted((code, tuple(sorted(row.items()))) for code, row in checked.items())))
    hit = state.cache.get(key)
    if hit is None or hit[0] is not std:  # a scenario loaded under the same name replaces its base standards
        hit = (std, stds.apply_overrides(std, checked))
        remember(state, key, hit)
    return hit[1]


def _cat_label(state, code):
    return dict(zip(state.categories["code"], state.categories["zh"])).get(code, code)


def parse_controls(state: WhatIfState, controls: dict) -> dict:
    """Checked controls: standards, cap (fen or None), mode, step (fen), threshold (Fraction or None), unit."""
    std = standards_for(state, controls)
    plan = state.plan
    if controls.get("no_cap"):
        cap = None
    elif "cap_yuan" in controls and controls["cap_yuan"] is None:
        cap = bm.cap_fen(plan)
    elif "cap_yuan" in controls:
        cap = _yuan(controls["cap_yuan"], "预算上限", "budget cap", positive=True, allow_none=False)
    else:
        cap = bm.cap_fen(plan)
    mode = controls.get("mode") or plan.get("allocation_mode", "priority")
    if mode not in al.MODES:
        raise ControlError(f"分配方式须为 {' / '.join(al.MODES)}", f"mode must be one of {', '.join(al.MODES)}",
                           column="mode")
    step = _yuan(controls.get("step_yuan", plan.get("rounding_step", 1)), "取整步长", "rounding step",
                 positive=True, allow_none=False)
    threshold = controls.get("threshold")
    if threshold is not None:
        try:
            threshold = Fraction(str(threshold)).limit_denominator(10_000)
        except (ValueError, ZeroDivisionError):
            raise ControlError(f"收入门槛不是数字: {threshold!r}", f"threshold is not a number: {threshold!r}",
                               column="threshold") from None
        if threshold <= 0:
            raise ControlError("收入门槛须大于 0", "the income threshold must be greater than 0", column="threshold")
        if not state.thresholds_supported:
            threshold = None
    unit = controls.get("unit") or "all"
    if unit != "all" and unit not in state.counties:
        raise ControlError(f"没有单位 {unit}", f"no unit {unit}", column="unit")
    return {"standards": std, "cap": cap, "mode": mode, "step": step, "threshold": threshold, "unit": unit,
            "scenario": controls.get("scenario") or state.scenario_names[0], "pools": _pool_amounts(plan, controls)}


def _pool_amounts(plan: dict, controls: dict) -> dict:
    """The ``pools`` control checked: source name -> amount in fen."""
    wanted = controls.get("pools") or {}
    if not wanted:
        return {}
    if not pools.declared(plan):
        raise ControlError("方案未设资金池", "the plan has no funding pools", column="pools")
    names = {p.name for p in pools.plan_pools(plan)}
    out = {}
    for name, value in wanted.items():
        if name not in names:
            raise ControlError(f"没有资金来源 {name}", f"no funding source {name}", column="pools")
        out[name] = _yuan(value, f"{name}金额", f"amount of {name}", allow_none=False)
    return out
