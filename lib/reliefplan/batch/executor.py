"""Run notebook jobs fast: warm kernels in a local process pool, or on a Dask cluster.

Starting a kernel and importing pandas and plotly costs 1-3 s, more than most
reports take to compute. So each worker keeps one *warm* kernel and runs job
after job in it, paying the start-up once per worker instead of once per
report.

Isolation between jobs in one kernel (so a unit's state can't leak into the
next unit's report): before every job the kernel is reset by
:data:`WARM_MODULE` — ``%reset -f`` (user namespace, output history), then
every ``reliefplan`` module is dropped from ``sys.modules`` so the library is
imported afresh with clean module state, and the working directory,
environment, ``sys.path``, warning filters, random states, pandas options and
plotly's default template/renderer are restored to a snapshot taken when the
kernel started. Third-party modules (pandas, numpy, plotly, ...) stay
imported: that is the start-up cost saved. A kernel that timed out, died or
ran ``max_jobs`` jobs is replaced by a fresh one.

Notebooks are executed with papermill's own machinery (parameter injection,
cell metadata, error markers) through a small engine that reuses the warm
kernel instead of starting one. Parameters are therefore injected exactly as
``papermill`` does it: as literals in an injected cell.

Executors return plain dicts (see :func:`run_job`) holding the output files
as bytes, so the same job runs in a local worker or on a remote Dask worker,
and only the runner in the main process writes files.
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing import util
from pathlib import Path

import nbformat
import plotly

from reliefplan.batch.html import PLOTLY_JS, export_html
from reliefplan.batch.jobs import Job
from reliefplan.batch.pdf import html_to_pdf
from reliefplan.core.paths import notebooks_dir
from reliefplan.core.record import read_records

KERNEL_NAME = "python3"
ENGINE_NAME = "reliefplan_warm"
STARTUP_TIMEOUT = 90
RUN_ENV = "RELIEFPLAN_BATCH_RUN"

# Imported once per kernel: the expensive third-party stack and, transitively,
# everything the library imports. reliefplan itself is then dropped again so
# each job imports it fresh.
PREIMPORT = (
    "numpy", "pandas", "plotly", "plotly.express", "plotly.graph_objects", "plotly.io",
    "plotly.subplots", "IPython.display", "yaml", "xlsxwriter", "python_calamine",
    "lunar_python", "chinese_calendar", "ipywidgets", "reliefplan", "reliefplan.reports.sections",
    "reliefplan.views.excel_forms",
)

# Source of a helper module created inside each warm kernel (as
# ``_reliefplan_warm``, outside the reliefplan package so the purge keeps it).
WARM_MODULE = r'''
import copy, gc, importlib, os, random, sys, warnings

_state = {}
# Parsed input files shared by the jobs of this kernel, keyed by file identity;
# see reliefplan.reports.sections._input_cache (readers always get deep copies).
cache = {}


def _purge():
    for name in [m for m in sys.modules if m == "reliefplan" or m.startswith("reliefplan.")]:
        del sys.modules[name]


def _pandas_options():
    try:
        import pandas as pd
        keys = list(pd._config.config._registered_options)
    except Exception:
        return {}
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key in keys:
            try:
                out[key] = copy.deepcopy(pd.get_option(key))
            except Exception:
                pass
    return out


def preimport(names):
    failed = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:
            failed.append(f"{name}: {exc!r}")
    return failed


def snapshot():
    """Record the clean state every job starts from (after the pre-imports)."""
    _purge()
    _state["env"] = dict(os.environ)
    _state["path"] = list(sys.path)
    _state["cwd"] = os.getcwd()
    _state["warnings"] = list(warnings.filters)
    _state["random"] = random.getstate()
    try:
        import numpy as np
        _state["np_random"] = np.random.get_state()
    except Exception:
        pass
    _state["pandas"] = _pandas_options()
    try:
        import plotly.io as pio
        _state["plotly"] = (pio.templates.default, pio.renderers.default, set(pio.templates))
    except Exception:
        pass
    gc.collect()


def restore(cwd):
    """Bring the kernel back to the snapshot before the next job."""
    ip = get_ipython()
    ip.reset(new_session=True)  # %reset -f, plus a new history session and In[1] again
    _purge()
    os.environ.clear()
    os.environ.update(_state["env"])
    sys.path[:] = _state["path"]
    os.chdir(cwd or _state["cwd"])
    warnings.filters[:] = _state["warnings"]
    warnings._filters_mutated() if hasattr(warnings, "_filters_mutated") else None
    random.setstate(_state["random"])
    if "np_random" in _state:
        import numpy as np
        np.random.set_state(_state["np_random"])
    if _state.get("pandas"):
        import pandas as pd
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for key, value in _state["pandas"].items():
                try:
                    if pd.get_option(key) != value:
                        pd.set_option(key, value)
                except Exception:
                    pass
    if "plotly" in _state:
        import plotly.io as pio
        template, renderer, names = _state["plotly"]
        for name in set(pio.templates) - names:
            del pio.templates[name]
        pio.templates.default = template
        pio.renderers.default = renderer
    gc.collect()
'''

_SETUP_CODE = """
import sys as _s, types as _t
_m = _t.ModuleType("_reliefplan_warm")
exec({source!r}, _m.__dict__)
_s.modules["_reliefplan_warm"] = _m
_m.preimport({names!r})
_m.snapshot()
del _s, _t, _m
"""

_RESET_CODE = "__import__('_reliefplan_warm').restore({cwd!r})"


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
        self._ipc_dir = tempfile.mkdtemp(prefix="rp-kernel-")
        self.km = AsyncKernelManager(kernel_name=self.kernel_name, transport="ipc", ip=self._ipc_dir + "/k")
        env = {**os.environ, **self.env}
        run_sync(self.km.start_kernel)(env=env)
        self.kc = self.km.client()
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=STARTUP_TIMEOUT)
        self.starts += 1
        self.jobs_run = 0
        self._run(_SETUP_CODE.format(source=WARM_MODULE, names=self.preimport), timeout=STARTUP_TIMEOUT)
        _KERNELS.add(self)

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
            self._run(_RESET_CODE.format(cwd=cwd))
        except Exception:
            self.shutdown()
            self.start()
            self._run(_RESET_CODE.format(cwd=cwd))

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
_LOCAL = threading.local()


def kill_all_kernels() -> None:
    """Kill every warm kernel of this process (exit, SIGTERM, end of a Dask run)."""
    for kernel in _KERNELS.all():
        kernel.kill()


atexit.register(kill_all_kernels)


def _thread_event_loop():
    """Give a worker thread (Dask with processes=False) its own event loop for its kernel client.

    jupyter_core's ``run_sync`` finds "this thread's" loop through a context
    variable, and Dask runs tasks in a copy of the submitting context, so
    every worker thread would otherwise share (and collide on) one loop.
    """

    loop = getattr(_LOCAL, "loop", None)
    if loop is None or loop.is_closed():
        loop = _LOCAL.loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        from jupyter_core import utils as jc_utils

        if hasattr(jc_utils, "_loop"):
            jc_utils._loop.set(loop)
    except ImportError:
        pass


def _thread_kernel(options: dict) -> WarmKernel:
    """The warm kernel of the calling thread (one per worker process, or per Dask worker thread)."""
    if threading.current_thread() is not threading.main_thread():
        _thread_event_loop()
    kernel = getattr(_LOCAL, "kernel", None)
    if kernel is None:
        kernel = WarmKernel(max_jobs=options.get("max_jobs_per_kernel", 100),
                            env={RUN_ENV: options.get("run_id", "")})
        _LOCAL.kernel = kernel
    kernel.env[RUN_ENV] = options.get("run_id", "")
    return kernel


def _first_error(nb) -> dict | None:
    """The failing cell of an executed notebook: index, execution count, source, error name and message."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return {"cell_index": index, "execution_count": cell.get("execution_count"),
                        "cell_source": "".join(cell.get("source", ""))[:2000],
                        "ename": output.get("ename"), "evalue": str(output.get("evalue"))[:2000],
                        "traceback_tail": _strip_ansi("\n".join(output.get("traceback", [])[-3:]))[-4000:]}
    return None


def _running_cell(nb) -> dict:
    """The cell a timed-out job was running: the last one papermill saw start."""
    started = [i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")]
    if not started:
        return {}
    index = started[-1]
    return {"cell_index": index, "cell_source": "".join(nb.cells[index].get("source", ""))[:2000]}


def _strip_ansi(text: str) -> str:

    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


# Jobs running in threads of one process (a Dask worker with several threads) take
# turns: jupyter's sync wrappers share event-loop state across threads through a
# context variable that Dask copies into every task, and two kernels driven at once
# from one process collided ("This event loop is already running"). Parallelism on
# Dask comes from worker processes; each process keeps one warm kernel per thread.
_THREAD_JOBS = threading.Lock()


def run_job(job_dict: dict, options: dict) -> dict:
    """Execute one job and export its files; never raises for a failing notebook.

    In a non-main thread the job waits for the process's other threaded jobs to
    finish first (see ``_THREAD_JOBS``).
    """
    if threading.current_thread() is threading.main_thread():
        return _run_job(job_dict, options)
    with _THREAD_JOBS:
        return _run_job(job_dict, options)


def _run_job(job_dict: dict, options: dict) -> dict:
    """Execute one job and export its files; never raises for a failing notebook.

    ``options``: ``run_id``, ``timeout`` (seconds for the whole job), ``lang``,
    ``demo``, ``input_hashes``, ``version``, ``generated``, ``fresh_kernel``
    (start a new kernel for this job, the papermill way), ``max_jobs_per_kernel``.

    Returns a dict: ``job_id``, ``status`` (ok | failed | timeout | error),
    ``error`` (None or the failing cell and message), ``outputs``
    (file name -> bytes), ``records`` (what the notebook recorded),
    ``started``, ``duration_s``, ``worker`` (pid, kernel pid, jobs run in it).
    """
    from papermill.iorw import load_notebook_node


    _ensure_engine()
    job = Job.from_dict(job_dict)
    started = time.time()
    t0 = time.monotonic()
    deadline = t0 + float(options.get("timeout") or 600)
    result = {"job_id": job.job_id, "status": "error", "error": None, "outputs": {}, "records": {},
              "started": started, "duration_s": 0.0, "worker": {"pid": os.getpid()}}
    kernel = _thread_kernel(options)
    nb = None
    with tempfile.TemporaryDirectory(prefix="reliefplan-job-") as attachments:
        parameters = dict(job.parameters)
        if job.attachments:
            parameters["attachments_dir"] = attachments
        kernel.last_nb = None
        try:
            source = load_notebook_node(str(job.notebook_path()))
            nb = kernel.execute(source, parameters, input_path=str(job.notebook_path()),
                                cwd=str(notebooks_dir()), deadline=deadline)
            error = _first_error(nb)
            result["status"] = "failed" if error else "ok"
            result["error"] = error
        except Exception as exc:  # timeouts, dead kernels, setup problems
            from nbclient.exceptions import CellTimeoutError, DeadKernelError

            holder_nb = nb if nb is not None else kernel.last_nb
            result["status"] = "timeout" if isinstance(exc, (CellTimeoutError, TimeoutError)) else "error"
            result["error"] = {"ename": type(exc).__name__, "evalue": str(exc)[:2000],
                               "traceback_tail": traceback.format_exc()[-4000:]}
            if holder_nb is not None:
                result["error"].update(_running_cell(holder_nb))
            if isinstance(exc, (CellTimeoutError, TimeoutError, DeadKernelError)) or options.get("fresh_kernel"):
                kernel.shutdown()
        result["worker"].update(kernel_pid=kernel.pid, kernel_starts=kernel.starts, jobs_in_kernel=kernel.jobs_run)
        if options.get("fresh_kernel"):
            kernel.shutdown()
        if nb is not None:
            result["records"] = read_records(nb)
            nb_bytes = nbformat.writes(nb).encode("utf-8")
            if result["status"] == "ok":
                try:
                    result["outputs"] = _export(job, nb, nb_bytes, attachments, options)
                except Exception as exc:
                    result["status"] = "error"
                    result["error"] = {"ename": type(exc).__name__, "evalue": f"HTML export failed: {exc}"[:2000],
                                       "traceback_tail": traceback.format_exc()[-4000:]}
            if result["status"] != "ok":
                result["outputs"] = {f"failed/{job.stem}.ipynb": nb_bytes}
    result["duration_s"] = round(time.monotonic() - t0, 3)
    return result


def _export(job, nb, nb_bytes: bytes, attachments: str, options: dict) -> dict:

    lang = job.parameters.get("lang", options.get("lang", "zh"))
    html = export_html(
        nb, title=job.title if lang == "zh" else job.title_en, lang=lang, demo=bool(options.get("demo")),
        parameters={k: v for k, v in job.parameters.items()}, input_hashes=options.get("input_hashes"),
        version=options.get("version", ""), generated=options.get("generated", ""),
    )
    outputs = {f"{job.stem}.ipynb": nb_bytes}
    for path in sorted(Path(attachments).iterdir()):
        if path.is_file() and not path.name.startswith("."):
            outputs[path.name] = path.read_bytes()
    if options.get("pdf"):
        outputs[f"{job.stem}.pdf"] = _print_pdf(html)
    outputs[f"{job.stem}.html"] = html.encode("utf-8")  # last: the report itself
    return outputs


def _print_pdf(html: str) -> bytes:
    """The report printed to A4 PDF by headless Chromium, with the installed package's plotly.js."""
    return html_to_pdf(html, Path(plotly.__file__).parent / "package_data" / PLOTLY_JS)


_ENGINE_READY = False


def _ensure_engine():
    global _ENGINE_READY
    if not _ENGINE_READY:
        _register_engine()
        _ENGINE_READY = True


# -- executors ------------------------------------------------------------------

def _worker_init():
    """Local worker set-up: SIGTERM kills this worker's kernel before exiting; SIGINT is left to the runner."""

    def on_term(signum, frame):
        kill_all_kernels()
        os._exit(143)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    util.Finalize(None, kill_all_kernels, exitpriority=100)
    _ensure_engine()


class LocalExecutor:
    """A pool of worker processes, each with one warm kernel (``fresh_kernel`` for one kernel per job)."""

    name = "local"

    def __init__(self, jobs: int):

        # spawn, not fork: the runner has threads (progress bar) and zmq state a fork would copy
        self.jobs = jobs
        self._context = multiprocessing.get_context("spawn")
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.jobs, mp_context=self._context, initializer=_worker_init)

    def submit(self, job_dict: dict, options: dict) -> Future:
        if getattr(self.pool, "_broken", False):   # a worker died (killed, out of memory): start a new pool
            self.abort()
            self.pool = self._new_pool()
        return self.pool.submit(run_job, job_dict, options)

    def close(self) -> None:
        self.pool.shutdown(wait=True)

    def abort(self) -> None:
        """Stop now: cancel queued jobs and terminate workers (each kills its kernel on SIGTERM)."""
        processes = list(getattr(self.pool, "_processes", {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            try:
                proc.terminate()
            except Exception:
                pass
        for proc in processes:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()


class DaskExecutor:
    """Run jobs on a Dask cluster (``--scheduler ADDRESS``), or an in-process local cluster if none is given.

    Workers must see the plan, its data files and the notebooks at the same
    paths as the machine running ``reliefplan report`` (a shared file system
    or the same image); the output files come back as bytes.
    """

    name = "dask"

    def __init__(self, jobs: int, scheduler: str | None = None):
        from distributed import Client, LocalCluster

        self.cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster)

    def submit(self, job_dict: dict, options: dict) -> Future:
        return self.client.submit(run_job, job_dict, options, pure=False, key=f"{job_dict['job_id']}-{time.time_ns()}")

    def close(self) -> None:
        try:
            self.client.run(kill_all_kernels)
        except Exception:
            pass
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def abort(self) -> None:
        try:
            self.client.cancel(list(self.client.futures.values()) if hasattr(self.client, "futures") else [])
        except Exception:
            pass
        self.close()


def make_executor(name: str, jobs: int, scheduler: str | None = None):
    if name == "dask":
        return DaskExecutor(jobs, scheduler)
    return LocalExecutor(jobs)


def wait_any(futures):
    """Block until at least one future is done; works for concurrent and Dask futures."""
    if futures and all(isinstance(f, Future) for f in futures):
        done, _ = wait(futures, return_when=FIRST_COMPLETED)
        return done
    from distributed import wait as dask_wait

    done = dask_wait(list(futures), return_when="FIRST_COMPLETED").done
    return set(done)
