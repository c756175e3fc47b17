"""Scenarios a planner keeps: the current controls saved as a named scenario into a copy of the plan, and
read back from such a copy.

A saved scenario is one plan file: the plan as loaded, plus one scenario
entry (the scenario the controls started from, with every changed amount as
an override) and the plan-level settings of the controls (budget cap or
none, allocation mode, rounding step, pool amounts, a uniform income line). A comment at the top
records when it was saved and from which plan, so the file explains itself
when it is mailed around. Loading it back adds its new scenarios to the app
with their exact standards and settings.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd
import yaml

from reliefplan.core.errors import InputError
from reliefplan.ingest.plan import check_plan_text
from reliefplan.models import standards as stds
from reliefplan.models import whatif

MAX_FILE_BYTES = 2_000_000
MAX_NAME_CHARS = 40
_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass
class SavedScenario:
    """A scenario made in the app (or loaded from a saved copy): standards plus the settings it was saved with."""

    name: str
    standards: pd.DataFrame
    definition: dict                   # the plan's `scenarios:` entry
    settings: dict = field(default_factory=dict)   # cap_yuan, no_cap, mode, step_yuan, threshold, pools
    source: str = ""                   # file it was loaded from, if any

    def controls(self, unit: str = "all") -> dict:
        return {"scenario": self.name, "unit": unit, **self.settings}


def check_name(name: str, taken) -> tuple[str, str] | None:
    """(zh, en) when ``name`` cannot name a new scenario (empty, too long, already used); else None."""
    name = (name or "").strip()
    if not name:
        return "请填写情景名称", "give the scenario a name"
    if len(name) > MAX_NAME_CHARS:
        return f"情景名称不能超过 {MAX_NAME_CHARS} 个字", f"a scenario name has at most {MAX_NAME_CHARS} characters"
    if name in taken:
        return f"情景名称已存在: {name}", f"a scenario named {name} exists"
    return None


def file_name(name: str, suffix: str) -> str:
    """A safe download file name from a scenario name (no path separators or control characters)."""
    stem = _UNSAFE_FILE_CHARS.sub("_", name).strip(" ._") or "scenario"
    return f"{stem[:60]}{suffix}"


def _changed_overrides(base: pd.DataFrame, now: pd.DataFrame) -> dict:
    """Per category, the amounts in ``now`` that differ from ``base`` (yuan, or a 低保 multiple)."""
    out = {}
    b = base.set_index("category")
    for row in now.itertuples():
        old = b.loc[row.category]
        change = {}
        if row.cash_dibao_multiple is not None:
            if old["cash_dibao_multiple"] != row.cash_dibao_multiple:
                change["cash_dibao_multiple"] = _number(row.cash_dibao_multiple)
        elif old["cash_dibao_multiple"] is not None or int(old["cash_fen"]) != int(row.cash_fen):
            change["cash"] = _yuan_number(row.cash_fen)
        if int(old["goods_fen"]) != int(row.goods_fen):
            change["goods"] = _yuan_number(row.goods_fen)
        if change:
            out[row.category] = change
    return out


def _yuan_number(fen: int):
    fen = int(fen)
    return fen // 100 if fen % 100 == 0 else float(f"{fen // 100}.{fen % 100:02d}")


def _number(fraction):
    value = float(fraction)
    return int(value) if value == int(value) else value


def make_scenario(state: whatif.WhatIfState, controls: dict, name: str) -> SavedScenario:
    """The current controls as a scenario named ``name`` (its standards exact, as the app computed them)."""
    base_name = controls.get("scenario") or state.scenario_names[0]
    now = whatif.standards_for(state, controls)
    plan_entries = {s["name"]: s for s in stds.scenarios(state.plan)}
    definition = copy.deepcopy(plan_entries.get(base_name, {}))
    for key in ("baseline", "_saved"):
        definition.pop(key, None)
    if "definition" in state.cache.get(("saved", base_name), {}):
        definition = copy.deepcopy(state.cache[("saved", base_name)]["definition"])
    definition.update({"name": name, "name_en": name})
    changed = _changed_overrides(state.base_standards[base_name], now)
    overrides = dict(definition.get("overrides") or {})
    for code, change in changed.items():
        merged = {k: v for k, v in (overrides.get(code) or {}).items()
                  if not (k in ("cash", "cash_dibao_multiple") and {"cash", "cash_dibao_multiple"} & set(change))}
        merged.update(change)
        overrides[code] = merged
    if overrides:
        definition["overrides"] = overrides
    settings = {k: controls.get(k) for k in ("cap_yuan", "no_cap", "mode", "step_yuan", "threshold", "pools")
                if k in controls}
    return SavedScenario(name, now, definition, settings)


def add_to_state(state: whatif.WhatIfState, scenario: SavedScenario) -> None:
    """Make ``scenario`` selectable in the what-if (state is the app's own copy)."""
    state.base_standards[scenario.name] = scenario.standards
    if scenario.name not in state.scenario_names:
        state.scenario_names.append(scenario.name)
    state.cache[("saved", scenario.name)] = {"definition": scenario.definition}


def _plain(plan: dict) -> dict:
    """The plan as written: without the loader's private keys."""
    return {k: copy.deepcopy(v) for k, v in plan.items() if not str(k).startswith("_")}


def plan_copy_yaml(plan: dict, scenario: SavedScenario, *, now: dt.datetime | None = None,
                   based_on: str = "") -> str:
    """The plan with ``scenario`` added and its settings (cap, mode, step, pool amounts, income line) as the
    plan's, as YAML text with a header comment."""
    out = _plain(plan)
    entries = [dict(s) for s in (out.get("scenarios") or []) if s.get("name") != scenario.name]
    entries.append(copy.deepcopy(scenario.definition))
    out["scenarios"] = entries
    settings = scenario.settings
    if settings.get("no_cap"):
        out.pop("budget_cap", None)
    elif settings.get("cap_yuan") not in (None, ""):
        out["budget_cap"] = int(settings["cap_yuan"])
    if settings.get("mode"):
        out["allocation_mode"] = settings["mode"]
    if settings.get("step_yuan"):
        out["rounding_step"] = int(settings["step_yuan"])
    for entry in out.get("funding") or []:
        if isinstance(entry, dict) and str(entry.get("source", "")) in (settings.get("pools") or {}):
            entry["amount"] = int(settings["pools"][str(entry["source"])])
    if settings.get("threshold") is not None:
        for std in (out.get("categories") or {}).values():
            rule = (std or {}).get("eligibility") or {}
            if "income_below_dibao" in rule:
                rule["income_below_dibao"] = float(settings["threshold"])
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%d %H:%M %Z").strip()
    source = getattr(plan.get("_path"), "name", None) or "plan"
    header = (
        f"# 预算测算应用保存的方案副本 / plan copy saved by the what-if app\n"
        f"# 保存时间 / saved: {stamp}\n"
        f"# 来源 / from: {source} ({_one_line(plan.get('name', ''))})\n"
        f"# 新增情景 / added scenario: {_one_line(scenario.name)}"
        + (f" (基于 / based on: {_one_line(based_on)})" if based_on else "") + "\n"
        "# 与原方案放在同一文件夹中使用(数据文件路径相对于方案文件) /\n"
        "# keep it in the folder of the original plan (data paths are relative to it)\n"
    )
    return header + yaml.safe_dump(out, allow_unicode=True, sort_keys=False, width=120)


def _one_line(text) -> str:
    return re.sub(r"[\r\n]+", " ", str(text))


def read_scenarios(text: str | bytes, state: whatif.WhatIfState, *, source: str = "") -> list[SavedScenario]:
    """The scenarios of a saved plan copy that the current plan does not have, with their settings.

    Raises InputError or ConfigError (naming the file, and the field for a schema problem) when it is
    not such a copy or not a valid plan.
    """
    if isinstance(text, bytes):
        if len(text) > MAX_FILE_BYTES:
            raise InputError("情景文件过大", "the scenario file is too large", file=source)
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("情景文件须为 UTF-8 编码的 YAML", "the scenario file must be UTF-8 YAML", file=source) from None
    # the bounded YAML reader (no alias bombs) and the plan schema (no unknown key, no absurd amount)
    loaded = check_plan_text(text, source or None)
    if not isinstance(loaded, dict) or not isinstance(loaded.get("categories"), dict):
        raise InputError("不是方案文件(缺少 categories)", "not a plan file (no categories)", file=source)
    known = {s["name"] for s in stds.scenarios(state.plan)}
    found = [s for s in (loaded.get("scenarios") or []) if isinstance(s, dict) and s.get("name") not in known]
    if not found:
        raise InputError("文件中没有本方案以外的情景", "the file holds no scenario beyond this plan's", file=source)
    missing = set(state.category_codes) - set(loaded["categories"])
    if missing:
        raise InputError(f"文件缺少本方案的类别: {', '.join(sorted(missing))}",
                         f"the file lacks categories of this plan: {', '.join(sorted(missing))}", file=source)
    settings = _settings(loaded, state.plan)
    out = []
    for entry in found:
        name = str(entry["name"])
        try:
            std = stds.scenario_standards({**loaded, "_path": source}, name, state.categories)
        except (ValueError, TypeError, ArithmeticError, KeyError) as exc:
            raise InputError(f"情景 {name} 的标准无法读取", f"the standards of scenario {name} cannot be read: {exc}",
                             file=source) from None
        std = std[std["category"].isin(state.category_codes)].reset_index(drop=True)
        out.append(SavedScenario(name, std, dict(entry), dict(settings), source))
    return out


def _settings(loaded: dict, plan: dict) -> dict:
    """Cap, mode, step, pool amounts that differ, and (when every income rule was set to one value that
    differs) the uniform income line."""
    out = {}
    our_funding = {str(f.get("source", "")): f.get("amount") for f in plan.get("funding") or [] if isinstance(f, dict)}
    theirs = {str(f.get("source", "")): f.get("amount") for f in loaded.get("funding") or [] if isinstance(f, dict)}
    changed = {name: amount for name, amount in theirs.items() if name in our_funding and amount != our_funding[name]}
    if changed and any(isinstance(f, dict) and (f.get("categories") or f.get("organizers"))
                       for f in plan.get("funding") or []):
        out["pools"] = changed
    if loaded.get("budget_cap") is not None:
        out["cap_yuan"] = loaded["budget_cap"]
    else:  # a copy is saved with its cap, or without one on purpose
        out["no_cap"] = True
    if loaded.get("allocation_mode"):
        out["mode"] = loaded["allocation_mode"]
    if loaded.get("rounding_step"):
        out["step_yuan"] = loaded["rounding_step"]
    lines = {((std or {}).get("eligibility") or {}).get("income_below_dibao")
             for std in loaded["categories"].values()} - {None}
    ours = {((std or {}).get("eligibility") or {}).get("income_below_dibao")
            for std in (plan.get("categories") or {}).values()} - {None}
    out["threshold"] = next(iter(lines)) if len(lines) == 1 and lines != ours else None
    return out
