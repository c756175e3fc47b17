"""The "who is affected" tab: counts by category and township of people who drop out or get less, and the
masked list of one cell.

The list shows only masked names and ID numbers (masked when the data were
loaded, see :func:`reliefplan.views.app.data.masked_people`), the township,
household size and the amounts: nothing that undoes the mask.
"""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

from reliefplan.core.money import format_yuan
from reliefplan.models import affected as am
from reliefplan.models import whatif
from reliefplan.views.app.figures import RIGHT, category_names
from reliefplan.views.app.texts import esc, t

LIST_ROWS = 200


def affected_frame(state: whatif.WhatIfState, result: whatif.WhatIfResult, people: pd.DataFrame | None) -> pd.DataFrame:
    """Affected rows of the selected unit joined to the masked people list (township, masked name and ID)."""
    rows = am.affected_rows(state, result)
    if result.unit != "all":
        rows = rows[rows["county_code"] == result.unit]
    if people is None or not len(rows):
        return rows.assign(township="", name="", id_number="", household_size=pd.NA)
    return rows.join(people[["township", "name", "id_number", "household_size"]], how="left")


def counts_table(frame: pd.DataFrame) -> pd.DataFrame:
    """People affected per (category, township, status), most affected first."""
    if not len(frame):
        return pd.DataFrame(columns=["category", "township", "status", "count"])
    out = frame.groupby(["category", "township", "status"], sort=False).size().rename("count").reset_index()
    return out.sort_values(["count", "category", "township"], ascending=[False, True, True]).reset_index(drop=True)


def _yuan_or_dash(fen) -> str:
    return "—" if fen is None or pd.isna(fen) else esc(format_yuan(int(fen)))


class AffectedView:
    """The tab: a summary table, a cell picker and the masked list of the picked cell."""

    def __init__(self, lang: str = "zh"):
        self.lang = lang
        self.frame = pd.DataFrame()
        self.summary_html = widgets.HTML().add_class("rp-affected")
        self.cell = widgets.Dropdown(options=[], description=t("show_list", lang),
                                     style={"description_width": "initial"},
                                     layout=widgets.Layout(width="460px"))
        self.cell.add_class("rp-affected-cell")
        self.list_html = widgets.HTML().add_class("rp-affected-list")
        self.cell.observe(lambda _: self._draw_list(), names="value")
        self.widget = widgets.VBox([self.summary_html, self.cell, self.list_html])

    def update(self, state, result, people, standards: pd.DataFrame) -> None:
        lang = self.lang
        self.names = category_names(standards, lang)
        if result.fits:
            self.frame = pd.DataFrame()
            self.summary_html.value = f'<p id="rp-affected-none">{esc(t("affected_none", lang))}</p>'
            self.cell.options = []
            self.list_html.value = ""
            return
        self.frame = affected_frame(state, result, people)
        table = counts_table(self.frame)
        head = [t("category", lang), t("township", lang), "", ""]
        body = "".join(
            f'<tr data-category="{esc(r.category)}" data-township="{esc(r.township)}" data-status="{esc(r.status)}">'
            f"<td>{esc(self.names.get(r.category, r.category))}</td><td>{esc(r.township)}</td>"
            f"<td>{esc(t('status_' + r.status, lang))}</td><td {RIGHT}>{int(r.count):,}</td></tr>"
            for r in table.itertuples())
        self.summary_html.value = (
            f"<p>{esc(t('affected_intro', lang))}</p>"
            f'<div style="max-height:260px;overflow:auto"><table id="rp-affected-table" '
            f'style="border-collapse:collapse"><thead><tr>'
            + "".join(f"<th {RIGHT}>{esc(h)}</th>" for h in head) + f"</tr></thead><tbody>{body}</tbody></table></div>")
        options = [(f"{self.names.get(r.category, r.category)} · {r.township} · "
                    f"{t('status_' + r.status, lang)} ({int(r.count):,})", (r.category, r.township, r.status))
                   for r in table.itertuples()]
        self.cell.options = options
        self.cell.value = options[0][1] if options else None
        self._draw_list()

    def _draw_list(self) -> None:
        lang = self.lang
        if not len(self.frame) or self.cell.value is None:
            self.list_html.value = ""
            return
        cat, town, status = self.cell.value
        sel = self.frame[(self.frame["category"] == cat) & (self.frame["township"] == town)
                         & (self.frame["status"] == status)]
        head = [t(k, lang) for k in ("name", "id_number", "township", "category", "household_size", "standard", "gets")]
        body = "".join(
            f"<tr><td>{esc(r.name)}</td><td>{esc(r.id_number)}</td><td>{esc(r.township)}</td>"
            f"<td>{esc(self.names.get(r.category, r.category))}</td>"
            f"<td {RIGHT}>{'' if pd.isna(r.household_size) else int(r.household_size)}</td>"
            f"<td {RIGHT}>{esc(format_yuan(int(r.standard_fen)))}</td><td {RIGHT}>{_yuan_or_dash(r.gets_fen)}</td></tr>"
            for r in sel.head(LIST_ROWS).itertuples())
        more = (f"<p>{esc(t('more_rows', lang).format(n=LIST_ROWS, total=f'{len(sel):,}'))}</p>"
                if len(sel) > LIST_ROWS else "")
        self.list_html.value = (f'<table id="rp-affected-people" data-rows="{len(sel)}" style="border-collapse:collapse">'
                                "<thead><tr>" + "".join(f"<th {RIGHT}>{esc(h)}</th>" for h in head)
                                + f"</tr></thead><tbody>{body}</tbody></table>{more}")
