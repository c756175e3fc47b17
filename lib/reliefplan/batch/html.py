"""Export an executed notebook to an HTML report: no code, offline charts, stamped header.

The HTML is what upper-level offices open, so it shows results only:

* code cells, input prompts and output prompts are hidden (nbconvert's
  ``exclude_input``/``exclude_input_prompt``/``exclude_output_prompt``), and
  warnings printed to stderr, record outputs and widget views are left out;
* plotly figures stay interactive and work offline: each figure becomes a
  ``Plotly.newPlot`` call, and every report in a folder loads the one
  ``plotly.min.js`` copied there from the installed plotly package (not 4 MB
  inlined per report, never a CDN). The lab template's require.js, MathJax,
  mermaid and widget scripts (all CDN links) are removed;
* a header stamps the parameters, the input files' SHA-256, the reliefplan
  version and the generation time, with the demo banner when the plan is a
  demo;
* a CJK font stack so Chinese renders wherever a Chinese font is installed.
"""

from __future__ import annotations

import copy
import html as _html
from datetime import datetime, timedelta, timezone
from pathlib import Path

import plotly
import plotly.io as pio
from jinja2 import DictLoader

from reliefplan.batch.files import atomic_write_bytes, sha256_file
from reliefplan.core.record import MIME as RECORD_MIME

PLOTLY_JS = "plotly.min.js"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# Parameters that only say where the runner collects files; not shown in the stamp.
HIDDEN_PARAMETERS = ("attachments_dir", "unit_records")

CJK_FONTS = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", '
             '"Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", "Droid Sans Fallback", sans-serif')
CJK_MONO = '"Noto Sans Mono CJK SC", "DejaVu Sans Mono", monospace'

_CSS = f"""
:root {{
  --jp-content-font-family: {CJK_FONTS};
  --jp-ui-font-family: {CJK_FONTS};
  --jp-code-font-family: {CJK_MONO};
}}
body, .jp-Notebook, .jp-RenderedHTMLCommon, .jp-RenderedMarkdown {{ font-family: {CJK_FONTS}; }}
.jp-RenderedText pre, pre, code {{ font-family: {CJK_MONO}; }}
.jp-Notebook {{ max-width: 1200px; margin: 0 auto; }}
.rp-header {{ border-bottom: 2px solid #b71c1c; margin: 16px 20px 8px; padding-bottom: 8px; }}
.rp-header h1 {{ font-size: 1.6em; margin: 0 0 6px; color: #b71c1c; }}
.rp-demo {{ background: #fff3cd; border: 1px solid #e0b252; color: #6b4f00; padding: 6px 10px;
           margin: 6px 0; font-weight: bold; }}
.rp-stamp {{ font-size: 0.85em; color: #444; }}
.rp-demo-notice {{ display: none; }}
.rp-stamp table {{ border-collapse: collapse; margin: 4px 0; }}
.rp-stamp td, .rp-stamp th {{ border: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top; }}
.rp-stamp code {{ font-size: 0.95em; word-break: break-all; }}
.rp-stamp summary {{ cursor: pointer; }}
.jp-OutputArea-output table {{ font-variant-numeric: tabular-nums; }}
.rp-notebook-title {{ display: none; }}
.rp-findings {{ margin: 6px 0 12px; padding-left: 1.6em; line-height: 1.6; }}
.rp-findings li {{ margin: 4px 0; }}
.rp-findings li.rp-sev3 {{ color: #8b0000; }}
.rp-findings li.rp-sev3::marker {{ font-weight: bold; }}
.rp-see {{ font-size: 0.9em; white-space: nowrap; }}
h2.rp-section {{ border-bottom: 1px solid #ddd; padding-bottom: 4px; }}
.jp-RenderedHTMLCommon table.rp-table {{ border-collapse: collapse; margin: 6px 0 14px; font-size: 13px;
  table-layout: auto; }}
.jp-RenderedHTMLCommon table.rp-table th, .jp-RenderedHTMLCommon table.rp-table td {{ text-align: left;
  padding: 3px 8px; border: none; border-bottom: 1px solid #e3e3e3; vertical-align: baseline; }}
.jp-RenderedHTMLCommon table.rp-table th {{ background: #f6f6f6; border-bottom: 1px solid #bbb; }}
.jp-RenderedHTMLCommon table.rp-table td.num {{ text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }}
.jp-RenderedHTMLCommon table.rp-sortable th {{ cursor: pointer; }}
.jp-RenderedHTMLCommon table.rp-sortable th[data-sort=asc]::after {{ content: " ▲"; font-size: 0.8em; }}
.jp-RenderedHTMLCommon table.rp-sortable th[data-sort=desc]::after {{ content: " ▼"; font-size: 0.8em; }}
details.rp-long > summary {{ cursor: pointer; color: #1a5fb4; margin: 4px 0; }}
input.rp-filter {{ margin: 4px 0; padding: 2px 6px; width: 16em; }}
@page {{ size: A4 portrait; margin: 15mm 13mm 17mm 13mm;
  @bottom-center {{ content: counter(page) " / " counter(pages); font-size: 9pt; color: #555; }} }}
@media print {{
  :root {{ --jp-content-font-size0: 9pt; --jp-content-font-size1: 10pt; --jp-content-font-size2: 11pt;
    --jp-content-font-size3: 12pt; --jp-content-font-size4: 13pt; --jp-content-font-size5: 14pt;
    --jp-content-line-height: 1.45; --jp-cell-padding: 0; --jp-code-padding: 0; }}
  html, body {{ font-size: 10pt; }}
  .jp-Cell {{ margin: 0 !important; }}
  .jp-OutputArea-child {{ margin: 0 !important; }}
  .jp-RenderedHTMLCommon p {{ margin: 2px 0 4px; }}
  .jp-RenderedHTMLCommon h3 {{ margin: 8px 0 2px; }}
  .jp-Notebook {{ max-width: none; padding: 0; }}
  .jp-Cell, .jp-OutputArea-output {{ overflow: visible !important; padding: 0 !important; }}
  .rp-header {{ margin: 0 0 6px; }}
  .rp-stamp details, input.rp-filter, .modebar-container {{ display: none !important; }}
  h2.rp-section {{ break-after: avoid; font-size: 13pt; margin: 12px 0 4px; }}
  h2#sec-summary {{ margin-top: 4px; }}
  /* sections flow on (a page each would double the length); a heading never ends a page */
  h3 {{ break-after: avoid; font-size: 11.5pt; }}
  .jp-RenderedHTMLCommon table.rp-table {{ font-size: 8pt; width: 100%; margin: 2px 0 6px; }}
  .rp-findings {{ font-size: 9.5pt; line-height: 1.45; margin: 2px 0 6px; }}
  .rp-findings li {{ margin: 1px 0; }}
  .jp-RenderedHTMLCommon table.rp-table th, .jp-RenderedHTMLCommon table.rp-table td {{ padding: 1px 4px;
    white-space: normal; word-break: break-word; min-width: 2.6em; line-height: 1.3; }}
  .jp-RenderedHTMLCommon table.rp-table td.num {{ white-space: nowrap; word-break: normal; }}
  thead {{ display: table-header-group; }}
  tr, .rp-findings li, .plotly-graph-div {{ break-inside: avoid; }}
  .plotly-graph-div {{ max-width: 100%; }}
  a.rp-see {{ color: #555; text-decoration: none; }}
  details.rp-long > summary {{ color: #333; list-style: none; }}
  details.rp-long > summary::after {{ content: "{{{{ print_note }}}}"; }}
}}
.jp-Cell:has(.rp-notebook-title) {{ display: none; }}
.jp-Cell:has(.rp-alert) {{ display: block; }}  /* a warning in the title cell stays visible */
"""

# Extends the lab template; drops every CDN script it would add.
# Sorting and filtering of report tables (rp-sortable, rp-filter) and charts re-laid out to the printed width.
# Static text, no data in it; runs offline.
TABLE_JS = r"""
document.addEventListener('DOMContentLoaded', function () {
  var NUM = /^[+\-\u2212]?[\d,]+(\.\d+)?%?$/;
  function num(t) { return NUM.test(t) ? parseFloat(t.replace(/[,%+]/g, '').replace('\u2212', '-')) : null; }
  document.querySelectorAll('table.rp-sortable').forEach(function (table) {
    var heads = table.querySelectorAll('thead th');
    heads.forEach(function (th, col) {
      th.addEventListener('click', function () {
        var asc = th.dataset.sort !== 'asc';
        heads.forEach(function (h) { delete h.dataset.sort; });
        th.dataset.sort = asc ? 'asc' : 'desc';
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].textContent.trim(), y = b.cells[col].textContent.trim();
          var nx = num(x), ny = num(y);
          var c = (nx !== null && ny !== null) ? nx - ny : x.localeCompare(y, 'zh');
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  document.querySelectorAll('input.rp-filter').forEach(function (box) {
    var table = box.parentNode.querySelector('table');
    box.addEventListener('input', function () {
      var q = box.value.trim().toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        r.style.display = !q || r.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
      });
    });
  });
});
// Printed, charts are laid out to the page's width and shorter, so two or three fit a page; a chart marked
// screen-only (layout.meta.screen_only: a working view such as the teams' daily load) is left off paper.
function rpPrintLayout() {
  if (!window.Plotly) { return; }
  document.querySelectorAll('.js-plotly-plot').forEach(function (gd) {
    if (gd.layout && gd.layout.meta && gd.layout.meta.screen_only) {
      gd.closest('.jp-OutputArea-child, .jp-Cell-outputWrapper, div').style.display = 'none';
      return;
    }
    // a long legend (one entry per category) goes under the chart in rows, so paper shows all of it
    var entries = (gd.data || []).filter(function (t) { return t.showlegend !== false && t.name; }).length;
    var rows = entries > 3 ? Math.ceil(entries / 4) : 0;
    var height = 270 + rows * 18;
    gd.style.height = height + 'px';
    // plotly's HTML wraps the chart in a box of the screen height: shrink it too, or the page keeps the gap
    if (gd.parentElement && gd.parentElement.style.height) {
      gd.parentElement.dataset.rpHeight = gd.parentElement.style.height;
      gd.parentElement.style.height = height + 'px';
    }
    var layout = {width: 680, height: height};
    if (rows) {
      gd.dataset.rpLegend = JSON.stringify(gd.layout.legend || {});
      layout.legend = {orientation: 'h', x: 0, xanchor: 'left', yref: 'container', y: 0, yanchor: 'bottom',
                       font: {size: 9}, title: {text: ''}};
      layout['margin.b'] = 64 + rows * 18;
    }
    Plotly.relayout(gd, layout);
  });
}
function rpScreenLayout() {
  if (!window.Plotly) { return; }
  document.querySelectorAll('.js-plotly-plot').forEach(function (gd) {
    if (gd.layout && gd.layout.meta && gd.layout.meta.screen_only) {
      gd.closest('.jp-OutputArea-child, .jp-Cell-outputWrapper, div').style.display = '';
      return;
    }
    gd.style.height = '';
    if (gd.parentElement && gd.parentElement.dataset.rpHeight) {
      gd.parentElement.style.height = gd.parentElement.dataset.rpHeight;
    }
    var layout = {width: null, height: 480, autosize: true};
    if (gd.dataset.rpLegend) {
      layout.legend = JSON.parse(gd.dataset.rpLegend);
      delete gd.dataset.rpLegend;
    }
    Plotly.relayout(gd, layout);
  });
}
if (location.hash === '#print') { window.addEventListener('load', rpPrintLayout); }
window.addEventListener('beforeprint', rpPrintLayout);
window.addEventListener('afterprint', rpScreenLayout);
"""

TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}
<script src="{{ resources.reliefplan.plotly_src }}" charset="utf-8"></script>
<script>{{ resources.reliefplan.js }}</script>
{%- endblock html_head_js -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}<style type="text/css">{{ resources.reliefplan.css }}</style>{% endblock extra_css %}
{%- block body_header -%}
{{ super() }}
{{ resources.reliefplan.header }}
{%- endblock body_header -%}
"""

# Printed in place of a folded long table (the complete list is in the Excel attachment and the HTML).
PRINT_NOTE = {"zh": "（完整表格见电子版报告或 Excel 附件，此处不打印）",
              "en": " (the complete table is in the HTML report and the Excel attachment; not printed)"}

_TEXT = {
    "zh": {"params": "参数", "inputs": "输入文件 (SHA-256)", "version": "程序版本", "generated": "生成时间",
           "details": "生成信息", "demo": "示例数据，人员均为虚构", "file": "文件", "hash": "SHA-256"},
    "en": {"params": "Parameters", "inputs": "Input files (SHA-256)", "version": "reliefplan version",
           "generated": "Generated", "details": "How this report was made",
           "demo": "示例数据，人员均为虚构 / Demo data: all people are fictitious", "file": "File", "hash": "SHA-256"},
}


BEIJING = timezone(timedelta(hours=8), "UTC+8")


def beijing_time(stamp, lang: str = "zh") -> str:
    """A generation time as planners read it, in Beijing time: '2027年1月5日 10:32' (en: '5 Jan 2027 10:32 UTC+8').

    ``stamp`` is an ISO 8601 string or a datetime; one without a zone is taken as UTC.
    Anything unparseable is returned unchanged (the stamp must never fail a report).
    """
    if not stamp:
        return ""
    try:
        moment = stamp if isinstance(stamp, datetime) else datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    bj = moment.astimezone(BEIJING)
    if lang == "zh":
        return f"{bj.year}年{bj.month}月{bj.day}日 {bj:%H:%M}"
    return f"{bj.day} {bj:%b} {bj.year} {bj:%H:%M} (Beijing time, UTC+8)"


def copy_plotly_js(folder) -> Path:
    """Copy plotly.min.js from the installed plotly package into ``folder`` (once; atomically)."""


    source = Path(plotly.__file__).parent / "package_data" / PLOTLY_JS
    target = Path(folder) / PLOTLY_JS
    if not target.exists() or sha256_file(target) != sha256_file(source):
        atomic_write_bytes(target, source.read_bytes())
    return target


def _figure_html(fig_json: dict) -> str:
    """A div and a ``Plotly.newPlot`` call for one figure; plotly.js itself is loaded by the page."""

    return pio.to_html(fig_json, include_plotlyjs=False, full_html=False, validate=False,
                       default_height="480px", default_width="100%",
                       config={"responsive": True, "displaylogo": False})


def _is_plotly_bundle(html_text: str) -> bool:
    """The text/html plotly's notebook renderers emit to load plotly.js (inline bundle or a CDN)."""
    head = html_text[:4000]
    return ("cdn.plot.ly" in head or "require.undef(\"plotly\")" in head or "define('plotly'" in html_text[:200000]
            or (len(html_text) > 500_000 and "plotly.js" in head))


def prepare_for_report(nb):
    """A copy of an executed notebook made report-ready: figures as offline divs, no widgets or stderr."""

    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "stream" and output.get("name") == "stderr":
                continue
            if kind in ("display_data", "execute_result"):
                data = output.get("data", {})
                if RECORD_MIME in data and len(data) == 1:
                    continue
                if PLOTLY_MIME in data:
                    output["data"] = {"text/html": _figure_html(data[PLOTLY_MIME])}
                    output["metadata"] = {}
                elif WIDGET_MIME in data:
                    rest = {k: v for k, v in data.items() if k not in (WIDGET_MIME, "text/plain")}
                    if not rest:
                        continue
                    output["data"] = rest
                elif "text/html" in data and _is_plotly_bundle("".join(data["text/html"])):
                    continue
            kept.append(output)
        cell["outputs"] = kept
    return nb


def header_html(*, title: str, lang: str = "zh", demo: bool = False, parameters: dict | None = None,
                input_hashes: dict | None = None, version: str = "", generated: str = "") -> str:
    """The stamped report header: title, demo banner, parameters, input hashes, version, time."""
    t = _TEXT[lang]
    esc = _html.escape
    rows = "".join(f"<tr><th>{esc(str(k))}</th><td><code>{esc(repr(v) if not isinstance(v, str) else v)}</code></td></tr>"
                   for k, v in (parameters or {}).items() if k not in HIDDEN_PARAMETERS)
    files = "".join(f"<tr><td>{esc(str(name))}</td><td><code title=\"{esc(h)}\">{esc(h[:16])}…</code></td></tr>"
                    for name, h in (input_hashes or {}).items())
    demo_html = f'<div class="rp-demo" role="note">{esc(t["demo"])}</div>' if demo else ""
    return (
        f'<header class="rp-header"><h1>{esc(title)}</h1>{demo_html}'
        f'<div class="rp-stamp">{esc(t["generated"])}: <time datetime="{esc(str(generated))}">'
        f'{esc(beijing_time(generated, lang))}</time> · '
        f'{esc(t["version"])}: <code>{esc(version)}</code>'
        f'<details><summary>{esc(t["details"])}</summary>'
        f'<table><caption>{esc(t["params"])}</caption>{rows}</table>'
        f'<table><caption>{esc(t["inputs"])}</caption><tr><th>{esc(t["file"])}</th><th>{esc(t["hash"])}</th></tr>'
        f'{files}</table></details></div></header>'
    )


_EXPORTER = None


def _exporter(lang: str):
    """One HTMLExporter per process (template loading costs ~0.2 s), reconfigured per language."""
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter

        _EXPORTER = HTMLExporter(
            template_name="lab", exclude_input=True, exclude_input_prompt=True,
            exclude_output_prompt=True, extra_loaders=[DictLoader({"reliefplan_report.html.j2": TEMPLATE})],
            template_file="reliefplan_report.html.j2",
        )
    _EXPORTER.language_code = "zh" if lang == "zh" else "en"
    return _EXPORTER


def export_html(nb, *, title: str, lang: str = "zh", demo: bool = False, parameters: dict | None = None,
                input_hashes: dict | None = None, version: str = "", generated: str = "",
                plotly_src: str = PLOTLY_JS) -> str:
    """The report HTML of an executed notebook (see the module docstring)."""
    ready = prepare_for_report(nb)
    ready.metadata["title"] = title
    header = header_html(title=title, lang=lang, demo=demo, parameters=parameters, input_hashes=input_hashes,
                         version=version, generated=generated)
    note = PRINT_NOTE["zh" if lang == "zh" else "en"]
    resources = {"reliefplan": {"css": _CSS.replace("{{ print_note }}", note), "header": header,
                                "plotly_src": plotly_src, "js": TABLE_JS},
                 "metadata": {"name": title}}
    body, _ = _exporter(lang).from_notebook_node(ready, resources=resources)
    return body
