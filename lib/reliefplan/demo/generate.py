"""Synthetic demo data (示例数据，人员均为虚构): every person here is fictitious.

This module generates the embedded demo data set in ``data/`` from a fixed
seed, so the same seed always yields the same bytes:

- ``registry.csv``: about 6,000 registry rows (救助对象名单) across the
  townships of 漳州市, Chinese headers, UTF-8 with BOM. Names, ID numbers
  (valid GB 11643 check characters), phones and addresses are invented.
  About 4% of the people are listed by two organizers (same ID number,
  different 填报单位) so that deduplication has work; nobody is listed twice
  by the same organizer.
- ``registry_flawed.xlsx``: a small government-style 登记表 with a title row,
  merged cells and deliberately flawed rows for the validation walkthrough
  (see :data:`FLAWED_ROWS`).
- ``campaign_history.csv``: 2019-2026 campaign records by year, organizer
  (民政局 / 总工会), county, category and funding source.
- ``visits.csv``: visits and disbursements of the 2025 and 2026 campaigns.
- ``registry_changes.csv``: why some people reached in 2025 were not reached
  in 2026 (moved, died, no longer eligible); the rest were simply missed.

Deliberate mismatches in ``campaign_history.csv`` (``stated_total_yuan``
differs from cash + goods + overhead; everything else reconciles):

1. 2019, 民政局, 350623 漳浦县, dibao, 财政: two adjacent digits transposed.
2. 2021, 总工会, 350602 芗城区, hardship_worker, 工会经费: two adjacent
   digits transposed.
3. 2023, 民政局, 350628 平和县, tekun, 财政: one digit mistyped (the
   thousands digit one higher, or 8 for a 9).
4. 2024, 民政局, 350624 诏安县, dibao_edge, 社会募捐: overheads left out of
   the stated total (stated = cash + goods).

The inputs are the reference tables owned elsewhere: ``areas.csv``
(townships and their urban/rural class), ``dibao_standards.csv`` and
``categories.csv``. Who counts as eligible while shaping the data mirrors
the rules of the demo plan ``plan_2027.yaml`` (:func:`plan_rules`).

The large-registry generator (``reliefplan demo-data --rows N``) uses the
same vectorised numpy path as the demo registry: there is no Python loop
over rows while generating, only while writing xlsx cells.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
import yaml
from tqdm.auto import tqdm

from reliefplan.core import paths
from reliefplan.core.lunar_dates import spring_festival

SEED = 20270206
DEMO_ROWS = 6000
DUPLICATE_SHARE = 0.04          # share of people listed by a second organizer
CAMPAIGN_YEAR = 2027
HISTORY_YEARS = tuple(range(2019, 2027))
# 春节 (正月初一) of the campaign years used here.
SPRING_FESTIVAL = {year: spring_festival(year) for year in (2025, 2026, 2027)}
SYNTHETIC_NOTE = "示例数据，人员均为虚构"

REGISTRY_HEADERS = ("姓名", "身份证号", "区划代码", "困难类别", "家庭人口", "家庭人均月收入", "联系电话",
                    "填报单位", "家庭住址", "是否残疾", "是否重病", "病情", "备注")
HISTORY_COLUMNS = ("year", "organizer", "area_code", "category", "funding_source", "households", "persons",
                   "cash_yuan", "goods_yuan", "overhead_yuan", "stated_total_yuan")
VISITS_COLUMNS = ("campaign_year", "id_number", "name", "area_code", "organizer", "category", "visit_date",
                  "team", "cash_yuan", "goods_yuan", "signed")
CHANGES_COLUMNS = ("id_number", "year", "reason", "note")

# ---------------------------------------------------------------------------
# Category profiles: how many people of each kind, who lists them, their age,
# income (as a multiple of the local 低保 standard) and household size.
#   weight: relative share of the registry
#   units: organizer kinds and their weights
#   age: (lo, hi) age on 春节 of the campaign year; age_out: share drawn just
#        outside the plan's age rule, age_out_range where they land
#   income: (lo, hi) multiple of 低保 for the eligible part; above: share drawn
#        above the plan's income line (not eligible), between line and line+0.6
#   hh: household-size weights for sizes 1..6
#   disabled / ill: share with the flag (1.0 = always)
#   female: share of women
# ---------------------------------------------------------------------------
UNIT_KINDS = ("民政局", "总工会", "残联", "教育局", "社区居委会", "人社局", "退役军人事务局")

PROFILES = {
    "dibao":            dict(weight=30, units={"民政局": .9, "社区居委会": .1}, age=(25, 85), income=(.1, .95),
                             above=.10, hh=(.15, .25, .25, .2, .1, .05), disabled=.12, ill=.10, female=.5),
    "dibao_edge":       dict(weight=12, units={"民政局": 1}, age=(25, 85), income=(1.0, 1.45), above=.12,
                             hh=(.1, .25, .25, .25, .1, .05), disabled=.06, ill=.08, female=.5),
    "tekun":            dict(weight=7, units={"民政局": 1}, age=(20, 95), income=(0, .6), above=.03,
                             hh=(1,), disabled=.35, ill=.2, female=.45),
    "gugua_elder":      dict(weight=6, units={"民政局": .6, "社区居委会": .4}, age=(60, 95), age_out=.04,
                             age_out_range=(55, 59), income=(.3, 1.4), above=.10, hh=(1,), disabled=.15,
                             ill=.15, female=.6),
    "kongchao_elder":   dict(weight=6, units={"社区居委会": .8, "民政局": .2}, age=(70, 92), age_out=.05,
                             age_out_range=(65, 69), income=(.8, 3.0), hh=(.55, .45), disabled=.08, ill=.1,
                             female=.55),
    "disabled":         dict(weight=8, units={"残联": 1}, age=(18, 85), income=(.4, 1.9), above=.10,
                             hh=(.2, .25, .25, .2, .1), disabled=1.0, ill=.1, female=.45),
    "serious_illness":  dict(weight=6, units={"民政局": .6, "总工会": .2, "社区居委会": .2}, age=(20, 85),
                             income=(.3, 1.9), above=.10, hh=(.15, .25, .25, .2, .15), disabled=.1, ill=1.0,
                             female=.45),
    "hardship_worker":  dict(weight=8, units={"总工会": 1}, age=(25, 59), income=(.4, .95), above=.15,
                             hh=(0, .2, .35, .3, .15), disabled=.05, ill=.1, female=.45),
    "unemployed":       dict(weight=3, units={"人社局": .7, "总工会": .3}, age=(30, 59), income=(.2, .95),
                             above=.12, hh=(.15, .25, .3, .2, .1), disabled=.03, ill=.05, female=.45),
    "liushou_child":    dict(weight=4, units={"教育局": .5, "社区居委会": .5}, age=(3, 15), age_out=.06,
                             age_out_range=(16, 17), income=(.6, 2.5), hh=(0, 0, .3, .4, .2, .1),
                             disabled=.01, ill=.01, female=.48),
    "orphan":           dict(weight=1.2, units={"民政局": 1}, age=(1, 17), age_out=.05, age_out_range=(18, 19),
                             income=(0, .5), hh=(1,), disabled=.05, ill=.03, female=.45),
    "model_worker":     dict(weight=.8, units={"总工会": 1}, age=(50, 85), income=(.6, 1.9), above=.10,
                             hh=(.2, .5, .2, .1), disabled=.05, ill=.15, female=.3),
    "old_party_member": dict(weight=2, units={"社区居委会": .6, "民政局": .4}, age=(65, 95), income=(.6, 1.9),
                             above=.10, hh=(.4, .5, .1), disabled=.05, ill=.12, female=.3),
    "retired_teacher":  dict(weight=1.5, units={"教育局": 1}, age=(60, 90), income=(2.0, 5.0),
                             hh=(.3, .6, .1), disabled=.03, ill=.1, female=.5),
    "single_parent_student": dict(weight=1.5, units={"教育局": 1}, age=(7, 18), income=(.4, 1.5),
                                  hh=(0, .4, .4, .2), disabled=.02, ill=.02, female=.5),
    "migrant_worker":   dict(weight=.7, units={"总工会": 1}, age=(20, 55), income=(.8, 2.0),
                             hh=(.4, .2, .2, .2), disabled=.02, ill=.03, female=.4),
    "union_cadre":      dict(weight=.5, units={"总工会": 1}, age=(35, 60), income=(.8, 2.0),
                             hh=(.1, .3, .4, .2), disabled=.02, ill=.1, female=.4),
    # The rest of a 民政局 campaign (issue 13): in institutions, temporary assistance, monitored households,
    # children without de facto carers, and 优抚对象 listed by the veterans-affairs bureau.
    "tekun_institution": dict(weight=3, units={"民政局": 1}, age=(60, 95), income=(0, .5), above=.02,
                              hh=(1,), disabled=.3, ill=.25, female=.45),
    "temp_relief":      dict(weight=4, units={"民政局": .7, "社区居委会": .3}, age=(25, 80), income=(.3, 1.9),
                             above=.10, hh=(.2, .25, .25, .2, .1), disabled=.05, ill=.25, female=.5),
    "poverty_monitoring": dict(weight=4, units={"民政局": 1}, age=(25, 80), income=(.8, 1.45), above=.10,
                               hh=(.1, .2, .3, .25, .1, .05), disabled=.06, ill=.1, female=.5),
    "de_facto_orphan":  dict(weight=1, units={"民政局": 1}, age=(1, 17), age_out=.05, age_out_range=(18, 19),
                             income=(0, .8), hh=(1,), disabled=.04, ill=.03, female=.48),
    "youfu":            dict(weight=1.5, units={"退役军人事务局": 1}, age=(55, 95), income=(.5, 2.5),
                             hh=(.3, .5, .2), disabled=.1, ill=.15, female=.1),
}

# Who is eligible while shaping the data; mirrors `categories:` of plan_2027.yaml.
@lru_cache(maxsize=1)
def plan_rules() -> dict:
    """Eligibility rules per category as the demo plan ``plan_2027.yaml`` states them.

    The synthetic people are shaped to these rules (most eligible, some not).
    Read as plain YAML: the plan's own loader wants the data files this module
    is about to write.
    """
    shipped = paths.REPO_ROOT / "data" / "plan_2027.yaml"  # the shipped plan, whatever RELIEFPLAN_DATA says
    plan = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    return {code: dict((std or {}).get("eligibility") or {}) for code, std in plan["categories"].items()}

# Relative number of registered people per county (roughly population, with
# the rural counties weighted up).
COUNTY_WEIGHTS = {"350602": 5.5, "350603": 2.5, "350604": 8.5, "350605": 2.2, "350622": 4.5, "350623": 8.0,
                  "350624": 6.0, "350626": 2.0, "350627": 3.5, "350628": 5.5, "350629": 1.8}
# Address codes that preceded today's county codes (an ID keeps the code of
# the place and time of first registration): 龙海市 -> 龙海区 (2021),
# 长泰县 -> 长泰区 (2021); 龙文区 was split from 芗城区 in 1996.
FORMER_CODES = {"350604": ("350681", 2021), "350605": ("350625", 2021), "350603": ("350602", 1996)}
# Real address codes elsewhere, for people born outside the city.
OTHER_ORIGINS = ("350102", "350203", "350206", "350521", "350581", "350802", "350822", "445102", "440513",
                 "360102", "430521", "510722", "522121")
OTHER_ORIGIN_SHARE = 0.07

SURNAMES = ("陈林黄张李王吴刘蔡杨郑许曾洪庄沈叶郭苏周游戴方卢谢赖何朱江高徐邱钟杜魏姚孙"
            "石胡柯廖程汤韩余潘罗邓涂施")
SURNAME_WEIGHTS = np.array([14, 13, 8, 6, 5, 5, 5, 4, 4, 3, 3, 3, 3, 2.5, 2.5, 2, 2, 2, 2, 2, 2, 1.5, 1.5,
                            1.5, 1.5, 1.5, 1.5, 1.5, 1.2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                            .8, .8])
MALE_CHARS = "伟建国明志强文华金荣海辉俊杰德福清水成龙平忠良勇军斌峰鸿振木坤泉顺祥鑫宏达伟炳添春永锦耀新"
FEMALE_CHARS = "秀美丽英玉华珍芳燕红霞月梅兰琴娟婷静雅萍凤桂淑惠丹玲雪莉碧妹娇琼素彩云慧敏佳"
PHONE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                  "155", "156", "157", "158", "159", "166", "177", "180", "181", "182", "183", "185", "186",
                  "187", "188", "189", "191", "199")
ROADS = ("胜利", "延安", "新华", "瑞京", "丹霞", "水仙", "元光", "南昌", "九龙", "建元", "北京", "大同", "腾飞",
         "江滨", "博爱", "人民", "和平", "解放", "中山", "兴华")
VILLAGES = ("前亭", "后埔", "溪头", "洋尾", "新厝", "下楼", "上坂", "竹林", "石桥", "东园", "西山", "南坑",
            "北港", "塘边", "林前", "田中", "岭下", "湖内", "坑口", "埔头")
DIAGNOSES = ("尿毒症", "恶性肿瘤", "白血病", "脑卒中后遗症", "慢性肾衰竭", "再生障碍性贫血", "肝硬化失代偿期",
             "系统性红斑狼疮", "重症肌无力", "帕金森病", "肺癌术后", "乳腺癌化疗中", "冠心病支架术后",
             "精神分裂症", "股骨头坏死")
NOTES = ("", "", "", "", "", "", "", "", "", "", "独居", "子女在外务工", "户主", "新增对象", "住房困难",
         "需上门慰问")
CHILD_NOTES = ("", "", "", "", "", "", "父母在外务工", "由祖父母抚养", "在校学生", "新增对象")

# ---------------------------------------------------------------------------
# Standards by year for the history and the visits: per household (household
# categories) or per person, cash and goods in yuan, 2019 -> 2026.
# ---------------------------------------------------------------------------
HISTORY_STANDARDS = {
    "tekun": (400, 600, 100, 200), "dibao": (300, 500, 100, 200), "dibao_edge": (200, 300, 50, 100),
    "gugua_elder": (300, 500, 100, 150), "orphan": (600, 1000, 0, 0), "disabled": (300, 400, 50, 100),
    "serious_illness": (500, 800, 50, 100), "hardship_worker": (600, 1000, 100, 200),
    "unemployed": (300, 500, 50, 100), "model_worker": (800, 1000, 100, 200), "liushou_child": (100, 200, 50, 100),
    "kongchao_elder": (100, 200, 50, 100), "old_party_member": (300, 500, 50, 100),
    "tekun_institution": (100, 200, 50, 100), "temp_relief": (200, 300, 50, 100),
    "poverty_monitoring": (200, 300, 50, 100), "de_facto_orphan": (300, 500, 50, 100), "youfu": (300, 500, 50, 100),
}
UNION_CATEGORIES = ("hardship_worker", "unemployed", "model_worker", "union_cadre", "migrant_worker")
# Categories counted per household (unit "household" in categories.csv).
HOUSEHOLD_CATEGORIES = ("dibao", "dibao_edge", "hardship_worker", "temp_relief", "poverty_monitoring")
FUNDING_SPLIT = {"民政局": (("财政", .75), ("社会募捐", .25)),
                 "总工会": (("工会经费", .70), ("单位自筹", .15), ("财政", .15))}
HISTORY_GROWTH = 1.03
COVID_FACTOR = {2021: .92, 2022: .88, 2023: .96}
# (year, organizer, area_code, category, funding_source) -> kind of typo
HISTORY_MISMATCHES = {
    (2019, "民政局", "350623", "dibao", "财政"): "transpose",
    (2021, "总工会", "350602", "hardship_worker", "工会经费"): "transpose",
    (2023, "民政局", "350628", "tekun", "财政"): "digit",
    (2024, "民政局", "350624", "dibao_edge", "社会募捐"): "no_overhead",
}
# Visit teams by county, as in the demo plan.
TEAMS = {"350602": "第一慰问组", "350603": "第一慰问组", "350604": "第二慰问组", "350605": "第二慰问组",
         "350622": "第三慰问组", "350623": "第三慰问组", "350624": "第四慰问组", "350626": "第四慰问组",
         "350627": "第五慰问组", "350628": "第五慰问组", "350629": "第五慰问组"}

_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK_CHARS = np.array(list("10X98765432"))


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Inputs:
    """Reference tables the generator draws from.

    townships: code, name, county_code, county_name, urban_rural (one row per
    township); dibao_fen: (county_code, urban_rural) -> monthly standard in fen
    on 春节 of the campaign year; dibao_by_year: same key -> {year: fen};
    categories: code -> zh label.
    """

    townships: pd.DataFrame
    dibao_fen: dict
    categories: dict


def load_inputs(data_dir) -> Inputs:
    """Read areas, 低保 standards and categories from ``data_dir``."""
    data_dir = Path(data_dir)
    areas = pd.read_csv(data_dir / "areas.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    dibao = pd.read_csv(data_dir / "dibao_standards.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    cats = pd.read_csv(data_dir / "categories.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return build_inputs(areas, dibao, cats)


def build_inputs(areas: pd.DataFrame, dibao: pd.DataFrame, categories: pd.DataFrame) -> Inputs:
    """Inputs from the raw (string) reference tables."""
    counties = areas[areas["level"] == "county"].set_index("code")
    towns = areas[(areas["level"] == "township") & areas["parent_code"].isin(COUNTY_WEIGHTS)].copy()
    towns = towns.sort_values("code").reset_index(drop=True)
    missing = sorted(set(COUNTY_WEIGHTS) - set(towns["parent_code"]))
    if missing:
        raise ValueError(f"areas.csv has no townships under {missing}")
    town_ur = towns["urban_rural"].where(towns["urban_rural"].isin(["urban", "rural"]), "rural")
    townships = pd.DataFrame({
        "code": towns["code"], "name": towns["name"], "county_code": towns["parent_code"],
        "county_name": towns["parent_code"].map(counties["name"]), "urban_rural": town_ur,
    })
    on = pd.Timestamp(SPRING_FESTIVAL[CAMPAIGN_YEAR])
    d = dibao.copy()
    d["effective_date"] = pd.to_datetime(d["effective_date"])
    d["fen"] = (pd.to_numeric(d["monthly_yuan"]) * 100).round().astype("int64")
    d = d[d["effective_date"] <= on].sort_values("effective_date")
    latest = d.groupby(["county_code", "urban_rural"])["fen"].last().to_dict()
    dibao_fen = {}
    for county in COUNTY_WEIGHTS:
        for ur in ("urban", "rural"):
            fen = latest.get((county, ur)) or latest.get((county, "rural" if ur == "urban" else "urban"))
            if fen is None:
                raise ValueError(f"dibao_standards.csv has no standard for {county}")
            dibao_fen[(county, ur)] = int(fen)
    return Inputs(townships, dibao_fen, dict(zip(categories["code"], categories["zh"])))


# ---------------------------------------------------------------------------
# ID numbers (GB 11643)
# ---------------------------------------------------------------------------
def check_chars(first17: np.ndarray) -> np.ndarray:
    """GB 11643 mod 11-2 check characters for an int64 array of 17-digit numbers."""
    first17 = np.asarray(first17, dtype=np.int64)
    total = np.zeros(first17.shape, dtype=np.int64)
    for k in range(17):
        total += (first17 // 10 ** (16 - k)) % 10 * _ID_WEIGHTS[k]
    return _CHECK_CHARS[total % 11]


def _ymd(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (dates - dates.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    return years, months, days


def make_ids(rng: np.random.Generator, prefixes: np.ndarray, births: np.ndarray, male: np.ndarray,
             taken: set | None = None) -> np.ndarray:
    """Unique 18-character ID numbers: address code, birth date, sequence (odd = male), check char."""
    years, months, days = _ymd(births)
    base = prefixes.astype(np.int64) * 10 ** 11 + (years * 10000 + months * 100 + days) * 1000
    n = len(base)
    seq = rng.integers(0, 500, n) * 2 + male.astype(np.int64)
    first17 = base + seq
    taken_arr = np.array(sorted(taken), dtype=np.int64) if taken else np.empty(0, np.int64)
    for _ in range(50):
        _, first = np.unique(first17, return_index=True)
        clash = np.ones(n, bool)
        clash[first] = False
        clash |= np.isin(first17, taken_arr)
        if not clash.any():
            break
        k = int(clash.sum())
        first17[clash] = base[clash] + rng.integers(0, 500, k) * 2 + male[clash].astype(np.int64)
    else:  # pragma: no cover - needs an absurd density of people per birth date
        raise RuntimeError("could not draw unique ID numbers")
    return np.char.add(first17.astype("U17"), check_chars(first17))


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------
def _pick(rng, cdf: np.ndarray, n: int | None = None) -> np.ndarray:
    """Draw indices from rows of cumulative weights (one row per draw, or one shared row)."""
    if cdf.ndim == 1:
        return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(cdf) - 1)
    u = rng.random(len(cdf))[:, None]
    return np.minimum((u >= cdf).sum(axis=1), cdf.shape[1] - 1)


def _cdf(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return np.cumsum(w) / w.sum()


def _profile_table():
    codes = list(PROFILES)
    unit_w = np.array([[PROFILES[c]["units"].get(u, 0) for u in UNIT_KINDS] for c in codes], float)
    hh_w = np.zeros((len(codes), 6))
    for i, c in enumerate(codes):
        hh = PROFILES[c]["hh"]
        hh_w[i, :len(hh)] = hh
    num = {k: np.array([PROFILES[c].get(k, d) for c in codes], float)
           for k, d in (("weight", 0), ("above", 0), ("age_out", 0), ("disabled", 0), ("ill", 0), ("female", .5))}
    age = np.array([PROFILES[c]["age"] for c in codes], float)
    age_out = np.array([PROFILES[c].get("age_out_range", PROFILES[c]["age"]) for c in codes], float)
    income = np.array([PROFILES[c]["income"] for c in codes], float)
    line = np.array([plan_rules().get(c, {}).get("income_below_dibao", np.nan) for c in codes], float)
    return codes, unit_w, hh_w, num, age, age_out, income, line


def _people(rng: np.random.Generator, n: int, inputs: Inputs, taken: set | None = None) -> pd.DataFrame:
    """``n`` distinct synthetic people with every attribute drawn vectorised.

    Returns canonical columns plus helpers (birth_date, male, urban_rural,
    dibao_fen, unit) used to shape the other tables.
    """
    codes, unit_w, hh_w, num, age_rng, age_out_rng, income_rng, line = _profile_table()
    cat = _pick(rng, _cdf(num["weight"]), n)

    towns = inputs.townships
    county_w = towns["county_code"].map(COUNTY_WEIGHTS).to_numpy(float)
    county_w = county_w / towns.groupby("county_code")["code"].transform("size").to_numpy(float)
    town_w = county_w * rng.uniform(.5, 1.5, len(towns))
    town = _pick(rng, _cdf(town_w), n)
    county = towns["county_code"].to_numpy()[town]
    urban_rural = towns["urban_rural"].to_numpy()[town]
    dibao = np.array([inputs.dibao_fen[(c, u)] for c, u in zip(towns["county_code"], towns["urban_rural"])],
                     dtype=np.int64)[town]

    # Age on 春节 of the campaign year; a few drawn just outside the plan's age rule.
    out = rng.random(n) < num["age_out"][cat]
    lo = np.where(out, age_out_rng[cat, 0], age_rng[cat, 0])
    hi = np.where(out, age_out_rng[cat, 1], age_rng[cat, 1])
    age = np.floor(lo + rng.random(n) * (hi - lo + 1)).astype(np.int64)
    ref = np.datetime64(SPRING_FESTIVAL[CAMPAIGN_YEAR].isoformat())
    birthday_year = (CAMPAIGN_YEAR - age - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    births = birthday_year + (ref - np.datetime64(f"{CAMPAIGN_YEAR}-01-01")) - rng.integers(0, 365, n)
    male = rng.random(n) >= num["female"][cat]

    birth_year = births.astype("datetime64[Y]").astype(np.int64) + 1970
    prefix = np.array([int(c) for c in COUNTY_WEIGHTS], dtype=np.int64)[
        pd.Index(list(COUNTY_WEIGHTS)).get_indexer(county)]
    for now, (old, since) in FORMER_CODES.items():
        mask = (county == now) & (birth_year < since)
        prefix[mask] = int(old)
    elsewhere = rng.random(n) < OTHER_ORIGIN_SHARE
    prefix[elsewhere] = np.array([int(c) for c in OTHER_ORIGINS], dtype=np.int64)[rng.integers(0, len(OTHER_ORIGINS), n)][elsewhere]
    ids = make_ids(rng, prefix, births, male, taken)

    # Income per head as a multiple of the local 低保 line; some above the plan's line.
    above = (rng.random(n) < num["above"][cat]) & ~np.isnan(line[cat])
    mult = income_rng[cat, 0] + rng.random(n) * (income_rng[cat, 1] - income_rng[cat, 0])
    mult = np.where(above, line[cat] + .05 + rng.random(n) * .55, mult)
    income_fen = (np.round(mult * dibao / 100) * 100).astype(np.int64)

    hh = _pick(rng, np.cumsum(hh_w[cat], axis=1) / hh_w[cat].sum(axis=1, keepdims=True)) + 1
    unit = _pick(rng, np.cumsum(unit_w[cat], axis=1) / unit_w[cat].sum(axis=1, keepdims=True))
    disabled = rng.random(n) < num["disabled"][cat]
    ill = rng.random(n) < num["ill"][cat]

    sur = np.array(list(SURNAMES))[_pick(rng, _cdf(SURNAME_WEIGHTS), n)]
    chars = np.where(male[:, None], np.array(list(MALE_CHARS))[rng.integers(0, len(MALE_CHARS), (n, 2))],
                     np.array(list(FEMALE_CHARS))[rng.integers(0, len(FEMALE_CHARS), (n, 2))])
    single = rng.random(n) < .2
    given = np.where(single, chars[:, 0], np.char.add(chars[:, 0], chars[:, 1]))
    names = np.char.add(sur, given)

    phones = np.char.add(np.array(PHONE_PREFIXES)[rng.integers(0, len(PHONE_PREFIXES), n)],
                         np.char.zfill(rng.integers(0, 10 ** 8, n).astype("U8"), 8))
    phones[rng.random(n) < .02] = ""

    town_name = towns["name"].to_numpy()[town]
    county_name = towns["county_name"].to_numpy()[town]
    number = rng.integers(1, 300, n).astype("U3")
    urban_addr = np.char.add(np.char.add(np.array(ROADS)[rng.integers(0, len(ROADS), n)], "路"),
                             np.char.add(number, "号"))
    rural_addr = np.char.add(np.char.add(np.array(VILLAGES)[rng.integers(0, len(VILLAGES), n)], "村"),
                             np.char.add(number, "号"))
    street = np.where(urban_rural == "urban", urban_addr, rural_addr)
    address = np.char.add(np.char.add("漳州市", county_name.astype(str)), np.char.add(town_name.astype(str), street))

    diagnosis = np.where(ill, np.array(DIAGNOSES)[rng.integers(0, len(DIAGNOSES), n)], "")
    note = np.where(age < 18, np.array(CHILD_NOTES)[rng.integers(0, len(CHILD_NOTES), n)],
                    np.array(NOTES)[rng.integers(0, len(NOTES), n)])
    note[(note == "独居") & (hh > 1)] = ""

    return pd.DataFrame({
        "name": names, "id_number": ids, "area_code": towns["code"].to_numpy()[town],
        "county_code": county, "county_name": county_name, "category": np.array(codes)[cat],
        "household_size": hh.astype(np.int64), "income_fen": income_fen, "phone": phones,
        "unit": np.array(UNIT_KINDS)[unit], "address": address, "disabled": disabled, "seriously_ill": ill,
        "diagnosis": diagnosis, "note": note, "birth_date": births, "male": male, "age": age,
        "urban_rural": urban_rural, "dibao_fen": dibao,
    })


# Second organizer for a person listed twice: row = first organizer kind.
_SECOND_UNIT = np.array([
    # 民政局 总工会 残联 教育局 社区 人社局 退役军人
    [0, .3, 0, .1, .6, 0, 0],    # 民政局
    [.8, 0, 0, 0, .2, 0, 0],     # 总工会
    [.7, 0, 0, 0, .3, 0, 0],     # 残联
    [.5, 0, 0, 0, .5, 0, 0],     # 教育局
    [.9, .1, 0, 0, 0, 0, 0],     # 社区居委会
    [.5, .5, 0, 0, 0, 0, 0],     # 人社局
    [.8, 0, 0, 0, .2, 0, 0],     # 退役军人事务局
])


def _listings(rng: np.random.Generator, people: pd.DataFrame, n_rows: int) -> pd.DataFrame:
    """Registry rows: each person once, plus ``n_rows - len(people)`` second listings by another organizer.

    A disabled person's second listing is by 残联 under 困难残疾人; the others
    keep their category. Column ``organizer`` is '<county><organizer kind>'.
    """
    n_dup = n_rows - len(people)
    first_unit = pd.Index(UNIT_KINDS).get_indexer(people["unit"])
    eligible_dup = np.flatnonzero(~people["category"].isin(["retired_teacher"]).to_numpy())
    dup = np.sort(rng.choice(eligible_dup, n_dup, replace=False))
    src = people.iloc[dup].copy()
    fu = first_unit[dup]
    second = _pick(rng, np.cumsum(_SECOND_UNIT[fu], axis=1))
    to_cl = src["disabled"].to_numpy() & (fu != 2)
    second = np.where(to_cl, 2, second)
    src["unit"] = np.array(UNIT_KINDS)[second]
    src["category"] = np.where(to_cl, "disabled", src["category"])
    src["note"] = np.where(rng.random(n_dup) < .5, "", src["note"].to_numpy())
    rows = pd.concat([people, src], ignore_index=True)
    rows["organizer"] = rows["county_name"] + rows["unit"]
    # Sort like a consolidated file (township, organizer, ID) on integer keys: fast for 1M rows.
    org_codes, _ = pd.factorize(rows["organizer"], sort=True)
    id_key = rows["id_number"].str.slice(0, 17).astype("int64").to_numpy()
    order = np.lexsort((id_key, org_codes, rows["area_code"].astype("int64").to_numpy()))
    return rows.iloc[order].reset_index(drop=True)


def generate_listings(n_rows: int = DEMO_ROWS, seed: int = SEED, inputs: Inputs | None = None,
                      duplicate_share: float = DUPLICATE_SHARE) -> pd.DataFrame:
    """Registry rows in canonical columns (money in fen) plus helper columns."""
    rng = np.random.default_rng(seed)
    n_people = int(round(n_rows / (1 + duplicate_share)))
    people = _people(rng, n_people, inputs)
    return _listings(rng, people, n_rows)


def registry_frame(listings: pd.DataFrame, categories: dict) -> pd.DataFrame:
    """Registry rows in the file form: Chinese headers, yuan amounts, 是/否 flags."""
    yes_no = np.array(["否", "是"])
    return pd.DataFrame({
        "姓名": listings["name"].to_numpy(),
        "身份证号": listings["id_number"].to_numpy(),
        "区划代码": listings["area_code"].to_numpy(),
        "困难类别": listings["category"].map(categories).to_numpy(),
        "家庭人口": listings["household_size"].to_numpy(),
        "家庭人均月收入": listings["income_fen"].to_numpy() // 100,
        "联系电话": listings["phone"].to_numpy(),
        "填报单位": listings["organizer"].to_numpy(),
        "家庭住址": listings["address"].to_numpy(),
        "是否残疾": yes_no[listings["disabled"].to_numpy().astype(int)],
        "是否重病": yes_no[listings["seriously_ill"].to_numpy().astype(int)],
        "病情": listings["diagnosis"].to_numpy(),
        "备注": listings["note"].to_numpy(),
    })


def generate_registry(n_rows: int = DEMO_ROWS, seed: int = SEED, inputs: Inputs | None = None) -> pd.DataFrame:
    """A synthetic registry of ``n_rows`` rows in the file form (Chinese headers)."""
    inputs = inputs or load_inputs(_default_data_dir())
    return registry_frame(generate_listings(n_rows, seed, inputs), inputs.categories)


# ---------------------------------------------------------------------------
# Eligibility (shaping only; the coverage module owns the real rules)
# ---------------------------------------------------------------------------
def shaped_eligible(listings: pd.DataFrame, rules: dict | None = None) -> np.ndarray:
    """Whether each registry row meets the demo plan's rule for its category."""
    rules = plan_rules() if rules is None else rules
    cat = listings["category"].to_numpy()
    ok = np.isin(cat, list(rules))
    for code, rule in rules.items():
        m = cat == code
        if "income_below_dibao" in rule:
            ok[m] &= listings["income_fen"].to_numpy()[m] < rule["income_below_dibao"] * listings["dibao_fen"].to_numpy()[m]
        if "min_age" in rule:
            ok[m] &= listings["age"].to_numpy()[m] >= rule["min_age"]
        if "max_age" in rule:
            ok[m] &= listings["age"].to_numpy()[m] <= rule["max_age"]
        if "requires_flag" in rule:
            ok[m] &= listings[rule["requires_flag"]].to_numpy()[m]
    return ok


# ---------------------------------------------------------------------------
# Visits, registry changes
# ---------------------------------------------------------------------------
def _standard_yuan(category: np.ndarray, year: int, which: str) -> np.ndarray:
    """Cash or goods standard in whole yuan for ``year`` (linear 2019 -> 2026, rounded to 50 / 10)."""
    t = (year - HISTORY_YEARS[0]) / (HISTORY_YEARS[-1] - HISTORY_YEARS[0])
    out = np.zeros(len(category), dtype=np.int64)
    for code, (c0, c1, g0, g1) in HISTORY_STANDARDS.items():
        lo, hi, step = (c0, c1, 50) if which == "cash" else (g0, g1, 10)
        out[category == code] = int(round((lo + t * (hi - lo)) / step) * step)
    return out


def _visit_dates(rng, year: int, n: int) -> np.ndarray:
    """Weekdays in the three weeks before 除夕 of ``year`` (sorted, one per visit)."""
    eve = SPRING_FESTIVAL[year] - dt.timedelta(days=1)
    days = [eve - dt.timedelta(days=k) for k in range(2, 25)]
    days = np.array([d.isoformat() for d in days if d.weekday() < 5])
    return np.sort(days[rng.integers(0, len(days), n)])


def generate_visits(rng: np.random.Generator, listings: pd.DataFrame, inputs: Inputs):
    """Visits of the 2025 and 2026 campaigns and the registry changes that explain some gaps.

    Returns (visits, changes) in the file form. Eligible rows are mostly
    reached with a signed receipt; a few reached rows are not eligible; some
    people reached in 2025 are not reached in 2026 because they moved or died
    (people no longer in the registry), are no longer eligible, or were
    missed (no change record).
    """
    n = len(listings)
    planned = listings["category"].isin(list(plan_rules())).to_numpy()
    eligible = shaped_eligible(listings)
    # Per person (not per row): new in 2026/2027, and whether no longer eligible.
    ids = listings["id_number"].to_numpy()
    uniq, inv = np.unique(ids, return_inverse=True)
    u = rng.random(len(uniq))
    new_2027 = (u < .05)[inv]
    new_2026 = ((u >= .05) & (u < .12))[inv]

    r = rng.random(n)
    reached26 = planned & ~new_2027 & np.where(eligible, r < .9, r < .12)
    reached26_person = np.zeros(len(uniq), bool)
    np.logical_or.at(reached26_person, inv, reached26)
    # No longer eligible: reached in 2025, not eligible now, reached by nobody in 2026.
    lost = planned & ~eligible & ~new_2027 & ~new_2026 & ~reached26_person[inv]
    lost_person = np.zeros(len(uniq), bool)
    np.logical_or.at(lost_person, inv, lost & (rng.random(n) < .45))
    lost = lost_person[inv] & lost
    r25 = rng.random(n)
    reached25 = planned & ~new_2027 & ~new_2026 & (np.where(eligible, r25 < .88, r25 < .1) | lost)

    # Former beneficiaries: reached in 2025, then died or moved away (not in today's registry).
    n_former = max(3, int(round(len(uniq) * .03)))
    taken = set(pd.Series(uniq).str[:17].astype("int64").tolist())
    former = _people(rng, n_former, inputs, taken=taken)
    former = former[former["category"].isin(list(plan_rules()))].reset_index(drop=True)
    former["organizer"] = former["county_name"] + former["unit"]
    died = rng.random(len(former)) < .6

    frames = []
    for year, mask, pool in ((2025, reached25, listings), (2026, reached26, listings), (2025, None, former)):
        rows = pool if mask is None else pool[mask]
        k = len(rows)
        cat = rows["category"].to_numpy()
        frames.append(pd.DataFrame({
            "campaign_year": year, "id_number": rows["id_number"].to_numpy(), "name": rows["name"].to_numpy(),
            "area_code": rows["area_code"].to_numpy(), "organizer": rows["organizer"].to_numpy(),
            "category": cat, "visit_date": _visit_dates(rng, year, k),
            "team": rows["county_code"].map(TEAMS).to_numpy(),
            "cash_yuan": _standard_yuan(cat, year, "cash"), "goods_yuan": _standard_yuan(cat, year, "goods"),
            "signed": np.where(rng.random(k) < .96, "是", "否"),
        }))
    visits = pd.concat(frames, ignore_index=True)
    visits = visits.sort_values(["campaign_year", "visit_date", "team", "area_code", "id_number", "organizer"],
                                kind="stable").reset_index(drop=True)

    months = rng.integers(3, 13, len(former))
    cities = np.array(["厦门市思明区", "泉州市丰泽区", "福州市鼓楼区", "广东省深圳市", "广东省汕头市"])
    moved_to = cities[rng.integers(0, len(cities), len(former))]
    former_notes = np.where(died, np.char.add(np.char.add("2025年", months.astype("U2")), "月病故"),
                            np.char.add("迁往", moved_to))
    lost_ids = np.unique(ids[lost])
    lost_notes = np.array(["家庭人均收入超过低保标准", "子女就业后家庭收入增加", "经复核不再符合条件"])
    changes = pd.concat([
        pd.DataFrame({"id_number": former["id_number"], "year": 2025,
                      "reason": np.where(died, "died", "moved"), "note": former_notes}),
        pd.DataFrame({"id_number": lost_ids, "year": 2025, "reason": "no_longer_eligible",
                      "note": lost_notes[rng.integers(0, len(lost_notes), len(lost_ids))]}),
    ], ignore_index=True).sort_values("id_number", kind="stable").reset_index(drop=True)
    return visits, changes


# ---------------------------------------------------------------------------
# Campaign history
# ---------------------------------------------------------------------------
def _typo(stated: int, cash: int, goods: int, kind: str) -> int:
    """A stated total with a deliberate clerical error of ``kind``."""
    if kind == "no_overhead":
        return cash + goods
    digits = list(str(stated))
    if kind == "digit":
        i = len(digits) - 4
        digits[i] = str(int(digits[i]) + 1) if digits[i] != "9" else "8"
        return int("".join(digits))
    for i in range(1, len(digits) - 1):
        if digits[i] != digits[i + 1]:
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
            return int("".join(digits))
    raise ValueError(f"cannot transpose digits of {stated}")


def generate_history(rng: np.random.Generator, listings: pd.DataFrame) -> pd.DataFrame:
    """Campaign records 2019-2026 by year, organizer, county, category and funding source.

    2026 households follow the eligible rows of the registry; earlier years
    shrink by about 3% a year, with a dip in the COVID-era campaigns
    (2021-2023). Standards rise from 2019 to 2026 (:data:`HISTORY_STANDARDS`).
    """
    elig = listings[shaped_eligible(listings)]
    elig = elig[elig["category"].isin(list(HISTORY_STANDARDS))]
    household_unit = np.isin(elig["category"], list(HOUSEHOLD_CATEGORIES))
    base = (elig.assign(persons=np.where(household_unit, elig["household_size"], 1))
            .groupby(["county_code", "category"], sort=True)
            .agg(households=("id_number", "size"), persons=("persons", "sum")).reset_index())
    rows = []
    for year in HISTORY_YEARS:
        factor = HISTORY_GROWTH ** (year - HISTORY_YEARS[-1]) * COVID_FACTOR.get(year, 1.0)
        noise = rng.uniform(.95, 1.05, len(base))
        hh_year = np.maximum(1, np.round(base["households"].to_numpy() * factor * noise)).astype(int)
        ratio = base["persons"].to_numpy() / base["households"].to_numpy()
        cats = base["category"].to_numpy()
        cash_std = _standard_yuan(cats, year, "cash")
        goods_std = _standard_yuan(cats, year, "goods")
        overhead_rate = rng.uniform(.02, .04, len(base))
        for i, (county, cat) in enumerate(zip(base["county_code"], cats)):
            org = "总工会" if cat in UNION_CATEGORIES else "民政局"
            split = FUNDING_SPLIT[org]
            counts = [int(hh_year[i] * share) for _, share in split]
            counts[0] += hh_year[i] - sum(counts)
            for (source, _), hh in zip(split, counts):
                if hh <= 0:
                    continue
                persons = int(round(hh * ratio[i]))
                cash, goods = hh * int(cash_std[i]), hh * int(goods_std[i])
                overhead = int(round((cash + goods) * overhead_rate[i]))
                stated = cash + goods + overhead
                kind = HISTORY_MISMATCHES.get((year, org, county, cat, source))
                if kind:
                    stated = _typo(stated, cash, goods, kind)
                rows.append((year, org, county, cat, source, hh, persons, cash, goods, overhead, stated))
    history = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
    found = {tuple(r) for r in history[["year", "organizer", "area_code", "category", "funding_source"]]
             .itertuples(index=False)}
    missing = [k for k in HISTORY_MISMATCHES if k not in found]
    if missing:
        raise ValueError(f"history has no record for the planned mismatches {missing}")
    return history


# ---------------------------------------------------------------------------
# The flawed demo file for the validation walkthrough
# ---------------------------------------------------------------------------
FLAWED_TITLE = "附件2 困难职工登记表（示例数据，人员均为虚构）"
FLAWED_ORGANIZER = "芗城区总工会"
# Row number in the flawed file's data block (1-based) -> flaw. Rows marked
# 'accept' are messy but valid after normalisation.
FLAWED_ROWS = {
    3: ("bad_checksum", "reject"),
    6: ("id_as_number", "reject"),
    9: ("unknown_category", "reject"),
    12: ("unknown_area_code", "reject"),
    15: ("negative_income", "reject"),
    18: ("text_household_size", "reject"),
    21: ("duplicate_id_same_organizer", "reject"),
    24: ("missing_name", "reject"),
    27: ("bad_birth_date", "reject"),
    30: ("fullwidth_digits", "accept"),
    33: ("nbsp", "accept"),
    36: ("lowercase_x", "accept"),
}
FLAWED_DATA_ROWS = 40
FLAWED_FIRST_DATA_ROW = 5   # Excel row of the first data row (title, subtitle, two header rows above)


def flawed_rows(seed: int = SEED, inputs: Inputs | None = None) -> list[list]:
    """The ~40 data rows of the flawed file, as cell values (header order of REGISTRY_HEADERS, with 序号)."""
    inputs = inputs or load_inputs(_default_data_dir())
    rng = np.random.default_rng(seed + 1)
    towns = inputs.townships[inputs.townships["county_code"] == "350602"]
    sub = Inputs(towns.reset_index(drop=True), inputs.dibao_fen, inputs.categories)
    people = _people(rng, FLAWED_DATA_ROWS * 20, sub)
    people = people[people["unit"].eq("总工会") & ~people["id_number"].str.endswith("X")]
    people = people.head(FLAWED_DATA_ROWS).reset_index(drop=True)
    people["organizer"] = FLAWED_ORGANIZER
    frame = registry_frame(people, inputs.categories)
    rows = [[i + 1, *frame.iloc[i].tolist()] for i in range(len(frame))]
    rows = [[int(v) if isinstance(v, np.integer) else v for v in row] for row in rows]
    col = {h: j + 1 for j, h in enumerate(REGISTRY_HEADERS)}

    def row(k):
        return rows[k - 1]

    def id_with(first17: str) -> str:
        return first17 + str(check_chars(np.array([int(first17)]))[0])

    good = row(3)[col["身份证号"]]
    wrong = "0" if good[-1] != "0" else "1"
    row(3)[col["身份证号"]] = good[:-1] + wrong
    row(6)[col["身份证号"]] = float(row(6)[col["身份证号"]])   # stored as an Excel number: digits lost
    row(9)[col["困难类别"]] = "贫困户"
    row(12)[col["区划代码"]] = "350699001"
    row(15)[col["家庭人均月收入"]] = -300
    row(18)[col["家庭人口"]] = "三口"
    rows[20] = [21, *row(20)[1:]]                   # the same person entered twice
    row(24)[col["姓名"]] = ""
    row(27)[col["身份证号"]] = id_with(row(27)[col["身份证号"]][:6] + "19870230" + row(27)[col["身份证号"]][14:17])
    fw = str.maketrans("0123456789", "０１２３４５６７８９")
    row(30)[col["身份证号"]] = row(30)[col["身份证号"]].translate(fw)
    row(33)[col["身份证号"]] = row(33)[col["身份证号"]] + "\u00a0"
    row(33)[col["姓名"]] = "\u00a0" + row(33)[col["姓名"]]
    x_id = id_with(row(36)[col["身份证号"]][:16] + "0")
    for last in range(10):
        cand = row(36)[col["身份证号"]][:16] + str(last)
        if check_chars(np.array([int(cand)]))[0] == "X":
            x_id = cand + "x"
            break
    row(36)[col["身份证号"]] = x_id
    return rows


def write_flawed_xlsx(path, seed: int = SEED, inputs: Inputs | None = None) -> Path:
    """Write the government-style flawed 登记表 (title row, merged cells, flawed rows)."""

    path = Path(path)
    rows = flawed_rows(seed, inputs)
    headers = ["序号", *REGISTRY_HEADERS]
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": FLAWED_TITLE, "author": "reliefplan demo", "comments": SYNTHETIC_NOTE,
                       "created": dt.datetime(2026, 12, 20)})
    ws = wb.add_worksheet("登记表")
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    head = wb.add_format({"bold": True, "border": 1, "align": "center", "bg_color": "#DDEBF7"})
    ws.merge_range(0, 0, 0, len(headers) - 1, FLAWED_TITLE, title)
    ws.merge_range(1, 0, 1, 6, f"填报单位（盖章）：{FLAWED_ORGANIZER}", None)
    ws.merge_range(1, 7, 1, len(headers) - 1, "填报日期：2026年12月20日", None)
    # Two header rows: 家庭情况 merged over 家庭人口 | 家庭人均月收入, the other
    # headers merged down over both rows, as on paper forms.
    group = {"家庭人口", "家庭人均月收入"}
    for c, h in enumerate(headers):
        if h in group:
            ws.write_string(3, c, h, head)
        else:
            ws.merge_range(2, c, 3, c, h, head)
    first = headers.index("家庭人口")
    ws.merge_range(2, first, 2, first + 1, "家庭情况", head)
    text = wb.add_format({"num_format": "@"})
    for r, values in enumerate(rows, start=FLAWED_FIRST_DATA_ROW - 1):
        for c, value in enumerate(values):
            if isinstance(value, str):
                ws.write_string(r, c, value, text if c == 2 else None)
            elif value is None:
                ws.write_blank(r, c, None)
            else:
                ws.write_number(r, c, value)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 2, 22)
    ws.set_column(3, len(headers) - 1, 12)
    wb.close()
    return path


# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------
def _default_data_dir() -> Path:
    return paths.data_dir()


def _progress(total: int, desc: str, enabled: bool):

    return tqdm(total=total, desc=desc, unit="行", disable=not enabled, leave=False)


def write_registry(frame: pd.DataFrame, path, fmt: str | None = None, *, progress: bool = False,
                   chunk: int = 100_000) -> Path:
    """Write a registry frame (file form) as CSV (UTF-8 with BOM) or xlsx (xlsxwriter, constant memory)."""
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".").lower() or "csv"
    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as fh, \
                _progress(len(frame), path.name, progress) as bar:
            for start in range(0, max(len(frame), 1), chunk):
                part = frame.iloc[start:start + chunk]
                part.to_csv(fh, index=False, header=start == 0, lineterminator="\n")
                bar.update(len(part))
        return path
    if fmt == "xlsx":

        wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        wb.set_properties({"comments": SYNTHETIC_NOTE, "created": dt.datetime(2026, 12, 1)})
        ws = wb.add_worksheet("名单")
        ws.write_row(0, 0, list(frame.columns))
        with _progress(len(frame), path.name, progress) as bar:
            for start in range(0, len(frame), chunk):
                part = frame.iloc[start:start + chunk]
                columns = [part[c].tolist() for c in part.columns]   # Python values for a chunk only
                for r, values in enumerate(zip(*columns), start=start + 1):
                    ws.write_row(r, 0, values)
                bar.update(len(part))
        wb.close()
        return path
    raise ValueError(f"unknown format {fmt!r}: csv or xlsx")


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return path


def write_demo_set(out_dir=None, seed: int = SEED, data_dir=None) -> dict[str, Path]:
    """Regenerate the whole demo data set into ``out_dir`` (default: the data folder).

    Reads the reference tables from ``data_dir`` (default: the data folder).
    Returns the written files by name.
    """
    data_dir = Path(data_dir) if data_dir else _default_data_dir()
    out_dir = Path(out_dir) if out_dir else data_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs = load_inputs(data_dir)
    listings = generate_listings(DEMO_ROWS, seed, inputs)
    rng = np.random.default_rng(seed + 2)
    visits, changes = generate_visits(rng, listings, inputs)
    history = generate_history(np.random.default_rng(seed + 3), listings)
    out = {
        "registry": write_registry(registry_frame(listings, inputs.categories), out_dir / "registry.csv"),
        "registry_flawed": write_flawed_xlsx(out_dir / "registry_flawed.xlsx", seed, inputs),
        "campaign_history": _write_csv(history, out_dir / "campaign_history.csv"),
        "visits": _write_csv(visits, out_dir / "visits.csv"),
        "registry_changes": _write_csv(changes, out_dir / "registry_changes.csv"),
    }
    return out
