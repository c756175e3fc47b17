"""Citizen ID numbers (公民身份号码, GB 11643-1999): normalise, check, decode.

An 18-character number is 6 digits of address code, 8 digits of birth date
(YYYYMMDD), 3 digits of sequence (odd = male) and a check character computed
mod 11-2 over the first 17 digits (``X`` stands for 10).

What the registry files do to these numbers, and what we do about it:

* full-width digits, lowercase ``x``, spaces and non-breaking spaces are
  normalised, never rejected;
* 15-digit legacy numbers (YYMMDD, no check character) are upgraded to 18 by
  inserting ``19`` and computing the check character, with a warning;
* a number that Excel stored as a number has lost its last digits (Excel keeps
  15 significant digits): ``3.50602199001011E+17``, ``350602199001011000`` or
  ``350602199001011234.0``. These are rejected with a message saying so, because
  the real number cannot be recovered from the cell;
* a bad check character, an impossible birth date (Feb 30), a birth year
  before 1900 (出生年份不合理) or a date in the future is rejected;
* an ID ending in 000 passes the checksum by chance one time in eleven after
  Excel truncated it: it is accepted with a warning when its column holds
  numbers or other truncated IDs (the registry extends this to the whole file);
* a leading apostrophe (Excel's "this is text" marker) is stripped.

The 6-digit address code is the place of first registration, not where the
person lives now, and codes are renamed and merged over the years: a number is
never rejected because its prefix is not a code in today's table (at most a
warning for a province code that never existed), and residence is never
derived from it.

:func:`validate_ids` is the vectorised check used on whole columns; the scalar
helpers call it so there is one set of rules.
"""

from __future__ import annotations

import datetime as _dt
import math
import re

import numpy as np
import pandas as pd

from reliefplan.core.text import strip_all_spaces

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH_YEAR = 1900

# Province-level codes of GB/T 2260 (83 = residence permits of HK/Macao/Taiwan residents).
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82", "83",
})

# reason code -> (zh, en). Rejections first, then warnings.
REASONS: dict[str, tuple[str, str]] = {
    "id_missing": ("身份证号为空", "ID number is empty"),
    "id_excel_number": (
        "身份证号被Excel存成了数字，末几位已丢失（如 3.50602199001011E+17 或末尾变成000），"
        "请将该列设为文本格式后重新填写",
        "the ID number was stored by Excel as a number and its last digits were lost "
        "(e.g. 3.50602199001011E+17 or trailing 000); format the column as text and re-enter it",
    ),
    "id_bad_format": ("身份证号格式错误（应为18位，最后一位可为X）",
                      "ID number has the wrong format (18 characters, last may be X)"),
    "id_bad_checksum": ("身份证号校验位错误", "ID number check character is wrong"),
    "id_bad_birth_date": ("身份证号中的出生日期不存在", "the birth date inside the ID number is impossible"),
    "id_implausible_birth_year": ("身份证号中的出生年份不合理（早于1900年）",
                                  "the birth year inside the ID number is implausible (before 1900)"),
    "id_future_birth_date": ("身份证号中的出生日期晚于今天", "the birth date inside the ID number is in the future"),
    "id_upgraded_15": ("15位旧身份证号已升级为18位", "15-digit legacy ID number upgraded to 18 digits"),
    "id_unknown_province": ("身份证号前两位不是有效的省级代码（仅提示，不影响使用）",
                            "the first two digits of the ID number are not a province code (warning only)"),
    "id_trailing_000": (
        "身份证号末三位为000，且本列（或本文件）有被Excel存成数字而丢失末位的身份证号：请核对原件",
        "the ID number ends in 000 and this column (or file) holds IDs Excel stored as numbers, losing their "
        "last digits: check it against the original",
    ),
}
WARNING_CODES = frozenset({"id_upgraded_15", "id_unknown_province", "id_trailing_000"})

_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_SCI = re.compile(r"[+-]?[0-9]+(\.[0-9]*)?E[+-]?[0-9]+")
_DECIMAL = re.compile(r"[0-9]+\.[0-9]*")
_DIGITS15 = re.compile(r"[0-9]{15}")
_MAX_EXACT_DIGITS = 15  # Excel keeps 15 significant digits of a number


_GENDERS = np.array(["女", "男"], dtype=object)   # by the parity of digit 17


def check_char(first17: str) -> str:
    """The GB 11643 mod 11-2 check character for the first 17 digits."""
    if not isinstance(first17, str) or not re.fullmatch(r"[0-9]{17}", first17):
        raise ValueError(f"need 17 digits, got {first17!r}")
    total = sum(int(c) * int(w) for c, w in zip(first17, WEIGHTS))
    return CHECK_CHARS[total % 11]


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def normalise_id(value) -> str:
    """An ID cell as text: full-width folded, every space removed, ``x`` -> ``X``.

    Numbers (cells Excel stored as numbers) come back in a form that
    :func:`validate_ids` recognises: an integral float below 10^15 as its digits
    (exact, e.g. a 15-digit legacy number), anything larger in scientific
    notation, because its last digits are gone.
    """
    if _is_missing(value):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 10 ** _MAX_EXACT_DIGITS:
            return str(int(value))
        return f"{value:.14E}".replace("E+", "E")
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    # A leading apostrophe is Excel's "store as text" marker, not part of the number.
    return strip_all_spaces(value).upper().lstrip("'‘’`")


def _from_number_text(text: str) -> tuple[str, bool]:
    """'350602900101123.0' -> ('350602900101123', True); lost digits -> ('', False)."""
    try:
        mant = float(text)
    except ValueError:
        return "", False
    if not math.isfinite(mant) or not mant.is_integer() or abs(mant) >= 10 ** _MAX_EXACT_DIGITS:
        return "", False
    digits = str(int(mant))
    return digits, len(digits) == 15


def _upgrade15(digits15: str) -> str:
    """A 15-digit legacy number -> 18 digits (insert '19' and the check character)."""
    first17 = digits15[:6] + "19" + digits15[6:]
    return first17 + check_char(first17)


def _classify_messy(value) -> tuple[str, str | None, str | None]:
    """(normalised text, reason, warning) for a cell that failed the fast check."""
    text = normalise_id(value)
    if not text:
        return "", "id_missing", None
    if _SCI.fullmatch(text) or _DECIMAL.fullmatch(text):
        digits, exact15 = _from_number_text(text)
        if not exact15:
            return text, "id_excel_number", None
        text = digits
    if _DIGITS15.fullmatch(text):
        return _upgrade15(text), None, "id_upgraded_15"
    if not _ID18.fullmatch(text):
        return text, "id_bad_format", None
    return text, None, None


def _code_matrix(strings: list, width: int) -> np.ndarray:
    """(n, width) matrix of the code points of ``strings`` (0 past each string's end)."""
    arr = np.array(strings, dtype=f"<U{width}")
    return arr.view(np.uint32).reshape(len(strings), width)


def _days_in_month(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    dim = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0])[np.clip(month, 0, 13)]
    return dim + ((month == 2) & leap)


def validate_ids(values, *, today=None) -> pd.DataFrame:
    """Check a whole column of ID cells at once.

    Returns a frame on the same index with columns ``id_number`` (normalised;
    18 characters when usable, 15-digit numbers upgraded), ``ok`` (bool),
    ``reason`` (rejection code or None), ``warning`` (warning code or None),
    ``birth_date`` (datetime64, NaT when not ok) and ``gender`` ("男"/"女", or
    None). Codes are keys of :data:`REASONS`.

    The checks run on numpy arrays of code points. Only cells that are not
    already a clean 18-character string (numbers, full-width digits, spaces,
    lowercase x) are normalised one by one before joining the vectorised checks.
    """
    values = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    index = values.index
    n = len(values)
    today64 = np.datetime64(pd.Timestamp(today if today is not None else _dt.date.today()).date(), "D")

    raw = values.to_numpy(dtype=object)
    text = raw.copy()
    reason = np.full(n, None, dtype=object)
    warning = np.full(n, None, dtype=object)

    # Fast check: a str of exactly 18 ASCII digits (last may be X).
    is_str = values.map(type).to_numpy() == str
    clean = np.zeros(n, dtype=bool)
    str_pos = np.flatnonzero(is_str)
    if len(str_pos):
        codes = _code_matrix(raw[str_pos].tolist(), 19)
        digits = (codes >= 48) & (codes <= 57)
        clean[str_pos] = (
            digits[:, :17].all(axis=1) & (digits[:, 17] | (codes[:, 17] == 88)) & (codes[:, 18] == 0)
        )
    for pos in np.flatnonzero(~clean):
        text[pos], reason[pos], warning[pos] = _classify_messy(raw[pos])

    birth = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    gender = np.full(n, None, dtype=object)
    pos = np.flatnonzero(pd.isna(reason))
    if len(pos):
        mat = _code_matrix(text[pos].tolist(), 18).astype(np.int64) - ord("0")
        expected = (mat[:, :17] @ WEIGHTS) % 11
        expected_code = np.array([ord(c) - ord("0") for c in CHECK_CHARS])[expected]
        checksum_ok = mat[:, 17] == expected_code

        year = mat[:, 6] * 1000 + mat[:, 7] * 100 + mat[:, 8] * 10 + mat[:, 9]
        month = mat[:, 10] * 10 + mat[:, 11]
        day = mat[:, 12] * 10 + mat[:, 13]
        date_ok = (
            (year >= EARLIEST_BIRTH_YEAR) & (month >= 1) & (month <= 12)
            & (day >= 1) & (day <= _days_in_month(year, month))
        )
        safe_year = np.where(date_ok, year, 1970)
        dates = (
            (safe_year - 1970).astype("datetime64[Y]").astype("datetime64[M]")
            + np.where(date_ok, month - 1, 0)
        ).astype("datetime64[D]") + np.where(date_ok, day - 1, 0)
        future = date_ok & (dates > today64)

        tail_zeros = (mat[:, 15:18] == 0).all(axis=1)
        sub_reason = np.full(len(pos), None, dtype=object)
        sub_reason[~date_ok] = "id_bad_birth_date"
        sub_reason[~date_ok & (year < EARLIEST_BIRTH_YEAR)] = "id_implausible_birth_year"
        sub_reason[future] = "id_future_birth_date"
        sub_reason[~checksum_ok] = "id_bad_checksum"
        # Excel's 15 significant digits turn the last three into zeros.
        sub_reason[~checksum_ok & tail_zeros] = "id_excel_number"
        reason[pos] = sub_reason

        good = pd.isna(sub_reason)
        good_pos = pos[good]
        birth[good_pos] = dates[good].astype("datetime64[ns]")
        gender[good_pos] = _GENDERS[mat[good, 16] % 2]   # two shared str objects, not one per row
        province = mat[good, 0] * 10 + mat[good, 1]
        known = np.isin(province, np.array(sorted(int(p) for p in PROVINCE_CODES)))
        w = warning[good_pos]
        w[~known & pd.isna(w)] = "id_unknown_province"
        warning[good_pos] = w

    ok = pd.isna(reason)
    # A trailing 000 passes the checksum by chance one time in eleven: when the column holds numbers or other
    # IDs Excel truncated, such an ID is likely one of them, so it is accepted with a warning to check it.
    numeric_column = bool((~is_str & ~pd.isna(values).to_numpy()).any())
    truncated = bool((reason == "id_excel_number").any())
    if numeric_column or truncated:
        text_series = pd.Series(text, dtype=object).astype(str)
        tail = ok & text_series.str.endswith("000").to_numpy(dtype=bool) & pd.isna(warning)
        warning[tail] = "id_trailing_000"
    return pd.DataFrame(
        {
            "id_number": pd.Series(text, index=index, dtype=object),
            "ok": ok,
            "reason": pd.Series(reason, index=index, dtype=object),
            "warning": pd.Series(warning, index=index, dtype=object),
            "birth_date": birth,
            "gender": pd.Series(gender, index=index, dtype=object),
        },
        index=index,
    )


def validate_id(value, *, today=None) -> tuple[bool, str | None]:
    """(ok, reason code) for one ID cell; see :func:`validate_ids`."""
    row = validate_ids(pd.Series([value], dtype=object), today=today).iloc[0]
    return bool(row["ok"]), row["reason"]


def birth_date(id_number) -> _dt.date | None:
    """Birth date of a valid ID number, or None."""
    row = validate_ids(pd.Series([id_number], dtype=object)).iloc[0]
    return row["birth_date"].date() if row["ok"] else None


def gender(id_number) -> str | None:
    """'男' or '女' from the sequence digit of a valid ID number, or None."""
    row = validate_ids(pd.Series([id_number], dtype=object)).iloc[0]
    return row["gender"] if row["ok"] else None


def reason_text(code: str, lang: str = "zh") -> str:
    """The message for a reason code in ``lang``."""
    zh, en = REASONS[code]
    return zh if lang == "zh" else en
