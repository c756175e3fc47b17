"""Money axes people read: ticks in 万元 (10,000 yuan) with Chinese labels, fitted to what the chart shows.

Plotly's own ticks on a yuan axis read "100k", "1.5M": English SI prefixes
that a Chinese reader must convert. :func:`money_axis` replaces them with
round ticks labelled in 万元 (zh) or thousands of yuan (en) and names the
unit in the axis title. The extent is taken from the figure's traces
(stacked bars summed per position), so it works for any chart builder.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict

import numpy as np

WAN = 10_000


def _values(fig, axis: str) -> list[float]:
    """Every plotted value on ``axis`` ('x' or 'y'), with stacked bars summed per position and sign."""
    stacked = (fig.layout.barmode or "group") in ("stack", "relative")
    sums_pos, sums_neg = defaultdict(float), defaultdict(float)
    values: list[float] = [0.0]
    for tr in fig.data:
        vals = getattr(tr, axis, None)
        if vals is None:
            continue
        nums = [float(v) for v in np.asarray(vals, dtype=object).ravel() if _is_number(v)]
        base = getattr(tr, "base", None) if tr.type == "bar" else None
        if base is not None:
            bases = np.broadcast_to(np.asarray(base, dtype=float), (len(nums),)) if len(nums) else []
            values += [b + v for b, v in zip(bases, nums)] + list(map(float, bases))
            continue
        if tr.type == "bar" and stacked:
            other = "y" if axis == "x" else "x"
            keys = list(getattr(tr, other) if getattr(tr, other) is not None else range(len(nums)))
            for k, v in zip(keys, nums):
                (sums_pos if v >= 0 else sums_neg)[str(k)] += v
        else:
            values += nums
    return values + list(sums_pos.values()) + list(sums_neg.values())


def _is_number(v) -> bool:
    try:
        return v is not None and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def nice_step(span: float, target: int = 5) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about ``target`` ticks over ``span``."""
    if span <= 0:
        return 1.0
    raw = span / target
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def money_ticks(lo: float, hi: float, lang: str = "zh") -> tuple[list[float], list[str], str]:
    """Tick values (yuan), their labels and the unit word for an axis spanning ``lo``..``hi`` yuan."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    big = max(abs(lo), abs(hi)) >= WAN
    scale = WAN if big else 1
    step = nice_step((hi - lo) / scale) * scale
    start = math.floor(lo / step) * step
    ticks = []
    v = start
    while v <= hi + step * 0.999:
        ticks.append(round(v, 6))
        v += step
    def fmt(x: float) -> str:
        q = x / scale
        return f"{q:,.0f}" if abs(q - round(q)) < 1e-9 else f"{q:,.1f}".rstrip("0").rstrip(".")
    if lang == "zh":
        unit = "万元" if big else "元"
        return ticks, [fmt(t) for t in ticks], unit
    unit = "10k yuan" if big else "yuan"
    return ticks, [fmt(t) for t in ticks], unit


def money_axis(fig, *, axis: str = "y", lang: str = "zh", title: str | None = None):
    """Relabel ``fig``'s money axis (plotted in yuan) in 万元 / yuan with round ticks; returns ``fig``.

    ``title`` is what the axis measures, without the unit (e.g. "合计"); the
    unit is appended: "合计（万元）" / "Total (10k yuan)". Default "金额"/"Amount".
    """
    vals = _values(fig, axis)
    ticks, text, unit = money_ticks(min(vals), max(vals), lang)
    name = title or ("金额" if lang == "zh" else "Amount")
    label = f"{name}（{unit}）" if lang == "zh" else f"{name} ({unit})"
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    update(tickmode="array", tickvals=ticks, ticktext=text, title_text=label)
    for trace in fig.data:   # the axis names the unit; a legend entry saying (元) would contradict 万元
        if isinstance(trace.name, str):
            trace.name = _UNIT_SUFFIX.sub("", trace.name)
    return fig


_UNIT_SUFFIX = re.compile(r"\s*[(（](元|yuan)[)）]$")
