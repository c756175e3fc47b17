"""Record key figures from a notebook so tests and the batch runner can read them back.

``record("total_fen", 123)`` displays a small JSON output under a custom MIME
type; it is invisible in HTML exports and readable from the executed
``.ipynb`` with :func:`read_records`. This is how a notebook's totals are
checked against the library and how the roll-up reconciles with the units.
"""

from __future__ import annotations

import json

import nbformat
from IPython.display import display

MIME = "application/vnd.reliefplan.core.record+json"


def _plain(value):
    """Make a value JSON-safe (ints stay exact; Decimal as str; numpy scalars unwrapped)."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        value = value.item()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def record(key: str, value) -> None:
    """Record ``value`` under ``key`` in the running notebook's outputs."""

    display({MIME: {"key": key, "value": _plain(value)}}, raw=True)


def read_records(nb) -> dict:
    """All recorded values of an executed notebook (nbformat node or path), key -> value."""

    if not hasattr(nb, "cells"):
        nb = nbformat.read(str(nb), as_version=4)
    out = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if MIME in data:
                payload = data[MIME]
                if isinstance(payload, str):
                    payload = json.loads(payload)
                out[payload["key"]] = payload["value"]
    return out
