"""The report run: jobs in, report folder out (``reliefplan report``).

1. Check the parameters and every job's notebook parameters (no kernel yet).
2. Work out what ``--resume`` may skip (unchanged fingerprint, intact files).
3. Run the unit and city jobs on the executor, in parallel; write each job's
   files atomically as it finishes and rewrite the manifest after each.
4. When a roll-up's children are done (its units; for a province plan a
   city's counties, then the province's cities), run it with the figures the
   (up-to-date) child reports recorded, so it can reconcile with them.
5. Write ``index.html``; exit code 0 when every job succeeded, 1 otherwise,
   130 when interrupted (the manifest then says which jobs never finished).
"""

from __future__ import annotations

import os
import signal
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from reliefplan.batch import executor as ex
from reliefplan.batch.files import (
    atomic_write_bytes, folder_lock, inside, remove_own_file, remove_stale_parts, sha256_bytes,
)
from reliefplan.batch.html import PLOTLY_JS, copy_plotly_js
from reliefplan.batch.index import write_indexes
from reliefplan.batch.jobs import build_jobs, jobs_units, submit_order
from reliefplan.batch.manifest import job_entry, load_manifest, now_iso, output_kind, write_manifest
from reliefplan.batch.params import ReportParams, check_jobs_parameters
from reliefplan.batch.progress import Progress
from reliefplan.batch.resume import can_skip, code_version, fingerprint, input_files, input_hashes
from reliefplan.core.errors import InputError


@dataclass
class RunSummary:
    year_dir: Path
    statuses: dict = field(default_factory=dict)   # job_id -> status
    skipped: list = field(default_factory=list)
    interrupted: bool = False
    crashed: str = ""          # an error that stopped the run itself (not one job), e.g. the disk is full

    @property
    def failed(self) -> list[str]:
        return [j for j, s in self.statuses.items() if s != "ok"]

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        return 1 if self.failed or self.crashed else 0


class _Interrupted(KeyboardInterrupt):
    pass


class _Interrupts:
    """SIGINT/SIGTERM handling for a run: raise at once, except while a finished job's files and
    the manifest are being written (``deferred()``), so that an interruption lands between jobs
    and never leaves a report on disk that the manifest does not list."""

    def __init__(self):
        self.depth = 0
        self.pending = False
        self.old = {}

    def handler(self, signum, frame):
        if self.depth:
            self.pending = True
        else:
            raise _Interrupted()

    def install(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            self.old[sig] = signal.signal(sig, self.handler)

    def restore(self):
        for sig, old in self.old.items():
            signal.signal(sig, old)

    @contextmanager
    def deferred(self):
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
            if not self.depth and self.pending:
                self.pending = False
                raise _Interrupted()


def _rollup_records(manifest: dict, child_ids, fingerprints: dict, inputs: dict, code: str) -> dict:
    """Figures recorded by every child report of a roll-up that succeeded and is up to date, by unit code.

    Up to date: the fingerprint this run computed for it; for a roll-up below that was not
    run this time (another ``--units`` subset), the same inputs and code.
    """
    out = {}
    for job_id in child_ids:
        entry = manifest["jobs"].get(job_id)
        if not entry or entry.get("status") != "ok" or not entry.get("unit_code"):
            continue
        if job_id in fingerprints:
            current = entry.get("fingerprint") == fingerprints[job_id]
        else:
            current = entry.get("input_hashes") == inputs and entry.get("code_version") == code
        if current:
            out[entry["unit_code"]] = entry.get("records") or {}
    return out


def _write_outputs(year_dir: Path, result: dict) -> list[dict]:
    """Write a job's files atomically (the HTML last); return their manifest rows.

    A file-system error (name too long, disk full, no permission) removes what this call
    already wrote and raises, so a job's files are all there or none is.
    """
    rows = []
    try:
        for name, data in result["outputs"].items():
            target = inside(year_dir, name)
            if target is None:
                raise OSError(f"output name outside the report folder: {name!r}")
            atomic_write_bytes(target, data)
            rows.append({"path": name, "kind": output_kind(name), "bytes": len(data),
                         "sha256": sha256_bytes(data)})
    except OSError:
        for row in rows:
            remove_own_file(year_dir, row["path"], row["sha256"])
        raise
    return rows


def _warn(text: str) -> None:
    print(f"警告 warning: {text}", file=sys.stderr)


def _remove_stale(year_dir: Path, previous: dict | None, keep: list[dict]) -> None:
    """Remove files an older run of this job produced that this run did not (e.g. the report of a now-failing unit).

    Only files inside the year folder that are still exactly what we wrote (the recorded hash)
    are removed; any other manifest entry is left alone with a warning.
    """
    if not previous:
        return
    keep_paths = {row.get("path") for row in keep}
    for row in previous.get("outputs") or []:
        if not isinstance(row, dict) or row.get("path") in keep_paths:
            continue
        why = remove_own_file(year_dir, row.get("path", ""), row.get("sha256"))
        if why:
            _warn(why)


def _area_level(plan: dict) -> str:
    """The area level of the plan's own area (the top roll-up's level): province, city or county."""
    from reliefplan.ingest.units import load_area_table

    try:
        areas = load_area_table(plan)
    except Exception:   # the level only labels the progress bar
        return ""
    row = areas[areas["code"] == str(plan.get("area", ""))]
    return str(row["level"].iloc[0]) if len(row) else ""


def run_reports(params: ReportParams, *, progress: bool = True, fresh_kernel: bool = False,
                max_jobs_per_kernel: int = 100, job_filter=None, echo=print, lock_wait: float = 0.0) -> RunSummary:
    """Execute the report jobs of ``params``; see the module docstring.

    ``progress``: True (one bar with counts per level), False (none), or a mode of
    :data:`reliefplan.batch.progress.MODES` (``bar``, ``lines``: JSON lines on stdout, ``quiet``).

    The output folder is locked for the whole run: a second run into it waits up to
    ``lock_wait`` seconds, then stops with exit 2 (InputError) before touching anything.
    """
    for folder in (params.out, params.year_dir):
        if folder.exists() and not folder.is_dir():
            raise InputError("输出路径是一个文件, 须为目录", "the output path is a file; it must be a folder",
                             file=folder)
    with folder_lock(params.out, wait=lock_wait):
        return _run_reports(params, progress=progress, fresh_kernel=fresh_kernel,
                            max_jobs_per_kernel=max_jobs_per_kernel, job_filter=job_filter, echo=echo)


def _run_reports(params: ReportParams, *, progress, fresh_kernel: bool, max_jobs_per_kernel: int,
                 job_filter, echo) -> RunSummary:
    """The run itself, inside the output folder's lock."""
    plan = params.plan
    year_dir = params.year_dir
    year_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_parts(year_dir)
    ex.remove_orphan_job_dirs()      # temporary folders of jobs of an interrupted earlier run

    tree = params.all_units
    all_unit_jobs = build_jobs(plan, tree, lang=params.lang, include_city=False, include_rollup=False, tree=tree)
    # organizer jobs are not in all_unit_jobs: the roll-ups reconcile the area units only
    jobs = build_jobs(plan, jobs_units(tree, params.units), lang=params.lang, include_city=params.include_city,
                      area_name=params.area_name, organizers=params.organizers, tree=tree)
    if job_filter is not None:
        jobs = [j for j in jobs if job_filter(j)]
    check_jobs_parameters(jobs)  # before any kernel starts

    code = code_version()
    inputs = input_hashes(plan)
    manifest = load_manifest(year_dir)
    run_started = now_iso()
    manifest.update({
        "reliefplan_version": code.split("+")[0], "code_version": code, "plan": str(plan["_path"]),
        "plan_name": plan.get("name") if params.lang == "zh" else plan.get("name_en") or plan.get("name"),
        "year": params.year, "demo": params.demo, "lang": params.lang, "plotly_js": PLOTLY_JS,
        "inputs": {key: {"path": str(path), "sha256": inputs.get(f"{key} ({path.name})")}
                   for key, path in input_files(plan).items()},
    })
    run_info = {"started": run_started, "finished": None, "status": "running",
                "parameters": {"units": list(params.units["code"]), "organizers": list(params.organizers), "lang": params.lang, "jobs": params.jobs,
                               "executor": params.executor, "resume": params.resume, "timeout": params.timeout}}
    manifest["runs"] = (manifest.get("runs") or [])[-19:] + [run_info]
    copy_plotly_js(year_dir)

    run_id = os.environ.get(ex.RUN_ENV) or uuid.uuid4().hex
    options = {
        # run_id marks this run's kernels (their environment), so they can be found and checked
        "run_id": run_id,
        # the folder (in each machine's temporary folder) where the kernels share parsed inputs
        # (reliefplan.ingest.shared_store); the bench turns it off to measure what it saves
        "shared_inputs": (f"{ex.JOB_DIR_PREFIX}{os.getpid()}-inputs-{uuid.uuid4().hex[:12]}"
                          if params.extra.get("share_inputs", True) else ""),
        "timeout": params.timeout, "lang": params.lang, "demo": params.demo,
        "input_hashes": inputs, "version": code, "generated": run_started, "fresh_kernel": fresh_kernel,
        "max_jobs_per_kernel": max_jobs_per_kernel, "pdf": bool(getattr(params, "pdf", False)),
    }
    fingerprints = {j.job_id: fingerprint(j, inputs, code) for j in all_unit_jobs + jobs if not j.after_units}
    summary = RunSummary(year_dir=year_dir)

    def finish_job(job, result):
        with interrupts.deferred():
            previous = manifest["jobs"].get(job.job_id)
            try:
                rows = _write_outputs(year_dir, result)
            except OSError as exc:   # this job's files cannot be written: the job fails, the others go on
                result = {**result, "status": "error", "outputs": {},
                          "error": {"ename": type(exc).__name__,
                                    "evalue": f"写入报告文件失败 / cannot write the report files: {exc}"[:2000]}}
                rows = []
            _remove_stale(year_dir, previous, rows)
            manifest["jobs"][job.job_id] = job_entry(
                job, status=result["status"], fingerprint=fingerprints[job.job_id], inputs=inputs, code=code,
                outputs=rows, result=result)
            summary.statuses[job.job_id] = result["status"]
            write_manifest(year_dir, manifest)

    def skip_job(job):
        previous = manifest["jobs"][job.job_id]
        manifest["jobs"][job.job_id] = job_entry(
            job, status="ok", fingerprint=fingerprints[job.job_id], inputs=inputs, code=code,
            outputs=previous["outputs"], skipped=True, previous=previous)
        summary.statuses[job.job_id] = "ok"
        summary.skipped.append(job.job_id)

    first = [j for j in jobs if not j.after_units]
    later = [j for j in jobs if j.after_units]   # roll-ups: each runs once its children are done
    to_run = []
    for job in first:
        if params.resume and can_skip(manifest["jobs"].get(job.job_id), fingerprints[job.job_id], year_dir):
            skip_job(job)
        else:
            to_run.append(job)
    write_manifest(year_dir, manifest)

    mode = progress if isinstance(progress, str) else ("bar" if progress else "quiet")
    bar = Progress(jobs, mode=mode, lang=params.lang, area_level=_area_level(plan))
    for job_id in summary.skipped:
        bar.finished(job_id, "ok", skipped=True)
    executor = None
    running: dict = {}
    pending: list = []        # jobs not yet handed to the executor
    waiting: list = []        # roll-ups whose children are done, with their records: next in line
    attempts: dict = {}
    interrupts = _Interrupts()
    interrupts.install()
    try:
        if to_run or later:
            workers = max(1, min(params.jobs, len(to_run) + len(later)))
            executor = ex.make_executor(params.executor, workers, params.scheduler)
            notebooks = sorted({str(j.notebook_path()) for j in to_run + later})
            options["paths"] = executor.prepare(plan, notebooks, ship=bool(params.extra.get("ship_inputs")))
        # Jobs are handed to the executor as its slots free up (a local pool: one per worker and one
        # queued), not all at once, so that a roll-up whose children are done goes next instead of
        # queueing behind every remaining unit: the cities' roll-ups run while other counties do, and
        # the top roll-up starts as soon as the last city is done (see jobs.submit_order).
        pending = submit_order(to_run)
        slots = getattr(executor, "slots", None)
        while running or later or pending or waiting:
            busy = {j.job_id for j in [*running.values(), *later, *pending, *waiting]}
            idle = not (running or pending or waiting)
            ready = [j for j in later if not set(j.children) & busy] or (later[:1] if idle else [])
            for job in ready:
                later.remove(job)
                records = _rollup_records(manifest, job.children, fingerprints, inputs, code)
                job = replace(job, parameters={**job.parameters, "unit_records": records})
                fingerprints[job.job_id] = fingerprint(job, inputs, code)
                if params.resume and can_skip(manifest["jobs"].get(job.job_id), fingerprints[job.job_id],
                                              year_dir):
                    skip_job(job)
                    bar.finished(job.job_id, "ok", skipped=True)
                else:
                    waiting.append(job)
            while (waiting or pending) and (slots is None or len(running) < slots):
                job = (waiting or pending).pop(0)
                running[executor.submit(job.to_dict(), options)] = job
            if ready:
                write_manifest(year_dir, manifest)
                continue
            for future in ex.wait_any(list(running)):
                job = running.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # from the executor, not the notebook: the job fails, others go on
                    # a worker died under this job or a queued one: run it again once (a new pool, another worker)
                    if executor.retryable(exc):
                        attempts[job.job_id] = attempts.get(job.job_id, 0) + 1
                        if attempts[job.job_id] < 2:
                            running[executor.submit(job.to_dict(), options)] = job
                            continue
                    result = {"job_id": job.job_id, "status": "error", "outputs": {}, "records": {},
                              "error": {"ename": type(exc).__name__, "evalue": str(exc)[:2000]},
                              "started": None, "duration_s": None}
                finish_job(job, result)
                bar.finished(job.job_id, result["status"])
                if result["status"] != "ok" and echo:
                    err = result.get("error") or {}
                    bar.write(f"失败 failed: {job.stem}: {err.get('ename')}: {err.get('evalue', '')[:300]}")
    except OSError as exc:   # the run itself cannot go on (e.g. the manifest cannot be written)
        summary.crashed = f"{type(exc).__name__}: {exc}"
        if executor is not None:
            executor.abort()
            executor = None
        for job in [*running.values(), *waiting, *pending, *later]:
            summary.statuses.setdefault(job.job_id, "error")
    except KeyboardInterrupt:
        summary.interrupted = True
        if executor is not None:
            executor.abort()
            executor = None
        for job in [*running.values(), *waiting, *pending, *later]:
            previous = manifest["jobs"].get(job.job_id)
            if previous and previous.get("status") == "ok" and previous.get("fingerprint") == fingerprints.get(job.job_id):
                summary.statuses[job.job_id] = "ok"
                continue  # an intact, up-to-date report from an earlier run stays valid
            _remove_stale(year_dir, previous, [])
            manifest["jobs"][job.job_id] = job_entry(
                job, status="interrupted", fingerprint=fingerprints.get(job.job_id, ""), inputs=inputs,
                code=code, outputs=[])
            summary.statuses[job.job_id] = "interrupted"
    finally:
        interrupts.restore()
        bar.close()
        if executor is not None:
            executor.close()
        ex.remove_shared_inputs(options)
        run_info["finished"] = now_iso()
        unfinished = [j.job_id for j in jobs if j.job_id not in summary.statuses]
        if summary.interrupted:
            run_info["status"] = "interrupted"
        elif summary.crashed:
            run_info["status"], run_info["error"] = "error", summary.crashed
        else:
            run_info["status"] = "complete" if not summary.failed and not unfinished else "failed"
        if unfinished:
            run_info["unfinished"] = unfinished
        manifest["generated"] = run_info["finished"]
        try:
            write_manifest(year_dir, manifest)
            write_indexes(params.out, year_dir, manifest, params.lang)
        except OSError as exc:
            summary.crashed = summary.crashed or f"{type(exc).__name__}: {exc}"
            _warn(f"清单或索引无法写入 / cannot write the manifest or index: {exc}")
        remove_stale_parts(year_dir)
    if summary.crashed:
        _warn(f"报告任务中止 / the report run stopped: {summary.crashed}")
    return summary
