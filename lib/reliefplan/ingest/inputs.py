"""PlanInputs: the one way to a plan's input tables, each read on first use and kept.

Every verb, notebook, the report context and the what-if app get their tables
here: ``PlanInputs(plan).areas``, ``.registry`` and so on. A table is read
from the file the plan names under ``data:`` (or a file the caller gives in
its place, e.g. ``--file`` of ``reliefplan campaigns``); a table the plan does
not name is a bilingual :class:`~reliefplan.core.errors.ConfigError` naming
``data.<key>``, never the demo file. Only ``PlanInputs(None)`` opens the demo
plan (the default of every verb and notebook).

``demo`` says whether what these inputs show is the demo data (the reports
then carry 示例数据，人员均为虚构).

In a warm batch kernel (:mod:`reliefplan.batch.executor`) the parsed tables
are also shared between the reports run one after another, see
:func:`_shared`.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
import sys
from functools import cached_property
from pathlib import Path

import pandas as pd

from reliefplan.core import paths
from reliefplan.core.errors import ConfigError
from reliefplan.ingest import shared_store
from reliefplan.ingest.case_library import CaseLibrary, load_case_library
from reliefplan.ingest.categories import load_categories
from reliefplan.ingest.plan import DATA_KEYS, load_plan
from reliefplan.ingest.reference import (
    load_areas, load_boundaries, load_dibao, load_history, load_registry_changes, load_visits,
)
from reliefplan.ingest.registry import IngestResult, read_registry

# What each table is called in errors (zh, en).
TABLE_NAMES = {
    "registry": ("救助对象名单", "registry"),
    "areas": ("行政区划表", "areas table"),
    "boundaries": ("区划边界", "area boundaries"),
    "dibao": ("低保标准表", "dibao standards table"),
    "categories": ("困难类别表", "categories table"),
    "history": ("历年慰问记录", "campaign history"),
    "visits": ("走访发放记录", "visit records"),
    "registry_changes": ("名单变动记录", "registry changes"),
    "case_library": ("案例库", "case library"),
}

# The tables about people: only these make what a notebook shows demo data.
PEOPLE_TABLES = ("registry", "history", "visits", "registry_changes")


class PlanInputs:
    """A plan and its input tables, each loaded lazily and cached.

    ``plan``: a loaded plan dict, a plan file, or None for the demo plan.
    Keyword arguments named after data keys (``history=``, ``registry=``,
    ``case_library=`` ...) replace the plan's file for that table; None keeps
    the plan's. ``sheet``: the registry's sheet (name or 0-based position;
    by default found from its header).
    """

    def __init__(self, plan=None, *, sheet=None, **files):
        unknown = sorted(set(files) - set(DATA_KEYS))
        if unknown:
            raise TypeError(f"unknown data keys: {', '.join(unknown)}")
        self.plan: dict = plan if isinstance(plan, dict) else load_plan(plan)
        self.given: dict[str, Path] = {k: Path(v) for k, v in files.items() if v not in (None, "")}
        self.files: dict[str, Path] = {**(self.plan.get("_files") or {}), **self.given}
        self.sheet = sheet

    @classmethod
    def of(cls, plan=None) -> "PlanInputs":
        """``plan`` itself when it is a PlanInputs already, else ``PlanInputs(plan)``."""
        return plan if isinstance(plan, PlanInputs) else cls(plan)

    def __repr__(self) -> str:
        return f"PlanInputs({str(self.plan.get('_path'))!r})"

    # -- which files --
    def has(self, key: str) -> bool:
        """Does the plan (or the caller) name a file for table ``key``?"""
        return key in self.files

    def path(self, key: str) -> Path:
        """The file of table ``key``; a ConfigError naming ``data.<key>`` when there is none."""
        if key in self.files:
            return self.files[key]
        zh, en = TABLE_NAMES.get(key, (key, key))
        raise ConfigError(f"方案未指定{zh}文件 data.{key}", f"the plan names no {en} file (data.{key})",
                          file=self.plan.get("_path"), column=f"data.{key}")

    def get(self, key: str, default=None):
        """Table ``key`` when the plan names it, else ``default`` (for optional tables such as visits)."""
        return getattr(self, key) if self.has(key) else default

    @cached_property
    def demo(self) -> bool:
        """Is what these inputs show the demo data (people made up: 示例数据，人员均为虚构)?

        The plan's own files: when the plan says ``demo: true``. When the caller gave
        files about people (:data:`PEOPLE_TABLES`) in place of the plan's, those decide:
        demo when one lies in the demo data folder. Reference tables (areas, categories,
        the case library of published plans) hold no people and decide nothing.
        """
        people = [p for k, p in self.given.items() if k in PEOPLE_TABLES]
        if people:
            return any(_is_demo_file(p) for p in people)
        return bool(self.plan.get("demo"))

    # -- the tables --
    @cached_property
    def categories(self) -> pd.DataFrame:
        return self._load("categories", lambda p: load_categories(p))

    @cached_property
    def areas(self) -> pd.DataFrame:
        return self._load("areas", lambda p: load_areas(p))

    @cached_property
    def boundaries(self) -> dict:
        prop = (self.plan.get("data") or {}).get("boundary_code_property", "code")
        return self._load("boundaries", lambda p: load_boundaries(p, prop), prop, pickled=True)

    @cached_property
    def dibao(self) -> pd.DataFrame:
        return self._load("dibao", lambda p: load_dibao(p))

    @cached_property
    def history(self) -> pd.DataFrame:
        return self._load("history", lambda p: load_history(p, categories=self.categories), "categories")

    @cached_property
    def visits(self) -> pd.DataFrame:
        return self._load("visits", lambda p: load_visits(p, categories=self.categories), "categories")

    @cached_property
    def registry_changes(self) -> pd.DataFrame:
        return self._load("registry_changes", lambda p: load_registry_changes(p))

    @cached_property
    def case_library(self) -> CaseLibrary:
        return self._load("case_library", lambda p: load_case_library(p, categories=self.categories), "categories")

    @cached_property
    def registry_result(self) -> IngestResult:
        """The whole read of the registry: accepted and rejected rows, problems, notes."""
        return self._load("registry", lambda p: read_registry(p, areas=self.areas, categories=self.categories,
                                                              sheet=self.sheet),
                          "areas", "categories", repr(self.sheet))

    @property
    def registry(self) -> pd.DataFrame:
        """The registry rows that were accepted."""
        return self.registry_result.accepted

    def tables(self, include=None) -> dict:
        """The named tables as a dict (``registry`` the accepted rows, ``registry_result`` the whole read).

        ``include`` limits it to those keys; keys the plan does not name are absent.
        """
        wanted = [k for k in TABLE_NAMES if self.has(k) and (include is None or k in include)]
        out = {key: getattr(self, key) for key in wanted}
        if "registry" in out:
            out["registry_result"] = self.registry_result
        return out

    def shared(self, name: str, compute):
        """``compute()``, a pure function of this plan and its files, shared in a warm kernel like the tables.

        The report context keeps the plan-wide eligibility and budgets this way, so the unit
        reports of one batch worker compute them once. Keyed by ``name`` and the identity of
        the plan file and every input file; a plan without a file is never shared.
        """
        if not self.plan.get("_path"):
            return compute()
        files = tuple((key, _identity(path)) for key, path in sorted(self.files.items()))
        return _shared((name, _identity(Path(self.plan["_path"])), *files), compute)

    def _load(self, key: str, read, *depends, pickled: bool = False):
        """Read table ``key`` with ``read(path)``, shared in a warm kernel by file identity (``pickled``: see
        :func:`_shared`)."""
        path = self.path(key)
        ident = (key, _identity(path), *(_identity(self.path(d)) if d in DATA_KEYS else d for d in depends))
        return _shared(ident, lambda: read(path), pickled=pickled)


def load_plan_inputs(plan=None, include=None) -> dict:
    """Every table the plan names as a dict; see :meth:`PlanInputs.tables`."""
    return PlanInputs.of(plan).tables(include)


def _is_demo_file(path: Path) -> bool:
    return Path(path).resolve().is_relative_to(paths.data_dir().resolve())


def _identity(path: Path) -> tuple:
    """A file's path, size and modification time (what the warm-kernel cache is keyed by)."""
    try:
        st = Path(path).stat()
    except OSError:
        return (str(path), None, None)
    return (str(Path(path).resolve()), st.st_size, st.st_mtime_ns)


def _shared(key: tuple, load, *, pickled: bool = False):
    """Parsed input tables, shared by the reports run one after another in one warm kernel.

    ``reliefplan report`` runs several units per kernel (see
    :mod:`reliefplan.batch.executor`); reading and validating the same
    registry for every unit would cost more than the report itself. The
    store lives in the kernel's ``_reliefplan_warm`` helper (outside the
    library, which is re-imported for every unit), is keyed by the files'
    paths, sizes and modification times, holds only plain data (frames, dicts,
    and the fields of the IngestResult and CaseLibrary dataclasses: a pure
    function of the files), and every caller gets a deep copy, so
    nothing one report does to its tables reaches the next. Outside a warm
    kernel (Jupyter, plain papermill, the CLI) nothing is shared.

    Between the kernels of one batch run: a value holding tables is parsed by one
    kernel per machine and memory-mapped by the others (:mod:`.shared_store`), so its
    Arrow strings are one copy in memory for all of them (a deep copy of such a frame
    shares them too: Arrow arrays are immutable).

    ``pickled``: keep it pickled and unpickle a copy for each caller, for nested
    plain data (a province's boundary GeoJSON: unpickling is ~10x faster than a
    deep copy of its coordinate lists). Not for frames: a deep copy of a frame
    shares its strings, unpickling rebuilds every one.
    """
    store = getattr(sys.modules.get("_reliefplan_warm"), "cache", None)
    if store is None:
        return load()
    if key not in store:
        if len(store) >= 24:
            store.pop(next(iter(store)))
        if pickled:
            store[key] = ("pickled", pickle.dumps(_plain(load()), protocol=pickle.HIGHEST_PROTOCOL))
        else:
            store[key] = shared_store.fetch(key, lambda: _plain(load()))
    value = store[key]
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "pickled":
        return _rebuilt(pickle.loads(value[1]))
    return _rebuilt(copy.deepcopy(value))


def _plain(value):
    """A loader's result as plain data: a dataclass (IngestResult, CaseLibrary) becomes its class name and fields.

    The kernel re-imports the library for every report, so an instance of an old
    import's class must not be handed to the next report.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return ("dataclass", type(value).__name__, {f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    return value


def _rebuilt(value):
    """The inverse of :func:`_plain`, with this import's classes."""
    if isinstance(value, tuple) and len(value) == 3 and value[0] == "dataclass":
        return {"IngestResult": IngestResult, "CaseLibrary": CaseLibrary}[value[1]](**value[2])
    return value
