"""Inputs for Dask workers on other machines: a shared folder, or the files shipped once per worker.

A job names its plan and notebook by the paths the client sees. A worker
runs it with those paths when it can read them (one machine, or the same
shared file system mounted at the same place); otherwise:

- **shared path in the plan**: ``cluster: {plan_dir_on_workers: /mnt/share/relief}``
  says where workers see the plan's folder; the plan file and every data file
  must lie inside that folder;
- **shipped**: the plan, its data files and the report notebooks are sent once
  to every worker (also to workers that join later) by a worker plugin, which
  writes them under ``<worker tmp>/reliefplan-inputs/<content hash>/``; each
  job then reads them there.

Either way a job's paths are translated on the worker (:func:`worker_job`),
so the job, its fingerprint and the manifest keep the client's paths, and
outputs still come back to the client as bytes.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from reliefplan.core.errors import ConfigError
from reliefplan.core.paths import notebooks_dir

SHIP_ROOT = "reliefplan-inputs"


def _inside(path: Path, folder: Path) -> str:
    """``path`` relative to ``folder``; a ConfigError when it lies outside (no ``..`` escapes)."""
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        raise ConfigError(f"数据文件须在方案文件夹内才能发给集群节点: {path}",
                          f"to reach cluster workers a data file must lie inside the plan's folder: {path}",
                          file=path) from None


def input_bundle(plan: dict, notebooks) -> dict[str, bytes]:
    """The files a worker needs, by relative name: ``plan/<...>`` (plan folder layout), ``notebooks/<name>``."""
    plan_path = Path(plan["_path"])
    folder = plan_path.parent
    files = {f"plan/{_inside(plan_path, folder)}": plan_path.read_bytes()}
    for path in (plan.get("_files") or {}).values():
        files[f"plan/{_inside(Path(path), folder)}"] = Path(path).read_bytes()
    for nb in notebooks:
        files[f"notebooks/{Path(nb).name}"] = Path(nb).read_bytes()
    return files


def bundle_key(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode("utf-8"))
        digest.update(hashlib.sha256(files[name]).digest())
    return digest.hexdigest()[:16]


def ship_dir(key: str) -> Path:
    """Where a worker keeps a shipped bundle (the worker's own temporary folder)."""
    return Path(tempfile.gettempdir()) / SHIP_ROOT / key


def write_bundle(key: str, files: dict[str, bytes]) -> Path:
    """Write a bundle once (on a worker); files already there with the same size are kept."""
    root = ship_dir(key)
    for name, data in files.items():
        target = root / name
        if target.is_file() and target.stat().st_size == len(data):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(target.name + f".{os.getpid()}.part")
        part.write_bytes(data)
        os.replace(part, target)
    return root


def make_ship_plugin(key: str, files: dict[str, bytes]):
    """A Dask worker plugin that writes the bundle on every worker, including ones that join later."""
    from distributed.diagnostics.plugin import WorkerPlugin   # dask is optional: only with --executor dask

    class ShipInputs(WorkerPlugin):
        name = f"reliefplan-inputs-{key}"

        def __init__(self):
            self.key, self.files = key, files

        def setup(self, worker):
            write_bundle(self.key, self.files)

    return ShipInputs()


def path_options(plan: dict, mode: str, key: str = "") -> dict:
    """What :func:`worker_job` needs: the client's plan folder and notebooks folder, and where workers see them."""
    folder = str(Path(plan["_path"]).parent.resolve())
    if mode == "shared":
        target = str((plan.get("cluster") or {}).get("plan_dir_on_workers") or "")
        if not target:
            raise ConfigError("方案未指定 cluster.plan_dir_on_workers", "the plan names no cluster.plan_dir_on_workers",
                              file=plan.get("_path"), column="cluster.plan_dir_on_workers")
        return {"mode": "shared", "plan_dir": folder, "plan_dir_on_workers": target}
    if mode == "ship":
        return {"mode": "ship", "plan_dir": folder, "notebooks_dir": str(notebooks_dir().resolve()), "key": key}
    return {"mode": "same"}


def worker_job(job_dict: dict, options: dict) -> dict:
    """The job with its plan and notebook paths as this worker sees them (unchanged in ``same`` mode)."""
    paths = options.get("paths") or {}
    mode = paths.get("mode", "same")
    if mode == "same":
        return job_dict
    if mode == "shared":
        plan_root, nb_root = Path(paths["plan_dir_on_workers"]), None
    else:
        root = ship_dir(paths["key"])
        plan_root, nb_root = root / "plan", root / "notebooks"
    job = dict(job_dict)
    params = dict(job.get("parameters") or {})
    plan_file = params.get("plan_file")
    if plan_file:
        rel = Path(plan_file).relative_to(Path(paths["plan_dir"]))   # the client's resolved path
        params["plan_file"] = str(plan_root / rel)
    job["parameters"] = params
    if nb_root is not None:
        job["notebook"] = str(nb_root / Path(job["notebook"]).name)
    return job
