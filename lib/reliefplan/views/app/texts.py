"""Every text the what-if app shows, in Chinese and English (one table, so nothing is left in English keys)."""

from __future__ import annotations

import html

TEXTS: dict[str, tuple[str, str]] = {
    "title": ("预算测算: 假如……会怎样", "Budget what-if"),
    "scenario": ("情景", "Scenario"),
    "unit": ("单位", "Unit"),
    "all_units": ("全市", "City-wide"),
    "cap": ("预算上限(元)", "Budget cap (yuan)"),
    "cap_on": ("设预算上限", "Budget cap"),
    "mode": ("超限时", "Over the cap"),
    "priority": ("按优先级", "By priority"),
    "scale": ("同比例下调", "Scale down"),
    "step": ("取整(元)", "Round to (yuan)"),
    "range": ("滑块范围(现标准的倍数)", "Slider range (x current)"),
    "threshold_on": ("统一收入门槛", "Uniform income line"),
    "threshold": ("低保倍数", "x dibao"),
    "category": ("类别", "Category"),
    "cash": ("慰问金(元)", "Cash (yuan)"),
    "cash_multiple": ("慰问金(低保月数)", "Cash (months of dibao)"),
    "goods": ("慰问品(元)", "Goods (yuan)"),
    "months_of_dibao": ("个月低保", "months of dibao"),
    "total": ("预算合计(安排)", "Total allocated"),
    "full": ("全额需求", "Full cost"),
    "gap": ("资金缺口", "Funding gap"),
    "surplus": ("资金结余", "Funding surplus"),
    "covered": ("覆盖", "Covered"),
    "dropped": ("未覆盖", "Not covered"),
    "households": ("户", "households"),
    "recipients": ("户(人)", "recipients"),
    "persons": ("人", "persons"),
    "yuan": ("元", "yuan"),
    "city": ("全市", "city-wide"),
    "last_year": ("比上年", "vs last year"),
    "last_year_none": ("无上年记录", "no record for last year"),
    "up": ("增加", "up"),
    "down": ("减少", "down"),
    "bad_input": ("输入有误", "Bad input"),
    "demo": ("示例数据，人员均为虚构", "Demo data: all people are fictitious"),
    "funding": ("资金来源", "Funding"),
    "pool": ("资金池", "Funding pool"),
    "need": ("需求", "Need"),
    "pools_total": ("合计(全额需求)", "Total (full cost)"),
    "pools_title": ("资金池(元)", "Funding pools (yuan)"),
    "left": ("结余", "Left"),
    "allocated": ("安排", "Allocated"),
    "available": ("可用", "Available"),
    "pool_gap": ("缺口", "Gap"),
    "results": ("测算结果", "Results"),
    "amounts": ("慰问标准", "Standards"),
    "settings": ("总体设置", "Settings"),
    # scenarios
    "scenarios_tab": ("保存与比较", "Save and compare"),
    "affected_tab": ("受影响对象", "Who is affected"),
    "chart_tab": ("图表", "Chart"),
    "table_tab": ("分类明细", "By category"),
    "save_name": ("情景名称", "Scenario name"),
    "save": ("保存为情景", "Save as scenario"),
    "saved": ("已保存情景", "Saved scenario"),
    "download_plan": ("下载方案副本(YAML)", "Download plan copy (YAML)"),
    "load": ("载入情景文件", "Load a scenario file"),
    "loaded": ("已载入", "Loaded"),
    "compare": ("比较情景(最多四个)", "Compare scenarios (up to four)"),
    "current": ("当前设置", "Current controls"),
    "export_xlsx": ("导出比较表(Excel)", "Export comparison (Excel)"),
    "export_html": ("导出当前测算摘要(HTML)", "Export current summary (HTML)"),
    "too_many": ("最多比较四个情景", "compare at most four scenarios"),
    "name_needed": ("请填写情景名称", "give the scenario a name"),
    "name_taken": ("情景名称已存在", "a scenario with this name exists"),
    "bad_file": ("无法读取情景文件", "cannot read the scenario file"),
    # who is affected
    "affected_none": ("预算上限未突破, 所有符合条件的对象均按标准慰问。",
                      "The cap does not bite: everyone eligible gets the full standard."),
    "affected_intro": ("预算上限突破时未覆盖或减发的对象(按类别和乡镇); 选一格查看名单(已脱敏)。",
                       "Who drops out or gets less when the cap bites (by category and township); "
                       "pick a cell to see the masked list."),
    "status_dropped": ("未覆盖", "dropped"),
    "status_reduced": ("减发", "gets less"),
    "township": ("乡镇(街道)", "Township"),
    "show_list": ("查看名单", "Show list"),
    "list_of": ("名单", "List"),
    "name": ("姓名", "Name"),
    "id_number": ("身份证号", "ID number"),
    "household_size": ("家庭人口", "Household size"),
    "standard": ("标准(元)", "Standard (yuan)"),
    "gets": ("实发(元)", "Gets (yuan)"),
    "more_rows": ("仅显示前 {n} 条, 共 {total} 条", "first {n} of {total} shown"),
}


def t(key: str, lang: str = "zh") -> str:
    """The text ``key`` in ``lang`` (zh or en)."""
    return TEXTS[key][0 if lang == "zh" else 1]


def esc(value) -> str:
    """Any value as HTML-safe text (quotes too, so it may sit in an attribute)."""
    return html.escape("" if value is None else str(value), quote=True)
