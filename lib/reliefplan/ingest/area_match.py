"""Resolving the area written in a registry row (a code or a name) to a code of the areas table.

Planners rarely know GB/T 2260 codes, so a row may name its area instead:
"石亭街道", "芗城区石亭街道", "漳州市芗城区石亭街道", "福建省漳州市芗城石亭街道办事处".
A name resolves when it ends with the name of a county, township or village
of the table (or a former name the table records in ``former_names``), once
a trailing 办事处 is dropped, and whatever comes before that name is made of
the area's own ancestors (county, city; each with or without its 市/区/县
suffix) and at most a province. A name that fits several areas (two
城关镇 in different counties) is refused with the candidates listed; a city
is refused as too coarse.

Codes: a 6-, 9- or 12-digit code of the table is taken as it is; a 12-digit
village/community code that the table does not list maps to its township
(9 digits) or county; codes padded with zeros (350602001000) stand for the
shorter code. :class:`AreaResolver` works on distinct values only (the
registry calls it through :func:`reliefplan.ingest.convert.per_unique`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from reliefplan.core.errors import ConfigError
from reliefplan.core.text import clean_cell, nfkc
from reliefplan.ingest import sheets as excel
from reliefplan.ingest.convert import code_text

AREA_REASONS: dict[str, tuple[str, str]] = {
    "unknown_area": ("区划代码不在区划表中", "area code is not in the areas table"),
    "unknown_area_name": ("区划名称在区划表中找不到（可写区划代码，或写全县区和乡镇街道名称）",
                          "area name not found in the areas table (give the area code, or the county and "
                          "township names in full)"),
    "ambiguous_area_name": ("区划名称重名，请写出所属县区或填写区划代码",
                            "area name is ambiguous; add the county or give the area code"),
    "area_too_coarse": ("区划应为县级、乡镇级或村级，不能只写到市", "area must be a county, township or village, "
                                                                  "not a city"),
}
_COARSE_LEVELS = ("city", "province")
_LEVEL_SUFFIX = re.compile(r"(市|区|县|自治县|旗|镇|乡|街道|街道办事处)$")
_OFFICE = re.compile(r"(办事处|办)$")
_PROVINCE = re.compile(r"^.{2,3}(省|自治区)$|^(北京|天津|上海|重庆)市?$")
_SPLIT = re.compile(r"[;；、,，|/]")


def _key(text) -> str:
    return clean_cell(nfkc(str(text))).replace(" ", "")


def _bare(name: str) -> str:
    """A name without its level suffix (芗城区 -> 芗城), kept whole when that would leave one character."""
    bare = _LEVEL_SUFFIX.sub("", name)
    return bare if len(bare) >= 2 else name


class AreaResolver:
    """Codes and names of one areas table, and :meth:`convert` for one cell.

    ``convert(value) -> (code, reason_code, None)``; :meth:`message` words a
    refusal for one value (naming the candidates of an ambiguous name).
    """

    def __init__(self, areas):
        if areas is None:
            raise ConfigError("核对区划需要行政区划表(方案 data.areas)",
                              "checking areas needs the areas table (the plan's data.areas)", column="area_code")
        self.names: dict[str, list[str]] = {}
        self.name_of: dict[str, str] = {}
        self.parent: dict[str, str] = {}
        if isinstance(areas, pd.DataFrame):
            codes = areas["code"].astype(str).str.strip()
            coarse = (areas["level"].isin(_COARSE_LEVELS) if "level" in areas
                      else pd.Series(False, index=areas.index)).to_numpy(dtype=bool)
            self.codes = set(codes[~coarse])
            self.coarse = set(codes[coarse])
            names = areas["name"] if "name" in areas else pd.Series("", index=areas.index)
            parents = areas["parent_code"] if "parent_code" in areas else pd.Series(None, index=areas.index)
            former = areas["former_names"] if "former_names" in areas else pd.Series("", index=areas.index)
            for code, name, parent, old in zip(codes, names, parents, former):
                name = _key(name) if isinstance(name, str) else ""
                self.name_of[code] = name
                if isinstance(parent, str) and parent.strip():
                    self.parent[code] = parent.strip()
                spellings = [name] + ([_key(s) for s in _SPLIT.split(old) if _key(s)] if isinstance(old, str) else [])
                for spelling in spellings:
                    if spelling:
                        self.names.setdefault(spelling, [])
                        if code not in self.names[spelling]:
                            self.names[spelling].append(code)
            for code in self.name_of:  # no parent_code: the code itself says who its parent is
                if code not in self.parent:
                    parent = _parent_by_code(code)
                    if parent in self.name_of:
                        self.parent[code] = parent
        else:
            self.codes, self.coarse = {str(c).strip() for c in areas}, set()
        self._candidates: dict[str, list[str]] = {}

    # -- codes
    def _from_code(self, text: str):
        for cand in (text, *shorter_codes(text)):
            if cand in self.codes:
                return cand, None, None
            if cand in self.coarse:
                return None, "area_too_coarse", None
        return None, "unknown_area", None

    # -- names
    def _ancestors(self, code: str) -> list[str]:
        out, seen = [], {code}
        while code in self.parent and self.parent[code] not in seen:
            code = self.parent[code]
            seen.add(code)
            out.append(code)
        return out

    def _prefix_fits(self, prefix: str, code: str) -> bool:
        """True when ``prefix`` is made of the area's ancestors' names (nearest last) and at most a province."""
        for anc in self._ancestors(code):
            name = self.name_of.get(anc, "")
            for spelling in (name, _bare(name)):
                if spelling and prefix.endswith(spelling):
                    prefix = prefix[: -len(spelling)]
                    break
        return prefix == "" or bool(_PROVINCE.fullmatch(prefix))

    def _from_name(self, key: str):
        for text in dict.fromkeys((key, _OFFICE.sub("", key))):
            exact = self.names.get(text, [])
            if len(exact) == 1:
                return self._accept(exact[0], text)
            for start in range(len(text)):
                codes = self.names.get(text[start:])
                if not codes:
                    continue
                fits = [c for c in codes if self._prefix_fits(text[:start], c)]
                if len(fits) == 1:
                    return self._accept(fits[0], key)
                if len(fits) > 1:
                    self._candidates[key] = fits
                    return None, "ambiguous_area_name", None
                break  # the longest name the text ends with does not fit its prefix
        return None, "unknown_area_name", None

    def _accept(self, code: str, key: str):
        if code in self.coarse:
            return None, "area_too_coarse", None
        return code, None, None

    def convert(self, value):
        text = code_text(value)
        if not text:
            return None, "missing_value", None
        if text.isdigit() and text.isascii():
            return self._from_code(text)
        return self._from_name(_key(excel.cell_text(value)))

    def message(self, value, code: str) -> tuple[str, str]:
        """(zh, en) for refusing ``value`` with reason ``code``; an ambiguous name lists its candidates."""
        zh, en = AREA_REASONS[code]
        if code == "ambiguous_area_name":
            cands = self._candidates.get(_key(excel.cell_text(value)), [])
            listed = "、".join(f"{self._full_name(c)}({c})" for c in cands)
            return (f"区划名称「{_key(excel.cell_text(value))}」有重名: {listed}；请写出所属县区或填写区划代码",
                    f"area name is ambiguous: {listed}; add the county or give the area code")
        return zh, en

    def _full_name(self, code: str) -> str:
        chain = [self.name_of.get(c, "") for c in reversed(self._ancestors(code))]
        levels = [n for n in chain if n][-1:]  # the nearest ancestor names the area well enough
        return "".join(levels) + self.name_of.get(code, code)


def _parent_by_code(code: str) -> str | None:
    """The GB/T 2260 parent of a code: village -> township -> county -> city (350602 -> 350600)."""
    if len(code) == 12:
        return code[:9]
    if len(code) == 9:
        return code[:6]
    if len(code) == 6 and not code.endswith("00"):
        return code[:4] + "00"
    return None


def shorter_codes(code: str) -> list[str]:
    """Shorter codes a code may stand for: zero padding dropped, a village's township and county."""
    out = []
    if len(code) == 12 and code.endswith("000000"):
        out.append(code[:6])
    elif len(code) == 12 and code.endswith("000"):
        out.append(code[:9])
    elif len(code) == 12:
        out.extend([code[:9], code[:6]])
    elif len(code) == 9 and code.endswith("000"):
        out.append(code[:6])
    return out


def area_messages(values: np.ndarray, reasons: np.ndarray, resolver: AreaResolver):
    """(positions, zh, en) for the area reasons of a column, worded once per distinct (value, reason)."""
    hit = np.flatnonzero(pd.Series(reasons, dtype=object).isin(list(AREA_REASONS)).to_numpy(dtype=bool))
    if not len(hit):
        return hit, np.empty(0, dtype=object), np.empty(0, dtype=object)
    keys = pd.Series([f"{c}\x00" for c in reasons[hit]], dtype=object) + pd.Series(
        values[hit], dtype=object).map(excel.cell_text)
    codes, uniques = pd.factorize(keys)
    texts = [resolver.message(u.split("\x00", 1)[1], u.split("\x00", 1)[0]) for u in uniques]
    zh = np.array([z for z, _ in texts], dtype=object)[codes]
    en = np.array([e for _, e in texts], dtype=object)[codes]
    return hit, zh, en
