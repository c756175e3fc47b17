"""One vocabulary for labels: all registered when core.labels is imported, one column_label, one t."""

from __future__ import annotations

import subprocess
import sys

import pytest

from reliefplan.core import label_table, labels, phrase_table


def test_labels_do_not_depend_on_which_module_was_imported_first():
    code = ("from reliefplan.core import labels; "
            "print(labels.label('dibao_fen', 'en')); print(labels.label('registered_rows', 'zh')); "
            "print(labels.t('budget', 'en', year=2027))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["Dibao standard (yuan/person/month)", "登记人次",
                                "3. 2027 budget under the plan's scenarios"]


def test_one_meaning_per_key():
    seen: dict[str, tuple[str, str]] = {}
    for group in label_table.GROUPS.values():
        for key, pair in group.items():
            assert seen.setdefault(key, pair) == pair, key
    with pytest.raises(ValueError, match="already"):
        labels.register({"dibao_fen": ("别的意思", "Something else")})
    labels.register({"dibao_fen": label_table.GROUPS["models.dibao"]["dibao_fen"]})   # the same meaning is fine


def test_column_label_of_a_table_and_the_shared_one():
    assert labels.column_label("basis", "zh", table="models.reconcile") == "核算依据"
    assert labels.column_label("basis", "zh", table="models.per_head_ranges") == "依据"
    assert labels.column_label("households", "en", table="models.reconcile") == labels.label("households", "en")
    assert labels.column_label("no_such_key", "zh") == "no_such_key"


def test_t_fills_placeholders_and_phrases_are_bilingual():
    assert labels.t("report_title", "zh", unit="淇县", year=2027) == "淇县 2027年春节送温暖活动规划报告"
    for group in phrase_table.PHRASES.values():
        for key, (zh, en) in group.items():
            assert zh and en, key
