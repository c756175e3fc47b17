"""Near-duplicate plans: copies of one plan with small wording changes.

Plans circulate and are copied: 篇8 is 篇7 with 职工 changed to 员工 and a
date filled in, with the same line items and amounts. Counted twice, such a
pair would double its weight in the benchmarks. Two plans are near-duplicates
when

* their texts are similar: :func:`difflib.SequenceMatcher` ratio of the
  normalised texts (full-width folded, spaces removed) >= ``text_threshold``;
  character 3-gram (shingle) overlap is computed first as a cheap filter;
* and their structure is similar: the multiset of line items (category,
  count, unit, per-head cash and goods, stated subtotal), overheads and
  stated figures overlaps by >= ``structure_threshold`` (Jaccard over the
  multiset). Plans without any such items are judged on text alone.

The words that differ are listed (职工→员工 ×6) so a reader can see why.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter

import pandas as pd

from reliefplan.core import labels
from reliefplan.core.text import nfkc

TEXT_THRESHOLD = 0.85
STRUCTURE_THRESHOLD = 0.8
SHINGLE_PREFILTER = 0.3
SHINGLE_SIZE = 3




_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Text compared for similarity: NFKC-folded, all whitespace removed."""
    return _SPACE.sub("", nfkc(text or ""))


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[str]:
    """The set of character ``size``-grams of a normalised text."""
    return {text[i:i + size] for i in range(max(len(text) - size + 1, 0))}


def jaccard(a: set, b: set) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def multiset_jaccard(a: Counter, b: Counter) -> float | None:
    """|A ∩ B| / |A ∪ B| over multisets; None when both are empty."""
    union = sum((a | b).values())
    if union == 0:
        return None
    return sum((a & b).values()) / union


def _v(value):
    return None if value is None or pd.isna(value) else int(value)


def structure_signatures(lib) -> dict[str, Counter]:
    """Plan id -> multiset of (line item / overhead / stated figure) signatures."""
    out: dict[str, Counter] = {pid: Counter() for pid in lib.plans["id"]}
    for line in lib.lines.itertuples():
        out[line.plan_id][("line", line.categories, _v(line.count), line.unit, _v(line.cash_per_head_fen),
                           _v(line.goods_per_head_fen), _v(line.stated_subtotal_fen))] += 1
    for item in lib.overheads.itertuples():
        out[item.plan_id][("overhead", int(item.amount_fen))] += 1
    for s in lib.stated.itertuples():
        out[s.plan_id][("stated", s.measure, _v(s.value_fen), _v(s.value_count))] += 1
    return out


def _word(seq: str, i1: int, i2: int, j_seq: str, j1: int, j2: int):
    """Widen a one-character change to a two-character word using the shared next (or previous) char."""
    if max(i2 - i1, j2 - j1) >= 2:
        return seq[i1:i2], j_seq[j1:j2]
    if i2 < len(seq) and j2 < len(j_seq) and seq[i2] == j_seq[j2]:
        return seq[i1:i2 + 1], j_seq[j1:j2 + 1]
    if i1 > 0 and j1 > 0 and seq[i1 - 1] == j_seq[j1 - 1]:
        return seq[i1 - 1:i2], j_seq[j1 - 1:j2]
    return seq[i1:i2], j_seq[j1:j2]


def text_differences(a: str, b: str) -> Counter:
    """Counter of (text in a, text in b) for every stretch where two texts differ."""
    a, b = normalise_text(a), normalise_text(b)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    out: Counter = Counter()
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            out[_word(a, i1, i2, b, j1, j2)] += 1
    return out


def format_differences(diffs: Counter, limit: int = 8) -> str:
    """'职工→员工 ×6; xx→13; ...' with the most frequent first; '∅' marks an insertion or deletion."""
    parts = []
    for (old, new), n in diffs.most_common(limit):
        parts.append(f"{old or '∅'}→{new or '∅'}" + (f" ×{n}" if n > 1 else ""))
    if len(diffs) > limit:
        parts.append("…")
    return "; ".join(parts)


def compare_plans(lib, *, text_threshold: float = TEXT_THRESHOLD,
                  structure_threshold: float = STRUCTURE_THRESHOLD,
                  prefilter: float = SHINGLE_PREFILTER) -> pd.DataFrame:
    """Every pair of plans with its similarities and whether it is a near-duplicate.

    Columns: plan_a, plan_b, shingle_similarity, text_similarity (NaN when the
    shingle overlap is below ``prefilter``; such pairs are far apart),
    structure_similarity (NaN when neither plan has items), near_duplicate,
    differences. Sorted by text similarity, most similar first.
    """
    ids = list(lib.plans["id"])
    texts = {pid: normalise_text(t) for pid, t in lib.texts().items()}
    grams = {pid: shingles(texts[pid]) for pid in ids}
    signatures = structure_signatures(lib)
    raw_texts = lib.texts()
    rows = []
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            shingle = jaccard(grams[a], grams[b])
            structure = multiset_jaccard(signatures[a], signatures[b])
            text_sim = None
            diffs = ""
            if shingle >= prefilter:
                text_sim = difflib.SequenceMatcher(None, texts[a], texts[b], autojunk=False).ratio()
            duplicate = (text_sim is not None and text_sim >= text_threshold
                         and (structure is None or structure >= structure_threshold))
            if duplicate:
                diffs = format_differences(text_differences(raw_texts[a], raw_texts[b]))
            rows.append({"plan_a": a, "plan_b": b, "shingle_similarity": round(shingle, 4),
                         "text_similarity": None if text_sim is None else round(text_sim, 4),
                         "structure_similarity": None if structure is None else round(structure, 4),
                         "near_duplicate": duplicate, "differences": diffs})
    df = pd.DataFrame(rows, columns=["plan_a", "plan_b", "shingle_similarity", "text_similarity",
                                     "structure_similarity", "near_duplicate", "differences"])
    for col in ("shingle_similarity", "text_similarity", "structure_similarity"):
        df[col] = df[col].astype("float64")
    df["near_duplicate"] = df["near_duplicate"].astype(bool)
    return df.sort_values(["text_similarity", "shingle_similarity"], ascending=False,
                          na_position="last", kind="stable").reset_index(drop=True)


def near_duplicate_pairs(lib, **thresholds) -> pd.DataFrame:
    """Only the pairs judged near-duplicates (see :func:`compare_plans`)."""
    pairs = compare_plans(lib, **thresholds)
    return pairs[pairs["near_duplicate"]].reset_index(drop=True)


def duplicate_groups(ids, pairs: pd.DataFrame) -> dict[str, str]:
    """Plan id -> the id that represents its group (the first in library order).

    Groups join pairs transitively (if A~B and B~C, all three are one group).
    A plan with no near-duplicate represents itself.
    """
    ids = list(ids)
    order = {pid: i for i, pid in enumerate(ids)}
    parent = {pid: pid for pid in ids}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row in pairs[pairs["near_duplicate"]].itertuples():
        ra, rb = find(row.plan_a), find(row.plan_b)
        if ra != rb:
            keep, drop = (ra, rb) if order[ra] < order[rb] else (rb, ra)
            parent[drop] = keep
    return {pid: find(pid) for pid in ids}


def representatives(lib, pairs: pd.DataFrame | None = None) -> list[str]:
    """Plan ids to count once each: one per near-duplicate group, in library order."""
    if pairs is None:
        pairs = compare_plans(lib)
    groups = duplicate_groups(lib.plans["id"], pairs)
    return [pid for pid, rep in groups.items() if pid == rep]


def display_pairs(pairs: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A pairs table with labelled columns, for people."""
    return pairs.reset_index(drop=True).rename(columns={c: labels.column_label(c, lang, table="models.plan_similarity") for c in pairs.columns})
