"""The draft 实施方案 (.docx): it opens, has the seed plans' parts, and its totals equal the 汇总表's."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import docx
import openpyxl
import pytest

from reliefplan.cli import main
from reliefplan.core.money import format_yuan
from reliefplan.reports.attachments import attachment_files
from reliefplan.reports.context import load_context
from reliefplan.reports.plan_doc import build_plan_doc


def _summary_totals(xlsx: bytes) -> dict[str, Decimal]:
    """Column totals of the 汇总表's 按类别 sheet, summed from its data rows (the 合计 row holds formulas)."""
    ws = openpyxl.load_workbook(io.BytesIO(xlsx))["按类别"]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "序号")
    end = next(i for i, r in enumerate(rows) if r[1] == "合计")
    names = rows[head]
    return {names[c]: sum(Decimal(str(r[c])) for r in rows[head + 1:end]) for c in range(2, 11)}


@pytest.fixture(scope="module")
def unit_ctx():
    return load_context(None, "350602")


def test_plan_doc_totals_equal_the_summary_attachment(unit_ctx):
    ctx = unit_ctx
    doc = docx.Document(io.BytesIO(build_plan_doc(ctx)))
    text = "\n".join(p.text for p in doc.paragraphs)
    for part in ("一、指导思想和目的", "二、慰问对象及标准", "三、经费预算及来源", "四、时间安排", "五、职责分工",
                 "六、工作要求", "附件："):
        assert part in text, part
    assert "芗城区2027年春节送温暖活动实施方案" in text and "示例数据" in text
    assert re.search(r"（一）\S+阶段（\d{4}年\d{1,2}月\d{1,2}日至\d{4}年\d{1,2}月\d{1,2}日，农历\S+至\S+）", text)
    xlsx = next(v for k, v in attachment_files(ctx).items() if k.endswith("_汇总表.xlsx"))
    sums = _summary_totals(xlsx)
    standards, budget = doc.tables[0], doc.tables[1]
    total_row = [c.text for c in standards.rows[-1].cells]
    assert total_row[0] == "合计"
    assert total_row[2] == f"{int(sums['户数']):,}" and total_row[3] == f"{int(sums['人数']):,}"
    assert total_row[4] == format_yuan(int(sums["慰问金(元)"] * 100))
    assert total_row[6] == format_yuan(int(sums["慰问金品小计(元)"] * 100))
    money = {r.cells[0].text: r.cells[1].text for r in budget.rows[1:]}
    assert money["合计"] == format_yuan(int(sums["合计(元)"] * 100))
    contingency = next(v for k, v in money.items() if k.startswith("不可预见费"))
    assert contingency == format_yuan(int(sums["不可预见费(元)"] * 100))
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    fonts = {r._element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
             for p in doc.paragraphs for r in p.runs}
    assert {"方正小标宋简体", "仿宋_GB2312", "黑体"} <= fonts


def test_plan_doc_command_writes_the_city_draft(tmp_path, capsys):
    out = tmp_path / "方案.docx"
    assert main(["plan-doc", "--out", str(out)]) == 0
    doc = docx.Document(str(out))
    assert doc.paragraphs[1].text == "漳州市2027年春节送温暖活动实施方案"
    assert main(["plan-doc", "--unit", "999999", "--out", str(out)]) == 2


def test_a_report_writes_its_draft_plan_beside_it_when_asked(unit_ctx, tmp_path):
    """plan_doc (notebook parameter, or ``plan_doc: true`` in the plan) adds the .docx to the attachments."""
    from reliefplan.core.errors import ConfigError
    from reliefplan.reports.attachments import write_attachments

    plain = write_attachments(unit_ctx, tmp_path / "plain" if (tmp_path / "plain").mkdir() is None else None)
    assert not any(n.endswith(".docx") for n in plain)          # the demo plan does not ask for it
    written = write_attachments(unit_ctx, tmp_path, plan_doc=True)
    doc_name = next(n for n in written if n.endswith(".docx"))
    assert doc_name == "350602_芗城区_2027年实施方案草稿.docx"
    doc = docx.Document(str(tmp_path / doc_name))
    sums = _summary_totals((tmp_path / "350602_芗城区_汇总表.xlsx").read_bytes())
    money = {r.cells[0].text: r.cells[1].text for r in doc.tables[1].rows[1:]}
    assert money["合计"] == format_yuan(int(sums["合计(元)"] * 100))
    unit_ctx.plan["plan_doc"] = "yes"
    try:
        with pytest.raises(ConfigError, match="plan_doc"):
            write_attachments(unit_ctx, tmp_path / "plain")
    finally:
        unit_ctx.plan.pop("plan_doc")
