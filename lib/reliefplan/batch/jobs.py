"""The list of notebook jobs a report run executes.

One job per reporting unit (``10_unit_report``), one roll-up
(``20_rollup``) and the whole-city analysis notebooks (``01``, ``02``,
``03``) when they exist. A job is plain data (picklable, JSON-able): the
executor runs it anywhere, the manifest records it.

Reporting units come from the plan: ``area`` is the planning unit (e.g.
350600 漳州市) and ``report_units`` says which areas below it get a report:
``counties`` (default), ``townships``, or an explicit list of area codes.
``organizers`` means the county reports plus one report per organizer
(registry column ``organizer``, 填报单位); a single organizer is asked for
with the unit spec ``org:<name>``. Organizer reports are ``kind="organizer"``
jobs: people overlap across organizers, so the roll-up reconciles the area
units only.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from reliefplan.core import paths
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

ORG_PREFIX = "org:"

_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\s]+')


@dataclass(frozen=True)
class Job:
    """One notebook execution and the files it produces.

    ``stem`` is the output file name without suffix (``350602_芗城区``);
    the runner writes ``<stem>.html`` and ``<stem>.ipynb`` plus any Excel
    attachments the notebook writes. ``after_units`` marks the roll-up, which
    runs once the unit jobs are done and receives their recorded figures.
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

    def notebook_path(self) -> Path:
        """The notebook file: a name inside notebooks/, or an absolute path (tests, custom reports)."""
        path = Path(self.notebook)
        return path if path.is_absolute() else paths.notebooks_dir() / path

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Job":
        return cls(**data)


def safe_filename(text: str) -> str:
    """A file-name-safe version of a unit name (path separators, quotes, newlines become _)."""
    cleaned = _UNSAFE_FILENAME.sub("_", str(text)).strip("._")
    return cleaned[:80] or "unit"


def normalize_organizer(name) -> str:
    """An organizer name as compared: runs of whitespace (spaces, newlines, tabs) become one space, ends trimmed.

    The registry loader does the same to cell values, so ``org:`` names typed with a line break still match.
    """
    return " ".join(str(name).split())


def organizer_stem(name: str) -> str:
    """File stem of an organizer's report: ``org_<safe name>``, plus a short hash of the exact name when
    the name had to be changed to be safe, so two organizers never share a file.

    Stricter than :func:`safe_filename`: only letters (any script), digits, ``_`` and ``-`` are kept,
    since organizer names are free text (quotes, slashes, ``#``, brackets).
    """
    import hashlib

    name = str(name)
    safe = re.sub(r"[^\w\-]+", "_", name).strip("_")[:60] or "organizer"
    if safe != name:
        safe = f"{safe}_{hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]}"
    return f"org_{safe}"


def organizer_names(plan: dict) -> list[str]:
    """The distinct organizers (registry column ``organizer``) of people in the planning area, sorted.

    Values are compared by :func:`normalize_organizer`; blank values are no organizer.
    """
    from reliefplan.models.coverage import in_unit
    from reliefplan.ingest.plan import plan_file
    from reliefplan.ingest.registry import read_registry

    reg = read_registry(plan_file(plan, "registry")).accepted
    if "organizer" not in reg or reg.empty:
        return []
    reg = reg.loc[in_unit(reg["area_code"].astype(str), str(plan.get("area") or "all"))]
    names = reg["organizer"].dropna().astype(str).map(normalize_organizer)
    return sorted(set(names[names != ""]))


def load_area_table(plan: dict) -> pd.DataFrame:
    """The plan's area table (code, name, name_en, parent_code, level)."""
    from reliefplan.ingest.reference import load_areas
    from reliefplan.ingest.plan import plan_file

    return load_areas(plan_file(plan, "areas"))


def area_name(plan: dict, areas: pd.DataFrame, lang: str = "zh") -> str:
    """The name of the plan's planning area (``area``), e.g. 漳州市; the code when unknown."""
    code = str(plan.get("area", ""))
    row = areas[areas["code"] == code]
    if row.empty:
        return code or "city"
    if lang == "en" and pd.notna(row["name_en"].iloc[0]):
        return str(row["name_en"].iloc[0])
    return str(row["name"].iloc[0])


def unit_table(plan: dict, areas: pd.DataFrame | None = None) -> pd.DataFrame:
    """The reporting units of a plan: code, name, name_en, in code order."""
    areas = load_area_table(plan) if areas is None else areas
    spec = plan.get("report_units", "counties")
    root = str(plan.get("area", ""))
    if isinstance(spec, (list, tuple)):
        units = areas[areas["code"].isin([str(c) for c in spec])]
    else:
        # ``organizers``: the area units are the counties (what the roll-up reconciles)
        level = {"counties": "county", "townships": "township", "organizers": "county"}.get(spec, spec)
        units = areas[areas["level"] == level]
        if root:
            units = units[units["code"].str.startswith(_code_prefix(root))]
    out = units[["code", "name", "name_en"]].copy()
    out["name_en"] = out["name_en"].fillna(out["code"])
    return out.sort_values("code").reset_index(drop=True)


def _code_prefix(code: str) -> str:
    """350600 -> 3506 (a city), 350602 -> 350602 (a county): the prefix its children share."""
    code = str(code)
    if len(code) == 6 and code.endswith("0000"):
        return code[:2]
    if len(code) == 6 and code.endswith("00"):
        return code[:4]
    return code


def declared_parameters(notebook: Path) -> dict:
    """Parameters a notebook declares in its ``parameters`` cell: name -> {default, type}.

    Read from the cell's syntax tree (papermill's own line parser gives up on
    lines such as ``x = None  # None = default``): every top-level assignment
    is a parameter; its type is the annotation (``year: int = 2027``) or the
    type of the literal default, ``"None"`` (not checked) otherwise.
    """
    import ast

    import nbformat

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


def build_jobs(plan: dict, units: pd.DataFrame, *, lang: str = "zh", include_city: bool = True,
               include_rollup: bool = True, area_name: str | None = None, organizers=()) -> list[Job]:
    """Jobs for ``units`` (rows of :func:`unit_table`), ``organizers`` (names), the roll-up and the city notebooks.

    ``area_name``: the planning area's name (e.g. 漳州市), for the roll-up's file names.
    An organizer's name reaches its notebook only as the ``organizer`` parameter (data).
    """
    plan_path = str(plan["_path"])
    year = int(plan["year"])
    root = str(plan.get("area", "city"))
    root_name = safe_filename(area_name or root)
    jobs = []
    for row in units.itertuples(index=False):
        jobs.append(Job(
            job_id=f"unit-{row.code}", kind="unit", notebook=UNIT_NOTEBOOK,
            parameters={"plan_file": plan_path, "unit_code": str(row.code), "year": year, "lang": lang},
            stem=f"{row.code}_{safe_filename(row.name if lang == 'zh' else row.name_en)}",
            title=f"{row.name} {year}年送温暖活动规划报告",
            title_en=f"{row.name_en}: {year} relief campaign planning report",
            unit_code=str(row.code), attachments=True,
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
            after_units=True, attachments=True,
        ))
    return jobs


_CITY_TITLES = {
    "01_past_campaigns": ("历年慰问活动分析", "Past campaigns"),
    "02_budget_model": ("预算测算与方案比较", "Budget model and scenarios"),
    "03_coverage_map": ("慰问对象覆盖与缺口", "Beneficiary coverage and gaps"),
}
