"""Parameters are checked before any kernel starts, and reach notebooks only as data."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from reliefplan.batch import params as P
from reliefplan.batch.jobs import Job, build_jobs, declared_parameters, safe_filename, unit_table
from reliefplan.core.errors import ConfigError, InputError
from reliefplan.ingest.plan import load_plan

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def plan():
    return load_plan()


@pytest.fixture(scope="module")
def units(plan):
    return unit_table(plan)


def test_demo_units_are_the_eleven_counties(units):
    assert len(units) == 11
    assert units["code"].tolist()[0] == "350602"
    assert set(units["code"].str.len()) == {6}
    assert "芗城区" in set(units["name"])


def test_unknown_unit_lists_the_valid_codes(units):
    with pytest.raises(InputError) as err:
        P.select_units(units, "350602,999999")
    text = err.value.message()
    assert "999999" in text
    assert "350602 芗城区" in text and "350629 华安县" in text      # valid choices, with names
    assert "未知单位代码" in text and "unknown unit code" in text  # zh and en


def test_select_units_all_and_subset(units):
    assert len(P.select_units(units, "all")) == 11
    assert P.select_units(units, " 350603 ,350602").code.tolist() == ["350602", "350603"]


def test_missing_plan_file_lists_plans(tmp_path):
    with pytest.raises(ConfigError) as err:
        P.check_plan_path(tmp_path / "nope.yaml")
    text = err.value.message()
    assert "nope.yaml" in text and "plan_2027.yaml" in text
    assert "方案文件不存在" in text and "plan file not found" in text


@pytest.mark.parametrize("call, bad", [
    (lambda: P.check_lang("fr"), "zh, en"),
    (lambda: P.check_jobs(0), "--jobs"),
    (lambda: P.check_jobs("2"), "--jobs"),
    (lambda: P.check_timeout(-1), "--timeout"),
    (lambda: P.check_executor("spark", None), "local, dask"),
    (lambda: P.check_executor("local", "tcp://x:8786"), "--scheduler"),
])
def test_bad_run_options(call, bad):
    with pytest.raises(InputError) as err:
        call()
    assert bad in err.value.message()


class Sneaky:
    def __str__(self):
        return "__import__('os').system('touch /tmp/pwned')"


@pytest.mark.parametrize("value", [Sneaky(), {"a": Sneaky()}, [1, Sneaky()], float("nan"), {1: "x"}])
def test_only_plain_data_passes(value):
    with pytest.raises(InputError):
        P.check_value_is_data("x", value)


@pytest.mark.parametrize("value", ["a'b\"c\n", 3, 2.5, None, True, ["x", 1], {"k": {"n": [1, "二"]}}])
def test_plain_data_accepted(value):
    P.check_value_is_data("x", value)


def _notebook(path: Path, params_src: str) -> Path:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = new_code_cell(params_src)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, new_code_cell("pass")]
    nbformat.write(nb, path)
    return path


def test_job_parameters_checked_against_notebook(tmp_path):
    path = _notebook(tmp_path / "n.ipynb", 'unit_code: str = "1"\nyear = 2027\nplan_file = None\n')
    declared = declared_parameters(path)
    assert declared["unit_code"]["type"] == "str" and declared["year"]["type"] == "int"
    ok = Job("j", "unit", str(path), {"unit_code": "350602", "year": 2027, "plan_file": "/x.yaml"}, "s", "t", "t")
    P.check_job_parameters(ok, declared)
    with pytest.raises(ConfigError) as err:
        P.check_job_parameters(Job("j", "unit", str(path), {"unit": "1"}, "s", "t", "t"), declared)
    assert "unit_code, year, plan_file" in err.value.message()   # lists what the notebook declares
    with pytest.raises(ConfigError) as err:
        P.check_job_parameters(Job("j", "unit", str(path), {"year": "2027"}, "s", "t", "t"), declared)
    assert "wrong type" in err.value.message() and "int" in err.value.message()
    with pytest.raises(ConfigError):
        P.check_job_parameters(Job("j", "unit", str(path), {"year": True}, "s", "t", "t"), declared)


def test_real_report_jobs_pass_the_check(plan, units):
    jobs = build_jobs(plan, units.head(2), include_city=False)
    P.check_jobs_parameters(jobs)
    assert [j.kind for j in jobs] == ["unit", "unit", "rollup"]


@pytest.mark.parametrize("nasty", [
    'x"; import os; os.system("touch /tmp/pwned") #',
    "line1\nimport os\nos.system('id')",
    "back\\slash\\\" and '''triple''' and \"\"\"more\"\"\"",
    "芗城区\t\r\x00end",
])
def test_injected_parameter_is_a_literal(tmp_path, nasty):
    """Papermill's injected cell assigns the value as a literal: parsing it gives back the exact string."""
    from papermill.parameterize import parameterize_notebook

    path = _notebook(tmp_path / "n.ipynb", 'unit_name = "x"\n')
    from papermill.iorw import load_notebook_node

    nb = parameterize_notebook(load_notebook_node(str(path)), {"unit_name": nasty}, kernel_name="python3",
                               language="python")
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    tree = ast.parse(injected.source)
    assigns = [n for n in tree.body if isinstance(n, ast.Assign)]
    assert len(tree.body) == len(assigns) == 1                       # one statement, nothing else runs
    assert ast.literal_eval(assigns[0].value) == nasty


def test_safe_filename():
    assert safe_filename('a/b\\c:"d"\n<e>|f?*') == "a_b_c_d_e_f"
    assert safe_filename("芗城区") == "芗城区"
    assert safe_filename("...") == "unit"


def test_cli_rejects_unknown_unit_before_starting_anything(tmp_path):
    out = tmp_path / "reports"
    proc = subprocess.run([sys.executable, "-m", "reliefplan", "report", "--units", "350602,123456", "--out",
                           str(out), "--no-progress"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    assert "123456" in proc.stderr and "350602 芗城区" in proc.stderr
    assert not out.exists()   # nothing written, no kernel started
