"""A draft 实施方案 in Word, laid out as a 公文 and filled from the model.

Planners write next year's 实施方案 by hand from last year's; this drafts it
from the plan and the model, structured like the seed plans: 指导思想和目的,
慰问对象及标准, 经费预算及来源, 时间安排, 职责分工, 工作要求 and the 附件 list.
Every number comes from the same budget lines as the unit's 汇总表
(:func:`reliefplan.reports.context.ReportContext.unit_lines`), so the
document's totals equal the attachment's to the fen. Layout after GB/T 9704:
A4, margins 37/35/28/26 mm, title in 方正小标宋简体 二号, body in 仿宋_GB2312
三号 (fallbacks named in the East Asian font slot so Word substitutes cleanly),
headings 一、 in 黑体, （一） in 楷体, numbered 一、（一）1.
"""

from __future__ import annotations

import io

import pandas as pd
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reliefplan.core.areas import scope_word
from reliefplan.core.lunar_dates import spring_festival
from reliefplan.core.money import format_yuan
from reliefplan.models import timeline as tl
from reliefplan.reports.context import ReportContext
from reliefplan.views import excel_forms as xf

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
LATIN_FONT = "Times New Roman"
CN_NUMBERS = "一二三四五六七八九十"

DEFAULT_PURPOSE = ("为切实把党和政府的温暖送到困难群众心坎上，确保困难群众度过一个欢乐、祥和的春节，"
                   "根据上级有关要求，结合本地实际，制定本方案。")
DEFAULT_REQUIREMENTS = (
    ("高度重视，加强领导", "各单位要把春节送温暖活动作为一项重要政治任务，主要负责同志亲自部署，确保慰问对象、资金和时间“三落实”。"),
    ("严格标准，公开公正", "慰问对象名单须经调查摸底、审核并张榜公示，做到应慰尽慰，不重不漏；同一对象由多个单位慰问的，按方案规定的标准和上限执行。"),
    ("规范管理，专款专用", "慰问资金按资金来源分别管理，严禁截留、挤占、挪用；慰问金和慰问品发放须由本人签收，签收表及时归档。"),
    ("注重实效，确保安全", "走访慰问要轻车简从，注意交通和人身安全；对走访中发现的困难和问题及时登记、跟踪解决。"),
    ("及时总结，按时报送", "各单位按时间安排报送汇总表、登记表和活动总结，数据须与汇总表一致。"),
)


def _font(run, name: str, size_pt: float, *, bold: bool = False) -> None:
    run.font.name = LATIN_FONT
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _para(doc, text: str, *, font: str = BODY_FONT, size: float = 16, bold: bool = False, indent: bool = True,
          align=None, space_after: float = 0):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(28)                      # 公文: 28-29 pt fixed line spacing
    fmt.space_after = Pt(space_after)
    if indent:
        fmt.first_line_indent = Pt(size * 2)       # two characters
    if align is not None:
        p.alignment = align
    _font(p.add_run(text), font, size, bold=bold)
    return p


def _table(doc, df: pd.DataFrame, *, size: float = 10.5):
    table = doc.add_table(rows=1, cols=len(df.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, name in zip(table.rows[0].cells, df.columns):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(str(name)), H1_FONT, size)
    for values in df.itertuples(index=False):
        cells = table.add_row().cells
        for cell, v in zip(cells, values):
            cell.text = ""
            _font(cell.paragraphs[0].add_run("" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)),
                  BODY_FONT, size)
    tbl_header = table.rows[0]._tr.get_or_add_trPr()
    tbl_header.append(tbl_header.makeelement(qn("w:tblHeader"), {}))   # header row repeats on each page
    return table


def _cn_date(value) -> str:
    """2026-12-01 -> 2026年12月1日 (anything else unchanged)."""
    try:
        d = pd.Timestamp(str(value))
    except ValueError:
        return str(value)
    return f"{d.year}年{d.month}月{d.day}日"


def _standard_text(row) -> str:
    per = "每户" if row["per"] == "household" else "每人"
    parts = []
    if pd.notna(row.get("cash_dibao_multiple")) and row.get("cash_dibao_multiple") not in (None, ""):
        parts.append(f"慰问金按当地低保标准{row['cash_dibao_multiple']}个月")
    elif int(row["cash_fen"]):
        parts.append(f"慰问金{format_yuan(int(row['cash_fen']), decimals=False)}元")
    if int(row["goods_fen"]):
        parts.append(f"慰问品折合{format_yuan(int(row['goods_fen']), decimals=False)}元")
    return per + "，".join(parts) if parts else per + "（未定标准）"


def standards_table(ctx: ReportContext) -> pd.DataFrame:
    """慰问对象及标准: per category the standard, households, persons and money (from the 汇总表's lines)."""
    lines = ctx.unit_lines()
    std = ctx.baseline.standards.set_index("category")
    frame = xf.summary_frame(lines, "category", ctx.category_labels())
    frame = frame.loc[frame["recipients"] > 0]
    rows = []
    for r in frame.itertuples(index=False):
        rows.append({"困难类别": r.label, "慰问标准": _standard_text(std.loc[r.category]) if r.category in std.index else "",
                     "户数": f"{r.households:,}", "人数": f"{r.persons:,}",
                     "慰问金(元)": format_yuan(r.cash_fen), "慰问品(元)": format_yuan(r.goods_fen),
                     "小计(元)": format_yuan(r.gifts_fen)})
    tot = xf.totals_of(frame)
    rows.append({"困难类别": "合计", "慰问标准": "", "户数": f"{tot['households']:,}", "人数": f"{tot['persons']:,}",
                 "慰问金(元)": format_yuan(tot["cash_fen"]), "慰问品(元)": format_yuan(tot["goods_fen"]),
                 "小计(元)": format_yuan(tot["gifts_fen"])})
    return pd.DataFrame(rows)


def budget_table(ctx: ReportContext) -> pd.DataFrame:
    """经费预算: gifts, overheads (the unit's share), contingency and the total, as in the 汇总表."""
    tot = xf.totals_of(ctx.unit_lines())
    pct = ctx.plan.get("contingency_pct", 0)
    return pd.DataFrame([
        {"项目": "慰问金", "金额(元)": format_yuan(tot["cash_fen"])},
        {"项目": "慰问品", "金额(元)": format_yuan(tot["goods_fen"])},
        {"项目": "工作经费（伙食、交通、宣传、印制等）", "金额(元)": format_yuan(tot["overhead_fen"])},
        {"项目": f"不可预见费（{pct}%）", "金额(元)": format_yuan(tot["contingency_fen"])},
        {"项目": "合计", "金额(元)": format_yuan(tot["total_fen"])},
    ])


def build_plan_doc(ctx: ReportContext) -> bytes:
    """The draft 实施方案 of ``ctx``'s unit (or of the whole area for the roll-up context) as .docx bytes."""
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    plan, year = ctx.plan, ctx.year
    heading = 0

    def h1(text):
        nonlocal heading
        heading += 1
        _para(doc, f"{CN_NUMBERS[heading - 1]}、{text}", font=H1_FONT, size=16)

    def h2(n, text):
        _para(doc, f"（{CN_NUMBERS[n - 1]}）{text}", font=H2_FONT, size=16)

    if ctx.demo:
        _para(doc, "示例数据，人员均为虚构", size=12, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(doc, f"{ctx.unit_name}{year}年春节送温暖活动实施方案", font=TITLE_FONT, size=22, indent=False,
          align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    _para(doc, "（草稿：数据由 reliefplan 按方案和名册测算，印发前请核对）", size=12, indent=False,
          align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    h1("指导思想和目的")
    _para(doc, str(plan.get("purpose") or DEFAULT_PURPOSE))
    lines = ctx.unit_lines()
    tot = xf.totals_of(lines)
    h1("慰问对象及标准")
    _para(doc, f"{year}年春节（{spring_festival(year):%Y年%-m月%-d日}）前，对符合条件的困难群众开展走访慰问。"
               f"经调查摸底和条件核定，拟慰问{tot['recipients']:,}户(人)次、涉及{tot['persons']:,}人，"
               f"慰问金品合计{format_yuan(tot['gifts_fen'])}元。各类对象及标准如下：")
    _table(doc, standards_table(ctx))
    h1("经费预算及来源")
    _para(doc, f"本次活动经费预算合计{format_yuan(tot['total_fen'])}元，构成如下：")
    _table(doc, budget_table(ctx))
    funding = ctx.baseline.funding
    city = ctx.baseline.totals
    sources = "、".join(f"{r.source}{format_yuan(int(r.amount_fen))}元" for r in funding.itertuples())
    gap = int(city.get("gap_fen", 0))
    scope = scope_word(plan.get("area")) if ctx.is_unit else ""
    _para(doc, f"经费来源：{scope}{sources}，合计{format_yuan(int(city.get('funding_fen', 0)))}元；"
               + (f"按基准方案{scope}尚有资金缺口{format_yuan(gap)}元，需追加资金或按优先级安排。" if gap > 0 else
                  f"{scope}资金可以满足需要。")
               + ("各项资金分别管理，不得相互调剂。"))
    h1("时间安排")
    for i, ph in enumerate(tl.phases_table(tl.resolve_phases(plan), "zh").itertuples(index=False), start=1):
        h2(i, f"{ph[0]}（{_cn_date(ph[1])}至{_cn_date(ph[3])}，农历{ph[2]}至{ph[4]}）")
        _para(doc, f"{ph[7]}。责任单位：{ph[6]}。")
    h1("职责分工")
    matrix = tl.responsibility_matrix(plan, "zh")
    for i, (task, row) in enumerate(matrix.iterrows(), start=1):
        roles = "；".join(f"{role}：{'、'.join(str(u) for u, v in row.items() if v == role)}"
                         for role in ("牵头", "负责", "配合") if (row == role).any())
        _para(doc, f"{i}. {task}。{roles}。")
    h1("工作要求")
    for i, (head, text) in enumerate(DEFAULT_REQUIREMENTS, start=1):
        h2(i, head)
        _para(doc, text)
    deliverables = tl.resolve_deliverables(plan)
    if len(deliverables):
        _para(doc, "附件：" + "；".join(f"{r.deliverable}（{r.due:%Y年%-m月%-d日}前报{r.to}）"
                                       for r in deliverables.itertuples()), indent=False, space_after=12)
    if plan.get("organizer"):
        _para(doc, str(plan["organizer"]), indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
