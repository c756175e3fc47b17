"""Warm kernels: one Jupyter kernel kept alive across jobs, reset to a clean state before each.

Starting a kernel and importing pandas and plotly costs 1-3 s, more than most
reports take to compute. So each worker keeps one *warm* kernel and runs job
after job in it, paying the start-up once per worker instead of once per
report. How a kernel is reset between jobs: :mod:`reliefplan.batch.kernel_reset`.
A kernel that timed out, died or ran ``max_jobs`` jobs is replaced by a fresh one.

Notebooks are executed with papermill's own machinery (parameter injection,
cell metadata, error markers) through a small engine that reuses the warm
kernel instead of starting one. Parameters are therefore injected exactly as
``papermill`` does it: as literals in an injected cell.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import tempfile
import threading
import time

from reliefplan.batch.kernel_reset import PREIMPORT, RESET_CODE, SETUP_CODE, WARM_MODULE

KERNEL_NAME = "python3"
ENGINE_NAME = "reliefplan_warm"
STARTUP_TIMEOUT = 90


class KernelError(RuntimeError):
    """The kernel could not be started or reset."""


def _register_engine():
    """Register the papermill engine that runs a notebook in an already-started kernel."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, km=None, kc=None, timeout_func=None,
                                     log_output=False, stdout_file=None, stderr_file=None, start_timeout=60,
                                     execution_timeout=None, **kwargs):
            from papermill.engines import logger

            client = PapermillNotebookClient(
                nb_man, km=km, kernel_name=kernel_name, timeout_func=timeout_func,
                startup_timeout=start_timeout, log=logger, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file,
            )
            client.kc = kc  # reuse the warm kernel's client; setup_kernel then starts nothing
            return client.execute(cleanup_kc=False)

    papermill_engines.register(ENGINE_NAME, WarmEngine)


class WarmKernel:
    """One kernel kept alive across jobs, reset to a clean state before each one."""

    def __init__(self, kernel_name: str = KERNEL_NAME, preimport=PREIMPORT, max_jobs: int = 100, env=None):
        self.kernel_name = kernel_name
        self.preimport = tuple(preimport)
        self.max_jobs = max_jobs
        self.env = dict(env or {})
        self.km = None
        self.kc = None
        self.jobs_run = 0
        self.starts = 0
        self.last_nb = None
        self._ipc_dir = None
        self.start_s = 0.0          # seconds spent starting kernels (the bench splits a run's time with it)

    # -- life cycle ---------------------------------------------------------
    @property
    def pid(self):
        provisioner = getattr(self.km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        return getattr(process, "pid", None)

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def start(self) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        # IPC transport: local unix sockets, no TCP ports to allocate or expose.
        t0 = time.monotonic()
        self._ipc_dir = tempfile.mkdtemp(prefix="rp-kernel-")
        self.km = AsyncKernelManager(kernel_name=self.kernel_name, transport="ipc", ip=self._ipc_dir + "/k")
        env = {**os.environ, **self.env}
        run_sync(self.km.start_kernel)(env=env)
        self.kc = self.km.client()
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=STARTUP_TIMEOUT)
        self.starts += 1
        self.jobs_run = 0
        self._run(SETUP_CODE.format(source=WARM_MODULE, names=self.preimport), timeout=STARTUP_TIMEOUT)
        _KERNELS.add(self)
        self.start_s += time.monotonic() - t0

    def _run(self, code: str, timeout: float = 60) -> None:
        """Execute setup code silently; raise KernelError if it fails."""
        from jupyter_core.utils import run_sync

        reply = run_sync(self.kc.execute_interactive)(code, silent=True, store_history=False,
                                                       timeout=timeout, output_hook=lambda msg: None)
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise KernelError(f"kernel setup failed: {content.get('ename')}: {content.get('evalue')}")

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        _KERNELS.discard(self)
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km is not None and self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:
            self.kill()
        finally:
            self.km = self.kc = None
            self._remove_ipc_dir()

    def _remove_ipc_dir(self) -> None:
        if self._ipc_dir:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)
            self._ipc_dir = None

    def kill(self) -> None:
        """Kill the kernel process at once (signal handlers, other threads, interpreter exit)."""
        _KERNELS.discard(self)
        pid = self.pid
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            if self.km is not None:
                self.km.cleanup_connection_file()
        except Exception:
            pass
        self._remove_ipc_dir()

    # -- jobs ---------------------------------------------------------------
    def ready(self, cwd: str) -> None:
        """A clean kernel for the next job: start or replace it if needed, then reset it."""
        if self.km is None or self.jobs_run >= self.max_jobs or not self.alive():
            if self.km is not None:
                self.shutdown()
            self.start()
        try:
            self._run(RESET_CODE.format(cwd=cwd))
        except Exception:
            self.shutdown()
            self.start()
            self._run(RESET_CODE.format(cwd=cwd))

    def execute(self, nb, parameters: dict, *, input_path: str, cwd: str, deadline: float | None = None):
        """Execute ``nb`` with ``parameters`` papermill-style in this kernel; return the executed notebook.

        Raises papermill/nbclient errors for timeouts and dead kernels; a
        failing cell does not raise (papermill stops there and marks it).
        """
        from papermill.engines import papermill_engines
        from papermill.execute import prepare_notebook_metadata, remove_error_markers
        from papermill.parameterize import parameterize_notebook

        self.ready(cwd)
        self.jobs_run += 1
        if parameters:
            nb = parameterize_notebook(nb, parameters, report_mode=False, kernel_name=self.kernel_name,
                                       language="python", engine_name=ENGINE_NAME)
        nb = prepare_notebook_metadata(nb, input_path, "", False)
        nb = remove_error_markers(nb)
        self.last_nb = nb  # executed in place: holds the partial outputs if the job times out

        def timeout_func(cell):
            if deadline is None:
                return None
            return max(1, int(deadline - time.monotonic()))

        return papermill_engines.execute_notebook_with_engine(
            ENGINE_NAME, nb, kernel_name=self.kernel_name, input_path=input_path, output_path=None,
            progress_bar=False, log_output=False, km=self.km, kc=self.kc, timeout_func=timeout_func,
        )


class _KernelRegistry:
    """Every live kernel of this process, so exit paths and signals can stop them all."""

    def __init__(self):
        self._lock = threading.Lock()
        self._items: set = set()

    def add(self, kernel):
        with self._lock:
            self._items.add(kernel)

    def discard(self, kernel):
        with self._lock:
            self._items.discard(kernel)

    def all(self):
        with self._lock:
            return list(self._items)


_KERNELS = _KernelRegistry()


def kill_all_kernels() -> None:
    """Kill every warm kernel of this process (exit, SIGTERM, end of a Dask run)."""
    for kernel in _KERNELS.all():
        kernel.kill()


atexit.register(kill_all_kernels)


_ENGINE_READY = False


def ensure_engine():
    global _ENGINE_READY
    if not _ENGINE_READY:
        _register_engine()
        _ENGINE_READY = True
