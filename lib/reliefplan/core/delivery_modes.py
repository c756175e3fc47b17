"""Delivery modes (发放方式) as words people write them: the vocabulary shared by the registry check and the models.

A registry's 发放方式 cell must be one of these words (the registry reader
rejects anything else to quarantine); :mod:`reliefplan.models.delivery`
decides each person's mode from them and the plan.
"""

from __future__ import annotations

MODES = ("transfer", "visit", "collective")
MODE_LABELS = {
    "transfer": ("转账(社会化发放)", "bank transfer"),
    "visit": ("上门走访", "home visit"),
    "collective": ("集中发放", "collective distribution"),
}
ALIASES = {
    "transfer": "transfer", "转账": "transfer", "社会化发放": "transfer", "转账/社会化发放": "transfer",
    "银行转账": "transfer", "打卡发放": "transfer", "转账(社会化发放)": "transfer", "转账（社会化发放）": "transfer",
    "visit": "visit", "上门走访": "visit", "走访": "visit", "入户走访": "visit", "上门": "visit",
    "collective": "collective", "集中发放": "collective", "集中": "collective",
}
DEFAULT_MODE = "visit"


def mode_of(value) -> str | None:
    """The mode a written value names (``'社会化发放'`` -> ``'transfer'``), or None when it names none."""
    return ALIASES.get(str(value).strip())
