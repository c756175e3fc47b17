"""Report one slip once: totals that follow from a wrong subtotal, and slips copied with a plan.

篇7 writes 伙食费80 + 燃油费80 + 香烟60 "共180元" (220) and then 总支3280元,
which is right for the stated subtotals: the total is wrong only because of
the subtotal. 篇8 is a near-copy of 篇7 and repeats both. Four mismatches,
one slip. This module marks each check's ``origin``:

* ``follows``: a total whose stated figure equals the sum of the stated parts
  under it, and whose difference is the sum of the differences of the
  mismatched parts it covers (``root``: the first such part);
* ``inherited``: a check in a plan that is a near-duplicate of an earlier
  plan (:mod:`reliefplan.models.plan_similarity`) with the same reference,
  stated and computed figures and status (``root``: the original's root).

Only findings (:data:`reliefplan.models.reconcile.FINDING_STATUSES`) are
marked; the first occurrence keeps an empty origin and is the one reported.
"""

from __future__ import annotations

import pandas as pd

from reliefplan.models.plan_similarity import compare_plans, duplicate_groups

ORIGIN_LABELS = {
    "follows": ("由{root}的笔误而来", "follows from the slip at {root}"),
    "inherited": ("沿用{root}(近似重复方案)", "inherited from {root} (near-duplicate plan)"),
}


def _key(row) -> tuple:
    return (row["line"], row["check"], row["measure"], _v(row["stated_fen"]), _v(row["computed_fen"]),
            _v(row["stated_count"]), _v(row["computed_count"]), row["status"])


def _v(value):
    return None if value is None or pd.isna(value) else int(value)


def mark_origins(checks: pd.DataFrame, lib, findings: tuple, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """``checks`` (case-library rows of one library) with ``origin`` and ``root`` filled in."""
    out = checks.copy()
    out["origin"] = out["origin"].astype(object)
    out["root"] = out["root"].astype(object)
    is_finding = out["status"].isin(findings)
    stated_of = {(s.plan_id, s.ref): set(s.of) for s in lib.stated.itertuples()}

    for plan_id, group in out[is_finding].groupby("record", sort=False):
        for i, row in group.iterrows():
            of = stated_of.get((plan_id, row["line"]))
            if not of or row["check"] not in ("total", "subtotal") or _v(row["stated_parts_fen"]) is None \
                    or _v(row["stated_parts_fen"]) != _v(row["stated_fen"]):
                continue
            parts = group[(group.index != i) & group["line"].map(
                lambda ref: ref in of or stated_of.get((plan_id, ref), {None}) <= of)]
            parts = parts[(parts["status"] == "mismatch") & parts["stated_fen"].notna()]
            if len(parts) and int(parts["difference_fen"].fillna(0).sum()) == _v(row["difference_fen"]):
                out.loc[i, ["origin", "root"]] = ["follows", f"{plan_id} {parts['line'].iloc[0]}"]

    if pairs is None:
        pairs = compare_plans(lib)
    groups = duplicate_groups(lib.plans["id"], pairs)
    for plan_id, rep in groups.items():
        if plan_id == rep:
            continue
        originals = {_key(r): (j, r) for j, r in out[(out["record"] == rep) & is_finding].iterrows()}
        for i, row in out[(out["record"] == plan_id) & is_finding].iterrows():
            match = originals.get(_key(row))
            if match is None:
                continue
            j, original = match
            root = original["root"] if isinstance(original["root"], str) and original["root"] else \
                f"{rep} {original['line']}"
            out.loc[i, ["origin", "root"]] = ["inherited", root]
    return out


def origin_text(origin, root, lang: str = "zh") -> str:
    """'沿用篇7 S1(近似重复方案)' / 'inherited from 篇7 S1 (near-duplicate plan)'; '' without an origin."""
    if not isinstance(origin, str) or origin not in ORIGIN_LABELS:
        return ""
    return ORIGIN_LABELS[origin][0 if lang == "zh" else 1].format(root=root)
