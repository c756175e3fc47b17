"""PlanInputs: one way to a plan's tables, lazy and cached, no demo fallback, one answer to `demo`."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from reliefplan.core import paths
from reliefplan.core.errors import ConfigError
from reliefplan.ingest import reference
from reliefplan.ingest.categories import load_categories
from reliefplan.ingest.inputs import PlanInputs, load_plan_inputs


def plan_copy(tmp_path, *, demo=None, data=("categories", "areas", "dibao")):
    """The demo plan written into tmp_path, naming only the ``data`` tables (as absolute demo paths)."""
    doc = yaml.safe_load(paths.demo_plan_path().read_text(encoding="utf-8"))
    doc["data"] = {k: str(paths.demo_path(v)) for k, v in doc["data"].items() if k in data}
    if demo is None:
        doc.pop("demo", None)
    else:
        doc["demo"] = demo
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_tables_load_on_first_use_and_are_kept(tmp_path):
    inputs = PlanInputs(plan_copy(tmp_path))
    assert "areas" not in vars(inputs) and "dibao" not in vars(inputs)
    areas = inputs.areas
    assert "areas" in vars(inputs) and "dibao" not in vars(inputs)
    assert inputs.areas is areas
    assert set(inputs.tables()) == {"categories", "areas", "dibao"}
    assert set(load_plan_inputs(inputs, include=["areas"])) == {"areas"}


def test_a_table_the_plan_does_not_name_is_a_clear_error_not_the_demo_file(tmp_path):
    inputs = PlanInputs(plan_copy(tmp_path))
    assert not inputs.has("visits") and inputs.get("visits") is None
    with pytest.raises(ConfigError) as err:
        inputs.visits
    text = err.value.message()
    assert "data.visits" in text and "走访发放记录" in text and "visit records" in text
    with pytest.raises(ConfigError, match="data.registry"):
        inputs.registry


def test_loaders_have_no_default_file():
    for loader in (reference.load_areas, reference.load_dibao, reference.load_registry_changes,
                   reference.load_boundaries, load_categories):
        with pytest.raises(TypeError):
            loader()
    with pytest.raises(ConfigError, match="categories table"):
        reference.load_history(paths.demo_path("campaign_history.csv"))


def test_a_plan_must_name_its_categories(tmp_path):
    with pytest.raises(ConfigError, match="data.categories"):
        PlanInputs(plan_copy(tmp_path, data=("areas",)))


def test_demo_is_decided_once(tmp_path):
    assert PlanInputs().demo is True                                     # the demo plan
    assert PlanInputs(plan_copy(tmp_path, demo=True)).demo is True       # a plan marked demo
    assert PlanInputs(plan_copy(tmp_path)).demo is False                 # a plan that is not
    own = tmp_path / "history.csv"
    own.write_text("year,organizer,area_code,category,funding_source,households,persons,cash_yuan,goods_yuan,"
                   "overhead_yuan\n2026,民政局,350602,dibao,财政,1,2,500,200,0\n", encoding="utf-8")
    # a file given in place of the plan's decides: the user's own is not demo data, a demo file is
    assert PlanInputs(None, history=own).demo is False
    assert PlanInputs(plan_copy(tmp_path), history=paths.demo_path("campaign_history.csv")).demo is True
    # the shipped case library holds published plans, no people: it does not make the user's history demo
    assert PlanInputs(None, history=own, case_library=paths.demo_path("case_library.yaml")).demo is False
    assert PlanInputs(None, case_library=paths.demo_path("case_library.yaml")).demo is True   # the demo history
    assert len(PlanInputs(None, history=own).history) == 1


def test_unknown_data_key_refused():
    with pytest.raises(TypeError, match="histroy"):
        PlanInputs(None, histroy="x.csv")


def test_tables_are_shared_in_a_warm_kernel_as_plain_data(tmp_path, monkeypatch):
    """Within a batch kernel's warm store each table is read once; readers get copies and this import's classes."""
    import sys
    import types

    from reliefplan.ingest.case_library import CaseLibrary

    warm = types.ModuleType("_reliefplan_warm")
    warm.cache = {}
    monkeypatch.setitem(sys.modules, "_reliefplan_warm", warm)
    plan = plan_copy(tmp_path, data=("categories", "areas", "case_library"))
    first, second = PlanInputs(plan), PlanInputs(plan)
    areas = first.areas
    areas.loc[0, "name"] = "改过"
    assert second.areas.loc[0, "name"] != "改过"
    lib = second.case_library
    assert type(lib) is CaseLibrary and len(lib.plans) == 11
    assert all(not dataclasses.is_dataclass(v) for v in warm.cache.values())


def test_tables_of_the_demo_plan_are_its_tables(demo_inputs):
    """Every table key the demo plan names is loaded; a data file that is not a table (holidays) is left alone."""
    out = demo_inputs.tables(include=["areas", "categories", "holidays"])
    assert set(out) == {"areas", "categories"}
    assert demo_inputs.has("holidays") and "holidays" not in demo_inputs.tables(include=["holidays"])
