"""Text normalisation for messy government spreadsheets.

Full-width digits and letters, non-breaking and ideographic spaces, stray
whitespace inside ID numbers: these are normalised, never rejected.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


def nfkc(text: str) -> str:
    """Fold full-width characters to ASCII (１２３ -> 123, ｘ -> x)."""
    return unicodedata.normalize("NFKC", text)


def clean_cell(value) -> str:
    """A cell as trimmed text with full-width folded and inner runs of spaces collapsed."""
    if value is None:
        return ""
    text = nfkc(str(value))
    return _SPACES.sub(" ", text).strip()


def strip_all_spaces(value) -> str:
    """A cell with every kind of space removed (for codes, IDs, phones)."""
    if value is None:
        return ""
    return _SPACES.sub("", nfkc(str(value)))


def header_key(text) -> str:
    """Normalise a header for alias lookup: folded, lower-case, no spaces or punctuation marks."""
    key = strip_all_spaces(text).lower()
    return re.sub(r"[()（）:：*＊_\-/·.。\[\]【】]", "", key)
