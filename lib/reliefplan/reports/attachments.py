"""The Excel attachments (附件) of a unit report: 汇总表 and 登记表, masked.

A roll-up over units lists their people in its 登记表 (a city's list, with the county column); a
roll-up over roll-ups (a province over its cities) lists those units instead, each row linking the
unit's own 登记表 where its people are (:func:`register_by_unit`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from reliefplan.core.areas import area_name, area_names, county_of, township_of, unit_of
from reliefplan.core.errors import ConfigError
from reliefplan.core.money import format_yuan
from reliefplan.ingest.units import organizer_stem, safe_filename
from reliefplan.models import budget, households
from reliefplan.reports.context import ReportContext
from reliefplan.reports.plan_doc import build_plan_doc
from reliefplan.views import excel_forms as xf

# ------------------------------------------------------------------ attachments

def register_people(ctx: ReportContext) -> pd.DataFrame:
    """The unit's planned beneficiaries with their baseline gift amounts (unmasked; masked by the form).

    Amounts are what the plan's per-person rule pays each listing, decided
    over the whole plan area (``budget.listing_payments``), so the 登记表
    counts the same money as the budget: a listing paid elsewhere shows 0.
    A roster household is listed member by member under its head, with
    ``household_seq`` (户序号) and ``relationship``; its money sits on the
    head's line for a per-household standard and is shared by its members for
    a per-person one (:func:`reliefplan.models.households.split_amounts`).
    """
    std = ctx.baseline.standards
    pay = ctx.listing_payments()
    ben = ctx.beneficiaries
    ben = ben.loc[ben.index.isin(ctx.registry.index)]
    pay = pay.loc[ben.index]
    count, _, _ = budget.group_amounts(ben, std)
    per_person = count == ben["persons"].to_numpy(dtype=np.int64)
    head = households.member_rows(ben, ctx.inputs.registry, ctx.eligibility["eligible"])
    reg = ctx.inputs.registry.loc[head.index]
    names = area_names(ctx.areas)
    town = township_of(reg["area_code"].astype(str))
    has_household = (reg["household_key"].notna().to_numpy() if "household_key" in reg
                     else np.zeros(len(reg), dtype=bool))
    county = county_of(reg["area_code"])
    organizer = reg["organizer"] if "organizer" in reg else pd.Series("", index=reg.index)
    people = pd.DataFrame({
        "county_code": county, "county_name": county.map(names).fillna(""),
        "township_code": town,
        "township_name": town.map(names).fillna(""),
        "name": reg["name"], "gender": reg["gender"], "id_number": reg["id_number"],
        "category": reg["category"].astype(str),
        "category_label": reg["category"].astype(str).map(ctx.category_labels()),
        "household_size": reg["household_size"], "income_fen": reg["income_fen"], "phone": reg["phone"],
        "cash_fen": households.split_amounts(head, pay["cash_fen"].to_numpy(), per_person, ben.index),
        "goods_fen": households.split_amounts(head, pay["goods_fen"].to_numpy(), per_person, ben.index),
        "person_key": reg["person_key"],
        "organizer": organizer.astype("string").fillna("").str.strip(),
        "relationship": reg["relationship"] if "relationship" in reg else pd.Series(np.nan, index=reg.index),
        "_head_key": reg["person_key"].reindex(head.to_numpy()).to_numpy(),
        "_is_head": head.index.to_numpy() == head.to_numpy(), "_has_household": has_household,
    }, index=head.index)
    people = people.sort_values(["county_code", "township_code", "category", "_head_key", "_is_head"],
                                ascending=[True, True, True, True, False], kind="stable")
    if people["_has_household"].any():
        seq = (people["_is_head"] & people["_has_household"]).cumsum()
        people["household_seq"] = seq.where(people["_has_household"]).astype("Int64")
        # A household's size once, on its head's line, so the 合计 of 家庭人口 counts each household once.
        member = people["_has_household"] & ~people["_is_head"]
        people["household_size"] = people["household_size"].astype("Int64").mask(member)
    return people.drop(columns=["_head_key", "_is_head", "_has_household"])


def pay_once_at_highest(listings: pd.DataFrame) -> pd.DataFrame:
    """One 登记表 row per person: what their listings are paid in all (the plan's per-person rule,
    :func:`reliefplan.models.budget.listing_payments`, already decided which listing pays), shown at their
    best-paid listing (ties: the first), with every organizer who listed them in ``organizers`` and the
    number of listings in ``listings``.

    ``listings``: rows of :func:`register_people` (one per listing).
    """
    if listings.empty:
        return listings.assign(organizers=pd.Series(dtype=object), listings=pd.Series(dtype="int64"))
    df = listings.assign(_gifts=listings["cash_fen"] + listings["goods_fen"], _order=range(len(listings)))
    best = df.sort_values(["person_key", "_gifts", "_order"], ascending=[True, False, True], kind="stable")
    best = best.drop_duplicates("person_key", keep="first")
    # what the person is paid in all (the per-person rule may pay one listing, or parts of several)
    paid = df.groupby("person_key")[["cash_fen", "goods_fen"]].sum()
    best = best.assign(cash_fen=best["person_key"].map(paid["cash_fen"]).astype("int64"),
                       goods_fen=best["person_key"].map(paid["goods_fen"]).astype("int64"))
    n = df.groupby("person_key").size()
    # every organizer of a person, sorted and joined: one pass in Python (a per-group pandas
    # aggregate cost ~11 s for a province's 240,000 people)
    named: dict = {}
    for key, organizer in zip(df["person_key"].tolist(), df["organizer"].tolist()):
        if organizer:
            named.setdefault(key, set()).add(organizer)
    orgs = pd.Series(["、".join(sorted(named.get(key, ()))) for key in n.index], index=n.index,
                     dtype=df["organizer"].dtype)   # the dtype the per-group aggregate kept
    out = best.assign(organizers=best["person_key"].map(orgs), listings=best["person_key"].map(n).astype("int64"))
    return out.sort_values("_order").drop(columns=["_gifts", "_order"])


def register_notes(listings: pd.DataFrame, people: pd.DataFrame, budget_gifts_fen: int) -> list[str]:
    """The lines under the 登记表's 合计: people and listings counted apart, and why its sum differs from the 汇总表."""
    several = int((people["listings"] > 1).sum()) if len(people) else 0
    paid = int((people["cash_fen"] + people["goods_fen"]).sum()) if len(people) else 0
    lines = [f"共{len(people):,}户(人)，登记{len(listings):,}人次；其中{several:,}人由两个及以上单位登记，"
             "慰问金品按方案的每人规则计（同一人不重复发放）。"]
    if budget_gifts_fen != paid:
        lines.append(f"本表慰问金品合计{format_yuan(paid)}元；汇总表按登记人次测算{format_yuan(budget_gifts_fen)}元，"
                     f"差额{format_yuan(budget_gifts_fen - paid)}元为重复登记部分。")
    return lines


# What the units below a roll-up are called in its 登记表, by their area level: (zh, en).
UNIT_WORDS = {"city": ("市", "City"), "county": ("县(市、区)", "County"), "township": ("乡镇(街道)", "Township")}


def lists_units(ctx: ReportContext) -> bool:
    """Whether a roll-up's 登记表 lists the units below it instead of people: a roll-up over roll-ups.

    A province receives its cities' forms; each city's 登记表 lists its people (and each county's
    report lists them again), so a province-wide list of every person (~250,000 rows for 福建省)
    would repeat them in a file too large to use. A roll-up over units that are reports of their
    own (a city over its counties) keeps the full list of its people.
    """
    return not ctx.is_unit and "leaf" in ctx.units and not ctx.units["leaf"].astype(bool).all()


def area_stem(ctx: ReportContext, code: str) -> str:
    """The file-name stem of area ``code``'s attachments (``350100_福州市``), as that area's own report names them."""
    return f"{code}_{safe_filename(area_name(ctx.areas, code, ctx.lang))}"


def register_by_unit(ctx: ReportContext, listings: pd.DataFrame) -> pd.DataFrame:
    """Per unit below the roll-up: what its own 登记表 holds, and that file's name.

    ``listings``: rows of :func:`register_people` for the roll-up's area. A unit's 登记表 lists each
    of its people once (:func:`pay_once_at_highest` over the unit's listings), so ``people`` counts
    distinct person keys within the unit, ``multi_listed`` those listed more than once there, and the
    money is what the per-person rule pays the unit's listings, which is what its rows add up to.
    """
    area = ctx.inputs.registry.loc[listings.index, "area_code"]
    df = pd.DataFrame({"unit_code": unit_of(area, ctx.units["code"]).to_numpy(),
                       "person_key": listings["person_key"].to_numpy(),
                       "cash_fen": listings["cash_fen"].to_numpy(dtype=np.int64),
                       "goods_fen": listings["goods_fen"].to_numpy(dtype=np.int64)})
    per_person = df.groupby(["unit_code", "person_key"], sort=False).size()
    people = per_person.groupby(level=0).size()
    multi = (per_person > 1).groupby(level=0).sum()
    money = df.groupby("unit_code")[["cash_fen", "goods_fen"]].sum()
    listed = df.groupby("unit_code").size()
    rows = []
    for u in ctx.units.itertuples(index=False):
        code = str(u.code)
        cash = int(money["cash_fen"].get(code, 0))
        goods = int(money["goods_fen"].get(code, 0))
        rows.append({"unit_code": code, "unit_name": area_name(ctx.areas, code, ctx.lang),
                     "people": int(people.get(code, 0)), "listings": int(listed.get(code, 0)),
                     "multi_listed": int(multi.get(code, 0)), "cash_fen": cash, "goods_fen": goods,
                     "gifts_fen": cash + goods, "register": f"{area_stem(ctx, code)}_登记表.xlsx"})
    out = pd.DataFrame(rows, columns=["unit_code", "unit_name", "people", "listings", "multi_listed", "cash_fen",
                                      "goods_fen", "gifts_fen", "register"])
    for col in ("people", "listings", "multi_listed", "cash_fen", "goods_fen", "gifts_fen"):
        out[col] = out[col].astype("int64")
    return out


def unit_register_notes(ctx: ReportContext, listings: pd.DataFrame, by_unit: pd.DataFrame,
                        budget_gifts_fen: int) -> list[str]:
    """The lines under a units 登记表: where the people are, and how its counts relate to the people listed."""
    zh_word, en_word = UNIT_WORDS.get(str(ctx.units["level"].iloc[0]) if "level" in ctx.units and len(ctx.units)
                                      else "", ("单位", "unit"))
    distinct = int(listings["person_key"].nunique())
    lines = [f"本表汇总各{zh_word}的登记表（附件2）：每行为该{zh_word}登记表所列人数与慰问金品，人员明细（已脱敏）见该表"
             f"（点击文件名打开，与本表放在同一文件夹）；其下各单位报告的登记表亦列有这些人员，汇总未删减任何人员。"]
    if ctx.lang == "en":
        lines.append(f"Each row sums one {en_word.lower()}'s own register (附件2), which lists its people (masked): "
                     "click the file name (kept in the same folder). The reports below it list them too; "
                     "nobody is left out.")
    across = int(by_unit["people"].sum()) - distinct
    lines.append(f"{ctx.unit_name}共{distinct:,}人（不重复），登记{len(listings):,}人次"
                 + (f"；其中{across:,}人在两个及以上{zh_word}登记，在各{zh_word}登记表中各列一次，故人数合计多于不重复人数。"
                    if across > 0 else "。"))
    paid = int(by_unit["gifts_fen"].sum())
    if budget_gifts_fen != paid:
        lines.append(f"本表慰问金品合计{format_yuan(paid)}元；汇总表按登记人次测算{format_yuan(budget_gifts_fen)}元，"
                     f"差额{format_yuan(budget_gifts_fen - paid)}元为重复登记部分。")
    return lines


def filing_unit(ctx: ReportContext) -> str:
    """The 填报单位 of the forms: the organizer of an organizer's report, else the plan's organizing agency."""
    return str(ctx.organizer or ctx.plan.get("organizer") or ctx.unit_name)


def attachment_files(ctx: ReportContext) -> dict[str, bytes]:
    """The unit's (or the roll-up's) Excel attachments: file name -> xlsx bytes."""

    code = ctx.area_code
    stem = organizer_stem(ctx.organizer) if ctx.organizer else area_stem(ctx, code)
    unit_line = f"填报单位（盖章）：{filing_unit(ctx)}"
    lines = ctx.unit_lines()
    cat_frame = xf.summary_frame(lines, "category", ctx.category_labels())
    sheets = [("按类别", "附件3", f"{ctx.unit_name}{ctx.year}年春节送温暖慰问汇总表", unit_line, cat_frame,
               ("困难类别", "Category"))]
    if not ctx.is_unit:
        unit_names = dict(zip(ctx.units["code"], ctx.units["name"]))
        unit_frame = xf.summary_frame(lines.assign(unit_code=unit_of(lines["county_code"], ctx.units["code"])),
                                      "unit_code", unit_names)
        sheets.insert(0, ("按单位", "附件3", f"{ctx.unit_name}{ctx.year}年春节送温暖慰问汇总表(按单位)", unit_line,
                          unit_frame, ("县(市、区)", "Unit")))
    listings = register_people(ctx)
    title = f"{ctx.unit_name}{ctx.year}年春节送温暖慰问对象登记表"
    if lists_units(ctx):
        by_unit = register_by_unit(ctx, listings)
        level = str(ctx.units["level"].iloc[0]) if "level" in ctx.units and len(ctx.units) else ""
        register = xf.register_units_workbook(
            by_unit, form_no="附件2", title=f"{title}（按{UNIT_WORDS.get(level, ('单位',))[0]}汇总）",
            unit_line=unit_line, demo=ctx.demo, lang=ctx.lang, unit_header=UNIT_WORDS.get(level, ("单位", "Unit")),
            notes=unit_register_notes(ctx, listings, by_unit, int(cat_frame["gifts_fen"].sum())))
    else:
        people = pay_once_at_highest(listings)
        register = xf.register_workbook(
            xf.register_frame(people), form_no="附件2", title=title, unit_line=unit_line, demo=ctx.demo,
            lang=ctx.lang, with_county=not ctx.is_unit,
            notes=register_notes(listings, people, int(cat_frame["gifts_fen"].sum())))
    return {f"{stem}_汇总表.xlsx": xf.summary_workbook(sheets, demo=ctx.demo, lang=ctx.lang),
            f"{stem}_登记表.xlsx": register}


def wants_plan_doc(ctx: ReportContext, plan_doc: bool | None = None) -> bool:
    """Whether the report also writes its draft 实施方案 (.docx): the parameter, else the plan's ``plan_doc:``.

    An organizer's report has none (the plan document is an area's).
    """
    wanted = ctx.plan.get("plan_doc", False) if plan_doc is None else plan_doc
    if not isinstance(wanted, bool):
        raise ConfigError(f"plan_doc 须为 true 或 false, 实为 {wanted!r}",
                          f"plan_doc must be true or false, got {wanted!r}",
                          file=ctx.plan.get("_path"), column="plan_doc")
    return wanted and not ctx.organizer


def plan_doc_file(ctx: ReportContext) -> dict[str, bytes]:
    """``{file name: .docx bytes}``: the draft 实施方案 beside the report, its figures the 汇总表's."""
    return {f"{area_stem(ctx, ctx.area_code)}_{ctx.year}年实施方案草稿.docx": build_plan_doc(ctx)}


def write_attachments(ctx: ReportContext, folder, *, plan_doc: bool | None = None) -> list[str]:
    """Write the attachments into ``folder`` (the runner's collection folder); nothing when ``folder`` is None.

    ``plan_doc``: also the draft 实施方案 (.docx); None follows the plan's ``plan_doc:`` setting.
    """

    if not folder:
        return []
    written = []
    files = attachment_files(ctx)
    if wants_plan_doc(ctx, plan_doc):
        files.update(plan_doc_file(ctx))
    for name, data in files.items():
        (Path(folder) / name).write_bytes(data)
        written.append(name)
    return written
