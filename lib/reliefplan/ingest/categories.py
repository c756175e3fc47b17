"""Category definitions (困难类别): codes, zh/en labels, priorities, aliases.

Registry files name categories in many ways (低保, 低保户, 城乡低保户, dibao);
:func:`category_lookup` maps every accepted spelling to the canonical code.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reliefplan.core.errors import ConfigError
from reliefplan.core.text import header_key

UNITS = ("person", "household", "enterprise")


def load_categories(path) -> pd.DataFrame:
    """Read and check the categories table at ``path``."""
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError("无法读取类别定义文件", f"cannot read the categories file: {exc}", file=path) from exc
    for col in ("code", "zh", "en", "priority", "unit"):
        if col not in df.columns:
            raise ConfigError(f"缺少列 {col}", f"missing column {col}", file=path, column=col)
    for i, row in df.iterrows():
        line = i + 2
        if not row["code"].strip():
            raise ConfigError("类别代码为空", "empty category code", file=path, row=line, column="code")
        if not row["priority"].strip().isdigit() or int(row["priority"]) < 1:
            raise ConfigError("优先级须为正整数", "priority must be a positive integer",
                              file=path, row=line, column="priority")
        if row["unit"] not in UNITS:
            raise ConfigError(f"计量单位须为 {'/'.join(UNITS)}", f"unit must be one of {', '.join(UNITS)}",
                              file=path, row=line, column="unit")
    dup = df["code"][df["code"].duplicated()]
    if len(dup):
        raise ConfigError(f"类别代码重复: {dup.iloc[0]}", f"duplicate category code: {dup.iloc[0]}",
                          file=path, column="code")
    df["priority"] = df["priority"].astype(int)
    if "aliases" not in df.columns:
        df["aliases"] = ""
    return df.reset_index(drop=True)


def category_lookup(categories: pd.DataFrame) -> dict[str, str]:
    """Every accepted spelling (code, zh, en, aliases; normalised) -> category code."""
    out: dict[str, str] = {}
    for row in categories.itertuples(index=False):
        names = [row.code, row.zh, row.en, *[a for a in str(row.aliases).split("|") if a]]
        for name in names:
            out[header_key(name)] = row.code
    return out


def category_labels(categories: pd.DataFrame, lang: str = "zh") -> dict[str, str]:
    """Category code -> label in ``lang``."""
    return dict(zip(categories["code"], categories[lang]))
