"""The what-if app: a panel of controls over :func:`reliefplan.models.whatif.update`.

In JupyterLab (through the façade :mod:`reliefplan.app`, which re-exports ``panel``)::

    from reliefplan.app import panel
    panel()                      # the demo plan
    panel("my_plan.yaml")        # or a plan file, or a loaded plan dict

The served app (``reliefplan app``) shows the same panel as the first and
only thing on its page (notebooks/30_whatif_app.ipynb).

Modules: :mod:`.data` (inputs, read once), :mod:`.panel` (the widgets),
:mod:`.money_control` (a slider and a box for one amount), :mod:`.figures`
(the results), :mod:`.affected` (who drops out), :mod:`.scenarios` and
:mod:`.scenario_tab` (save, load), :mod:`.compare` (side by side, exports).
"""

from __future__ import annotations

from reliefplan.views.app.data import (
    Inputs, check_unit, for_unit, initial_controls, intro_html, last_year_totals, load_inputs, plan_scenarios, totals_table,
)
from reliefplan.views.app.cache import load_app_inputs
from reliefplan.views.app.panel import WhatIfApp
from reliefplan.views.app.texts import esc

__all__ = ["Inputs", "WhatIfApp", "build_app", "check_unit", "esc", "for_unit", "initial_controls", "intro_html", "load_inputs",
           "panel", "plan_scenarios", "totals_table"]


def build_app(state_or_inputs, *, lang: str = "zh", controls: dict | None = None, chart: bool = True) -> WhatIfApp:
    """The app over a WhatIfState or the :class:`Inputs` from :func:`load_inputs`."""
    if isinstance(state_or_inputs, Inputs):
        inputs = state_or_inputs
        return WhatIfApp(inputs.state, lang=lang, unit_names=inputs.unit_names, controls=controls, chart=chart,
                         people=inputs.people, demo=inputs.demo,
                         last_year=last_year_totals(inputs.history, int(inputs.plan.get("year", 0))))
    return WhatIfApp(state_or_inputs, lang=lang, controls=controls, chart=chart)


def panel(plan=None, *, lang: str = "zh", scenario=None, unit="all", cap=None, allocation_mode=None,
          threshold_multiple=None, display: bool = True) -> WhatIfApp:
    """Load ``plan`` (a path, a loaded plan, or None for the demo), build the panel and display it.

    In the served app the inputs come from the server's cache (see :mod:`.cache`).

    Returns the :class:`WhatIfApp` (``.result`` holds the figures shown).
    """
    from IPython.display import display as show  # only a notebook displays; the library works without IPython

    inputs = load_app_inputs(plan, lang=lang)
    app = build_app(inputs, lang=lang, controls=initial_controls(
        scenario=scenario, cap=cap, allocation_mode=allocation_mode, threshold_multiple=threshold_multiple,
        unit=unit))
    if display:
        show(app.widget)
    return app
