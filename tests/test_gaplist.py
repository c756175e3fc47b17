"""Masked follow-up lists: content, order, masking."""

from __future__ import annotations

import pandas as pd

from builders import small_world, status_2026

from reliefplan.models import coverage, follow_up as gaplist
from reliefplan.ingest.categories import load_categories
from reliefplan.core.paths import demo_path


def _gaps(lang="zh"):
    st, reg = status_2026()
    st = coverage.with_names(st, small_world()[3], load_categories(demo_path("categories.csv")), lang=lang)
    return gaplist.gap_list(st, lang=lang), reg


def test_gap_list_rows_and_order():
    gaps, reg = _gaps()
    # eligible not reached: 3 (unsigned), 4, 7 and 8
    assert len(gaps) == 4
    assert gaps["township_name"].tolist() == ["石亭镇", "云陵镇", "云陵镇", "莆美镇"]
    assert gaps["township_code"].tolist() == ["350602001", "350622101", "350622101", "350622102"]
    # in 云陵镇: 赵六 (孤寡老人, priority 3) before 郑十一 (困难职工, priority 4)
    assert gaps["name"].tolist() == ["吴*", "赵*", "郑*一", "钱*"]
    assert gaps["follow_up"].tolist() == ["未走访", "已走访, 待补签收", "未走访", "未走访"]


def test_gap_list_is_masked():
    gaps, reg = _gaps()
    text = gaps.to_csv() + gaplist.display_table(gaps).to_csv()
    for idn in reg["id_number"]:
        assert idn not in text
    for name in reg["name"]:
        assert name not in text
    assert "13812345678" not in text and "138****5678" in text
    assert all(len(i) == 18 and i[6:14] == "********" for i in gaps["id_number"])


def test_priority_then_income_within_township():
    st, reg = status_2026()
    st = coverage.with_names(st, small_world()[3], load_categories(demo_path("categories.csv")))
    # two eligible, unreached people in one township with the same priority: lower income first
    a = st.loc[st["id_number"] == reg["id_number"][3]].copy()
    b = a.copy()
    b["id_number"], b["income_fen"], b["name"] = "350622196202070000", 50000, "甲乙丙"
    gaps = gaplist.gap_list(pd.concat([st, b], ignore_index=True))
    town = gaps[gaps["township_code"] == "350622101"]
    assert town["name"].tolist() == ["甲*丙", "赵*", "郑*一"]


def test_by_township_and_counts_and_english():
    gaps, _ = _gaps(lang="en")
    parts = gaplist.by_township(gaps)
    assert [p[0] for p in parts] == ["350602001", "350622101", "350622102"]
    assert parts[1][1] == "Yunling" and len(parts[1][2]) == 2
    counts = gaplist.township_counts(gaps)
    assert counts["people"].tolist() == [1, 2, 1] and counts["unsigned"].tolist() == [0, 1, 0]
    table = gaplist.display_table(gaps, lang="en")
    assert "Follow-up" in table.columns and table["Follow-up"].iloc[1] == "visited, get the receipt signed"
