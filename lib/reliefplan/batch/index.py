"""``index.html``: the page an upper-level office opens first.

Links to every report and attachment in the folder, a status badge per job
(with the error and failing cell of a failed one), the generation time, and
the roll-up's headline figures. Plain HTML and CSS: no scripts, nothing
fetched. ``reports/index.html`` lists the year folders.
"""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

from reliefplan.batch.files import atomic_write_text
from reliefplan.batch.html import CJK_FONTS, beijing_time
from reliefplan.core.money import format_yuan

_T = {
    "zh": {"title": "送温暖活动规划报告", "generated": "生成时间", "units": "单位报告", "city": "全区域分析",
           "rollup": "汇总报告", "code": "代码", "name": "单位", "status": "状态", "duration": "用时(秒)",
           "files": "文件", "error": "错误", "organizers": "组织单位报告",
           "org_note": "按填报单位(组织单位)划分的报告; 同一人可能由多个单位填报, 故不计入汇总核对。", "figures": "汇总数据", "demo": "示例数据，人员均为虚构",
           "version": "程序版本", "years": "报告年度", "cell": "出错单元格", "plan": "方案",
           "ok": "完成", "failed": "失败", "timeout": "超时", "error_s": "错误", "interrupted": "中断",
           "pending": "未运行", "skipped": "(未变化, 沿用)", "manifest": "清单 manifest.json",
           "reconciled_yes": "汇总与各单位合计一致(精确到分)", "reconciled_no": "汇总与各单位合计不一致或不完整",
           "failed_below": "下级未完成单位", "tree_note": "按区划层级排列: 每个汇总报告与其下一级单位核对。"},
    "en": {"title": "Relief campaign planning reports", "generated": "Generated", "units": "Unit reports",
           "city": "Whole-area analysis", "rollup": "Roll-up", "code": "Code", "name": "Unit", "status": "Status",
           "duration": "Time (s)", "files": "Files", "error": "Error",
           "organizers": "Organizer reports",
           "org_note": "Reports per organizer (填报单位); one person may be listed by several organizers, so these "
                       "are not part of the roll-up's reconciliation.", "figures": "Roll-up figures",
           "demo": "示例数据，人员均为虚构 / Demo data: all people are fictitious", "version": "reliefplan version",
           "years": "Report years", "cell": "Failing cell", "plan": "Plan",
           "ok": "done", "failed": "failed", "timeout": "timed out", "error_s": "error", "interrupted": "interrupted",
           "pending": "not run", "skipped": "(unchanged, kept)", "manifest": "manifest.json",
           "reconciled_yes": "Roll-up equals the sum of the units, to the fen",
           "reconciled_no": "Roll-up does not (yet) equal the sum of the units",
           "failed_below": "Not done below", "tree_note": "In the order of the area tree: each roll-up "
           "reconciles with the units directly below it."},
}
_BADGE = {"ok": "#2e7d32", "failed": "#c62828", "timeout": "#ef6c00", "error": "#c62828",
          "interrupted": "#6d4c41", "pending": "#757575"}
# Roll-up records shown on the index, in this order: key -> (zh, en).
FIGURE_LABELS = {
    "units_total": ("单位数", "Units"),
    "units_reconciled": ("已核对单位数", "Units reconciled"),
    "registered_rows": ("登记人次", "Registry listings"),
    "eligible_rows": ("符合条件人次", "Eligible listings"),
    "households": ("户数", "Households"),
    "persons": ("人数(含家庭成员)", "Persons (incl. household members)"),
    "baseline_total_fen": ("基准方案预算合计(元)", "Baseline budget total (yuan)"),
    "city_total_fen": ("汇总合计(元)", "Roll-up total (yuan)"),
    "sum_of_units_fen": ("各单位报告合计(元)", "Sum of unit reports (yuan)"),
}

_CSS = f"""
body {{ font-family: {CJK_FONTS}; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }}
h1 {{ color: #b71c1c; }} table {{ border-collapse: collapse; width: 100%; margin: 8px 0 24px; }}
th, td {{ border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }}
th {{ background: #f5f5f5; }} td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.badge {{ color: #fff; border-radius: 4px; padding: 1px 8px; font-size: 0.9em; white-space: nowrap; }}
.demo {{ background: #fff3cd; border: 1px solid #e0b252; color: #6b4f00; padding: 6px 10px; font-weight: bold; }}
.err {{ color: #c62828; font-size: 0.85em; white-space: pre-wrap; }} .muted {{ color: #777; font-size: 0.9em; }}
.ok {{ color: #2e7d32; font-weight: bold; }} .bad {{ color: #c62828; font-weight: bold; }}
"""


def _esc(value) -> str:
    return html.escape("" if value is None else str(value))


def _link(path: str, text: str | None = None) -> str:
    return f'<a href="{quote(path)}">{_esc(text or path)}</a>'


def _format_value(key: str, value) -> str:

    if key.endswith("_fen") and isinstance(value, int) and not isinstance(value, bool):
        return format_yuan(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return _esc(value)


def _status(entry: dict, t: dict) -> str:
    status = entry.get("status", "pending")
    text = t.get("error_s" if status == "error" else status, status)
    badge = f'<span class="badge" style="background:{_BADGE.get(status, "#757575")}">{_esc(text)}</span>'
    if entry.get("skipped"):
        badge += f' <span class="muted">{_esc(t["skipped"])}</span>'
    return badge


_KIND_ORDER = {"html": 0, "pdf": 1, "docx": 2, "xlsx": 3, "ipynb": 4}
_KIND_TEXT = {"zh": {"html": "报告", "pdf": "打印版", "docx": "方案草稿", "xlsx": "附件", "ipynb": "执行记录"},
              "en": {"html": "report", "pdf": "print (PDF)", "docx": "draft plan", "xlsx": "attachment",
                     "ipynb": "executed notebook"}}


def _files(entry: dict, lang: str = "zh") -> str:
    """Links to a job's files: the report first, then the Excel attachments, then the executed notebook."""
    outputs = sorted(entry.get("outputs") or [], key=lambda o: (_KIND_ORDER.get(o.get("kind"), 9), o["path"]))
    links = []
    for out in outputs:
        kind = _KIND_TEXT[lang].get(out.get("kind"), out.get("kind", ""))
        links.append(f'<span class="muted">{_esc(kind)}:</span> {_link(out["path"], Path(out["path"]).name)}')
    return "<br>".join(links)


def _error(entry: dict, t: dict) -> str:
    err = entry.get("error")
    if not err:
        return ""
    text = f"{err.get('ename', '')}: {err.get('evalue', '')}"
    if err.get("cell_index") is not None:
        text += f"\n{t['cell']} #{err['cell_index']}: {str(err.get('cell_source', ''))[:200]}"
    return f'<div class="err">{_esc(text)}</div>'


def unit_tree(jobs: dict) -> list[tuple[int, dict]]:
    """The unit and roll-up entries below the top roll-up, depth first: (depth, entry).

    Entries place themselves by ``parent_code``; manifests written before there were levels (no
    ``parent_code``) list their units flat in code order.
    """
    entries = [e for jid, e in jobs.items() if jid != "rollup" and e.get("kind") in ("unit", "rollup")]
    by_code = {str(e.get("unit_code")): e for e in entries}
    children: dict = {}
    for e in entries:
        parent = str(e.get("parent_code") or "")
        children.setdefault(parent if parent in by_code else "", []).append(e)
    out: list[tuple[int, dict]] = []

    def visit(parent, depth):
        for e in sorted(children.get(parent, []), key=lambda e: str(e.get("unit_code") or "")):
            out.append((depth, e))
            visit(str(e.get("unit_code")), depth + 1)

    visit("", 0)
    return out


def not_done_below(jobs: dict, entry: dict) -> list[dict]:
    """The unit entries under a roll-up (at any depth) whose status is not ok, so each level names them."""
    out, stack = [], list(entry.get("children") or [])
    while stack:
        child = jobs.get(stack.pop(0))
        if child is None:
            continue
        if child.get("status") != "ok":
            out.append(child)
        stack.extend(child.get("children") or [])
    return out


def _below(jobs: dict, entry: dict, t: dict, title_key: str) -> str:
    bad = not_done_below(jobs, entry)
    if not bad:
        return ""
    names = ", ".join(f"{e.get('unit_code')} {e.get(title_key) or ''}".strip() for e in bad)
    return f'<div class="err">{_esc(t["failed_below"])}: {_esc(names)}</div>'


def render_index(manifest: dict, lang: str = "zh") -> str:
    """The index page of one year's report folder."""
    t = _T[lang]
    jobs = manifest.get("jobs", {})
    units = unit_tree(jobs)
    nested = any(depth for depth, _ in units)
    city = sorted((e for e in jobs.values() if e.get("kind") == "city"), key=lambda e: e.get("notebook"))
    orgs = sorted((e for e in jobs.values() if e.get("kind") == "organizer"),
                  key=lambda e: str((e.get("parameters") or {}).get("organizer") or e.get("stem")))
    rollup = jobs.get("rollup")
    title_key = "title" if lang == "zh" else "title_en"
    parts = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
             f'<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{_esc(manifest.get('plan_name') or t['title'])}</title><style>{_CSS}</style></head><body>",
             f"<h1>{_esc(manifest.get('plan_name') or t['title'])}</h1>"]
    if manifest.get("demo"):
        parts.append(f'<p class="demo">{_esc(t["demo"])}</p>')
    parts.append(f'<p class="muted">{_esc(t["generated"])}: <time datetime="{_esc(manifest.get("generated"))}">'
                 f'{_esc(beijing_time(manifest.get("generated"), lang))}</time> · '
                 f'{_esc(t["version"])}: {_esc(manifest.get("code_version"))} · {_link("manifest.json", t["manifest"])}</p>')

    if rollup:
        parts.append(f"<h2>{_esc(t['rollup'])}</h2><table><tr><th>{t['name']}</th><th>{t['status']}</th>"
                     f"<th>{t['files']}</th></tr><tr><td>{_esc(rollup.get(title_key))}{_error(rollup, t)}"
                     f"{_below(jobs, rollup, t, title_key)}</td>"
                     f"<td>{_status(rollup, t)}</td><td>{_files(rollup, lang)}</td></tr></table>")
        records = rollup.get("records") or {}
        if rollup.get("status") == "ok" and records:
            rows = [f"<tr><th>{_esc(label[0] if lang == 'zh' else label[1])}</th>"
                    f"<td class=\"num\">{_format_value(key, records[key])}</td></tr>"
                    for key, label in FIGURE_LABELS.items() if key in records]
            if "reconciled" in records:
                ok = bool(records["reconciled"])
                rows.append(f'<tr><td colspan="2" class="{"ok" if ok else "bad"}">'
                            f'{_esc(t["reconciled_yes"] if ok else t["reconciled_no"])}</td></tr>')
            parts.append(f"<h3>{_esc(t['figures'])}</h3><table>{''.join(rows)}</table>")

    parts.append(f"<h2>{_esc(t['units'])}</h2>")
    if nested:
        parts.append(f'<p class="muted">{_esc(t["tree_note"])}</p>')
    parts.append(f"<table><tr><th>{t['code']}</th><th>{t['name']}</th>"
                 f"<th>{t['status']}</th><th>{t['duration']}</th><th>{t['files']}</th></tr>")
    for depth, e in units:
        indent = f' style="padding-left:{8 + 24 * depth}px"' if depth else ""
        name = _esc(e.get(title_key))
        if e.get("kind") == "rollup":
            name = f"<strong>{name}</strong>"
        parts.append(f"<tr class=\"depth{depth}\"><td{indent}>{_esc(e.get('unit_code'))}</td><td{indent}>{name}"
                     f"{_error(e, t)}{_below(jobs, e, t, title_key)}</td>"
                     f"<td>{_status(e, t)}</td><td class=\"num\">{_esc(e.get('duration_s'))}</td>"
                     f"<td>{_files(e, lang)}</td></tr>")
    parts.append("</table>")
    if orgs:
        parts.append(f"<h2>{_esc(t['organizers'])}</h2><p class=\"muted\">{_esc(t['org_note'])}</p>"
                     f"<table><tr><th>{t['name']}</th><th>{t['status']}</th><th>{t['duration']}</th>"
                     f"<th>{t['files']}</th></tr>")
        for e in orgs:
            parts.append(f"<tr><td>{_esc(e.get(title_key))}{_error(e, t)}</td><td>{_status(e, t)}</td>"
                         f"<td class=\"num\">{_esc(e.get('duration_s'))}</td><td>{_files(e, lang)}</td></tr>")
        parts.append("</table>")
    if city:
        parts.append(f"<h2>{_esc(t['city'])}</h2><table><tr><th>{t['name']}</th><th>{t['status']}</th>"
                     f"<th>{t['duration']}</th><th>{t['files']}</th></tr>")
        for e in city:
            parts.append(f"<tr><td>{_esc(e.get(title_key))}{_error(e, t)}</td><td>{_status(e, t)}</td>"
                         f"<td class=\"num\">{_esc(e.get('duration_s'))}</td><td>{_files(e, lang)}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "".join(parts)


def render_root_index(out_dir, lang: str = "zh") -> str:
    """``reports/index.html``: one link per year folder that has an index."""
    t = _T[lang]
    years = sorted((p.parent.name for p in Path(out_dir).glob("*/index.html") if p.parent.name.isdigit()),
                   reverse=True)
    items = "".join(f"<li>{_link(f'{y}/index.html', y)}</li>" for y in years)
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{_esc(t["title"])}</title>'
            f"<style>{_CSS}</style></head><body><h1>{_esc(t['title'])}</h1><h2>{_esc(t['years'])}</h2>"
            f"<ul>{items}</ul></body></html>\n")


def write_indexes(out_dir, year_dir, manifest: dict, lang: str = "zh") -> Path:
    """Write ``<year>/index.html`` and ``reports/index.html`` atomically; return the year index."""
    path = atomic_write_text(Path(year_dir) / "index.html", render_index(manifest, lang))
    atomic_write_text(Path(out_dir) / "index.html", render_root_index(out_dir, lang))
    return path
