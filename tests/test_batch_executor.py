"""Warm kernels: several jobs per kernel, nothing of one job visible to the next."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from reliefplan.batch import job_runner as ex
from reliefplan.batch.warm_kernel import kill_all_kernels
from reliefplan.batch.jobs import Job

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("kernels")]


def _nb(path: Path, params: str, *cells: str) -> str:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    p = new_code_cell(params)
    p.metadata["tags"] = ["parameters"]
    nb.cells = [p] + [new_code_cell(c) for c in cells]
    nbformat.write(nb, path)
    return str(path)


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory):
    d = tmp_path_factory.mktemp("nbs")
    return {
        # unit A leaves traces everywhere it can: a variable, library module state, pandas and plotly
        # settings, the environment, the working directory, sys.path, the random state
        "a": _nb(d / "a.ipynb", 'name = "a"', """
import os, sys, random
import pandas as pd, plotly.io as pio
import reliefplan.core.labels as L
from reliefplan.core.record import record
canary_from_A = 42
L.register({"canary_label": ("甲", "A")})
pd.set_option("display.max_rows", 3)
pio.templates.default = "plotly_dark"
os.environ["LEAK_FROM_A"] = "1"
sys.path.append("/leak/from/a")
random.seed(1)
os.chdir("/")
record("name", name)
record("pid", os.getpid())"""),
        "b": _nb(d / "b.ipynb", 'name = "b"', """
import os, sys
import pandas as pd, plotly.io as pio
import reliefplan.core.labels as L
from reliefplan.core.record import record
record("name", name)
record("pid", os.getpid())
record("sees_canary", "canary_from_A" in globals())
record("label", L.label("canary_label"))
record("max_rows", pd.get_option("display.max_rows"))
record("template", pio.templates.default)
record("env", os.environ.get("LEAK_FROM_A"))
record("path", "/leak/from/a" in sys.path)
record("cwd", os.getcwd())
record("history", len(In))"""),
        "fail": _nb(d / "fail.ipynb", 'name = "f"', "x = 1", "raise ValueError('坏了 broken')", "y = 2"),
        "slow": _nb(d / "slow.ipynb", 'name = "s"', "import time\ntime.sleep(60)"),
    }


@pytest.fixture(autouse=True, scope="module")
def _kernels():
    yield
    kill_all_kernels()
    ex._LOCAL.kernel = None


def job(path, **params) -> dict:
    return Job(job_id=Path(path).stem, kind="unit", notebook=path, parameters=params, stem=Path(path).stem,
               title="t", title_en="t").to_dict()


OPTS = {"timeout": 120, "run_id": "test-executor"}


def test_second_job_reuses_the_kernel_and_sees_nothing_of_the_first(notebooks):
    a = ex.run_job(job(notebooks["a"], name="a"), OPTS)
    b = ex.run_job(job(notebooks["b"], name="b"), OPTS)
    assert a["status"] == b["status"] == "ok"
    assert b["records"]["pid"] == a["records"]["pid"]                 # same (warm) kernel process
    assert b["worker"]["jobs_in_kernel"] == a["worker"]["jobs_in_kernel"] + 1
    rec = b["records"]
    assert rec["sees_canary"] is False                                  # user namespace reset
    assert rec["label"] == "canary_label"                               # library module state fresh
    assert rec["max_rows"] == 60 and rec["template"] == "plotly"        # pandas / plotly settings restored
    assert rec["env"] is None and rec["path"] is False                  # environment and sys.path restored
    assert rec["cwd"].endswith("notebooks")                              # working directory restored
    assert rec["history"] < 10                                           # input history cleared


def test_failing_cell_is_recorded_and_the_kernel_carries_on(notebooks):
    r = ex.run_job(job(notebooks["fail"], name="f"), OPTS)
    assert r["status"] == "failed"
    err = r["error"]
    assert err["ename"] == "ValueError" and "坏了" in err["evalue"]
    assert "raise ValueError" in err["cell_source"] and err["cell_index"] >= 2
    assert list(r["outputs"]) == ["failed/fail.ipynb"]                  # no report, the notebook kept for audit
    ok = ex.run_job(job(notebooks["b"], name="after-failure"), OPTS)
    assert ok["status"] == "ok" and ok["records"]["name"] == "after-failure"


def test_timeout_stops_the_job_and_replaces_the_kernel(notebooks):
    before = ex.run_job(job(notebooks["b"], name="x"), OPTS)["records"]["pid"]
    r = ex.run_job(job(notebooks["slow"], name="s"), {**OPTS, "timeout": 4})
    assert r["status"] == "timeout" and "time.sleep" in r["error"]["cell_source"]
    assert r["duration_s"] < 30
    after = ex.run_job(job(notebooks["b"], name="y"), OPTS)
    assert after["status"] == "ok" and after["records"]["pid"] != before


def test_parameter_values_stay_data(notebooks, tmp_path):
    marker = tmp_path / "pwned"
    nasty = f'x"\nimport os; open("{marker}", "w").write("1") #\'\'\' """'
    r = ex.run_job(job(notebooks["b"], name=nasty), OPTS)
    assert r["status"] == "ok" and r["records"]["name"] == nasty
    assert not marker.exists()


def _comparable(nb_bytes: bytes) -> list:
    """Outputs of an executed notebook without what legitimately differs between runs (timings, plot ids)."""
    nb = nbformat.reads(nb_bytes.decode(), as_version=4)
    out = []
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            continue
        for o in cell.get("outputs", []):
            text = str(o.get("data", o.get("text", "")))
            out.append(re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "UUID", text))
    return out


def test_real_unit_report_is_the_same_after_another_unit_as_in_a_fresh_kernel():
    """Unit 350603 run after 350602 in one warm kernel == 350603 alone in a fresh kernel, output for output."""
    def unit(code):
        return Job(job_id=f"unit-{code}", kind="unit", notebook="10_unit_report.ipynb",
                   parameters={"unit_code": code, "year": 2027, "lang": "zh"}, stem=code, title=code,
                   title_en=code).to_dict()

    fresh = ex.run_job(unit("350603"), {**OPTS, "fresh_kernel": True})
    first = ex.run_job(unit("350602"), OPTS)
    warm = ex.run_job(unit("350603"), OPTS)
    assert fresh["status"] == first["status"] == warm["status"] == "ok"
    assert warm["worker"]["kernel_pid"] == first["worker"]["kernel_pid"]
    assert warm["records"] == fresh["records"]
    assert warm["records"]["unit_code"] == "350603"
    assert _comparable(warm["outputs"]["350603.ipynb"]) == _comparable(fresh["outputs"]["350603.ipynb"])


def test_a_second_kernel_opens_the_tables_the_first_parsed_and_reports_the_same():
    """With a shared-inputs folder, one kernel parses the inputs and writes them as Arrow files; another
    kernel opens them memory-mapped instead of parsing, and its report equals one made without the store."""
    from reliefplan.ingest import shared_store

    def unit(code):
        return Job(job_id=f"unit-{code}", kind="unit", notebook="10_unit_report.ipynb",
                   parameters={"unit_code": code, "year": 2027, "lang": "zh"}, stem=code, title=code,
                   title_en=code).to_dict()

    opts = {**OPTS, "fresh_kernel": True, "shared_inputs": f"{ex.JOB_DIR_PREFIX}{os.getpid()}-inputs-test"}
    folder = Path(ex.shared_inputs_dir(opts))
    try:
        alone = ex.run_job(unit("350603"), {**OPTS, "fresh_kernel": True})     # no store
        first = ex.run_job(unit("350602"), opts)                              # parses, writes the store
        second = ex.run_job(unit("350603"), opts)                             # a new kernel: opens it
        assert alone["status"] == first["status"] == second["status"] == "ok"
        one, two = first["worker"]["kernel_pid"], second["worker"]["kernel_pid"]
        assert one != two
        log = shared_store.read_log(folder)
        written = {name for action, name, pid in log if action == "wrote" and pid == one}
        opened = {name for action, name, pid in log if action == "opened" and pid == two}
        assert len(written) >= 5 and written <= opened    # the registry, areas, categories, history, ...
        assert not any(action == "wrote" and pid == two for action, _, pid in log)
        assert second["records"] == alone["records"]
        assert _comparable(second["outputs"]["350603.ipynb"]) == _comparable(alone["outputs"]["350603.ipynb"])
    finally:
        ex.remove_shared_dirs()
    assert not folder.exists()


def test_a_shared_inputs_name_is_a_folder_name_not_a_path():
    with pytest.raises(ValueError):
        ex.shared_inputs_dir({"shared_inputs": "../reliefplan-job-1-inputs-x"})
    with pytest.raises(ValueError):
        ex.shared_inputs_dir({"shared_inputs": "/etc"})
    assert ex.shared_inputs_dir({}) == ""
