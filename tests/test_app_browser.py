"""The what-if app served by Voilà, driven in headless Chromium.

One Voilà server (own free port, started with the same command line as
``reliefplan app``) serves notebooks/02_budget_model.ipynb; one page is
loaded and the tests below move its controls in file order. Every figure
the page shows is compared, as text, with what :func:`reliefplan.models.whatif.update`
returns in this process for the same controls, formatted by
:func:`reliefplan.core.money.format_yuan` as the app does. The server is always
stopped by the fixture, also when a test fails.
"""

from __future__ import annotations

import copy
import re

import nbformat

import pytest

from browser_support import Offline, artifact, chromium, log_tail, server
from reliefplan.cli import app_server
from reliefplan.models import whatif
from reliefplan.views import app as whatif_app
from reliefplan.core.money import format_yuan

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("voila")]

LOAD_TIMEOUT_MS = 120_000   # Voilà runs the whole notebook before the page finishes loading
UPDATE_TIMEOUT_MS = 20_000

TOTAL = "#rp-total-value"
GAP = "#rp-gap-value"
MESSAGE = "#rp-message-text"
CASH_SLIDER = ".rp-cash-dibao .noUi-handle"
CASH_BOX = ".rp-cash-dibao-input input"
CAP_SLIDER = ".rp-cap-slider .noUi-handle"
CAP_BOX = ".rp-cap-input input"


# ------------------------------------------------------------------ the library side

@pytest.fixture(scope="module")
def library():
    """The notebook's inputs (demo plan, default parameters) and the app's starting controls."""
    inputs = whatif_app.load_inputs()
    base = whatif_app.build_app(inputs, chart=False).controls()
    return inputs, base


def with_changes(base: dict, *, dibao_cash=None, cap=None) -> dict:
    controls = copy.deepcopy(base)
    if dibao_cash is not None:  # an untouched category is not in the controls (the scenario's standard applies)
        controls["amounts"].setdefault("dibao", {})["cash"] = dibao_cash
    if cap is not None:
        controls["cap_yuan"] = cap
    return controls


def expected(library, controls: dict) -> dict:
    """What the page must show for ``controls``: the library's figures, formatted as the app does."""
    inputs, _ = library
    result = whatif.update(inputs.state, controls)
    if not result.ok:
        return {"ok": False, "message": result.message_zh}
    s = result.summary()
    return {"ok": True, "total": format_yuan(s["total_fen"]), "total_fen": str(s["total_fen"]),
            "gap": format_yuan(abs(s["gap_fen"])), "gap_fen": str(s["gap_fen"])}


# ------------------------------------------------------------------ server, browser, page

@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    folder = tmp_path_factory.mktemp("voila")
    port = app_server.free_port()
    cmd = app_server.voila_command(app_server.default_notebook(), host=app_server.DEFAULT_HOST, port=port)
    log = folder / "voila.log"
    with server(cmd, port=port, log=log, env=app_server.voila_env()) as proc:
        yield {"url": f"http://127.0.0.1:{port}/", "log": log, "proc": proc, "folder": folder}
    assert proc.returncode is not None  # stopped


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def open_page(browser, url: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    offline = Offline(context)
    pg = context.new_page()
    offline.watch(pg)
    pg.set_default_timeout(UPDATE_TIMEOUT_MS)
    pg.offline = offline
    pg.goto(url, timeout=LOAD_TIMEOUT_MS)
    return context, pg


@pytest.fixture(scope="module")
def page(voila, browser):
    context = None
    try:
        context, pg = open_page(browser, voila["url"])
        pg.locator(TOTAL).wait_for(timeout=LOAD_TIMEOUT_MS)
    except Exception as exc:
        if context is not None:
            context.close()
        raise AssertionError(f"the app did not load: {exc}\n--- voila log ---\n{log_tail(voila['log'])}") from exc
    try:
        yield pg
    finally:
        context.close()


def shows(page, want: dict) -> None:
    """Wait until the total and the gap show ``want`` (text and exact fen)."""
    from playwright.sync_api import expect

    expect(page.locator(TOTAL)).to_have_text(want["total"], timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(GAP)).to_have_text(want["gap"], timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(TOTAL)).to_have_attribute("data-fen", want["total_fen"])
    expect(page.locator(GAP)).to_have_attribute("data-fen", want["gap_fen"])


def shows_message(page, text: str | None = None, contains: tuple[str, ...] = ()) -> None:
    from playwright.sync_api import expect

    msg = page.locator(MESSAGE)
    expect(msg).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    if text is not None:
        expect(msg).to_have_text(text, timeout=UPDATE_TIMEOUT_MS)
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


def current(page, library) -> dict:
    """The controls as the page now holds them (dibao cash and cap), on top of the starting ones."""
    return with_changes(library[1], dibao_cash=int(page.locator(CASH_BOX).input_value()),
                        cap=int(page.locator(CAP_BOX).input_value()))


# ------------------------------------------------------------------ tests, in page order

def test_page_opens_in_chinese_with_no_code(page, library):
    assert "预算测算" in page.title()
    assert page.evaluate("document.documentElement.lang") == "zh"
    body = page.inner_text("body")
    assert "示例数据，人员均为虚构" in body
    assert "测算面板" in body
    # strip_sources: no code cell reaches the page
    assert page.locator(".jp-CodeCell").count() > 0
    assert page.locator(".jp-InputArea-editor, .jp-CodeCell .jp-InputArea, .highlight").count() == 0
    assert "whatif_app" not in body and "import " not in body
    assert page.locator(".js-plotly-plot").count() >= 1  # plotly renders from the server's own assets
    assert_no_traceback(page)


def test_starting_figures_are_the_librarys(page, library):
    shows(page, expected(library, library[1]))


def test_sliders_moved_with_the_keyboard_update_total_and_gap(page, library):
    from playwright.sync_api import expect  # playwright is heavy and only the browser tests need it

    before = current(page, library)
    page.locator(CASH_SLIDER).focus()
    page.keyboard.press("ArrowRight")  # the 低保户 cash slider steps by 10 yuan
    after_cash = with_changes(before, dibao_cash=before["amounts"]["dibao"]["cash"] + 10)
    want = expected(library, after_cash)
    assert want["gap"] != expected(library, before)["gap"]  # the move really changes the figures
    shows(page, want)
    assert page.locator(CASH_BOX).input_value() == str(after_cash["amounts"]["dibao"]["cash"])

    page.locator(CAP_SLIDER).focus()
    # the cap slider steps by 10,000 yuan; down, so that it bites whether it started below the cost (a plan's
    # budget_cap) or at it (a plan whose funding pools are its limits)
    page.keyboard.press("ArrowLeft")
    # a cap off the slider's 10,000 grid (e.g. the full cost) snaps to the grid: read what the page now holds
    expect(page.locator(CAP_BOX)).not_to_have_value(str(after_cash["cap_yuan"]), timeout=UPDATE_TIMEOUT_MS)
    after_cap = current(page, library)
    assert after_cash["cap_yuan"] - 20_000 < after_cap["cap_yuan"] < after_cash["cap_yuan"]
    want = expected(library, after_cap)
    assert want["total"] != expected(library, after_cash)["total"]
    shows(page, want)

    page.locator(".rp-whatif h3").scroll_into_view_if_needed()
    page.screenshot(path=str(artifact("app_whatif_after_sliders.png")))


def test_typed_amount_updates_total_and_gap(page, library):
    type_into(page, CAP_BOX, "3400000")
    type_into(page, CASH_BOX, "520")
    shows(page, expected(library, current(page, library)))
    assert current(page, library)["amounts"]["dibao"]["cash"] == 520


def test_bad_amounts_show_a_message_not_a_traceback(page, library):
    good = current(page, library)
    type_into(page, CASH_BOX, "")
    shows_message(page, contains=("低保户", "慰问金"))
    type_into(page, CASH_BOX, "-5")
    shows_message(page, contains=("低保户", "-5"))
    page.locator(MESSAGE).scroll_into_view_if_needed()
    page.screenshot(path=str(artifact("app_whatif_bad_amount.png")))
    type_into(page, CASH_BOX, str(good["amounts"]["dibao"]["cash"]))
    message_cleared(page)
    shows(page, expected(library, good))


def test_cap_of_zero_or_blank_shows_a_message(page, library):
    good = current(page, library)
    for bad in ("0", ""):
        want = expected(library, with_changes(good, cap=bad))
        assert not want["ok"]
        type_into(page, CAP_BOX, bad)
        shows_message(page, text=want["message"])
    type_into(page, CAP_BOX, str(good["cap_yuan"]))
    message_cleared(page)
    shows(page, expected(library, good))


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
