"""The what-if app: ipywidgets controls over :func:`reliefplan.models.whatif.update`.

Controls: per category cash and goods (a slider and a box to type into),
the budget cap (slider and box), allocation mode and rounding step, a
uniform income threshold (multiple of 低保), the unit, and the scenario.
Every change calls :meth:`WhatIfApp.refresh`, which builds the controls
dict, calls the pure :func:`~reliefplan.models.whatif.update` and redraws:

- ``.rp-total``     the allocated total of the selected unit (within the cap)
- ``.rp-full``      the full cost at these standards
- ``.rp-gap``       funding gap (full cost - funding; negative: surplus)
- ``.rp-coverage``  recipients covered under the cap
- ``.rp-status``    whether the cap bites and what was done
- ``.rp-message``   a bad input, in words (never a traceback)
- ``.rp-table``     totals by category
- ``.rp-chart``     the chart by category (an Output showing a plotly figure)

Each figure is also in a ``<span>`` with a stable id (``rp-total-value``,
``rp-gap-value``, ...) and its exact amount in fen in ``data-fen``, so a
browser test can read what the library computed. The app works without a
browser too: set widget values (or call :meth:`WhatIfApp.apply`) and read
:attr:`WhatIfApp.result`.

:func:`load_inputs` reads the plan's registry, 低保 and area tables and
precomputes the state; it is the only function here that reads files.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
import pandas as pd
import plotly.io as pio

from reliefplan.core import labels
from reliefplan.core.money import format_yuan
from reliefplan.ingest.inputs import load_plan_inputs
from reliefplan.ingest.plan import load_plan
from reliefplan.models import budget as bm
from reliefplan.models import whatif
from reliefplan.models.standards import scenarios
from reliefplan.views.budget_charts import whatif_chart
from reliefplan.views.safe_html import md_text

T = {  # interface texts (zh, en)
    "title": ("预算测算: 假如……会怎样", "Budget what-if"),
    "scenario": ("方案", "Scenario"),
    "unit": ("单位", "Unit"),
    "all_units": ("全部", "All"),
    "cap": ("预算上限(元)", "Budget cap (yuan)"),
    "mode": ("超限时", "Over the cap"),
    "priority": ("按优先级", "By priority"),
    "scale": ("同比例下调", "Scale down"),
    "step": ("取整(元)", "Round to (yuan)"),
    "threshold_on": ("统一收入门槛", "Uniform income line"),
    "threshold": ("低保倍数", "x dibao"),
    "category": ("类别", "Category"),
    "cash": ("慰问金(元)", "Cash (yuan)"),
    "cash_multiple": ("慰问金(低保月数)", "Cash (months of dibao)"),
    "goods": ("慰问品(元)", "Goods (yuan)"),
    "total": ("预算合计(安排)", "Total allocated"),
    "full": ("全额需求", "Full cost"),
    "gap": ("资金缺口", "Funding gap"),
    "surplus": ("资金结余", "Funding surplus"),
    "coverage": ("覆盖", "Covered"),
    "recipients": ("户(人)", "recipients"),
    "yuan": ("元", "yuan"),
    "city": ("全市", "city-wide"),
    "bad_input": ("输入有误", "Bad input"),
    "demo": ("示例数据，人员均为虚构", "Demo data: all people are fictitious"),
}


def _t(key: str, lang: str) -> str:
    return T[key][0 if lang == "zh" else 1]


@dataclass
class Inputs:
    """What the budget notebook and the app work from."""

    plan: dict
    registry: pd.DataFrame
    dibao: pd.DataFrame
    areas: pd.DataFrame
    rows: pd.DataFrame              # whatif.whatif_rows: eligibility at the plan's and a loose threshold
    beneficiaries: pd.DataFrame     # budget.beneficiaries_from_registry at the requested threshold
    state: whatif.WhatIfState | None
    unit_names: dict
    categories: pd.DataFrame | None = None


def load_inputs(plan_file=None, *, threshold_multiple=None, on_date=None, lang: str = "zh",
                prepare: bool = True) -> Inputs:
    """Read the plan's registry, 低保 standards and areas; assess eligibility; precompute the what-if state.

    ``prepare=False`` skips the what-if state (the CLI does not need it).
    """

    plan = plan_file if isinstance(plan_file, dict) else load_plan(plan_file)
    data = load_plan_inputs(plan, include=["registry", "areas", "dibao", "categories"])
    registry, dibao, areas = data["registry"], data["dibao"], data["areas"]
    rows = whatif.rows_from_assess(registry, plan, dibao, areas, on_date=on_date)
    elig = pd.DataFrame({"eligible": whatif.eligible_at(rows, threshold_multiple), "dibao_fen": rows["dibao_fen"]})
    ben = bm.beneficiaries_from_registry(registry, elig, plan=plan, categories=data.get("categories"))
    state = whatif.prepare(plan, rows, categories=data.get("categories")) if prepare else None
    return Inputs(plan, registry, dibao, areas, rows, ben, state, bm.unit_names(areas, lang), data.get("categories"))


def for_unit(frame: pd.DataFrame, unit: str = "all") -> pd.DataFrame:
    """Rows of one unit (county_code), or all of them."""
    return frame if unit in (None, "all") else frame[frame["county_code"] == unit]


def initial_controls(*, scenario=None, cap=None, allocation_mode=None, threshold_multiple=None,
                     unit="all") -> dict:
    """The app's starting controls from the notebook's parameters (None keeps the plan's)."""
    out = {"unit": unit or "all", "threshold": threshold_multiple}
    if scenario is not None:
        out["scenario"] = scenario
    if cap is not None:
        out["cap_yuan"] = cap
    if allocation_mode is not None:
        out["mode"] = allocation_mode
    return out


def intro_markdown(inputs: Inputs, *, scenario=None, unit="all", lang: str = "zh") -> str:
    """The notebook's opening lines: demo notice, plan, unit, who is counted."""
    plan = inputs.plan
    ben = for_unit(inputs.beneficiaries, unit)
    unit_name = _t("city", lang) if unit in (None, "all") else inputs.unit_names.get(unit, unit)
    sc = scenario or plan_scenarios(plan)[0]
    lines = []
    if plan.get("demo"):
        lines.append(f"**{_t('demo', lang)}**")
    if lang == "zh":
        lines += [f"- 方案: {md_text(plan.get('name', ''))} ({plan.get('year')} 年)",
                  f"- 单位: {md_text(unit_name)}; 情景: {md_text(sc)}",
                  f"- 名单 {len(inputs.registry):,} 条, 符合条件 {len(ben):,} 户(人), 涉及 {int(ben['persons'].sum()):,} 人"]
    else:
        lines += [f"- Plan: {md_text(plan.get('name_en', plan.get('name', '')))} ({plan.get('year')})",
                  f"- Unit: {md_text(unit_name)}; scenario: {md_text(sc)}",
                  f"- Registry rows {len(inputs.registry):,}; eligible {len(ben):,} households/persons "
                  f"({int(ben['persons'].sum()):,} persons)"]
    return "\n".join(lines)


def plan_scenarios(plan: dict) -> list[str]:

    return [s["name"] for s in scenarios(plan)]


def totals_table(result: bm.Budget, unit: str = "all", lang: str = "zh") -> pd.DataFrame:
    """Key figures of a budget (or of one unit of it) as a two-column table; money in yuan strings."""
    t = result.totals if unit in (None, "all") else {**result.unit(unit), **{
        k: result.totals[k] for k in ("funding_fen", "gap_fen", "cap_fen", "cap_margin_fen")}}
    keys = ["households", "persons", "recipients", "cash_fen", "goods_fen", "gifts_fen", "overhead_fen",
            "contingency_fen", "total_fen", "funding_fen", "gap_fen", "cap_fen", "cap_margin_fen"]
    values = []
    for k in keys:
        v = t.get(k)
        if v is None:
            values.append("—")
        elif k.endswith("_fen"):
            values.append(format_yuan(int(v)))
        else:
            values.append(f"{int(v):,}")
    head = ("项目", "数值") if lang == "zh" else ("Item", "Value")
    label_key = {"cap_fen": "budget_cap_fen"}
    return pd.DataFrame({head[0]: [labels.label(label_key.get(k, k), lang) for k in keys], head[1]: values})


def _money_span(key: str, fen, text: str | None = None) -> str:
    value = "" if fen is None else str(int(fen))
    shown = text if text is not None else ("—" if fen is None else format_yuan(int(fen)))
    return f'<span id="rp-{key}-value" class="rp-value" data-fen="{value}">{html.escape(shown)}</span>'


class WhatIfApp:
    """The widget app. ``app.widget`` is what to display; ``app.result`` the latest WhatIfResult."""

    def __init__(self, state: whatif.WhatIfState, *, lang: str = "zh", unit_names: dict | None = None,
                 controls: dict | None = None, chart: bool = True):
        labels.check_lang(lang)
        self.state, self.lang = state, lang
        self.unit_names = unit_names or {}
        self.chart_enabled = chart
        self.result: whatif.WhatIfResult | None = None
        self.last_good: whatif.WhatIfResult | None = None
        self._muted = False
        self._loaded: dict[str, tuple] = {}
        self._input_error: tuple[str, str] | None = None
        plan = state.plan
        style = {"description_width": "initial"}

        self.scenario = widgets.Dropdown(options=state.scenario_names, value=state.scenario_names[0],
                                         description=_t("scenario", lang), style=style)
        unit_opts = [(_t("all_units", lang), "all")] + [(self.unit_names.get(c, c), c) for c in state.counties]
        self.unit = widgets.Dropdown(options=unit_opts, value="all", description=_t("unit", lang), style=style)
        cap0 = bm.cap_fen(plan)
        full0 = whatif.update(state, {"cap_yuan": None}).full
        top = max(int(full0.total_fen if full0 else 0), int(cap0 or 0), 100_000) // 100
        cap_max = int(-(-top * 3 // 2) // 10_000 * 10_000 + 10_000)
        self.cap = widgets.IntSlider(value=int((cap0 or top * 100) // 100), min=0, max=cap_max, step=10_000,
                                     description=_t("cap", lang), continuous_update=False, style=style,
                                     layout=widgets.Layout(width="520px"))
        self.cap_text = widgets.Text(value=str(self.cap.value), layout=widgets.Layout(width="140px"))
        self.cap_text.add_class("rp-cap-input")
        self.cap.add_class("rp-cap-slider")
        self.mode = widgets.ToggleButtons(options=[(_t("priority", lang), "priority"), (_t("scale", lang), "scale")],
                                          value=plan.get("allocation_mode", "priority"), description=_t("mode", lang),
                                          style=style)
        step0 = int(plan.get("rounding_step", 50) or 1)
        steps = sorted({1, 10, 50, 100, step0})
        self.step = widgets.Dropdown(options=steps, value=step0, description=_t("step", lang), style=style,
                                     layout=widgets.Layout(width="180px"))
        self.threshold_on = widgets.Checkbox(value=False, description=_t("threshold_on", lang), indent=False,
                                             disabled=not state.thresholds_supported)
        self.threshold = widgets.FloatSlider(value=1.0, min=0.5, max=3.0, step=0.1, readout_format=".1f",
                                             description=_t("threshold", lang), continuous_update=False,
                                             disabled=True, style=style)

        # per category: cash and goods, each a slider plus a box to type into
        self.amount_widgets: dict[str, dict[str, tuple]] = {}
        header = [widgets.HTML(f"<b>{_t(k, lang)}</b>" if k else "") for k in ("category", "cash", "", "goods", "")]
        grid_items = header
        std = state.base_standards[state.scenario_names[0]]
        self.name_widgets: dict[str, widgets.HTML] = {}
        for i, code in enumerate(std["category"]):
            pair = {}
            for kind in ("cash", "goods"):
                slider, box = self._amount_controls(code, kind)
                pair[kind] = (slider, box)
            self.amount_widgets[code] = pair
            self.name_widgets[code] = widgets.HTML()
            grid_items += [self.name_widgets[code], pair["cash"][0], pair["cash"][1],
                           pair["goods"][0], pair["goods"][1]]
        self.amount_grid = widgets.GridBox(grid_items, layout=widgets.Layout(
            grid_template_columns="170px 190px 80px 190px 80px", grid_gap="2px 6px"))

        # outputs
        self.total_html = widgets.HTML().add_class("rp-total")
        self.full_html = widgets.HTML().add_class("rp-full")
        self.gap_html = widgets.HTML().add_class("rp-gap")
        self.coverage_html = widgets.HTML().add_class("rp-coverage")
        self.status_html = widgets.HTML().add_class("rp-status")
        self.message_html = widgets.HTML().add_class("rp-message")
        self.table_html = widgets.HTML().add_class("rp-table")
        self.chart_out = widgets.Output().add_class("rp-chart")

        self._load_scenario(self.scenario.value)
        for w in (self.scenario,):
            w.observe(self._on_scenario, names="value")
        for w in (self.unit, self.mode, self.step, self.threshold, self.threshold_on, self.cap):
            w.observe(self._on_change, names="value")
        self.threshold_on.observe(self._on_threshold_toggle, names="value")
        self.cap.observe(self._sync_cap_text, names="value")
        self.cap_text.observe(self._on_cap_text, names="value")

        banner = widgets.HTML(f'<div class="rp-demo" style="color:#b45309">{_t("demo", lang)}</div>'
                              if plan.get("demo") else "")
        # the figures sit beside the amount sliders, so they stay in view while a slider moves
        figures = widgets.VBox([self.message_html, self.total_html, self.full_html, self.gap_html,
                                self.coverage_html, self.status_html],
                               layout=widgets.Layout(width="340px", padding="0 0 0 16px"))
        self.widget = widgets.VBox([
            widgets.HTML(f"<h3>{_t('title', lang)}</h3>"), banner,
            widgets.HBox([self.scenario, self.unit]),
            widgets.HBox([self.cap, self.cap_text]),
            widgets.HBox([self.mode, self.step, self.threshold_on, self.threshold]),
            widgets.HBox([self.amount_grid, figures]),
            self.chart_out,
            self.table_html,
        ]).add_class("rp-whatif")
        if controls:
            self.apply(controls)
        else:
            self.refresh()

    # ------------------------------------------------------------ controls

    def _amount_controls(self, code: str, kind: str):
        # the cash slider holds yuan, or tenths of a month of 低保 (set per scenario by _load_scenario)
        slider = widgets.IntSlider(value=0, min=0, max=5000, step=10, continuous_update=False,
                                   readout=False, layout=widgets.Layout(width="185px"))
        slider.add_class(f"rp-{kind}-{code}")
        slider.add_class("rp-amount-slider")
        box = widgets.Text(value="0", layout=widgets.Layout(width="75px"))
        box.add_class(f"rp-{kind}-{code}-input")
        box.add_class("rp-amount-input")
        slider.observe(lambda ch, b=box: self._sync_box(ch, b), names="value")
        box.observe(lambda ch, s=slider, c=code, k=kind: self._on_box(ch, s, c, k), names="value")
        return slider, box

    def _load_scenario(self, name: str) -> None:
        """Put a scenario's standards into the amount controls (cash of a 低保 multiple in tenths of a month)."""
        std = self.state.base_standards[name]
        self._muted = True
        try:
            for i, code in enumerate(std["category"]):
                (cs, cb), (gs, gb) = self.amount_widgets[code]["cash"], self.amount_widgets[code]["goods"]
                multiple = std["cash_dibao_multiple"].iat[i]
                if multiple is not None:
                    cs.max, cs.step = 60, 1  # tenths of a month
                    cs.value = min(int(round(float(multiple) * 10)), 60)
                    cs.tooltip = _t("cash_multiple", self.lang)
                    cb.value = f"{float(multiple):g}"
                    cb.placeholder = _t("threshold", self.lang)
                else:
                    yuan = int(std["cash_fen"].iat[i]) // 100
                    cs.max, cs.step = max(5000, yuan * 2), 10
                    cs.value = yuan
                    cb.value = str(yuan)
                    cb.placeholder = ""
                goods = int(std["goods_fen"].iat[i]) // 100
                gs.max = max(2000, goods * 2)
                gs.value = goods
                gb.value = str(goods)
            self._multiples = {code: std["cash_dibao_multiple"].iat[i] is not None
                               for i, code in enumerate(std["category"])}
            # What the controls showed right after loading: a category left there keeps the scenario's
            # exact standard (the sliders hold whole yuan or tenths of a month, the plan may not).
            self._loaded = {code: (w["cash"][0].value, w["goods"][0].value) for code, w in self.amount_widgets.items()}
            months = "慰问金按低保月数" if self.lang == "zh" else "cash in months of dibao"
            for i, code in enumerate(std["category"]):
                name = html.escape(std["zh" if self.lang == "zh" else "en"].iat[i])
                hint = f'<br><small style="color:#555">({months})</small>' if self._multiples[code] else ""
                self.name_widgets[code].value = f"{name}{hint}"
        finally:
            self._muted = False

    def _sync_box(self, change, box) -> None:
        if self._muted:
            return
        self._muted = True
        try:
            slider = change["owner"]
            code = next(c for c, p in self.amount_widgets.items() if slider in (p["cash"][0], p["goods"][0]))
            if slider is self.amount_widgets[code]["cash"][0] and self._multiples.get(code):
                box.value = f"{slider.value / 10:g}"
            else:
                box.value = str(slider.value)
        finally:
            self._muted = False
        self._input_error = None
        self.refresh()

    def _on_box(self, change, slider, code, kind) -> None:
        """A typed amount: valid numbers move the slider; anything else shows a message."""
        if self._muted:
            return
        text = str(change["new"]).strip()
        multiple = kind == "cash" and self._multiples.get(code)
        try:
            value = float(text) if multiple else int(text)
        except ValueError:
            value = None
        if value is None or value < 0:
            zh_kind = "慰问金" if kind == "cash" else "慰问品"
            name = self._category_name(code)
            what = repr(text) if text else ("空" if self.lang == "zh" else "empty")
            self._input_error = (f"{name}{zh_kind}须为不小于 0 的{'数字' if multiple else '整数(元)'}, 实为 {what}",
                                 f"{kind} of {name} must be a {'number' if multiple else 'whole number of yuan'} "
                                 f">= 0, got {what}")
            self.refresh()
            return
        self._input_error = None
        self._muted = True
        try:
            target = int(round(value * 10)) if multiple else int(value)
            if target > slider.max:
                slider.max = target
            slider.value = target
        finally:
            self._muted = False
        self.refresh()

    def _category_name(self, code):
        std = self.state.base_standards[self.state.scenario_names[0]]
        names = dict(zip(std["category"], std["zh" if self.lang == "zh" else "en"]))
        return names.get(code, code)

    def _sync_cap_text(self, change) -> None:
        if self._muted:
            return
        self._muted = True
        try:
            self.cap_text.value = str(change["new"])
        finally:
            self._muted = False

    def _on_cap_text(self, change) -> None:
        if self._muted:
            return
        text = str(change["new"]).strip().replace(",", "")
        try:
            value = int(float(text)) if text else None
        except ValueError:
            value = None
        if value is None or value <= 0:
            self._cap_override = text  # passed through so update() explains what is wrong
            self.refresh()
            return
        self._cap_override = None
        self._muted = True
        try:
            if value > self.cap.max:
                self.cap.max = value
            self.cap.value = value
        finally:
            self._muted = False
        self.refresh()

    _cap_override = None

    def _on_threshold_toggle(self, change) -> None:
        self.threshold.disabled = not change["new"]

    def _on_scenario(self, change) -> None:
        self._load_scenario(change["new"])
        self._input_error = None
        self.refresh()

    def _on_change(self, change) -> None:
        if not self._muted:
            if change["owner"] is self.cap:
                self._cap_override = None
            self.refresh()

    def controls(self) -> dict:
        """The controls dict for :func:`whatif.update`, read from the widgets."""
        amounts = {}
        for code, pair in self.amount_widgets.items():
            cash = pair["cash"][0].value
            if (cash, pair["goods"][0].value) == self._loaded.get(code):
                continue
            amounts[code] = {"goods": pair["goods"][0].value}
            if self._multiples.get(code):
                amounts[code]["cash_dibao_multiple"] = f"{cash / 10:g}"
            else:
                amounts[code]["cash"] = cash
        cap = self._cap_override if self._cap_override is not None else self.cap.value
        return {"scenario": self.scenario.value, "amounts": amounts, "cap_yuan": cap, "mode": self.mode.value,
                "step_yuan": self.step.value,
                "threshold": round(self.threshold.value, 2) if self.threshold_on.value else None,
                "unit": self.unit.value}

    def apply(self, controls: dict) -> whatif.WhatIfResult:
        """Set the widgets from a controls dict (as a user would) and refresh; returns the result."""
        self._muted = True
        try:
            if controls.get("scenario"):
                self.scenario.value = controls["scenario"]
                self._load_scenario(controls["scenario"])
                self._muted = True
            if "unit" in controls:
                self.unit.value = controls["unit"] or "all"
            if controls.get("mode"):
                self.mode.value = controls["mode"]
            if controls.get("step_yuan"):
                if controls["step_yuan"] not in self.step.options:
                    self.step.options = sorted({*self.step.options, int(controls["step_yuan"])})
                self.step.value = int(controls["step_yuan"])
            if "threshold" in controls:
                self.threshold_on.value = controls["threshold"] is not None
                self.threshold.disabled = controls["threshold"] is None
                if controls["threshold"] is not None:
                    self.threshold.value = float(controls["threshold"])
            if "cap_yuan" in controls:
                cap = controls["cap_yuan"]
                try:
                    good = cap is not None and int(cap) > 0 and int(cap) == float(cap)
                except (TypeError, ValueError):
                    good = False
                if good:
                    self.cap.max = max(self.cap.max, int(cap))
                    self.cap.value = int(cap)
                    self.cap_text.value = str(int(cap))
                    self._cap_override = None
                else:
                    self._cap_override = cap
                    self.cap_text.value = "" if cap is None else str(cap)
            for code, change in (controls.get("amounts") or {}).items():
                if code not in self.amount_widgets:
                    continue
                for kind in ("cash", "goods"):
                    if change.get(kind) is None:
                        continue
                    slider, box = self.amount_widgets[code][kind]
                    slider.max = max(slider.max, int(change[kind]))
                    slider.value = int(change[kind])
                    box.value = str(int(change[kind]))
        finally:
            self._muted = False
        self._input_error = None
        return self.refresh()

    # ------------------------------------------------------------ outputs

    def refresh(self) -> whatif.WhatIfResult:
        """Recompute from the widgets and redraw; a bad input shows a message and keeps the last figures."""
        lang = self.lang
        if self._input_error is not None:
            result = whatif.WhatIfResult(False, *self._input_error, controls=self.controls())
        else:
            result = whatif.update(self.state, self.controls())
        self.result = result
        if not result.ok:
            self.message_html.value = (f'<div style="color:#b91c1c;font-weight:bold">{_t("bad_input", lang)}: '
                                       f'<span id="rp-message-text">{html.escape(result.message(lang))}</span></div>')
            return result
        self.last_good = result
        self.message_html.value = '<span id="rp-message-text"></span>'
        s = result.summary()
        unit_label = (self.unit_names.get(result.unit, result.unit) if result.unit != "all" else _t("city", lang))
        self.total_html.value = (f"<div><b>{_t('total', lang)}</b> ({html.escape(unit_label)}): "
                                 f"{_money_span('total', s['total_fen'])} {_t('yuan', lang)}</div>")
        self.full_html.value = (f"<div>{_t('full', lang)}: {_money_span('full', s['full_total_fen'])} "
                                f"{_t('yuan', lang)}</div>")
        gap = s["gap_fen"]
        word = _t("gap", lang) if gap > 0 else _t("surplus", lang)
        self.gap_html.value = (f"<div><b>{word}</b> ({_t('city', lang)}): "
                               f"{_money_span('gap', gap, format_yuan(abs(gap)))} {_t('yuan', lang)}</div>")
        self.coverage_html.value = (
            f"<div>{_t('coverage', lang)}: <span id=\"rp-coverage-value\" data-covered=\"{s['covered_recipients']}\" "
            f"data-eligible=\"{s['eligible_recipients']}\">{s['covered_recipients']:,} / "
            f"{s['eligible_recipients']:,}</span> {_t('recipients', lang)} ({s['coverage_pct']}%)</div>")
        color = "#15803d" if result.fits else "#b45309"
        self.status_html.value = (f'<div style="color:{color}"><span id="rp-status-text">'
                                  f'{html.escape(result.message(lang))}</span></div>')
        self.table_html.value = self._table(result)
        if self.chart_enabled:
            self._draw_chart(result)
        return result

    def _table(self, result) -> str:
        lang = self.lang
        lines = result.budget.lines
        cov = result.coverage
        if result.unit != "all":
            lines = lines[lines["county_code"] == result.unit]
            cov = cov[cov["county_code"] == result.unit]
        by = lines.groupby("category", sort=False)[["recipients", "gifts_fen", "total_fen"]].sum()
        elig = cov.groupby("category", sort=False)["eligible_recipients"].sum()
        names = dict(zip(result.standards["category"], result.standards["zh" if lang == "zh" else "en"]))
        head = [labels.label("category", lang), labels.label("eligible_recipients", lang),
                labels.label("covered_recipients", lang), labels.label("gifts_fen", lang),
                labels.label("total_fen", lang)]
        rows = "".join(
            f'<tr data-category="{html.escape(str(c))}"><td>{html.escape(names.get(c, c))}</td>'
            f'<td style="text-align:right">{int(elig.get(c, 0)):,}</td>'
            f'<td style="text-align:right">{int(r.recipients):,}</td>'
            f'<td style="text-align:right">{format_yuan(int(r.gifts_fen))}</td>'
            f'<td style="text-align:right" data-fen="{int(r.total_fen)}">{format_yuan(int(r.total_fen))}</td></tr>'
            for c, r in by.iterrows())
        return (f'<table id="rp-table" style="border-collapse:collapse"><thead><tr>'
                + "".join(f"<th style='padding:0 8px'>{html.escape(h)}</th>" for h in head)
                + f"</tr></thead><tbody>{rows}</tbody></table>")

    def _draw_chart(self, result) -> None:
        """Redraw the chart as a plotly mime bundle only (rendered by JupyterLab's / Voilà's plotly extension)."""


        names = dict(zip(result.standards["category"], result.standards["zh" if self.lang == "zh" else "en"]))
        fig = whatif_chart(result, names, self.lang, result.unit)
        self.figure = fig
        bundle = pio.renderers["plotly_mimetype"].to_mimebundle(fig)
        self.chart_out.outputs = ({"output_type": "display_data", "data": bundle, "metadata": {}},)


def build_app(state_or_inputs, *, lang: str = "zh", controls: dict | None = None, chart: bool = True) -> WhatIfApp:
    """The app over a WhatIfState or the :class:`Inputs` from :func:`load_inputs`."""
    if isinstance(state_or_inputs, Inputs):
        return WhatIfApp(state_or_inputs.state, lang=lang, unit_names=state_or_inputs.unit_names,
                         controls=controls, chart=chart)
    return WhatIfApp(state_or_inputs, lang=lang, controls=controls, chart=chart)
