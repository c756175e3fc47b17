"""Tests of the synthetic demo data generator and the committed demo files."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from reliefplan.demo import generate as d
from reliefplan.core import ids, paths
from reliefplan.core.paths import demo_path
from reliefplan.ingest import reference as loaders
from reliefplan.ingest.plan import load_plan
from reliefplan.ingest.registry import read_registry
from reliefplan.models import allocation, budget, eligibility
DATA = paths.REPO_ROOT / "data"
DEMO_FILES = ("registry.csv", "registry_flawed.xlsx", "campaign_history.csv", "visits.csv",
              "registry_changes.csv")


@pytest.fixture(scope="module")
def inputs():
    return d.load_inputs(DATA)


@pytest.fixture(scope="module")
def listings(inputs):
    return d.generate_listings(d.DEMO_ROWS, d.SEED, inputs)


@pytest.fixture(scope="module")
def registry():
    return pd.read_csv(DATA / "registry.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    d.write_demo_set(out, d.SEED, data_dir=DATA)
    return out


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------
# ID numbers
# ---------------------------------------------------------------------------
def test_check_chars_match_gb11643_reference():
    # 11010519491231002X is the standard's own example number.
    assert d.check_chars(np.array([11010519491231002]))[0] == "X"
    rng = np.random.default_rng(1)
    first17 = rng.integers(10 ** 16, 10 ** 17, 2000)
    expected = [ids.check_char(str(x)) for x in first17]
    assert d.check_chars(first17).tolist() == expected


def test_make_ids_unique_even_when_crowded():
    rng = np.random.default_rng(2)
    n = 3000                          # 3,000 people on one birth date in one county: 1,000 sequence codes
    prefixes = np.full(n, 350602)
    births = np.full(n, np.datetime64("1980-01-01"))
    male = np.arange(n) % 2 == 0
    with pytest.raises(RuntimeError):
        d.make_ids(rng, prefixes, births, male)
    out = d.make_ids(rng, prefixes[:400], births[:400], male[:400])
    assert len(set(out)) == 400
    assert all(int(x[16]) % 2 == (1 if m else 0) for x, m in zip(out, male[:400]))


# ---------------------------------------------------------------------------
# Determinism and the committed files
# ---------------------------------------------------------------------------
def test_same_seed_same_bytes(generated, tmp_path):
    d.write_demo_set(tmp_path, d.SEED, data_dir=DATA)
    for name in DEMO_FILES:
        assert _sha(tmp_path / name) == _sha(generated / name), name


def test_other_seed_other_registry(inputs):
    a = d.generate_registry(300, 1, inputs)
    b = d.generate_registry(300, 2, inputs)
    assert not a.equals(b)


def test_committed_demo_files_are_the_generator_output(generated):
    stale = [name for name in DEMO_FILES if _sha(DATA / name) != _sha(generated / name)]
    assert not stale, f"data/ is stale for {stale}: run `.venv/bin/reliefplan demo-data` and commit"


# ---------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------
def test_registry_shape_and_encoding(registry):
    raw = (DATA / "registry.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert list(registry.columns) == list(d.REGISTRY_HEADERS)
    assert len(registry) == d.DEMO_ROWS


def test_registry_ids_valid(registry):
    id_col = registry["身份证号"]
    assert id_col.str.fullmatch(r"[0-9]{17}[0-9X]").all()
    assert all(ids.check_char(x[:17]) == x[17] for x in id_col)
    checked = ids.validate_ids(id_col)
    assert checked["ok"].all() and checked["warning"].isna().all()


def test_duplicate_organizer_share(registry):
    per_id = registry.groupby("身份证号")["填报单位"].agg(["size", "nunique"])
    assert (per_id["size"] == per_id["nunique"]).all()       # never twice by the same organizer
    assert per_id["size"].max() == 2
    share = (per_id["size"] == 2).mean()
    assert 0.03 <= share <= 0.05
    assert not registry.duplicated(["身份证号", "填报单位"]).any()


def test_registry_values_plausible(registry, inputs):
    cats = pd.read_csv(DATA / "categories.csv", dtype=str)
    assert set(registry["困难类别"]) <= set(cats["zh"])
    counts = registry["困难类别"].value_counts()
    assert counts.idxmax() == "低保户" and counts["孤儿"] < counts["低保户"] / 10
    assert set(registry["区划代码"]) <= set(inputs.townships["code"])
    assert registry["联系电话"].str.fullmatch(r"(1[3-9][0-9]{9})?").all()
    assert registry["填报单位"].str.fullmatch(r".+[区县](民政局|总工会|残联|教育局|社区居委会|人社局|退役军人事务局)").all()
    assert not registry["困难类别"].str.contains("下岗").any()       # current terms
    assert (registry["家庭人口"].astype(int) >= 1).all()
    assert (registry["家庭人均月收入"].astype(int) >= 0).all()
    # flags follow the categories; a diagnosis exactly for the seriously ill
    assert (registry.loc[registry["困难类别"] == "困难残疾人", "是否残疾"] == "是").all()
    assert (registry.loc[registry["困难类别"] == "重病患者", "是否重病"] == "是").all()
    assert ((registry["病情"] != "") == (registry["是否重病"] == "是")).all()


def test_ages_follow_categories(listings):
    age = listings.set_index("category")["age"]
    assert age.loc["orphan"].max() <= 19 and age.loc["liushou_child"].max() <= 17
    assert age.loc["gugua_elder"].min() >= 55 and age.loc["kongchao_elder"].min() >= 65
    assert age.loc["retired_teacher"].min() >= 60
    # the birth date in the ID is the person's birth date
    births = pd.to_datetime(listings["id_number"].str.slice(6, 14), format="%Y%m%d")
    assert (births.to_numpy() == pd.to_datetime(listings["birth_date"]).to_numpy()).all()


def test_registry_has_registered_but_not_eligible(listings):
    eligible = d.shaped_eligible(listings)
    assert 0.75 < eligible.mean() < 0.95


def test_shaping_agrees_with_eligibility_module(listings):
    from reliefplan.ingest import reference as loaders
    from reliefplan.ingest.plan import load_plan

    reg = listings[["id_number", "area_code", "county_code", "category", "income_fen", "disabled",
                    "seriously_ill"]].copy()
    reg["birth_date"] = pd.to_datetime(listings["birth_date"])
    result = eligibility.assess(reg, load_plan(), loaders.load_dibao(demo_path("dibao_standards.csv")),
                                loaders.load_areas(demo_path("areas.csv")))
    assert (result["eligible"].to_numpy() == d.shaped_eligible(listings)).all()


# ---------------------------------------------------------------------------
# History, visits, changes
# ---------------------------------------------------------------------------
def test_history_mismatches_are_exactly_the_planned_ones():
    h = pd.read_csv(DATA / "campaign_history.csv", dtype={"area_code": str})
    assert list(h.columns) == list(d.HISTORY_COLUMNS)
    assert sorted(h["year"].unique()) == list(d.HISTORY_YEARS)
    off = h[h["stated_total_yuan"] != h["cash_yuan"] + h["goods_yuan"] + h["overhead_yuan"]]
    keys = set(off[["year", "organizer", "area_code", "category", "funding_source"]].itertuples(index=False,
                                                                                                 name=None))
    assert keys == set(d.HISTORY_MISMATCHES)
    # a transposed pair of digits keeps the digits
    row = off[off["year"] == 2019].iloc[0]
    computed = row["cash_yuan"] + row["goods_yuan"] + row["overhead_yuan"]
    assert sorted(str(row["stated_total_yuan"])) == sorted(str(computed))


def test_history_trends():
    h = pd.read_csv(DATA / "campaign_history.csv", dtype={"area_code": str})
    by_year = h.groupby("year")["households"].sum()
    assert by_year[2026] > by_year[2019] and by_year[2022] < by_year[2020]
    dibao = h[h["category"] == "dibao"].groupby("year")[["cash_yuan", "households"]].sum()
    per_hh = dibao["cash_yuan"] / dibao["households"]
    assert per_hh.is_monotonic_increasing and per_hh[2026] > per_hh[2019]
    assert set(h["funding_source"]) == {"财政", "工会经费", "社会募捐", "单位自筹"}
    assert set(h["organizer"]) == {"民政局", "总工会"}


def test_history_ends_at_the_demo_plans_standards():
    # The demo plan's baseline is 维持 (keep the standards): its fixed standards are the 2026 campaign's, so the
    # baseline budget and the 2026 spending differ by the number of households, not by a hidden change of standard.
    h = pd.read_csv(DATA / "campaign_history.csv", dtype={"area_code": str})
    last = h[h["year"] == 2026].groupby("category")[["cash_yuan", "goods_yuan", "households"]].sum()
    fixed = {code: c for code, c in load_plan()["categories"].items() if "cash" in c}
    checked = 0
    for code, row in last.iterrows():
        if code in fixed:
            assert row["cash_yuan"] == fixed[code]["cash"] * row["households"], code
            assert row["goods_yuan"] == fixed[code]["goods"] * row["households"], code
            checked += 1
    assert checked >= 15


def test_visits_and_changes(listings):
    v = pd.read_csv(DATA / "visits.csv", dtype=str)
    c = pd.read_csv(DATA / "registry_changes.csv", dtype=str)
    assert list(v.columns) == list(d.VISITS_COLUMNS) and list(c.columns) == list(d.CHANGES_COLUMNS)
    assert set(v["campaign_year"]) == {"2025", "2026"}
    for year, festival in ((2025, d.SPRING_FESTIVAL[2025]), (2026, d.SPRING_FESTIVAL[2026])):
        dates = pd.to_datetime(v.loc[v["campaign_year"] == str(year), "visit_date"]).dt.date
        assert dates.min() >= festival - dt.timedelta(days=30) and dates.max() < festival
    assert v["team"].str.fullmatch(r"第[一二三四五]慰问组").all()
    assert 0.01 < (v["signed"] == "否").mean() < 0.1

    eligible = d.shaped_eligible(listings)
    key = listings["id_number"] + "|" + listings["organizer"]
    v26 = v[v["campaign_year"] == "2026"]
    reached = key.isin(v26["id_number"] + "|" + v26["organizer"]).to_numpy()
    assert 0.8 < reached[eligible].mean() < 0.95          # most eligible reached, some missed
    assert 0 < reached[~eligible].sum() < 0.03 * len(v26)  # a few reached who are not eligible

    ids25 = set(v.loc[v["campaign_year"] == "2025", "id_number"])
    ids26 = set(v26["id_number"])
    gone = ids25 - ids26
    assert set(c["id_number"]) <= gone                     # every change explains a 2025-not-2026 gap
    assert len(gone - set(c["id_number"])) > 0             # the rest were missed
    assert set(c["reason"]) == {"moved", "died", "no_longer_eligible"}
    in_registry = set(listings["id_number"])
    left = c[c["reason"].isin(["moved", "died"])]["id_number"]
    assert not set(left) & in_registry
    lost = c[c["reason"] == "no_longer_eligible"]["id_number"]
    assert set(lost) <= in_registry
    assert not eligible[listings["id_number"].isin(lost).to_numpy()].any()


def test_visit_amounts_follow_standards():
    v = pd.read_csv(DATA / "visits.csv", dtype={"cash_yuan": int, "goods_yuan": int})
    per_cat = v.groupby(["campaign_year", "category"])[["cash_yuan", "goods_yuan"]].nunique()
    assert (per_cat == 1).all().all()
    cash = v.groupby(["category", "campaign_year"])["cash_yuan"].first().unstack()
    assert (cash[2026] >= cash[2025]).all()


def test_demo_files_load_with_the_loaders(demo_categories):
    assert len(loaders.load_history(DATA / "campaign_history.csv", categories=demo_categories)) > 1000
    visits = loaders.load_visits(DATA / "visits.csv", categories=demo_categories)
    assert visits["signed"].dtype == bool and visits["cash_fen"].dtype == np.int64
    assert len(loaders.load_registry_changes(DATA / "registry_changes.csv")) > 0


# ---------------------------------------------------------------------------
# The large generator and the CLI
# ---------------------------------------------------------------------------
def test_large_generator_10000_rows(inputs, tmp_path):
    frame = d.generate_registry(10_000, 7, inputs)
    assert len(frame) == 10_000
    first17 = frame["身份证号"].str.slice(0, 17).astype("int64").to_numpy()
    assert (d.check_chars(first17) == frame["身份证号"].str.slice(17).to_numpy()).all()
    assert not frame.duplicated(["身份证号", "填报单位"]).any()
    share = frame["身份证号"].duplicated().sum() / frame["身份证号"].nunique()
    assert 0.035 < share < 0.045
    path = d.write_registry(frame, tmp_path / "big.csv", chunk=3000)
    back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert back.equals(frame.astype(str))


def test_large_generator_xlsx(inputs, tmp_path):
    from python_calamine import CalamineWorkbook

    frame = d.generate_registry(1500, 3, inputs)
    path = d.write_registry(frame, tmp_path / "big.xlsx")
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[0] == list(d.REGISTRY_HEADERS) and len(rows) == 1501
    assert [r[1] for r in rows[1:]] == frame["身份证号"].tolist()      # IDs stay text


@pytest.mark.slow
def test_cli_demo_data(tmp_path):
    exe = [sys.executable, "-m", "reliefplan"]
    out = tmp_path / "r.csv"
    done = subprocess.run([*exe, "demo-data", "--rows", "2000", "--out", str(out), "--seed", "5"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(pd.read_csv(out, dtype=str, encoding="utf-8-sig")) == 2000
    done = subprocess.run([*exe, "demo-data", "--out-dir", str(tmp_path / "set")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for name in DEMO_FILES:
        assert _sha(tmp_path / "set" / name) == _sha(DATA / name), name
    bad = subprocess.run([*exe, "demo-data", "--rows", "0"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2
    missing = subprocess.run([*exe, "demo-data", "--data-dir", str(tmp_path / "nowhere")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "areas.csv" in missing.stderr


# ---------------------------------------------------------------------------
# Through the registry reader
# ---------------------------------------------------------------------------
def test_demo_registry_reads_with_zero_rejections(demo_inputs):
    result = read_registry(DATA / "registry.csv", areas=demo_inputs.areas, categories=demo_inputs.categories)
    assert len(result.rejected) == 0
    assert len(result.accepted) == d.DEMO_ROWS


def test_flawed_registry_rejections(demo_inputs):
    result = read_registry(DATA / "registry_flawed.xlsx", areas=demo_inputs.areas, categories=demo_inputs.categories)
    assert result.rows_read == d.FLAWED_DATA_ROWS == len(result.accepted) + len(result.rejected)
    expected = {d.FLAWED_FIRST_DATA_ROW + k - 1: flaw for k, (flaw, fate) in d.FLAWED_ROWS.items()
                if fate == "reject"}
    got = dict(zip(result.rejected["row"].astype(int), result.rejected["reason_code"]))
    assert set(got) == set(expected)
    codes = {"bad_checksum": "id_bad_checksum", "id_as_number": "id_excel_number",
             "unknown_category": "unknown_category", "unknown_area_code": "unknown_area",
             "negative_income": "negative_number", "text_household_size": "not_a_number",
             "duplicate_id_same_organizer": "duplicate_id", "missing_name": "missing_value",
             "bad_birth_date": "id_bad_birth_date"}
    assert {row: codes[flaw] for row, flaw in expected.items()} == got
    accepted = result.accepted.set_index("source_row")
    for k, (flaw, fate) in d.FLAWED_ROWS.items():
        if fate == "accept":
            person = accepted.loc[d.FLAWED_FIRST_DATA_ROW + k - 1]
            assert re.fullmatch(r"[0-9]{17}[0-9X]", person["id_number"]), flaw
            assert person["name"] == person["name"].strip(), flaw


# ---------------------------------------------------------------------------
# The demo plan's money is tuned to the demo data
# ---------------------------------------------------------------------------
def test_plan_pools_tuned_to_the_demo_baseline(demo_inputs):
    """Every pool pays what it is asked at the plan's standards, none holds far more; 提标10% leaves 民政 short."""
    plan = load_plan()
    assert not plan.get("contingency_pct") and plan.get("budget_cap") is None   # the pools are the limits
    reg = demo_inputs.registry
    assessed = eligibility.assess(reg, plan, demo_inputs.dibao, demo_inputs.areas)
    keep = assessed["eligible"].to_numpy(dtype=bool)
    eligible = reg[keep].assign(dibao_fen=assessed["dibao_fen"][keep].to_numpy())
    ben = budget.beneficiaries_from_registry(eligible, None, plan=plan)
    pools = allocation.allocate(plan, ben).extra["pools"].set_index("source")
    assert (pools["short_fen"] == 0).all()
    assert (pools["left_fen"] < pools["amount_fen"] // 4).all()          # a modest balance in each
    raised = allocation.allocate(plan, ben, scenario="提标10%").extra["pools"].set_index("source")
    assert raised.loc["民政救助资金", "short_fen"] > 0
    assert raised.loc["福彩公益金", "left_fen"] > 0      # money left in one pool does not fill another's gap
