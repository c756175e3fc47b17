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
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from reliefplan.batch import executor as ex
from reliefplan.batch.files import atomic_write_bytes, remove_stale_parts, sha256_bytes
from reliefplan.batch.html import PLOTLY_JS, copy_plotly_js
from reliefplan.batch.index import write_indexes
from reliefplan.batch.jobs import build_jobs, jobs_units
from reliefplan.batch.manifest import job_entry, load_manifest, now_iso, output_kind, write_manifest
from reliefplan.batch.params import ReportParams, check_jobs_parameters
from reliefplan.batch.progress import Progress
from reliefplan.batch.resume import can_skip, code_version, fingerprint, input_files, input_hashes


@dataclass
class RunSummary:
    year_dir: Path
    statuses: dict = field(default_factory=dict)   # job_id -> status
    skipped: list = field(default_factory=list)
    interrupted: bool = False

    @property
    def failed(self) -> list[str]:
        return [j for j, s in self.statuses.items() if s != "ok"]

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        return 1 if self.failed else 0


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
    """Write a job's files atomically (the HTML last); return their manifest rows."""
    rows = []
    for name, data in result["outputs"].items():
        atomic_write_bytes(year_dir / name, data)
        rows.append({"path": name, "kind": output_kind(name), "bytes": len(data), "sha256": sha256_bytes(data)})
    return rows


def _remove_stale(year_dir: Path, previous: dict | None, keep: list[dict]) -> None:
    """Remove files an older run of this job produced that this run did not (e.g. the report of a now-failing unit)."""
    if not previous:
        return
    keep_paths = {row["path"] for row in keep}
    for row in previous.get("outputs") or []:
        if row["path"] not in keep_paths:
            (year_dir / row["path"]).unlink(missing_ok=True)


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
                max_jobs_per_kernel: int = 100, job_filter=None, echo=print) -> RunSummary:
    """Execute the report jobs of ``params``; see the module docstring.

    ``progress``: True (one bar with counts per level), False (none), or a mode of
    :data:`reliefplan.batch.progress.MODES` (``bar``, ``lines``: JSON lines on stdout, ``quiet``).
    """
    plan = params.plan
    year_dir = params.year_dir
    year_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_parts(year_dir)

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

    options = {
        # run_id marks this run's kernels (their environment), so they can be found and checked
        "run_id": os.environ.get(ex.RUN_ENV) or uuid.uuid4().hex,
        "timeout": params.timeout, "lang": params.lang, "demo": params.demo,
        "input_hashes": inputs, "version": code, "generated": run_started, "fresh_kernel": fresh_kernel,
        "max_jobs_per_kernel": max_jobs_per_kernel, "pdf": bool(getattr(params, "pdf", False)),
    }
    fingerprints = {j.job_id: fingerprint(j, inputs, code) for j in all_unit_jobs + jobs if not j.after_units}
    summary = RunSummary(year_dir=year_dir)

    def finish_job(job, result):
        with interrupts.deferred():
            previous = manifest["jobs"].get(job.job_id)
            rows = _write_outputs(year_dir, result)
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
    attempts: dict = {}
    interrupts = _Interrupts()
    interrupts.install()
    try:
        if to_run or later:
            workers = max(1, min(params.jobs, len(to_run) + len(later)))
            executor = ex.make_executor(params.executor, workers, params.scheduler)
            notebooks = sorted({str(j.notebook_path()) for j in to_run + later})
            options["paths"] = executor.prepare(plan, notebooks, ship=bool(params.extra.get("ship_inputs")))
        # units first so the roll-up can start as early as possible; city notebooks after them
        for job in sorted(to_run, key=lambda j: ({"unit": 0, "organizer": 1}.get(j.kind, 2), j.job_id)):
            running[executor.submit(job.to_dict(), options)] = job
        while running or later:
            busy = {j.job_id for j in running.values()} | {j.job_id for j in later}
            ready = [j for j in later if not set(j.children) & busy] or ([] if running else later[:1])
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
    except KeyboardInterrupt:
        summary.interrupted = True
        if executor is not None:
            executor.abort()
            executor = None
        for job in list(running.values()) + later:
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
        run_info["finished"] = now_iso()
        run_info["status"] = "interrupted" if summary.interrupted else ("complete" if not summary.failed else "failed")
        manifest["generated"] = run_info["finished"]
        write_manifest(year_dir, manifest)
        write_indexes(params.out, year_dir, manifest, params.lang)
        remove_stale_parts(year_dir)
    return summary
