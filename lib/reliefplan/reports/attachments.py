"""The Excel attachments (附件) of a unit report: 汇总表 and 登记表, masked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from reliefplan.ingest.units import organizer_stem, safe_filename
from reliefplan.models import budget, households
from reliefplan.models.coverage import township_of
from reliefplan.reports.context import ReportContext
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
    pay = budget.listing_payments(ctx.plan, ctx.beneficiaries, std)
    ben = ctx.beneficiaries
    ben = ben.loc[ben.index.isin(ctx.registry.index)]
    pay = pay.loc[ben.index]
    count, _, _ = budget.group_amounts(ben, std)
    per_person = count == ben["persons"].to_numpy(dtype=np.int64)
    head = households.member_rows(ben, ctx.inputs.registry, ctx.eligibility["eligible"])
    reg = ctx.inputs.registry.loc[head.index]
    names = dict(zip(ctx.areas["code"], ctx.areas["name"]))
    town = township_of(reg["area_code"].astype(str))
    has_household = (reg["household_key"].notna().to_numpy() if "household_key" in reg
                     else np.zeros(len(reg), dtype=bool))
    people = pd.DataFrame({
        "township_code": town,
        "township_name": town.map(names).fillna(""),
        "name": reg["name"], "gender": reg["gender"], "id_number": reg["id_number"],
        "category": reg["category"].astype(str),
        "category_label": reg["category"].astype(str).map(ctx.category_labels()),
        "household_size": reg["household_size"], "income_fen": reg["income_fen"], "phone": reg["phone"],
        "cash_fen": households.split_amounts(head, pay["cash_fen"].to_numpy(), per_person, ben.index),
        "goods_fen": households.split_amounts(head, pay["goods_fen"].to_numpy(), per_person, ben.index),
        "person_key": reg["person_key"],
        "relationship": reg["relationship"] if "relationship" in reg else pd.Series(np.nan, index=reg.index),
        "_head_key": reg["person_key"].reindex(head.to_numpy()).to_numpy(),
        "_is_head": head.index.to_numpy() == head.to_numpy(), "_has_household": has_household,
    }, index=head.index)
    people = people.sort_values(["township_code", "category", "_head_key", "_is_head"],
                                ascending=[True, True, True, False], kind="stable")
    if people["_has_household"].any():
        seq = (people["_is_head"] & people["_has_household"]).cumsum()
        people["household_seq"] = seq.where(people["_has_household"]).astype("Int64")
        # A household's size once, on its head's line, so the 合计 of 家庭人口 counts each household once.
        member = people["_has_household"] & ~people["_is_head"]
        people["household_size"] = people["household_size"].astype("Int64").mask(member)
    return people.drop(columns=["_head_key", "_is_head", "_has_household"])


def attachment_files(ctx: ReportContext) -> dict[str, bytes]:
    """The unit's (or the roll-up's) Excel attachments: file name -> xlsx bytes."""

    code = ctx.unit_code or str(ctx.plan.get("area"))
    stem = organizer_stem(ctx.organizer) if ctx.organizer else f"{code}_{safe_filename(ctx.unit_name)}"
    unit_line = f"填报单位（盖章）：{ctx.unit_name}"
    lines = ctx.unit_lines()
    cat_frame = xf.summary_frame(lines, "category", ctx.category_labels())
    sheets = [("按类别", "附件3", f"{ctx.unit_name}{ctx.year}年春节送温暖慰问汇总表", unit_line, cat_frame,
               ("困难类别", "Category"))]
    if not ctx.is_unit:
        unit_names = dict(zip(ctx.units["code"], ctx.units["name"]))
        unit_frame = xf.summary_frame(lines, "county_code", unit_names)
        sheets.insert(0, ("按单位", "附件3", f"{ctx.unit_name}{ctx.year}年春节送温暖慰问汇总表(按单位)", unit_line,
                          unit_frame, ("县(市、区)", "Unit")))
    files = {
        f"{stem}_汇总表.xlsx": xf.summary_workbook(sheets, demo=ctx.demo, lang=ctx.lang),
        f"{stem}_登记表.xlsx": xf.register_workbook(
            xf.register_frame(register_people(ctx)), form_no="附件2",
            title=f"{ctx.unit_name}{ctx.year}年春节送温暖慰问对象登记表", unit_line=unit_line, demo=ctx.demo,
            lang=ctx.lang),
    }
    return files


def write_attachments(ctx: ReportContext, folder) -> list[str]:
    """Write the attachments into ``folder`` (the runner's collection folder); nothing when ``folder`` is None."""

    if not folder:
        return []
    written = []
    for name, data in attachment_files(ctx).items():
        (Path(folder) / name).write_bytes(data)
        written.append(name)
    return written
