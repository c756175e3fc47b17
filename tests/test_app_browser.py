"""The what-if app served by Voilà, driven in headless Chromium.

One Voilà server (own free port, started with the same command line as
``reliefplan app``) serves notebooks/30_whatif_app.ipynb; pages are loaded
and the tests below use every kind of control in file order. Each action is
done twice: in the browser, and on a mirror panel in this process; the page
must then show what :func:`reliefplan.models.whatif.update` returns for the
mirror's controls, formatted by :func:`reliefplan.core.money.format_yuan` as
the app does. The server is always stopped by the fixture, also when a test fails.

RELIEFPLAN_TEST_KERNEL_DELAY=0.5 slows the page's kernel (each change made in the page waits that long
before it is handled, tests/slow_kernel): the page then runs ahead of its kernel on every run, as it does
now and then on a loaded machine. With it, a control greyed out by a switch that was still disabled when
the test used it lost the input (fixed: such controls are never disabled, see WhatIfApp._show_switches).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import nbformat

import pytest

from app_page import (CAP_BOX, CAP_SLIDER, CASH_BOX, CASH_SLIDER, GAP, MESSAGE, TOTAL, UPDATE_TIMEOUT_MS,
                      box_shows, box_value, expected, shows)
from browser_support import Offline, artifact, chromium, log_tail, server
from reliefplan.cli import app_server
from reliefplan.views import app as whatif_app
from reliefplan.views.app import cache as app_cache

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("voila")]

LOAD_TIMEOUT_MS = 120_000   # the first visitor may wait for the preheated kernel to finish the notebook
FIRST_TRY_MS = 60_000       # a page not drawn by then is photographed, logged and loaded once more
POOL_FILLED = "is filled with"   # Voilà's log line once the preheated kernel exists
CAP_SWITCH = ".rp-cap-on input[type=checkbox]"
KERNEL_DELAY_ENV = "RELIEFPLAN_TEST_KERNEL_DELAY"   # seconds each page change waits in the kernel (default none)
SLOW_KERNEL = Path(__file__).resolve().parent / "slow_kernel"



# ------------------------------------------------------------------ the library side

@pytest.fixture(scope="module")
def library():
    """The app's inputs (demo plan, default parameters) and a mirror panel the tests move like the page."""
    inputs = whatif_app.load_inputs()
    return inputs, whatif_app.build_app(inputs, chart=False)


# ------------------------------------------------------------------ server, browser, page

@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    """The server, with its kernels' cache of prepared inputs filled before it starts (as a server that has
    run before has it), so the preheated kernel only loads them: the first page does not wait for the
    registry to be read on a machine busy with other tests."""
    folder = tmp_path_factory.mktemp("voila")
    cache_dir = folder / "app-cache"
    app_cache.load_app_inputs(None, folder=cache_dir)
    port = app_server.free_port()
    cmd = app_server.voila_command(app_server.default_notebook(), host=app_server.DEFAULT_HOST, port=port)
    log = folder / "voila.log"
    env = app_server.voila_env({**os.environ, app_server.APP_CACHE_ENV: str(cache_dir)})
    if os.environ.get(KERNEL_DELAY_ENV):   # a slowed kernel: see tests/slow_kernel/sitecustomize.py
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SLOW_KERNEL), env.get("PYTHONPATH", "")) if p)
    with server(cmd, port=port, log=log, env=env) as proc:
        deadline = time.monotonic() + 60
        while POOL_FILLED not in log_tail(log, 200) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        yield {"url": f"http://127.0.0.1:{port}/", "log": log, "proc": proc, "folder": folder}
    assert proc.returncode is not None  # stopped


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def open_page(browser, url: str, wait_for: str | None = None, log=None, name: str = "app"):
    """A new browser context on ``url``, waiting until ``wait_for`` is visible.

    A page not drawn within FIRST_TRY_MS (a loaded machine, a kernel
    connection lost at start) is photographed, its browser console and the
    Voilà log are saved under tests/artifacts, and it is loaded once more
    before the test fails with all of that in the message.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True)
    offline = Offline(context)
    pg = context.new_page()
    offline.watch(pg)
    console: list[str] = []
    pg.on("console", lambda m: console.append(f"[{m.type}] {m.text}"))
    pg.on("pageerror", lambda e: console.append(f"[pageerror] {e}"))
    pg.set_default_timeout(UPDATE_TIMEOUT_MS)
    pg.offline, pg.console = offline, console
    notes = []
    for attempt, timeout in enumerate((FIRST_TRY_MS, LOAD_TIMEOUT_MS), start=1):
        start = time.monotonic()
        try:
            if attempt == 1:
                pg.goto(url, timeout=timeout)
            else:
                pg.reload(timeout=timeout)
            if wait_for:
                pg.locator(wait_for).wait_for(timeout=timeout)
            return context, pg
        except Exception as exc:  # playwright's TimeoutError or a lost connection: keep what explains it
            notes.append(not_drawn(pg, console, log, f"{name}_not_drawn_{attempt}", exc, time.monotonic() - start))
    context.close()
    raise AssertionError("the app did not load, twice:\n" + "\n".join(notes))


def not_drawn(pg, console: list[str], log, stem: str, exc: Exception, waited: float) -> str:
    """Screenshot, browser console and Voilà log of a page that did not draw; a summary for the failure."""
    shot = artifact(f"{stem}.png")
    try:
        pg.screenshot(path=str(shot), full_page=True)
    except Exception as err:  # the page may be gone: say so rather than hide the first error
        shot = f"(no screenshot: {err})"
    console_file = artifact(f"{stem}_console.txt")
    console_file.write_text("\n".join(console), encoding="utf-8")
    voila_log = log_tail(log, 80) if log else ""
    if log:
        artifact(f"{stem}_voila.log").write_text(voila_log, encoding="utf-8")
    return (f"--- {stem}: not drawn after {waited:.0f} s: {exc}\nscreenshot: {shot}\n"
            f"--- browser console (last 30 of {len(console)}) ---\n" + "\n".join(console[-30:])
            + f"\n--- voila log ---\n{voila_log}")


@pytest.fixture(scope="module")
def page(voila, browser):
    context, pg = open_page(browser, voila["url"], TOTAL, voila["log"], name="app_page")
    try:
        yield pg
    finally:
        context.close()


def shows_message(page, contains: tuple[str, ...] = ()) -> None:
    from playwright.sync_api import expect

    msg = page.locator(MESSAGE)
    expect(msg).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    for part in contains:
        expect(msg).to_contain_text(part, timeout=UPDATE_TIMEOUT_MS)
    assert_no_traceback(page)


def message_cleared(page) -> None:
    from playwright.sync_api import expect

    expect(page.locator(MESSAGE)).to_have_text("", timeout=UPDATE_TIMEOUT_MS)


def assert_no_traceback(page) -> None:
    body = page.inner_text("body")
    assert "Traceback" not in body and "Error" not in body
    assert page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0


def type_into(page, selector: str, text: str) -> None:
    box = page.locator(selector)
    box.fill(text)
    box.press("Tab")


def open_tab(page, title: str) -> None:
    page.locator(".lm-TabBar-tab", has_text=title).click()


# ------------------------------------------------------------------ tests, in page order

def test_page_opens_on_the_panel_in_chinese_with_no_code(page):
    assert "预算测算" in page.title()
    assert page.evaluate("document.documentElement.lang") == "zh"
    body = page.inner_text("body")
    assert "示例数据，人员均为虚构" in body and "假如" in body
    assert page.locator(".jp-InputArea-editor, .jp-CodeCell .jp-InputArea, .highlight").count() == 0
    assert "import " not in body and "whatif" not in body
    for selector in (TOTAL, CAP_BOX, CASH_BOX, ".rp-scenario select"):  # the panel is the first screen
        box = page.locator(selector).bounding_box()
        assert box is not None and box["y"] < 1000, selector
    assert_no_traceback(page)
    page.screenshot(path=str(artifact("app_first_screen.png")))


def test_starting_figures_are_the_librarys(page, library):
    from playwright.sync_api import expect

    shows(page, expected(library))
    mirror = library[1]
    assert page.locator(CAP_BOX).input_value() == f"{mirror.cap.value:,}"  # thousands separators
    assert not mirror.cap_on.value  # the demo plan has no budget cap: the cap starts switched off
    expect(page.locator(CAP_SWITCH)).not_to_be_checked()
    expect(page.locator(".rp-cap-input")).to_have_class(re.compile(r"\brp-off\b"))   # greyed, yet usable
    expect(page.locator(CAP_BOX)).to_be_enabled()


def test_sliders_move_by_the_plans_step(page, library):
    mirror = library[1]
    page.locator(CASH_SLIDER).focus()
    page.keyboard.press("ArrowRight")  # the 低保户 cash slider steps by the plan's 50 yuan
    cash = mirror.amounts["dibao"]["cash"]
    cash.slider.value = cash.value + 50
    shows(page, expected(library))
    box_shows(page, CASH_BOX, cash.value)

    page.locator(CAP_SWITCH).check()
    mirror.cap_on.value = True
    shows(page, expected(library))
    page.locator(CAP_SLIDER).focus()   # at once: the cap is never disabled waiting for the switch's answer
    page.keyboard.press("ArrowRight")  # the cap slider steps by 10,000 yuan
    mirror.cap.slider.value = mirror.cap.value + 10_000
    shows(page, expected(library))
    box_shows(page, CAP_BOX, mirror.cap.value)


def test_typed_amounts_with_separators(page, library):
    from playwright.sync_api import expect

    mirror = library[1]
    expect(page.locator(CAP_SWITCH)).to_be_checked()   # still on from the test before, not clicked again
    type_into(page, CAP_BOX, "3,400,000")
    type_into(page, CASH_BOX, "520")
    mirror.cap.box.value = "3,400,000"
    mirror.amounts["dibao"]["cash"].box.value = "520"
    shows(page, expected(library))


def test_huge_or_negative_values_leave_the_slider_usable(page, library):
    mirror = library[1]
    from playwright.sync_api import expect

    for bad in ("99999999999", "-5"):
        type_into(page, CASH_BOX, bad)
        shows_message(page, contains=("低保户慰问金", bad))
        # the last valid value is back in the box
        expect(page.locator(CASH_BOX)).to_have_value(f"{mirror.amounts['dibao']['cash'].value:,}")
    page.screenshot(path=str(artifact("app_bad_amount.png")))
    cash = mirror.amounts["dibao"]["cash"]
    page.locator(CASH_SLIDER).focus()
    page.keyboard.press("ArrowLeft")  # one step down from where the handle is drawn (on the 50-yuan grid)
    expect(page.locator(CASH_BOX)).not_to_have_value(f"{cash.value:,}")
    moved = box_value(page, CASH_BOX)
    assert moved % 50 == 0 and cash.value - 100 <= moved < cash.value
    cash.slider.value = moved
    message_cleared(page)
    shows(page, expected(library))
    expect(page.locator(CAP_SWITCH)).to_be_checked()   # switched on two tests ago, never clicked since
    expect(page.locator(".rp-cap-input")).not_to_have_class(re.compile(r"\brp-off\b"))
    type_into(page, CAP_BOX, "0")
    shows_message(page, contains=("预算上限",))
    type_into(page, CAP_BOX, "3,300,000")
    mirror.cap.box.value = "3,300,000"
    shows(page, expected(library))


def test_every_other_control(page, library):
    mirror = library[1]
    page.locator(".rp-mode button", has_text="同比例下调").click()
    mirror.mode.value = "scale"
    shows(page, expected(library))
    page.locator(".rp-threshold-on input[type=checkbox]").check()
    mirror.threshold_on.value = True
    page.locator(".rp-threshold .noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    mirror.threshold.value = 1.1
    shows(page, expected(library))
    page.locator(".rp-unit select").select_option(label=library[0].unit_names["350602"])
    mirror.unit.value = "350602"
    shows(page, expected(library))
    page.locator(".rp-scenario select").select_option(label="提标10%")
    mirror.scenario.value = "提标10%"
    shows(page, expected(library))
    page.locator(".rp-range select").select_option(label="5×")
    mirror.range.value = 5
    type_into(page, CASH_BOX, "2,000")  # beyond 3x, within 5x
    mirror.amounts["dibao"]["cash"].box.value = "2000"
    shows(page, expected(library))


def test_a_funding_pool_amount(page, library):
    from playwright.sync_api import expect

    mirror = library[1]
    names = list(mirror.pool_controls)
    name = "民政救助资金"
    box = f".rp-pool-{names.index(name)}-input input"
    assert page.locator(box).input_value() == f"{mirror.pool_controls[name].value:,}"
    type_into(page, box, "1,200,000")
    mirror.pool_controls[name].box.value = "1,200,000"
    shows(page, expected(library))
    row = page.locator(f'#rp-pools tr[data-pool="{name}"] td[data-fen]').first
    expect(row).to_have_attribute("data-fen", str(1_200_000 * 100))
    assert expected(library)["gap"] == page.locator(GAP).inner_text()


def test_save_a_scenario_then_load_it_back_in_a_new_page(page, voila, browser, library, tmp_path):
    from playwright.sync_api import expect

    inputs, mirror = library
    # the pool amount typed in the test before is changed once more, with the cap, right before saving
    expect(page.locator(CAP_SWITCH)).to_be_checked()
    type_into(page, CAP_BOX, "3,350,000")
    mirror.cap.box.value = "3,350,000"
    pool_box = f".rp-pool-{list(mirror.pool_controls).index('民政救助资金')}-input input"
    type_into(page, pool_box, "1,150,000")
    mirror.pool_controls["民政救助资金"].box.value = "1,150,000"
    shows(page, expected(library))
    open_tab(page, "保存与比较")
    type_into(page, ".rp-save-name input", "春节测试情景")
    page.locator("button.rp-save").click()
    page.locator("#rp-save-ok").wait_for(timeout=LOAD_TIMEOUT_MS)
    mirror.scenarios.save("春节测试情景")
    shows(page, expected(library))
    with page.expect_download() as download:
        page.locator("#rp-download-plan").click()
    saved = tmp_path / "saved.yaml"
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("# 预算测算应用保存的方案副本") and "春节测试情景" in text

    page.locator(".rp-compare-pick select").select_option(value=[])
    options = page.locator(".rp-compare-pick select option")
    labels = [options.nth(i).inner_text() for i in range(options.count())]
    page.locator(".rp-compare-pick select").select_option(label=labels[:3])
    page.locator("#rp-compare").wait_for()
    assert page.locator("#rp-compare thead th").count() == 4  # a label column and three scenarios

    fresh = whatif_app.build_app(inputs, chart=False)
    fresh.scenarios.load(saved.read_bytes(), saved.name)
    context, other = open_page(browser, voila["url"], TOTAL, voila["log"], name="app_second_page")
    try:
        open_tab(other, "保存与比较")
        with other.expect_file_chooser() as chooser:  # the upload button's file input is not in the page
            other.locator("button.rp-load").click()
        chooser.value.set_files(str(saved))
        other.locator("#rp-load-ok").wait_for(timeout=LOAD_TIMEOUT_MS)
        shows(other, expected((inputs, fresh)))
        expect(other.locator(".rp-scenario select")).to_have_value("春节测试情景", timeout=UPDATE_TIMEOUT_MS)
        pool = list(fresh.pool_controls).index("民政救助资金")  # the pool amount came back with the scenario
        assert fresh.pool_controls["民政救助资金"].value == 1_150_000
        expect(other.locator(f".rp-pool-{pool}-input input")).to_have_value("1,150,000", timeout=UPDATE_TIMEOUT_MS)
        # the saved copy has a cap: the switch came on with it
        expect(other.locator(CAP_SWITCH)).to_be_checked(timeout=UPDATE_TIMEOUT_MS)
        expect(other.locator(CAP_BOX)).to_have_value("3,350,000", timeout=UPDATE_TIMEOUT_MS)
        other.screenshot(path=str(artifact("app_loaded_scenario.png")))
    finally:
        context.close()


def test_visitors_cannot_execute_code(page, voila):
    """An execute_request sent by hand over the kernel websocket is dropped by Voilà."""
    marker = voila["folder"] / "executed.txt"
    seen = page.evaluate(PROBE_JS, {"code": f"open({str(marker)!r}, 'w').write('x')"})
    assert "kernel_info_reply" in seen  # the channel works, for allowed messages
    assert "execute_reply" not in seen and "execute_input" not in seen
    assert not marker.exists()
    log = voila["log"].read_text(encoding="utf-8", errors="replace")
    assert re.search(r'message of type "execute_request", which is not allowed', log)


def test_nothing_left_the_machine(page):
    assert page.offline.blocked == []
    assert page.offline.external_websockets() == []
    assert page.offline.websockets  # the widgets did talk to the local kernel


def test_a_failing_cell_shows_no_traceback(browser, tmp_path):
    """show_tracebacks is off: a cell that raises leaves Voilà's generic notice, no trace or paths."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# 出错测试"),
                nbformat.v4.new_code_cell("raise ValueError('secret /home/someone/registry.xlsx')")]
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    port = app_server.free_port()
    cmd = app_server.voila_command(path, host=app_server.DEFAULT_HOST, port=port)
    with server(cmd, port=port, log=tmp_path / "voila.log", env=app_server.voila_env()):
        context, pg = open_page(browser, f"http://127.0.0.1:{port}/")
        try:
            pg.get_by_text("出错测试").wait_for(timeout=LOAD_TIMEOUT_MS)
            body = pg.inner_text("body")
        finally:
            context.close()
    assert "secret" not in body and "registry.xlsx" not in body
    assert "Traceback" not in body and "ValueError" not in body


# Opens a second websocket to the page's kernel, sends an execute_request and
# then a kernel_info_request. Shell messages are answered in order, so once
# kernel_info_reply is in, an execute_reply would already have arrived.
PROBE_JS = """
async ({code}) => {
  const cfg = JSON.parse(document.getElementById('jupyter-config-data').textContent);
  const url = `ws://${location.host}${cfg.baseUrl}api/kernels/${cfg.kernelId}/channels`;
  const ws = new WebSocket(url);
  const seen = [];
  ws.onmessage = (e) => { if (typeof e.data === 'string') seen.push(JSON.parse(e.data).header.msg_type); };
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  const msg = (type, content) => JSON.stringify({
    header: {msg_id: type + Math.random().toString(16).slice(2), msg_type: type, username: 'probe',
             session: 'probe' + Math.random().toString(16).slice(2), version: '5.3',
             date: new Date().toISOString()},
    parent_header: {}, metadata: {}, content: content, channel: 'shell', buffers: []});
  ws.send(msg('execute_request', {code: code, silent: false, store_history: false,
                                  user_expressions: {}, allow_stdin: false, stop_on_error: true}));
  ws.send(msg('kernel_info_request', {}));
  for (let i = 0; i < 100 && !seen.includes('kernel_info_reply'); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 500));
  ws.close();
  return seen;
}
"""
