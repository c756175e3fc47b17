"""Households in a roster registry: one beneficiary per household, its members kept in view.

A household roster (花名册) lists one member per row with a ``household_key``
(:mod:`reliefplan.ingest.roster`). For the budget a household is one
beneficiary: ``households`` = 1 and ``persons`` = its eligible member rows in
that category, so a per-household standard pays it once and a per-person
standard pays each member. Rows without a key (the usual one-row-per-person
or one-row-per-household lists) are left as they are.

The 登记表 lists every member under the household, with the household's
money on the head's line for a per-household standard and on each member's
line for a per-person standard (:func:`member_amounts`), so its total equals
the budget's to the fen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _group_of(rows: pd.DataFrame) -> pd.Series | None:
    """Household key + category per row (NaN where the row has no household key), or None."""
    if "household_key" not in rows:
        return None
    key = rows["household_key"]
    has = key.notna()
    if not has.any():  # the usual registry: no roster, nothing to do (and nothing to spend on 1M rows)
        return None
    key = key.astype(object)
    has &= key.astype(str).ne("")
    return (key.astype(str) + "\x00" + rows["category"].astype(str)).where(has)


def collapse(frame: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (beneficiaries, one per registry row of ``rows``) with each roster household made one row.

    The household's row is its first member's (index and 低保 standard);
    ``persons`` becomes the number of its member rows, ``households`` stays 1.
    """
    group = _group_of(rows)
    if group is None:
        return frame
    keyed = group.notna().to_numpy()
    first = keyed & ~group.duplicated().to_numpy()
    members = group.map(group.value_counts()).to_numpy()
    out = frame.loc[~keyed | first].copy()
    persons = out["persons"].to_numpy(dtype=np.int64).copy()
    heads = first[~keyed | first]
    persons[heads] = members[first].astype(np.int64)
    out["persons"] = persons
    return out


def member_rows(beneficiaries: pd.DataFrame, registry: pd.DataFrame, eligible=None) -> pd.Series:
    """For each registry row behind a beneficiary: the beneficiary's index (its household's first row).

    ``eligible`` (a boolean Series on the registry index) limits members to
    the rows the budget counted. A row without a household key maps to itself.
    The result is in registry order, members right after their head.
    """
    group = _group_of(registry)
    if group is None:
        return pd.Series(beneficiaries.index, index=beneficiaries.index)
    ben_group = group.reindex(beneficiaries.index)
    keyed = ben_group.notna().to_numpy()
    head_of = pd.Series(beneficiaries.index[keyed], index=ben_group[keyed].to_numpy())
    members = group.isin(head_of.index).to_numpy(dtype=bool).copy()
    if eligible is not None:
        members &= eligible.reindex(registry.index).fillna(False).to_numpy(dtype=bool)
    out = pd.concat([pd.Series(beneficiaries.index[~keyed], index=beneficiaries.index[~keyed]),
                     group[members].map(head_of)])
    return out.loc[registry.index[registry.index.isin(out.index)]]


def member_amounts(head: pd.Series, count: np.ndarray, persons: np.ndarray, unit_amount: np.ndarray,
                   beneficiary_index: pd.Index) -> np.ndarray:
    """Amount per member row so that each household's members add up to ``count x unit_amount``.

    ``head`` maps each member row to its beneficiary; ``count``, ``persons``
    and ``unit_amount`` are per beneficiary (in ``beneficiary_index`` order).
    A per-person standard (count equals persons) puts one unit amount on every
    member; otherwise the whole amount sits on the head's row.
    """
    pos = beneficiary_index.get_indexer(head.to_numpy())
    total = (count * unit_amount)[pos]
    per_member = np.where((count == persons)[pos], unit_amount[pos], 0)
    is_head = head.index.to_numpy() == head.to_numpy()
    n_members = head.map(head.value_counts()).to_numpy(dtype=np.int64)
    return np.where(is_head, total - (n_members - 1) * per_member, per_member).astype(np.int64)


def split_amounts(head: pd.Series, totals: np.ndarray, per_person: np.ndarray,
                  beneficiary_index: pd.Index) -> np.ndarray:
    """Amount per member row from each beneficiary's total, exactly: per person evenly, else on the head.

    ``totals`` and ``per_person`` are per beneficiary (``beneficiary_index``
    order); the head's line takes any remainder so each household adds up.
    """
    pos = beneficiary_index.get_indexer(head.to_numpy())
    n = head.map(head.value_counts()).to_numpy(dtype=np.int64)
    total = np.asarray(totals, dtype=np.int64)[pos]
    each = np.where(np.asarray(per_person, dtype=bool)[pos], total // n, 0)
    is_head = head.index.to_numpy() == head.to_numpy()
    return np.where(is_head, total - (n - 1) * each, each).astype(np.int64)
