"""The panel on a plan with funding pools: an amount control per pool, the pool table beside the figures,
pool amounts saved into the plan copy and read back, and who is not paid in full."""

from __future__ import annotations

import pytest
import yaml

from reliefplan.core import paths
from reliefplan.ingest.plan import load_plan
from reliefplan.models import affected as am
from reliefplan.models import whatif
from reliefplan.views import app as whatif_app
from reliefplan.views.app import scenarios as sc


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    doc = yaml.safe_load(paths.demo_plan_path().read_text(encoding="utf-8"))
    doc["funding"] = [
        {"source": "民政救助资金", "source_en": "Relief funds", "amount": 1500000, "categories": ["tekun", "dibao"],
         "overheads": True},
        {"source": "工会经费", "source_en": "Union funds", "amount": 400000, "organizers": ["总工会"]},
        {"source": "财政", "source_en": "Government budget", "amount": 900000},
    ]
    folder = paths.demo_plan_path().parent
    path = folder / f"_test_pools_{tmp_path_factory.mktemp('p').name}.yaml"
    try:  # beside the demo plan, so its data paths resolve
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        plan = load_plan(path)
        yield whatif_app.load_inputs(plan)
    finally:
        path.unlink(missing_ok=True)


def test_a_control_per_pool_and_the_pool_table(inputs):
    app = whatif_app.build_app(inputs, chart=False)
    assert list(app.pool_controls) == ["民政救助资金", "工会经费", "财政"]
    assert app.pool_controls["工会经费"].box.value == "400,000"
    assert 'id="rp-pools"' in app.funding_html.value and 'data-pool="工会经费"' in app.funding_html.value
    app.pool_controls["工会经费"].box.value = "800,000"
    controls = app.controls()
    assert controls["pools"] == {"工会经费": 800_000}
    expected = whatif.update(inputs.state, controls)
    assert app.result.summary()["total_fen"] == expected.summary()["total_fen"]
    row = expected.pools.set_index("source").loc["工会经费"]
    assert f'data-fen="{int(row["amount_fen"])}"' in app.funding_html.value


def test_pool_amounts_are_saved_and_read_back(inputs):
    app = whatif_app.build_app(inputs, chart=False)
    app.pool_controls["财政"].box.value = "1,200,000"
    saved = app.scenarios.save("财政追加")
    text = sc.plan_copy_yaml(inputs.plan, saved)
    copied = yaml.safe_load(text.split("\n", 6)[-1])
    assert [f["amount"] for f in copied["funding"]] == [1500000, 400000, 1200000]
    fresh = whatif_app.build_app(inputs, chart=False)
    fresh.scenarios.load(text.encode("utf-8"), "x.yaml")
    assert fresh.pool_controls["财政"].value == 1_200_000
    assert fresh.result.summary()["total_fen"] == app.result.summary()["total_fen"]


def test_who_is_not_paid_in_full_under_pools(inputs):
    app = whatif_app.build_app(inputs, chart=False)
    app.pool_controls["民政救助资金"].box.value = "200,000"
    assert not app.result.fits
    rows = am.affected_rows(app.state, app.result)
    assert len(rows) and set(rows["status"]) <= {"dropped", "reduced"}
    uncovered = app.result.coverage.groupby("category")["uncovered_recipients"].sum()
    assert rows.groupby("category")["recipients"].sum().to_dict() == {k: int(v) for k, v in uncovered.items() if v}
    app.tabs.selected_index = 2
    assert 'id="rp-affected-people"' in app.affected.list_html.value
