"""Where pandas keeps text columns (the ``str`` dtype): Python objects, or Arrow in a batch kernel sharing inputs.

pandas 3 keeps ``str`` columns in Arrow whenever pyarrow is installed, and
reliefplan installs it (for the shared inputs below). The models are tuned for
Python storage: a registry column shares one str object per repeated value,
and many steps go through object arrays, which Arrow storage converts cell by
cell. Measured on one machine: a 5,000,000-person budget + coverage run peaks
at 6.7 GiB with Python storage and 8.5 GiB with Arrow, and at 1,000,000 people
the models take 24 s against 43 s. So reliefplan sets Python storage.

The exception is a batch kernel that opens the run's shared inputs
(:mod:`reliefplan.ingest.shared_store`, named by :data:`SHARED_INPUTS_ENV`):
there the point is that the strings stay in the memory-mapped Arrow files, one
copy for all kernels, and at a province's size Arrow is faster too (the province
batch: 246 s and 2.3 GiB in all against 261 s and 3.4 GiB). The reports are the
same either way (tests compare a report made from the shared inputs with one
made without).

:func:`apply` runs when reliefplan is imported; it sets the pandas option
``mode.string_storage`` for the whole process (a notebook that imports
reliefplan gets Python storage for its own new text columns too).
"""

from __future__ import annotations

import importlib.util
import os

import pandas as pd

# The folder of a batch run's shared parsed inputs (set in the environment of the run's kernels).
SHARED_INPUTS_ENV = "RELIEFPLAN_SHARED_INPUTS"


def storage() -> str:
    """``"pyarrow"`` in a kernel sharing inputs (when pyarrow is installed), else ``"python"``."""
    if os.environ.get(SHARED_INPUTS_ENV) and importlib.util.find_spec("pyarrow") is not None:
        return "pyarrow"
    return "python"


def apply() -> str:
    """Set pandas' text storage for this process (see the module); returns it."""
    chosen = storage()
    pd.set_option("mode.string_storage", chosen)
    return chosen
