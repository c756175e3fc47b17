"""ID number rules (GB 11643): check character, normalisation, Excel damage, dates."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from reliefplan.core import ids
# The standard's own worked example: 11010519491231002X.
EXAMPLE = "11010519491231002X"
# 350602 199001011 23 + check '5', computed by hand:
# digits 3 5 0 6 0 2 1 9 9 0 0 1 0 1 1 2 3 x weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
# = 21+45+0+30+0+8+2+9+54+0+0+9+0+5+8+8+6 = 205; 205 % 11 = 7 -> "10X98765432"[7] = '5'
GOOD = "350602199001011235"
TODAY = dt.date(2026, 11, 1)


def test_check_char_standard_example():
    assert ids.check_char(EXAMPLE[:17]) == "X"


def test_check_char_hand_computed():
    assert ids.check_char(GOOD[:17]) == "5"


def test_check_char_refuses_wrong_input():
    with pytest.raises(ValueError):
        ids.check_char("123")
    with pytest.raises(ValueError):
        ids.check_char("３５０６０２19900101123")


@pytest.mark.parametrize("raw", [
    GOOD, f" {GOOD} ", GOOD[:6] + "\u00a0" + GOOD[6:], GOOD[:6] + "\u3000" + GOOD[6:],
    "３５０６０２１９９００１０１１２３５", "350602 19900101 1235",
])
def test_normalise_id_folds_spaces_and_full_width(raw):
    assert ids.normalise_id(raw) == GOOD


def test_normalise_id_lowercase_x():
    assert ids.normalise_id(EXAMPLE.lower()) == EXAMPLE
    assert ids.normalise_id("11010519491231002ｘ") == EXAMPLE


def test_normalise_id_numbers():
    assert ids.normalise_id(None) == ""
    assert ids.normalise_id(float("nan")) == ""
    assert ids.normalise_id(350602900101123.0) == "350602900101123"
    assert "E" in ids.normalise_id(3.50602199001011e17)


@pytest.mark.parametrize("raw", [GOOD, GOOD.lower(), EXAMPLE, EXAMPLE.lower(), "１１０１０５１９４９１２３１００２Ｘ"])
def test_validate_id_accepts(raw):
    assert ids.validate_id(raw, today=TODAY) == (True, None)


@pytest.mark.parametrize("raw, code", [
    (None, "id_missing"),
    ("", "id_missing"),
    ("   ", "id_missing"),
    (3.50602199001011e17, "id_excel_number"),
    ("3.50602199001011E+17", "id_excel_number"),
    ("3.50602199001011e+17", "id_excel_number"),
    ("350602199001011000", "id_excel_number"),  # trailing zeros replaced digits
    ("350602199001011235.0", "id_excel_number"),
    ("35060219900101123", "id_bad_format"),  # 17 digits
    ("3506021990010112355", "id_bad_format"),  # 19 digits
    ("35060219900101123A", "id_bad_format"),
    ("350602199001011236", "id_bad_checksum"),
    ("11010519491231002Y", "id_bad_format"),
])
def test_validate_id_rejects(raw, code):
    assert ids.validate_id(raw, today=TODAY) == (False, code)


def with_check(first17):
    return first17 + ids.check_char(first17)


def test_feb_30_is_impossible():
    assert ids.validate_id(with_check("35060219900230123"), today=TODAY) == (False, "id_bad_birth_date")


def test_leap_days():
    assert ids.validate_id(with_check("35060220000229123"), today=TODAY) == (True, None)
    assert ids.validate_id(with_check("35060219000229123"), today=TODAY) == (False, "id_bad_birth_date")
    assert ids.validate_id(with_check("35060220230229123"), today=TODAY) == (False, "id_bad_birth_date")


def test_month_13_and_day_0():
    assert ids.validate_id(with_check("35060219901301123"), today=TODAY)[1] == "id_bad_birth_date"
    assert ids.validate_id(with_check("35060219900100123"), today=TODAY)[1] == "id_bad_birth_date"


def test_future_birth_date():
    assert ids.validate_id(with_check("35060220261102123"), today=TODAY) == (False, "id_future_birth_date")
    assert ids.validate_id(with_check("35060220261101123"), today=TODAY) == (True, None)


def test_excel_zeros_with_valid_checksum_is_kept():
    # A real number may end in 000 when its check character is 0; only a failed check is blamed on Excel.
    candidates = (f"350602199001{day:02d}{d}00" for day in range(1, 29) for d in range(10))
    first17 = next(c for c in candidates if ids.check_char(c) == "0")
    assert ids.validate_id(first17 + "0", today=TODAY) == (True, None)


def test_15_digit_upgrade():
    out = ids.validate_ids(pd.Series(["350602900101123"]), today=TODAY).iloc[0]
    assert out["ok"]
    assert out["id_number"] == GOOD
    assert out["warning"] == "id_upgraded_15"
    assert out["birth_date"] == pd.Timestamp("1990-01-01")


def test_15_digit_number_cell_is_exact():
    # Excel keeps 15 significant digits, so a 15-digit number survives a numeric cell.
    out = ids.validate_ids(pd.Series([350602900101123.0], dtype=object), today=TODAY).iloc[0]
    assert out["ok"] and out["id_number"] == GOOD and out["warning"] == "id_upgraded_15"


def test_unknown_address_code_is_never_rejected():
    # 350699 is not a county code; 990602 not even a province: both kept.
    odd_county = with_check("35069919900101123")
    assert ids.validate_id(odd_county, today=TODAY) == (True, None)
    odd_province = with_check("99060219900101123")
    out = ids.validate_ids(pd.Series([odd_province]), today=TODAY).iloc[0]
    assert out["ok"] and out["warning"] == "id_unknown_province"


def test_birth_date_and_gender():
    assert ids.birth_date(GOOD) == dt.date(1990, 1, 1)
    assert ids.gender(GOOD) == "男"  # sequence 123, odd
    assert ids.gender(EXAMPLE) == "女"  # sequence 002, even
    assert ids.birth_date(EXAMPLE) == dt.date(1949, 12, 31)
    assert ids.birth_date("bad") is None
    assert ids.gender("bad") is None


def test_validate_ids_frame_shape_and_index():
    s = pd.Series([GOOD, "bad", None], index=[10, 20, 30], dtype=object)
    out = ids.validate_ids(s, today=TODAY)
    assert list(out.columns) == ["id_number", "ok", "reason", "warning", "birth_date", "gender"]
    assert list(out.index) == [10, 20, 30]
    assert out["ok"].tolist() == [True, False, False]
    assert out["reason"].tolist() == [None, "id_bad_format", "id_missing"]
    assert out["birth_date"].dtype == "datetime64[ns]"
    assert pd.isna(out.loc[20, "birth_date"])


def test_validate_ids_str_dtype_and_empty():
    assert ids.validate_ids(pd.Series([GOOD], dtype="str"), today=TODAY)["ok"].all()
    empty = ids.validate_ids(pd.Series([], dtype=object), today=TODAY)
    assert len(empty) == 0 and "ok" in empty


def test_validate_ids_matches_scalar_checksum_on_random_numbers():
    rng = np.random.default_rng(7)
    first17 = [f"3506{rng.integers(10, 99)}19{rng.integers(50, 99)}0{rng.integers(1, 9)}1{rng.integers(0, 9)}"
               f"{rng.integers(100, 999)}" for _ in range(300)]
    numbers = [f + ids.check_char(f) for f in first17]
    wrong = [f + ("0" if ids.check_char(f) != "0" else "1") for f in first17]
    out = ids.validate_ids(pd.Series(numbers + wrong), today=TODAY)
    assert out["ok"].tolist() == [True] * 300 + [False] * 300


def test_reason_texts_are_bilingual():
    for code, (zh, en) in ids.REASONS.items():
        assert zh and en and zh != en
    assert "Excel" in ids.reason_text("id_excel_number", "en")
    assert "数字" in ids.reason_text("id_excel_number", "zh")
