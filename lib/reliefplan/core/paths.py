"""Where the notebooks and the embedded demo data live, and how to point at your own.

From a source checkout they are the repository's ``notebooks/`` and ``data/``
folders. An installed wheel (``pip install reliefplan-*.whl``, e.g. on an
offline machine) carries them as data files under ``<prefix>/share/reliefplan/``
(``sys.prefix`` of the venv, or the user base for ``pip install --user``).
``RELIEFPLAN_DATA`` overrides the data folder (e.g. a copy of the demo set you
have edited); reports default to ``reports/`` of the checkout, or of the
current folder when installed.
"""

from __future__ import annotations

import os
import site
import sys
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[3]


def _is_resource_root(folder: Path) -> bool:
    return (folder / "notebooks").is_dir() and (folder / "data").is_dir()


def _installed_roots() -> list[Path]:
    return [Path(sys.prefix) / "share" / "reliefplan", Path(site.USER_BASE or "") / "share" / "reliefplan"]


def resource_root() -> Path:
    """The folder holding ``notebooks/`` and ``data/``: the checkout, else the installed share folder."""
    if _is_resource_root(SOURCE_ROOT):
        return SOURCE_ROOT
    for folder in _installed_roots():
        if _is_resource_root(folder):
            return folder
    return SOURCE_ROOT


REPO_ROOT = resource_root()


def installed() -> bool:
    """True when running from an installed wheel rather than a source checkout."""
    return REPO_ROOT != SOURCE_ROOT


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
    return Path.cwd() / "reports" if installed() else REPO_ROOT / "reports"
