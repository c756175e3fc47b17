"""Who is eligible (符合条件): the plan's per-category rules applied to the registry.

Each category in the plan may carry ``eligibility`` rules::

    categories:
      gugua_elder:
        eligibility: {min_age: 60, income_below_dibao: 1.5}

- ``income_below_dibao: m`` - monthly income per head strictly below ``m``
  times the county's monthly 低保 standard (urban or rural by the person's
  area) in force on the assessment date. A missing income fails the rule.
- ``min_age`` / ``max_age`` - age on the assessment date, inclusive bounds
  (``max_age: 17`` means under 18).
- ``requires_flag: disabled | seriously_ill`` (or a list of them) - the
  registry flag must be set.

A category without rules admits everyone listed under it; a person whose
category is not in the plan is not eligible ("category not in plan").

:func:`assess` is vectorised: rule parameters are spread to one array per
rule through the category codes, the comparisons run once over all rows,
and the reason text is built once per distinct (category, failed rules)
combination, so a million rows take well under a second.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from reliefplan.core.areas import county_of
from reliefplan.models import dibao as dibao_mod
from reliefplan.core.errors import ConfigError
from reliefplan.core.lunar_dates import spring_festival

RULE_KEYS = ("income_below_dibao", "min_age", "max_age", "requires_flag")
FLAGS = ("disabled", "seriously_ill")

# Failure bits, in the order their reasons are listed.
_NOT_IN_PLAN = 1
_NO_INCOME = 2
_NO_DIBAO = 4
_INCOME_HIGH = 8
_TOO_YOUNG = 16
_TOO_OLD = 32
_NO_DISABLED = 64
_NO_ILL = 128
_NO_BIRTH = 256


def _rules(plan: dict, threshold_multiple) -> dict[str, dict]:
    """Category code -> checked rule dict; ``threshold_multiple`` replaces income multiples."""
    out: dict[str, dict] = {}
    path = plan.get("_path")
    for code, std in (plan.get("categories") or {}).items():
        rules = dict((std or {}).get("eligibility") or {})
        field = f"categories.{code}.eligibility"
        for key in rules:
            if key not in RULE_KEYS:
                raise ConfigError(f"字段 {field}.{key}: 未知规则, 可选: {', '.join(RULE_KEYS)}",
                                  f"field {field}.{key}: unknown rule; valid: {', '.join(RULE_KEYS)}",
                                  file=path, column=f"{field}.{key}")
        if "income_below_dibao" in rules:
            value = threshold_multiple if threshold_multiple is not None else rules["income_below_dibao"]
            try:
                frac = Fraction(str(value)).limit_denominator(10_000)
            except (ValueError, ZeroDivisionError):
                frac = Fraction(-1)
            if isinstance(value, bool) or frac <= 0:
                raise ConfigError(f"字段 {field}.income_below_dibao: 须为正数, 实为 {value!r}",
                                  f"field {field}.income_below_dibao: must be a positive number, got {value!r}",
                                  file=path, column=f"{field}.income_below_dibao")
            rules["income_below_dibao"] = frac
        for key in ("min_age", "max_age"):
            if key in rules and (isinstance(rules[key], bool) or not isinstance(rules[key], int) or rules[key] < 0):
                raise ConfigError(f"字段 {field}.{key}: 须为非负整数", f"field {field}.{key}: must be a whole number >= 0",
                                  file=path, column=f"{field}.{key}")
        if "requires_flag" in rules:
            flags = rules["requires_flag"]
            flags = [flags] if isinstance(flags, str) else list(flags or [])
            bad = [f for f in flags if f not in FLAGS]
            if bad:
                raise ConfigError(f"字段 {field}.requires_flag: 须为 {' / '.join(FLAGS)}, 实为 {bad[0]!r}",
                                  f"field {field}.requires_flag: must be one of {', '.join(FLAGS)}, got {bad[0]!r}",
                                  file=path, column=f"{field}.requires_flag")
            rules["requires_flag"] = flags
        out[str(code)] = rules
    return out


def urban_rural_of(registry: pd.DataFrame, areas: pd.DataFrame) -> pd.Series:
    """'urban'/'rural' per person: from their area, else their county; missing when unknown."""
    county = registry["county_code"] if "county_code" in registry else None
    return dibao_mod.urban_rural_for(registry["area_code"], county, areas)


def dibao_in_force(dibao_table: pd.DataFrame, on_date) -> pd.DataFrame:
    """The 低保 standard in force on ``on_date`` per (county_code, urban_rural) (see :mod:`reliefplan.models.dibao`)."""
    return dibao_mod.in_force(dibao_table, on_date)


def _dibao_lookup(registry, standards, areas, on_date) -> tuple[pd.Series, pd.Series]:
    """(dibao_fen Int64, urban_rural) per person for the standard in force on ``on_date``."""
    status = urban_rural_of(registry, areas)
    # Same rule as dibao.dibao_for_people, but a person whose county has no
    # standard gets <NA> (and a reason) instead of stopping the whole assessment.
    current = dibao_mod.in_force(standards, on_date)
    counties = pd.Index(current["county_code"].astype(str).unique())
    kinds = pd.Index(["urban", "rural"])
    table = np.full((len(counties) + 1, len(kinds) + 1), -1, dtype=np.int64)  # last row/col: not found
    table[counties.get_indexer(current["county_code"].astype(str)),
          kinds.get_indexer(current["urban_rural"].astype(str))] = current["monthly_fen"].to_numpy(dtype=np.int64)
    county = registry["county_code"] if "county_code" in registry else county_of(registry["area_code"])
    ci = counties.get_indexer(county.astype(object))
    si = kinds.get_indexer(status.astype(object))
    found = table[ci, si]  # index -1 picks the "not found" row/column
    values = pd.array(np.maximum(found, 0), dtype="Int64")
    values[found < 0] = pd.NA
    return pd.Series(values, index=registry.index, name="dibao_fen"), status


def ages_on(birth_date: pd.Series, on_date) -> pd.Series:
    """Whole years of age on ``on_date`` (Int64; <NA> when the birth date is missing)."""
    when = pd.Timestamp(on_date)
    born = pd.to_datetime(birth_date)
    years = when.year - born.dt.year
    before_birthday = (born.dt.month > when.month) | ((born.dt.month == when.month) & (born.dt.day > when.day))
    return (years - before_birthday.astype("Int64")).astype("Int64")


def _flag(registry: pd.DataFrame, name: str) -> np.ndarray:
    if name not in registry:
        return np.zeros(len(registry), dtype=bool)
    return registry[name].fillna(False).astype(bool).to_numpy()


def _reason_text(bits: int, rules: dict | None, income_multiple) -> tuple[str, str]:
    zh, en = [], []
    if bits & _NOT_IN_PLAN:
        return "类别不在本方案中", "category not in plan"
    mult = income_multiple
    mult_txt = "" if mult is None else f"{float(mult):g}"
    if bits & _NO_INCOME:
        zh.append("未填报人均收入"), en.append("income not recorded")
    if bits & _NO_DIBAO:
        zh.append("无所在县低保标准"), en.append("no dibao standard for the county")
    if bits & _INCOME_HIGH:
        zh.append(f"人均收入不低于低保标准的{mult_txt}倍")
        en.append(f"income per head not below {mult_txt} x dibao")
    if bits & _NO_BIRTH:
        zh.append("缺少出生日期"), en.append("birth date missing")
    if bits & _TOO_YOUNG:
        zh.append(f"年龄未满{rules['min_age']}岁"), en.append(f"younger than {rules['min_age']}")
    if bits & _TOO_OLD:
        zh.append(f"年龄超过{rules['max_age']}岁"), en.append(f"older than {rules['max_age']}")
    if bits & _NO_DISABLED:
        zh.append("未登记为残疾"), en.append("not registered as disabled")
    if bits & _NO_ILL:
        zh.append("未登记为重病"), en.append("not registered as seriously ill")
    return "；".join(zh), "; ".join(en)


def assess(registry: pd.DataFrame, plan: dict, dibao: pd.DataFrame, areas: pd.DataFrame, *,
           threshold_multiple=None, on_date=None) -> pd.DataFrame:
    """Apply the plan's eligibility rules to every registry row.

    Returns a DataFrame indexed like ``registry`` with columns

    - ``eligible`` (bool)
    - ``dibao_fen`` (Int64): the county's monthly 低保 standard in force on
      ``on_date`` for the person's urban/rural status (<NA> if none)
    - ``income_ratio`` (float): ``income_fen / dibao_fen``; NaN without income
    - ``age`` (Int64): whole years on ``on_date``, from ``birth_date``
    - ``reason_zh``, ``reason_en``: why not eligible ('' when eligible);
      several failed rules are joined with '；' / '; '
    - ``urban_rural``: the status used for the 低保 lookup

    ``on_date`` defaults to 春节 of the plan year (the date the plan's age
    rules speak of). ``threshold_multiple``, when given, replaces the
    ``income_below_dibao`` multiple of every category that has an income
    rule (categories without one stay without one): it is the "what if the
    line were 1.2 x 低保" parameter. The income test is exact: integer fen
    against a rational multiple.
    """
    rules = _rules(plan, threshold_multiple)
    when = pd.Timestamp(on_date) if on_date is not None else pd.Timestamp(spring_festival(int(plan["year"])))
    n = len(registry)

    dibao_fen, status = _dibao_lookup(registry, dibao, areas, when)
    income = registry["income_fen"].astype("Int64") if "income_fen" in registry else pd.Series(
        pd.array([pd.NA] * n, dtype="Int64"), index=registry.index)
    age = ages_on(registry["birth_date"], when) if "birth_date" in registry else pd.Series(
        pd.array([pd.NA] * n, dtype="Int64"), index=registry.index)

    codes = list(rules)
    cat_idx = pd.Index(codes, dtype=object).get_indexer(registry["category"].astype(object)).astype(np.int64)
    in_plan = cat_idx >= 0
    take = np.maximum(cat_idx, 0)

    def spread(values, fill):
        arr = np.asarray(values + [fill])
        return np.where(in_plan, arr[take], fill) if codes else np.full(n, fill)

    has_income_rule = spread([("income_below_dibao" in rules[c]) for c in codes], False).astype(bool)
    num = spread([rules[c]["income_below_dibao"].numerator if "income_below_dibao" in rules[c] else 0
                  for c in codes], 0).astype(np.int64)
    den = spread([rules[c]["income_below_dibao"].denominator if "income_below_dibao" in rules[c] else 1
                  for c in codes], 1).astype(np.int64)
    min_age = spread([rules[c].get("min_age", -1) for c in codes], -1).astype(np.int64)
    max_age = spread([rules[c].get("max_age", -1) for c in codes], -1).astype(np.int64)
    need_dis = spread([("disabled" in rules[c].get("requires_flag", [])) for c in codes], False).astype(bool)
    need_ill = spread([("seriously_ill" in rules[c].get("requires_flag", [])) for c in codes], False).astype(bool)

    inc = income.to_numpy(dtype="float64", na_value=np.nan)
    inc_ok = ~np.isnan(inc)
    inc_i = np.where(inc_ok, inc, 0).astype(np.int64)
    dib = dibao_fen.to_numpy(dtype="float64", na_value=np.nan)
    dib_ok = ~np.isnan(dib)
    dib_i = np.where(dib_ok, dib, 0).astype(np.int64)
    age_arr = age.to_numpy(dtype="float64", na_value=np.nan)
    age_ok = ~np.isnan(age_arr)
    age_i = np.where(age_ok, age_arr, 0).astype(np.int64)

    bits = np.zeros(n, dtype=np.int64)
    bits |= np.where(~in_plan, _NOT_IN_PLAN, 0)
    bits |= np.where(has_income_rule & ~inc_ok, _NO_INCOME, 0)
    bits |= np.where(has_income_rule & inc_ok & ~dib_ok, _NO_DIBAO, 0)
    # income < (num/den) * dibao  <=>  income * den < num * dibao, in integers
    bits |= np.where(has_income_rule & inc_ok & dib_ok & (inc_i * den >= num * dib_i), _INCOME_HIGH, 0)
    has_age_rule = (min_age >= 0) | (max_age >= 0)
    bits |= np.where(has_age_rule & ~age_ok, _NO_BIRTH, 0)
    bits |= np.where((min_age >= 0) & age_ok & (age_i < min_age), _TOO_YOUNG, 0)
    bits |= np.where((max_age >= 0) & age_ok & (age_i > max_age), _TOO_OLD, 0)
    bits |= np.where(need_dis & ~_flag(registry, "disabled"), _NO_DISABLED, 0)
    bits |= np.where(need_ill & ~_flag(registry, "seriously_ill"), _NO_ILL, 0)

    # One text per distinct (category, failed rules): a handful, whatever n is.
    combo = cat_idx * 1024 + bits
    uniq, inverse = np.unique(combo, return_inverse=True)
    zh_u, en_u = [], []
    for value in uniq:
        ci, b = divmod(int(value), 1024)
        if b == 0:
            zh_u.append(""), en_u.append("")
            continue
        r = rules[codes[ci]] if ci >= 0 else None
        t_zh, t_en = _reason_text(b, r, (r or {}).get("income_below_dibao"))
        zh_u.append(t_zh), en_u.append(t_en)
    reason_zh = np.asarray(zh_u, dtype=object)[inverse.reshape(-1)] if n else np.array([], dtype=object)
    reason_en = np.asarray(en_u, dtype=object)[inverse.reshape(-1)] if n else np.array([], dtype=object)

    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(inc_ok & dib_ok & (dib_i > 0), inc / np.where(dib_i > 0, dib_i, 1), np.nan)

    return pd.DataFrame({
        "eligible": bits == 0,
        "dibao_fen": dibao_fen,
        "income_ratio": ratio,
        "age": age,
        "reason_zh": reason_zh,
        "reason_en": reason_en,
        "urban_rural": status,
    }, index=registry.index)
