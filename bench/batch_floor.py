"""The compute floor of a report set, and where a report's time goes (used by bench/batch.py).

**Floor**: every figure of every report computed in one process: the code
cells of the report notebooks executed in order, with the figures and tables
built but not displayed, inputs parsed once and shared (as one warm kernel
shares them), no kernel, no notebook file, no HTML, no Excel. Our batch can
get no faster than this on one core.

**Split**: after the floor, the parts the floor leaves out are timed on the
same reports: plotly serialisation of every figure (what the HTML export
embeds) and Excel attachment writing; input loading is the floor's first
``ReportContext.inputs``.
"""

from __future__ import annotations

import json
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _code_cells(notebook: Path) -> list[tuple[bool, str]]:
    """(is the parameters cell, source) of every code cell, in order."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    return [("parameters" in c.get("metadata", {}).get("tags", []), "".join(c["source"]))
            for c in nb["cells"] if c["cell_type"] == "code"]


class Collector:
    """Stands in for display: keeps the sections shown and the figures recorded, per report."""

    def __init__(self):
        self.sections: list = []
        self.records: dict = {}

    def show(self, section, lang=None):
        self.sections.append(section)

    def record(self, key, value):
        self.records[key] = value


def floor(plan_path: str, jobs) -> dict:
    """Execute every job's notebook code in this process with display and recording stubbed.

    ``jobs``: the batch's jobs (:func:`reliefplan.batch.jobs.build_jobs`), roll-ups after their children.
    Returns seconds in all, seconds of the first input load, and per job the sections it built.
    """
    from reliefplan.reports import sections as rs

    import reliefplan.reports.rollup  # noqa: F401  (load the modules whose record() is stubbed)
    import reliefplan.reports.unit_sections  # noqa: F401

    sys.modules.setdefault("_reliefplan_warm", types.SimpleNamespace(cache={}))   # inputs parsed once
    built: dict = {}
    records: dict = {}
    # the report modules import record() by name: stub it where they hold it
    holders = [m for name, m in list(sys.modules.items())
               if name.startswith("reliefplan.") and getattr(m, "record", None) is not None and callable(m.record)]
    real_show, real_record = rs.show, {m: m.record for m in holders}
    order = [j for j in jobs if not j.after_units] + [j for j in jobs if j.after_units]
    t0 = time.perf_counter()
    first_load = None
    try:
        for job in order:
            coll = Collector()
            rs.show = coll.show
            for m in holders:
                m.record = coll.record
            params = dict(job.parameters)
            if job.after_units:
                params["unit_records"] = {records[c]["unit_code"]: records[c] for c in job.children if c in records}
            params.setdefault("attachments_dir", None)
            ns: dict = {}
            t_job = time.perf_counter()
            for is_parameters, code in _code_cells(job.notebook_path()):
                exec(compile(code, str(job.notebook_path()), "exec"), ns)
                if is_parameters:      # the defaults, then this job's values (as papermill injects them)
                    ns.update(params)
                if first_load is None and "ctx" in ns:
                    ns["ctx"].inputs       # noqa: B018  (the first load: parsing the plan's files)
                    first_load = time.perf_counter() - t_job
            built[job.job_id] = (coll.sections, ns.get("ctx"))
            records[job.job_id] = coll.records
    finally:
        rs.show = real_show
        for m, fn in real_record.items():
            m.record = fn
    return {"seconds": time.perf_counter() - t0, "input_load_s": first_load or 0.0, "built": built}


def split(built: dict, sample: int | None = None) -> dict:
    """Seconds for plotly serialisation of every figure and for the Excel attachments (``sample`` reports)."""
    import plotly.graph_objects as go

    from reliefplan.reports.attachments import attachment_files

    figures = [b for sections, _ in built.values() for s in sections for b in getattr(s, "blocks", [])
               if isinstance(b, go.Figure)]
    t0 = time.perf_counter()
    for fig in figures:
        fig.to_json()
    plotly_s = time.perf_counter() - t0
    contexts = [ctx for _, ctx in built.values() if ctx is not None][:sample]
    t0 = time.perf_counter()
    for ctx in contexts:
        attachment_files(ctx)
    excel_s = (time.perf_counter() - t0) * (len(built) / max(1, len(contexts)))
    return {"figures": len(figures), "plotly_serialise_s": plotly_s, "excel_s": excel_s}
