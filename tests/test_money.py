"""Exact money (reliefplan.core.money): fen in, fen out, never a float sum."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reliefplan.core.money import fen_to_yuan, format_yuan, round_fen_to_step, to_fen, yuan_for_plot


@pytest.mark.parametrize("value, fen", [
    (500, 50000), ("500", 50000), ("1,234.56", 123456), ("１２３", 12300), (Decimal("0.005"), 1),
    (Decimal("0.004"), 0), ("  88.8 ", 8880), ("1，000", 100000), (0, 0), ("-12.34", -1234),
])
def test_to_fen(value, fen):
    assert to_fen(value) == fen


@pytest.mark.parametrize("bad", [1.5, True, False])
def test_floats_and_bools_are_refused(bad):
    with pytest.raises(TypeError):
        to_fen(bad)


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", "", "1.2.3"])
def test_non_amounts_are_refused(bad):
    with pytest.raises(ValueError):
        to_fen(bad)


def test_fen_to_yuan_and_format():
    assert fen_to_yuan(123456) == Decimal("1234.56")
    assert format_yuan(123456) == "1,234.56"
    assert format_yuan(330000000, decimals=False) == "3,300,000"
    assert format_yuan(-5) == "-0.05"


@pytest.mark.parametrize("fen, step, down, out", [
    (123456, 10, True, 123000), (123456, 10, False, 124000), (123000, 10, False, 123000),
    (99, 50, True, 0), (5001, 50, False, 10000), (777, 0, True, 777),
])
def test_round_fen_to_step(fen, step, down, out):
    assert round_fen_to_step(fen, step, down=down) == out


def test_yuan_for_plot_is_display_only():
    assert list(yuan_for_plot([150, 250])) == [1.5, 2.5]


@given(st.lists(st.integers(min_value=0, max_value=10**12), max_size=50))
def test_sum_in_fen_round_trips_through_yuan_text(amounts):
    total = sum(amounts)
    assert to_fen(str(fen_to_yuan(total))) == total
    assert to_fen(format_yuan(total)) == total
