"""The what-if panel: controls on the left, the results beside them, detail in tabs below.

Every control change calls :meth:`WhatIfApp.refresh`, which reads the
controls dict (:meth:`WhatIfApp.controls`), calls the pure
:func:`reliefplan.models.whatif.update` and redraws. A bad input (typed into
a box) shows the message in words and keeps the last valid value and the
last figures; no control can be left stuck.

The panel works without a browser: set widget values (or call
:meth:`WhatIfApp.apply`) and read :attr:`WhatIfApp.result`.
"""

from __future__ import annotations

import dataclasses

import ipywidgets as widgets
from ipywidgets.widgets.widget_string import HTMLStyle
import plotly.io as pio

from reliefplan.core import labels
from reliefplan.models import budget as bm
from reliefplan.models import pools as pool_model
from reliefplan.models import whatif
from reliefplan.views.app import figures
from reliefplan.views.app.affected import AffectedView
from reliefplan.views.app.money_control import (
    DIMMED, HUNDREDTHS, MULTIPLE, YUAN, MoneyControl, ceil_to, label_html, shared,
)
from reliefplan.views.app.scenario_tab import ScenarioTab
from reliefplan.views.app.texts import esc, t
from reliefplan.views.budget_charts import whatif_chart

RANGES = (2, 3, 5, 10)          # slider range: 0 to this many times the current standard
CAP_STEP = 10_000               # yuan
POOL_STEP = 1_000               # yuan
AMOUNT_FLOOR_STEPS = 20         # a standard of 0 still gets a slider of 20 steps
MULTIPLE_FLOOR = 3 * HUNDREDTHS  # and a 低保 multiple one of 3 months
TAB_TABLE, TAB_CHART, TAB_AFFECTED, TAB_SCENARIOS = range(4)
STYLE = f"<style>.rp-whatif .{DIMMED} {{ opacity: 0.45; }}</style>"   # a control whose switch is off


def own_state(state: whatif.WhatIfState) -> whatif.WhatIfState:
    """A copy of the state this panel may add scenarios to (the big arrays are shared, not copied)."""
    return dataclasses.replace(state, base_standards=dict(state.base_standards),
                               scenario_names=list(state.scenario_names), cache={})


class WhatIfApp:
    """The widget app. ``app.widget`` is what to display; ``app.result`` the latest WhatIfResult."""

    def __init__(self, state: whatif.WhatIfState, *, lang: str = "zh", unit_names: dict | None = None,
                 controls: dict | None = None, chart: bool = True, people=None, last_year: dict | None = None,
                 demo: bool = False):
        labels.check_lang(lang)
        self.state, self.lang = own_state(state), lang
        self.unit_names = unit_names or {}
        self.people, self.last_year = people, last_year or {}
        self.demo = demo            # PlanInputs.demo: the 示例数据 notice is shown
        self.chart_enabled = chart
        self.result: whatif.WhatIfResult | None = None
        self.last_good: whatif.WhatIfResult | None = None
        self._muted = False
        plan = self.state.plan
        style = {"description_width": "initial"}

        self.scenario = widgets.Dropdown(options=list(self.state.scenario_names), value=self.state.scenario_names[0],
                                         description=t("scenario", lang), style=style).add_class("rp-scenario")
        unit_opts = [(t("all_units", lang), "all")] + [(self.unit_names.get(c, c), c) for c in self.state.counties]
        self.unit = widgets.Dropdown(options=unit_opts, value="all", description=t("unit", lang),
                                     style=style).add_class("rp-unit")
        self.mode = widgets.ToggleButtons(options=[(t("priority", lang), "priority"), (t("scale", lang), "scale")],
                                          value=plan.get("allocation_mode", "priority"), description=t("mode", lang),
                                          style=style).add_class("rp-mode")
        self.plan_step = max(1, int(plan.get("rounding_step", 10) or 10))
        self.step = widgets.Dropdown(options=sorted({10, 50, 100, self.plan_step}), value=self.plan_step,
                                     description=t("step", lang), style=style,
                                     layout=widgets.Layout(width="170px")).add_class("rp-step")
        self.range = widgets.Dropdown(options=[(f"{r}×", r) for r in RANGES], value=3, description=t("range", lang),
                                      style=style, layout=widgets.Layout(width="230px")).add_class("rp-range")
        self.threshold_on = widgets.Checkbox(value=False, description=t("threshold_on", lang), indent=False,
                                             disabled=not self.state.thresholds_supported).add_class("rp-threshold-on")
        self.threshold = widgets.FloatSlider(value=1.0, min=0.5, max=3.0, step=0.1, readout_format=".1f",
                                             description=t("threshold", lang), continuous_update=False,
                                             disabled=not self.state.thresholds_supported,
                                             style=style).add_class("rp-threshold")
        full0 = whatif.update(self.state, {"cap_yuan": None}).full
        self.cap_base = max(int(bm.cap_fen(plan) or 0), int(full0.total_fen if full0 else 0), 100_000) // 100
        cap0 = int(bm.cap_fen(plan) // 100) if bm.cap_fen(plan) is not None else ceil_to(self.cap_base, CAP_STEP)
        self.cap = MoneyControl(("预算上限", "budget cap"), cap0, step=CAP_STEP, top=self.cap_base * 3, minimum=1,
                                lang=lang, on_change=self._on_cap_amount, on_error=self._bad_input, css="rp-cap",
                                slider_width="380px", box_width="120px")
        # A plan without a budget cap (the pools are the limit) starts with none: an invented cap would
        # report shortfalls the plan does not have.
        self.cap_on = widgets.Checkbox(value=bm.cap_fen(plan) is not None, description=t("cap_on", lang),
                                       indent=False, layout=widgets.Layout(width="110px")).add_class("rp-cap-on")
        self._show_switches()

        self.pool_controls: dict[str, MoneyControl] = {}
        self.pool_base: dict[str, int] = {}
        pool_rows = []
        if pool_model.declared(plan):
            for i, pool in enumerate(pool_model.plan_pools(plan)):
                yuan = pool.amount_fen // 100
                self.pool_base[pool.name] = yuan
                control = MoneyControl((f"{pool.name}金额", f"amount of {pool.name_en}"), yuan, step=POOL_STEP,
                                       top=max(yuan * 3, POOL_STEP * 10), minimum=0, lang=lang,
                                       on_change=self._changed, on_error=self._bad_input, css=f"rp-pool-{i}",
                                       slider_width="300px", box_width="110px")
                self.pool_controls[pool.name] = control
                pool_rows.append(widgets.HBox([widgets.HTML(esc(pool.name if lang == "zh" else pool.name_en),
                                                            layout=widgets.Layout(width="110px")), control.widget]))
        pool_box = widgets.VBox([widgets.HTML(f"<b>{esc(t('pools_title', lang))}</b>"), *pool_rows]) \
            if pool_rows else widgets.VBox([])

        self.amounts: dict[str, dict[str, MoneyControl]] = {}
        self.name_widgets: dict[str, widgets.HTML] = {}
        std0 = self.state.base_standards[self.state.scenario_names[0]]
        grid = [widgets.HTML(f"<b>{esc(t(k, lang))}</b>" if k else "") for k in ("category", "cash", "goods")]
        for code in std0["category"]:
            self.amounts[code] = {kind: self._amount_control(code, kind) for kind in ("cash", "goods")}
            self.name_widgets[code] = widgets.HTML(layout=shared(widgets.Layout), style=shared(HTMLStyle))
            grid += [self.name_widgets[code], self.amounts[code]["cash"].widget, self.amounts[code]["goods"].widget]
        self.amount_grid = widgets.GridBox(grid, layout=widgets.Layout(
            grid_template_columns="130px 390px 300px", grid_gap="1px 6px"))

        self.message_html = widgets.HTML(figures.message_html(None, lang)).add_class("rp-message")
        self.headline_html = widgets.HTML().add_class("rp-total")
        self.status_html = widgets.HTML().add_class("rp-status")
        self.funding_html = widgets.HTML().add_class("rp-funding")
        self.table_html = widgets.HTML().add_class("rp-table")
        self.chart_out = widgets.Output().add_class("rp-chart")
        self.affected = AffectedView(lang)
        self.scenarios = ScenarioTab(self)

        self._load_scenario(self.scenario.value)
        self.scenario.observe(self._on_scenario, names="value")
        for w in (self.unit, self.mode):
            w.observe(self._changed, names="value")
        self.threshold.observe(self._on_threshold_value, names="value")
        self.step.observe(self._on_step, names="value")
        self.range.observe(self._on_range, names="value")
        self.threshold_on.observe(self._on_threshold_toggle, names="value")
        self.cap_on.observe(self._on_cap_toggle, names="value")

        self.tabs = widgets.Tab([self.table_html, self.chart_out, self.affected.widget, self.scenarios.widget])
        for i, key in enumerate(("table_tab", "chart_tab", "affected_tab", "scenarios_tab")):
            self.tabs.set_title(i, t(key, lang))
        self.tabs.observe(lambda _: self._draw_details(), names="selected_index")
        banner = widgets.HTML(f'<div class="rp-demo" style="color:#b45309;font-weight:bold">{esc(t("demo", lang))}'
                              f"</div>" if demo else "")
        title = widgets.HTML(f"{STYLE}<h3 style='margin:4px 0'>{esc(t('title', lang))} · "
                             f"{esc(plan.get('name', ''))}</h3>")
        results = widgets.VBox([self.message_html, self.headline_html, self.status_html, self.funding_html],
                               layout=widgets.Layout(width="430px", padding="0 0 0 16px"))
        left = widgets.VBox([
            widgets.HBox([self.scenario, self.unit]),
            widgets.HBox([self.cap_on, self.cap.widget]),
            pool_box,
            widgets.HBox([self.mode, self.step]),
            widgets.HBox([self.threshold_on, self.threshold, self.range]),
            self.amount_grid,
        ])
        self.widget = widgets.VBox([title, banner, widgets.HBox([left, results]), self.tabs]).add_class("rp-whatif")
        if controls:
            self.apply(controls)
        else:
            self.refresh()

    # ------------------------------------------------------------ controls

    def _amount_control(self, code: str, kind: str) -> MoneyControl:
        name = self._category_name(code)
        label = (f"{name}{'慰问金' if kind == 'cash' else '慰问品'}", f"{kind} of {name}")
        hint = (lambda v, c=code: self._multiple_hint(c, v)) if kind == "cash" else None
        return MoneyControl(label, 0, step=self.plan_step, lang=self.lang, on_change=self._changed,
                            on_error=self._bad_input, hint=hint, css=f"rp-{kind}-{code}")

    def _category_name(self, code: str) -> str:
        return figures.category_names(self.state.base_standards[self.state.scenario_names[0]], self.lang).get(code, code)

    def _multiple_hint(self, code: str, value: int) -> str:
        """For a cash paid in months of 低保: what that is in yuan (the range over the counties' standards)."""
        control = self.amounts.get(code, {}).get("cash")
        if control is None or control.kind != MULTIPLE:
            return ""
        dibao = self.state.g_dibao[(self.state.g_category == code) & (self.state.g_dibao >= 0)]
        if not len(dibao):
            return ""
        lo, hi = (int(d) * value // HUNDREDTHS // 100 for d in (dibao.min(), dibao.max()))
        shown = f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}"
        return f'<span class="rp-multiple-yuan" style="color:#555">≈ {esc(shown)} {esc(t("yuan", self.lang))}</span>'

    def _base_value(self, code: str, kind: str) -> int:
        """The value of a control at the selected scenario's standard (yuan, or hundredths of a month)."""
        std = self.state.base_standards[self.scenario.value].set_index("category")
        if kind == "goods":
            return int(std.at[code, "goods_fen"]) // 100
        multiple = std.at[code, "cash_dibao_multiple"]
        if multiple is not None:
            return int(round(float(multiple) * HUNDREDTHS))
        return int(std.at[code, "cash_fen"]) // 100

    def _load_scenario(self, name: str) -> None:
        """Put a scenario's standards into the amount controls, each with its range from the standard."""
        std = self.state.base_standards[name].set_index("category")
        self._muted = True
        try:
            for code, pair in self.amounts.items():
                multiple = std.at[code, "cash_dibao_multiple"]
                pair["cash"].kind = MULTIPLE if multiple is not None else YUAN
                pair["cash"].step = 10 if multiple is not None else self.step.value
                pair["cash"].slider.step = pair["cash"].step
                sub = t("cash_multiple", self.lang) if multiple is not None else ""
                self.name_widgets[code].value = label_html(self._category_name(code), sub)
                for kind, control in pair.items():
                    value = self._base_value(code, kind)
                    control.set(value)
                    self._set_range(control, value)
                    control.refresh_hint()
        finally:
            self._muted = False

    def _set_range(self, control: MoneyControl, base: int) -> None:
        floor = MULTIPLE_FLOOR if control.kind == MULTIPLE else control.step * AMOUNT_FLOOR_STEPS
        control.set_range(max(base * self.range.value, floor))

    def _on_range(self, change) -> None:
        for code, pair in self.amounts.items():
            for kind, control in pair.items():
                self._set_range(control, self._base_value(code, kind))
        self.cap.set_range(ceil_to(self.cap_base * self.range.value, CAP_STEP))
        for name, control in self.pool_controls.items():
            control.set_range(max(self.pool_base[name] * self.range.value, POOL_STEP * 10))

    def _on_step(self, change) -> None:
        for pair in self.amounts.values():
            for kind, control in pair.items():
                if control.kind == YUAN:
                    control.step = control.slider.step = int(change["new"])
        self._changed()

    def _show_switches(self) -> None:
        """Grey the cap and the income line while their switches are off; they stay usable.

        They are not disabled: a disabled control is enabled only when the
        switch's message has been to the kernel and back, and on a busy server
        a drag or a typed amount made in between was dropped by the browser
        (the planner's input lost without a word). Using a greyed control
        switches it on instead (:meth:`_on_cap_amount`, :meth:`_on_threshold_value`).
        """
        self.cap.set_dimmed(not self.cap_on.value)
        if self.threshold_on.value:
            self.threshold.remove_class(DIMMED)
        else:
            self.threshold.add_class(DIMMED)

    def _on_threshold_toggle(self, change) -> None:
        self._show_switches()
        self._changed()

    def _on_cap_toggle(self, change) -> None:
        self._show_switches()
        self._changed()

    def _on_cap_amount(self, _value: int) -> None:
        """A cap typed or dragged while the cap is off means "cap it at this": the switch goes on (and redraws)."""
        if self._muted:
            return
        if not self.cap_on.value:
            self.cap_on.value = True
        else:
            self.refresh()

    def _on_threshold_value(self, change) -> None:
        """The income line moved while it is off: switch it on, as for the cap."""
        if self._muted:
            return
        if not self.threshold_on.value and self.state.thresholds_supported:
            self.threshold_on.value = True
        else:
            self.refresh()

    def _on_scenario(self, change) -> None:
        self._load_scenario(change["new"])
        self.refresh()

    def _changed(self, *_) -> None:
        if not self._muted:
            self.refresh()

    def _bad_input(self, zh: str, en: str) -> None:
        """A box held something not allowed: say so; the control kept its last valid value, the figures stay."""
        self.result = whatif.WhatIfResult(False, zh, en, controls=self.controls())
        self.message_html.value = figures.message_html((zh, en), self.lang)

    def controls(self) -> dict:
        """The controls dict for :func:`whatif.update`, read from the widgets.

        Amounts appear only where they differ from the selected scenario, so an
        unchanged scenario keeps its exact standards (e.g. amounts in fen after a multiplier).
        """
        amounts = {}
        for code, pair in self.amounts.items():
            change = {}
            cash, goods = pair["cash"], pair["goods"]
            if cash.value != self._base_value(code, "cash"):
                if cash.kind == MULTIPLE:
                    change["cash_dibao_multiple"] = f"{cash.value / HUNDREDTHS:g}"
                else:
                    change["cash"] = cash.value
            if goods.value != self._base_value(code, "goods"):
                change["goods"] = goods.value
            if change:
                amounts[code] = change
        out = {"scenario": self.scenario.value, "amounts": amounts,
               "cap_yuan": self.cap.value if self.cap_on.value else None, "no_cap": not self.cap_on.value,
               "mode": self.mode.value, "step_yuan": self.step.value,
               "threshold": round(self.threshold.value, 2) if self.threshold_on.value else None,
               "unit": self.unit.value}
        if self.pool_controls:
            out["pools"] = {name: c.value for name, c in self.pool_controls.items() if c.value != self.pool_base[name]}
        return out

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
                step = int(controls["step_yuan"])
                if step not in self.step.options:
                    self.step.options = sorted({*self.step.options, step})
                self.step.value = step
            if "threshold" in controls:
                self.threshold_on.value = controls["threshold"] is not None
                if controls["threshold"] is not None:
                    self.threshold.value = float(controls["threshold"])
            if controls.get("no_cap"):
                self.cap_on.value = False
            elif controls.get("cap_yuan") not in (None, ""):
                self.cap_on.value = True
                self.cap.set(int(controls["cap_yuan"]))
            for name, value in (controls.get("pools") or {}).items():
                if name in self.pool_controls and value is not None:
                    self.pool_controls[name].set(int(value))
            for code, change in (controls.get("amounts") or {}).items():
                if code not in self.amounts:
                    continue
                for key, value in (change or {}).items():
                    if value is None:
                        continue
                    if key == "cash_dibao_multiple":
                        control = self.amounts[code]["cash"]
                        control.kind = MULTIPLE
                        control.set(int(round(float(value) * HUNDREDTHS)))
                    elif key in ("cash", "goods"):
                        self.amounts[code][key].set(int(value))
        finally:
            self._muted = False
        return self.refresh()

    # ------------------------------------------------------------ outputs

    def unit_label(self, unit: str) -> str:
        return t("city", self.lang) if unit in (None, "all") else self.unit_names.get(unit, unit)

    def refresh(self) -> whatif.WhatIfResult:
        """Recompute from the widgets and redraw; a bad input shows a message and keeps the last figures."""
        lang = self.lang
        result = whatif.update(self.state, self.controls())
        self.result = result
        if not result.ok:
            self.message_html.value = figures.message_html((result.message_zh, result.message_en), lang)
            return result
        self.last_good = result
        self.message_html.value = figures.message_html(None, lang)
        self.headline_html.value = figures.headline_html(result, self.unit_label(result.unit), self.last_year, lang)
        self.status_html.value = figures.status_html(result, lang)
        self.funding_html.value = figures.funding_html(result, lang)
        self._draw_details()
        return result

    def _draw_details(self) -> None:
        """The open tab only: the category table is cheap, the chart and the affected list are not free."""
        result = self.last_good
        if result is None:
            return
        tab = self.tabs.selected_index if hasattr(self, "tabs") else TAB_TABLE
        self.table_html.value = figures.category_table_html(result, self.lang)
        if self.chart_enabled and tab == TAB_CHART:
            self._draw_chart(result)
        if tab == TAB_AFFECTED:
            self.affected.update(self.state, result, self.people, result.standards)
        if tab == TAB_SCENARIOS:
            self.scenarios.refresh()

    def _draw_chart(self, result) -> None:
        """Redraw the chart as a plotly mime bundle only (rendered by JupyterLab's / Voilà's plotly extension)."""
        fig = whatif_chart(result, figures.category_names(result.standards, self.lang), self.lang, result.unit)
        self.figure = fig
        bundle = pio.renderers["plotly_mimetype"].to_mimebundle(fig)
        self.chart_out.outputs = ({"output_type": "display_data", "data": bundle, "metadata": {}},)
