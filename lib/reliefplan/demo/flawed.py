"""The flawed demo 登记表 for the validation walkthrough: title row, merged cells, flawed rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import xlsxwriter

from reliefplan.demo.ids import check_chars
from reliefplan.demo.people import _people, registry_frame
from reliefplan.demo.profiles import REGISTRY_HEADERS, SEED, SYNTHETIC_NOTE
from reliefplan.demo.reference import Inputs, default_data_dir, load_inputs

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
    inputs = inputs or load_inputs(default_data_dir())
    rng = np.random.default_rng(seed + 1)
    county = "350602" if "350602" in inputs.county_weights else next(iter(inputs.county_weights))
    towns = inputs.townships[inputs.townships["county_code"] == county]
    sub = replace(inputs, townships=towns.reset_index(drop=True))
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
