"""Executors: a local pool of worker processes each with a warm kernel, or a Dask cluster.

Both submit :func:`reliefplan.batch.job_runner.run_job` and give back
futures; :func:`wait_any` waits on either kind.
"""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from reliefplan.batch.job_runner import RUN_ENV, run_job  # noqa: F401  (RUN_ENV: the runner's run id variable)
from reliefplan.batch.warm_kernel import ensure_engine, kill_all_kernels


def _worker_init():
    """Local worker set-up: SIGTERM kills this worker's kernel before exiting; SIGINT is left to the runner."""
    from multiprocessing import util

    def on_term(signum, frame):
        kill_all_kernels()
        os._exit(143)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    util.Finalize(None, kill_all_kernels, exitpriority=100)
    ensure_engine()


class LocalExecutor:
    """A pool of worker processes, each with one warm kernel (``fresh_kernel`` for one kernel per job)."""

    name = "local"

    def __init__(self, jobs: int):
        import multiprocessing

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
