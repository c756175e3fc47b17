"""Delivery modes: only visits enter the schedule; "reached" counted by mode in the coverage funnel.

Hand-worked: 低保 paid by transfer, 特困 visited, 留守儿童 at a collective
distribution; one representative visit per township, highest priority first
(categories.csv: tekun 1, dibao 2, liushou_child 5).
"""

import pandas as pd
import pytest

from reliefplan.core.errors import ConfigError, InputError
from reliefplan.core.paths import demo_path
from reliefplan.models import coverage, delivery, schedule
from reliefplan.views import schedule_tables


def plan(**extra):
    p = {"name": "测试", "year": 2027, "calendar": {"working_days": False},
         "_files": {"categories": demo_path("categories.csv")},   # the demo categories, named
         "categories": {"tekun": {"delivery": "上门走访"}, "dibao": {"delivery": "转账"},
                        "liushou_child": {"delivery": "collective"}},
         "visit_days": {"start": "2027-01-12", "end": "2027-01-13"},
         "teams": [{"name": "一组", "areas": ["350602"], "visits_per_slot": 5}]}
    p.update(extra)
    return p


def registry():
    rows = [("a", "350602001", "dibao"), ("b", "350602001", "tekun"), ("c", "350602001", "liushou_child"),
            ("d", "350602001", "dibao"), ("e", "350602002", "liushou_child"), ("f", "350602002", "dibao"),
            ("g", "350602002", "liushou_child")]
    return pd.DataFrame(rows, columns=["person_key", "area_code", "category"])


def test_only_visits_are_scheduled():
    s = schedule.build_schedule(plan(), registry())
    assert list(s.assigned["person_key"]) == ["b"]
    assert sorted(s.not_visited["person_key"]) == ["a", "c", "d", "e", "f", "g"]
    assert s.unassigned.empty                       # paid by transfer is not "not scheduled"
    counts = s.by_delivery.set_index("delivery")
    assert counts.loc["transfer"].tolist() == [3, 0] and counts.loc["visit"].tolist() == [1, 1]
    assert counts.loc["collective"].tolist() == [3, 0]


def test_representative_visits_n_per_township_highest_priority_first():
    p = plan(delivery={"representative_visits": {"per": "township", "count": 1, "order": "priority"}})
    s = schedule.build_schedule(p, registry())
    # township 001: 低保 a (priority 2, first listed) before d and 留守儿童 c; township 002: 低保 f
    assert sorted(s.assigned["person_key"]) == ["a", "b", "f"]
    reps = s.assigned[s.assigned["representative"]]
    assert sorted(reps["person_key"]) == ["a", "f"] and set(reps["delivery"]) == {"transfer"}
    assert s.by_delivery.set_index("delivery").loc["transfer", "to_visit"] == 2
    sheet = schedule_tables.team_sheet(s, "一组")
    assert "代表性走访(转账(社会化发放))" in set(sheet["走访说明"])
    # restricted to a unit, the counts are the unit's
    part = schedule.restrict(s, "350602002")
    assert part.by_delivery.set_index("delivery")["people"].to_dict() == {"transfer": 1, "collective": 2}
    # choose only among given categories, by registry order
    p["delivery"]["representative_visits"].update(count=2, order="registry", categories=["liushou_child"])
    s = schedule.build_schedule(p, registry())
    assert sorted(s.assigned["person_key"]) == ["b", "c", "e", "g"]


def test_without_delivery_settings_everyone_is_visited():
    p = plan(categories={"tekun": {}, "dibao": {}, "liushou_child": {}})
    s = schedule.build_schedule(p, registry())
    assert len(s.assigned) == 7 and s.not_visited.empty
    assert s.by_delivery["delivery"].tolist() == ["visit"]
    assert not schedule_tables.needs_delivery_table(s)


def test_registry_column_overrides_the_category():
    reg = registry().assign(delivery=["上门走访", "", None, "", "", "", ""])
    s = schedule.build_schedule(plan(), reg)
    assert sorted(s.assigned["person_key"]) == ["a", "b"]
    bad = registry().assign(delivery=["邮寄", "", "", "", "", "", ""], source_row=range(2, 9))
    with pytest.raises(InputError) as err:
        schedule.build_schedule(plan(), bad)
    assert err.value.row == 2 and "邮寄" in str(err.value)


@pytest.mark.parametrize("change, field", [
    ({"categories": {"dibao": {"delivery": "邮寄"}}}, "categories.dibao.delivery"),
    ({"delivery": {"default": "飞鸽"}}, "delivery.default"),
    ({"delivery": {"representative_visits": {"per": "village", "count": 1}}}, "delivery.representative_visits.per"),
    ({"delivery": {"representative_visits": {"count": 0}}}, "delivery.representative_visits.count"),
    ({"delivery": {"representative_visits": {"count": 1, "categories": ["orphan"]}}},
     "delivery.representative_visits.categories"),
])
def test_bad_delivery_settings_name_the_field(change, field):
    with pytest.raises(ConfigError) as err:
        delivery.category_modes(plan(**change)) if "categories" in change else delivery.plan_spec(plan(**change))
    assert err.value.column == field


def test_funnel_counts_reached_by_mode():
    status = pd.DataFrame({
        "category": ["dibao", "dibao", "liushou_child", "liushou_child", "tekun", "tekun"],
        "registered": True, "eligible": True, "planned": True,
        # a: transfer paid, no signature; b: transfer, nothing paid; c: collective signed;
        # d: collective, receipt not signed; e: visit signed; f: visit, not signed
        "visited": [True, False, True, True, True, True],
        "reached": [False, False, True, False, True, False],
        "visited_unsigned": [True, False, False, True, False, True],
        "received_fen": [50000, 0, 20000, 20000, 80000, 80000],
    })
    s = coverage.apply_delivery(status, plan())
    assert s["delivery"].tolist() == ["transfer", "transfer", "collective", "collective", "visit", "visit"]
    t = coverage.totals(s)
    assert (t["reached"], t["reached_paid"], t["reached_signed"], t["reached_visited"]) == (3, 1, 1, 1)
    assert t["visited_unsigned"] == 2                   # d and f; a transfer needs no signature
    assert t["exclusion"] == 3 and t["coverage_rate"] == 0.5
    by = coverage.funnel(s, "category").set_index("category")
    assert by.loc["dibao", "reached_paid"] == 1 and by.loc["tekun", "reached_visited"] == 1
    # a plan without delivery modes: everyone visited, reached = signed, as before
    old = coverage.apply_delivery(status, plan(categories={"tekun": {}, "dibao": {}, "liushou_child": {}}))
    assert coverage.totals(old)["reached"] == 2 == coverage.totals(old)["reached_visited"]
