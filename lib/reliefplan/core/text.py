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


def display_width(text) -> int:
    """Columns a text takes in a terminal or a spreadsheet: CJK (wide, full-width) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def pad(text, width: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` display columns (right-aligned when ``right``)."""
    text = str(text)
    gap = " " * max(width - display_width(text), 0)
    return gap + text if right else text + gap


def format_table(header, rows, *, right_from: int = 1, rule: bool = False) -> str:
    """A plain-text table aligned by display width; columns from ``right_from`` on are right-aligned."""
    lines_in = [list(header), *[list(r) for r in rows]]
    widths = [max(display_width(r[i]) for r in lines_in) for i in range(len(lines_in[0]))]
    lines = []
    for n, r in enumerate(lines_in):
        lines.append("  ".join(pad(v, widths[i], right=i >= right_from) for i, v in enumerate(r)))
        if rule and n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
