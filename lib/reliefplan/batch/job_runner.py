"""Run one notebook job in this process's warm kernel and return its files as bytes.

:func:`run_job` returns a plain dict holding the output files as bytes, so
the same job runs in a local worker process or on a remote Dask worker, and
only the runner in the main process writes files.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import tempfile
import threading
import time
import traceback
from pathlib import Path

import nbformat
import plotly

from reliefplan.batch.cluster import worker_job
from reliefplan.batch.html import PLOTLY_JS, export_html
from reliefplan.batch.pdf import html_to_pdf
from reliefplan.batch.jobs import Job
from reliefplan.batch.warm_kernel import WarmKernel, ensure_engine
from reliefplan.core.paths import notebooks_dir
from reliefplan.core.record import read_records
from reliefplan.ingest.shared_store import STORE_ENV

RUN_ENV = "RELIEFPLAN_BATCH_RUN"
_LOCAL = threading.local()


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
    env = {RUN_ENV: options.get("run_id", ""), STORE_ENV: shared_inputs_dir(options)}
    if kernel is None:
        kernel = WarmKernel(max_jobs=options.get("max_jobs_per_kernel", 100), env=env)
        _LOCAL.kernel = kernel
    kernel.env.update(env)
    return kernel


def shared_inputs_dir(options: dict) -> str:
    """Where this machine's kernels of the run keep the parsed inputs (see reliefplan.ingest.shared_store).

    ``options["shared_inputs"]`` is a folder name the runner chose for the run (its pid in it,
    like the job folders, so a folder left by a killed run is removed by the next one); it lies
    in each machine's own temporary folder. Empty (no store) when the runner chose none.
    """
    name = options.get("shared_inputs") or ""
    if not name:
        return ""
    if Path(name).name != name or not name.startswith(JOB_DIR_PREFIX):
        raise ValueError(f"not a shared-inputs folder name: {name!r}")
    folder = Path(tempfile.gettempdir()) / name
    _SHARED_DIRS.add(str(folder))
    return str(folder)


def remove_shared_dirs() -> None:
    """Remove the shared-input folders this process's kernels used (the run is over, or the worker stops)."""
    for folder in list(_SHARED_DIRS):
        shutil.rmtree(folder, ignore_errors=True)
        _SHARED_DIRS.discard(folder)


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
    from papermill.iorw import load_notebook_node   # heavy; needed only when a report runs

    ensure_engine()
    job = Job.from_dict(worker_job(job_dict, options))   # paths as this worker sees them
    started = time.time()
    t0 = time.monotonic()
    deadline = t0 + float(options.get("timeout") or 600)
    result = {"job_id": job.job_id, "status": "error", "error": None, "outputs": {}, "records": {},
              "started": started, "duration_s": 0.0, "worker": {"pid": os.getpid()}}
    kernel = _thread_kernel(options)
    nb = None
    timings: dict = {}
    with tempfile.TemporaryDirectory(prefix=f"{JOB_DIR_PREFIX}{os.getpid()}-") as attachments:
        _JOB_DIRS.add(attachments)
        parameters = dict(job.parameters)
        if job.attachments:
            parameters["attachments_dir"] = attachments
        kernel.last_nb = None
        try:
            source = load_notebook_node(str(job.notebook_path()))
            starts_before = kernel.start_s
            t_exec = time.monotonic()
            nb = kernel.execute(source, parameters, input_path=str(job.notebook_path()),
                                cwd=str(notebooks_dir()), deadline=deadline)
            started_s = kernel.start_s - starts_before
            timings.update(kernel_start_s=round(started_s, 3),
                           execute_s=round(time.monotonic() - t_exec - started_s, 3))
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
                    t_export = time.monotonic()
                    result["outputs"] = _export(job, nb, nb_bytes, attachments, options)
                    timings["export_s"] = round(time.monotonic() - t_export, 3)
                except Exception as exc:
                    result["status"] = "error"
                    result["error"] = {"ename": type(exc).__name__, "evalue": f"HTML export failed: {exc}"[:2000],
                                       "traceback_tail": traceback.format_exc()[-4000:]}
            if result["status"] != "ok":
                result["outputs"] = {f"failed/{job.stem}.ipynb": nb_bytes}
    _JOB_DIRS.discard(attachments)
    result["duration_s"] = round(time.monotonic() - t0, 3)
    result["worker"]["timings"] = timings   # where the job's time went: kernel start, notebook, HTML export
    return result


# A job's temporary folder (its Excel attachments, unmasked data never) is named after the worker's pid,
# so a folder left by a killed worker can be told from one in use and removed at the next run.
JOB_DIR_PREFIX = "reliefplan-job-"
_JOB_DIRS: set = set()
_SHARED_DIRS: set = set()


def remove_job_dirs() -> None:
    """Remove the temporary folders of this process's running jobs (a worker being stopped)."""
    for folder in list(_JOB_DIRS):
        shutil.rmtree(folder, ignore_errors=True)
        _JOB_DIRS.discard(folder)


def remove_orphan_job_dirs(root=None) -> list[Path]:
    """Remove job folders whose worker process no longer exists (left by an interrupted run)."""
    root = Path(root or tempfile.gettempdir())
    removed = []
    for folder in root.glob(f"{JOB_DIR_PREFIX}*-*"):
        pid = folder.name[len(JOB_DIR_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or not folder.is_dir() or folder.stat().st_uid != os.getuid():
            continue
        try:
            os.kill(int(pid), 0)
            continue          # still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


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
