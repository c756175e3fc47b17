"""Executors: a local pool of worker processes each with a warm kernel, or a Dask cluster.

Both submit :func:`reliefplan.batch.job_runner.run_job` and give back
futures; :func:`wait_any` waits on either kind. ``prepare`` makes the plan's
inputs reachable by the workers (:mod:`reliefplan.batch.cluster`) and
``retryable`` says whether a job's exception means its worker died (the
runner then submits it once more, to another worker).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import util

from reliefplan.batch import cluster

# RUN_ENV (the run id variable), JOB_DIR_PREFIX and remove_orphan_job_dirs are re-exported for the runner
from reliefplan.batch.job_runner import (  # noqa: F401
    JOB_DIR_PREFIX, RUN_ENV, remove_job_dirs, remove_orphan_job_dirs, remove_shared_dirs, run_job, shared_inputs_dir,
)
from reliefplan.batch.warm_kernel import ensure_engine, kill_all_kernels


def _worker_init():
    """Local worker set-up: SIGTERM kills this worker's kernel before exiting; SIGINT is left to the runner."""
    def on_term(signum, frame):
        kill_all_kernels()
        remove_job_dirs()
        os._exit(143)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    util.Finalize(None, kill_all_kernels, exitpriority=100)
    ensure_engine()


class LocalExecutor:
    """A pool of worker processes, each with one warm kernel (``fresh_kernel`` for one kernel per job)."""

    name = "local"

    def __init__(self, jobs: int):
        # jobs handed to the pool at once: one per worker plus one queued, so a worker finishing a job
        # starts the next at once while the runner still chooses what comes after (roll-ups first)
        self.slots = jobs + 1
        # spawn, not fork: the runner has threads (progress bar) and zmq state a fork would copy
        self.jobs = jobs
        self._context = multiprocessing.get_context("spawn")
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.jobs, mp_context=self._context, initializer=_worker_init)

    def prepare(self, plan: dict, notebooks, ship: bool = False) -> dict:
        """Local workers read the client's files: nothing to do."""
        return {"mode": "same"}

    @staticmethod
    def retryable(exc: BaseException) -> bool:
        return isinstance(exc, BrokenProcessPool)

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

    Workers read the plan, its data files and the notebooks at the client's
    paths, at ``cluster.plan_dir_on_workers`` of the plan, or from copies
    shipped once per worker (:meth:`prepare`); the output files come back as
    bytes and only the client writes files. A worker that dies takes its job
    with it: Dask runs it again on another worker, and the runner submits a
    job whose workers kept dying once more.
    """

    name = "dask"
    slots = None   # every job is submitted at once: the cluster may grow, its scheduler spreads them

    def __init__(self, jobs: int, scheduler: str | None = None):
        from distributed import Client, LocalCluster

        self.cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster)

    def prepare(self, plan: dict, notebooks, ship: bool = False) -> dict:
        """Path options for the jobs: shared folder named by the plan, the client's paths, or shipped copies."""
        if (plan.get("cluster") or {}).get("plan_dir_on_workers"):
            return cluster.path_options(plan, "shared")
        needed = [str(plan["_path"]), *(str(p) for p in (plan.get("_files") or {}).values()),
                  *(str(n) for n in notebooks)]
        if not ship and self._workers_see(needed):
            return {"mode": "same"}
        files = cluster.input_bundle(plan, notebooks)
        key = cluster.bundle_key(files)
        self.client.register_plugin(cluster.make_ship_plugin(key, files))
        return cluster.path_options(plan, "ship", key)

    def _workers_see(self, paths) -> bool:
        try:
            seen = self.client.run(_all_exist, list(paths))
        except Exception:
            return False
        return bool(seen) and all(seen.values())

    @staticmethod
    def retryable(exc: BaseException) -> bool:
        return type(exc).__name__ in ("KilledWorker", "CommClosedError")

    def submit(self, job_dict: dict, options: dict) -> Future:
        return self.client.submit(run_job, job_dict, options, pure=False, key=f"{job_dict['job_id']}-{time.time_ns()}")

    def close(self) -> None:
        try:
            self.client.run(kill_all_kernels)
            self.client.run(remove_shared_dirs)   # the parsed inputs on each worker's machine
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


def remove_shared_inputs(options: dict) -> None:
    """Remove the run's shared parsed inputs on this machine (the local workers' kernels are gone by now)."""
    folder = shared_inputs_dir(options)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def _all_exist(paths) -> bool:
    """On a worker: can it read every one of ``paths``?"""
    return all(os.path.isfile(p) for p in paths)


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
