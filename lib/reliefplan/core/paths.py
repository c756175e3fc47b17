"""Where the embedded demo data lives, and how to point at your own.

The demo data ships in the repository's ``data/`` folder. ``RELIEFPLAN_DATA``
overrides the folder (e.g. for a copy of the demo set you have edited).
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]


def data_dir() -> Path:
    """The folder holding the demo data set (``data/`` unless overridden)."""
    override = os.environ.get("RELIEFPLAN_DATA")
    return Path(override) if override else REPO_ROOT / "data"


def demo_path(name: str) -> Path:
    """Path of one demo file, e.g. ``demo_path('plan_2027.yaml')``."""
    return data_dir() / name


def demo_plan_path() -> Path:
    """The demo plan for the 2027 campaign, the default of every CLI verb."""
    return demo_path("plan_2027.yaml")


def notebooks_dir() -> Path:
    return REPO_ROOT / "notebooks"


def reports_dir() -> Path:
    return REPO_ROOT / "reports"
