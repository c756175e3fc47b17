"""Excel attachments (附件) in the shapes upper-level offices ask for: 汇总表 and 登记表.

The seeds ask units to send "《…汇总表》(附件3)" and "《…登记表》(附件2)" upward
with the plan. Both forms here follow the usual layout of such 附件: the
attachment number top left, a centred title, a 填报单位 line and the unit of
measure, one header row in Chinese (plus an English row when ``lang='en'``),
the data, a 合计 row, and a signature line (填表人/审核人/联系电话/填报日期).
Column widths, number formats, frozen header, landscape printing with the
header repeated on every page.

* 汇总表 (summary): counts and amounts by category (or by unit, for the
  roll-up): 户数, 人数, 慰问户(人)次, 慰问金, 慰问品, 小计, 工作经费, 不可预见费, 合计.
* 登记表 (register): one row per beneficiary, **masked** as it leaves the
  unit (姓名 张*三, 身份证号 350602********1234, 电话 138****5678), with the
  person key so the unit holding the full registry can look people up. From a
  household roster each member has a row, grouped under the household with
  户序号 and 与户主关系.

Money is integer fen in the frames; cells hold yuan numbers (fen / 100) with
a ``#,##0.00`` format, and the 合计 row is written both as a ``SUM`` formula
and with its exact cached value computed in fen.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from reliefplan.core.cells import XLSX_OPTIONS
from reliefplan.core.privacy import mask_id, mask_name, mask_phone

DEMO_NOTICE = "示例数据，人员均为虚构"


@dataclass(frozen=True)
class FormColumn:
    key: str
    zh: str
    en: str
    kind: str = "text"      # text | int | money | seq | link (a file name beside the workbook)
    width: float = 12


SUMMARY_COLUMNS = (
    FormColumn("seq", "序号", "No.", "seq", 6),
    FormColumn("label", "困难类别", "Category", "text", 22),
    FormColumn("households", "户数", "Households", "int", 9),
    FormColumn("persons", "人数", "Persons", "int", 9),
    FormColumn("recipients", "慰问户(人)次", "Recipients", "int", 12),
    FormColumn("cash_fen", "慰问金(元)", "Cash (yuan)", "money", 15),
    FormColumn("goods_fen", "慰问品(元)", "Goods (yuan)", "money", 15),
    FormColumn("gifts_fen", "慰问金品小计(元)", "Gifts (yuan)", "money", 16),
    FormColumn("overhead_fen", "工作经费(元)", "Overheads (yuan)", "money", 14),
    FormColumn("contingency_fen", "不可预见费(元)", "Contingency (yuan)", "money", 14),
    FormColumn("total_fen", "合计(元)", "Total (yuan)", "money", 16),
    FormColumn("remark", "备注", "Remarks", "text", 14),
)

REGISTER_COLUMNS = (
    FormColumn("seq", "序号", "No.", "seq", 6),
    FormColumn("county_name", "县(市、区)", "County", "text", 11),
    FormColumn("township_name", "乡镇(街道)", "Township", "text", 14),
    FormColumn("name", "姓名", "Name", "text", 9),
    FormColumn("gender", "性别", "Gender", "text", 6),
    FormColumn("id_number", "身份证号", "ID number", "text", 21),
    FormColumn("category_label", "困难类别", "Category", "text", 16),
    FormColumn("household_size", "家庭人口", "Household size", "int", 9),
    FormColumn("income_fen", "家庭人均月收入(元)", "Monthly income per head (yuan)", "money", 14),
    FormColumn("phone", "联系电话", "Phone", "text", 14),
    FormColumn("organizers", "填报单位", "Listed by", "text", 24),
    FormColumn("listings", "登记次数", "Listings", "int", 8),
    FormColumn("cash_fen", "慰问金(元)", "Cash (yuan)", "money", 13),
    FormColumn("goods_fen", "慰问品(元)", "Goods (yuan)", "money", 13),
    FormColumn("gifts_fen", "合计(元)", "Total (yuan)", "money", 14),
    FormColumn("person_key", "对象编号", "Person key", "text", 18),
)

# The 登记表 of a roll-up over roll-ups (a province over its cities): one row per unit, what that unit's own
# 登记表 holds (its people are listed there, masked), with the file linked.
REGISTER_UNIT_COLUMNS = (
    FormColumn("seq", "序号", "No.", "seq", 6),
    FormColumn("unit_code", "区划代码", "Area code", "text", 10),
    FormColumn("unit_name", "单位", "Unit", "text", 14),
    FormColumn("people", "人数", "People", "int", 10),
    FormColumn("listings", "登记人次", "Listings", "int", 10),
    FormColumn("multi_listed", "多单位登记人数", "Listed more than once", "int", 12),
    FormColumn("cash_fen", "慰问金(元)", "Cash (yuan)", "money", 16),
    FormColumn("goods_fen", "慰问品(元)", "Goods (yuan)", "money", 16),
    FormColumn("gifts_fen", "合计(元)", "Total (yuan)", "money", 17),
    FormColumn("register", "登记表(人员明细)", "Register (people)", "link", 36),
)

# A household roster's 登记表 also says which household each member belongs to and how.
HOUSEHOLD_COLUMNS = (
    FormColumn("household_seq", "户序号", "Household No.", "int", 8),
    FormColumn("relationship", "与户主关系", "Relationship", "text", 10),
)

MONEY_KEYS = ("cash_fen", "goods_fen", "gifts_fen", "overhead_fen", "contingency_fen", "total_fen")
COUNT_KEYS = ("households", "persons", "recipients")
NOT_SUMMED = ("income_fen", "household_seq")  # per-head income, a household's number: totals mean nothing


# ------------------------------------------------------------------ frames (no I/O)

def summary_frame(lines: pd.DataFrame, key: str, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """汇总表 rows: ``lines`` summed by ``key`` (e.g. category or county_code), labelled, in ``lines`` order.

    ``lines`` has the counts and ``*_fen`` columns of a budget's lines; missing
    columns count as zero. Returns columns ``key``, ``label``, counts and
    money (int64), one row per distinct ``key``.
    """
    df = lines.copy()
    for col in (*COUNT_KEYS, *MONEY_KEYS):
        if col not in df:
            df[col] = 0
    order = list(dict.fromkeys(df[key].astype(str)))
    df[key] = df[key].astype(str)
    out = df.groupby(key, sort=False)[list(COUNT_KEYS + MONEY_KEYS)].sum().reindex(order).reset_index()
    for col in (*COUNT_KEYS, *MONEY_KEYS):
        out[col] = out[col].astype("int64")
    out["label"] = out[key].map(labels or {}).fillna(out[key])
    out["remark"] = ""
    return out


def totals_of(frame: pd.DataFrame, keys=COUNT_KEYS + MONEY_KEYS) -> dict[str, int]:
    """Exact integer column totals of the keys present in ``frame``."""
    return {k: int(frame[k].sum()) for k in keys if k in frame}


def register_frame(people: pd.DataFrame) -> pd.DataFrame:
    """登记表 rows, masked: name, ID number and phone masked here, diagnosis and address never included.

    ``people`` needs ``name``, ``id_number``; optional ``township_name``,
    ``gender``, ``category_label``, ``household_size``, ``income_fen``,
    ``phone``, ``cash_fen``, ``goods_fen``, ``person_key``.
    """
    out = pd.DataFrame(index=people.index)
    out["county_name"] = people.get("county_name", pd.Series("", index=people.index)).fillna("")
    out["township_name"] = people.get("township_name", pd.Series("", index=people.index)).fillna("")
    out["name"] = people["name"].map(mask_name)
    out["gender"] = people.get("gender", pd.Series("", index=people.index)).fillna("")
    out["id_number"] = people["id_number"].map(mask_id)
    out["category_label"] = people.get("category_label", people.get("category", pd.Series("", index=people.index)))
    out["household_size"] = people.get("household_size", pd.Series(pd.NA, index=people.index))
    out["income_fen"] = people.get("income_fen", pd.Series(pd.NA, index=people.index))
    out["phone"] = people.get("phone", pd.Series("", index=people.index)).map(mask_phone)
    out["organizers"] = people.get("organizers", pd.Series("", index=people.index)).fillna("")
    out["listings"] = people.get("listings", pd.Series(1, index=people.index)).fillna(1).astype("int64")
    for col in ("cash_fen", "goods_fen"):
        out[col] = people.get(col, pd.Series(0, index=people.index)).fillna(0).astype("int64")
    out["gifts_fen"] = out["cash_fen"] + out["goods_fen"]
    out["person_key"] = people.get("person_key", pd.Series("", index=people.index)).fillna("")
    if "household_seq" in people and people["household_seq"].notna().any():
        out["household_seq"] = people["household_seq"]
        out["relationship"] = people.get("relationship", pd.Series("", index=people.index)).fillna("")
    return out.reset_index(drop=True)


def register_columns(frame: pd.DataFrame) -> tuple[FormColumn, ...]:
    """The 登记表 columns: with 户序号 and 与户主关系 after 序号 when the rows come from a household roster."""
    if "household_seq" not in frame:
        return REGISTER_COLUMNS
    out = []
    for column in REGISTER_COLUMNS:
        out.append(column)
        if column.key == "seq":
            out.append(HOUSEHOLD_COLUMNS[0])
        elif column.key == "name":
            out.append(HOUSEHOLD_COLUMNS[1])
    return tuple(out)


# ------------------------------------------------------------------ writing

def _formats(wb):
    base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
    cell = {**base, "border": 1}
    return {
        "form_no": wb.add_format({**base, "bold": True, "font_name": "黑体"}),
        "title": wb.add_format({**base, "bold": True, "font_size": 18, "align": "center", "font_name": "方正小标宋简体"}),
        "left": wb.add_format(base),
        "right": wb.add_format({**base, "align": "right"}),
        "demo": wb.add_format({**base, "bold": True, "font_color": "#9C5700", "bg_color": "#FFEB9C"}),
        "header": wb.add_format({**cell, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#F2F2F2"}),
        "header_en": wb.add_format({**cell, "italic": True, "align": "center", "text_wrap": True, "font_size": 9,
                                    "bg_color": "#F2F2F2"}),
        "text": wb.add_format({**cell, "text_wrap": True}),
        "link": wb.add_format({**cell, "font_color": "#0563C1", "underline": 1}),
        "seq": wb.add_format({**cell, "align": "center"}),
        "int": wb.add_format({**cell, "num_format": "#,##0"}),
        "money": wb.add_format({**cell, "num_format": "#,##0.00"}),
        "total_label": wb.add_format({**cell, "bold": True, "align": "center"}),
        "total_int": wb.add_format({**cell, "bold": True, "num_format": "#,##0"}),
        "total_money": wb.add_format({**cell, "bold": True, "num_format": "#,##0.00"}),
        "total_blank": wb.add_format({**cell, "bold": True}),
    }


def _col_letter(index: int) -> str:

    return xl_col_to_name(index)


def write_form(wb, sheet_name: str, *, form_no: str, title: str, unit_line: str, columns, rows: pd.DataFrame,
               demo: bool = False, lang: str = "zh", measure: str = "单位：户、人、元",
               total_label: str = "合计", signature: bool = True, notes=()) -> None:
    """Write one form sheet into xlsxwriter workbook ``wb`` (see the module docstring for the layout)."""
    fmt = _formats(wb)
    ws = wb.add_worksheet(sheet_name[:31])
    ncol = len(columns)
    last = _col_letter(ncol - 1)
    for i, col in enumerate(columns):
        ws.set_column(i, i, col.width)
    r = 0
    ws.write(r, 0, form_no, fmt["form_no"])
    r += 1
    ws.set_row(r, 30)
    ws.merge_range(f"A{r + 1}:{last}{r + 1}", title, fmt["title"])
    r += 1
    split = max(1, ncol - 3)
    ws.merge_range(r, 0, r, split - 1, unit_line, fmt["left"])
    ws.merge_range(r, split, r, ncol - 1, measure, fmt["right"])
    r += 1
    if demo:
        ws.merge_range(r, 0, r, ncol - 1, DEMO_NOTICE + (" / Demo data: all people are fictitious" if lang == "en" else ""),
                       fmt["demo"])
        r += 1
    header_row = r
    ws.set_row(r, 32)
    for i, col in enumerate(columns):
        ws.write(r, i, col.zh, fmt["header"])
    r += 1
    if lang == "en":
        for i, col in enumerate(columns):
            ws.write(r, i, col.en, fmt["header_en"])
        r += 1
    first_data = r
    for n, row in enumerate(rows.itertuples(index=False), start=1):
        values = row._asdict()
        for i, col in enumerate(columns):
            value = n if col.kind == "seq" else values.get(col.key)
            if col.kind == "money":
                if value is None or pd.isna(value):
                    ws.write_blank(r, i, None, fmt["money"])
                else:
                    ws.write_number(r, i, int(value) / 100, fmt["money"])
            elif col.kind in ("int", "seq"):
                if value is None or pd.isna(value):
                    ws.write_blank(r, i, None, fmt["int"])
                else:
                    ws.write_number(r, i, int(value), fmt["seq" if col.kind == "seq" else "int"])
            elif col.kind == "link" and isinstance(value, str) and value:
                # a file beside this one (a name, never a path: the caller builds it with safe_filename)
                ws.write_url(r, i, f"external:{value}", fmt["link"], string=value)
            else:
                ws.write_string(r, i, "" if value is None or (not isinstance(value, str) and pd.isna(value))
                                else str(value), fmt["text"])
        r += 1
    last_data = r - 1
    # 合计 row: SUM formulas with exact cached values (computed in fen / as integers)
    totals = totals_of(rows, [c.key for c in columns if c.kind in ("int", "money") and c.key in rows])
    label_col = next((i for i, c in enumerate(columns) if c.kind == "text"), 0)
    for i, col in enumerate(columns):
        if i == label_col:
            ws.write(r, i, total_label, fmt["total_label"])
        elif col.kind in ("int", "money") and col.key in totals and col.key not in NOT_SUMMED:
            letter = _col_letter(i)
            formula = f"=SUM({letter}{first_data + 1}:{letter}{last_data + 1})" if last_data >= first_data else "=0"
            value = totals[col.key] / 100 if col.kind == "money" else totals[col.key]
            ws.write_formula(r, i, formula, fmt["total_money" if col.kind == "money" else "total_int"], value)
        else:
            ws.write_blank(r, i, None, fmt["total_blank"])
    r += 1
    for note in notes:
        ws.merge_range(r, 0, r, ncol - 1, note, fmt["left"])
        r += 1
    r += 1
    if signature:
        ws.merge_range(r, 0, r, ncol - 1, "填表人：              审核人：              联系电话：              "
                                          "填报日期：      年    月    日", fmt["left"])
    ws.freeze_panes(first_data, 0)
    ws.repeat_rows(header_row, first_data - 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.7)
    ws.set_footer("&C第 &P 页，共 &N 页", {"margin": 0.3})


def workbook_bytes(write) -> bytes:
    """Run ``write(workbook)`` on a new in-memory xlsxwriter workbook and return the file's bytes."""

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, **XLSX_OPTIONS})  # data strings never become formulas
    wb.set_properties({"title": "附件", "comments": "reliefplan"})
    write(wb)
    wb.close()
    return buf.getvalue()


def summary_workbook(sheets, *, demo: bool = False, lang: str = "zh") -> bytes:
    """An 汇总表 workbook. ``sheets``: [(sheet_name, form_no, title, unit_line, frame, label_header)], where
    ``frame`` comes from :func:`summary_frame` and ``label_header`` is (zh, en) of the label column."""
    def write(wb):
        for sheet_name, form_no, title, unit_line, frame, label_header in sheets:
            columns = tuple(FormColumn(c.key, *label_header, c.kind, c.width) if c.key == "label" else c
                            for c in SUMMARY_COLUMNS)
            write_form(wb, sheet_name, form_no=form_no, title=title, unit_line=unit_line, columns=columns,
                       rows=frame, demo=demo, lang=lang)
    return workbook_bytes(write)


def register_workbook(frame: pd.DataFrame, *, form_no: str, title: str, unit_line: str, demo: bool = False,
                      lang: str = "zh", sheet_name: str = "登记表", with_county: bool = False,
                      notes=()) -> bytes:
    """A 登记表 workbook from :func:`register_frame` rows (already masked).

    ``with_county`` adds the 县(市、区) column (the city's list); ``notes`` are lines under the 合计 row.
    """
    columns = tuple(c for c in register_columns(frame) if with_county or c.key != "county_name")

    def write(wb):
        write_form(wb, sheet_name, form_no=form_no, title=title, unit_line=unit_line, columns=columns,
                   rows=frame, demo=demo, lang=lang, measure="单位：人、元", notes=notes)
    return workbook_bytes(write)


def register_units_workbook(frame: pd.DataFrame, *, form_no: str, title: str, unit_line: str, demo: bool = False,
                            lang: str = "zh", unit_header: tuple[str, str] = ("单位", "Unit"), notes=()) -> bytes:
    """The 登记表 of a roll-up over roll-ups: one row per unit below (``REGISTER_UNIT_COLUMNS``), each
    linking the unit's own 登记表 file, which lists its people (masked); ``notes`` under the 合计 row."""
    columns = tuple(FormColumn(c.key, *unit_header, c.kind, c.width) if c.key == "unit_name" else c
                    for c in REGISTER_UNIT_COLUMNS)

    def write(wb):
        write_form(wb, "登记表", form_no=form_no, title=title, unit_line=unit_line, columns=columns, rows=frame,
                   demo=demo, lang=lang, measure="单位：人、元", notes=notes)
    return workbook_bytes(write)
