"""No silent wrong money: every malformed plan of the corpus is refused with the field named, up front."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from malformed_corpus import PLAN_CASES, demo_plan_text, write_plan
from reliefplan.core.errors import ConfigError
from reliefplan.ingest import plan_schema
from reliefplan.ingest.plan import load_plan


def run_cli(*args, timeout=120):
    proc = subprocess.run([sys.executable, "-m", "reliefplan", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def test_demo_plan_conforms():
    plan = load_plan()
    assert plan_schema.check_plan({k: v for k, v in plan.items() if not k.startswith("_")}) == []


@pytest.mark.parametrize("case", PLAN_CASES, ids=[c.name for c in PLAN_CASES])
def test_malformed_plan_is_refused(case, tmp_path):
    path = write_plan(tmp_path, case.edit)
    start = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        load_plan(path)
    assert time.perf_counter() - start < 5          # alias bombs are refused, not expanded
    err = info.value
    text = err.message()
    assert err.file == str(path)
    if case.column:
        assert err.column == case.column, text
        assert case.column in text
        assert err.row is not None                   # the YAML line of the field
    for fragment in case.fragments:
        assert fragment in text, text


def test_every_problem_is_listed_at_once(tmp_path):
    def edit(text):
        return text + "\nbudget_cpa: 3300000\ncontingency_pct: 300\n"
    with pytest.raises(ConfigError) as info:
        load_plan(write_plan(tmp_path, edit))
    text = info.value.message()
    assert "方案有 2 处问题" in text and "the plan has 2 problems" in text
    assert "budget_cpa" in text and "contingency_pct" in text


def test_unquoted_and_quoted_impossible_dates_say_the_same():
    by_name = {c.name: c for c in PLAN_CASES}
    messages = []
    for name in ("unquoted_impossible_date", "quoted_impossible_date"):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as folder:
            with pytest.raises(ConfigError) as info:
                load_plan(write_plan(Path(folder), by_name[name].edit))
            messages.append((info.value.zh, info.value.en, info.value.column))
    assert messages[0] == messages[1]


def test_bounds_keep_the_worst_total_inside_int64():
    # the largest allowed per-head amount, for 100 million people, in fen, still fits an int64
    assert plan_schema.PER_HEAD_MAX * 100 * 10 ** 8 * 10 < 2 ** 63
    assert plan_schema.POOL_MAX * 100 * 1000 < 2 ** 63          # a thousand funding pools at the ceiling


def test_schema_nearest_key_and_field_names():
    assert plan_schema.nearest_key("cashh", ["cash", "goods"]) == "cash"
    assert plan_schema.nearest_key("zzz", ["cash", "goods"]) is None
    assert plan_schema.field_name(("overheads", 0, "amount")) == "overheads[0].amount"


@pytest.mark.parametrize("verb", ["budget", "schedule", "coverage"])
def test_cli_exits_2_naming_the_key(verb, tmp_path):
    by_name = {c.name: c for c in PLAN_CASES}
    path = write_plan(tmp_path, by_name["typo_cashh"].edit)
    code, _, err = run_cli(verb, "--plan", path)
    assert code == 2, err
    assert "categories.tekun.cashh" in err and "did you mean `cash`?" in err and "Traceback" not in err


def test_cli_unquoted_impossible_date_is_a_message_not_a_traceback(tmp_path):
    by_name = {c.name: c for c in PLAN_CASES}
    path = write_plan(tmp_path, by_name["unquoted_impossible_date"].edit)
    code, _, err = run_cli("budget", "--plan", path)
    assert code == 2 and "phases[0].start" in err and "Traceback" not in err, err


def test_report_refuses_a_bad_plan_before_any_kernel(tmp_path):
    # a team without visits_per_slot (and no default): the schedule of every unit would fail;
    # the preflight finds it once, before any kernel
    path = write_plan(tmp_path, lambda text: text.replace(", visits_per_slot: 25}", "}", 1))
    out = tmp_path / "out"
    code, stdout, err = run_cli("report", "--plan", path, "--out", out, "--no-progress", timeout=120)
    assert code == 2, (stdout, err)
    assert "teams[2].visits_per_slot" in err and "Traceback" not in err
    assert not (out / "2027").exists()             # nothing started, nothing written


# ------------------------------------------------------------------ missing reference data

@pytest.fixture(scope="module")
def plan_without_yunxiao_dibao(tmp_path_factory):
    """The demo plan whose 低保 table lacks 云霄县 (350622): its people cannot be assessed against 低保."""
    import re

    from reliefplan.core import paths

    folder = tmp_path_factory.mktemp("nodibao")
    dibao = paths.demo_path("dibao_standards.csv").read_text(encoding="utf-8").splitlines()
    (folder / "dibao.csv").write_text("\n".join(l for l in dibao if not l.startswith("350622,")) + "\n",
                                      encoding="utf-8")
    return write_plan(folder, lambda t: re.sub(r"(?m)^  dibao: \S+", f"  dibao: {folder / 'dibao.csv'}", t))


def test_missing_dibao_is_printed_by_the_cli(plan_without_yunxiao_dibao):
    code, out, err = run_cli("budget", "--plan", plan_without_yunxiao_dibao, timeout=180)
    assert code in (0, 1) and "Traceback" not in err, err
    assert "350622 云霄县" in err and "低保标准表缺少" in err and "no standard in force" in err


def test_missing_dibao_heads_the_affected_reports_only(plan_without_yunxiao_dibao):
    from reliefplan.reports import sections as rs

    def alerts(unit):
        ctx = rs.load_context(plan_without_yunxiao_dibao, unit, lang="zh")
        return [b.text for b in rs.title_block(ctx).blocks if isinstance(b, rs.Alert)]

    affected = alerts("350622")
    assert len(affected) == 1 and "350622 云霄县" in affected[0] and "不计入预算" in affected[0]
    assert alerts(None) and "350622" in alerts(None)[0]          # the roll-up
    assert alerts("350602") == []                                   # a complete county: no alarm
    html = rs.alert_html("<b>x</b>")
    assert "rp-alert" in html and "<b>" not in html


def test_schema_report_units_words_are_the_levels_the_loader_reads():
    from reliefplan.ingest.units import LEVELS

    assert set(plan_schema.REPORT_LEVELS) == set(LEVELS)


@pytest.mark.parametrize("extra", [
    {"report_units": ["cities", "counties"]},
    {"report_units": ["350602", "350603"]},
    {"pdf": True},
    {"plan_doc": True},
    {"cluster": {"plan_dir_on_workers": "/shared/plan"}},
])
def test_schema_accepts_mains_plan_keys(extra):
    plan = {k: v for k, v in load_plan().items() if not k.startswith("_")}
    assert plan_schema.check_plan({**plan, **extra}) == []


@pytest.mark.parametrize("extra, where", [
    ({"report_units": ["cities", "galaxies"]}, "report_units[1]"),
    ({"pdf": "yes"}, "pdf"),
    ({"plan_doc": 1}, "plan_doc"),
    ({"cluster": {"plan_dir_on_worker": "/x"}}, "cluster.plan_dir_on_worker"),
])
def test_schema_refuses_wrong_new_keys(extra, where):
    plan = {k: v for k, v in load_plan().items() if not k.startswith("_")}
    problems = plan_schema.check_plan({**plan, **extra})
    assert [p.field for p in problems] == [where]


def test_a_plan_copy_given_as_text_is_checked_like_a_plan_file():
    """The what-if app reads uploaded plan copies through the same bounded reader and schema."""
    from reliefplan.ingest.plan import check_plan_text

    text = demo_plan_text()
    assert check_plan_text(text, "copy.yaml")["name"]
    with pytest.raises(ConfigError) as info:
        check_plan_text(text.replace("  - {name: 提标10%, name_en: Raise 10%, multiplier: 1.10",
                                     "  - {name: 提标10%, name_en: Raise 10%, multiplierr: 1.10"), "copy.yaml")
    assert "multiplier" in info.value.en and info.value.file == "copy.yaml"
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8))
    with pytest.raises(ConfigError):
        check_plan_text(bomb, "bomb.yaml")
