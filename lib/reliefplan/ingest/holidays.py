"""Read a shared holiday file (``data.holidays`` in a plan): official holidays and make-up workdays by year.

The file holds the State Council notices (国务院办公厅关于XXXX年部分节假日安排的通知)
a bureau has typed in for years the ``chinesecalendar`` package does not
cover yet, so every plan of the bureau can name one file. Its shape is a
``years:`` mapping of :mod:`reliefplan.core.holiday_tables` year tables;
``data/holidays.yaml`` is the documented template. Errors name the file,
the YAML line where it can be found, and the field.
"""

from __future__ import annotations

from pathlib import Path

from reliefplan.core.errors import ConfigError
from reliefplan.core.holiday_tables import YearTable, parse_tables
from reliefplan.ingest.yaml_files import read_yaml

_FILE_KEYS = {"years", "note"}


def load_holiday_file(path) -> dict[int, YearTable]:
    """Year -> table from a holiday file; an empty mapping when the file lists no year."""
    path = Path(path)
    if not path.exists():
        raise ConfigError("节假日文件不存在", "holiday file not found", file=path)
    data, _ = read_yaml(path, what_zh="节假日文件", what_en="holiday file")   # bounded aliases, clear errors
    if data is None:
        return {}
    if not isinstance(data, dict) or set(data) - _FILE_KEYS:
        raise ConfigError("节假日文件须为含 years 的映射", "the holiday file must be a mapping with `years`",
                          file=path, column="years")
    return parse_tables(data.get("years"), file=path, where="years")
