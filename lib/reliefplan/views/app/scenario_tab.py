"""The "save and compare" tab of the panel: save the controls as a named scenario (a plan copy to
download), load a saved copy back, compare up to four scenarios, export the comparison and a summary."""

from __future__ import annotations

import ipywidgets as widgets
import plotly.io as pio

from reliefplan.core.errors import ReliefplanError
from reliefplan.views.app import compare as cmp
from reliefplan.views.app import scenarios as sc
from reliefplan.views.app.downloads import download_link
from reliefplan.views.app.texts import esc, t

CURRENT = "__current__"


def _note(text: str, *, ok: bool = True, element_id: str = "") -> str:
    color = "#15803d" if ok else "#b91c1c"
    ident = f' id="{esc(element_id)}"' if element_id else ""
    return f'<span{ident} style="color:{color}">{esc(text)}</span>'


class ScenarioTab:
    """Widgets of the tab; ``app`` is the :class:`~reliefplan.views.app.panel.WhatIfApp` it belongs to."""

    def __init__(self, app):
        self.app, lang = app, app.lang
        self.saved: dict[str, sc.SavedScenario] = {}
        style = {"description_width": "initial"}
        self.name = widgets.Text(description=t("save_name", lang), style=style,
                                 layout=widgets.Layout(width="320px")).add_class("rp-save-name")
        self.save_button = widgets.Button(description=t("save", lang), button_style="primary").add_class("rp-save")
        self.save_status = widgets.HTML().add_class("rp-save-status")
        self.upload = widgets.FileUpload(accept=".yaml,.yml", multiple=False,
                                         description=t("load", lang)).add_class("rp-load")
        self.load_status = widgets.HTML().add_class("rp-load-status")
        self.pick = widgets.SelectMultiple(description=t("compare", lang), style=style, rows=6,
                                           layout=widgets.Layout(width="460px")).add_class("rp-compare-pick")
        self.compare_html = widgets.HTML().add_class("rp-compare")
        self.compare_chart = widgets.Output().add_class("rp-compare-chart")
        self.xlsx_button = widgets.Button(description=t("export_xlsx", lang)).add_class("rp-export-xlsx")
        self.html_button = widgets.Button(description=t("export_html", lang)).add_class("rp-export-html")
        self.export_links = widgets.HTML().add_class("rp-export-links")
        self._set_options(keep=(CURRENT, app.state.scenario_names[0]))

        self.save_button.on_click(lambda _: self.save())
        self.upload.observe(self._on_upload, names="value")
        self.pick.observe(lambda _: self.refresh(), names="value")
        self.xlsx_button.on_click(lambda _: self.export_xlsx())
        self.html_button.on_click(lambda _: self.export_html())
        self.widget = widgets.VBox([
            widgets.HBox([self.name, self.save_button]), self.save_status,
            widgets.HBox([self.upload]), self.load_status,
            self.pick, self.compare_html, self.compare_chart,
            widgets.HBox([self.xlsx_button, self.html_button]), self.export_links,
        ])

    # ------------------------------------------------------------ saving and loading

    def _set_options(self, keep=()) -> None:
        options = [(t("current", self.app.lang), CURRENT)] + [(n, n) for n in self.app.state.scenario_names]
        chosen = tuple(v for v in (keep or self.pick.value) if v in {o[1] for o in options})
        self.pick.options = options
        self.pick.value = chosen[: cmp.MAX_COMPARED]

    def save(self, name: str | None = None) -> sc.SavedScenario | None:
        """Save the current controls as a scenario ``name`` (or the name box's text); offer the plan copy."""
        app, lang = self.app, self.app.lang
        name = (self.name.value if name is None else name).strip()
        problem = sc.check_name(name, set(app.state.scenario_names))
        if problem:
            self.save_status.value = _note(problem[0] if lang == "zh" else problem[1], ok=False,
                                           element_id="rp-save-error")
            return None
        controls = app.controls()
        based_on = controls.get("scenario") or app.state.scenario_names[0]
        scenario = sc.make_scenario(app.state, controls, name)
        sc.add_to_state(app.state, scenario)
        self.saved[name] = scenario
        text = sc.plan_copy_yaml(app.state.plan, scenario, based_on=based_on)
        app.scenario.options = list(app.state.scenario_names)
        app.scenario.value = name           # same figures: its standards are the controls' amounts
        self._set_options(keep=(*self.pick.value, name))
        self.save_status.value = (_note(f"{t('saved', lang)}: {name}", element_id="rp-save-ok") + " "
                                  + download_link(text, sc.file_name(name, ".yaml"), t("download_plan", lang),
                                                  element_id="rp-download-plan"))
        self.name.value = ""
        return scenario

    def load(self, content: bytes, filename: str = "") -> list[sc.SavedScenario]:
        """Add the scenarios of a saved plan copy and switch the controls to the first of them."""
        app, lang = self.app, self.app.lang
        try:
            found = sc.read_scenarios(content, app.state, source=filename)
        except ReliefplanError as exc:
            self.load_status.value = _note(f"{t('bad_file', lang)}: {exc.zh if lang == 'zh' else exc.en}",
                                           ok=False, element_id="rp-load-error")
            return []
        for scenario in found:
            sc.add_to_state(app.state, scenario)
            self.saved[scenario.name] = scenario
        app.scenario.options = list(app.state.scenario_names)
        self._set_options(keep=(*self.pick.value, *(s.name for s in found)))
        app.apply(found[0].controls(app.unit.value))
        names = ", ".join(s.name for s in found)
        self.load_status.value = _note(f"{t('loaded', lang)}: {names}", element_id="rp-load-ok")
        return found

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0]
        self.load(bytes(item["content"]), str(item.get("name", "")))

    # ------------------------------------------------------------ comparing and exporting

    def named_controls(self) -> dict[str, dict]:
        """The picked scenarios (at most four) as label -> controls."""
        app = self.app
        out = {}
        for value in self.pick.value[: cmp.MAX_COMPARED]:
            if value == CURRENT:
                out[t("current", app.lang)] = app.controls()
            elif value in self.saved:
                out[value] = self.saved[value].controls(app.unit.value)
            else:
                base = app.controls()
                out[value] = {**base, "scenario": value, "amounts": {}}
        return out

    def comparison(self):
        return cmp.compare(self.app.state, self.named_controls(), self.app.last_year)

    def refresh(self) -> None:
        lang = self.app.lang
        if len(self.pick.value) > cmp.MAX_COMPARED:
            self.pick.value = self.pick.value[: cmp.MAX_COMPARED]
            return
        frame = self.comparison()
        self.compare_html.value = cmp.table_html(frame, lang) if len(frame) else ""
        if self.app.chart_enabled and len(frame):
            bundle = pio.renderers["plotly_mimetype"].to_mimebundle(cmp.compare_chart(frame, lang))
            self.compare_chart.outputs = ({"output_type": "display_data", "data": bundle, "metadata": {}},)

    def export_xlsx(self) -> bytes:
        app = self.app
        data = cmp.comparison_xlsx(self.comparison(), plan_name=str(app.state.plan.get("name", "")), lang=app.lang)
        self.export_links.value = download_link(data, "情景比较.xlsx", t("export_xlsx", app.lang),
                                                element_id="rp-download-xlsx")
        return data

    def export_html(self) -> str:
        app = self.app
        result = app.last_good
        text = cmp.summary_html(result, plan=app.state.plan, unit_label=app.unit_label(result.unit),
                                scenario_label=app.scenario.value, lang=app.lang, demo=app.demo)
        self.export_links.value = download_link(text, "测算摘要.html", t("export_html", app.lang),
                                                element_id="rp-download-html")
        return text
