"""The what-if app notebook in JupyterLab 4, driven in headless Chromium: the panel works, the menus are Chinese.

What ``make lab`` gives an analyst: JupyterLab in Chinese (the zh-CN language
pack, the locale set in the settings overrides as the Makefile writes them)
opens notebooks/30_whatif_app.ipynb (a copy, so nothing is saved into the
repository), runs all cells (the panel comes from ``from reliefplan.app import
panel``, the import the README gives JupyterLab users), and the what-if panel answers a slider moved
with the keyboard with the figures :func:`reliefplan.models.whatif.update`
computes. The server runs on its own free port with its own settings folders
and is always stopped, also on failure.
"""

from __future__ import annotations

import json
import shutil
import sys

import pytest

from browser_support import Offline, artifact, chromium, log_tail, server
from reliefplan.cli import app_server
from app_page import CASH_BOX, CASH_SLIDER, TOTAL, box_shows, expected, shows

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("jupyterlab")]

NOTEBOOK = "30_whatif_app.ipynb"
RUN_TIMEOUT_MS = 150_000


def lab_command(root, settings, workspaces, port: int, app_settings=None) -> list[str]:
    """JupyterLab on 127.0.0.1 without a token (a throwaway test server), offline, no update checks."""
    return [sys.executable, "-m", "jupyter", "lab", "--no-browser",
            f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0",
            "--ServerApp.allow_root=True", "--IdentityProvider.token=", "--ServerApp.password=",
            f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
            "--LabApp.extension_manager=readonly",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={workspaces}"] + (
                [f"--LabApp.app_settings_dir={app_settings}"] if app_settings else [])


@pytest.fixture(scope="module")
def library():
    from reliefplan.views import app as whatif_app
    inputs = whatif_app.load_inputs()
    return inputs, whatif_app.build_app(inputs, chart=False)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lab")
    root, settings, workspaces = folder / "notebooks", folder / "settings", folder / "workspaces"
    root.mkdir()
    shutil.copy(app_server.paths.notebooks_dir() / NOTEBOOK, root / NOTEBOOK)
    assert "from reliefplan.app import panel" in (root / NOTEBOOK).read_text(encoding="utf-8")  # what Lab runs
    news = settings / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    # What `make lab` writes into the venv's settings overrides (here into a folder of the test's own):
    # the interface in Chinese, from the zh-CN language pack.
    app_settings = folder / "app_settings"
    app_settings.mkdir()
    (app_settings / "overrides.json").write_text(json.dumps(
        {"@jupyterlab/translation-extension:plugin": {"locale": "zh_CN"}}), encoding="utf-8")
    port = app_server.free_port()
    env = dict(app_server.voila_env(), JUPYTER_CONFIG_DIR=str(folder / "config"))
    log = folder / "lab.log"
    with server(lab_command(root, settings, workspaces, port, app_settings), port=port, log=log, env=env,
                timeout=90):
        yield {"url": f"http://127.0.0.1:{port}/lab/tree/{NOTEBOOK}", "log": log}


KERNEL_IDLE_JS = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!(k && k.status === 'idle' && document.querySelector('.jp-Notebook'));
}"""


def test_app_notebook_runs_in_jupyterlab_with_widgets(lab, library):
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        offline = Offline(context)
        page = context.new_page()
        offline.watch(page)
        try:
            page.goto(lab["url"], timeout=RUN_TIMEOUT_MS)
            page.wait_for_function(KERNEL_IDLE_JS, timeout=RUN_TIMEOUT_MS)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.locator(TOTAL).wait_for(timeout=RUN_TIMEOUT_MS)
        except Exception as exc:
            page.screenshot(path=str(artifact("lab_failed.png")))
            raise AssertionError(f"the notebook did not run in JupyterLab: {exc}\n--- lab log ---\n"
                                 f"{log_tail(lab['log'])}") from exc

        shows(page, expected(library))
        assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
        assert "文件" in menus and "File" not in menus, menus  # make lab's language pack: the menus in Chinese

        page.locator(CASH_SLIDER).scroll_into_view_if_needed()
        page.locator(CASH_SLIDER).focus()
        page.keyboard.press("ArrowRight")
        cash = library[1].amounts["dibao"]["cash"]
        cash.slider.value = cash.value + 50
        shows(page, expected(library))
        box_shows(page, CASH_BOX, cash.value)
        page.screenshot(path=str(artifact("lab_budget_whatif.png")))

        assert offline.blocked == []
        assert offline.external_websockets() == []
        context.close()
