"""Year-over-year continuity (连续性): reached last year, not reached this year, and why.

A household reached in one campaign and not in the next either left the
rolls for a known reason or fell through the cracks. Reasons, in order of
precedence:

- ``moved`` / ``died`` / ``no_longer_eligible`` - from the registry-change
  records (the latest change dated in the previous or the assessed year);
- ``no_longer_eligible`` - still on the registry but failing the plan's rules;
- ``missed`` - still listed and eligible (or visited without a signed
  receipt) but not reached: these need follow-up;
- ``unknown`` - dropped from the registry with no recorded change.
"""

from __future__ import annotations

import pandas as pd

REASONS = ("moved", "died", "no_longer_eligible", "missed", "unknown")
REASON_LABELS = {
    "moved": ("迁出", "moved away"),
    "died": ("死亡", "died"),
    "no_longer_eligible": ("不再符合条件", "no longer eligible"),
    "missed": ("漏慰", "missed"),
    "unknown": ("原因不明", "unknown"),
}



def reached_ids(visits: pd.DataFrame, year: int) -> pd.Index:
    """ID numbers with a signed-receipt visit in campaign ``year``."""
    v = visits.loc[(visits["campaign_year"].astype(int) == int(year)) & visits["signed"].fillna(False).astype(bool)]
    return pd.Index(v["id_number"].astype(str).unique())


def continuity(visits: pd.DataFrame, changes: pd.DataFrame, status: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """People reached in ``year - 1`` but not in ``year``, with the reason where known.

    ``status`` is :func:`reliefplan.models.coverage.person_status` for ``year``
    (it says who is still listed, eligible and reached). Columns:
    id_number, name, area_code, category (from last year's visit),
    reason (one of :data:`REASONS`), reason_zh, reason_en, change_note,
    still_listed, visited_unsigned.
    """
    prev = int(year) - 1
    before = reached_ids(visits, prev)
    now = pd.Index(status.loc[status["reached"], "id_number"].astype(str)) \
        if len(status) else reached_ids(visits, year)
    lost = before.difference(now)
    last = visits.loc[(visits["campaign_year"].astype(int) == prev) & visits["id_number"].astype(str).isin(lost)] \
        .drop_duplicates("id_number").set_index("id_number")
    out = pd.DataFrame(index=pd.Index(lost, name="id_number"))
    out["name"] = last["name"].reindex(out.index) if "name" in last else ""
    out["area_code"] = last["area_code"].reindex(out.index).astype(str)
    out["category"] = last["category"].reindex(out.index) if "category" in last else ""

    ch = None
    if len(changes):
        sel = changes.loc[changes["year"].astype(int).between(prev, int(year))].copy()
        sel["_y"] = sel["year"].astype(int)
        ch = sel.sort_values("_y", kind="stable").drop_duplicates("id_number", keep="last").set_index("id_number")

    st = status.set_index("id_number") if len(status) else None
    listed = st["registered"].reindex(out.index).fillna(False).astype(bool) if st is not None \
        else pd.Series(False, index=out.index)
    eligible = st["eligible"].reindex(out.index).fillna(False).astype(bool) if st is not None \
        else pd.Series(False, index=out.index)
    unsigned = st["visited_unsigned"].reindex(out.index).fillna(False).astype(bool) if st is not None \
        else pd.Series(False, index=out.index)

    reason = pd.Series("unknown", index=out.index, dtype=object)
    reason[listed & ~eligible] = "no_longer_eligible"
    reason[(listed & eligible) | unsigned] = "missed"
    note = pd.Series("", index=out.index, dtype=object)
    if ch is not None:
        recorded = ch["reason"].reindex(out.index)
        known = recorded.isin(("moved", "died", "no_longer_eligible"))
        reason[known] = recorded[known]
        if "note" in ch:
            note = ch["note"].reindex(out.index).fillna("").astype(str)
    out["reason"] = reason
    out["reason_zh"] = reason.map(lambda r: REASON_LABELS[r][0])
    out["reason_en"] = reason.map(lambda r: REASON_LABELS[r][1])
    out["change_note"] = note
    out["still_listed"] = listed
    out["visited_unsigned"] = unsigned
    order = {r: i for i, r in enumerate(REASONS)}
    out = out.reset_index()
    out = out.sort_values(["reason", "area_code", "id_number"], key=lambda s: s.map(order) if s.name == "reason" else s)
    return out.reset_index(drop=True)


def reason_counts(cont: pd.DataFrame, *, lang: str = "zh") -> pd.DataFrame:
    """How many of last year's reached people were lost, per reason (all reasons listed)."""
    counts = cont["reason"].value_counts().reindex(list(REASONS), fill_value=0)
    idx = 0 if lang == "zh" else 1
    return pd.DataFrame({"reason": list(REASONS), "reason_label": [REASON_LABELS[r][idx] for r in REASONS],
                         "people": counts.to_numpy().astype(int)})
