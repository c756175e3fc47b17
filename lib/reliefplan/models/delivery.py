"""Delivery modes (发放方式): how each person's gift reaches them, and who is visited in person.

Most 低保 and 特困 money goes by bank transfer (社会化发放); leaders visit a
few representative households door to door; some groups collect at a
distribution point (集中发放). A plan says which, per category::

    categories:
      dibao: {per: household, cash: 500, delivery: transfer}
    delivery:
      default: visit              # categories without `delivery` (default: visit)
      representative_visits:      # transfer/collective recipients visited in person as well
        per: township             # township | county
        count: 2                  # this many per township (county)
        order: priority           # priority: highest priority first (then registry order) | registry
        categories: [tekun, dibao]   # optional: choose only among these

A registry column 发放方式 (``delivery``), when filled, overrides the
category's mode for that person. Modes: ``transfer`` (转账/社会化发放),
``visit`` (上门走访), ``collective`` (集中发放); the Chinese words are accepted.

Only visits enter the team schedule (:mod:`reliefplan.models.schedule`);
the coverage funnel counts "reached" by mode (:mod:`reliefplan.models.coverage`):
a transfer is reached when it is paid, a collective gift when its receipt is
signed, a visit when the visit's receipt is signed.
"""

from __future__ import annotations

import pandas as pd

from reliefplan.core import labels
from reliefplan.core.delivery_modes import ALIASES, DEFAULT_MODE, MODE_LABELS, MODES  # noqa: F401 (re-exported)
from reliefplan.core.errors import ConfigError, InputError

REP_PER = ("township", "county")
REP_ORDER = ("priority", "registry")


def mode_label(mode: str, lang: str = "zh") -> str:
    return MODE_LABELS[mode][labels.LANGS.index(labels.check_lang(lang))]


def _mode(value, *, file=None, column=None, row=None, error=ConfigError) -> str:
    key = str(value).strip()
    if key in ALIASES:
        return ALIASES[key]
    raise error(f"发放方式须为 转账(社会化发放)、上门走访 或 集中发放: {value!r}",
                f"the delivery mode must be transfer, visit or collective: {value!r}",
                file=file, row=row, column=column)


def plan_spec(plan: dict) -> dict:
    """The plan's ``delivery`` section, checked: default mode and representative-visit rule (or None)."""
    spec = plan.get("delivery") or {}
    path = plan.get("_path")
    if not isinstance(spec, dict):
        raise ConfigError("delivery 须为映射", "delivery must be a mapping", file=path, column="delivery")
    default = _mode(spec.get("default", DEFAULT_MODE), file=path, column="delivery.default")
    rep = spec.get("representative_visits")
    if rep is not None:
        where = "delivery.representative_visits"
        if not isinstance(rep, dict):
            raise ConfigError("须为映射(per, count, order)", "must be a mapping (per, count, order)",
                              file=path, column=where)
        per, order, count = rep.get("per", "township"), rep.get("order", "priority"), rep.get("count")
        if per not in REP_PER:
            raise ConfigError(f"per 须为 {' / '.join(REP_PER)}", f"per must be one of {', '.join(REP_PER)}",
                              file=path, column=f"{where}.per")
        if order not in REP_ORDER:
            raise ConfigError(f"order 须为 {' / '.join(REP_ORDER)}", f"order must be one of {', '.join(REP_ORDER)}",
                              file=path, column=f"{where}.order")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ConfigError("count 须为正整数", "count must be a whole number of at least 1",
                              file=path, column=f"{where}.count")
        cats = rep.get("categories")
        if cats is not None and (not isinstance(cats, list) or not all(c in (plan.get("categories") or {})
                                                                       for c in cats)):
            raise ConfigError("categories 须为本方案慰问类别的列表", "categories must list categories of this plan",
                              file=path, column=f"{where}.categories")
        rep = {"per": per, "count": count, "order": order, "categories": cats}
    return {"default": default, "representative_visits": rep}


def category_modes(plan: dict) -> dict[str, str]:
    """Category code -> delivery mode for every category of the plan."""
    default = plan_spec(plan)["default"]
    out = {}
    for code, std in (plan.get("categories") or {}).items():
        value = std.get("delivery") if isinstance(std, dict) else None
        out[code] = default if value is None else _mode(value, file=plan.get("_path"),
                                                        column=f"categories.{code}.delivery")
    return out


def person_modes(people: pd.DataFrame, plan: dict) -> pd.Series:
    """Each person's delivery mode: the registry's ``delivery`` (发放方式) when filled, else the category's."""
    default = plan_spec(plan)["default"]
    modes = people["category"].map(category_modes(plan)).fillna(default)
    if "delivery" in people.columns:
        written = people["delivery"].astype("string").fillna("").str.strip()
        for idx in written.index[written != ""]:
            row = people.at[idx, "source_row"] if "source_row" in people.columns else None
            modes.at[idx] = _mode(written.at[idx], column="发放方式 delivery", row=row, error=InputError)
    return modes.astype(str)


def representatives(people: pd.DataFrame, rule: dict | None) -> pd.Series:
    """Boolean mask of ``people`` chosen for a representative visit under ``rule`` (see the module docstring).

    ``people`` needs ``township_code``, ``county_code``, ``category``,
    ``priority`` and ``_row`` (registry order); only non-visit people should
    be passed. Within each township (county), people are ranked by priority
    (1 first) then registry order, or by registry order alone, and the first
    ``count`` are chosen.
    """
    if rule is None or people.empty:
        return pd.Series(False, index=people.index)
    pool = people
    if rule["categories"] is not None:
        pool = pool[pool["category"].isin(rule["categories"])]
    group = "township_code" if rule["per"] == "township" else "county_code"
    keys = [group, "priority", "_row"] if rule["order"] == "priority" else [group, "_row"]
    ranked = pool.sort_values(keys, kind="stable")
    chosen = ranked.groupby(group, sort=False).cumcount() < rule["count"]
    mask = pd.Series(False, index=people.index)
    mask[chosen.index[chosen]] = True
    return mask


def counts_by_mode(people: pd.DataFrame, to_visit: pd.Series) -> pd.DataFrame:
    """People per delivery mode and how many of them are to be visited: delivery, people, to_visit."""
    frame = pd.DataFrame({"delivery": people["delivery"].to_numpy(), "to_visit": to_visit.to_numpy().astype(bool)})
    out = frame.groupby("delivery").agg(people=("to_visit", "size"), to_visit=("to_visit", "sum"))
    out = out.reindex([m for m in MODES if m in out.index]).reset_index()
    out["people"] = out["people"].astype("int64")
    out["to_visit"] = out["to_visit"].astype("int64")
    return out
