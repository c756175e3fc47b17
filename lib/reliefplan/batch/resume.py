"""What a report depends on, as hashes, so ``--resume`` skips what has not changed.

A job's fingerprint is the SHA-256 of: its notebook file, its parameters,
the hashes of the plan and every data file the plan names, and the code
version (reliefplan's version plus a hash of the library's source). A job is
skipped on ``--resume`` when its last run succeeded with the same
fingerprint and every file it produced is still there, unchanged.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import reliefplan
from reliefplan.batch.files import sha256_file
from reliefplan.core.secret import secret_fingerprint

_HASH_CACHE: dict[tuple, str] = {}


def file_hash(path) -> str:
    """SHA-256 of a file, cached by (path, size, mtime) for the life of the process."""
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _HASH_CACHE:
        _HASH_CACHE[key] = sha256_file(path)
    return _HASH_CACHE[key]


def code_version() -> str:
    """``<version>+<12 hex>``: the package version and a hash of every library source file."""

    root = Path(reliefplan.__file__).parent
    digest = hashlib.sha256(reliefplan.__version__.encode())
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return f"{reliefplan.__version__}+{digest.hexdigest()[:12]}"


def input_files(plan: dict) -> dict[str, Path]:
    """The files a plan's reports read: the plan itself and every file under ``data:``."""
    files = {"plan": Path(plan["_path"])}
    files.update({key: Path(p) for key, p in sorted((plan.get("_files") or {}).items())})
    return files


def input_hashes(plan: dict) -> dict[str, str]:
    """``{'plan (plan_2027.yaml)': sha256, 'registry (registry.csv)': sha256, ...}``.

    Also the fingerprint of the person-key secret (never the secret): a report
    made with another secret has other person keys, so it is not reused.
    """
    hashes = {f"{key} ({path.name})": file_hash(path) for key, path in input_files(plan).items() if path.exists()}
    hashes["person-key secret (fingerprint)"] = secret_fingerprint()
    return hashes


def _stable_parameters(parameters: dict) -> dict:
    return {k: v for k, v in parameters.items() if k != "attachments_dir"}


def fingerprint(job, inputs: dict, code: str) -> str:
    """The hash of everything the job's output depends on."""
    payload = {
        "notebook": job.notebook,
        "notebook_sha256": file_hash(job.notebook_path()),
        "parameters": _stable_parameters(job.parameters),
        "inputs": inputs,
        "code": code,
        "kind": job.kind,
        "stem": job.stem,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def outputs_intact(entry: dict, year_dir) -> bool:
    """Every output file recorded for a job exists with the recorded hash."""
    outputs = entry.get("outputs") or []
    if not outputs:
        return False
    for out in outputs:
        path = Path(year_dir) / out["path"]
        if not path.is_file() or file_hash(path) != out.get("sha256"):
            return False
    return True


def can_skip(entry: dict | None, fp: str, year_dir) -> bool:
    """True when ``entry`` (the job's last manifest entry) succeeded with fingerprint ``fp`` and its files are intact."""
    return bool(entry) and entry.get("status") == "ok" and entry.get("fingerprint") == fp \
        and outputs_intact(entry, year_dir)
