"""``reliefplan coverage``: is every eligible household reached, and nobody twice?

``reliefplan coverage [--plan FILE] [--unit CODE] [--year Y] [--by LEVEL] [--json]``
    The funnel registered -> eligible -> planned -> visited -> reached
    by area, with coverage, exclusion and inclusion. By county for the whole
    plan area, by township when ``--unit`` is a county. "Reached" follows each
    person's delivery mode: a transfer (转账/社会化发放) when paid, a
    collective distribution (集中发放) or a home visit (上门走访) when the
    receipt is signed; when the plan uses transfers or distributions, the
    reached are also shown by mode.

``reliefplan coverage duplicates [--plan FILE] [--unit CODE] [--year Y] [--cap YUAN] [--json]``
    People listed or visited by more than one organizer, masked (张*三,
    350602********1234), with the total received and the excess over the
    per-person cap (default: the plan's ``per_person_cap``).

Options may be given before or after ``duplicates``. Exit codes: 0 done;
1 the analysis ran but found problems to act on (registry rows rejected,
area codes with no boundary polygon, or - for ``duplicates`` - people over
the cap); 2 unusable input.
"""

from __future__ import annotations

import argparse
import json
import sys

from tqdm import tqdm

from reliefplan.core import labels
from reliefplan.core.money import format_yuan
from reliefplan.core.areas import area_names
from reliefplan.core.text import format_table
from reliefplan.ingest.inputs import PlanInputs
from reliefplan.models import coverage
from reliefplan.models import multi_listed as dup
from reliefplan.models.coverage import FUNNEL_COUNTS, FUNNEL_RATES, unit_prefix
from reliefplan.views import maps
from reliefplan.views.maps import unmatched_message

COLUMNS = ("registered", "eligible", "planned", "visited", "reached", "visited_unsigned", "exclusion",
           "inclusion", "coverage_rate")


def _add_options(parser, *, suppress: bool) -> None:
    d = (lambda value: argparse.SUPPRESS) if suppress else (lambda value: value)
    parser.add_argument("--plan", default=d(None), help="方案文件(默认示例方案) / plan file (default: the demo plan)")
    parser.add_argument("--unit", default=d("all"),
                        help="区划代码(县或乡镇)或 all / area code (county or township) or all")
    parser.add_argument("--year", type=int, default=d(None),
                        help="评估的活动年度(默认走访记录中最近一年) / campaign year to assess "
                             "(default: latest year in the visits)")
    parser.add_argument("--threshold-multiple", type=float, default=d(None),
                        help="替换各类别收入条件的低保倍数 / replace every category's income multiple of 低保")
    parser.add_argument("--cap", type=str, default=d(None),
                        help="每人全年累计上限(元, 0=不设) / per-person cap in yuan (0 = none; default: plan)")
    parser.add_argument("--lang", choices=("zh", "en"), default=d("zh"), help="输出语言 / output language")
    parser.add_argument("--json", action="store_true", default=d(False), help="输出 JSON / print JSON")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "coverage",
        help="慰问覆盖: 漏斗、应慰未慰、重复慰问 / coverage funnel, gaps, duplicates",
        description=("在册 → 符合条件 → 计划 → 走访 → 到位(已签收) 各地区漏斗; duplicates 子命令列出多单位重复"
                     "登记/慰问的人员(已脱敏)。 / Funnel registered → eligible → planned → visited → reached "
                     "(signed) by area; the duplicates action lists people listed or visited by several "
                     "organizers (masked)."),
    )
    _add_options(p, suppress=False)
    p.add_argument("--by", choices=("county", "township", "category"), default=None,
                   help="分组(默认: 全市按县, 指定县时按乡镇) / grouping (default: county, township within a county)")
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    dup = sub.add_parser("duplicates", help="多单位重复登记/慰问(脱敏) / duplicates across organizers (masked)",
                         description="同一身份证号被多个单位登记或慰问的人员, 姓名和证件号已脱敏。 / "
                                     "People (same ID number) listed or visited by several organizers, masked.")
    _add_options(dup, suppress=True)
    dup.set_defaults(handler=run_duplicates)
    p.set_defaults(handler=run_funnel)


# ---------------------------------------------------------------------------



def _rate(value) -> str:
    return "" if value is None or value != value else f"{value:.1%}"


def _analyse(args):
    steps = tqdm(total=3, desc="coverage", unit="step", disable=None, file=sys.stderr, leave=False)
    plan_inputs = PlanInputs(args.plan)
    plan = plan_inputs.plan
    steps.update()
    inputs = coverage.load_inputs(plan_inputs)
    steps.update()
    result = coverage.analyse(inputs, year=args.year, unit=args.unit, threshold_multiple=args.threshold_multiple,
                              per_person_cap=args.cap)
    steps.update()
    steps.close()
    return plan, inputs, result


def _problems(plan, inputs, result) -> dict:
    rejected = 0 if inputs.rejected is None else int(len(inputs.rejected))
    unmatched = {"no_polygon": [], "no_data": []}
    if inputs.boundaries is not None:
        level = maps.map_level(inputs.boundaries, maps.boundary_code_property(plan))
        col = "township_code" if level == "township" else "county_code"
        codes = [c for c in result.status[col].astype(str).unique() if c]
        unmatched = maps.match_report(inputs.boundaries, codes, maps.boundary_code_property(plan))
    return {"rejected_rows": rejected, "unmatched_codes": unmatched}


def _columns(result) -> tuple:
    """The funnel columns, with "reached" by delivery mode when some people are not visited."""
    modes = set(result.status["delivery"]) if "delivery" in result.status else {"visit"}
    if modes <= {"visit"}:
        return COLUMNS
    at = COLUMNS.index("reached") + 1
    return COLUMNS[:at] + ("reached_paid", "reached_signed", "reached_visited") + COLUMNS[at:]


def run_funnel(args) -> int:

    plan, inputs, result = _analyse(args)
    by = args.by or ("township" if len(unit_prefix(args.unit)) == 6 else "county")
    frame = {"county": result.by_county, "township": result.by_township, "category": result.by_category}[by]
    code_col = {"county": "county_code", "township": "township_code", "category": "category"}[by]
    name_col = {"county": "county_name", "township": "township_name", "category": "category_label"}[by]
    problems = _problems(plan, inputs, result)
    lang = args.lang

    if args.json:
        rows = []
        for r in frame.to_dict("records"):
            row = {"code": str(r[code_col]), "name": str(r.get(name_col, r[code_col]))}
            if by == "township":
                row["county_code"] = str(r["county_code"])
            row.update({k: int(r[k]) for k in FUNNEL_COUNTS})
            row.update({k: (None if r[k] != r[k] else float(r[k])) for k in FUNNEL_RATES})
            rows.append(row)
        print(json.dumps({"plan": str(plan.get("_path")), "year": result.year, "unit": result.unit, "by": by,
                          "totals": result.totals, "areas": rows, **problems}, ensure_ascii=False, indent=2))
    else:
        columns = _columns(result)
        header = [labels.label(name_col, lang)] + [labels.label(c, lang) for c in columns]
        body = []
        for r in frame.to_dict("records"):
            body.append([r.get(name_col, r[code_col])] + [f"{int(r[c]):,}" for c in columns[:-1]]
                        + [_rate(r["coverage_rate"])])
        t = result.totals
        body.append([labels.label("total", lang)] + [f"{int(t[c]):,}" for c in columns[:-1]]
                    + [_rate(t["coverage_rate"])])
        title = "慰问覆盖漏斗" if lang == "zh" else "Coverage funnel"
        print(f"{title} {result.year} ({'全部' if result.unit == 'all' else result.unit})")
        if inputs.demo:
            print(labels.label("demo_notice", lang))
        print(format_table(header, body, rule=True))
        print()
        print(("排除率(应慰未慰/符合条件) {0}  错慰率(不应慰而慰/到位) {1}" if lang == "zh" else
               "exclusion rate {0}  inclusion rate {1}").format(_rate(t["exclusion_rate"]), _rate(t["inclusion_rate"])))
        if problems["rejected_rows"]:
            print(f"名单中 {problems['rejected_rows']} 行未通过校验, 未计入 / {problems['rejected_rows']} "
                  "registry rows were rejected and left out (see reliefplan validate)", file=sys.stderr)

        msg = unmatched_message(problems["unmatched_codes"], lang=lang)
        if msg and problems["unmatched_codes"]["no_polygon"]:
            print(msg, file=sys.stderr)
    return 1 if problems["rejected_rows"] or problems["unmatched_codes"]["no_polygon"] else 0


def run_duplicates(args) -> int:

    plan, inputs, result = _analyse(args)
    table = dup.masked(result.duplicates)
    names = area_names(inputs.areas, args.lang)
    table["area_name"] = table["area_code"].astype(str).map(names).fillna(table["area_code"].astype(str))
    cat_names = dict(zip(inputs.categories["code"], inputs.categories[args.lang]))
    table["categories"] = table["categories"].map(
        lambda text: "、".join(cat_names.get(c, c) for c in str(text).split("、") if c))
    summary = dup.summary(result.duplicates, result.cap_excess)
    if args.json:
        records = []
        for r in table.to_dict("records"):
            records.append({
                "name": r["name"], "id_number": r["id_number"], "area_code": r["area_code"],
                "area_name": r["area_name"], "listings": int(r["listings"]),
                "organizers_listed": r["organizers_listed"], "n_organizers": int(r["n_organizers"]),
                "categories": r["categories"], "n_visits": int(r["n_visits"]),
                "organizers_visited": r["organizers_visited"], "received_fen": int(r["received_fen"]),
                "excess_fen": int(r["excess_fen"]),
            })
        print(json.dumps({"year": result.year, "unit": result.unit, "cap_fen": result.cap_fen, **summary,
                          "people": records}, ensure_ascii=False, indent=2))
    else:
        lang = args.lang
        cols = ["name", "id_number", "area_name", "categories", "listings", "organizers_listed", "n_visits",
                "organizers_visited", "received_fen", "excess_fen"]
        header = [labels.label(c, lang) for c in cols]
        body = [[r["name"], r["id_number"], r["area_name"], r["categories"], r["listings"], r["organizers_listed"],
                 r["n_visits"],
                 r["organizers_visited"], format_yuan(int(r["received_fen"])), format_yuan(int(r["excess_fen"]))]
                for r in table.to_dict("records")]
        cap = format_yuan(result.cap_fen) if result.cap_fen else ("不设" if lang == "zh" else "none")
        if lang == "zh":
            print(f"{result.year} 年多单位重复登记/慰问: {summary['duplicate_people']} 人; 每人上限 {cap} 元, "
                  f"超出上限 {summary['over_cap_people']} 人, 共 {format_yuan(summary['excess_fen'])} 元")
        else:
            print(f"{result.year}: {summary['duplicate_people']} people listed or visited more than once; cap {cap}, "
                  f"{summary['over_cap_people']} over the cap by {format_yuan(summary['excess_fen'])} yuan in total")
        if inputs.demo:
            print(labels.label("demo_notice", lang))
        if body:
            print(format_table(header, body, right_from=4, rule=True))
    return 1 if summary["over_cap_people"] else 0
