"""Every zh/en phrase of the reports (headings, sentences with ``{placeholders}``), read with ``labels.t``.

Phrases are a namespace apart from column labels (:mod:`reliefplan.core.label_table`):
``t("history", lang)`` is a report heading, ``label("history", lang)`` a column. One
key has one meaning among the phrases (:mod:`reliefplan.core.labels` refuses a clash).
"""

from __future__ import annotations

# group -> key -> (zh, en): phrases with {placeholders}, read with labels.t (a namespace apart from columns)
PHRASES: dict[str, dict[str, tuple[str, str]]] = {
    "reports": {
        "report_title": ("{unit} {year}年春节送温暖活动规划报告", "{unit}: {year} Spring Festival relief campaign plan"),
        "rollup_title": ("{unit} {year}年春节送温暖活动汇总报告", "{unit}: {year} Spring Festival relief campaign roll-up"),
        "profile": ("一、单位概况", "1. Unit profile"),
        "history": ("二、历年慰问情况", "2. Past campaigns"),
        "budget": ("三、{year}年预算测算(各方案)", "3. {year} budget under the plan's scenarios"),
        "coverage": ("四、覆盖与缺口({year}年度慰问)", "4. Coverage and gaps ({year} campaign)"),
        "timeline": ("五、时间安排", "5. Timeline"),
        "followup": ("六、待跟进名单(已脱敏)", "6. Follow-up list (masked)"),
        "r_units": ("一、各单位汇总", "1. Totals by unit"),
        "r_reconcile": ("二、汇总核对(精确到分)", "2. Reconciliation with the unit reports (to the fen)"),
        "r_budget": ("三、预算与资金", "3. Budget and funding"),
        "r_coverage": ("四、覆盖情况", "4. Coverage"),
        "r_history": ("五、历年慰问情况", "5. Past campaigns"),
        "r_timeline": ("六、时间安排与责任分工", "6. Timeline and responsibilities"),
        "demo": ("示例数据，人员均为虚构", "示例数据，人员均为虚构 / Demo data: all people are fictitious"),
        "organizer": ("组织单位", "Organizer"),
        "plan": ("方案", "Plan"),
        "by_category": ("按困难类别", "By category"),
        "by_township": ("按乡镇(街道)", "By township"),
        "share_note": ("工作经费和不可预见费为统一测算后按各单位慰问金品比例分摊(最大余数法, 合计精确到分)。",
                       "Overheads and the contingency are costed for the whole city and shared over the units in "
                       "proportion to their gifts (largest remainder, exact to the fen)."),
        "no_history": ("无历年记录。", "No campaign history for this unit."),
        "org_kind": ("组织单位(填报单位)报告: 只含本单位填报的对象。", "Organizer report: only the people this organizer listed."),
        "org_share_note": ("慰问金品按本单位填报的拟慰问对象计算; 工作经费和不可预见费取自统一测算, 先按县区和类别分摊到各明细行, "
                           "再在每行内按本单位所占受助人数(不可预见费按金品与工作经费)以最大余数法分摊, 各组织单位合计等于汇总合计, 精确到分。"
                           "同一人由多个单位填报时各自计入, 组织单位报告不参与汇总核对。",
                           "Gifts are costed for the planned beneficiaries this organizer listed; overheads and the "
                           "contingency come from the city-wide budget: each county x category line's share is split "
                           "over the organizers in that line by recipients (the contingency by gifts + overheads), "
                           "largest remainder, so all organizers add up to the city to the fen. A person listed by "
                           "several organizers counts for each; organizer reports are not part of the roll-up's "
                           "reconciliation."),
        "org_history": ("历年记录按县区和部门类别登记, 不按具体填报单位细分; 以下为本单位对象所在县区({counties})中部门类别为“{kind}”的记录。",
                        "The campaign history is recorded per county and agency type, not per organizer; shown: the "
                        "records of agency type “{kind}” in the counties of this organizer's people ({counties})."),
        "org_no_history": ("历年记录按县区和部门类别({kinds})登记, 没有与本单位对应的记录, 故不列出。",
                           "The campaign history is recorded per county and agency type ({kinds}); none matches this "
                           "organizer, so no history is shown."),
        "org_coverage": ("只统计本单位填报的对象: 到位 = 这些对象在 {year} 年度的走访记录。",
                         "Only the people this organizer listed: reached = visits of these people in the {year} "
                         "campaign."),
        "org_timeline": ("时间安排为方案的统一安排。", "The timeline is the plan's, for the whole area."),
        "no_gaps": ("没有待跟进的对象。", "Nobody is waiting for follow-up."),
        "gaps_all": ("共 {n} 人, 按乡镇(街道)、优先级和人均收入排序; 按对象编号可在单位留存名册中查到本人。",
                     "{n} people, by township, priority and income per head; the person key finds each one in "
                     "the unit's own registry."),
        "gaps_more": ("共 {n} 人, 以下列出前 {shown} 人(按乡镇(街道)、优先级和人均收入排序); 其余按对象编号在单位留存名册中查询。",
                      "{n} people; the first {shown} are listed (by township, priority and income per head); look "
                      "the others up by person key in the unit's own registry."),
        "coverage_note": ("覆盖情况按 {year} 年度(最近一次已完成的慰问)的走访记录统计; 名单按类别优先级和人均收入排序。",
                          "Coverage uses the visits of the {year} campaign (the latest completed); the list is ordered "
                          "by category priority and income per head."),
        "dup_line": ("多头登记或重复慰问: {listed} 人; 超过每人上限 {cap} 元: {over} 人。",
                     "Listed or visited by several organizers: {listed}; above the per-person cap of {cap} yuan: {over}."),
        "continuity": ("上年已慰问、本年未到位的原因", "Reached the year before but not this year: why"),
        "reconciled_yes": ("核对结果: 汇总合计与各单位报告合计完全一致, 精确到分。",
                           "Result: the roll-up equals the sum of the unit reports exactly, to the fen."),
        "reconciled_missing": ("核对结果: 以下单位尚无当前报告, 汇总暂不完整: {units}。已有报告的单位均一致。",
                               "Result: no current report yet for {units}; the roll-up is incomplete. Every unit "
                               "report present agrees."),
        "reconciled_no": ("核对结果: 不一致! 以下项目的汇总与各单位报告不符: {items}。",
                          "Result: NOT reconciled. These figures differ from the unit reports: {items}."),
        "reconciled_below": ("下级单位尚无当前报告(报告缺失或失败): {units}; 其上级汇总因此不完整。",
                             "Units further down with no current report (missing or failed): {units}; the roll-ups "
                             "above them are incomplete."),
        "r_budget_area": ("三、本单位预算(各方案)", "3. Budget of this unit under the plan's scenarios"),
        "area_budget_note": ("资金来源、预算上限和工作经费为全方案统一测算, 见全方案汇总报告; 本表为本单位分摊部分。",
                             "Funding, the cap and overheads are costed for the whole plan (see the top roll-up); "
                             "this table is this unit's share."),
        "rec_units": ("各单位合计(元): 单位报告记录 与 汇总重算", "Unit totals (yuan): recorded by the unit report vs recomputed here"),
        "chart_category": ("登记人次(按困难类别)", "Registry listings by category"),
        "chart_map": ("{year}年度覆盖率(按县区)", "Coverage rate by county, {year}"),
        "funding": ("资金来源", "Funding sources"),
        "overheads": ("工作经费", "Overheads"),
        "cap_line": ("预算上限 {cap} 元; 基准方案合计 {total} 元; 资金来源合计 {funding} 元; {gap}。",
                     "Budget cap {cap} yuan; baseline total {total} yuan; funding {funding} yuan; {gap}."),
        "gap": ("资金缺口 {v} 元", "funding gap {v} yuan"),
        "surplus": ("资金结余 {v} 元", "funding surplus {v} yuan"),
        "forecast": ("下一年度户数预测", "Households forecast for the plan year"),
        "forecast_line": ("{year} 年预测户数合计 {total} 户。方法: {method}",
                          "Forecast for {year}: {total} households in all. Method: {method}"),
        "forecast_error": (" 回测(用此前各年预测已发生年份, {n} 次)平均绝对误差 {mae} 户/类别。",
                           " Backtest ({n} forecasts of past years from the years before): mean absolute error "
                           "{mae} households per category."),
        "phases": ("阶段安排", "Phases"),
        "deliverables": ("上报材料", "Deliverables"),
        "findings": ("时间安排检查", "Timeline checks"),
        "schedule": ("本单位走访安排", "Visit schedule for this unit"),
        "delivery_modes": ("发放方式与上门走访人数", "Delivery modes and home visits"),
        "responsibilities": ("责任分工", "Responsibilities"),
    },
}
