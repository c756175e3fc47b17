"""A plan's funding pools applied to its beneficiaries: what each pool pays, per row, line and unit.

:func:`allocate_in_pools` runs :func:`reliefplan.models.pools.run_pools` on
the rows the per-person rule pays and turns the result into the tables a
planner reads: each pool's need, payment, balance and shortfall; what is
short because of which pool, by unit, category and part (cash / goods); and
each pool's payments by line, from which the roll-up sums pools across units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reliefplan.models import cap_rules, per_person
from reliefplan.models.lines import group_amounts, line_codes, sum_by_line
from reliefplan.models.overheads import allocate_exact, contingency_fen, overhead_items
from reliefplan.models.pools import CAP, NO_POOL, NOT_SHORT, PoolRun, apply_cap, may_pay_each, plan_pools, run_pools


@dataclass
class PoolResult:
    """A plan's pools applied to its beneficiaries: what is paid, by whom, and what is short because of whom."""

    pools: list
    run: PoolRun
    paid_lines: pd.DataFrame      # gift lines (unit x category) of what the pools pay
    table: pd.DataFrame           # per pool: amount, asked, paid, overheads, contingency, used, left, short
    short: pd.DataFrame           # pool x unit x category x part: recipients short, short_fen
    contingency_fen: int          # sum of each pool's contingency on what it spends
    reached_units: pd.Series      # per beneficiary row: units that receive something
    by_line: pd.DataFrame         # pool_index x county_code x category: gifts_fen each pool pays


def allocate_in_pools(plan: dict, ben: pd.DataFrame, standards: pd.DataFrame, *, mode: str = "priority",
                      step_fen: int = 100, amounts: dict | None = None,
                      overheads: pd.DataFrame | None = None, cap: int | None = None) -> PoolResult:
    """Run the plan's pools over ``ben`` (the rows the per-person rule pays, with its cuts).

    ``cap`` (fen), an overall budget cap, further limits what the pools pay
    together (:func:`reliefplan.models.pools.apply_cap`), overheads and the
    pools' contingencies included.
    """
    pools = plan_pools(plan, amounts)
    oh = overheads if overheads is not None else overhead_items(plan)
    oh_total = int(oh["total_fen"].sum())
    pct = plan.get("contingency_pct", 0)
    rooms = [cap_rules.gifts_room(p.amount_fen, oh_total if p.overheads else 0, pct) for p in pools]
    n = len(ben)
    if n:
        count, cash, goods = group_amounts(ben, standards)
        order = cap_rules.priority_order(ben, standards)
    else:
        count = cash = goods = order = np.zeros(0, dtype=np.int64)
    cut_c, cut_g = per_person.cuts(ben)
    div = ben["divisible"].to_numpy(dtype=bool) if n else np.zeros(0, dtype=bool)
    units = np.where(div, count, 1).astype(np.int64)
    uc = np.where(div, cash, count * cash - cut_c).astype(np.int64)
    ug = np.where(div, goods, count * goods - cut_g).astype(np.int64)
    category = ben["category"].to_numpy(dtype=object) if n else np.zeros(0, dtype=object)
    organizer = ben["organizer"].to_numpy(dtype=object) if "organizer" in ben else None
    payable = may_pay_each(pools, category, organizer)
    run = run_pools(units, uc, ug, order, div, payable, [p.goods_only for p in pools], rooms,
                    mode=mode, step=step_fen)
    if cap is not None:
        room = cap_rules.gifts_room(cap, oh_total, pct)
        capped = apply_cap(run, room, units, uc, ug, order, mode=mode, step=step_fen)
        # each pool keeps back its own contingency, which may round above the total's: tighten until it fits
        while capped is not run and room > 0 and _spent(capped, pools, oh_total, pct) > cap:
            room -= _spent(capped, pools, oh_total, pct) - cap
            capped = apply_cap(run, room, units, uc, ug, order, mode=mode, step=step_fen)
        run = capped
    lines = line_codes(ben) if n else None  # the unit x category lines, grouped once for the tables below
    paid = _paid_lines(ben, standards, run, count, div, lines)
    short = _short_table(ben, pools, run, units, uc, ug, lines)
    table, cont = _pool_table(pools, run, oh_total, pct, short)
    return PoolResult(pools, run, paid, table, short, cont,
                      pd.Series(run.reached_units, index=ben.index, name="reached_units"), _by_line(ben, run, lines))


def _spent(run: PoolRun, pools, oh_total: int, pct) -> int:
    return sum(int(g) + (oh_total if p.overheads else 0) + contingency_fen(int(g) + (oh_total if p.overheads else 0), pct)
               for g, p in zip(run.pool_gifts, pools))


def _by_line(ben: pd.DataFrame, run: PoolRun, lines=None) -> pd.DataFrame:
    if lines is not None and len(ben) and run.row_paid:
        codes, county, category = lines
        n = len(county)
        k = len(run.row_paid)
        return pd.DataFrame({"pool_index": np.repeat(np.arange(k, dtype=np.int64), n),
                             "county_code": np.tile(county, k), "category": np.tile(category, k),
                             "gifts_fen": np.concatenate([sum_by_line(codes, n, paid) for paid in run.row_paid])})
    frames = [pd.DataFrame({"pool_index": i, "county_code": ben["county_code"].to_numpy(dtype=object),
                            "category": ben["category"].to_numpy(dtype=object), "gifts_fen": paid})
              for i, paid in enumerate(run.row_paid)]
    if not frames or not len(ben):
        return pd.DataFrame({"pool_index": pd.Series([], dtype="int64"), "county_code": pd.Series([], dtype=object),
                             "category": pd.Series([], dtype=object), "gifts_fen": pd.Series([], dtype="int64")})
    out = pd.concat(frames, ignore_index=True).groupby(["pool_index", "county_code", "category"], sort=True)[
        "gifts_fen"].sum().reset_index()
    out["gifts_fen"] = out["gifts_fen"].astype("int64")
    return out


def _paid_lines(ben, standards, run: PoolRun, count, div, lines=None) -> pd.DataFrame:
    cols = ["county_code", "category", "households", "persons", "recipients", "cash_fen", "goods_fen", "gifts_fen"]
    if not len(ben):
        return pd.DataFrame({c: pd.Series([], dtype=object if c in cols[:2] else "int64") for c in cols})
    k = run.reached_units
    h, p = ben["households"].to_numpy(dtype=np.int64), ben["persons"].to_numpy(dtype=np.int64)
    pos = standards["category"].tolist()
    per_person_std = (standards["per"].to_numpy() == "person")[pd.Index(pos).get_indexer(ben["category"])]
    whole = np.where(div, k >= count, k > 0)
    part_h = np.where(per_person_std, k * h // np.maximum(p, 1), k)
    part_p = np.where(per_person_std, k, k * p // np.maximum(h, 1))
    frame = pd.DataFrame({
        "county_code": ben["county_code"].to_numpy(dtype=object), "category": ben["category"].to_numpy(dtype=object),
        "households": np.where(whole, h, np.where(div, part_h, 0)),
        "persons": np.where(whole, p, np.where(div, part_p, 0)),
        "recipients": np.where(div, k, np.where(k > 0, count, 0)),
        "cash_fen": run.cash_paid, "goods_fen": run.goods_paid,
    })
    if lines is not None:
        codes, county, category = lines
        out = {"county_code": county, "category": category}
        out.update({c: sum_by_line(codes, len(county), frame[c].to_numpy(dtype=np.int64)) for c in cols[2:7]})
        out["gifts_fen"] = out["cash_fen"] + out["goods_fen"]
        return pd.DataFrame(out, columns=cols)
    lines = frame.groupby(["county_code", "category"], sort=True).sum().reset_index()
    lines["gifts_fen"] = lines["cash_fen"] + lines["goods_fen"]
    for col in cols[2:]:
        lines[col] = lines[col].astype("int64")
    return lines[cols]


def _pool_names(pools, idx, lang="zh"):
    names = [p.name if lang == "zh" else p.name_en for p in pools]
    special = {NO_POOL: "无资金来源" if lang == "zh" else "no funding source",
               CAP: "预算上限" if lang == "zh" else "budget cap"}
    return [names[i] if i >= 0 else special[i] for i in idx]


def _short_table(ben, pools, run: PoolRun, units, uc, ug, lines=None) -> pd.DataFrame:
    """What is left unpaid, by the pool it is short because of, unit, category and part (cash / goods)."""
    if lines is not None:
        return _short_by_codes(pools, run, units, uc, ug, lines)
    frames = []
    for part, who, short_units, unit_amount, paid in (
            ("cash", run.short_cash_pool, run.short_cash_units, uc, run.cash_paid),
            ("goods", run.short_goods_pool, run.short_goods_units, ug, run.goods_paid)):
        sel = who != NOT_SHORT
        if not sel.any():
            continue
        frames.append(pd.DataFrame({
            "pool_index": who[sel], "county_code": ben["county_code"].to_numpy(dtype=object)[sel],
            "category": ben["category"].to_numpy(dtype=object)[sel], "part": part,
            "recipients": short_units[sel], "short_fen": (units * unit_amount - paid)[sel]}))
    cols = ["pool_index", "pool", "pool_en", "county_code", "category", "part", "recipients", "short_fen"]
    if not frames:
        return pd.DataFrame({c: pd.Series([], dtype="int64" if c in ("pool_index", "recipients", "short_fen")
                                          else object) for c in cols})
    out = (pd.concat(frames, ignore_index=True)
           .groupby(["pool_index", "county_code", "category", "part"], sort=True)[["recipients", "short_fen"]]
           .sum().reset_index())
    out["pool"] = _pool_names(pools, out["pool_index"])
    out["pool_en"] = _pool_names(pools, out["pool_index"], "en")
    for col in ("recipients", "short_fen"):
        out[col] = out[col].astype("int64")
    return out[cols]


def _short_by_codes(pools, run: PoolRun, units, uc, ug, lines) -> pd.DataFrame:
    """:func:`_short_table` from the rows' line codes: one sort of integer keys instead of a groupby (same table)."""
    codes, county, category = lines
    who, line, part, rec, fen = [], [], [], [], []
    for k, (short_pool, short_units, unit_amount, paid) in enumerate((
            (run.short_cash_pool, run.short_cash_units, uc, run.cash_paid),
            (run.short_goods_pool, run.short_goods_units, ug, run.goods_paid))):
        sel = short_pool != NOT_SHORT
        who.append(short_pool[sel])
        line.append(codes[sel])
        part.append(np.full(int(sel.sum()), k, dtype=np.int64))
        rec.append(np.asarray(short_units, dtype=np.int64)[sel])
        fen.append((units * unit_amount - paid)[sel].astype(np.int64))
    who, line, part = np.concatenate(who).astype(np.int64), np.concatenate(line), np.concatenate(part)
    cols = ["pool_index", "pool", "pool_en", "county_code", "category", "part", "recipients", "short_fen"]
    if not len(who):
        return pd.DataFrame({c: pd.Series([], dtype="int64" if c in ("pool_index", "recipients", "short_fen")
                                          else object) for c in cols})
    pool_values, pool_rank = np.unique(who, return_inverse=True)
    n_lines = len(county)
    key = (pool_rank.reshape(-1).astype(np.int64) * n_lines + line) * 2 + part
    uniq, inv = np.unique(key, return_inverse=True)
    inv = inv.reshape(-1)
    sums = [np.zeros(len(uniq), dtype=np.int64) for _ in range(2)]
    np.add.at(sums[0], inv, np.concatenate(rec))
    np.add.at(sums[1], inv, np.concatenate(fen))
    g_pool, g_line = pool_values[uniq // 2 // n_lines], (uniq // 2) % n_lines
    return pd.DataFrame({
        "pool_index": g_pool.astype(np.int64), "pool": _pool_names(pools, g_pool), "pool_en": _pool_names(pools, g_pool, "en"),
        "county_code": county[g_line], "category": category[g_line],
        "part": np.array(["cash", "goods"], dtype=object)[uniq % 2],
        "recipients": sums[0], "short_fen": sums[1]}, columns=cols)


def _pool_table(pools, run: PoolRun, oh_total: int, pct, short: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    rows, cont_total = [], 0
    short_by = short.groupby("pool_index")["short_fen"].sum().to_dict() if len(short) else {}
    for i, p in enumerate(pools):
        oh = oh_total if p.overheads else 0
        gifts = int(run.pool_gifts[i])
        cont = contingency_fen(gifts + oh, pct)
        cont_total += cont
        used = gifts + oh + cont
        asked = int(run.pool_asked[i])
        need = asked + oh + contingency_fen(asked + oh, pct)
        left = p.amount_fen - used
        rows.append({"source": p.name, "source_en": p.name_en, "amount_fen": p.amount_fen,
                     "goods_only": p.goods_only, "pays_overheads": p.overheads,
                     "categories": "、".join(p.categories or ()), "organizers": "、".join(p.organizers or ()),
                     "need_in_pool_fen": need, "gifts_paid_fen": gifts, "overheads_paid_fen": oh,
                     "contingency_fen": cont, "used_fen": used, "left_fen": max(left, 0),
                     "short_fen": int(short_by.get(i, 0)) + max(-left, 0)})
    for special, zh, en in ((NO_POOL, "无资金来源", "no funding source"), (CAP, "预算上限", "budget cap")):
        if special in short_by:
            rows.append({"source": zh, "source_en": en, "amount_fen": 0, "goods_only": False,
                         "pays_overheads": False, "categories": "", "organizers": "",
                         "need_in_pool_fen": int(short_by[special]), "gifts_paid_fen": 0, "overheads_paid_fen": 0,
                         "contingency_fen": 0, "used_fen": 0, "left_fen": 0, "short_fen": int(short_by[special])})
    table = pd.DataFrame(rows, columns=["source", "source_en", "amount_fen", "goods_only", "pays_overheads",
                                        "categories", "organizers", "need_in_pool_fen", "gifts_paid_fen",
                                        "overheads_paid_fen", "contingency_fen", "used_fen", "left_fen",
                                        "short_fen"])
    for col in [c for c in table.columns if c.endswith("_fen")]:
        table[col] = table[col].astype("int64")
    return table, cont_total


def by_unit(res: PoolResult, lines: pd.DataFrame, overhead_line: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
    """(contingency per line, each pool's money by unit) for the lines of what the pools pay.

    Each pool's contingency is spread over the lines it pays for (gifts, plus
    the overheads for the pool that pays them) by largest remainder, so the
    table's units add up to each unit's budget total and its pools to each
    pool's ``used_fen``, to the fen. Overheads no pool may pay appear under
    无资金来源.
    """
    n = len(lines)
    key = pd.MultiIndex.from_arrays([lines["county_code"].to_numpy(dtype=object),
                                     lines["category"].to_numpy(dtype=object)])
    cont_line = np.zeros(n, dtype=np.int64)
    rows = []
    payer = next((i for i, p in enumerate(res.pools) if p.overheads), None)
    gifts_of = _pool_line_gifts(res, lines)
    for i, pool in enumerate(res.pools):
        if gifts_of is not None:
            g = gifts_of[i]
        else:
            mine = res.by_line.loc[res.by_line["pool_index"] == i]
            gifts = pd.Series(mine["gifts_fen"].to_numpy(dtype=np.int64), index=pd.MultiIndex.from_arrays(
                [mine["county_code"].to_numpy(dtype=object), mine["category"].to_numpy(dtype=object)]))
            g = gifts.reindex(key, fill_value=0).to_numpy(dtype=np.int64) if n else np.zeros(0, dtype=np.int64)
        oh = overhead_line if i == payer else np.zeros(n, dtype=np.int64)
        c = np.array(allocate_exact(int(res.table.at[i, "contingency_fen"]), (g + oh).tolist()), dtype=np.int64) \
            if n else np.zeros(0, dtype=np.int64)
        cont_line += c
        rows.append(pd.DataFrame({"county_code": lines["county_code"].to_numpy(dtype=object), "source": pool.name,
                                  "source_en": pool.name_en, "gifts_fen": g, "overhead_fen": oh, "contingency_fen": c}))
    if payer is None and n and int(overhead_line.sum()):
        rows.append(pd.DataFrame({"county_code": lines["county_code"].to_numpy(dtype=object), "source": "无资金来源",
                                  "source_en": "no funding source", "gifts_fen": 0, "overhead_fen": overhead_line,
                                  "contingency_fen": 0}))
    cols = ["county_code", "source", "source_en", "gifts_fen", "overhead_fen", "contingency_fen", "used_fen"]
    if not rows:
        return cont_line, pd.DataFrame(columns=cols)
    names = [p.name for p in res.pools]
    if gifts_of is not None and len(set(names)) == len(names) and "无资金来源" not in names:
        return cont_line, _sum_by_unit(rows, lines["county_code"].to_numpy(dtype=object), cols)
    order = {name: j for j, name in enumerate([p.name for p in res.pools] + ["无资金来源"])}
    out = (pd.concat(rows, ignore_index=True).groupby(["county_code", "source", "source_en"], sort=False)
           [["gifts_fen", "overhead_fen", "contingency_fen"]].sum().reset_index())
    out["used_fen"] = out["gifts_fen"] + out["overhead_fen"] + out["contingency_fen"]
    out = out.sort_values(["county_code", "source"], key=lambda s: s.map(order) if s.name == "source" else s,
                          kind="stable").reset_index(drop=True)
    for col in cols[3:]:
        out[col] = out[col].astype("int64")
    return cont_line, out[cols]


def _pool_line_gifts(res: PoolResult, lines: pd.DataFrame) -> list | None:
    """Each pool's gifts on ``lines`` straight from ``res.by_line`` when it lists exactly those lines, else None."""
    n, k = len(lines), len(res.pools)
    by = res.by_line
    if not n or len(by) != n * k:
        return None
    county = lines["county_code"].to_numpy(dtype=object)
    category = lines["category"].to_numpy(dtype=object)
    pool_index = by["pool_index"].to_numpy()
    bc, bk = by["county_code"].to_numpy(dtype=object), by["category"].to_numpy(dtype=object)
    gifts = by["gifts_fen"].to_numpy(dtype=np.int64)
    out = []
    for i in range(k):
        s = slice(i * n, (i + 1) * n)
        if not ((pool_index[s] == i).all() and (bc[s] == county).all() and (bk[s] == category).all()):
            return None
        out.append(gifts[s])
    return out


def _sum_by_unit(rows: list, county: np.ndarray, cols: list) -> pd.DataFrame:
    """:func:`by_unit`'s table from its per-source frames over the same lines: units sorted, sources in order.

    The same as concatenating, grouping by unit x source and sorting (sources
    are distinct here), with one factorize and integer sums.
    """
    codes, units = pd.factorize(county, sort=True)
    u, k = len(units), len(rows)
    sums = {c: np.stack([np.broadcast_to(np.asarray(f[c].to_numpy(), dtype=np.int64), (len(county),)) for f in rows])
            for c in cols[3:6]}
    out = {"county_code": np.repeat(np.asarray(units, dtype=object), k),
           "source": np.tile(np.array([f["source"].iat[0] for f in rows], dtype=object), u),
           "source_en": np.tile(np.array([f["source_en"].iat[0] for f in rows], dtype=object), u)}
    for c, per_source in sums.items():
        by = np.zeros((k, u), dtype=np.int64)
        for j in range(k):
            np.add.at(by[j], codes, per_source[j])
        out[c] = by.T.reshape(-1)
    frame = pd.DataFrame(out)
    frame["used_fen"] = frame["gifts_fen"] + frame["overhead_fen"] + frame["contingency_fen"]
    return frame[cols]
