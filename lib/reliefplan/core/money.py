"""Exact money: amounts are integer fen (分) inside the library.

Floats never carry money. Inputs in yuan (str, int, Decimal) are converted
with :func:`to_fen`; display uses :func:`format_yuan`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pandas as pd

FEN_PER_YUAN = 100


def to_fen(value) -> int:
    """Convert a yuan amount (int, str or Decimal; not float) to integer fen.

    Floats are refused because their binary value is not the amount written.
    Amounts with more than two decimals are rounded half-up to the fen.
    """
    if isinstance(value, bool):
        raise TypeError("money cannot be a bool")
    if isinstance(value, float):
        raise TypeError(f"money must not be a float: {value!r}; pass str or Decimal")
    if isinstance(value, int):
        return value * FEN_PER_YUAN
    try:
        dec = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not dec.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return int((dec * FEN_PER_YUAN).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_to_yuan(fen: int) -> Decimal:
    """Integer fen as an exact Decimal yuan amount."""
    return (Decimal(int(fen)) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def yuan_for_plot(fen_values):
    """Fen as float yuan, only for chart axes (display); sums are never taken on these."""

    return pd.Series(fen_values).astype("float64") / FEN_PER_YUAN


def format_yuan(fen: int, *, decimals: bool = True) -> str:
    """Display fen as yuan with thousands separators: 123456 -> '1,234.56'."""
    yuan = fen_to_yuan(fen)
    return f"{yuan:,.2f}" if decimals else f"{yuan:,.0f}"


def round_fen_to_step(fen: int, step_yuan: int, *, down: bool = True) -> int:
    """Round an amount in fen to a multiple of ``step_yuan`` yuan (down by default)."""
    step = int(step_yuan) * FEN_PER_YUAN
    if step <= 0:
        return int(fen)
    q, r = divmod(int(fen), step)
    if down or r == 0:
        return q * step
    return (q + 1) * step
