"""The served app's prepared inputs, kept on disk so they are computed once per server, not per visitor.

Reading the registry, assessing eligibility twice and precomputing the
what-if state take seconds; every visitor's kernel would repeat them. When
``RELIEFPLAN_APP_CACHE`` names a folder (``reliefplan app`` sets it for its
kernels), the first kernel stores what the panel needs there and the others
load it.

What is stored holds no unmasked personal data: the what-if state (counts,
incomes, household sizes by registry row number), the masked people list,
area names, the plan and last year's totals; the registry itself, the
eligibility rows and the beneficiaries are left out. The key covers the
plan file's bytes, each data file's path, size and modification time, and
the code itself, so an edited registry or an upgrade is never served stale.
The folder and files are private to the user (0700 / 0600); a file that is
not (or not the user's) is ignored, because loading a pickle runs code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

import pandas as pd

from reliefplan.ingest.plan import load_plan
from reliefplan.views.app.data import Inputs, load_inputs

CACHE_ENV = "RELIEFPLAN_APP_CACHE"
FORMAT = 1
_CODE_ROOT = Path(__file__).resolve().parents[2]   # lib/reliefplan


def _code_stamp() -> str:
    """Changes whenever a module of the library changes (path, size, mtime of every .py file)."""
    h = hashlib.sha256()
    for path in sorted(_CODE_ROOT.rglob("*.py")):
        st = path.stat()
        h.update(f"{path.relative_to(_CODE_ROOT)}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()


def cache_key(plan: dict, *, lang: str) -> str:
    """A key for the inputs of ``plan``: plan bytes, data files' identities, the code, versions, language."""
    h = hashlib.sha256(f"{FORMAT}|{lang}|{sys.version}|{pd.__version__}|{_code_stamp()}".encode())
    path = plan.get("_path")
    if path is not None:
        h.update(Path(path).read_bytes())
    for key, file in sorted((plan.get("_files") or {}).items()):
        st = Path(file).stat()
        h.update(f"{key}={file}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()[:32]


def _private(path: Path) -> bool:
    """True when ``path`` belongs to this user and nobody else may write it."""
    try:
        st = path.stat()
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def slim(inputs: Inputs) -> Inputs:
    """What the panel needs, without the registry's personal data or the per-row tables."""
    return dataclasses.replace(inputs, registry=inputs.registry.iloc[:0].copy(), rows=None, beneficiaries=None)


def load_app_inputs(plan=None, *, lang: str = "zh", folder=None) -> Inputs:
    """The panel's inputs: from the cache folder when there is one and it holds them, else computed (and stored)."""
    folder = Path(folder) if folder else (Path(os.environ[CACHE_ENV]) if os.environ.get(CACHE_ENV) else None)
    if folder is None:
        return load_inputs(plan, lang=lang)
    plan = plan if isinstance(plan, dict) else load_plan(plan)
    path = folder / f"inputs-{cache_key(plan, lang=lang)}.pickle"
    if path.is_file() and _private(folder) and _private(path):
        try:
            with open(path, "rb") as fh:
                cached = pickle.load(fh)
            if isinstance(cached, Inputs):
                return cached
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            pass  # unreadable or from other code: compute afresh and overwrite it
    inputs = slim(load_inputs(plan, lang=lang))
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if _private(folder):
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".inputs-", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(inputs, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
    except OSError:
        pass  # a cache that cannot be written only costs time
    return inputs
