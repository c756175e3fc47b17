"""Report sections (report_sections.py) on the demo data, without kernels."""

from __future__ import annotations

import pandas as pd
import pytest

from reliefplan.reports import sections as rs
from reliefplan.core.errors import ConfigError
from reliefplan.core.privacy import mask_id


@pytest.fixture(scope="module")
def city():
    return rs.load_context(None, None, lang="zh")


@pytest.fixture(scope="module")
def unit():
    return rs.load_context(None, "350603", year=2027, lang="zh")


def test_unknown_unit_and_wrong_year_are_clear_errors():
    with pytest.raises(ConfigError) as err:
        rs.load_context(None, "350699")
    assert "350699" in err.value.message() and "350602 芗城区" in err.value.message()
    with pytest.raises(ConfigError) as err:
        rs.load_context(None, "350602", year=2026)
    assert "2026" in err.value.message() and "2027" in err.value.message()
    with pytest.raises(ConfigError):
        rs.load_context(None, "350602", lang="fr")


def test_unit_holds_only_its_own_people(unit):
    assert len(unit.registry) and unit.registry["area_code"].str.startswith("350603").all()
    people = rs.register_people(unit)
    assert len(people) and people.index.isin(unit.registry.index).all()
    gaps = unit.coverage.gaps
    assert gaps["county_code"].eq("350603").all()


def test_units_add_up_to_the_city_to_the_fen(city):
    """Every figure the unit reports record sums to the city figure exactly (the roll-up's check)."""
    def unit_ctx(code):
        ctx = rs.ReportContext(city.plan, unit_code=code)
        for shared in ("inputs", "eligibility", "beneficiaries", "budgets"):   # loaded once, like a warm kernel
            ctx.__dict__[shared] = getattr(city, shared)
        return ctx

    figures = {code: rs.unit_figures(unit_ctx(code)) for code in city.units["code"]}
    total = rs.city_figures(city)
    for key in rs.RECONCILE_FIGURES:
        assert sum(f[key] for f in figures.values()) == total[key], key
    assert total["total_fen"] == city.baseline.total_fen
    rec = rs.reconciliation(city, figures)
    assert rec.reconciled and not rec.missing and not rec.mismatched
    assert rec.sum_of_units_fen == rec.city_total_fen == city.baseline.total_fen
    assert rec.figures["match"].all() and rec.units["match"].all()
    section = rs.reconciliation_section(city, rec)
    assert "完全一致, 精确到分" in section.blocks[0]


def test_reconciliation_reports_missing_and_mismatched_units(city, unit):
    figures = rs.unit_figures(unit)
    rec = rs.reconciliation(city, {"350603": figures})
    assert not rec.reconciled and "350602" in rec.missing and not rec.mismatched
    assert "尚无当前报告" in rs.reconciliation_section(city, rec).blocks[0]
    wrong = dict(figures, total_fen=figures["total_fen"] + 1)        # one fen off
    rec = rs.reconciliation(city, {"350603": wrong})
    assert "350603" in rec.mismatched and not rec.reconciled
    assert "不一致" in rs.reconciliation_section(city, rec).blocks[0]
    with pytest.raises(ConfigError):
        rs.assert_reconciled(rec)


def test_sections_have_tables_and_figures(unit):
    for fn in (rs.profile, rs.past_campaigns, rs.budget_section, rs.coverage_section, rs.timeline_block):
        section = fn(unit)
        assert section.title and section.tables(), fn.__name__
    assert rs.profile(unit).figures() and rs.budget_section(unit).figures()
    budget = rs.budget_section(unit).tables()[0]
    assert budget["scenario"].tolist() == list(unit.budgets)      # every scenario of the plan
    assert budget["diff_fen"].iloc[0] == 0


def test_followup_list_is_masked(unit):
    section = rs.followup_list(unit)
    text = " ".join(df.to_string() for df in section.tables())
    raw_ids = unit.registry["id_number"]
    assert not any(i in text for i in raw_ids)
    assert not any(p in text for p in unit.registry["phone"].dropna() if len(p) == 11)
    assert any(mask_id(i) in text for i in raw_ids)


def test_display_frame_formats_money_rates_and_years():
    df = pd.DataFrame({"year": [2026], "total_fen": [123456], "coverage_rate": [0.5], "persons": [1234],
                       "county_code": ["350602"]})
    shown = rs.display_frame(df)
    assert shown.iloc[0].tolist() == ["2026", "1,234.56", "50.0%", "1,234", "350602"]
    assert "合计(元)" in shown.columns
    html = rs.table_html(pd.DataFrame({"unit_name": ["<script>x</script>"]}))
    assert "<script>" not in html


def test_attachments_for_a_unit(unit):
    files = rs.attachment_files(unit)
    assert sorted(files) == ["350603_龙文区_汇总表.xlsx", "350603_龙文区_登记表.xlsx"]
    assert all(data[:2] == b"PK" for data in files.values())


def test_the_summary_and_its_count_table_agree_on_the_planned_recipients(unit):
    """拟慰问 in the key figures is the budget's recipients; the 口径 table says the same and tells eligible listings apart."""
    from reliefplan.reports.summary import count_meanings, unit_summary

    lines = unit.unit_lines()
    paid = int(lines["recipients"].sum())
    meanings = count_meanings(unit)
    figures = list(meanings["count_figure"])
    assert f"拟慰问 {paid:,}户(人)次" in figures
    listed = int(unit.beneficiaries.index.isin(unit.registry.index).sum())
    assert f"符合条件 {listed:,}人次" in figures
    keys = next(b for b in unit_summary(unit).blocks if isinstance(b, pd.DataFrame))
    planned = keys.loc[keys.iloc[:, 0] == "拟慰问"].iloc[0, 1]
    assert planned.startswith(f"{paid:,}户(人)次")
    found = next(b for b in unit_summary(unit).blocks if hasattr(b, "findings")).findings
    multi = [f for f in found if f.rule == "multi_listed"]
    assert not multi or "就高慰问一次" in multi[0].zh   # the demo plan's per_person_rule: highest_once


@pytest.fixture(scope="module")
def township_plan(tmp_path_factory):
    """The demo plan with report_units [counties, townships] (its data files linked beside it)."""
    from pathlib import Path

    folder = tmp_path_factory.mktemp("townships")
    data = Path(__file__).resolve().parents[1] / "data"
    for item in data.iterdir():
        if item.name != "plan_2027.yaml":
            (folder / item.name).symlink_to(item)
    text = (data / "plan_2027.yaml").read_text(encoding="utf-8")
    plan_file = folder / "plan_2027.yaml"
    plan_file.write_text(text.replace("\nreport_units: counties", "\nreport_units: [counties, townships]", 1),
                         encoding="utf-8")
    return plan_file


def test_township_reports_have_their_share_of_the_county_budget_to_the_fen(township_plan):
    """report_units [counties, townships]: each township's budget is its people's, and they add up to the county."""
    county = rs.load_context(township_plan, "350602", rollup=True)
    towns = list(county.units["code"])
    assert len(towns) >= 5 and all(len(c) == 9 for c in towns)
    figures = {}
    for code in towns:
        ctx = rs.ReportContext(county.plan, unit_code=code)
        for shared in ("inputs", "eligibility", "beneficiaries", "budgets"):
            ctx.__dict__[shared] = getattr(county, shared)
        figures[code] = rs.unit_figures(ctx)
        if len(ctx.registry):
            assert figures[code]["total_fen"] > 0, code       # a township with people has a budget
    assert sum(f["total_fen"] for f in figures.values()) == int(county.unit_lines()["total_fen"].sum()) > 0
    rec = rs.reconciliation(county, figures)
    assert rec.reconciled and not rec.mismatched
    table = rs.units_table(county)
    assert table["total_fen"].sum() == rec.city_total_fen and (table["total_fen"] > 0).sum() >= 5


def test_a_rollups_pool_table_holds_its_own_units_only(city, township_plan):
    """Each pool by the units directly below the roll-up, with a 合计 equal to the roll-up's budget, to the fen."""
    from reliefplan.models import allocation
    from reliefplan.reports.rollup import rollup_pools

    table, ok = rollup_pools(city, allocation.allocate(city.plan, city.beneficiaries))
    assert ok and list(table["unit_code"][:-1]) == sorted(city.units["code"])
    assert table["total_fen"].iloc[-1] == city.baseline.total_fen
    county = rs.load_context(township_plan, "350602", rollup=True)   # townships: finer than the pools
    table, ok = rollup_pools(county, allocation.allocate(county.plan, county.beneficiaries))
    assert ok and list(table["unit_code"]) == ["350602", "合计"] and table["unit_name"].iloc[0] == "芗城区"
    assert table["total_fen"].iloc[-1] == int(county.unit_lines()["total_fen"].sum())


def test_the_unit_timeline_shows_its_people_by_delivery_mode(unit):
    """The demo plan pays most groups by transfer: the unit's schedule part says how many of its people each mode
    reaches and how many are visited, counting only the unit's people."""
    from reliefplan.models import schedule as schedule_mod

    blocks = rs.timeline_block(unit).blocks
    heading = next(i for i, b in enumerate(blocks) if getattr(b, "text", None) == "发放方式与上门走访人数")
    table = blocks[heading + 1]
    part = schedule_mod.restrict(unit.timeline["raw"]["schedule"], unit.unit_code)
    assert len(table) == len(part.by_delivery) >= 2
    assert table.iloc[:, 1].astype(str).str.replace(",", "").astype(int).sum() == int(part.by_delivery["people"].sum())
    assert "转账(社会化发放)" in set(table.iloc[:, 0])
