"""zh/en labels for everything a user sees: columns, chart titles, values, phrases.

Chinese is the default language; English is always available. Column labels
come from the table schemas; every other label is declared in
:mod:`reliefplan.core.label_table` and registered when this module is
imported, so a label never depends on which module ran first. One
:func:`label` / :func:`column_label` for columns, one :func:`t` for phrases
with ``{placeholders}``.
"""

from __future__ import annotations

from reliefplan.core import label_table, phrase_table, schema

LANGS = ("zh", "en")

# Labels that are not table columns: derived figures, chart titles, statuses.
_EXTRA: dict[str, tuple[str, str]] = {
    "total_fen": ("合计(元)", "Total (yuan)"),
    "county_code": ("县级区划代码", "County code"),
    "county_name": ("县(市、区)", "County"),
    "township_name": ("乡镇(街道)", "Township"),
    "area_name": ("区划名称", "Area"),
    "category_zh": ("困难类别", "Category"),
    "person_key": ("对象编号", "Person key"),
    "birth_date": ("出生日期", "Birth date"),
    "gender": ("性别", "Gender"),
    "age": ("年龄", "Age"),
    "minor": ("未成年", "Minor"),
    "source_file": ("来源文件", "Source file"),
    "source_row": ("来源行号", "Source row"),
    "column": ("列", "Column"),
    "reason_zh": ("原因", "Reason (zh)"),
    "reason_en": ("原因(英文)", "Reason"),
    "demo_notice": ("示例数据，人员均为虚构", "Demo data: all people are fictitious"),
}


def _column_labels() -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for table in schema.ALL.values():
        for col in table.columns:
            out.setdefault(col.name, (col.zh, col.en))
    return out


_LABELS = {**_column_labels(), **_EXTRA}


def register(labels: dict[str, tuple[str, str]]) -> None:
    """Add labels (key -> (zh, en)); modules call this for their own outputs.

    One key has one meaning across the library: registering a key again with
    a different label raises, so a module can't silently relabel another
    module's column (``households`` must not become "People" somewhere).
    """
    for key, pair in labels.items():
        known = _LABELS.get(key)
        if known is not None and tuple(known) != tuple(pair):
            raise ValueError(f"label {key!r} is already {known}; use another key for {tuple(pair)}")
    _LABELS.update(labels)


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"语言须为 zh 或 en / language must be zh or en, got {lang!r}")
    return lang


def label(key: str, lang: str = "zh") -> str:
    """The label of ``key`` in ``lang``; the key itself when none is registered."""
    pair = _LABELS.get(key)
    if pair is None:
        return key
    return pair[LANGS.index(check_lang(lang))]


def relabel(df, lang: str = "zh"):
    """A copy of ``df`` with its columns renamed to user-facing labels."""
    return df.rename(columns={c: label(c, lang) for c in df.columns})


def column_label(key: str, lang: str = "zh", *, table: str | None = None) -> str:
    """The column label of ``key``: the ``table``'s own sense of it (label_table.TABLES) if it has one, else the shared."""
    pair = label_table.TABLES.get(table, {}).get(key) if table else None
    return pair[LANGS.index(check_lang(lang))] if pair else label(key, lang)


def t(key: str, lang: str = "zh", **values) -> str:
    """A phrase (phrase_table.PHRASES) in ``lang`` with its ``{placeholders}`` filled; else the label of ``key``."""
    pair = _PHRASES.get(key)
    text = pair[LANGS.index(check_lang(lang))] if pair else label(key, lang)
    return text.format(**values) if values else text


for _group in label_table.GROUPS.values():
    register(_group)

_PHRASES: dict[str, tuple[str, str]] = {}
for _group in phrase_table.PHRASES.values():
    for _key, _pair in _group.items():
        if _PHRASES.setdefault(_key, _pair) != _pair:
            raise ValueError(f"phrase {_key!r} is already {_PHRASES[_key]}; use another key for {_pair}")
