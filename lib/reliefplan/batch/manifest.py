"""``manifest.json``: what a report folder holds and how each report was made.

One entry per job (unit, roll-up, city notebook): status, timing, the
parameters, the fingerprint and input hashes, every output file with its
size and SHA-256, the error and the failing cell when it failed, and the
figures the notebook recorded. The manifest is rewritten atomically after
every finished job, so it always describes what is on disk; entries of jobs
not run this time (another ``--units`` subset) are kept.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from reliefplan.batch.files import atomic_write_text

MANIFEST = "manifest.json"
SCHEMA_VERSION = 1
STATUSES = ("ok", "failed", "timeout", "error", "interrupted", "pending")


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def empty_manifest() -> dict:
    return {"schema": SCHEMA_VERSION, "jobs": {}, "runs": []}


def load_manifest(year_dir) -> dict:
    """The folder's manifest, or an empty one (also when the file is unreadable)."""
    path = Path(year_dir) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return empty_manifest()
    if not isinstance(data, dict) or data.get("schema") != SCHEMA_VERSION:
        return empty_manifest()
    data.setdefault("jobs", {})
    data.setdefault("runs", [])
    return data


def write_manifest(year_dir, manifest: dict) -> Path:
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False, default=str)
    return atomic_write_text(Path(year_dir) / MANIFEST, text + "\n")


def output_kind(name: str) -> str:
    suffix = Path(name).suffix.lower().lstrip(".")
    return {"html": "html", "ipynb": "ipynb", "xlsx": "xlsx"}.get(suffix, suffix or "file")


def job_entry(job, *, status: str, fingerprint: str, inputs: dict, code: str, outputs: list[dict],
              result: dict | None = None, skipped: bool = False, previous: dict | None = None) -> dict:
    """The manifest entry of one job."""
    result = result or {}
    entry = {
        "job_id": job.job_id,
        "kind": job.kind,
        "unit_code": job.unit_code,
        "level": job.level,
        "parent_code": job.parent_code,
        "children": list(job.children),
        "title": job.title,
        "title_en": job.title_en,
        "notebook": job.notebook,
        "stem": job.stem,
        "status": status,
        "skipped": skipped,
        "started": datetime.fromtimestamp(result["started"]).astimezone().isoformat(timespec="seconds")
        if result.get("started") else None,
        "finished": now_iso() if result else None,
        "duration_s": result.get("duration_s"),
        "parameters": {k: v for k, v in job.parameters.items() if k != "attachments_dir"},
        "fingerprint": fingerprint,
        "code_version": code,
        "input_hashes": inputs,
        "outputs": outputs,
        "error": result.get("error"),
        "records": result.get("records") or {},
        "worker": result.get("worker"),
    }
    if skipped and previous:
        for key in ("started", "finished", "duration_s", "outputs", "records", "worker"):
            entry[key] = previous.get(key)
        entry["resumed_at"] = now_iso()
    return entry
