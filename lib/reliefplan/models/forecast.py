"""Forecast next year's households per county and category, with a backtest.

Two simple methods a planner can explain in one sentence:

``trend_floor``
    Fit a straight line through the last ``window`` years (least squares)
    and extend it one year; never go below ``floor_share`` of last year's
    number (default 80%) nor below 0. The floor stops a falling trend from
    forecasting households away faster than they really leave the rolls.
``mean3``
    The average of the last three years (fewer when the series is shorter).

Results are whole households, rounded half-up. The trend is computed with
exact fractions, so the same history always gives the same forecast.

A series is one county x category (or any ``by``). It runs from its first
year in the history to the last year before the target; a year with no row
counts as 0 households.

:func:`backtest` forecasts each past year from the years before it only and
compares with what happened; :func:`backtest_summary` gives the mean
absolute error (households) and the mean absolute percentage error, so the
notebook can show how far off each method has been.
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from reliefplan.core.errors import ConfigError
from reliefplan.core.areas import county_of
from reliefplan.core import labels
from reliefplan.core.labels import LANGS, check_lang

METHODS = ("trend_floor", "mean3")
DEFAULT_WINDOW = 5
DEFAULT_FLOOR_SHARE = "0.8"
SERIES_BY = ("county_code", "category")




METHOD_LABELS = {
    "trend_floor": ("线性趋势(设下限)", "Linear trend with a floor"),
    "mean3": ("近3年平均", "Last-3-year average"),
}

_DESCRIPTIONS = {
    "trend_floor": (
        "按最近{window}年的线性趋势外推一年，但不低于上年户数的{floor}%，也不低于0。",
        "Extend the straight-line trend of the last {window} years by one year, "
        "but never below {floor}% of last year's households, nor below 0.",
    ),
    "mean3": (
        "取最近3年户数的平均值(不足3年取已有年份的平均)。",
        "The average of the last 3 years' households (fewer years when that is all there is).",
    ),
}


def check_method(method: str) -> str:
    if method not in METHODS:

        raise ConfigError(f"预测方法须为 {' / '.join(METHODS)}: {method!r}",
                          f"forecast method must be one of {', '.join(METHODS)}: {method!r}",
                          column="forecast_method")
    return method


def method_description(method: str, lang: str = "zh", window: int = DEFAULT_WINDOW,
                       floor_share=DEFAULT_FLOOR_SHARE) -> str:
    """One sentence explaining ``method`` in ``lang``."""
    zh, en = _DESCRIPTIONS[check_method(method)]
    floor = Fraction(str(floor_share)) * 100
    floor_text = str(floor.numerator) if floor.denominator == 1 else f"{float(floor):g}"
    return (zh if lang == "zh" else en).format(window=window, floor=floor_text)


def _round_half_up(value: Fraction) -> int:
    return int((value * 2 + 1) // 2)


def predict(values, method: str = "trend_floor", window: int = DEFAULT_WINDOW,
            floor_share=DEFAULT_FLOOR_SHARE) -> int:
    """Next value after ``values`` (consecutive years, oldest first) by ``method``."""
    check_method(method)
    values = [int(v) for v in values]
    if not values:
        raise ValueError("no history to forecast from")
    if method == "mean3":
        last = values[-3:]
        return _round_half_up(Fraction(sum(last), len(last)))
    ys = values[-int(window):]
    n = len(ys)
    if n == 1:
        trend = Fraction(ys[0])
    else:
        xs = range(n)
        x_mean = Fraction(sum(xs), n)
        y_mean = Fraction(sum(ys), n)
        sxx = sum((x - x_mean) ** 2 for x in xs)
        sxy = sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys))
        trend = y_mean + (sxy / sxx) * (n - x_mean)
    floor = Fraction(str(floor_share)) * ys[-1]
    return max(_round_half_up(trend), _round_half_up(floor), 0)


def series(history: pd.DataFrame, by=SERIES_BY, value: str = "households",
           until: int | None = None) -> pd.DataFrame:
    """Long table of ``value`` per series and year, gaps filled with 0.

    Each series runs from its first year to ``until`` (default: the last
    year in the history). Columns: the ``by`` columns, year, ``value``.
    """
    df = history
    if "county_code" in by and "county_code" not in df:
        df = df.assign(county_code=county_of(df["area_code"]))
    by = list(by)
    if until is None:
        until = int(df["year"].max())
    df = df[df["year"] <= until]
    sums = df.groupby(by + ["year"], sort=True)[value].sum().astype("int64")
    rows = []
    for key, grp in sums.groupby(level=by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        years = grp.index.get_level_values("year")
        got = dict(zip(years, grp.to_numpy()))
        for year in range(int(years.min()), until + 1):
            rows.append((*key, year, int(got.get(year, 0))))
    out = pd.DataFrame(rows, columns=by + ["year", value])
    out["year"] = out["year"].astype("int64")
    out[value] = out[value].astype("int64")
    return out


def forecast(history: pd.DataFrame, method: str = "trend_floor", target_year: int | None = None,
             by=SERIES_BY, window: int = DEFAULT_WINDOW, floor_share=DEFAULT_FLOOR_SHARE) -> pd.DataFrame:
    """Households forecast for ``target_year`` (default: the year after the last) per series.

    Only years before ``target_year`` are used. Columns: the ``by`` columns,
    target_year, method, last_year, last_value, forecast, n_years.
    """
    check_method(method)
    by = list(by)
    if target_year is None:
        target_year = int(history["year"].max()) + 1
    s = series(history, by, until=int(target_year) - 1)
    rows = []
    for key, grp in s.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        vals = grp["households"].tolist()
        rows.append((*key, int(target_year), method, int(grp["year"].iloc[-1]), vals[-1],
                     predict(vals, method, window, floor_share), len(vals)))
    out = pd.DataFrame(rows, columns=by + ["target_year", "method", "last_year", "last_value",
                                           "forecast", "n_years"])
    for col in ("target_year", "last_year", "last_value", "forecast", "n_years"):
        out[col] = out[col].astype("int64")
    return out


def backtest(history: pd.DataFrame, method: str = "trend_floor", by=SERIES_BY, min_train: int = 3,
             window: int = DEFAULT_WINDOW, floor_share=DEFAULT_FLOOR_SHARE) -> pd.DataFrame:
    """Forecast every past year from the years before it, and compare with what happened.

    A year is tested when its series has at least ``min_train`` earlier
    years. Columns: the ``by`` columns, year, method, forecast, actual,
    error (forecast - actual), abs_error, pct_error (percent of actual;
    NaN when actual is 0).
    """
    check_method(method)
    by = list(by)
    s = series(history, by)
    rows = []
    for key, grp in s.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        years = grp["year"].tolist()
        vals = grp["households"].tolist()
        for i in range(min_train, len(vals)):
            f = predict(vals[:i], method, window, floor_share)
            rows.append((*key, years[i], method, f, vals[i]))
    out = pd.DataFrame(rows, columns=by + ["year", "method", "forecast", "actual"])
    for col in ("year", "forecast", "actual"):
        out[col] = out[col].astype("int64")
    out["error"] = (out["forecast"] - out["actual"]).astype("int64")
    out["abs_error"] = out["error"].abs().astype("int64")
    out["pct_error"] = (out["error"] * 100 / out["actual"].where(out["actual"] > 0)).astype("float64").round(2)
    return out


def backtest_summary(bt: pd.DataFrame, by=("method",)) -> pd.DataFrame:
    """Mean absolute error, mean absolute % error and mean bias of a backtest, by ``by``.

    Columns: the ``by`` columns, n, mae, mape (over forecasts whose actual
    is above 0), bias. Floats rounded to 0.01 (they are counts, not money).
    """
    by = list(by)
    rows = []
    for key, grp in bt.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        pct = grp["pct_error"].dropna().abs()
        rows.append((*key, len(grp), round(grp["abs_error"].mean(), 2),
                     round(pct.mean(), 2) if len(pct) else float("nan"), round(grp["error"].mean(), 2)))
    return pd.DataFrame(rows, columns=by + ["n", "mae", "mape", "bias"])


def backtest_totals(bt: pd.DataFrame) -> pd.DataFrame:
    """The backtest added up per year (and method): forecast vs actual households in all series."""
    out = bt.groupby(["method", "year"], sort=True)[["forecast", "actual"]].sum().reset_index()
    out["error"] = (out["forecast"] - out["actual"]).astype("int64")
    out["pct_error"] = (out["error"] * 100 / out["actual"].where(out["actual"] > 0)).astype("float64").round(2)
    return out


def compare_methods(history: pd.DataFrame, methods=METHODS, **kwargs) -> pd.DataFrame:
    """Backtest summary of each method side by side (one row per method)."""
    frames = [backtest(history, m, **kwargs) for m in methods]
    return backtest_summary(pd.concat(frames, ignore_index=True))


def forecast_totals(fc: pd.DataFrame, by=()) -> dict:
    """Total forecast households (an int), or {key: int} by ``by`` (e.g. ['county_code'])."""
    if not by:
        return int(fc["forecast"].sum())
    grouped = fc.groupby(list(by), sort=True)["forecast"].sum()
    return {str(k): int(v) for k, v in grouped.items()}


def forecast_pivot(fc: pd.DataFrame, rows: str = "county_code", columns: str = "category",
                   row_names: dict | None = None, column_names: dict | None = None,
                   lang: str = "zh") -> pd.DataFrame:
    """Forecast households as a rows x columns table of ints, with a total row and column.

    Missing combinations are 0; the totals are exact integer sums. Codes are
    shown through ``row_names`` / ``column_names`` when given (e.g. county
    and category labels); the total row/column is labelled 合计 / Total.
    """
    table = fc.pivot_table(index=rows, columns=columns, values="forecast", aggfunc="sum", fill_value=0)
    table = table.astype("int64")
    total = labels.column_label("pivot_total", lang, table="models.forecast")
    table[total] = table.sum(axis=1)
    table.loc[total] = table.sum(axis=0)
    table = table.rename(index=row_names or {}, columns=column_names or {})
    table.columns.name = None
    table.index.name = labels.column_label(rows.replace("_code", "_name") if row_names else rows, lang, table="models.forecast")
    return table


def display(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A forecast/backtest table for people: method names and column labels in ``lang``."""
    out = df.reset_index(drop=True).copy()
    if "method" in out:
        i = LANGS.index(check_lang(lang))
        out["method"] = out["method"].map(lambda m: METHOD_LABELS.get(m, (m, m))[i])
    return out.rename(columns={c: labels.column_label(c, lang, table="models.forecast") for c in out.columns})
