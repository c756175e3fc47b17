"""Standards (慰问标准) from the plan: what each category receives.

A standard is cash (慰问金) and goods (慰问品) per household or per person.
Cash is either a fixed amount or a multiple of the county's monthly 低保
standard (``cash_dibao_multiple``), so its value in fen depends on where the
person lives; :func:`unit_amounts` turns a standards table plus each group's
低保 standard into exact integer amounts.

Scenarios (``scenarios:`` in the plan) change the standards: a
``multiplier`` scales every base standard (fixed amounts and 低保
multiples), ``round_to`` rounds the scaled amounts half-up to that many
yuan, and ``overrides`` then replace named categories' standards as
written (an override is final: the multiplier does not scale it again).

Everything stays exact: amounts are integer fen, multiples and factors are
:class:`fractions.Fraction`, and rounding is explicit (half-up, or down to a
step where a budget must not be exceeded).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from reliefplan.core import labels
from reliefplan.ingest.inputs import PlanInputs
from reliefplan.core.errors import ConfigError, InputError
from reliefplan.core.money import format_yuan, to_fen

# Columns of a standards table, one row per category in the plan's order.
COLUMNS = ("category", "zh", "en", "unit", "per", "priority", "cash_fen",
           "cash_dibao_multiple", "goods_fen", "round_to_fen", "round_down")

DEFAULT_SCENARIO = {"name": "方案标准", "name_en": "Plan standards", "baseline": True}


_PER_LABELS = {"household": ("每户", "per household"), "person": ("每人", "per person")}


def exact(value) -> Fraction:
    """A number written in the plan (int, str, Decimal or YAML float) as an exact Fraction.

    YAML turns ``1.10`` into a float; its shortest repr ``'1.1'`` is what the
    planner wrote, so floats go through ``str`` rather than their binary value.
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise TypeError("a multiple cannot be a bool")
    return Fraction(Decimal(str(value)))


def round_fraction(x: Fraction, step_fen: int = 1, *, down: bool = False) -> int:
    """Round an exact amount in fen to a multiple of ``step_fen``: half-up, or down."""
    step = max(int(step_fen), 1)
    q = x / step
    n = q.numerator // q.denominator if down else (2 * q.numerator + q.denominator) // (2 * q.denominator)
    return int(n) * step


def plan_categories(plan: dict) -> pd.DataFrame:
    """The category definitions the plan uses (its ``data.categories``, through :class:`PlanInputs`)."""
    return PlanInputs(plan).categories


def base_standards(plan: dict, categories: pd.DataFrame | None = None) -> pd.DataFrame:
    """The standards as written in the plan's ``categories:`` section.

    ``per`` defaults to the category's unit (household categories are paid
    per household, all others per person); ``priority`` to the category
    table's default. Fixed cash of a category paid as a 低保 multiple is 0.
    """
    cats = categories if categories is not None else plan_categories(plan)
    info = cats.set_index("code")
    rows = []
    for code, std in (plan.get("categories") or {}).items():
        std = std or {}
        if code not in info.index:
            raise ConfigError(f"未知类别 {code}", f"unknown category {code}", file=plan.get("_path"),
                              column=f"categories.{code}")
        unit = info.at[code, "unit"]
        multiple = std.get("cash_dibao_multiple")
        rows.append({
            "category": code,
            "zh": info.at[code, "zh"],
            "en": info.at[code, "en"],
            "unit": unit,
            "per": std.get("per") or ("household" if unit == "household" else "person"),
            "priority": int(std.get("priority", info.at[code, "priority"])),
            "cash_fen": 0 if multiple is not None else to_fen(str(std.get("cash", 0))),
            "cash_dibao_multiple": None if multiple is None else exact(multiple),
            "goods_fen": to_fen(str(std.get("goods", 0))),
            "round_to_fen": 0,
            "round_down": False,
        })
    return _frame(rows)


def _frame(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    for col in ("priority", "cash_fen", "goods_fen", "round_to_fen"):
        df[col] = df[col].astype("int64")
    df["round_down"] = df["round_down"].astype(bool)
    df["cash_dibao_multiple"] = df["cash_dibao_multiple"].astype(object)
    return df


def scenarios(plan: dict) -> list[dict]:
    """The plan's scenarios, baseline first; one implicit baseline when the plan has none.

    The baseline is the scenario marked ``baseline: true``, else the first.
    """
    found = [dict(s) for s in (plan.get("scenarios") or [])]
    if not found:
        return [dict(DEFAULT_SCENARIO)]
    marked = [i for i, s in enumerate(found) if s.get("baseline")]
    first = marked[0] if marked else 0
    ordered = [found[first]] + [s for i, s in enumerate(found) if i != first]
    for i, s in enumerate(ordered):
        s["baseline"] = i == 0
        s.setdefault("name_en", s["name"])
    return ordered


def baseline_name(plan: dict) -> str:
    return scenarios(plan)[0]["name"]


def scenario(plan: dict, name: str | None = None) -> dict:
    """One scenario by name (the baseline when ``name`` is None), or a ConfigError listing the names."""
    all_ = scenarios(plan)
    if name is None:
        return all_[0]
    for s in all_:
        if s["name"] == name or s.get("name_en") == name:
            return s
    names = ", ".join(s["name"] for s in all_)
    raise ConfigError(f"方案中没有情景 {name!r}, 可选: {names}", f"no scenario {name!r} in the plan; valid: {names}",
                      file=plan.get("_path"), column="scenarios")


def scale_standards(std: pd.DataFrame, factor, *, step_yuan=None, down: bool = False) -> pd.DataFrame:
    """Every standard times ``factor``, rounded to ``step_yuan`` (half-up, or down when ``down``).

    Without a step, amounts round half-up to the fen. Cash paid as a 低保
    multiple keeps being a multiple (scaled); its rounding is applied when
    the amount is computed per county by :func:`unit_amounts`.
    """
    f = exact(factor)
    step = int(to_fen(str(step_yuan))) if step_yuan else 1
    out = std.copy()
    out["cash_fen"] = [round_fraction(a * f, step, down=down) for a in std["cash_fen"]]
    out["goods_fen"] = [round_fraction(a * f, step, down=down) for a in std["goods_fen"]]
    out["cash_dibao_multiple"] = [None if m is None else m * f for m in std["cash_dibao_multiple"]]
    if step > 1:
        out["round_to_fen"] = step
        out["round_down"] = down
    return _frame(out.to_dict("records"))


def uniform_standards(std: pd.DataFrame, amount_fen: int) -> pd.DataFrame:
    """Every category paid the same cash ``amount_fen`` per its ``per`` and no goods (goal seek)."""
    out = std.copy()
    out["cash_fen"] = int(amount_fen)
    out["cash_dibao_multiple"] = None
    out["goods_fen"] = 0
    out["round_to_fen"] = 0
    out["round_down"] = False
    return _frame(out.to_dict("records"))


def apply_overrides(std: pd.DataFrame, overrides: dict | None, *, path=None) -> pd.DataFrame:
    """Replace named categories' standards (keys cash, goods, cash_dibao_multiple, per, priority).

    Setting ``cash`` drops a 低保 multiple and vice versa. An overridden row
    loses any scenario rounding: its amounts are taken as written.
    """
    if not overrides:
        return std
    out = std.set_index("category", drop=False)
    for code, change in overrides.items():
        if code not in out.index:
            raise ConfigError(f"类别 {code} 不在本方案中", f"category {code} is not in this plan",
                              file=path, column=f"overrides.{code}")
        change = change or {}
        if change.get("cash") is not None:
            out.at[code, "cash_fen"] = to_fen(str(change["cash"]))
            out.at[code, "cash_dibao_multiple"] = None
        if change.get("cash_dibao_multiple") is not None:
            out.at[code, "cash_dibao_multiple"] = exact(change["cash_dibao_multiple"])
            out.at[code, "cash_fen"] = 0
        if change.get("goods") is not None:
            out.at[code, "goods_fen"] = to_fen(str(change["goods"]))
        if change.get("per") is not None:
            out.at[code, "per"] = change["per"]
        if change.get("priority") is not None:
            out.at[code, "priority"] = int(change["priority"])
        out.at[code, "round_to_fen"] = 0
        out.at[code, "round_down"] = False
    return _frame(out.reset_index(drop=True).to_dict("records"))


def apply_scenario(std: pd.DataFrame, sc: dict, *, path=None) -> pd.DataFrame:
    """Base standards changed by one scenario: multiplier and round_to first, then overrides."""
    out = std
    if sc.get("multiplier") is not None or sc.get("round_to"):
        out = scale_standards(out, sc.get("multiplier", 1), step_yuan=sc.get("round_to"))
    return apply_overrides(out, sc.get("overrides"), path=path)


def scenario_standards(plan: dict, name: str | None = None, categories: pd.DataFrame | None = None) -> pd.DataFrame:
    """The standards of scenario ``name`` (the baseline when None)."""
    return apply_scenario(base_standards(plan, categories), scenario(plan, name), path=plan.get("_path"))


def set_amounts(std: pd.DataFrame, amounts: dict | None) -> pd.DataFrame:
    """Standards with amounts typed by a user: {category: {cash, goods, cash_dibao_multiple}} in yuan.

    This is what the what-if controls change. Amounts are checked: a
    negative or non-numeric amount raises an InputError naming the category.
    """
    if not amounts:
        return std
    checked = {}
    for code, change in amounts.items():
        row = {}
        for key, value in (change or {}).items():
            if value is None or key not in ("cash", "goods", "cash_dibao_multiple"):
                continue
            try:
                number = exact(value)
            except (ValueError, TypeError, ArithmeticError):
                number = None
            if number is None or number < 0:
                raise InputError(f"{code} 的{_KEY_ZH[key]}须为不小于 0 的数字, 实为 {value!r}",
                                 f"{_KEY_EN[key]} of {code} must be a number >= 0, got {value!r}",
                                 column=f"{code}.{key}")
            row[key] = number if key == "cash_dibao_multiple" else Decimal(number.numerator) / number.denominator
        checked[code] = row
    return apply_overrides(std, checked)


_KEY_ZH = {"cash": "慰问金", "goods": "慰问品", "cash_dibao_multiple": "低保倍数"}
_KEY_EN = {"cash": "cash", "goods": "goods", "cash_dibao_multiple": "dibao multiple"}


def multiple_arrays(std: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(uses_multiple bool, numerator, denominator) per standards row, for vectorised amounts."""
    uses = np.array([m is not None for m in std["cash_dibao_multiple"]], dtype=bool)
    num = [m.numerator if m is not None else 0 for m in std["cash_dibao_multiple"]]
    den = [m.denominator if m is not None else 1 for m in std["cash_dibao_multiple"]]
    return uses, np.array(num, dtype=object), np.array(den, dtype=object)


def unit_amounts(std: pd.DataFrame, std_row: np.ndarray, dibao_fen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cash and goods per counted unit (household or person), int64 fen, for each group.

    ``std_row`` gives each group's row position in ``std``; ``dibao_fen`` its
    county's monthly 低保 standard (negative when unknown). Cash paid as a
    multiple is ``multiple x dibao`` rounded half-up to the fen, or to the
    row's ``round_to_fen`` step (down when ``round_down``).
    """
    std_row = np.asarray(std_row, dtype=np.int64)
    dibao = np.asarray(dibao_fen, dtype=np.int64)
    cash = std["cash_fen"].to_numpy(dtype=np.int64)[std_row].copy()
    goods = std["goods_fen"].to_numpy(dtype=np.int64)[std_row]
    uses, num, den = multiple_arrays(std)
    steps = std["round_to_fen"].to_numpy(dtype=np.int64)
    downs = std["round_down"].to_numpy(dtype=bool)
    for i in np.flatnonzero(uses):
        sel = std_row == i
        if not sel.any():
            continue
        d = dibao[sel]
        if (d < 0).any():
            raise InputError(f"类别 {std['category'].iat[i]} 按低保标准发放, 但有 {int((d < 0).sum())} 组缺少所在县的低保标准",
                             f"category {std['category'].iat[i]} is paid as a multiple of dibao, but "
                             f"{int((d < 0).sum())} group(s) lack their county's dibao standard",
                             column="dibao_fen")
        n, q, s = int(num[i]), int(den[i]), max(int(steps[i]), 1)
        if n * int(d.max(initial=0)) * 2 + s * q < 2**62:
            if downs[i]:
                cash[sel] = (d * n) // (s * q) * s
            else:
                cash[sel] = (2 * d * n + s * q) // (2 * s * q) * s
        else:  # huge exact fractions: fall back to Python integers
            cash[sel] = [round_fraction(Fraction(int(x) * n, q), s, down=bool(downs[i])) for x in d]
    return cash, goods


def category_positions(std: pd.DataFrame, category) -> np.ndarray:
    """Row position in ``std`` of each category code (-1 where not in the plan)."""
    return pd.Index(std["category"]).get_indexer(pd.Index(np.asarray(category, dtype=object)))


def standards_table(std: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A readable standards table: category, per, cash (yuan or 低保 months), goods, priority."""
    i = labels.LANGS.index(labels.check_lang(lang))
    months = "个月低保" if lang == "zh" else " x monthly dibao"
    cash = [f"{float(m):.3g}{months}" if m is not None else format_yuan(c)
            for c, m in zip(std["cash_fen"], std["cash_dibao_multiple"])]
    return pd.DataFrame({
        labels.label("category", lang): std["zh" if lang == "zh" else "en"],
        labels.label("per", lang): [_PER_LABELS[p][i] for p in std["per"]],
        labels.label("cash_fen", lang): cash,
        labels.label("goods_fen", lang): [format_yuan(g) for g in std["goods_fen"]],
        labels.label("priority", lang): std["priority"],
    })
