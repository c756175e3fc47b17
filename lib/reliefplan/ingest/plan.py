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

from pathlib import Path

from reliefplan.core import paths, secret, workdays
from reliefplan.core.errors import ConfigError
from reliefplan.ingest.categories import load_categories
from reliefplan.ingest.holidays import load_holiday_file
from reliefplan.ingest.plan_schema import DATA_KEYS, check_plan, nearest_key
from reliefplan.ingest.yaml_files import parse_yaml, read_yaml

MAX_SHOWN = 12   # problems listed in one error message


def _fail(path, field, zh, en, lines=None):
    row = (lines or {}).get(tuple(_parts(field)))
    raise ConfigError(f"字段 {field}: {zh}", f"field {field}: {en}", file=path, row=row, column=field)


def _parts(field: str) -> list:
    out = []
    for piece in field.replace("[", ".[").split("."):
        if piece.startswith("[") and piece.endswith("]") and piece[1:-1].isdigit():
            out.append(int(piece[1:-1]))
        elif piece:
            out.append(piece)
    return out


def _raise_problems(path, problems, lines) -> None:
    """One ConfigError listing every schema problem (field, line, what), the first one's place in ``where``."""
    if not problems:
        return
    shown = problems[:MAX_SHOWN]
    more = len(problems) - len(shown)

    def line(p):
        row = lines.get(p.at)
        return f" (第 {row} 行)" if row else "", f" (line {row})" if row else ""

    zh = [f"字段 {p.field}{line(p)[0]}: {p.zh}" for p in shown]
    en = [f"field {p.field}{line(p)[1]}: {p.en}" for p in shown]
    if more:
        zh.append(f"另有 {more} 处")
        en.append(f"{more} more")
    if len(problems) == 1:
        zh_text, en_text = zh[0], en[0]
    else:
        zh_text = f"方案有 {len(problems)} 处问题: " + "；".join(zh)
        en_text = f"the plan has {len(problems)} problems: " + "; ".join(en)
    first = problems[0]
    raise ConfigError(zh_text, en_text, file=path, row=lines.get(first.at), column=first.field)



def check_plan_text(text: str, path=None) -> dict:
    """A plan given as text (a saved copy uploaded to the what-if app): read with the bounded YAML reader and
    checked against the schema like a plan file (ConfigError naming ``path``, the field and line). Its data
    files are not read: the copy is used with the loaded plan's."""
    plan, lines = parse_yaml(text, path, what_zh="方案文件", what_en="plan file")
    if not isinstance(plan, dict):
        raise ConfigError("方案须为 YAML 映射", "plan must be a YAML mapping", file=path)
    _raise_problems(path, check_plan(plan), lines)
    return plan

def load_plan(path=None) -> dict:
    """Read and check a plan; the demo plan when ``path`` is None.

    Every key is checked against :data:`reliefplan.ingest.plan_schema.PLAN`
    (unknown keys, types, bounds, dates) before anything reads a value.
    Returns the plan as a dict with ``_path`` (the plan file), ``_files``
    (data key -> absolute Path of each data file named in ``data:``) and
    ``_lines`` (key path -> YAML line, for later messages).
    """
    path = Path(path) if path else paths.demo_plan_path()
    if not path.is_file():
        raise ConfigError("方案文件不存在", "plan file not found", file=path)
    plan, lines = read_yaml(path, what_zh="方案文件", what_en="plan file")
    if not isinstance(plan, dict):
        raise ConfigError("方案须为 YAML 映射", "plan must be a YAML mapping", file=path)
    _raise_problems(path, check_plan(plan), lines)

    base = path.parent
    files: dict[str, Path] = {}
    for key, value in (plan.get("data") or {}).items():
        if key in DATA_KEYS and value:
            files[key] = (base / str(value)).resolve()
    for key, file in files.items():
        if not file.exists():
            _fail(path, f"data.{key}", f"文件不存在: {file}", f"file not found: {file}", lines)

    if "categories" not in files:
        _fail(path, "data.categories", "须指定困难类别表文件", "must name the categories table file", lines)
    categories = load_categories(files["categories"])
    known = sorted(set(categories["code"]))
    cats = plan["categories"]
    if not cats:
        _fail(path, "categories", "须列出至少一个慰问类别", "must list at least one category", lines)
    for code in cats:
        if code not in known:
            near = nearest_key(code, known)
            hint_zh = f"是否应为 `{near}`? " if near else ""
            hint_en = f"did you mean `{near}`? " if near else ""
            _fail(path, f"categories.{code}", f"未知类别, {hint_zh}可选: {', '.join(known)}",
                  f"unknown category; {hint_en}valid: {', '.join(known)}", lines)

    sources = set()
    for i, item in enumerate(plan.get("funding") or []):   # pools: unique names, categories of this plan
        if item["source"] in sources:
            _fail(path, f"funding[{i}].source", f"资金来源重复: {item['source']}",
                  f"duplicate funding source: {item['source']}", lines)
        sources.add(item["source"])
        bad = [c for c in item.get("categories") or [] if c not in cats]
        if bad:
            _fail(path, f"funding[{i}].categories", f"类别不在本方案中: {', '.join(map(str, bad))}",
                  f"categories not in this plan: {', '.join(map(str, bad))}", lines)

    names = set()
    for i, sc in enumerate(plan.get("scenarios") or []):
        if sc["name"] in names:
            _fail(path, f"scenarios[{i}].name", f"方案名称重复: {sc['name']}",
                  f"duplicate scenario name: {sc['name']}", lines)
        names.add(sc["name"])
        for code in (sc.get("overrides") or {}):
            if code not in cats:
                _fail(path, f"scenarios[{i}].overrides.{code}", "类别不在本方案中", "category is not in this plan",
                      lines)

    secret_file = (plan.get("privacy") or {}).get("secret_file")
    secret.use_secret_file(base / str(secret_file) if secret_file else None)

    plan["_path"] = path.resolve()
    plan["_files"] = files
    if "holidays" in files:
        plan["_holiday_tables"] = load_holiday_file(files["holidays"])
    workdays.calendar_from_plan(plan)  # checks calendar.holidays now, so the error names the plan at load
    workdays.mode_from_plan(plan)
    plan["_lines"] = lines
    return plan


def plan_file(plan: dict, key: str) -> Path:
    """The absolute path of data file ``key`` named by the plan; a ConfigError naming ``data.<key>`` when none."""
    files = plan.get("_files") or {}
    if key in files:
        return files[key]
    raise ConfigError(f"方案未指定数据文件 data.{key}", f"the plan names no data.{key} file",
                      file=plan.get("_path"), column=f"data.{key}")
