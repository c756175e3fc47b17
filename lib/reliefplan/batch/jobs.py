"""The list of notebook jobs a report run executes.

One job per reporting unit (``10_unit_report``), one roll-up
(``20_rollup``) and the whole-city analysis notebooks (``01``, ``02``,
``03``) when they exist. A job is plain data (picklable, JSON-able): the
executor runs it anywhere, the manifest records it.

Reporting units come from the plan: ``area`` is the planning unit (e.g.
350600 漳州市, 350000 福建省) and ``report_units`` says which areas below it get a
report: ``counties`` (default), ``townships``, ``cities``, several levels
(``[cities, counties]``), or an explicit list of area codes. Units form a tree
(:func:`reliefplan.ingest.units.unit_table`): a unit with units below it gets a
roll-up job (``rollup-<code>``) that runs after its children and reconciles
with them; the plan's area gets the top roll-up (``rollup``) over the top level.
``organizers`` means the county reports plus one report per organizer
(registry column ``organizer``, 填报单位); a single organizer is asked for
with the unit spec ``org:<name>``. Organizer reports are ``kind="organizer"``
jobs: people overlap across organizers, so the roll-up reconciles the area
units only.
"""

from __future__ import annotations

import ast
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
import pandas as pd

from reliefplan.core import paths
from reliefplan.ingest.units import (  # noqa: F401  (re-exported: the batch speaks of units)
    ORG_PREFIX,
    ancestors,
    descendants,
    load_area_table,
    normalize_organizer,
    organizer_names,
    organizer_stem,
    safe_filename,
    unit_table,
)

UNIT_NOTEBOOK = "10_unit_report.ipynb"
ROLLUP_NOTEBOOK = "20_rollup.ipynb"
# City-level analysis notebooks (built by other issues), run when present.
CITY_NOTEBOOKS = ("01_past_campaigns.ipynb", "02_budget_model.ipynb", "03_coverage_map.ipynb")

# Parameter names the city notebooks may declare, and what we pass for them. Only the plan
# and the language: their other parameters (e.g. 03's ``year``, the campaign whose visits
# count) keep the notebooks' own defaults.
_CITY_PARAMETER_SOURCES = {
    "plan_file": "plan_file", "plan_path": "plan_file",
    "lang": "lang", "language": "lang",
}

@dataclass(frozen=True)
class Job:
    """One notebook execution and the files it produces.

    ``stem`` is the output file name without suffix (``350602_芗城区``);
    the runner writes ``<stem>.html`` and ``<stem>.ipynb`` plus any Excel
    attachments the notebook writes. ``after_units`` marks a roll-up, which
    runs once the jobs named in ``children`` are done and receives their
    recorded figures. ``level`` and ``parent_code`` place a unit or roll-up in
    the tree of reporting units (the index shows it).
    """

    job_id: str
    kind: str                   # unit | rollup | city
    notebook: str               # file name inside notebooks/
    parameters: dict
    stem: str
    title: str
    title_en: str
    unit_code: str | None = None
    after_units: bool = False
    attachments: bool = False
    extra: dict = field(default_factory=dict)
    children: tuple = ()        # job ids a roll-up reconciles with
    level: str = ""             # area level: city, county, township ('' for city notebooks, organizers)
    parent_code: str = ""       # the unit above in the tree ('' for the top roll-up)

    def notebook_path(self) -> Path:
        """The notebook file: a name inside notebooks/, or an absolute path (tests, custom reports)."""
        path = Path(self.notebook)
        return path if path.is_absolute() else paths.notebooks_dir() / path

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Job":
        data = dict(data)
        data["children"] = tuple(data.get("children") or ())
        return cls(**data)


def declared_parameters(notebook: Path) -> dict:
    """Parameters a notebook declares in its ``parameters`` cell: name -> {default, type}.

    Read from the cell's syntax tree (papermill's own line parser gives up on
    lines such as ``x = None  # None = default``): every top-level assignment
    is a parameter; its type is the annotation (``year: int = 2027``) or the
    type of the literal default, ``"None"`` (not checked) otherwise.
    """


    nb = nbformat.read(str(notebook), as_version=4)
    cell = next((c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        return {}
    out = {}
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, value, annotation = node.targets[0].id, node.value, None
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, value, annotation = node.target.id, node.value, ast.unparse(node.annotation)
        else:
            continue
        try:
            default = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            default = None
        kind = annotation if annotation in ("str", "int", "float", "bool", "dict", "list") else (
            type(default).__name__ if default is not None and annotation is None else "None")
        out[name] = {"default": ast.unparse(value), "type": kind}
    return out


def unit_job_id(code: str, leaf: bool = True) -> str:
    """The job id of a unit's report: ``unit-<code>`` for a leaf, ``rollup-<code>`` for a unit with units below."""
    return f"unit-{code}" if leaf else f"rollup-{code}"


def jobs_units(tree: pd.DataFrame, chosen: pd.DataFrame) -> pd.DataFrame:
    """The units whose jobs run when ``chosen`` are asked for: each chosen unit, everything below a
    chosen roll-up unit, and every unit above a chosen one (so the roll-ups on the way up are current).
    In tree order."""
    if "parent" not in tree or len(chosen) == len(tree):
        return chosen
    wanted = set(chosen["code"])
    for code in list(wanted):
        wanted.update(descendants(tree, code))
        wanted.update(ancestors(tree, code))
    return tree[tree["code"].isin(wanted)].reset_index(drop=True)


def build_jobs(plan: dict, units: pd.DataFrame, *, lang: str = "zh", include_city: bool = True,
               include_rollup: bool = True, area_name: str | None = None, organizers=(),
               tree: pd.DataFrame | None = None) -> list[Job]:
    """Jobs for ``units`` (rows of :func:`unit_table`), ``organizers`` (names), the roll-ups and the city notebooks.

    ``tree``: every reporting unit of the plan (default ``units``), so that a roll-up names all its
    children even when only some run. Leaf units get unit reports; units with units below get roll-ups
    (when ``include_rollup``). ``area_name``: the planning area's name (e.g. 漳州市), for the top roll-up's
    file names. An organizer's name reaches its notebook only as the ``organizer`` parameter (data).
    """
    plan_path = str(plan["_path"])
    year = int(plan["year"])
    root = str(plan.get("area", "city"))
    root_name = safe_filename(area_name or root)
    tree = units if tree is None else tree
    leaf = _leaf_flags(tree)
    parent = dict(zip(tree["code"], tree["parent"])) if "parent" in tree else {}
    level = dict(zip(tree["code"], tree["level"])) if "level" in tree else {}

    def child_ids(code):
        return tuple(unit_job_id(c, leaf[c]) for c in tree["code"] if parent.get(c, root) == code)

    jobs = []
    for row in units.itertuples(index=False):
        code = str(row.code)
        if leaf.get(code, True):
            jobs.append(Job(
                job_id=unit_job_id(code), kind="unit", notebook=UNIT_NOTEBOOK,
                parameters={"plan_file": plan_path, "unit_code": code, "year": year, "lang": lang},
                stem=f"{code}_{safe_filename(row.name if lang == 'zh' else row.name_en)}",
                title=f"{row.name} {year}年送温暖活动规划报告",
                title_en=f"{row.name_en}: {year} relief campaign planning report",
                unit_code=code, attachments=True, level=level.get(code, ""), parent_code=parent.get(code, root),
            ))
        elif include_rollup:
            name = safe_filename(row.name if lang == "zh" else row.name_en)
            jobs.append(Job(
                job_id=unit_job_id(code, False), kind="rollup", notebook=ROLLUP_NOTEBOOK,
                parameters={"plan_file": plan_path, "unit_code": code, "year": year, "lang": lang,
                            "unit_records": {}},
                stem=f"{code}_{name}_汇总" if lang == "zh" else f"{code}_{name}_rollup",
                title=f"{row.name} {year}年送温暖活动汇总报告",
                title_en=f"{row.name_en}: {year} relief campaign roll-up",
                unit_code=code, after_units=True, attachments=True, children=child_ids(code),
                level=level.get(code, ""), parent_code=parent.get(code, root),
            ))
    for name in organizers:
        stem = organizer_stem(name)
        jobs.append(Job(
            job_id=f"org-{stem[4:]}", kind="organizer", notebook=UNIT_NOTEBOOK,
            parameters={"plan_file": plan_path, "unit_code": "", "organizer": str(name), "year": year,
                        "lang": lang},
            stem=stem,
            title=f"{name} {year}年送温暖活动规划报告(组织单位)",
            title_en=f"{name} (organizer): {year} relief campaign planning report",
            attachments=True, extra={"organizer": str(name)},
        ))
    if include_city:
        for name in CITY_NOTEBOOKS:
            path = paths.notebooks_dir() / name
            if not path.exists():
                continue
            declared = declared_parameters(path)
            values = {"plan_file": plan_path, "lang": lang, "year": year}
            params = {p: values[src] for p, src in _CITY_PARAMETER_SOURCES.items() if p in declared}
            stem = Path(name).stem
            jobs.append(Job(
                job_id=f"city-{stem}", kind="city", notebook=name, parameters=params,
                stem=stem, title=_CITY_TITLES.get(stem, (stem, stem))[0],
                title_en=_CITY_TITLES.get(stem, (stem, stem))[1],
            ))
    if include_rollup:
        jobs.append(Job(
            job_id="rollup", kind="rollup", notebook=ROLLUP_NOTEBOOK,
            parameters={"plan_file": plan_path, "year": year, "lang": lang, "unit_records": {}},
            stem=f"{root}_{root_name}_汇总" if lang == "zh" else f"{root}_{root_name}_rollup",
            title=f"{area_name or root} {year}年送温暖活动汇总报告",
            title_en=f"{area_name or root}: {year} relief campaign roll-up",
            after_units=True, attachments=True, children=child_ids(root),
        ))
    return jobs


def _leaf_flags(units: pd.DataFrame) -> dict:
    """code -> True when the unit has no unit below it (a unit report), False for a roll-up unit."""
    if "leaf" in units:
        return dict(zip(units["code"].astype(str), units["leaf"].astype(bool)))
    return {str(c): True for c in units["code"]}

_CITY_TITLES = {
    "01_past_campaigns": ("历年慰问活动分析", "Past campaigns"),
    "02_budget_model": ("预算测算与方案比较", "Budget model and scenarios"),
    "03_coverage_map": ("慰问对象覆盖与缺口", "Beneficiary coverage and gaps"),
}


def submit_order(jobs) -> list[Job]:
    """The order independent jobs (no roll-ups) are handed to the workers, so roll-ups can start early.

    Units grouped by the unit above them (a city's counties one after another), the groups with most
    units first and each group's units in code order; then organizer reports, then the city notebooks.
    With the runner starting each roll-up as soon as its children are done, the cities' roll-ups then
    run while the next city's counties do, and the last city to finish is a small one, so the roll-ups
    that must wait for everything (that city's and the top one) are a short tail.
    """
    units = [j for j in jobs if j.kind == "unit"]
    size: dict = {}
    for job in units:
        size[job.parent_code] = size.get(job.parent_code, 0) + 1
    rank = {"organizer": 1}
    return sorted(jobs, key=lambda j: (0, -size[j.parent_code], j.parent_code, j.job_id) if j.kind == "unit"
                  else (rank.get(j.kind, 2), 0, "", j.job_id))
