"""Serve the what-if notebook as a web app (Voilà) for people who never open Jupyter.

Leaders and planners move the sliders in a browser; the page is the app
notebook (``notebooks/30_whatif_app.ipynb``: the what-if panel and nothing
else), executed by Voilà with its code hidden. This module only builds the
Voilà command line and environment and runs it; :mod:`reliefplan.cli.app` is
the CLI around it.

Fast start, no leaks:

- Preheated kernels: Voilà runs the notebook in a pool kernel before anyone
  asks, so a visitor's page paints as soon as it is requested; the pool
  refills in the background. The prepared inputs are cached on disk
  (:data:`APP_CACHE_ENV`, see :mod:`reliefplan.views.app.cache`): computed
  once per server (and plan and data version), loaded by every later kernel.
- At most ``max_kernels`` kernels alive (pool included), by
  :class:`reliefplan.cli.app_kernels.CappedKernelManager`: the least recently
  used visitor's kernel makes room for a new one.
- Kernels idle for ``idle_minutes`` with no browser connected are culled
  (a closed tab frees its kernel; an open one keeps it until the limit needs it).

Security defaults, and why:

- Binds ``127.0.0.1``. Any other address (a LAN IP, ``0.0.0.0``) is refused
  unless ``public=True``, and then :data:`PUBLIC_WARNING` is printed: every
  visitor gets a kernel on this machine, and Voilà has no login by default
  (``token=True`` turns on Voilà's generated token). ``public`` without a
  token is refused unless ``no_token=True`` says so explicitly.
- ``strip_sources``: no code cells reach the page; ``show_tracebacks`` off:
  an error shows Voilà's generic notice, never a traceback with paths or data.
- No arbitrary code from visitors: Voilà's own default, kept. Voilà executes
  the notebook itself on the server over its own kernel connection; the
  browser reaches the kernel only through a websocket on which Voilà's
  kernel manager accepts just :data:`VOILA_ALLOWED_MESSAGE_TYPES` (widget
  comms, kernel info, shutdown). An ``execute_request`` sent by hand is
  dropped; tests/test_app_browser.py proves it. Voilà passes that list to
  its kernel manager as an argument, so config cannot loosen it.
  Template and theme cannot be switched from the URL.
- Offline: the page is rendered with our ``reliefplan`` template (the stock
  ``lab`` one minus its Font Awesome CDN links, with Chinese loading texts
  and page title), so the browser fetches nothing but the server's own files.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shlex
import socket
import subprocess
import sys
from pathlib import Path

from reliefplan.core import paths
from reliefplan.core.errors import ConfigError, InputError

DEFAULT_HOST = "127.0.0.1"
PUBLIC_HOST = "0.0.0.0"
DEFAULT_PORT = 8866
DEFAULT_NOTEBOOK_NAME = "30_whatif_app.ipynb"
DEFAULT_MAX_KERNELS = 4
DEFAULT_IDLE_MINUTES = 10
POOL_SIZE = 1
KERNEL_MANAGER = "reliefplan.cli.app_kernels.CappedKernelManager"
APP_CACHE_ENV = "RELIEFPLAN_APP_CACHE"  # read by reliefplan.views.app.cache in each kernel
TEMPLATE_NAME = "reliefplan"
# A Jupyter data folder holding voila/templates/reliefplan (conf.json sets the page title).
TEMPLATE_ROOT = Path(__file__).resolve().parents[1] / "app_template"
LANGUAGE_CODE = "zh"  # <html lang>; nbconvert accepts ISO 639-1 codes only

# What Voilà 0.5 lets the browser send to a kernel (hard-coded in voila/app.py;
# listed here as documentation, checked by the browser test). Anything else,
# execute_request above all, is dropped before it reaches the kernel.
VOILA_ALLOWED_MESSAGE_TYPES = (
    "comm_open",
    "comm_close",
    "comm_msg",
    "comm_info_request",
    "kernel_info_request",
    "shutdown_request",
)

PUBLIC_WARNING = (
    "警告：应用将对网络开放（{host}:{port}）。同一网络中的任何人都可以打开页面、调整参数并查看"
    "测算结果，每位访问者都会在本机启动一个计算进程。仅在可信的内部网络上使用；"
    "建议加上 --token 要求访问口令；用完请按 Ctrl+C 关闭。\n"
    "WARNING: the app is exposed on the network ({host}:{port}). Anyone who can reach this "
    "machine can open the page, move the controls and see the budget figures, and every "
    "visitor starts a kernel here. Use it only on a trusted internal network; add --token to "
    "require a login token; stop it with Ctrl+C when done."
)


def default_notebook() -> Path:
    """The app notebook: the what-if panel as the whole page."""
    return paths.notebooks_dir() / DEFAULT_NOTEBOOK_NAME


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_host(host: str | None, public: bool) -> str:
    """The address to bind: loopback unless ``public`` explicitly allows more.

    ``public`` alone means all interfaces (0.0.0.0); a non-loopback ``host``
    without ``public`` is refused, so a typo cannot expose the app.
    """
    if not host:
        return PUBLIC_HOST if public else DEFAULT_HOST
    if not is_loopback(host) and not public:
        raise ConfigError(
            f"地址 {host} 会把应用暴露到网络上；如确需如此，请同时加上 --public",
            f"host {host} would expose the app on the network; add --public if you really mean it",
            column="--host",
        )
    return host


def _family(host: str) -> int:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _bindable(host: str) -> str:
    return "127.0.0.1" if host.lower() == "localhost" else host.strip("[]")


def port_is_free(host: str, port: int) -> bool:
    """Whether ``port`` can be bound on ``host`` right now."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as sock:
        try:
            sock.bind((_bindable(host), port))
        except OSError:
            return False
    return True


def free_port(host: str = DEFAULT_HOST) -> int:
    """A port the OS says is free on ``host`` (the server binds it a moment later)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as sock:
        sock.bind((_bindable(host), 0))
        return sock.getsockname()[1]


def resolve_port(host: str, port: int | None) -> int:
    """``None``: 8866 if free, else any free port; ``0``: any free port; N: N, which must be free.

    Voilà itself would silently move to the next port; we fix the port here
    (and tell Voilà not to retry) so the address we print is the one that answers.
    """
    if port is None:
        return DEFAULT_PORT if port_is_free(host, DEFAULT_PORT) else free_port(host)
    if port == 0:
        return free_port(host)
    if not 0 < port < 65536:
        raise ConfigError(f"端口 {port} 无效（1–65535）", f"port {port} is not valid (1-65535)",
                          column="--port")
    if not port_is_free(host, port):
        raise ConfigError(f"端口 {port} 已被占用；换一个端口，或用 --port 0 自动选择空闲端口",
                          f"port {port} is in use; pick another, or --port 0 for any free port",
                          column="--port")
    return port


def resolve_notebook(notebook=None) -> Path:
    """The notebook to serve (default: the budget what-if notebook); it must exist."""
    path = Path(notebook) if notebook else default_notebook()
    if not path.is_file():
        raise InputError("找不到要发布的笔记本", "the notebook to serve was not found", file=path)
    return path.resolve()


def check_kernel_limits(max_kernels: int, idle_minutes: float) -> None:
    """The kernel limit must leave room for the preheated pool and one visitor; idle time must be positive."""
    if int(max_kernels) < POOL_SIZE + 1:
        raise ConfigError(f"--max-kernels 至少为 {POOL_SIZE + 1}（{POOL_SIZE} 个预热 + 1 位访问者）",
                          f"--max-kernels must be at least {POOL_SIZE + 1} ({POOL_SIZE} preheated + 1 visitor)",
                          column="--max-kernels")
    if not float(idle_minutes) > 0:
        raise ConfigError("--idle-minutes 须大于 0", "--idle-minutes must be greater than 0", column="--idle-minutes")


def check_access(public: bool, token: bool, no_token: bool) -> None:
    """Serving on the network needs a login token, or an explicit ``--no-token``."""
    if token and no_token:
        raise ConfigError("--token 与 --no-token 不能同时使用", "--token and --no-token exclude each other",
                          column="--no-token")
    if public and not token and not no_token:
        raise ConfigError(
            "对网络开放时须加 --token 要求访问口令；确需免口令访问，请明确加上 --no-token",
            "serving on the network needs --token (a login token); add --no-token to serve without one on purpose",
            column="--public",
        )


def voila_settings(*, max_kernels: int = DEFAULT_MAX_KERNELS,
                   idle_minutes: float = DEFAULT_IDLE_MINUTES) -> dict[str, dict]:
    """The traitlets settings passed to Voilà, as {class: {trait: value}}.

    Kept as data so the tests can check each security default by name. They
    go on the command line, which outranks any voila.json/voila.py config
    file a user may have lying around.
    """
    idle = max(1, int(round(float(idle_minutes) * 60)))
    return {
        "Voila": {
            "port_retries": 0,
        },
        "VoilaConfiguration": {
            "strip_sources": True,
            "show_tracebacks": False,
            "theme": "light",
            "template": TEMPLATE_NAME,
            "allow_template_override": "NO",
            "allow_theme_override": "NO",
            "preheat_kernel": True,
            "default_pool_size": POOL_SIZE,
            "multi_kernel_manager_class": KERNEL_MANAGER,
        },
        "CappedKernelManager": {
            "max_kernels": int(max_kernels),
        },
        "MappingKernelManager": {
            "cull_idle_timeout": idle,
            "cull_interval": max(1, min(60, idle // 2)),
            "cull_connected": False,
            "cull_busy": False,
        },
        "VoilaKernelManager": {
            "fill_delay": 0,
        },
        "HTMLExporter": {
            "language_code": LANGUAGE_CODE,
        },
    }


def _cli_value(value) -> str:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def voila_command(notebook, *, host: str, port: int, open_browser: bool = False,
                  token: bool = False, python: str | None = None, max_kernels: int = DEFAULT_MAX_KERNELS,
                  idle_minutes: float = DEFAULT_IDLE_MINUTES) -> list[str]:
    """The full Voilà command line (a list for ``subprocess``/``exec``, no shell).

    Runs ``python -m voila`` with the current interpreter, so the venv's
    Voilà, kernel spec and reliefplan are the ones used.
    """
    cmd = [python or sys.executable, "-m", "voila", str(notebook),
           f"--port={int(port)}", f"--Voila.ip={host}"]
    if not open_browser:
        cmd.append("--no-browser")
    if token:
        cmd.append("--token")
    for cls, traits in voila_settings(max_kernels=max_kernels, idle_minutes=idle_minutes).items():
        for name, value in traits.items():
            cmd.append(f"--{cls}.{name}={_cli_value(value)}")
    return cmd


def app_cache_dir(env: dict | None = None) -> Path:
    """Where the kernels keep the prepared inputs (computed once per server): the user's cache folder."""
    env = os.environ if env is None else env
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "reliefplan" / "app"


def voila_env(base: dict | None = None) -> dict[str, str]:
    """The environment for Voilà: our template folder first on JUPYTER_PATH; the kernels' cache folder."""
    env = dict(os.environ if base is None else base)
    extra = env.get("JUPYTER_PATH", "")
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(TEMPLATE_ROOT), extra) if p)
    env.setdefault(APP_CACHE_ENV, str(app_cache_dir(env)))
    return env


def app_url(host: str, port: int) -> str:
    """The address to open in a browser (0.0.0.0 shown as this machine's name)."""
    shown = socket.gethostname() if host in (PUBLIC_HOST, "::") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def command_line(cmd: list[str]) -> str:
    """``cmd`` as one line a shell would run unchanged."""
    return " ".join(shlex.quote(c) for c in cmd)


def run(notebook=None, *, host: str | None = None, port: int | None = None, public: bool = False,
        open_browser: bool = True, token: bool = False, no_token: bool = False, dry_run: bool = False,
        max_kernels: int = DEFAULT_MAX_KERNELS, idle_minutes: float = DEFAULT_IDLE_MINUTES, out=None) -> int:
    """Check the options, print the address (and the warning if public), run Voilà.

    On POSIX the process *becomes* Voilà (``exec``), so Ctrl+C or killing
    its process id stops the server with nothing left behind. ``dry_run``
    prints the command instead. Returns an exit code.
    """
    out = out or sys.stdout
    nb = resolve_notebook(notebook)
    bind = resolve_host(host, public)
    check_access(not is_loopback(bind), token, no_token)
    check_kernel_limits(max_kernels, idle_minutes)
    chosen = resolve_port(bind, port)
    cmd = voila_command(nb, host=bind, port=chosen, open_browser=open_browser, token=token,
                        max_kernels=max_kernels, idle_minutes=idle_minutes)
    if not is_loopback(bind):
        print(PUBLIC_WARNING.format(host=bind, port=chosen), file=sys.stderr)
    if dry_run:
        print(command_line(cmd), file=out)
        return 0
    print(f"预算测算应用 / what-if app: {app_url(bind, chosen)}  ({nb.name})", file=out)
    if token:
        print("访问口令见下方 Voilà 日志中的网址 / the login token is in the URL Voilà prints below",
              file=out)
    print("按 Ctrl+C 停止 / press Ctrl+C to stop", file=out)
    out.flush()
    sys.stderr.flush()
    env = voila_env()
    if os.name == "posix":
        os.execve(cmd[0], cmd, env)

    try:  # pragma: no cover
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:  # pragma: no cover
        return 130
