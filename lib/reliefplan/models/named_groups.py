"""Groups a plan names in its stated figures but gives no line item (篇9: 农民工).

篇9 says it visits "困难劳模、特困员工及农民工、下岗工人6户", but its line items
list only 困难劳模, 特困员工 and 下岗工人: the 农民工 it names get nothing, or
are hidden in another line. Either way a reader of the plan should be told.

A stated figure's text is searched for category names (the zh label and the
aliases of ``categories.csv``), longest name first so that 特困员工 is read
as 困难职工 and not as 特困; a named category that none of the lines the
figure covers belongs to is a finding (status ``no_line``), reported once
per plan and group.
"""

from __future__ import annotations

import pandas as pd


def category_names(categories: pd.DataFrame) -> list[tuple[str, str]]:
    """(name, code) for every zh label and alias, longest name first."""
    pairs = []
    for row in categories.itertuples():
        names = {str(row.zh)}
        aliases = getattr(row, "aliases", "")
        if isinstance(aliases, str):
            names |= {a.strip() for a in aliases.split("|") if a.strip()}
        pairs.extend((n, row.code) for n in names)
    return sorted(pairs, key=lambda p: (-len(p[0]), p[0]))


def named_in(text: str, names: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(name as written, code) of the categories named in ``text``, in order, without overlaps."""
    taken: list[tuple[int, int]] = []
    found = []
    for name, code in names:
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            if all(end <= a or start >= b for a, b in taken):
                taken.append((start, end))
                found.append((start, name, code))
            start = text.find(name, end)
    return [(name, code) for _, name, code in sorted(found)]


def groups_without_lines(lib, categories: pd.DataFrame) -> list[dict]:
    """One finding per plan and named group with no line item: plan_id, ref (the stated figure), text,
    name (as written), code."""
    names = category_names(categories)
    out = []
    for plan_id in lib.plans["id"]:
        lines = lib.lines[lib.lines["plan_id"] == plan_id].set_index("ref")
        seen: set[str] = set()
        for s in lib.stated[lib.stated["plan_id"] == plan_id].itertuples():
            covered = [r for r in s.of if r in lines.index]
            if not covered:
                continue
            line_codes = {c for text in lines.loc[covered, "categories"] for c in str(text).split("|") if c}
            if not line_codes:
                continue
            for name, code in named_in(s.text, names):
                if code not in line_codes and code not in seen:
                    seen.add(code)
                    out.append({"plan_id": plan_id, "ref": s.ref, "text": s.text, "name": name, "code": code})
    return out
