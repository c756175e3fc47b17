"""``reliefplan budget``: what the plan costs, and what a budget affords.

``reliefplan budget [--plan FILE] [--scenario NAME] [--cap YUAN] [--mode priority|scale] [--json]``
    Totals by category (and by unit with ``--json``): cash, goods, overheads,
    contingency, the funding gap, and what the budget cap covers. By default
    the beneficiaries are the registry's eligible people; ``--counts FILE``
    (county_code, category, households, persons) or ``--forecast`` (from the
    campaign history) count them instead.

With funding pools the totals are followed by each pool's need, payment,
balance and shortfall, and what is short because of which pool; the
per-person rule's saving against paying every listing is printed too.
``--with-plan FILE`` (repeatable) costs further plans for the same city (e.g.
the 总工会's beside the 民政局's) side by side and combines them, paying a
person several plans list once unless every plan says
``cross_plan_rule: pay_all``.

``reliefplan budget goal-seek [--plan FILE] --budget YUAN [--step 50] [--coverage 0.95] [--json]``
    The highest uniform amount per recipient and the highest multiplier on
    all standards (rounded down to the step) within the budget, and the
    budget needed to cover a share of the eligible.

Options may be given before or after ``goal-seek``. Money in JSON is yuan
as strings with two decimals ("1234.50"). Exit codes: 0 done; 1 the plan
cannot serve everyone at its standards (the full cost exceeds the funding or
the cap; for goal-seek: the overheads alone exceed the budget); 2 unusable
input.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from reliefplan.core.errors import InputError
from reliefplan.core.money import fen_to_yuan, format_yuan
from reliefplan.core.text import format_table
from reliefplan.ingest.inputs import PlanInputs
from reliefplan.models import allocation as al
from reliefplan.models import budget as bm
from reliefplan.models import combined, goal_seek
from reliefplan.models.forecast import forecast
from reliefplan.views.app import load_inputs
from reliefplan.views.budget_charts import goal_table


def _add_options(parser, *, suppress: bool) -> None:
    d = (lambda value: argparse.SUPPRESS) if suppress else (lambda value: value)
    parser.add_argument("--plan", default=d(None), help="方案文件(默认示例方案) / plan file (default: the demo plan)")
    parser.add_argument("--scenario", default=d(None), help="情景名称(默认基准) / scenario name (default: the baseline)")
    parser.add_argument("--threshold-multiple", type=float, default=d(None),
                        help="替换各类别收入条件的低保倍数 / replace every category's income multiple of 低保")
    parser.add_argument("--counts", default=d(None),
                        help="按人数表测算(county_code, category, households, persons; .csv/.xlsx) / "
                             "cost these counts instead of the registry")
    parser.add_argument("--forecast", action="store_true", default=d(False),
                        help="按历年记录预测的户数测算 / cost the households forecast from the campaign history")
    parser.add_argument("--lang", choices=("zh", "en"), default=d("zh"), help="输出语言 / output language")
    parser.add_argument("--json", action="store_true", default=d(False), help="输出 JSON / print JSON")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "budget",
        help="预算测算与单变量求解 / budget totals and goal seek",
        description=("按方案测算各类别、各单位的慰问金、慰问品、工作经费与资金缺口; goal-seek 子命令求预算内可承受的标准。"
                     " / Cost the plan by category and unit with the funding gap; the goal-seek action finds "
                     "the standards a budget affords."),
    )
    _add_options(p, suppress=False)
    p.add_argument("--cap", default=None, help="预算上限(元, 默认方案的 budget_cap) / budget cap in yuan (default: plan)")
    p.add_argument("--mode", choices=("priority", "scale"), default=None,
                   help="超限时按优先级或同比例下调(默认方案设置) / over the cap: by priority or scale down")
    p.add_argument("--with-plan", action="append", default=[], metavar="FILE",
                   help="同一城市的其他方案(可重复), 并列测算并合并, 同一人不重复慰问 / "
                        "further plans for the same city, costed side by side and combined without paying anyone twice")
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    gs = sub.add_parser("goal-seek", help="预算内可承受的标准 / the standards a budget affords",
                        description="求预算内每户(人)统一标准、各标准统一倍数, 以及达到覆盖率所需预算。 / "
                                    "Highest uniform amount and multiplier within a budget; budget for a coverage.")
    _add_options(gs, suppress=True)
    gs.add_argument("--budget", required=True, help="预算(元) / budget in yuan")
    gs.add_argument("--step", default="50", help="取整步长(元, 默认 50) / rounding step in yuan (default 50)")
    gs.add_argument("--coverage", default="0.95", help="目标覆盖率(默认 0.95) / target coverage (default 0.95)")
    gs.set_defaults(handler=run_goal_seek)
    p.set_defaults(handler=run_budget)


# ---------------------------------------------------------------------------

def _yuan(fen) -> str | None:
    return None if fen is None else str(fen_to_yuan(int(fen)))


def _beneficiaries(args):
    """(PlanInputs, beneficiaries, unit names, source label) from the registry, a counts file or the forecast."""
    inputs = PlanInputs(getattr(args, "plan", None))
    plan = inputs.plan
    if getattr(args, "counts", None) or getattr(args, "forecast", False):
        if args.counts:
            path = Path(args.counts)
            if not path.exists():
                raise InputError("人数表文件不存在", "counts file not found", file=path)
            try:
                if path.suffix.lower() in (".xlsx", ".xls"):
                    counts = pd.read_excel(path, dtype={"county_code": str}, engine="calamine")
                else:
                    counts = pd.read_csv(path, dtype={"county_code": str}, encoding="utf-8-sig")
            except Exception as exc:  # any reader failure is unusable input
                raise InputError("无法读取人数表", f"cannot read the counts file: {exc}", file=path) from exc
            source = str(path)
        else:
            history = inputs.history
            counts = bm.forecast_counts(forecast(history, target_year=int(plan["year"])), history)
            source = "forecast"
        try:
            ben = bm.beneficiaries_from_counts(counts, plan=plan, dibao=inputs.get("dibao"))
        except InputError as exc:
            exc.file = exc.file or (str(args.counts) if args.counts else None)
            raise
        return inputs, ben, bm.unit_names(inputs.get("areas"), args.lang), source

    loaded = load_inputs(inputs, threshold_multiple=args.threshold_multiple, lang=args.lang, prepare=False)
    return inputs, loaded.beneficiaries, loaded.unit_names, "registry"


def run_budget(args) -> int:
    inputs, ben, names, source = _beneficiaries(args)
    plan = inputs.plan
    result = bm.cost_model(plan, ben, scenario=args.scenario, cap_yuan=args.cap)
    alloc = al.allocate(plan, ben, scenario=args.scenario, cap_yuan=args.cap, mode=args.mode)
    t = result.totals
    short = t["gap_fen"] > 0 or not alloc.fits
    lang = args.lang
    cat_names = dict(zip(result.standards["category"], result.standards["zh" if lang == "zh" else "en"]))
    if args.json:
        def money(row):
            return {k[:-4]: _yuan(row[k]) for k in bm.MONEY_PARTS}

        doc = {
            "plan": str(plan.get("_path")), "year": plan.get("year"), "scenario": result.scenario, "source": source,
            "totals": {"households": t["households"], "persons": t["persons"], "recipients": t["recipients"],
                       **{k[:-4]: _yuan(t[k]) for k in bm.MONEY_PARTS},
                       "funding": _yuan(t["funding_fen"]), "gap": _yuan(t["gap_fen"]),
                       "per_person": _yuan(t["per_person_fen"])},
            "by_category": [{"category": r["category"], "name": cat_names.get(r["category"], r["category"]),
                             "households": int(r["households"]), "persons": int(r["persons"]),
                             "recipients": int(r["recipients"]), **money(r)} for _, r in result.categories.iterrows()],
            "by_unit": [{"county_code": r["county_code"], "name": names.get(r["county_code"], r["county_code"]),
                         "households": int(r["households"]), "persons": int(r["persons"]),
                         "recipients": int(r["recipients"]), **money(r)} for _, r in result.units.iterrows()],
            "funding": [{"source": r["source"], "source_en": r["source_en"], "amount": _yuan(r["amount_fen"]),
                         "used": _yuan(r["used_fen"])} for _, r in result.funding.iterrows()],
            "pools": _pool_rows(alloc), "short": _short_rows(alloc),
            "per_person": {k: (_yuan(v) if k.endswith("_fen") else v) for k, v in result.per_person.items()},
            "cap": {"cap": _yuan(alloc.cap_fen), "mode": alloc.mode, "fits": alloc.fits,
                    "allocated_total": _yuan(alloc.budget.total_fen),
                    "covered_recipients": int(alloc.coverage["covered_recipients"].sum()),
                    "eligible_recipients": int(alloc.coverage["eligible_recipients"].sum()),
                    "factor": None if alloc.factor is None else str(alloc.factor),
                    "message": alloc.message(lang)},
        }
        if args.with_plan:
            doc["combined"] = _combined_rows(_combined(args, plan, ben))
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 1 if short else 0

    head = (["类别", "户(人)", "慰问金", "慰问品", "工作经费", "不可预见费", "合计(元)"] if lang == "zh" else
            ["Category", "Recipients", "Cash", "Goods", "Overheads", "Contingency", "Total (yuan)"])
    rows = [[cat_names.get(r["category"], r["category"]), f"{int(r['recipients']):,}",
             *[format_yuan(int(r[k])) for k in ("cash_fen", "goods_fen", "overhead_fen", "contingency_fen",
                                                "total_fen")]] for _, r in result.categories.iterrows()]
    rows.append(["合计" if lang == "zh" else "Total", f"{t['recipients']:,}",
                 *[format_yuan(t[k]) for k in ("cash_fen", "goods_fen", "overhead_fen", "contingency_fen", "total_fen")]])
    title = f"{plan.get('name', '')} — {result.scenario}" if lang == "zh" else \
        f"{plan.get('name_en', plan.get('name', ''))} — {result.scenario}"
    print(title)
    if inputs.demo:
        print("示例数据，人员均为虚构" if lang == "zh" else "Demo data: all people are fictitious")
    print(format_table(head, rows))
    gap = t["gap_fen"]
    if lang == "zh":
        print(f"资金来源合计 {format_yuan(t['funding_fen'])} 元; "
              + (f"资金缺口 {format_yuan(gap)} 元" if gap > 0 else f"资金结余 {format_yuan(-gap)} 元"))
    else:
        print(f"Funding {format_yuan(t['funding_fen'])}; "
              + (f"gap {format_yuan(gap)}" if gap > 0 else f"surplus {format_yuan(-gap)}"))
    print(alloc.message(lang))
    _print_pools(alloc, lang, cat_names)
    _print_per_person(result.per_person, lang)
    if args.with_plan:
        _print_combined(_combined(args, plan, ben), lang)
    return 1 if short else 0


def _pool_rows(alloc) -> list:
    table = alloc.extra.get("pools")
    if table is None:
        return []
    return [{"source": r["source"], "source_en": r["source_en"], "goods_only": bool(r["goods_only"]),
             "pays_overheads": bool(r["pays_overheads"]), "categories": r["categories"], "organizers": r["organizers"],
             **{k[:-4]: _yuan(r[k]) for k in ("amount_fen", "need_in_pool_fen", "gifts_paid_fen", "overheads_paid_fen",
                                               "contingency_fen", "used_fen", "left_fen", "short_fen")}}
            for _, r in table.iterrows()]


def _short_rows(alloc) -> list:
    short = alloc.extra.get("short")
    if short is None:
        return []
    return [{"pool": r["pool"], "county_code": r["county_code"], "category": r["category"], "part": r["part"],
             "recipients": int(r["recipients"]), "short": _yuan(r["short_fen"])} for _, r in short.iterrows()]


def _print_pools(alloc, lang: str, cat_names: dict) -> None:
    table = alloc.extra.get("pools")
    if table is None:
        return
    zh = lang == "zh"
    head = (["资金池", "金额", "需支付", "已支付", "结余", "缺口(元)"] if zh else
            ["Pool", "Amount", "Asked", "Paid", "Left", "Short (yuan)"])
    rows = [[r["source"] if zh else r["source_en"],
             *[format_yuan(int(r[k])) for k in ("amount_fen", "need_in_pool_fen", "used_fen", "left_fen", "short_fen")]]
            for _, r in table.iterrows()]
    print(format_table(head, rows))
    short = alloc.extra["short"]
    if len(short):
        by = short.groupby(["pool" if zh else "pool_en", "category", "part"], sort=False)[["recipients", "short_fen"]].sum()
        print("缺口明细:" if zh else "Short by pool and category:")
        for (pool, cat, part), r in by.iterrows():
            what = ("慰问金" if part == "cash" else "慰问品") if zh else part
            print(f"  {pool} · {cat_names.get(cat, cat)} · {what}: {int(r['recipients']):,} "
                  + (f"户(人)次 {format_yuan(int(r['short_fen']))} 元" if zh else
                     f"recipients, {format_yuan(int(r['short_fen']))}"))


def _print_per_person(saved: dict, lang: str) -> None:
    if not saved or not saved.get("multi_listed_people"):
        return
    if lang == "zh":
        print(f"同一对象多单位登记 {saved['multi_listed_people']:,} 人 ({saved['multi_listings']:,} 条登记); "
              f"按每人规则 {saved['rule']} 发放, 较逐条发放节约 {format_yuan(saved['saving_fen'])} 元")
    else:
        print(f"{saved['multi_listed_people']:,} people listed by several organizers ({saved['multi_listings']:,} "
              f"listings); paid by the rule {saved['rule']}: {format_yuan(saved['saving_fen'])} less than paying "
              "every listing")


def _combined(args, plan, ben):
    plans, bens = [plan], [ben]
    for file in args.with_plan:
        other = PlanInputs(file)
        plans.append(other.plan)
        bens.append(load_inputs(other, threshold_multiple=args.threshold_multiple, lang=args.lang,
                                prepare=False).beneficiaries)
    return combined.combine(plans, bens)


def _combined_rows(comb) -> list:
    return [{"plan": r["plan"], "total": _yuan(r["total_fen"]), "shared_people": int(r["shared_people"]),
             "not_paid_twice": _yuan(r["dropped_fen"]), "combined_total": _yuan(r["combined_total_fen"])}
            for _, r in comb.table.iterrows()]


def _print_combined(comb, lang: str) -> None:
    zh = lang == "zh"
    head = (["方案", "合计", "与其他方案重复人数", "不重复慰问减少", "合并后(元)"] if zh else
            ["Plan", "Total", "People in other plans", "Not paid twice", "Combined (yuan)"])
    rows = [[r["plan"] if zh or r["plan"] != "合计" else "Total", format_yuan(int(r["total_fen"])),
             f"{int(r['shared_people']):,}", format_yuan(int(r["dropped_fen"])),
             format_yuan(int(r["combined_total_fen"]))] for _, r in comb.table.iterrows()]
    print(format_table(head, rows))


def run_goal_seek(args) -> int:
    inputs, ben, _, source = _beneficiaries(args)
    plan = inputs.plan
    seek = goal_seek.seek_all(plan, ben, args.budget, step_yuan=args.step, coverage=args.coverage,
                              scenario=args.scenario)
    u, m, c = seek["uniform"], seek["multiplier"], seek["coverage"]
    nothing = not u["fits"]
    if args.json:
        print(json.dumps({
            "plan": str(plan.get("_path")), "source": source, "budget": _yuan(seek["budget_fen"]),
            "step": _yuan(seek["step_fen"]),
            "uniform_amount": {"amount": _yuan(u["amount_fen"]), "recipients": u["recipients"],
                               "total": _yuan(u["total_fen"]), "fits": u["fits"]},
            "multiplier": {"factor": str(m["factor"]), "factor_decimal": f"{m['factor_float']:.6f}",
                           "total": _yuan(m["total_fen"]), "fits": m["fits"]},
            "coverage": {"target": str(c["coverage"]), "budget": _yuan(c["budget_fen"]), "covered": c["covered"],
                         "eligible": c["eligible"]},
            "pools": [{"source": r["source"], "amount": _yuan(r["amount_fen"]), "needed": _yuan(r["needed_fen"]),
                       "headroom": _yuan(r["headroom_fen"]), "covered_pct": r["covered_pct"],
                       "factor": f"{r['factor']:.6f}"} for _, r in seek["pools"].iterrows()] if "pools" in seek else [],
        }, ensure_ascii=False, indent=2))
        return 1 if nothing else 0

    table = goal_table(seek, args.lang)
    for q, a in zip(table.iloc[:, 0], table.iloc[:, 1]):
        print(f"{q}: {a}")
    if "pools" in seek:
        zh = args.lang == "zh"
        head = (["资金池", "金额", "全额所需", "余量", "优先级覆盖率(%)", "同比例可发(倍)"] if zh else
                ["Pool", "Amount", "Needed in full", "Headroom", "Covered by priority (%)", "Uniform share"])
        rows = [[r["source"] if zh else r["source_en"], format_yuan(int(r["amount_fen"])),
                 format_yuan(int(r["needed_fen"])), format_yuan(int(r["headroom_fen"])), f"{r['covered_pct']:.1f}",
                 f"{r['factor']:.3f}"] for _, r in seek["pools"].iterrows()]
        print(format_table(head, rows))
    return 1 if nothing else 0
