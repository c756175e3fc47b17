"""The JupyterLab entry point of the what-if app: ``from reliefplan.app import panel; panel(plan)``.

A façade and nothing else: it re-exports the app's panel from
:mod:`reliefplan.views.app`, where the app lives with the other views, under
the short name a planner types in a notebook. The served app
(``reliefplan app``, notebooks/30_whatif_app.ipynb) makes the same call.

May import: reliefplan.views (the app it re-exports). It sits at the top
beside cli, and no layer imports it.
"""

from __future__ import annotations

from reliefplan.views.app import WhatIfApp, build_app, load_inputs, panel

__all__ = ["WhatIfApp", "build_app", "load_inputs", "panel"]
