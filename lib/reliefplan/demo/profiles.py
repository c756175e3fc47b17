"""The numbers that shape the synthetic demo data (示例数据，人员均为虚构).

Seed, sizes, column orders, category profiles (who is listed, by whom, how old,
how poor), county weights, name and address pools, the history's standards and
its deliberate clerical errors. Generators read these; nothing here draws.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import yaml

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
# Cash and goods standards (yuan) of 2019 and 2026: (cash 2019, cash 2026, goods 2019, goods 2026).
# The 2026 values are the demo plan's own standards, so that its baseline scenario 维持 ("keep the
# standards") costs about what the 2026 campaign cost; gugua_elder's plan standard is half a month of
# 低保, about 400 yuan.
HISTORY_STANDARDS = {
    "tekun": (300, 500, 60, 100), "tekun_institution": (100, 200, 60, 100), "dibao": (250, 400, 60, 100),
    "dibao_edge": (100, 200, 60, 100), "temp_relief": (100, 200, 60, 100), "poverty_monitoring": (100, 200, 60, 100),
    "orphan": (300, 500, 60, 100), "de_facto_orphan": (300, 500, 60, 100), "gugua_elder": (250, 400, 60, 100),
    "disabled": (200, 300, 60, 100), "serious_illness": (400, 600, 60, 100), "liushou_child": (50, 100, 60, 100),
    "kongchao_elder": (50, 100, 60, 100), "youfu": (250, 400, 60, 100), "old_party_member": (250, 400, 60, 100),
    "hardship_worker": (300, 500, 60, 100), "model_worker": (300, 500, 200, 300), "unemployed": (250, 400, 60, 100),
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
