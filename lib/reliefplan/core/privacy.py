"""Masking of personal data for anything shown or sent upward.

ID numbers, phone numbers, names (always masked in reports, so minors' names
never leak) and diagnoses never leave the library unmasked in a report.
Formats follow the design: 张*三 / 李*, 350602********1234, 138****5678.
The stable key of a person is a keyed pseudonym of the ID number: HMAC-SHA256
with the installation secret (:mod:`reliefplan.core.secret`), so joins and
counts work without the number itself, and nobody without the secret can
recover a number from its key by trying the birth dates hidden by the mask.
"""

from __future__ import annotations

import pandas as pd

from reliefplan.core.secret import keyed_hasher

DIAGNOSIS_MASK = "***"


def person_key(id_number: str) -> str:
    """A stable 16-hex-digit key for an ID number: HMAC-SHA256 with the installation secret."""
    return person_keys([id_number])[0]


def person_keys(id_numbers) -> list[str]:
    """:func:`person_key` for many numbers at once (the keyed state is built once)."""
    base = keyed_hasher()
    out = []
    for value in id_numbers:
        h = base.copy()
        h.update(str(value).encode())
        out.append(h.hexdigest()[:16])
    return out


def mask_name(name) -> str:
    """张三丰 -> 张*丰, 李四 -> 李*, 欧阳娜娜 -> 欧**娜."""
    if name is None or (isinstance(name, float) and pd.isna(name)):
        return ""
    text = str(name).strip()
    if len(text) <= 1:
        return text
    if len(text) == 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1]


def mask_id(id_number) -> str:
    """350602199001011234 -> 350602********1234 (first 6, last 4 kept)."""
    if id_number is None or (isinstance(id_number, float) and pd.isna(id_number)):
        return ""
    text = str(id_number).strip()
    if len(text) < 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def mask_phone(phone) -> str:
    """13812345678 -> 138****5678; other lengths keep first 3 and last 2."""
    if phone is None or (isinstance(phone, float) and pd.isna(phone)):
        return ""
    text = str(phone).strip()
    if len(text) == 11:
        return text[:3] + "****" + text[-4:]
    if len(text) <= 5:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 5) + text[-2:]


def mask_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every personal column masked (name, ID, phone, diagnosis)."""
    out = df.copy()
    if "name" in out:
        out["name"] = out["name"].map(mask_name)
    if "id_number" in out:
        out["id_number"] = out["id_number"].map(mask_id)
    if "phone" in out:
        out["phone"] = out["phone"].map(mask_phone)
    if "diagnosis" in out:
        out["diagnosis"] = out["diagnosis"].where(out["diagnosis"].isna() | (out["diagnosis"] == ""), DIAGNOSIS_MASK)
    return out
