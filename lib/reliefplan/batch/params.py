"""Check a report run's parameters before any kernel starts.

Everything the user passes (plan file, unit codes, language, jobs, timeout,
executor) is checked here, and every notebook job's parameters are checked
against what the notebook declares in its ``parameters`` cell. A problem is a
bilingual :class:`~reliefplan.core.errors.ReliefplanError` that lists the valid
choices, so that a typo costs a second, not a batch of failed kernels.

Parameters reach the notebooks only as data: papermill writes them into the
injected cell as literals. Papermill turns values of unknown types into code
with ``str(value)``, so only plain data (str, int, float, bool, None, and
lists/dicts of these) is allowed through.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reliefplan.batch.jobs import (
    ORG_PREFIX,
    declared_parameters,
    normalize_organizer,
    organizer_names,
)
from reliefplan.batch.pdf import find_chromium
from reliefplan.core import paths
from reliefplan.core.errors import ConfigError, InputError
from reliefplan.ingest.inputs import PlanInputs
from reliefplan.ingest.units import area_name, unit_table

LANGS = ("zh", "en")
EXECUTORS = ("local", "dask")

_TYPES = {
    "str": (str,), "int": (int,), "float": (int, float), "bool": (bool,),
    "dict": (dict,), "list": (list, tuple),
}


@dataclass
class ReportParams:
    """A checked report run: the loaded plan, the units chosen, and how to run."""

    plan: dict
    units: pd.DataFrame            # code, name, name_en
    all_units: pd.DataFrame
    out: Path
    lang: str = "zh"
    jobs: int = 1
    timeout: float = 600.0
    resume: bool = False
    executor: str = "local"
    scheduler: str | None = None
    include_city: bool = True
    area_name: str = ""
    extra: dict = field(default_factory=dict)
    organizers: list = field(default_factory=list)   # organizer names with a report of their own
    pdf: bool = False              # also print each report to PDF (--pdf or ``pdf: true`` in the plan)
    demo: bool = False             # the plan's data are the demo data (PlanInputs.demo)

    @property
    def year(self) -> int:
        return int(self.plan["year"])

    @property
    def year_dir(self) -> Path:
        return self.out / str(self.year)


def _choices(values, limit=40) -> str:
    values = list(values)
    text = ", ".join(str(v) for v in values[:limit])
    return text + (f", … (+{len(values) - limit})" if len(values) > limit else "")


def check_plan_path(plan_path) -> Path:
    """The plan file as a Path; a clear error (with the plans found nearby) when it is missing."""
    path = Path(plan_path) if plan_path else paths.demo_plan_path()
    if path.is_file():
        return path
    folder = path.parent if path.parent.is_dir() else Path.cwd()
    nearby = sorted(str(p) for p in folder.glob("*.y*ml"))
    nearby.append(str(paths.demo_plan_path()) + " (示例 demo)")
    raise ConfigError(f"方案文件不存在。可用的方案: {_choices(nearby)}",
                      f"plan file not found. Plans available: {_choices(nearby)}", file=path)


def check_lang(lang) -> str:
    if lang not in LANGS:
        raise InputError(f"语言 {lang!r} 无效, 可选: {', '.join(LANGS)}",
                         f"invalid language {lang!r}; valid: {', '.join(LANGS)}", column="--lang")
    return lang


def check_jobs(jobs) -> int:
    if jobs is None:
        return os.cpu_count() or 1
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise InputError(f"并行数须为正整数, 收到 {jobs!r}", f"--jobs must be a positive integer, got {jobs!r}",
                         column="--jobs")
    return jobs


def check_timeout(timeout) -> float:
    if timeout is None:
        return 600.0
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout) or timeout <= 0:
        raise InputError(f"超时须为正数(秒), 收到 {timeout!r}", f"--timeout must be a positive number of seconds, got {timeout!r}",
                         column="--timeout")
    return float(timeout)


def check_executor(executor, scheduler) -> tuple[str, str | None]:
    if executor not in EXECUTORS:
        raise InputError(f"执行方式 {executor!r} 无效, 可选: {', '.join(EXECUTORS)}",
                         f"invalid executor {executor!r}; valid: {', '.join(EXECUTORS)}", column="--executor")
    if scheduler and executor != "dask":
        raise InputError("--scheduler 只能与 --executor dask 一起使用",
                         "--scheduler only applies with --executor dask", column="--scheduler")
    return executor, scheduler or None


def split_unit_spec(units="all") -> tuple:
    """Split a unit spec into (area part, organizer names): ``org:<name>`` entries name organizers.

    ``"org:芗城区民政局,350602"`` -> (["350602"], ["芗城区民政局"]); "all" or None -> ("all", []);
    ``"org:all"`` / ``"organizers"`` ask for every organizer (returned as ``["*"]``). Names are
    compared with whitespace runs made one space (:func:`~reliefplan.batch.jobs.normalize_organizer`).
    A name that contains a comma can only be given in a list (``units=["org:a,b"]``), not on the
    command line.
    """

    if units is None or isinstance(units, str) and units.strip().lower() in ("", "all"):
        return "all", []
    if isinstance(units, str):
        items = [c for c in units.split(",") if c.strip()]
    elif isinstance(units, (list, tuple)):
        items = [str(c) for c in units]
    else:
        raise InputError(f"单位须为 all、逗号分隔的区划代码或 org:<组织单位>, 收到 {units!r}",
                         f"--units must be 'all', comma-separated area codes or org:<organizer>, got {units!r}",
                         column="--units")
    codes, orgs = [], []
    for item in items:
        text = item.strip()
        if text.lower() == "organizers" or text.lower() == ORG_PREFIX + "all":
            orgs.append("*")
        elif text.lower().startswith(ORG_PREFIX):
            orgs.append(normalize_organizer(item.strip()[len(ORG_PREFIX):]))
        else:
            codes.append(text)
    if any(o == "" for o in orgs):
        raise InputError("org: 后须写组织单位名称", "org: must be followed by an organizer name", column="--units")
    return codes, orgs


def select_organizers(all_organizers, names) -> list[str]:
    """The organizers named (``*`` = all), in the order given; unknown names list the valid ones."""
    valid = list(all_organizers)
    if "*" in names:
        return valid
    unknown = [n for n in names if n not in set(valid)]
    if unknown:
        shown = ", ".join(repr(n) for n in unknown)
        raise InputError(f"未知组织单位: {shown}。可选(org:名称): {_choices(valid, 200)}",
                         f"unknown organizer(s): {shown}. Valid (org:NAME): {_choices(valid, 200)}",
                         column="--units")
    return list(dict.fromkeys(names))


def select_units(all_units: pd.DataFrame, units="all") -> pd.DataFrame:
    """The units named by ``units`` ('all', 'CODE,CODE' or a list); unknown codes list the valid ones."""
    if units is None or (isinstance(units, str) and units.strip().lower() in ("", "all")):
        return all_units.reset_index(drop=True)
    if isinstance(units, str):
        codes = [c.strip() for c in units.split(",") if c.strip()]
    elif isinstance(units, (list, tuple)):
        codes = [str(c).strip() for c in units]
    else:
        raise InputError(f"单位须为 all 或逗号分隔的区划代码, 收到 {units!r}",
                         f"--units must be 'all' or comma-separated area codes, got {units!r}", column="--units")
    valid = [f"{r.code} {r.name}" for r in all_units.itertuples(index=False)]
    unknown = [c for c in codes if c not in set(all_units["code"])]
    if unknown:
        raise InputError(f"未知单位代码: {', '.join(unknown)}。可选: all, {_choices(valid)}",
                         f"unknown unit code(s): {', '.join(unknown)}. Valid: all, {_choices(valid)}",
                         column="--units")
    if not codes:
        raise InputError("未指定单位", "no units given", column="--units")
    return all_units[all_units["code"].isin(codes)].reset_index(drop=True)


def check_value_is_data(name: str, value, where: str = "") -> None:
    """Refuse anything but plain data, so a parameter can never become code in the injected cell."""
    if value is None or isinstance(value, (bool, int, str)):
        return
    if isinstance(value, float):
        if math.isfinite(value):
            return
    elif isinstance(value, (list, tuple)):
        for v in value:
            check_value_is_data(name, v, where)
        return
    elif isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                break
            check_value_is_data(name, v, where)
        else:
            return
    raise InputError(f"参数 {name} 须为普通数据(文本、数字、列表、字典), 收到 {type(value).__name__}",
                     f"parameter {name} must be plain data (text, number, list, dict), got {type(value).__name__}",
                     file=where or None, column=name)


def check_job_parameters(job, declared: dict) -> None:
    """Check one job's parameters against the notebook's declared ones (names and types)."""
    where = str(job.notebook_path())
    unknown = [p for p in job.parameters if p not in declared]
    if unknown:
        raise ConfigError(f"笔记本未声明参数 {', '.join(unknown)}。可用参数: {_choices(declared)}",
                          f"the notebook declares no parameter {', '.join(unknown)}. Declared: {_choices(declared)}",
                          file=where)
    for name, value in job.parameters.items():
        check_value_is_data(name, value, where)
        expected = _TYPES.get(str(declared[name]["type"]))
        if expected and value is not None and not (isinstance(value, expected) and not
                                                    (isinstance(value, bool) and bool not in expected)):
            raise ConfigError(
                f"参数 {name} 类型错误: 须为 {declared[name]['type']}, 收到 {type(value).__name__} ({value!r})",
                f"parameter {name} has the wrong type: expected {declared[name]['type']}, "
                f"got {type(value).__name__} ({value!r})", file=where, column=name)


def check_jobs_parameters(jobs) -> None:
    """Check every job's notebook exists and its parameters match what the notebook declares."""

    cache: dict[str, dict] = {}
    for job in jobs:
        path = job.notebook_path()
        if not path.exists():
            raise ConfigError("报告笔记本不存在", "report notebook not found", file=path)
        if job.notebook not in cache:
            cache[job.notebook] = declared_parameters(path)
        check_job_parameters(job, cache[job.notebook])


def check_pdf(plan: dict, pdf: bool | None) -> bool:
    """Whether to print PDFs (the command line wins over the plan's ``pdf:``); a Chromium must be installed."""
    wanted = plan.get("pdf", False) if pdf is None else pdf
    if not isinstance(wanted, bool):
        raise ConfigError(f"pdf 须为 true 或 false, 实为 {wanted!r}", f"pdf must be true or false, got {wanted!r}",
                          file=plan.get("_path"), column="pdf")
    if wanted:
        find_chromium()
    return wanted


def check_report_params(plan_path=None, *, units="all", out=None, lang="zh", jobs=None, timeout=None,
                        resume=False, executor="local", scheduler=None, include_city=True,
                        pdf: bool | None = None) -> ReportParams:
    """Check everything a report run needs; load the plan and the unit list. Raises on the first problem."""

    lang = check_lang(lang)
    jobs = check_jobs(jobs)
    timeout = check_timeout(timeout)
    executor, scheduler = check_executor(executor, scheduler)
    inputs = PlanInputs(check_plan_path(plan_path))
    plan = inputs.plan
    areas = inputs.areas
    all_units = unit_table(plan, areas)
    if all_units.empty:
        raise ConfigError(f"方案的 area/report_units 没有对应的报告单位 (area={plan.get('area')!r}, "
                          f"report_units={plan.get('report_units', 'counties')!r})",
                          "the plan's area/report_units select no reporting units",
                          file=plan["_path"], column="report_units")
    codes, org_names = split_unit_spec(units)
    if codes == "all" and plan.get("report_units") == "organizers":
        org_names = ["*"]
    organizers = []
    if org_names:

        organizers = select_organizers(organizer_names(inputs), org_names)
    chosen = all_units.iloc[0:0].reset_index(drop=True) if codes == [] and organizers else select_units(all_units, codes)
    out_dir = Path(out) if out else paths.reports_dir()
    pdf = check_pdf(plan, pdf)
    return ReportParams(pdf=pdf, plan=plan, units=chosen, all_units=all_units, out=out_dir, lang=lang, jobs=jobs,
                        timeout=timeout, resume=bool(resume), executor=executor, scheduler=scheduler,
                        include_city=include_city, area_name=area_name(plan, areas, lang), organizers=organizers,
                        demo=inputs.demo)
