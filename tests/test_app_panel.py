"""The what-if panel without a browser: controls that fit money, figures equal to the library, who is
affected, scenarios saved / loaded / compared / exported, and every file-borne text escaped."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
import yaml

from reliefplan.core import paths
from reliefplan.ingest.plan import load_plan
from reliefplan.models import affected as am
from reliefplan.models import whatif
from reliefplan.views import app as whatif_app
from reliefplan.views.app import scenarios as sc
from reliefplan.views.app.money_control import DIMMED, format_amount, parse_amount, shared

XSS = '<img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def inputs():
    return whatif_app.load_inputs()


@pytest.fixture()
def app(inputs):
    return whatif_app.build_app(inputs, chart=False)


def fen_of(html, key):
    return int(re.search(rf'id="rp-{key}-value"[^>]*data-fen="(-?\d*)"', html).group(1))


def shown(app, key):
    return fen_of(app.headline_html.value, key)


def browser_sends(widget, **state):
    """A change made in the page, through ipywidgets' own handler of browser messages (echo, property lock)."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state, "buffer_paths": []}},
                        "buffers": []})


# ------------------------------------------------------------------ money in boxes

@pytest.mark.parametrize("text, kind, value", [
    ("3,300,000", "yuan", 3_300_000), ("３３００元", "yuan", 3300), (" 500 ", "yuan", 500), ("500.0", "yuan", 500),
    ("1.5", "multiple", 150), ("0.25", "multiple", 25), ("2", "multiple", 200),
    ("abc", "yuan", None), ("", "yuan", None), ("5.5", "yuan", None), ("1.234", "multiple", None),
    ("-5", "yuan", -5),
])
def test_parse_amount(text, kind, value):
    assert parse_amount(text, kind) == value


def test_format_amount():
    assert format_amount(3_300_000) == "3,300,000"
    assert format_amount(150, "multiple") == "1.5"


def test_controls_share_layouts_and_styles(app):
    """Fewer widget models for the page to build before it draws (a faster first paint)."""
    import ipywidgets as widgets

    a, b = app.amounts["dibao"]["cash"], app.amounts["tekun"]["goods"]
    assert a.slider.layout is b.slider.layout and a.slider.style is b.slider.style and a.box.style is b.box.style
    assert b.note is None and a.note is not None  # only a cash amount has a note (months of 低保 in yuan)
    layout = shared(widgets.Layout, width="1px")
    layout.close()
    assert shared(widgets.Layout, width="1px") is not layout  # a closed model is made anew


def test_no_english_keys_on_screen(app):
    """Every text the panel shows (HTML, labels, options, tab titles) is Chinese: no codes, no *_fen keys."""
    import html as html_lib

    import ipywidgets as widgets

    app.cap_on.value = True
    app.cap.box.value = "2,000,000"  # the cap bites: the who-is-affected tab has a table and a list
    shown = []
    for i in range(len(app.tabs.children)):
        app.tabs.selected_index = i
    stack = [app.widget]
    while stack:
        w = stack.pop()
        stack.extend(getattr(w, "children", ()))
        if isinstance(w, widgets.HTML):
            shown.append(w.value)
        shown += [getattr(w, "description", "") or "", *getattr(w, "_options_labels", ())]
        if isinstance(w, widgets.Tab):
            shown += list(w.titles)
    shown = [re.sub(r"<style>.*?</style>", " ", s, flags=re.S) for s in shown]  # a style sheet is not shown
    text = re.sub(r"<[^>]+>", " ", html_lib.unescape("\n".join(shown)))
    assert set(re.findall(r"[A-Za-z_][A-Za-z_0-9]{2,}", text)) <= {"Excel", "HTML"}
    assert "低保户" in text and "资金池" in text


# ------------------------------------------------------------------ the figures are the library's

def test_starting_figures_are_the_librarys(app, inputs):
    expected = whatif.update(inputs.state, app.controls()).summary()
    assert shown(app, "total") == expected["total_fen"]
    assert shown(app, "gap") == expected["gap_fen"]
    assert app.controls()["amounts"] == {}  # the baseline, exactly as the plan writes it
    assert app.controls()["no_cap"] and DIMMED in app.cap.box._dom_classes  # the demo plan has no cap: none invented
    assert 'id="rp-dropped-value"' in app.headline_html.value
    assert "比上年" in app.headline_html.value  # the demo has last year's campaign
    assert 'id="rp-pools"' in app.funding_html.value


def test_controls_fit_money(app, inputs):
    dibao = app.amounts["dibao"]["cash"]
    base, step = dibao.value, inputs.plan["rounding_step"]
    assert dibao.slider.step == step
    assert dibao.slider.max == max(3 * base, 20 * step)  # 0 to 3x the current standard
    assert app.cap.box.value == f"{app.cap.value:,}" and "," in app.cap.box.value  # thousands separators
    app.range.value = 5
    assert dibao.slider.max == max(5 * base, 20 * step)
    dibao.slider.value = base + 3 * step
    assert dibao.box.value == f"{base + 3 * step:,}"
    assert app.controls()["amounts"]["dibao"] == {"cash": base + 3 * step}
    app.cap_on.value = True
    assert not app.cap.box.disabled and app.controls()["cap_yuan"] == app.cap.value
    app.cap.box.value = "2,900,000"
    assert app.cap.slider.value == 2_900_000 and app.cap.box.value == "2,900,000"
    expected = whatif.update(inputs.state, app.controls()).summary()
    assert shown(app, "total") == expected["total_fen"]


@pytest.mark.parametrize("which, text, words", [
    ("amount", "-5", ("低保户慰问金", "-5")), ("amount", "", ("低保户慰问金", "空")),
    ("amount", "abc", ("低保户慰问金", "abc")), ("amount", "99999999999", ("须在 0 至 {top} 元之间",)),
    ("cap", "0", ("预算上限",)), ("cap", "", ("预算上限",)), ("cap", "-1", ("预算上限",)),
    ("cap", "99,999,999,999", ("预算上限须在",)),
])
def test_bad_input_says_so_and_keeps_the_last_valid_value(app, which, text, words):
    control = app.amounts["dibao"]["cash"] if which == "amount" else app.cap
    headline, value, top = app.headline_html.value, control.value, control.slider.max
    control.box.value = text
    assert not app.result.ok
    message = app.message_html.value
    words = [w.format(top=f"{top:,}") for w in words]  # the range is 0 to 3x the plan's standard
    assert "输入有误" in message and all(w in message for w in words) and "Traceback" not in message
    assert control.value == value and control.slider.value == value and control.slider.max == top
    assert control.box.value == format_amount(value, control.kind)  # the last valid value is back in the box
    assert app.headline_html.value == headline
    control.slider.value = value + control.step  # the slider still works
    assert app.result.ok and 'id="rp-message-text"></span>' in app.message_html.value


def test_dibao_multiple_shows_months_and_yuan(app, inputs):
    gugua = app.amounts["gugua_elder"]["cash"]
    months = inputs.plan["categories"]["gugua_elder"]["cash_dibao_multiple"]
    assert gugua.kind == "multiple" and gugua.box.value == f"{months:g}"
    assert "低保月数" in app.name_widgets["gugua_elder"].value
    yuan = re.search(r"≈ ([\d,]+)(?:–([\d,]+))? 元", gugua.note.value)
    dibao = inputs.state.g_dibao[inputs.state.g_category == "gugua_elder"]
    assert int(yuan.group(1).replace(",", "")) == int(dibao.min()) * int(months * 100) // 100 // 100
    gugua.box.value = "1.5"
    assert app.controls()["amounts"]["gugua_elder"] == {"cash_dibao_multiple": "1.5"}
    assert f"{int(dibao.min()) * 3 // 2 // 100:,}" in gugua.note.value
    app.scenario.value = "按低保标准1个月"
    assert app.amounts["dibao"]["cash"].kind == "multiple" and app.amounts["dibao"]["cash"].box.value == "1"
    assert app.result.ok and app.controls()["amounts"] == {}


def test_apply_unit_threshold_and_english(inputs):
    app = whatif_app.build_app(inputs, chart=False, lang="en")
    result = app.apply({"cap_yuan": 400_000, "mode": "scale", "threshold": 1.5, "unit": "350602",
                        "amounts": {"dibao": {"cash": 650}}})
    assert result.ok and result.unit == "350602"
    assert inputs.unit_names["350602"] in app.headline_html.value and "Total allocated" in app.headline_html.value
    assert app.threshold_on.value and DIMMED not in app.threshold._dom_classes
    assert shown(app, "total") == result.summary()["total_fen"]
    app.cap.box.value = "0"
    assert "budget cap" in app.message_html.value


# ------------------------------------------------------------------ who is affected

def test_who_is_affected_agrees_with_the_coverage(app, inputs):
    app.cap_on.value = True
    app.cap.box.value = "2,000,000"  # the demo's pools hold more: the cap bites
    result = app.result
    assert result.ok and not result.fits
    rows = am.affected_rows(app.state, result)
    uncovered = result.coverage.groupby("category")["uncovered_recipients"].sum()
    got = rows.groupby("category")["recipients"].sum()
    assert got.to_dict() == {k: int(v) for k, v in uncovered.items() if v}
    paid = result.allocation.paid_fen()
    assert (rows["gets_fen"] == paid.reindex(rows.index)).all()  # what each gets is what the library pays it
    assert ((rows["status"] == "dropped") == (rows["gets_fen"] == 0)).all()
    assert (rows["gets_fen"] < rows["standard_fen"]).all()
    app.tabs.selected_index = 2
    assert 'id="rp-affected-table"' in app.affected.summary_html.value
    listed = app.affected.list_html.value
    assert 'id="rp-affected-people"' in listed
    for number in inputs.registry["id_number"].head(2000):
        assert number not in listed  # only masked numbers
    assert re.search(r"<td>\d{6}\*{8}\d{3}[\dX]</td>", listed)


def test_scale_mode_lists_who_gets_less(app):
    app.apply({"cap_yuan": 2_000_000, "mode": "scale"})
    assert app.result.ok and not app.result.fits
    rows = am.affected_rows(app.state, app.result)
    reduced = rows[rows["status"] == "reduced"]
    assert len(reduced) and (reduced["gets_fen"] > 0).all() and (reduced["gets_fen"] < reduced["standard_fen"]).all()


def test_nothing_affected_when_the_cap_fits(app):
    app.cap.box.value = "9,000,000"
    app.tabs.selected_index = 2
    assert app.result.fits and 'id="rp-affected-none"' in app.affected.summary_html.value


def test_without_pools_the_cap_rule_walks_the_rows(inputs):
    """A plan whose funding is one sum (no pools, every listing paid): the what-if's own fast path."""
    plan = {**inputs.plan, "funding": [{"source": "财政", "source_en": "Budget", "amount": 2_000_000}],
            "per_person_rule": "pay_all", "budget_cap": 2_000_000}
    app = whatif_app.WhatIfApp(whatif.prepare(plan, inputs.rows, categories=inputs.categories), chart=False)
    assert not app.state.library_path and app.cap_on.value and app.result.allocation is None
    assert not app.result.fits
    rows = am.affected_rows(app.state, app.result)
    uncovered = app.result.coverage.groupby("category")["uncovered_recipients"].sum()
    assert set(rows["status"]) == {"dropped"}
    assert rows.groupby("category")["recipients"].sum().to_dict() == {k: int(v) for k, v in uncovered.items() if v}
    app.mode.value = "scale"
    rows = am.affected_rows(app.state, app.result)
    assert len(rows) and set(rows["status"]) == {"reduced"} and (rows["gets_fen"] < rows["standard_fen"]).all()


def test_the_cap_can_be_switched_off_and_is_saved_so(app, inputs):
    app.cap_on.value = True
    app.cap.box.value = "2,000,000"
    assert not app.result.fits and app.result.summary()["cap_fen"] == 200_000_000
    app.cap_on.value = False
    assert DIMMED in app.cap.box._dom_classes and app.result.ok and app.result.summary()["cap_fen"] is None
    assert whatif.update(inputs.state, {"cap_yuan": 1, "no_cap": True}).summary()["cap_fen"] is None
    text = sc.plan_copy_yaml({**inputs.plan, "budget_cap": 3_000_000}, app.scenarios.save("不设上限"))
    assert "budget_cap" not in yaml.safe_load(text)
    fresh = whatif_app.build_app(inputs, chart=False)
    fresh.apply({"cap_yuan": 2_500_000})
    assert fresh.cap_on.value and DIMMED not in fresh.cap.box._dom_classes
    fresh.scenarios.load(text.encode("utf-8"), "x.yaml")
    assert not fresh.cap_on.value and fresh.controls()["no_cap"]
    assert fresh.result.summary()["total_fen"] == app.result.summary()["total_fen"]


def test_a_switched_off_cap_or_income_line_takes_input_and_switches_itself_on(app, inputs):
    """Greyed while off, never disabled: the browser enables a disabled control only once the switch's
    message has been to the kernel and back, and on a busy server a cap typed in between was dropped."""
    assert not app.cap_on.value and not app.threshold_on.value and app.state.thresholds_supported
    assert DIMMED in app.cap.box._dom_classes and DIMMED in app.cap.slider._dom_classes
    assert DIMMED in app.threshold._dom_classes
    assert not (app.cap.box.disabled or app.cap.slider.disabled or app.threshold.disabled)
    browser_sends(app.cap.box, value="2,000,000")
    assert app.cap_on.value and DIMMED not in app.cap.box._dom_classes
    assert app.result.summary()["cap_fen"] == 200_000_000
    browser_sends(app.threshold, value=1.2)
    assert app.threshold_on.value and DIMMED not in app.threshold._dom_classes
    assert app.controls()["threshold"] == 1.2 and app.controls()["cap_yuan"] == 2_000_000
    assert app.result.summary() == whatif.update(inputs.state, app.controls()).summary()
    browser_sends(app.cap.box, value="0")      # a bad amount leaves the switch as it was
    assert app.cap_on.value and app.cap.value == 2_000_000 and "预算上限" in app.message_html.value


# ------------------------------------------------------------------ scenarios

def test_save_writes_a_plan_copy_that_loads_and_reproduces_the_figures(app, inputs, tmp_path):
    app.apply({"cap_yuan": 3_100_000, "mode": "scale", "amounts": {"dibao": {"cash": 650, "goods": 150}}})
    before = app.result.summary()
    saved = app.scenarios.save("提标低保")
    assert saved is not None and app.scenario.value == "提标低保"
    assert app.result.summary()["total_fen"] == before["total_fen"]
    link = app.scenarios.save_status.value
    assert 'id="rp-download-plan"' in link and 'download="提标低保.yaml"' in link
    text = sc.plan_copy_yaml(inputs.plan, saved, based_on="维持")
    assert text.startswith("# 预算测算应用保存的方案副本") and "保存时间" in text and "plan_2027.yaml" in text
    copy = paths.demo_plan_path().parent / f"_test_copy_{tmp_path.name}.yaml"
    try:  # beside the original, so its data paths resolve: the copy is a plan the library loads
        copy.write_text(text, encoding="utf-8")
        plan = load_plan(copy)
    finally:
        copy.unlink(missing_ok=True)
    assert plan["budget_cap"] == 3_100_000 and plan["allocation_mode"] == "scale"
    assert plan["scenarios"][-1]["overrides"]["dibao"] == {"cash": 650, "goods": 150}

    fresh = whatif_app.build_app(inputs, chart=False)
    loaded = fresh.scenarios.load(text.encode("utf-8"), "提标低保.yaml")
    assert [s.name for s in loaded] == ["提标低保"] and fresh.scenario.value == "提标低保"
    assert fresh.result.summary()["total_fen"] == before["total_fen"]
    assert fresh.cap.value == 3_100_000 and fresh.mode.value == "scale"
    assert fresh.amounts["dibao"]["cash"].value == 650


@pytest.mark.parametrize("name, words", [("", "情景名称"), ("维持", "已存在"), ("x" * 41, "不能超过")])
def test_save_refuses_bad_names(app, name, words):
    assert app.scenarios.save(name) is None
    assert words in app.scenarios.save_status.value


def test_load_refuses_what_is_not_a_plan_copy(app):
    for content in (b"- just a list", b"name: [unclosed", "名字".encode("gbk"), yaml.safe_dump(
            {"categories": {"dibao": {}}}).encode()):
        assert app.scenarios.load(content, "x.yaml") == []
        assert 'id="rp-load-error"' in app.scenarios.load_status.value


def test_compare_up_to_four_and_export(app, inputs):
    app.scenarios.save("=HYPERLINK(\"x\")")
    tab = app.scenarios
    tab.pick.value = tuple(v for _, v in tab.pick.options)  # five: current + three plan scenarios + the saved one
    assert len(tab.pick.value) == 4
    app.tabs.selected_index = 3
    frame = tab.comparison()
    assert len(frame) == 4
    for label, controls in tab.named_controls().items():
        total = int(frame.loc[frame["scenario"] == label, "total_fen"].iat[0])
        assert total == whatif.update(app.state, controls).summary()["total_fen"]
    assert 'id="rp-compare"' in tab.compare_html.value
    book = openpyxl.load_workbook(io.BytesIO(tab.export_xlsx()))
    sheet = book.active
    names = [sheet.cell(r, 1).value for r in range(4, 8)]
    assert names == list(frame["scenario"])
    assert sheet.cell(4, 2).data_type == "n" and sheet.cell(4, 2).value == int(frame["total_fen"].iat[0]) / 100
    tab.pick.value = ("__current__", "=HYPERLINK(\"x\")")
    book = openpyxl.load_workbook(io.BytesIO(tab.export_xlsx()))
    assert book.active.cell(5, 1).data_type == "s"  # a name is text, never a formula
    assert 'id="rp-download-xlsx"' in tab.export_links.value
    page = tab.export_html()
    assert "预算合计" in page and inputs.plan["name"].replace('"', "&#34;") in page
    assert 'id="rp-download-html"' in tab.export_links.value


# ------------------------------------------------------------------ untrusted text stays text

def test_plan_and_scenario_names_are_escaped(inputs):
    plan = {**inputs.plan, "name": XSS, "name_en": XSS}
    state = whatif.prepare(plan, inputs.rows, categories=inputs.categories)
    app = whatif_app.WhatIfApp(state, chart=False, unit_names={"350602": XSS})
    app.apply({"unit": "350602"})
    page = " ".join(w.value for w in (app.widget.children[0], app.headline_html, app.status_html, app.funding_html))
    assert XSS not in page and "&lt;img" in page
    app.scenarios.save(XSS)
    app.tabs.selected_index = 3
    assert XSS not in app.scenarios.save_status.value + app.scenarios.compare_html.value
    assert XSS not in app.scenarios.export_html()
    intro = whatif_app.intro_html(whatif_app.Inputs(**{**inputs.__dict__, "plan": plan}))
    assert XSS not in intro and "&lt;img" in intro


def test_panel_in_jupyterlab_is_one_call():
    app = whatif_app.panel(display=False)
    assert app.result.ok and app.widget is not None
