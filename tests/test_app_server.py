"""The Voilà command line and its security defaults (no server started here).

The served app itself is driven in a real browser by tests/test_app_browser.py.
"""

from __future__ import annotations

import inspect
import io
import json
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import nbformat
import pytest

from reliefplan.cli import app_server as app
from reliefplan.core.errors import ConfigError, InputError

REPO = Path(__file__).resolve().parents[1]
RELIEFPLAN = str(Path(sys.executable).with_name("reliefplan"))


@pytest.fixture
def tiny_notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]})]
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


# ------------------------------------------------------------------ host

@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "LOCALHOST", "::1", "[::1]"])
def test_loopback_addresses(host):
    assert app.is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "10.0.0.1", "example.org", ""])
def test_non_loopback_addresses(host):
    assert not app.is_loopback(host)


def test_binds_localhost_by_default():
    assert app.resolve_host(None, public=False) == "127.0.0.1"


def test_public_alone_means_all_interfaces():
    assert app.resolve_host(None, public=True) == "0.0.0.0"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.5", "::"])
def test_network_host_refused_without_public(host):
    with pytest.raises(ConfigError) as err:
        app.resolve_host(host, public=False)
    assert "--public" in err.value.zh and "--public" in err.value.en


def test_network_host_allowed_with_public():
    assert app.resolve_host("192.168.1.5", public=True) == "192.168.1.5"


def test_loopback_host_needs_no_flag():
    assert app.resolve_host("localhost", public=False) == "localhost"


# ------------------------------------------------------------------ port

def test_port_zero_picks_a_free_port():
    port = app.resolve_port("127.0.0.1", 0)
    assert 0 < port < 65536
    assert app.port_is_free("127.0.0.1", port)


def test_busy_port_is_an_error_not_a_silent_move():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        busy = sock.getsockname()[1]
        assert not app.port_is_free("127.0.0.1", busy)
        with pytest.raises(ConfigError) as err:
            app.resolve_port("127.0.0.1", busy)
    assert "--port 0" in err.value.en and "--port 0" in err.value.zh


@pytest.mark.parametrize("port", [-1, 65536])
def test_invalid_port(port):
    with pytest.raises(ConfigError):
        app.resolve_port("127.0.0.1", port)


def test_default_port_or_a_free_one():
    port = app.resolve_port("127.0.0.1", None)
    assert port == app.DEFAULT_PORT or app.port_is_free("127.0.0.1", port)


# ------------------------------------------------------------------ settings and command

def test_security_defaults():
    s = app.voila_settings()["VoilaConfiguration"]
    assert s["strip_sources"] is True
    assert s["show_tracebacks"] is False
    assert s["theme"] == "light"
    assert s["template"] == app.TEMPLATE_NAME
    assert s["allow_template_override"] == "NO"
    assert s["allow_theme_override"] == "NO"
    assert app.voila_settings()["Voila"]["port_retries"] == 0


def test_kernels_are_preheated_capped_and_culled():
    s = app.voila_settings(max_kernels=3, idle_minutes=5)
    assert s["VoilaConfiguration"]["preheat_kernel"] is True and s["VoilaConfiguration"]["default_pool_size"] == 1
    assert s["VoilaConfiguration"]["multi_kernel_manager_class"] == "reliefplan.cli.app_kernels.CappedKernelManager"
    assert s["CappedKernelManager"]["max_kernels"] == 3
    assert s["MappingKernelManager"]["cull_idle_timeout"] == 300
    assert s["MappingKernelManager"]["cull_connected"] is False
    assert app.voila_settings()["CappedKernelManager"]["max_kernels"] == app.DEFAULT_MAX_KERNELS


@pytest.mark.parametrize("max_kernels, idle", [(1, 10), (0, 10), (3, 0), (3, -1)])
def test_kernel_limits_checked(max_kernels, idle):
    with pytest.raises(ConfigError):
        app.check_kernel_limits(max_kernels, idle)


def test_public_needs_a_token_or_an_explicit_no_token(tiny_notebook):
    with pytest.raises(ConfigError) as err:
        app.run(tiny_notebook, port=0, public=True, dry_run=True, out=io.StringIO())
    assert "--no-token" in err.value.zh and "--token" in err.value.en
    with pytest.raises(ConfigError):
        app.run(tiny_notebook, port=0, host="192.168.1.5", public=True, dry_run=True, out=io.StringIO())
    out = io.StringIO()
    assert app.run(tiny_notebook, port=0, public=True, no_token=True, dry_run=True, out=out) == 0
    assert "--token" not in out.getvalue().split()
    with pytest.raises(ConfigError):
        app.check_access(True, True, True)
    app.check_access(False, False, False)  # this machine only: no token needed


def test_command_line(tiny_notebook):
    cmd = app.voila_command(tiny_notebook, host="127.0.0.1", port=18000)
    assert cmd[:4] == [sys.executable, "-m", "voila", str(tiny_notebook)]
    assert "--port=18000" in cmd
    assert "--Voila.ip=127.0.0.1" in cmd
    assert "--no-browser" in cmd
    assert "--VoilaConfiguration.strip_sources=True" in cmd
    assert "--VoilaConfiguration.show_tracebacks=False" in cmd
    assert "--token" not in cmd
    assert not any(c in ("--debug", "--show_tracebacks") for c in cmd)


def test_command_line_options(tiny_notebook):
    cmd = app.voila_command(tiny_notebook, host="0.0.0.0", port=1, open_browser=True, token=True)
    assert "--no-browser" not in cmd
    assert "--token" in cmd
    assert "--Voila.ip=0.0.0.0" in cmd


def test_voila_reads_our_settings_as_meant(tiny_notebook):
    """Voilà's own parser turns our flags into the typed values we asked for."""
    from voila.app import Voila
    from voila.configuration import VoilaConfiguration

    voila = Voila()
    voila.parse_command_line(app.voila_command(tiny_notebook, host="127.0.0.1", port=18001)[3:])
    conf = VoilaConfiguration(parent=voila)
    assert conf.strip_sources is True
    assert conf.show_tracebacks is False
    assert conf.theme == "light"
    assert conf.template == "reliefplan"
    assert conf.allow_template_override == "NO"
    assert voila.ip == "127.0.0.1"
    assert voila.port == 18001
    assert voila.port_retries == 0
    assert voila.open_browser is False
    assert conf.preheat_kernel is True
    assert conf.multi_kernel_manager_class.__name__ == "CappedKernelManager"


def test_voila_refuses_code_from_the_browser_by_default():
    """The installed Voilà hard-codes the message types a browser may send; no execute_request."""
    from voila import app as voila_app

    source = inspect.getsource(voila_app.Voila)
    found = re.search(r"allowed_message_types=\[(.*?)\]", source, re.S)
    assert found, "Voilà no longer restricts kernel messages here: re-check app_server's security notes"
    allowed = tuple(re.findall(r'"(\w+)"', found.group(1)))
    assert set(allowed) == set(app.VOILA_ALLOWED_MESSAGE_TYPES)
    assert not {"execute_request", "complete_request", "inspect_request", "debug_request"} & set(allowed)


def test_template_folder_first_on_jupyter_path():
    env = app.voila_env({"JUPYTER_PATH": "/elsewhere"})
    assert env["JUPYTER_PATH"].split(":") == [str(app.TEMPLATE_ROOT), "/elsewhere"]
    assert app.voila_env({})["JUPYTER_PATH"] == str(app.TEMPLATE_ROOT)


def test_template_is_offline_and_chinese():
    folder = app.TEMPLATE_ROOT / "voila" / "templates" / app.TEMPLATE_NAME
    conf = json.loads((folder / "conf.json").read_text(encoding="utf-8"))
    assert conf["base_template"] == "lab"
    assert "预算" in conf["traitlet_configuration"]["resources"]["metadata"]["name"]
    page = (folder / "index.html.j2").read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page
    assert "正在载入" in page


def test_missing_notebook(tmp_path):
    with pytest.raises(InputError):
        app.resolve_notebook(tmp_path / "nope.ipynb")


def test_default_notebook_is_the_app_one():
    assert app.default_notebook() == REPO / "notebooks" / "30_whatif_app.ipynb"


def test_run_dry_run_prints_the_command(tiny_notebook, capsys):
    out = io.StringIO()
    assert app.run(tiny_notebook, port=0, dry_run=True, out=out) == 0
    line = out.getvalue()
    assert "-m voila" in line and "--Voila.ip=127.0.0.1" in line
    assert "警告" not in capsys.readouterr().err


def test_public_run_warns_in_both_languages(tiny_notebook, capsys):
    app.run(tiny_notebook, port=0, public=True, token=True, dry_run=True, out=io.StringIO())
    err = capsys.readouterr().err
    assert "警告" in err and "WARNING" in err and "0.0.0.0" in err


def test_app_url():
    assert app.app_url("127.0.0.1", 8866) == "http://127.0.0.1:8866/"
    assert app.app_url("::1", 8866) == "http://[::1]:8866/"
    assert app.app_url("0.0.0.0", 8866) == f"http://{socket.gethostname()}:8866/"


# ------------------------------------------------------------------ CLI

def _cli(*args):
    return subprocess.run([RELIEFPLAN, "app", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.slow
def test_cli_dry_run(tiny_notebook):
    res = _cli("--dry-run", "--port", "0", "--notebook", str(tiny_notebook))
    assert res.returncode == 0, res.stderr
    assert "--Voila.ip=127.0.0.1" in res.stdout and "--no-browser" not in res.stdout
    res = _cli("--dry-run", "--no-browser", "--notebook", str(tiny_notebook))
    assert "--no-browser" in res.stdout


@pytest.mark.slow
def test_cli_refuses_network_host_without_public(tiny_notebook):
    res = _cli("--dry-run", "--host", "0.0.0.0", "--notebook", str(tiny_notebook))
    assert res.returncode == 2
    assert "--public" in res.stderr and "0.0.0.0" not in res.stdout


@pytest.mark.slow
def test_cli_public_without_token_is_refused(tiny_notebook):
    res = _cli("--dry-run", "--public", "--port", "0", "--notebook", str(tiny_notebook))
    assert res.returncode == 2
    assert "--no-token" in res.stderr and "--Voila.ip" not in res.stdout


@pytest.mark.slow
def test_cli_public_warns(tiny_notebook):
    res = _cli("--dry-run", "--public", "--no-token", "--port", "0", "--notebook", str(tiny_notebook))
    assert res.returncode == 0
    assert "警告" in res.stderr and "WARNING" in res.stderr
    assert "--Voila.ip=0.0.0.0" in res.stdout


@pytest.mark.slow
def test_cli_missing_notebook(tmp_path):
    res = _cli("--dry-run", "--notebook", str(tmp_path / "nope.ipynb"))
    assert res.returncode == 2
    assert "nope.ipynb" in res.stderr


@pytest.mark.slow
def test_cli_serves_the_notebook_and_stops_on_sigterm(tmp_path):
    """``reliefplan app`` becomes the Voilà server: it answers on the port, shows no code, and SIGTERM to
    its pid stops it (kernels included)."""
    from browser_support import server

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("secret_source = 41 + 1\nprint('答案', secret_source)")]
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    port = app.free_port()
    log = tmp_path / "app.log"
    with server([RELIEFPLAN, "app", "--port", str(port), "--no-browser", "--notebook", str(path)],
                port=port, log=log) as proc:
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60).read().decode("utf-8")
        pid = proc.pid
    assert "答案 42" in page
    assert "secret_source" not in page  # strip_sources
    assert "<title>春节送温暖预算测算" in page and '<html lang="zh">' in page
    assert "cdn.jsdelivr.net" not in page
    text = log.read_text(encoding="utf-8")
    assert f"http://127.0.0.1:{port}/" in text
    started = text.count("Kernel started")
    assert started >= 1 and text.count("Kernel shutdown") == started
    assert proc.returncode is not None and proc.pid == pid


def _kernels(proc) -> int:
    """Kernel processes the server has started and not yet stopped."""
    import psutil

    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return 0
    alive = 0
    for child in children:
        try:
            if "ipykernel" in " ".join(child.cmdline()) and child.status() != psutil.STATUS_ZOMBIE:
                alive += 1
        except psutil.NoSuchProcess:
            continue
    return alive


@pytest.mark.slow
def test_twenty_page_loads_leave_at_most_n_kernels_and_idle_ones_are_culled(tmp_path, tiny_notebook):
    """Each visitor gets a kernel; the limit shuts the least recently used down first, and kernels no browser
    is connected to are culled once idle (here after 3 s)."""
    import time

    from browser_support import server

    limit = 3
    port = app.free_port()
    cmd = app.voila_command(tiny_notebook, host=app.DEFAULT_HOST, port=port, max_kernels=limit, idle_minutes=0.05)
    log = tmp_path / "voila.log"
    with server(cmd, port=port, log=log, env=app.voila_env()) as proc:
        most = 0
        for _ in range(20):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60).read()
            most = max(most, _kernels(proc))
        assert most <= limit
        deadline = time.monotonic() + 30
        while _kernels(proc) > 1 and time.monotonic() < deadline:  # the preheated one waits for the next visitor
            time.sleep(0.5)
        assert _kernels(proc) <= 1
    text = log.read_text(encoding="utf-8")
    assert "kernel limit 3 reached" in text and "Culling 'idle' kernel" in text


def test_kernels_get_a_private_cache_folder(tmp_path):
    from reliefplan.views.app import cache

    env = app.voila_env({"XDG_CACHE_HOME": str(tmp_path)})
    assert env[app.APP_CACHE_ENV] == str(tmp_path / "reliefplan" / "app")
    assert app.APP_CACHE_ENV == cache.CACHE_ENV
    assert app.voila_env({app.APP_CACHE_ENV: "/elsewhere"})[app.APP_CACHE_ENV] == "/elsewhere"
