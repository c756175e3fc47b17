"""Reached last year, not this year: reasons on the coverage test world."""

from __future__ import annotations

import pandas as pd

from builders import GONE, PRIORITY, coverage_world, status_2026

from reliefplan.models import coverage
from reliefplan.models.continuity import continuity, reached_ids, reason_counts
from reliefplan.models.eligibility import assess


def test_reasons_hand_checked():
    reg, plan, dibao, areas, visits, changes = coverage_world()
    st, _ = status_2026()
    c = continuity(visits, changes, st, year=2026)
    ids = reg["id_number"]
    assert c["id_number"].tolist() == [ids[9], ids[5], ids[8], GONE]
    assert c["reason"].tolist() == ["died", "no_longer_eligible", "missed", "unknown"]
    assert c["reason_zh"].tolist() == ["死亡", "不再符合条件", "漏慰", "原因不明"]
    assert c.loc[0, "change_note"] == "2026年3月病故"
    assert c["still_listed"].tolist() == [True, True, True, False]


def test_unsigned_this_year_counts_as_missed():
    reg, plan, dibao, areas, visits, changes = coverage_world()
    extra = visits.iloc[[3]].assign(campaign_year=2025, signed=True)  # 赵六 reached in 2025
    visits = pd.concat([visits, extra], ignore_index=True)

    st = coverage.person_status(reg, assess(reg, plan, dibao, areas), visits, year=2026, priority=PRIORITY)
    c = continuity(visits, changes, st, year=2026).set_index("id_number")
    assert c.loc[reg["id_number"][3], "reason"] == "missed"
    assert c.loc[reg["id_number"][3], "visited_unsigned"]


def test_change_outside_the_window_is_ignored():
    reg, plan, dibao, areas, visits, changes = coverage_world()
    old = changes.assign(year=2020)
    st, _ = status_2026()
    c = continuity(visits, old, st, year=2026).set_index("id_number")
    assert c.loc[reg["id_number"][9], "reason"] == "no_longer_eligible"  # model_worker not in plan


def test_reason_counts_lists_every_reason():
    reg, plan, dibao, areas, visits, changes = coverage_world()
    st, _ = status_2026()
    rc = reason_counts(continuity(visits, changes, st, year=2026), lang="en")
    assert rc["reason"].tolist() == ["moved", "died", "no_longer_eligible", "missed", "unknown"]
    assert rc["people"].tolist() == [0, 1, 1, 1, 1]
    assert rc["reason_label"].iloc[0] == "moved away"


def test_reached_ids_needs_signature():
    reg, plan, dibao, areas, visits, changes = coverage_world()
    assert reg["id_number"][3] not in reached_ids(visits, 2026)
    assert len(reached_ids(visits, 2026)) == 4
