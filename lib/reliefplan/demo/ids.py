"""Synthetic GB 11643 ID numbers, drawn vectorised (valid check characters, unique)."""

from __future__ import annotations

import numpy as np

from reliefplan.demo.profiles import _CHECK_CHARS, _ID_WEIGHTS


def check_chars(first17: np.ndarray) -> np.ndarray:
    """GB 11643 mod 11-2 check characters for an int64 array of 17-digit numbers."""
    first17 = np.asarray(first17, dtype=np.int64)
    total = np.zeros(first17.shape, dtype=np.int64)
    for k in range(17):
        total += (first17 // 10 ** (16 - k)) % 10 * _ID_WEIGHTS[k]
    return _CHECK_CHARS[total % 11]


def _ymd(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (dates - dates.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    return years, months, days


def make_ids(rng: np.random.Generator, prefixes: np.ndarray, births: np.ndarray, male: np.ndarray,
             taken: set | None = None) -> np.ndarray:
    """Unique 18-character ID numbers: address code, birth date, sequence (odd = male), check char."""
    years, months, days = _ymd(births)
    base = prefixes.astype(np.int64) * 10 ** 11 + (years * 10000 + months * 100 + days) * 1000
    n = len(base)
    seq = rng.integers(0, 500, n) * 2 + male.astype(np.int64)
    first17 = base + seq
    taken_arr = np.array(sorted(taken), dtype=np.int64) if taken else np.empty(0, np.int64)
    for _ in range(50):
        _, first = np.unique(first17, return_index=True)
        clash = np.ones(n, bool)
        clash[first] = False
        clash |= np.isin(first17, taken_arr)
        if not clash.any():
            break
        k = int(clash.sum())
        first17[clash] = base[clash] + rng.integers(0, 500, k) * 2 + male[clash].astype(np.int64)
    else:  # pragma: no cover - needs an absurd density of people per birth date
        raise RuntimeError("could not draw unique ID numbers")
    return np.char.add(first17.astype("U17"), check_chars(first17))
