"""Funnel on the hand-built registry of ``builders.small_world()`` with hand-counted visits
(``builders.coverage_world()``; what it holds is described there).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from builders import OUTSIDER, coverage_world, small_world, status_2026

from reliefplan.models import coverage
from reliefplan.core.paths import demo_path


def test_person_status_one_row_per_person():
    st, reg = status_2026()
    assert len(st) == 12  # 11 registered + 1 outsider
    assert st["id_number"].is_unique
    p0 = st.set_index("id_number").loc[reg["id_number"][0]]
    assert p0["listings"] == 2 and p0["organizers"] == "民政、工会"
    assert p0["category"] == "dibao"  # the eligible, higher-priority listing represents the person
    assert p0["received_fen"] == 190000 and p0["n_visits"] == 2
    out = st.set_index("id_number").loc[OUTSIDER]
    assert not out["registered"] and out["reached"] and out["county_code"] == "350622"


def test_totals_hand_counted():
    st, _ = status_2026()
    t = coverage.totals(st)
    assert {k: t[k] for k in coverage.FUNNEL_COUNTS} == {
        "registered": 11, "eligible": 6, "planned": 6, "visited": 5, "reached": 4, "visited_unsigned": 1,
        "eligible_reached": 2, "exclusion": 4, "inclusion": 2, "reached_unregistered": 1,
        # no delivery modes given: everyone is visited, so every reached person is reached by a visit
        "reached_paid": 0, "reached_signed": 0, "reached_visited": 4}
    assert t["coverage_rate"] == pytest.approx(2 / 6)
    assert t["exclusion_rate"] == pytest.approx(4 / 6)
    assert t["inclusion_rate"] == pytest.approx(2 / 4)


def test_funnel_by_county_adds_up():
    st, _ = status_2026()
    f = coverage.funnel(st, "county_code").set_index("county_code")
    assert f.loc["350602", ["registered", "eligible", "reached", "eligible_reached", "exclusion", "inclusion"]] \
        .tolist() == [6, 3, 3, 2, 1, 1]
    assert f.loc["350622", ["registered", "eligible", "reached", "eligible_reached", "exclusion", "inclusion"]] \
        .tolist() == [5, 3, 1, 0, 3, 1]
    assert f.loc["350622", "coverage_rate"] == 0
    t = coverage.totals(st)
    for c in coverage.FUNNEL_COUNTS:
        assert f[c].sum() == t[c]


def test_funnel_by_township_and_category():
    st, _ = status_2026()
    tw = coverage.funnel(st, ["county_code", "township_code"])
    assert tw["registered"].sum() == 11
    assert set(tw["township_code"]) == {"350602001", "350602100", "350622101", "350622102"}
    cat = coverage.funnel(st, "category").set_index("category")
    assert cat.loc["dibao", "registered"] == 3  # 张三丰 (once), 李四, 陈十三
    assert cat.loc["dibao", "eligible"] == 1


def test_planned_list_overrides_eligible():
    reg = coverage_world()[0]
    st, _ = status_2026(planned=[reg["id_number"][0], reg["person_key"][2]])
    assert coverage.totals(st)["planned"] == 2


def test_with_all_areas_and_names():
    st, _ = status_2026()
    areas = small_world()[3]
    f = coverage.with_all_areas(coverage.funnel(st, "county_code"), ["350602", "350622", "350623"])
    assert f.set_index("county_code").loc["350623", "registered"] == 0
    assert np.isnan(f.set_index("county_code").loc["350623", "coverage_rate"])
    named = coverage.with_names(f, areas)
    assert named.set_index("county_code").loc["350602", "county_name"] == "芗城区"
    assert coverage.with_names(f, areas, lang="en").set_index("county_code").loc["350602", "county_name"] == "Xiangcheng"


def test_units():
    codes = pd.Series(["350602001", "350622101", "350602", "350711001"])
    assert coverage.in_unit(codes, "all").all()
    assert coverage.in_unit(codes, "350600").tolist() == [True, True, True, False]
    assert coverage.in_unit(codes, "350602").tolist() == [True, False, True, False]
    assert coverage.in_unit(codes, "350602001").tolist() == [True, False, False, False]
    assert coverage.township_of(codes).tolist() == ["350602001", "350622101", "", "350711001"]


def test_analyse_unit_filter():
    reg, plan, dibao, areas, visits, changes = coverage_world()
    from reliefplan.ingest.categories import load_categories

    inputs = coverage.CoverageInputs(plan=plan, registry=reg, areas=areas, dibao=dibao, visits=visits,
                                     changes=changes, categories=load_categories(demo_path("categories.csv")))
    whole = coverage.analyse(inputs, year=2026, on_date="2027-02-06", per_person_cap=1000)
    assert whole.totals["eligible"] == 6 and whole.totals["reached"] == 4
    assert list(whole.by_county["county_code"]) == ["350602", "350622"]
    assert len(whole.duplicates) == 1 and whole.cap_excess["excess_fen"].tolist() == [90000]
    part = coverage.analyse(inputs, year=2026, unit="350622", on_date="2027-02-06")
    assert part.totals["registered"] == 5 and part.totals["reached"] == 1
    assert set(part.status["county_code"]) == {"350622"}
    assert part.cap_fen == 100000  # the plan's per_person_cap (1000 yuan)
    en = coverage.analyse(inputs, year=2026, on_date="2027-02-06", lang="en")
    assert list(en.by_county["county_name"]) == ["Xiangcheng", "Yunxiao"]
    assert en.gaps["follow_up"].iloc[0] in ("not visited", "visited, get the receipt signed")


def test_charts_from_the_hand_built_funnel():
    from reliefplan.views import coverage_charts as cc
    from reliefplan.models.continuity import continuity, reason_counts

    reg, plan, dibao, areas, visits, changes = coverage_world()
    st, _ = status_2026()
    st = coverage.with_names(st, areas)
    fig = cc.funnel_chart(coverage.totals(st))
    assert list(fig.data[0].x) == [11, 6, 6, 5, 4]
    assert list(fig.data[0].y)[-1] == "已到位"
    assert "已走访未签收: 1" in fig.layout.annotations[0].text
    en = cc.funnel_chart(coverage.totals(st), lang="en")
    assert en.data[0].y[0] == "Registered" and en.layout.title.text.startswith("Funnel")
    bars = cc.coverage_by_area(coverage.funnel(coverage.with_names(st, areas), ["county_code", "county_name"]))
    assert list(bars.data[0].y) == ["芗城区", "云霄县"]  # highest coverage at the bottom, lowest on top
    cat = cc.coverage_by_category(coverage.with_names(coverage.funnel(st, "category"), categories=None), lang="en")
    assert {t.name for t in cat.data} == {"Eligible", "Eligible and reached", "Exclusion (eligible, not reached)",
                                          "Inclusion (reached, not eligible)"}
    cont = cc.continuity_chart(reason_counts(continuity(visits, changes, st, year=2026)))
    assert list(cont.data[0].y) == [0, 1, 1, 1, 1]
    from reliefplan.models.multi_listed import duplicates

    dup = cc.duplicates_chart(duplicates(reg, visits, year=2026))
    assert list(dup.data[0].x) == ["2"] and list(dup.data[0].y) == [1]


def test_funnel_table_formats_rates_and_total():
    from reliefplan.views import coverage_charts as cc
    st, _ = status_2026()
    areas = small_world()[3]
    f = coverage.with_names(coverage.funnel(st, ["county_code", "township_code"]), areas)
    t = cc.funnel_table(f, name_col=["county_name", "township_name"], total=coverage.totals(st))
    assert list(t.columns[:3]) == ["县(市、区)", "乡镇(街道)", "在册人数"]
    last = t.iloc[-1]
    assert last["县(市、区)"] == "合计" and last["在册人数"] == 11 and last["覆盖率"] == "33.3%"
    assert last["错慰率"] == "50.0%"
    en = cc.funnel_table(coverage.with_names(coverage.funnel(st, "county_code"), areas, lang="en"), lang="en")
    assert list(en["County"]) == ["Xiangcheng", "Yunxiao"] and en["Coverage rate"].tolist() == ["66.7%", "0.0%"]
