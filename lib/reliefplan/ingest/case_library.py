"""The case library (案例库): past campaign plans recorded exactly as written.

``data/case_library.yaml`` holds the eleven seed plans (篇1..篇11) as
structured records: organizer, level, year (when it can be inferred), line
items with count, per-head cash and goods and the subtotal the plan states,
overheads, every stated subtotal and total, dates and rules, and the full
text. Amounts are written in yuan, as in the source; :func:`load_case_library`
checks the file and turns it into DataFrames with integer fen, so that
:mod:`reliefplan.models.reconcile` can recompute what the plans state and
:mod:`reliefplan.models.per_head_ranges` can compare what organizers give.

Nothing here corrects a plan: a stated total that does not follow from its
lines is loaded as written and flagged later.

References: line items are ``L1, L2, ...`` and overheads ``O1, O2, ...``
within a plan (the ``ref`` key, or the position when absent). A stated
figure covers ``of``: a list of references, or ``lines`` (all line items),
``overheads`` (all overheads) or ``all`` (both; the default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
import yaml

from reliefplan.core.errors import ConfigError
from reliefplan.core.money import to_fen

KINDS = ("plan", "summary", "notice")
LINE_KINDS = ("gift", "grant", "prize", "donation")
UNITS = {"人": "person", "户": "household", "名": "prize", "个": "enterprise", "家": "enterprise"}
FLAGS = ("approximate", "illegible")
MEASURES = ("amount", "cash", "goods", "count")
OF_WORDS = ("all", "lines", "overheads")

_LINE_KEYS = {
    "ref", "text", "kind", "category", "category_as_written", "count", "count_text", "unit",
    "persons", "persons_text", "cash_per_head", "goods_per_head", "stated_subtotal",
    "stated_subtotal_text", "stated_subtotal_kind", "flags", "note", "area",
}
_OVERHEAD_KEYS = {"ref", "text", "item", "amount", "amount_text", "flags", "note"}
_STATED_KEYS = {"text", "measure", "of", "value", "value_text", "unit", "flags", "note"}
_REQUIRED_PLAN_KEYS = ("id", "title", "organizer", "organizer_type", "level")

# A figure written as approximate: 约3000元, 大约/估约/近 before a number; 3000余元, 300多户 after it; 3000元左右.
APPROXIMATE = re.compile(r"(?:约|近)\s*[\dXx０-９]|[\dXx０-９]\s*(?:余|多)\s*[元人户名个家]"
                         r"|[\dXx０-９]\s*[元人户名个家]?\s*左右")


def written_approximate(*texts) -> bool:
    """True when the figure as written is approximate (约, 余, 多, 左右 next to a number)."""
    return any(APPROXIMATE.search(str(t)) for t in texts if t)


@dataclass
class CaseLibrary:
    """A loaded case library.

    plans: one row per plan (id, title, organizer, organizer_type, level,
      year (Int64, null when not known), year_text, year_inferred, relief,
      kind, categories ("|"-joined codes), n_lines, n_overheads,
      stated_total_fen (the stated total over everything, Int64)).
    lines: one row per line item; money per head and stated subtotal in fen
      (Int64, null when not written); ``category`` is the code when the line
      covers one category, null otherwise (``categories`` lists them all).
    overheads: one row per overhead item, ``amount_fen`` int64.
    stated: one row per stated subtotal/total: ``measure``, ``of`` (tuple of
      references), ``value_fen`` (money measures) or ``value_count`` (count).
    raw: the parsed YAML (plans as written, with their text), for display.
    categories: the categories table the library was checked against (the
      plan's), whose names and aliases the named-group check looks for.
    """

    plans: pd.DataFrame
    lines: pd.DataFrame
    overheads: pd.DataFrame
    stated: pd.DataFrame
    raw: dict = field(repr=False)
    path: Path | None = None
    organizer_types: dict = field(default_factory=dict)
    levels: dict = field(default_factory=dict)
    categories: pd.DataFrame | None = field(default=None, repr=False)

    def plan(self, plan_id: str) -> dict:
        """The plan ``plan_id`` as written in the file."""
        for plan in self.raw.get("plans", []):
            if str(plan.get("id")) == plan_id:
                return plan
        raise KeyError(plan_id)

    def texts(self) -> dict[str, str]:
        """Plan id -> full text as written (empty when the file has none)."""
        return {str(p["id"]): str(p.get("text") or "") for p in self.raw.get("plans", [])}


def _line_numbers(text: str) -> dict[tuple, int]:
    """YAML path (tuple of keys and indexes) -> 1-based line, for error messages."""
    out: dict[tuple, int] = {}

    def walk(node, path):
        out[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, path + (key.value,))
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                walk(value, path + (i,))

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return out
    if root is not None:
        walk(root, ())
    return out


class _Checker:
    """Raises ConfigError naming the file, the YAML line and the field path."""

    def __init__(self, path, lines: dict[tuple, int]):
        self.path = path
        self.lines = lines

    def fail(self, where: tuple, zh: str, en: str):
        field_name = ""
        for part in where:
            field_name += f"[{part}]" if isinstance(part, int) else (f".{part}" if field_name else part)
        row = None
        for cut in range(len(where), -1, -1):
            if where[:cut] in self.lines:
                row = self.lines[where[:cut]]
                break
        raise ConfigError(f"字段 {field_name}: {zh}", f"field {field_name}: {en}",
                          file=self.path, row=row, column=field_name)

    def fen(self, where, value) -> int | None:
        """A yuan amount as written (int, decimal string, or float with at most 2 decimals) -> fen."""
        if value is None:
            return None
        if isinstance(value, bool):
            self.fail(where, "须为金额(元)", "must be an amount in yuan")
        if isinstance(value, float):
            try:
                dec = Decimal(str(value))
            except InvalidOperation:
                self.fail(where, f"不是有效金额: {value!r}", f"not an amount: {value!r}")
            if not dec.is_finite() or dec != dec.quantize(Decimal("0.01")):
                self.fail(where, f"金额最多两位小数: {value!r}", f"at most two decimals: {value!r}")
            value = str(dec)
        try:
            fen = to_fen(value)
        except (TypeError, ValueError):
            self.fail(where, f"不是有效金额(文字请写在 *_text 字段): {value!r}",
                      f"not an amount (put words in the *_text field): {value!r}")
        if fen < 0:
            self.fail(where, f"金额不能为负数: {value!r}", f"an amount cannot be negative: {value!r}")
        return fen

    def count(self, where, value) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(where, f"须为非负整数(文字请写在 *_text 字段): {value!r}",
                      f"must be a whole number >= 0 (put words in the *_text field): {value!r}")
        return value

    def flags(self, where, value) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or any(f not in FLAGS for f in value):
            self.fail(where, f"须为列表, 可选: {', '.join(FLAGS)}", f"must be a list of: {', '.join(FLAGS)}")
        return tuple(value)

    def keys(self, where, item, allowed):
        if not isinstance(item, dict):
            self.fail(where, "须为映射(键: 值)", "must be a mapping (key: value)")
        unknown = [k for k in item if k not in allowed]
        if unknown:
            self.fail(where + (str(unknown[0]),),
                      f"未知字段 {unknown[0]!r}(文字中的英文逗号须加引号)",
                      f"unknown field {unknown[0]!r} (quote text containing commas)")


def _nullable_int(values) -> pd.Series:
    return pd.Series([pd.NA if v is None else v for v in values], dtype="Int64")


def load_case_library(path, categories: pd.DataFrame | None = None) -> CaseLibrary:
    """Read and check a case library YAML (the seed library: the demo plan's ``data.case_library``).

    Checks: unique plan ids; required fields; organizer_type and level from
    the file's own vocabularies; category codes known to ``categories``
    (the plan's categories table; required); counts whole numbers; amounts valid yuan;
    flags, units and measures from fixed lists; stated figures refer to
    existing items. Errors name the file, the YAML line and the field.
    """
    path = Path(path)
    if not path.exists():
        raise ConfigError("案例库文件不存在", "case library file not found", file=path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError("案例库文件须为 UTF-8 编码", "the case library must be UTF-8", file=path) from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError("YAML 格式错误", f"YAML syntax error: {exc}", file=path,
                          row=mark.line + 1 if mark else None) from exc
    check = _Checker(path, _line_numbers(text))
    if not isinstance(raw, dict) or not isinstance(raw.get("plans"), list) or not raw["plans"]:
        check.fail(("plans",), "须列出至少一篇方案", "must list at least one plan")

    if categories is None:
        raise ConfigError("核对案例库的类别需要困难类别表(方案 data.categories)",
                          "checking the case library's categories needs the categories table (data.categories)",
                          file=path)
    known = set(categories["code"])
    org_types = raw.get("organizer_types") or {}
    levels = raw.get("levels") or {}
    if not isinstance(org_types, dict) or not org_types:
        check.fail(("organizer_types",), "须定义组织单位类型", "must define the organizer types")
    if not isinstance(levels, dict) or not levels:
        check.fail(("levels",), "须定义层级", "must define the levels")

    plan_rows, line_rows, overhead_rows, stated_rows = [], [], [], []
    seen_ids: set[str] = set()
    for i, plan in enumerate(raw["plans"]):
        at = ("plans", i)
        if not isinstance(plan, dict):
            check.fail(at, "须为映射(键: 值)", "must be a mapping (key: value)")
        for key in _REQUIRED_PLAN_KEYS:
            if plan.get(key) in (None, ""):
                check.fail(at + (key,), "缺少必填项", "required field is missing")
        pid = str(plan["id"])
        if pid in seen_ids:
            check.fail(at + ("id",), f"方案编号重复: {pid}", f"duplicate plan id: {pid}")
        seen_ids.add(pid)
        if plan["organizer_type"] not in org_types:
            check.fail(at + ("organizer_type",), f"须为 {', '.join(org_types)} 之一",
                       f"must be one of {', '.join(org_types)}")
        if plan["level"] not in levels:
            check.fail(at + ("level",), f"须为 {', '.join(levels)} 之一", f"must be one of {', '.join(levels)}")
        kind = plan.get("kind", "plan")
        if kind not in KINDS:
            check.fail(at + ("kind",), f"须为 {', '.join(KINDS)} 之一", f"must be one of {', '.join(KINDS)}")
        year = plan.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1949 <= year <= 2200):
            check.fail(at + ("year",), "须为年份(整数)或 null", "must be a year (integer) or null")
        plan_cats = plan.get("categories") or []
        for j, code in enumerate(plan_cats):
            if code not in known:
                check.fail(at + ("categories", j), f"未知类别 {code!r}", f"unknown category {code!r}")

        refs: dict[str, str] = {}
        for j, item in enumerate(plan.get("line_items") or []):
            where = at + ("line_items", j)
            check.keys(where, item, _LINE_KEYS)
            ref = str(item.get("ref") or f"L{j + 1}")
            if ref in refs:
                check.fail(where + ("ref",), f"引用重复: {ref}", f"duplicate reference: {ref}")
            refs[ref] = "line"
            line_kind = item.get("kind", "gift")
            if line_kind not in LINE_KINDS:
                check.fail(where + ("kind",), f"须为 {', '.join(LINE_KINDS)} 之一",
                           f"must be one of {', '.join(LINE_KINDS)}")
            code = item.get("category")
            codes = list(code) if isinstance(code, list) else ([] if code is None else [code])
            for c in codes:
                if c not in known:
                    check.fail(where + ("category",), f"未知类别 {c!r}", f"unknown category {c!r}")
            if not codes and line_kind in ("gift", "grant"):
                check.fail(where + ("category",), "慰问项目须注明类别", "a gift line needs a category")
            unit = item.get("unit")
            if unit is not None and unit not in UNITS:
                check.fail(where + ("unit",), f"单位须为 {'/'.join(UNITS)}", f"unit must be one of {'/'.join(UNITS)}")
            flags = check.flags(where + ("flags",), item.get("flags"))
            subtotal_kind = item.get("stated_subtotal_kind")
            if subtotal_kind not in (None, "cash", "goods"):
                check.fail(where + ("stated_subtotal_kind",), "须为 cash 或 goods", "must be cash or goods")
            line_rows.append({
                "plan_id": pid, "ref": ref, "position": j + 1, "text": str(item.get("text") or ""),
                "kind": line_kind, "category": codes[0] if len(codes) == 1 else None,
                "categories": "|".join(codes), "category_as_written": item.get("category_as_written"),
                "count": check.count(where + ("count",), item.get("count")),
                "count_text": item.get("count_text"),
                "unit": unit, "per": UNITS.get(unit) if unit else None,
                "persons": check.count(where + ("persons",), item.get("persons")),
                "cash_per_head_fen": check.fen(where + ("cash_per_head",), item.get("cash_per_head")),
                "goods_per_head_fen": check.fen(where + ("goods_per_head",), item.get("goods_per_head")),
                "stated_subtotal_fen": check.fen(where + ("stated_subtotal",), item.get("stated_subtotal")),
                "stated_subtotal_text": item.get("stated_subtotal_text"),
                "stated_subtotal_kind": subtotal_kind,
                "approximate": "approximate" in flags
                or written_approximate(item.get("stated_subtotal_text"), item.get("count_text"), item.get("text")),
                "illegible": "illegible" in flags,
                "area": item.get("area"), "note": item.get("note"),
            })
        for j, item in enumerate(plan.get("overheads") or []):
            where = at + ("overheads", j)
            check.keys(where, item, _OVERHEAD_KEYS)
            ref = str(item.get("ref") or f"O{j + 1}")
            if ref in refs:
                check.fail(where + ("ref",), f"引用重复: {ref}", f"duplicate reference: {ref}")
            refs[ref] = "overhead"
            amount = check.fen(where + ("amount",), item.get("amount"))
            if amount is None:
                check.fail(where + ("amount",), "缺少金额", "amount is missing")
            flags = check.flags(where + ("flags",), item.get("flags"))
            overhead_rows.append({
                "plan_id": pid, "ref": ref, "position": j + 1, "text": str(item.get("text") or ""),
                "item": str(item.get("item") or item.get("text") or ""), "amount_fen": amount,
                "approximate": "approximate" in flags
                or written_approximate(item.get("amount_text"), item.get("text")),
            })
        stated_total = None
        for j, item in enumerate(plan.get("stated") or []):
            where = at + ("stated", j)
            check.keys(where, item, _STATED_KEYS)
            measure = item.get("measure", "amount")
            if measure not in MEASURES:
                check.fail(where + ("measure",), f"须为 {', '.join(MEASURES)} 之一",
                           f"must be one of {', '.join(MEASURES)}")
            of = item.get("of", "all")
            if isinstance(of, str):
                if of not in OF_WORDS:
                    check.fail(where + ("of",), f"须为 {', '.join(OF_WORDS)} 或引用列表",
                               f"must be one of {', '.join(OF_WORDS)} or a list of references")
                covered = tuple(r for r, k in refs.items()
                                if of == "all" or (of == "lines") == (k == "line"))
            elif isinstance(of, list) and of:
                for r in of:
                    if str(r) not in refs:
                        check.fail(where + ("of",), f"引用 {r} 不存在", f"reference {r} does not exist")
                covered = tuple(str(r) for r in of)
            else:
                check.fail(where + ("of",), "须为引用列表或 all/lines/overheads",
                           "must be a list of references or all/lines/overheads")
            flags = check.flags(where + ("flags",), item.get("flags"))
            value = item.get("value")
            if measure == "count":
                value_count, value_fen = check.count(where + ("value",), value), None
            else:
                value_count, value_fen = None, check.fen(where + ("value",), value)
            if value is None and "illegible" not in flags:
                check.fail(where + ("value",), "缺少数值(无法辨认时加 flags: [illegible])",
                           "value is missing (add flags: [illegible] when it cannot be read)")
            stated_rows.append({
                "plan_id": pid, "ref": f"S{j + 1}", "text": str(item.get("text") or ""),
                "measure": measure, "of": covered, "of_words": of if isinstance(of, str) else None,
                "value_fen": value_fen, "value_count": value_count,
                "value_text": item.get("value_text"), "unit": item.get("unit"),
                "approximate": "approximate" in flags or written_approximate(item.get("value_text"),
                                                                               item.get("text")),
                "illegible": "illegible" in flags,
                "note": item.get("note"),
            })
            if measure == "amount" and of == "all" and stated_total is None:
                stated_total = value_fen

        plan_rows.append({
            "id": pid, "title": str(plan["title"]), "title_en": plan.get("title_en"),
            "kind": kind, "relief": bool(plan.get("relief", True)),
            "organizer": str(plan["organizer"]), "organizer_as_written": plan.get("organizer_as_written"),
            "organizer_type": plan["organizer_type"], "level": plan["level"],
            "year": year, "year_text": None if plan.get("year_text") is None else str(plan["year_text"]),
            "year_inferred": bool(plan.get("year_inferred", False)), "year_note": plan.get("year_note"),
            "categories": "|".join(plan_cats),
            "n_lines": len(plan.get("line_items") or []), "n_overheads": len(plan.get("overheads") or []),
            "stated_total_fen": stated_total,
        })

    plans = pd.DataFrame(plan_rows)
    plans["year"] = _nullable_int(plans["year"].tolist())
    plans["stated_total_fen"] = _nullable_int(plans["stated_total_fen"].tolist())

    line_cols = ["plan_id", "ref", "position", "text", "kind", "category", "categories",
                 "category_as_written", "count", "count_text", "unit", "per", "persons",
                 "cash_per_head_fen", "goods_per_head_fen", "stated_subtotal_fen", "stated_subtotal_text",
                 "stated_subtotal_kind", "approximate", "illegible", "area", "note"]
    lines = pd.DataFrame(line_rows, columns=line_cols)
    for col in ("count", "persons", "cash_per_head_fen", "goods_per_head_fen", "stated_subtotal_fen"):
        lines[col] = _nullable_int(lines[col].tolist())
    lines["position"] = lines["position"].astype("int64")
    lines["approximate"] = lines["approximate"].astype(bool)
    lines["illegible"] = lines["illegible"].astype(bool)

    overheads = pd.DataFrame(overhead_rows, columns=["plan_id", "ref", "position", "text", "item",
                                                     "amount_fen", "approximate"])
    overheads["amount_fen"] = overheads["amount_fen"].astype("int64")
    overheads["position"] = overheads["position"].astype("int64")
    overheads["approximate"] = overheads["approximate"].astype(bool)

    stated = pd.DataFrame(stated_rows, columns=["plan_id", "ref", "text", "measure", "of", "of_words",
                                                "value_fen", "value_count", "value_text", "unit",
                                                "approximate", "illegible", "note"])
    stated["value_fen"] = _nullable_int(stated["value_fen"].tolist())
    stated["value_count"] = _nullable_int(stated["value_count"].tolist())
    stated["approximate"] = stated["approximate"].astype(bool)
    stated["illegible"] = stated["illegible"].astype(bool)

    return CaseLibrary(plans=plans, lines=lines, overheads=overheads, stated=stated, raw=raw,
                       path=path, organizer_types=org_types, levels=levels, categories=categories)


def organizer_type_label(lib: CaseLibrary, code: str, lang: str = "zh") -> str:
    """The zh/en label of an organizer type as defined in the library file."""
    entry = lib.organizer_types.get(code) or {}
    return str(entry.get(lang) or code)
