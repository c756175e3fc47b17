"""Area boundaries (GeoJSON): read, checked, and matched against the codes of a table."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from reliefplan.core.errors import ConfigError
from reliefplan.core.text import strip_all_spaces


def load_boundaries(path, code_property: str = "code") -> dict:
    """A GeoJSON FeatureCollection of area polygons, keyed by ``code_property``.

    Checks that it is a FeatureCollection, that every feature has a geometry
    and the code property, and that no code appears twice. Codes are returned
    as strings (a number in the file, e.g. 350602, becomes "350602").
    """
    path = Path(path)
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

