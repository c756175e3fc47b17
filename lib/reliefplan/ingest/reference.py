"""Loaders for the reference and record tables beside the registry.

Areas, 低保 standards, campaign history, visits and registry changes are all
read by one generic reader, :func:`read_table`, driven by the declarations in
:mod:`reliefplan.core.schema`: header aliases (zh and en), the kind of each column
and which columns are required. Every problem is reported with the file, the
row as the user sees it in the file (the header is row 1, or wherever the
header was found) and the column, in Chinese and English. All problems are
collected; the error raised names the first and lists the first few, and the
full list is on the exception as ``problems`` (a DataFrame).

Money is read as text and converted to integer fen exactly (never through a
float). The area boundaries are GeoJSON, read by :func:`load_boundaries`.

Each loader defaults to the demo file (``lib/reliefplan/core/paths.py``) when no
path is given; :func:`reliefplan.ingest.inputs.load_plan_inputs` loads every table a plan names.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from reliefplan.core import paths, schema
from reliefplan.core.errors import ConfigError, InputError
from reliefplan.core.ids import REASONS, validate_ids
from reliefplan.core.money import to_fen
from reliefplan.core.text import clean_cell, header_key, strip_all_spaces
from reliefplan.ingest import sheets as excel
from reliefplan.ingest.case_library import load_case_library as _load
from reliefplan.ingest.categories import category_lookup, load_categories

AREA_LEVELS = ("city", "county", "township", "village")
URBAN_RURAL = ("urban", "rural")
CHANGE_REASONS = ("moved", "died", "no_longer_eligible")

# Spellings accepted in files -> canonical value (keys compared after header_key()).
_URBAN_RURAL_ALIASES = {
    "urban": "urban", "城市": "urban", "城镇": "urban", "城": "urban",
    "rural": "rural", "农村": "rural", "乡村": "rural", "乡": "rural",
}
_LEVEL_ALIASES = {
    "city": "city", "市": "city", "地级": "city", "地级市": "city",
    "county": "county", "县": "county", "县级": "county", "区县": "county",
    "township": "township", "乡镇": "township", "街道": "township", "乡级": "township",
    "village": "village", "村": "village", "社区": "village", "村级": "village",
}
_CHANGE_ALIASES = {
    "moved": "moved", "迁出": "moved", "搬迁": "moved", "迁移": "moved",
    "died": "died", "死亡": "died", "去世": "died", "病故": "died",
    "no_longer_eligible": "no_longer_eligible", "nolongereligible": "no_longer_eligible",
    "不再符合条件": "no_longer_eligible", "不符合条件": "no_longer_eligible", "退出": "no_longer_eligible",
}
_TRUE = {"1", "是", "y", "yes", "true", "t", "√", "✓", "有", "已签收", "签收"}
_FALSE = {"0", "否", "n", "no", "false", "f", "×", "✗", "无", "未签收", "未签"}

_HEADER_SEARCH_ROWS = 10   # a header may sit below a few title rows
_SHOW_PROBLEMS = 5         # problems listed in the error message


# ---------------------------------------------------------------------------
# Reading the raw cells
# ---------------------------------------------------------------------------

def _read_cells(path: Path, error) -> pd.DataFrame:
    """Every cell of the file (first sheet for Excel) as text; index = row number in the file.

    The file formats (calamine for Excel; UTF-8/GB18030 detection and
    multi-line records for CSV) are :mod:`reliefplan.ingest.sheets`'s; its errors are
    re-raised as ``error`` so a reference table fails as a ConfigError.
    """
    try:
        sheet = excel.read_excel_sheet(path, 0) if excel.is_excel(path) else excel.read_csv_sheet(path)
        rows = [[excel.cell_text(v) for v in row] for row in sheet.rows()]
        numbers = [sheet.row_number(i) for i in range(len(rows))]
    except InputError as exc:
        raise error(exc.zh, exc.en, file=path, row=exc.row, column=exc.column) from exc
    width = max((len(r) for r in rows), default=0)
    cells = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], index=numbers,
                         columns=range(width), dtype=object)
    if cells.empty or not cells.map(clean_cell).ne("").to_numpy().any():
        raise error("文件为空", "the file is empty", file=path)
    return cells


def _aliases(table: schema.TableSchema) -> dict[str, str]:
    """The schema's header aliases, plus each zh label without its unit: 慰问金(元) -> 慰问金."""
    out = table.alias_map()
    for col in table.columns:
        bare = re.sub(r"[(（][^()（）]*[)）]$", "", col.zh)
        out.setdefault(header_key(bare), col.name)
    return out


def _find_header(cells: pd.DataFrame, table: schema.TableSchema, path: Path, error) -> int:
    """Position of the header row: the first of the top rows naming every required column."""
    aliases = _aliases(table)
    best, best_hits = 0, -1
    for pos in range(min(_HEADER_SEARCH_ROWS, len(cells))):
        names = {aliases.get(header_key(v)) for v in cells.iloc[pos]} - {None}
        if set(table.required) <= names:
            return pos
        if len(names) > best_hits:
            best, best_hits = pos, len(names)
    found = [clean_cell(v) for v in cells.iloc[best] if clean_cell(v)]
    names = {aliases.get(header_key(v)) for v in found} - {None}
    missing = [c for c in table.required if c not in names]
    zh_missing = "、".join(f"{table.column(c).zh}({c})" for c in missing)
    en_missing = ", ".join(missing)
    shown = ", ".join(found) if found else "—"
    raise error(f"缺少必填列: {zh_missing}; 找到的表头: {shown}",
                f"required columns missing: {en_missing}; headers found: {shown}",
                file=path, row=int(cells.index[best]), column=", ".join(missing))


def _frame_from_header(cells: pd.DataFrame, header_pos: int, table: schema.TableSchema,
                       path: Path, error) -> pd.DataFrame:
    """Data rows under the header with canonical column names; index = row number in the file."""
    aliases = _aliases(table)
    columns: list[str] = []
    seen: dict[str, str] = {}
    for raw in cells.iloc[header_pos]:
        text = clean_cell(raw)
        name = aliases.get(header_key(text))
        if name is None:
            columns.append(text or f"_blank_{len(columns)}")
            continue
        if name in seen:
            raise error(f"列重复: “{seen[name]}” 与 “{text}” 都表示 {table.column(name).zh}",
                        f"duplicate column: '{seen[name]}' and '{text}' both mean {name}",
                        file=path, row=int(cells.index[header_pos]), column=text)
        seen[name] = text
        columns.append(name)
    data = cells.iloc[header_pos + 1:].copy()
    data.columns = columns
    data.index = pd.Index(cells.index[header_pos + 1:].astype("int64"), name="source_row")
    data = data.drop(columns=[c for c in columns if c.startswith("_blank_")])
    blank = data.apply(lambda col: col.map(clean_cell).eq("")).all(axis=1)
    return data.loc[~blank]


# ---------------------------------------------------------------------------
# Converting columns by kind (vectorised where the tables can be large)
# ---------------------------------------------------------------------------

class _Problems:
    """Problems found while converting, in file order."""

    def __init__(self):
        self.rows: list[dict] = []

    def add(self, rows, column: str, values, zh: str, en: str) -> None:
        for row, value in zip(rows, values):
            self.rows.append({"row": int(row), "column": column, "value": value, "zh": zh, "en": en})

    def add_mask(self, data: pd.Series, mask, column: str, zh: str, en: str) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self.add(data.index[mask], column, data[mask].tolist(), zh, en)

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows, columns=["row", "column", "value", "zh", "en"])
        return df.sort_values(["row"], kind="stable").reset_index(drop=True)

    def raise_if_any(self, path: Path, error) -> None:
        if not self.rows:
            return
        df = self.frame()
        first = df.iloc[0]
        more_zh = more_en = ""
        if len(df) > 1:
            shown = df.iloc[1:_SHOW_PROBLEMS]
            more_zh = f"; 共 {len(df)} 处问题, 另有: " + "; ".join(
                f"第{r.row}行 {r.column}: {r.zh}" for r in shown.itertuples())
            more_en = f"; {len(df)} problems in all, also: " + "; ".join(
                f"row {r.row} {r.column}: {r.en}" for r in shown.itertuples())
            if len(df) > _SHOW_PROBLEMS:
                more_zh += " …"
                more_en += " ..."
        value = f" ({first.value!r})" if first.value not in ("", None) else ""
        exc = error(f"{first.zh}{value}{more_zh}", f"{first.en}{value}{more_en}",
                    file=path, row=int(first.row), column=first.column)
        exc.problems = df
        raise exc


_INT = re.compile(r"[+-]?[0-9]+(?:\.0*)?")
_YUAN = re.compile(r"([0-9]+)(?:\.([0-9]{1,2}))?")
_CODE = re.compile(r"[0-9]+")


def _empty(col: str, text: pd.Series, required: bool, problems: _Problems) -> np.ndarray:
    blank = text.eq("").to_numpy()
    if required:
        problems.add_mask(text, blank, col, "必填项为空", "required value is empty")
    return blank


def _as_code(col, raw, required, problems):
    text = raw.map(strip_all_spaces).str.replace(r"\.0+$", "", regex=True)
    blank = _empty(col, text, required, problems)
    bad = ~blank & ~text.str.fullmatch(_CODE.pattern).to_numpy(dtype=bool)
    problems.add_mask(raw, bad, col, "区划代码须为数字", "an area code must be digits")
    length_bad = ~blank & ~bad & ~text.str.len().isin([6, 9, 12]).to_numpy()
    problems.add_mask(raw, length_bad, col, "区划代码须为6、9或12位", "an area code must have 6, 9 or 12 digits")
    return text.astype("str").where(~blank)


def _as_int(col, raw, required, problems, minimum):
    text = raw.map(strip_all_spaces)
    blank = _empty(col, text, required, problems)
    ok = text.str.fullmatch(_INT.pattern).to_numpy(dtype=bool)
    problems.add_mask(raw, ~blank & ~ok, col, "须为整数", "must be a whole number")
    values = pd.Series(pd.NA, index=raw.index, dtype="Int64")
    good = ~blank & ok
    if good.any():
        values[good] = text[good].str.replace(r"\.0*$", "", regex=True).astype("int64")
    if minimum is not None:
        low = good & (values.fillna(minimum).to_numpy(dtype="int64") < minimum)
        problems.add_mask(raw, low, col, f"不能小于 {minimum}", f"must be at least {minimum}")
    return values


def _as_money(col, raw, required, problems):
    """Yuan text -> int fen, exactly. Plain amounts take a vectorised path, the rest to_fen()."""
    text = raw.map(strip_all_spaces).str.replace(r"^[¥￥]|元$", "", regex=True)
    blank = _empty(col, text, required, problems)
    parts = text.str.extract(f"^{_YUAN.pattern}$")
    plain = parts[0].notna().to_numpy()
    fen = pd.Series(pd.NA, index=raw.index, dtype="Int64")
    if plain.any():
        whole = parts.loc[plain, 0].astype("int64") * 100
        dec = parts.loc[plain, 1].fillna("").str.ljust(2, "0").astype("int64")
        fen[plain] = whole + dec
    other = ~blank & ~plain
    negative = np.zeros(len(raw), dtype=bool)
    invalid = np.zeros(len(raw), dtype=bool)
    for pos in np.flatnonzero(other):
        try:
            value = to_fen(text.iat[pos])
        except (ValueError, TypeError):
            invalid[pos] = True
            continue
        if value < 0:
            negative[pos] = True
        else:
            fen.iat[pos] = value
    problems.add_mask(raw, invalid, col, "不是有效金额(元)", "not an amount in yuan")
    problems.add_mask(raw, negative, col, "金额不能为负数", "an amount cannot be negative")
    return fen


def _as_date(col, raw, required, problems):
    text = raw.map(strip_all_spaces)
    text = text.str.replace(r"(T|\s)?00:00:00(\.0+)?$", "", regex=True)
    norm = (text.str.replace("年", "-", regex=False).str.replace("月", "-", regex=False)
            .str.replace("日", "", regex=False).str.replace(r"[/.]", "-", regex=True))
    blank = _empty(col, text, required, problems)
    dashed = pd.to_datetime(norm.where(norm.str.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}")),
                            format="%Y-%m-%d", errors="coerce")
    compact = pd.to_datetime(norm.where(norm.str.fullmatch(r"\d{8}")), format="%Y%m%d", errors="coerce")
    dates = dashed.fillna(compact).astype("datetime64[ns]")
    bad = ~blank & dates.isna().to_numpy()
    problems.add_mask(raw, bad, col, "不是有效日期(应为 2026-01-31 这样的格式)",
                      "not a valid date (write it like 2026-01-31)")
    return dates


def _as_bool(col, raw, required, problems):
    key = raw.map(lambda v: strip_all_spaces(v).lower())
    blank = _empty(col, key, required, problems)
    true = key.isin(_TRUE).to_numpy()
    false = key.isin(_FALSE).to_numpy()
    problems.add_mask(raw, ~blank & ~true & ~false, col, "须为 是/否", "must be yes/no (是/否)")
    return pd.Series(true, index=raw.index, dtype=bool)


def _as_choice(col, raw, required, problems, aliases: dict[str, str], zh_what: str, en_what: str):
    lookup = {header_key(k): v for k, v in aliases.items()}
    key = raw.map(header_key)
    blank = _empty(col, key, required, problems)
    mapped = key.map(lookup)
    bad = ~blank & mapped.isna().to_numpy()
    choices = ", ".join(sorted(set(aliases.values())))
    problems.add_mask(raw, bad, col, f"{zh_what}不在可选值中({choices})", f"{en_what} is not one of: {choices}")
    return mapped.astype("str")


def _as_category(col, raw, required, problems, categories: pd.DataFrame | None):

    cats = categories if categories is not None else load_categories()
    lookup = category_lookup(cats)
    key = raw.map(header_key)
    blank = _empty(col, key, required, problems)
    mapped = key.map(lookup)
    bad = ~blank & mapped.isna().to_numpy()
    problems.add_mask(raw, bad, col, "未知的困难类别", "unknown category")
    return mapped.astype("str")


def _as_id_number(col, raw, required, problems):

    checked = validate_ids(raw)
    blank = checked["reason"].eq("id_missing").to_numpy()
    if required:
        problems.add_mask(raw, blank, col, "必填项为空", "required value is empty")
    bad = ~checked["ok"].to_numpy(dtype=bool) & ~blank
    for code in checked.loc[bad, "reason"].unique():
        zh, en = REASONS[code]
        problems.add_mask(raw, bad & checked["reason"].eq(code).to_numpy(), col, zh, en)
    return checked["id_number"].where(checked["ok"]).astype("str")


def _as_decimal(col, raw, required, problems):
    text = raw.map(strip_all_spaces)
    blank = _empty(col, text, required, problems)
    out = []
    for pos, value in enumerate(text):
        if blank[pos]:
            out.append(None)
            continue
        try:
            dec = Decimal(value)
            if not dec.is_finite():
                raise InvalidOperation
            out.append(dec)
        except InvalidOperation:
            problems.add([raw.index[pos]], col, [raw.iat[pos]], "不是数字", "not a number")
            out.append(None)
    return pd.Series(out, index=raw.index, dtype=object)


def _as_text(col, raw, required, problems):
    text = raw.map(clean_cell)
    blank = _empty(col, text, required, problems)
    return text.astype("str").where(~blank)


def _convert(column: schema.Column, raw: pd.Series, problems: _Problems, *, categories=None,
             choices=None) -> pd.Series:
    col, req = column.name, column.required
    if choices is not None:
        aliases, zh_what, en_what = choices
        return _as_choice(col, raw, req, problems, aliases, zh_what, en_what)
    kind = column.kind
    if kind == "code":
        return _as_code(col, raw, req, problems)
    if kind == "int":
        return _as_int(col, raw, req, problems, column.min_value)
    if kind == "money":
        return _as_money(col, raw, req, problems)
    if kind == "date":
        return _as_date(col, raw, req, problems)
    if kind == "bool":
        return _as_bool(col, raw, req, problems)
    if kind == "category":
        return _as_category(col, raw, req, problems, categories)
    if kind == "id_number":
        return _as_id_number(col, raw, req, problems)
    if kind == "decimal":
        return _as_decimal(col, raw, req, problems)
    if kind == "phone":
        return raw.map(strip_all_spaces).astype("str")
    return _as_text(col, raw, req, problems)


def read_table(path, table: schema.TableSchema, *, error=InputError, categories=None,
               choices: dict | None = None, checks=None) -> pd.DataFrame:
    """Read one table file (.csv UTF-8/GB18030 or .xlsx/.xls) as declared by ``table``.

    Headers are matched through the schema aliases (a header row below a few
    title rows is found); each declared column is converted by its kind; columns
    not declared are kept as text. ``choices`` maps a column to
    ``(aliases, zh_what, en_what)`` for enumerated values. ``checks`` is an
    optional ``f(df, problems)`` adding table-level problems (unique keys, ...).

    Raises ``error`` (a ReliefplanError subclass) naming the file, row and
    column of the first problem, listing the first few, with all of them in
    ``exc.problems``. Returns a DataFrame on a fresh RangeIndex with a
    ``source_row`` column (the row number in the file, as the user sees it)
    and ``attrs['source_file']`` the path. Row numbers are a column, not an
    attr, because pandas deep-copies ``attrs`` on nearly every operation.
    """
    path = Path(path)
    cells = _read_cells(path, error)
    header_pos = _find_header(cells, table, path, error)
    data = _frame_from_header(cells, header_pos, table, path, error)

    problems = _Problems()
    out = pd.DataFrame(index=data.index)
    for column in table.columns:
        if column.name not in data.columns:
            continue
        out[column.name] = _convert(column, data[column.name], problems, categories=categories,
                                    choices=(choices or {}).get(column.name))
    for name in data.columns:
        if name not in out.columns:
            out[name] = data[name].map(clean_cell).astype("str")
    if checks is not None and not problems.rows:
        checks(out, problems)
    problems.raise_if_any(path, error)

    out["source_row"] = out.index.to_numpy().astype("int64")
    out = out.reset_index(drop=True)
    out.attrs["source_file"] = str(path)
    return out


def _duplicates(df: pd.DataFrame, keys: list[str], problems: _Problems, zh: str, en: str) -> None:
    dup = df.duplicated(keys, keep="first").to_numpy()
    if dup.any():
        values = df.loc[dup, keys].astype(str).agg(" / ".join, axis=1)
        problems.add(df.index[dup], keys[0], values.tolist(), zh, en)


# ---------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------

def load_areas(path=None) -> pd.DataFrame:
    """Areas (行政区划): code, name, name_en, parent_code, level, urban_rural, edition.

    Codes are strings (6-digit county, 9-digit township, 12-digit village);
    every code is unique, every parent code is a code in the table, level is
    city/county/township/village and urban_rural is urban/rural.
    """
    path = Path(path) if path else paths.demo_path("areas.csv")

    def checks(df, problems):
        _duplicates(df, ["code"], problems, "区划代码重复", "duplicate area code")
        if "parent_code" in df:
            parent = df["parent_code"]
            orphan = parent.notna() & ~parent.isin(set(df["code"].dropna()))
            problems.add_mask(parent, orphan.to_numpy(dtype=bool), "parent_code",
                              "上级代码不在本表中", "parent code is not an area in this table")

    df = read_table(path, schema.AREAS, error=ConfigError, checks=checks, choices={
        "level": (_LEVEL_ALIASES, "层级", "level"),
        "urban_rural": (_URBAN_RURAL_ALIASES, "城乡", "urban/rural"),
    })
    for col in ("name_en", "parent_code"):
        if col not in df:
            df[col] = pd.Series(np.nan, index=df.index, dtype="str")
    if "edition" not in df:
        df["edition"] = pd.Series(pd.NA, index=df.index, dtype="Int64")
    return df


def load_dibao(path=None) -> pd.DataFrame:
    """低保 standards: county_code, urban_rural, effective_date, monthly_fen (int64 fen).

    One row per county, urban/rural and effective date (no duplicates); each
    standard is more than zero. In files the amount is in yuan
    (``monthly_yuan`` / 低保标准).
    """
    path = Path(path) if path else paths.demo_path("dibao_standards.csv")

    def checks(df, problems):
        not6 = df["county_code"].str.len().ne(6).fillna(False).to_numpy(dtype=bool)
        problems.add_mask(df["county_code"], not6, "county_code",
                          "县级区划代码须为6位", "a county code must have 6 digits")
        zero = df["monthly_fen"].fillna(1).le(0).to_numpy(dtype=bool)
        problems.add_mask(df["monthly_fen"], zero, "monthly_fen",
                          "低保标准须大于0", "the standard must be more than zero")
        _duplicates(df, ["county_code", "urban_rural", "effective_date"], problems,
                    "同一县、城乡、执行日期的标准重复", "duplicate standard for the same county, urban/rural and date")

    df = read_table(path, schema.DIBAO, error=ConfigError, checks=checks, choices={
        "urban_rural": (_URBAN_RURAL_ALIASES, "城乡", "urban/rural"),
    })
    df["monthly_fen"] = df["monthly_fen"].astype("int64")
    return df


def load_history(path=None, categories: pd.DataFrame | None = None) -> pd.DataFrame:
    """Campaign history 2019-: one row per year, organizer, area, category, funding source.

    Money columns (cash/goods/overhead, optional stated total) become int64
    fen; ``stated_total_fen`` stays nullable (Int64) because it is often blank.
    Categories are mapped to codes (``categories`` defaults to the demo table).
    """
    path = Path(path) if path else paths.demo_path("campaign_history.csv")
    df = read_table(path, schema.HISTORY, error=InputError, categories=categories)
    for col in ("year", "households", "persons", "cash_fen", "goods_fen", "overhead_fen"):
        df[col] = df[col].astype("int64")
    return df


def load_visits(path=None, categories: pd.DataFrame | None = None) -> pd.DataFrame:
    """Visit / disbursement records: person, date, team, cash and goods (int64 fen), signed receipt."""
    path = Path(path) if path else paths.demo_path("visits.csv")
    df = read_table(path, schema.VISITS, error=InputError, categories=categories)
    for col in ("campaign_year", "cash_fen", "goods_fen"):
        df[col] = df[col].astype("int64")
    return df


def load_registry_changes(path=None) -> pd.DataFrame:
    """Registry changes: id_number, year, reason (moved / died / no_longer_eligible), note."""
    path = Path(path) if path else paths.demo_path("registry_changes.csv")
    df = read_table(path, schema.REGISTRY_CHANGES, error=InputError, choices={
        "reason": (_CHANGE_ALIASES, "变动原因", "reason"),
    })
    df["year"] = df["year"].astype("int64")
    return df


# ---------------------------------------------------------------------------
# Boundaries (GeoJSON)
# ---------------------------------------------------------------------------

def load_boundaries(path=None, code_property: str = "code") -> dict:
    """A GeoJSON FeatureCollection of area polygons, keyed by ``code_property``.

    Checks that it is a FeatureCollection, that every feature has a geometry
    and the code property, and that no code appears twice. Codes are returned
    as strings (a number in the file, e.g. 350602, becomes "350602").
    """
    path = Path(path) if path else paths.demo_path("boundaries/zhangzhou_counties.geojson")
    if not path.exists():
        raise ConfigError("边界文件不存在", "boundary file not found", file=path)
    try:
        geo = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise ConfigError("GeoJSON 格式错误", f"invalid JSON: {exc.msg}", file=path, row=exc.lineno) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError("边界文件须为 UTF-8 编码", "boundary file must be UTF-8", file=path) from exc
    if not isinstance(geo, dict) or geo.get("type") != "FeatureCollection":
        raise ConfigError("须为 GeoJSON FeatureCollection", "must be a GeoJSON FeatureCollection",
                          file=path, column="type")
    features = geo.get("features")
    if not isinstance(features, list) or not features:
        raise ConfigError("没有任何要素(features)", "the collection has no features", file=path, column="features")
    seen: dict[str, int] = {}
    for i, feature in enumerate(features):
        where = f"features[{i}]"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise ConfigError(f"{where} 不是 Feature", f"{where} is not a Feature", file=path, column=where)
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise ConfigError(f"{where} 缺少面状几何(Polygon/MultiPolygon)",
                              f"{where} has no Polygon/MultiPolygon geometry", file=path, column=f"{where}.geometry")
        props = feature.get("properties") or {}
        code = props.get(code_property)
        if code is None or str(code).strip() == "":
            raise ConfigError(f"{where} 缺少属性 {code_property}",
                              f"{where} has no property '{code_property}'",
                              file=path, column=f"{where}.properties.{code_property}")
        code = strip_all_spaces(str(code))
        code = re.sub(r"\.0+$", "", code)
        if code in seen:
            raise ConfigError(f"{where} 的区划代码 {code} 与 features[{seen[code]}] 重复",
                              f"{where}: code {code} repeats features[{seen[code]}]",
                              file=path, column=f"{where}.properties.{code_property}")
        seen[code] = i
        props[code_property] = code
        feature["properties"] = props
    return geo


class Unmatched(NamedTuple):
    """Codes that do not meet: in the data with no polygon, and polygons with no data."""

    no_polygon: list[str]
    no_data: list[str]


def unmatched_codes(geojson: dict, codes, code_property: str = "code") -> Unmatched:
    """Which ``codes`` (e.g. the registry's county codes) have no polygon, and which polygons no code.

    Both lists are sorted strings; empty lists mean every code can be mapped.
    """
    polygons = {str(f.get("properties", {}).get(code_property)) for f in geojson.get("features", [])}
    wanted = {str(c) for c in pd.Series(list(codes) if not isinstance(codes, pd.Series) else codes).dropna()}
    return Unmatched(sorted(wanted - polygons), sorted(polygons - wanted))


def load_case_library(path=None, categories: pd.DataFrame | None = None):
    """The eleven seed plans as structured records; see :mod:`reliefplan.ingest.case_library`."""

    return _load(path, categories=categories)
