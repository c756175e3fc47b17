"""The Excel attachments (附件) of a unit report: 汇总表 and 登记表, masked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reliefplan.ingest.units import organizer_stem, safe_filename
from reliefplan.models import budget
from reliefplan.models.coverage import township_of
from reliefplan.reports.context import ReportContext
from reliefplan.views import excel_forms as xf

# ------------------------------------------------------------------ attachments

def register_people(ctx: ReportContext) -> pd.DataFrame:
    """The unit's planned beneficiaries with their baseline gift amounts (unmasked; masked by the form).

    Amounts are what the plan's per-person rule pays each listing, decided
    over the whole plan area (``budget.listing_payments``), so the 登记表
    counts the same money as the budget: a listing paid elsewhere shows 0.
    """
    std = ctx.baseline.standards
    pay = budget.listing_payments(ctx.plan, ctx.beneficiaries, std)
    ben = ctx.beneficiaries
    ben = ben.loc[ben.index.isin(ctx.registry.index)]
    pay = pay.loc[ben.index]
    cash, goods = pay["cash_fen"].to_numpy(), pay["goods_fen"].to_numpy()
    reg = ctx.inputs.registry.loc[ben.index]
    names = dict(zip(ctx.areas["code"], ctx.areas["name"]))
    town = township_of(reg["area_code"].astype(str))
    people = pd.DataFrame({
        "township_code": town,
        "township_name": town.map(names).fillna(""),
        "name": reg["name"], "gender": reg["gender"], "id_number": reg["id_number"],
        "category": reg["category"].astype(str),
        "category_label": reg["category"].astype(str).map(ctx.category_labels()),
        "household_size": reg["household_size"], "income_fen": reg["income_fen"], "phone": reg["phone"],
        "cash_fen": cash, "goods_fen": goods, "person_key": reg["person_key"],
    }, index=ben.index)
    return people.sort_values(["township_code", "category", "person_key"], kind="stable")


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
