"""What every report section is made of: a Section of headings, text, tables and figures, and how it is shown.

The zh/en strings of the report (``t``, from :mod:`reliefplan.core.labels`), cell formatting for display tables and
the one bar-chart helper the sections share.
"""

from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass, field

import pandas as pd
import plotly.express as px
from IPython.display import HTML, display

from reliefplan.core import labels
from reliefplan.core.labels import t  # noqa: F401  (the report sections' phrases)
from reliefplan.core.money import format_yuan

FUNNEL_STEPS = ("registered", "eligible", "planned", "visited", "reached")
RECONCILE_FIGURES = ("registered_rows", "eligible_rows", "households", "persons", "recipients", "cash_fen",
                     "goods_fen", "gifts_fen", "overhead_fen", "contingency_fen", "total_fen")
FOLLOWUP_ROWS_SHOWN = 200
_PLAIN_INT_COLUMNS = ("year", "campaign_year", "priority", "coverage_year", "last_year", "target_year", "优先级",
                      "Priority")
_PLAIN_INT_WORDS = ("年度", "年份", "代码", "Year", "year", "code", "Code")




# ------------------------------------------------------------------ sections and display

@dataclass
class Section:
    """A titled part of a report: blocks are str (a paragraph), DataFrame (a table) or plotly Figure."""

    key: str
    title: str
    blocks: list = field(default_factory=list)

    def tables(self) -> list[pd.DataFrame]:
        return [b for b in self.blocks if isinstance(b, pd.DataFrame)]

    def figures(self) -> list:
        return [b for b in self.blocks if hasattr(b, "to_plotly_json")]


@dataclass
class Alert:
    """A warning the reader must see first (e.g. missing reference data); shown in every output."""
    text: str


@dataclass
class Heading:
    text: str
    level: int = 3


@dataclass
class FindingList:
    """Ranked findings (:class:`reliefplan.reports.findings.Finding`), each linking to its section."""

    findings: list
    lang: str = "zh"
    titles: dict = field(default_factory=dict)   # section key -> title shown in the link

    def html(self) -> str:
        esc = _html.escape
        items = []
        for f in self.findings:
            link = ""
            if f.section and f.section in self.titles:
                word = "详见" if self.lang == "zh" else "see"
                link = f' <a class="rp-see" href="#sec-{esc(f.section)}">{word} {esc(self.titles[f.section])}</a>'
            items.append(f'<li class="rp-sev{int(f.severity)}">{esc(f.text(self.lang))}{link}</li>')
        return f'<ol class="rp-findings">{"".join(items)}</ol>'


def _is_plain_int_column(col: str) -> bool:
    """Years, codes and priorities print without thousands separators (2026, not 2,026)."""
    return (col in _PLAIN_INT_COLUMNS or col.endswith("_code") or any(w in col for w in _PLAIN_INT_WORDS)
            or col.lower().endswith("year"))


def _fmt_cell(col: str, value, lang: str = "zh") -> str:
    """One value as people read it: yuan, rounded percentages, dates, separators; never NaN/None/True/False."""
    if value is None or (not isinstance(value, (list, dict, str)) and pd.isna(value)):
        return ""
    if isinstance(value, str):
        words = _VALUE_WORDS.get(value)
        return (words[0] if lang == "zh" else words[1]) if words else value
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if col.endswith("_fen"):
        return format_yuan(int(value))
    if col.endswith("_rate"):
        return f"{float(value) * 100:.1f}%"
    if col.endswith("_pct"):
        return f"{float(value):.1f}%"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (list, tuple, set)):
        return "、".join(str(v) for v in value)
    if isinstance(value, int) or (hasattr(value, "is_integer") and not isinstance(value, float)):
        return str(int(value)) if _is_plain_int_column(col) else f"{int(value):,}"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)) if _is_plain_int_column(col) else f"{int(value):,}"
        return f"{value:,.2f}"
    return str(value)


def _column_text(col: str, values: pd.Series, lang: str) -> list[str]:
    """A column's cells as text; a float column with any fraction shows two decimals in every row (3.00, not 3)."""
    if values.dtype.kind == "f" and not col.endswith(("_fen", "_rate", "_pct")):
        finite = values.dropna()
        if len(finite) and not (finite == finite.round()).all():
            return ["" if pd.isna(v) else f"{float(v):,.2f}" for v in values]
    return [_fmt_cell(col, v, lang) for v in values]


def display_frame(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A table for people: money in yuan, rates in %, labelled columns (values as text, no index)."""
    names = [str(c) for c in df.columns]          # by position: labelled tables may repeat a header
    out = pd.DataFrame({i: _column_text(names[i], df.iloc[:, i], lang) for i in range(len(names))})
    out.columns = [labels.label(c, lang) for c in names]
    return out


# Plan keywords that reach tables as values; shown as words.
_VALUE_WORDS = {"per_team_day": ("按组·天", "per team and day"), "fixed": ("定额", "fixed amount")}

_NUMBER = re.compile(r"^[+\-−]?[\d,]+(\.\d+)?%?$")
LONG_TABLE_ROWS = 20


def table_html(df: pd.DataFrame, lang: str = "zh") -> str:
    """A complete HTML table; every value escaped (names and notes are data, never markup).

    Header row in ``<thead>`` (repeats on printed pages), numbers right-aligned,
    columns sortable by a click (the report's own small script). A table
    longer than :data:`LONG_TABLE_ROWS` is folded in a ``<details>`` with a
    filter box: complete on screen when opened, one line when printed.
    """
    esc = _html.escape
    shown = display_frame(df, lang)
    head = "".join(f'<th scope="col">{esc(str(c))}</th>' for c in shown.columns)
    # a column is right-aligned when every filled cell is a number (a note column that holds one "7.6%" is not)
    numeric = [bool(filled.size) and all(_NUMBER.match(v) for v in filled)
               for filled in (shown.iloc[:, i][shown.iloc[:, i] != ""].to_numpy() for i in range(shown.shape[1]))]
    rows = []
    for values in shown.itertuples(index=False):
        cells = "".join(f'<td class="num">{esc(v)}</td>' if num else f"<td>{esc(v)}</td>"
                        for v, num in zip(values, numeric))
        rows.append(f"<tr>{cells}</tr>")
    table = (f'<table class="rp-table rp-sortable"><thead><tr>{head}</tr></thead>'
             f'<tbody>{"".join(rows)}</tbody></table>')
    if len(shown) <= LONG_TABLE_ROWS:
        return table
    zh = lang == "zh"
    summary = (f"表格共 {len(shown):,} 行（点击展开；可按列排序、筛选）" if zh else
               f"Table of {len(shown):,} rows (click to open; sort by column, filter)")
    box = f'<input type="search" class="rp-filter" placeholder="{"筛选" if zh else "Filter"}" aria-label="filter">'
    return f'<details class="rp-long"><summary>{esc(summary)}</summary>{box}{table}</details>'


def show_table(df: pd.DataFrame, lang: str = "zh") -> None:
    """Display a table in a notebook the way the reports show tables (no index, formatted, complete)."""
    display(HTML(table_html(df, lang)))


def alert_html(text: str) -> str:
    """A visible warning box (kept by the HTML export, printed in the PDF); the text is escaped."""
    return ('<div class="rp-alert" role="alert" style="border:2px solid #b00020;background:#fff4f4;'
            f'color:#b00020;padding:.6em 1em;margin:.8em 0;font-weight:bold">{_html.escape(text)}</div>')


def demo_notice(lang: str = "zh") -> HTML:
    """The demo notice for a notebook opened in Jupyter; the exported report carries its own banner, so its
    stylesheet hides this one (``.rp-demo-notice``) rather than say it twice."""
    return HTML(f'<p class="rp-demo-notice"><strong>{_html.escape(labels.label("demo_notice", lang))}</strong></p>')


def show(section: Section, lang: str | None = None) -> None:
    """Display a section in the notebook: heading, paragraphs, tables and interactive figures."""

    if section.key == "title":
        # The HTML export stamps its own header with the title and the demo banner; this block is
        # for people reading the notebook itself, so the export hides it (class rp-notebook-title).
        paras = "".join(f"<p>{_html.escape(b)}</p>" for b in section.blocks if isinstance(b, str))
        display(HTML(f'<div class="rp-notebook-title"><h1>{_html.escape(section.title)}</h1>{paras}</div>'))
        for block in section.blocks:
            if isinstance(block, Alert):
                display(HTML(alert_html(block.text)))
        return
    display(HTML(f'<h2 id="sec-{_html.escape(section.key)}" class="rp-section">{_html.escape(section.title)}</h2>'))
    for block in section.blocks:
        if isinstance(block, Alert):
            display(HTML(alert_html(block.text)))
        elif isinstance(block, FindingList):
            display(HTML(block.html()))
        elif isinstance(block, Heading):
            display(HTML(f"<h{block.level}>{_html.escape(block.text)}</h{block.level}>"))
        elif isinstance(block, str):
            display(HTML(f"<p>{_html.escape(block)}</p>"))
        elif isinstance(block, pd.DataFrame):
            display(HTML(table_html(block, lang or "zh")))
        else:
            display(block)


# ------------------------------------------------------------------ charts (one function per chart)

def _bar(df: pd.DataFrame, x: str, y: str, title: str, *, color: str | None = None, lang: str = "zh",
         orientation: str = "v", barmode: str = "relative"):

    fig = px.bar(df, x=x, y=y, color=color, title=title, orientation=orientation, barmode=barmode,
                 labels={c: labels.label(c, lang) for c in df.columns})
    fig.update_layout(margin=dict(l=40, r=20, t=60, b=40), legend_title_text="")
    return fig


def category_chart(counts: pd.DataFrame, lang: str = "zh"):
    """Registry listings per category (horizontal bars)."""
    df = counts.sort_values("registered_rows")
    return _bar(df, "registered_rows", "category_label", t("chart_category", lang), orientation="h", lang=lang)
