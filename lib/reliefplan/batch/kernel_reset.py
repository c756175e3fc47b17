"""The reset module that runs inside each warm kernel, and the code that installs and calls it.

Isolation between jobs in one kernel (so a unit's state can't leak into the
next unit's report): before every job the kernel is reset by
:data:`WARM_MODULE` — ``%reset -f`` (user namespace, output history), then
every ``reliefplan`` module is dropped from ``sys.modules`` so the library is
imported afresh with clean module state, and the working directory,
environment, ``sys.path``, warning filters, random states, pandas options and
plotly's default template/renderer are restored to a snapshot taken when the
kernel started. Third-party modules (pandas, numpy, plotly, ...) stay
imported: that is the start-up cost saved.
"""

from __future__ import annotations

# Imported once per kernel: the expensive third-party stack and, transitively,
# everything the library imports. reliefplan itself is then dropped again so
# each job imports it fresh.
PREIMPORT = (
    "numpy", "pandas", "plotly", "plotly.express", "plotly.graph_objects", "plotly.io",
    "plotly.subplots", "IPython.display", "yaml", "xlsxwriter", "python_calamine",
    "lunar_python", "chinese_calendar", "ipywidgets", "reliefplan", "reliefplan.reports.sections",
    "reliefplan.views.excel_forms",
)

# Source of a helper module created inside each warm kernel (as
# ``_reliefplan_warm``, outside the reliefplan package so the purge keeps it).
WARM_MODULE = r'''
import copy, gc, importlib, os, random, sys, warnings

_state = {}
# Parsed input files shared by the jobs of this kernel, keyed by file identity;
# see reliefplan.ingest.inputs._shared (readers always get deep copies).
cache = {}


def _purge():
    for name in [m for m in sys.modules if m == "reliefplan" or m.startswith("reliefplan.")]:
        del sys.modules[name]


def _pandas_options():
    try:
        import pandas as pd
        keys = list(pd._config.config._registered_options)
    except Exception:
        return {}
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key in keys:
            try:
                out[key] = copy.deepcopy(pd.get_option(key))
            except Exception:
                pass
    return out


def preimport(names):
    failed = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:
            failed.append(f"{name}: {exc!r}")
    return failed


def snapshot():
    """Record the clean state every job starts from (after the pre-imports)."""
    _purge()
    _state["env"] = dict(os.environ)
    _state["path"] = list(sys.path)
    _state["cwd"] = os.getcwd()
    _state["warnings"] = list(warnings.filters)
    _state["random"] = random.getstate()
    try:
        import numpy as np
        _state["np_random"] = np.random.get_state()
    except Exception:
        pass
    _state["pandas"] = _pandas_options()
    try:
        import plotly.io as pio
        _state["plotly"] = (pio.templates.default, pio.renderers.default, set(pio.templates))
    except Exception:
        pass
    gc.collect()


def restore(cwd):
    """Bring the kernel back to the snapshot before the next job."""
    ip = get_ipython()
    ip.reset(new_session=True)  # %reset -f, plus a new history session and In[1] again
    _purge()
    os.environ.clear()
    os.environ.update(_state["env"])
    sys.path[:] = _state["path"]
    os.chdir(cwd or _state["cwd"])
    warnings.filters[:] = _state["warnings"]
    warnings._filters_mutated() if hasattr(warnings, "_filters_mutated") else None
    random.setstate(_state["random"])
    if "np_random" in _state:
        import numpy as np
        np.random.set_state(_state["np_random"])
    if _state.get("pandas"):
        import pandas as pd
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for key, value in _state["pandas"].items():
                try:
                    if pd.get_option(key) != value:
                        pd.set_option(key, value)
                except Exception:
                    pass
    if "plotly" in _state:
        import plotly.io as pio
        template, renderer, names = _state["plotly"]
        for name in set(pio.templates) - names:
            del pio.templates[name]
        pio.templates.default = template
        pio.renderers.default = renderer
    gc.collect()
'''

SETUP_CODE = """
import sys as _s, types as _t
_m = _t.ModuleType("_reliefplan_warm")
exec({source!r}, _m.__dict__)
_s.modules["_reliefplan_warm"] = _m
_m.preimport({names!r})
_m.snapshot()
del _s, _t, _m
"""

RESET_CODE = "__import__('_reliefplan_warm').restore({cwd!r})"
