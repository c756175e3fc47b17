"""The annual plan (年度方案): a YAML file planners copy and edit.

:func:`load_plan` reads the file, checks the structure every module relies
on (year, categories and standards, overheads, funding, scenarios, phases,
teams) and resolves the data file paths relative to the plan. Each error
names the plan file and the field, e.g. ``categories.dibao.cash``.
Domain modules (budget, coverage, timeline) interpret their own sections
further; dates in phases stay as written here and are resolved by the
timeline module.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from reliefplan.core import paths, workdays
from reliefplan.ingest.categories import load_categories
from reliefplan.core.errors import ConfigError
from reliefplan.ingest.holidays import load_holiday_file

PER_VALUES = ("household", "person")
OVERHEAD_BASES = ("per_team_day", "fixed")
ALLOCATION_MODES = ("priority", "scale")
# One payment per person (reliefplan.models.per_person): once at the highest standard, each organizer's
# standard up to per_person_cap, or every listing.
PER_PERSON_RULES = ("highest_once", "each_up_to_cap", "pay_all")
DATA_KEYS = ("registry", "areas", "boundaries", "dibao", "categories", "history",
             "visits", "registry_changes", "case_library", "holidays")


def _fail(path, field, zh, en):
    raise ConfigError(f"字段 {field}: {zh}", f"field {field}: {en}", file=path, column=field)


def _amount(path, field, value, *, required=False) -> Decimal | None:
    """A non-negative yuan amount (int or decimal string); floats with >2 decimals refused."""
    if value is None:
        if required:
            _fail(path, field, "缺少金额", "amount is missing")
        return None
    if isinstance(value, bool):
        _fail(path, field, "须为金额", "must be an amount")
    try:
        dec = Decimal(str(value))
    except InvalidOperation:
        _fail(path, field, f"不是有效金额: {value!r}", f"not an amount: {value!r}")
    if not dec.is_finite() or dec < 0:
        _fail(path, field, f"金额须为非负数: {value!r}", f"amount must be zero or more: {value!r}")
    if dec != dec.quantize(Decimal("0.01")):
        _fail(path, field, f"金额最多两位小数: {value!r}", f"at most two decimals: {value!r}")
    return dec


def _number(path, field, value, *, minimum=0) -> Decimal:
    try:
        dec = Decimal(str(value))
    except InvalidOperation:
        _fail(path, field, f"不是数字: {value!r}", f"not a number: {value!r}")
    if isinstance(value, bool) or not dec.is_finite() or dec < minimum:
        _fail(path, field, f"须为不小于 {minimum} 的数字", f"must be a number >= {minimum}")
    return dec


def _check_standard(path, field, std: dict, known_codes) -> None:
    if not isinstance(std, dict):
        _fail(path, field, "须为映射(键: 值)", "must be a mapping")
    if "per" in std and std["per"] not in PER_VALUES:
        _fail(path, f"{field}.per", f"须为 {' / '.join(PER_VALUES)}", f"must be one of {', '.join(PER_VALUES)}")
    for key in ("cash", "goods"):
        if key in std:
            _amount(path, f"{field}.{key}", std[key])
    if "cash_dibao_multiple" in std:
        _number(path, f"{field}.cash_dibao_multiple", std["cash_dibao_multiple"])
    if "priority" in std:
        _number(path, f"{field}.priority", std["priority"], minimum=1)


def _check_pool(path, field, item: dict, cats: dict) -> None:
    """A funding source as a pool (reliefplan.models.pools): lists of plan categories / organizers, flags."""
    for key in ("categories", "organizers"):
        value = item.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) and v for v in value)):
            _fail(path, f"{field}.{key}", "须为名称列表, 如 [dibao, tekun]", "must be a list of names, e.g. [dibao, tekun]")
    bad = [c for c in item.get("categories") or [] if c not in cats]
    if bad:
        _fail(path, f"{field}.categories", f"类别不在本方案中: {', '.join(bad)}", f"categories not in this plan: {', '.join(bad)}")
    for key in ("goods_only", "overheads"):
        if key in item and not isinstance(item[key], bool):
            _fail(path, f"{field}.{key}", "须为 true 或 false", "must be true or false")


def load_plan(path=None) -> dict:
    """Read and check a plan; the demo plan when ``path`` is None.

    Returns the plan as a dict with ``_path`` (the plan file) and ``_files``
    (data key -> absolute Path of each data file named in ``data:``).
    """
    path = Path(path) if path else paths.demo_plan_path()
    if not path.exists():
        raise ConfigError("方案文件不存在", "plan file not found", file=path)
    try:
        plan = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark else None
        raise ConfigError("YAML 格式错误", f"YAML syntax error: {exc}", file=path, row=row) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError("方案文件须为 UTF-8 编码", "plan file must be UTF-8", file=path) from exc
    if not isinstance(plan, dict):
        raise ConfigError("方案须为 YAML 映射", "plan must be a YAML mapping", file=path)

    if not isinstance(plan.get("year"), int) or not 1990 <= plan["year"] <= 2200:
        _fail(path, "year", "须为年份(整数)", "must be a year (integer)")
    if not plan.get("name"):
        _fail(path, "name", "缺少方案名称", "plan name is missing")

    base = path.parent
    files: dict[str, Path] = {}
    for key, value in (plan.get("data") or {}).items():
        if key in DATA_KEYS and value:
            files[key] = (base / str(value)).resolve()
    for key, file in files.items():
        if not file.exists():
            _fail(path, f"data.{key}", f"文件不存在: {file}", f"file not found: {file}")

    if "categories" not in files:
        _fail(path, "data.categories", "须指定困难类别表文件", "must name the categories table file")
    categories = load_categories(files["categories"])
    known = set(categories["code"])
    cats = plan.get("categories")
    if not isinstance(cats, dict) or not cats:
        _fail(path, "categories", "须列出至少一个慰问类别", "must list at least one category")
    for code, std in cats.items():
        if code not in known:
            _fail(path, f"categories.{code}", f"未知类别, 可选: {', '.join(sorted(known))}",
                  f"unknown category; valid: {', '.join(sorted(known))}")
        _check_standard(path, f"categories.{code}", std, known)

    for i, item in enumerate(plan.get("overheads") or []):
        field = f"overheads[{i}]"
        if not isinstance(item, dict) or not item.get("item"):
            _fail(path, f"{field}.item", "缺少项目名称", "item name is missing")
        if item.get("basis") not in OVERHEAD_BASES:
            _fail(path, f"{field}.basis", f"须为 {' / '.join(OVERHEAD_BASES)}", f"must be one of {', '.join(OVERHEAD_BASES)}")
        _amount(path, f"{field}.amount", item.get("amount"), required=True)
    if "contingency_pct" in plan:
        _number(path, "contingency_pct", plan["contingency_pct"])

    sources = set()
    for i, item in enumerate(plan.get("funding") or []):
        field = f"funding[{i}]"
        if not isinstance(item, dict) or not item.get("source"):
            _fail(path, f"{field}.source", "缺少资金来源名称", "funding source name is missing")
        if item["source"] in sources:
            _fail(path, f"{field}.source", f"资金来源重复: {item['source']}", f"duplicate funding source: {item['source']}")
        sources.add(item["source"])
        _amount(path, f"{field}.amount", item.get("amount"), required=True)
        _check_pool(path, field, item, cats)
    for key in ("budget_cap", "per_person_cap"):
        if plan.get(key) is not None:
            _amount(path, key, plan[key])
    if plan.get("cross_plan_rule", "highest_once") not in ("highest_once", "pay_all"):
        _fail(path, "cross_plan_rule", "须为 highest_once / pay_all", "must be one of highest_once, pay_all")
    if plan.get("per_person_rule", "pay_all") not in PER_PERSON_RULES:
        _fail(path, "per_person_rule", f"须为 {' / '.join(PER_PERSON_RULES)}", f"must be one of {', '.join(PER_PERSON_RULES)}")
    if plan.get("allocation_mode", "priority") not in ALLOCATION_MODES:
        _fail(path, "allocation_mode", f"须为 {' / '.join(ALLOCATION_MODES)}", f"must be one of {', '.join(ALLOCATION_MODES)}")

    names = set()
    for i, sc in enumerate(plan.get("scenarios") or []):
        field = f"scenarios[{i}]"
        if not isinstance(sc, dict) or not sc.get("name"):
            _fail(path, f"{field}.name", "缺少方案名称", "scenario name is missing")
        if sc["name"] in names:
            _fail(path, f"{field}.name", f"方案名称重复: {sc['name']}", f"duplicate scenario name: {sc['name']}")
        names.add(sc["name"])
        if "multiplier" in sc:
            _number(path, f"{field}.multiplier", sc["multiplier"])
        for code, std in (sc.get("overrides") or {}).items():
            if code not in cats:
                _fail(path, f"{field}.overrides.{code}", "类别不在本方案中", "category is not in this plan")
            _check_standard(path, f"{field}.overrides.{code}", std, known)

    for i, phase in enumerate(plan.get("phases") or []):
        for key in ("name", "start", "end"):
            if not isinstance(phase, dict) or phase.get(key) in (None, ""):
                _fail(path, f"phases[{i}].{key}", "缺少必填项", "required field is missing")
    for i, team in enumerate(plan.get("teams") or []):
        if not isinstance(team, dict) or not team.get("name"):
            _fail(path, f"teams[{i}].name", "缺少慰问组名称", "team name is missing")
        if "visits_per_slot" in team:
            _number(path, f"teams[{i}].visits_per_slot", team["visits_per_slot"], minimum=1)

    plan["_path"] = path.resolve()
    plan["_files"] = files
    if "holidays" in files:
        plan["_holiday_tables"] = load_holiday_file(files["holidays"])
    workdays.calendar_from_plan(plan)  # checks calendar.holidays now, so the error names the plan at load
    workdays.mode_from_plan(plan)
    return plan


def plan_file(plan: dict, key: str) -> Path:
    """The absolute path of data file ``key`` named by the plan; a ConfigError naming ``data.<key>`` when none."""
    files = plan.get("_files") or {}
    if key in files:
        return files[key]
    raise ConfigError(f"方案未指定数据文件 data.{key}", f"the plan names no data.{key} file",
                      file=plan.get("_path"), column=f"data.{key}")
