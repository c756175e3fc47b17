"""The sections of the planning reports, for the report notebooks to call.

``notebooks/10_unit_report.ipynb`` (one unit) and ``notebooks/20_rollup.ipynb``
(the whole city) are a list of calls to this module: load a
:class:`ReportContext`, then ``show(<section>(ctx))`` per section. Each
section function returns a :class:`Section` (a title and blocks: text,
tables, figures) built from the domain modules — eligibility, budget,
coverage, campaigns, timeline, schedule, maps — so the notebooks hold no
logic and tests can check a section without a kernel.

Rules kept here:

* a unit's report holds only that unit's people: every person-level table
  is cut to the unit's area codes, and is masked (names, ID numbers,
  phones) by the module that builds it;
* money is integer fen until it is shown;
* the unit's budget is its slice of the city-wide budget (overheads and the
  contingency are city-wide amounts spread over the lines exactly), so the
  units add up to the city to the fen — which the roll-up checks against
  the figures each unit report recorded (:func:`reconciliation`);
* an organizer's report (``organizer=`` the registry's 填报单位) holds only the
  people that organizer listed; its budget is their slice of the same
  city-wide budget (:func:`organizer_lines`), and it is never part of the
  roll-up's reconciliation (one person may be listed by several organizers).
"""

from reliefplan.reports.attachments import *  # noqa: F401,F403
from reliefplan.reports.context import *  # noqa: F401,F403
from reliefplan.reports.display import *  # noqa: F401,F403
from reliefplan.reports.rollup import *  # noqa: F401,F403
from reliefplan.reports.summary import unit_summary  # noqa: F401
from reliefplan.reports.unit_sections import *  # noqa: F401,F403
