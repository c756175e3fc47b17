"""Offline map builders: geometry, colours, hover text, code matching, HTML export."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pandas as pd
import pytest
import yaml

from builders import coverage_world

from reliefplan.views import maps
from reliefplan.ingest.inputs import load_plan_inputs
from reliefplan.ingest.reference import load_areas, load_boundaries
from reliefplan.core.paths import demo_path, demo_plan_path


@pytest.fixture(scope="module")
def geo():
    return load_boundaries(demo_path("boundaries/zhangzhou_counties.geojson"))


def _values(codes, rates):
    return pd.DataFrame({"county_code": codes, "coverage_rate": rates, "eligible": 10, "reached": 5,
                         "exclusion": [int(10 * (1 - r)) if not pd.isna(r) else 0 for r in rates]})


def test_normalise_code():
    assert maps.normalise_code(350602) == "350602"
    assert maps.normalise_code("350602.0") == "350602"
    assert maps.normalise_code("350602000000") == "350602"
    assert maps.normalise_code("350602001000") == "350602001"
    assert maps.normalise_code("350602001201") == "350602001201"
    assert maps.normalise_code(None) == "" and maps.normalise_code(float("nan")) == ""


def test_polygons_and_centroid_of_a_square():
    sq = {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]}
    (poly,) = maps.polygons(sq)
    assert poly[0].shape == (5, 2)
    geo = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "1"}, "geometry": sq}]}
    c = maps.centroids(geo).iloc[0]
    assert (c["lon"], c["lat"]) == pytest.approx((1, 1)) and c["area_deg2"] == pytest.approx(4)
    assert maps.bounds(geo) == (0, 0, 2, 2)


def test_choropleth_is_plain_svg_scatter(geo):
    codes = [f["properties"]["code"] for f in geo["features"]]
    fig = maps.choropleth(_values(codes, np.linspace(0, 1, len(codes))), geo)
    types = {t.type for t in fig.data}
    assert types == {"scatter"}  # no geo/choropleth/map traces: nothing to fetch, no WebGL
    d = fig.to_dict()["layout"]
    assert "geo" not in d and "map" not in d and "mapbox" not in d
    fills = [t for t in fig.data if t.fill == "toself"]
    assert len(fills) == len(codes)
    assert fig.layout.yaxis.scaleanchor == "x"
    lat0, lat1 = maps.bounds(geo)[1], maps.bounds(geo)[3]
    assert fig.layout.yaxis.scaleratio == pytest.approx(1 / math.cos(math.radians((lat0 + lat1) / 2)))
    assert fig.layout.xaxis.visible is False


def test_colours_hover_and_no_data(geo):
    codes = [f["properties"]["code"] for f in geo["features"]]
    rates = [1.0, np.nan] + [0.5] * (len(codes) - 2)
    vals = _values(codes, rates)
    vals["county_name"] = "县" + vals["county_code"]
    fig = maps.choropleth(vals, geo, name_col="county_name")
    by_code = {t.name: t for t in fig.data if t.fill == "toself"}
    assert by_code[codes[1]].fillcolor == maps.NO_DATA_COLOUR
    assert "无数据" in by_code[codes[1]].text
    top = by_code[codes[0]]
    assert top.fillcolor == "rgb(0, 69, 41)"  # the top of YlGn
    assert "县" + codes[0] in top.text and "覆盖率: 100.0%" in top.text and "应慰未慰: 0" in top.text
    en = maps.choropleth(vals, geo, lang="en")
    assert "Coverage rate: 100.0%" in {t.name: t for t in en.data if t.fill == "toself"}[codes[0]].text
    assert en.layout.title.text == "Coverage rate by county"
    bar = [t for t in fig.data if t.mode == "markers"][0]
    assert bar.marker.showscale and bar.marker.cmin == 0.5 and bar.marker.cmax == 1    # fitted to the data


def test_colour_range_is_fitted_to_the_data():
    rates = pd.Series([0.801, 0.866, np.nan])
    assert maps.fitted_range(rates, "rate") == (0.80, 0.87)                  # not one green from 0 to 100%
    assert maps.fitted_range(pd.Series([0.85, 0.85]), "rate") == (0.84, 0.86)
    assert maps.fitted_range(pd.Series([3, 17]), "count") == (3.0, 17.0)
    assert maps.fitted_range(pd.Series([5, 5]), "count") == (5.0, 6.0)
    assert maps.fitted_range(pd.Series([np.nan]), "rate") == (0.0, 1.0)


def test_exclusion_count_scale(geo):
    codes = [f["properties"]["code"] for f in geo["features"]]
    vals = _values(codes, [0.5] * len(codes))
    vals["exclusion"] = range(len(codes))
    fig = maps.choropleth(vals, geo, value="exclusion", colorscale="Reds")
    bar = [t for t in fig.data if t.mode == "markers"][0]
    assert bar.marker.cmax == len(codes) - 1 and bar.marker.colorbar.tickformat == ",d"
    assert fig.layout.title.text == "各县(市、区)应慰未慰人数"


def test_larger_areas_drawn_first(geo):
    codes = [f["properties"]["code"] for f in geo["features"]]
    fig = maps.choropleth(_values(codes, [0.5] * len(codes)), geo)
    order = [t.name for t in fig.data if t.fill == "toself"]
    size = maps.centroids(geo).set_index("code")["area_deg2"]
    assert list(size[order]) == sorted(size, reverse=True)


def _user_geojson(geo):
    """The demo counties re-keyed the way a GIS export might be: property 'adcode', 12-digit numbers."""
    user = copy.deepcopy(geo)
    for f in user["features"]:
        props = f["properties"]
        f["properties"] = {"adcode": int(props["code"] + "000000"), "NAME": props["name"]}
    return user


def test_user_geojson_with_other_code_property(geo, tmp_path):
    user = _user_geojson(geo)
    path = tmp_path / "my_counties.geojson"
    path.write_text(json.dumps(user, ensure_ascii=False), encoding="utf-8")
    plan = yaml.safe_load(demo_plan_path().read_text(encoding="utf-8"))
    plan_path = tmp_path / "plan.yaml"
    data_dir = demo_plan_path().parent
    plan["data"] = {k: str(data_dir / v) for k, v in plan["data"].items()
                    if k in ("areas", "categories", "dibao") or k == "boundary_code_property"}
    plan["data"]["boundaries"] = str(path)
    plan["data"]["boundary_code_property"] = "adcode"
    plan_path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    loaded = load_plan_inputs(plan_path, include=["boundaries"])["boundaries"]
    prop = maps.boundary_code_property({"data": plan["data"]})
    assert prop == "adcode"
    codes = [f["properties"]["code"] for f in geo["features"]]
    assert maps.match_report(loaded, codes, prop) == {"no_polygon": [], "no_data": []}
    fig = maps.choropleth(_values(codes, [0.7] * len(codes)), loaded, code_property=prop)
    assert len([t for t in fig.data if t.fill == "toself" and t.fillcolor != maps.NO_DATA_COLOUR]) == len(codes)


def test_unmatched_codes_listed_both_ways(geo):
    codes = ["350602", "350603", "350799", "3506"]
    report = maps.match_report(geo, codes)
    assert report["no_polygon"] == ["3506", "350799"]
    assert "350604" in report["no_data"] and "350602" not in report["no_data"]
    msg = maps.unmatched_message(report)
    assert "350799" in msg and "数据中但边界文件中没有" in msg
    assert "polygons whose code is not in the data" in maps.unmatched_message(report, lang="en")
    assert maps.unmatched_message({"no_polygon": [], "no_data": []}) == ""
    # wrong property: every code unmatched
    wrong = maps.match_report(_user_geojson(geo), codes[:2], "code")
    assert wrong["no_polygon"] == ["350602", "350603"]


def test_map_level(geo):
    assert maps.map_level(geo) == "county"
    towns = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "350602001"}, "geometry": geo["features"][0]["geometry"]}]}
    assert maps.map_level(towns) == "township"


def test_point_map_places_every_township(geo):
    areas = load_areas(demo_path("areas.csv"))
    towns = areas[areas["level"] == "township"].reset_index(drop=True)
    tv = pd.DataFrame({"county_code": towns["parent_code"], "township_code": towns["code"],
                       "township_name": towns["name"], "eligible": 5, "reached": 4, "exclusion": 1,
                       "coverage_rate": 0.8})
    placed = maps.ring_positions(tv, maps.centroids(geo))
    assert placed[["lon", "lat"]].notna().all().all()
    assert not placed[["lon", "lat"]].duplicated().any()
    fig = maps.point_map(tv, geo)
    pts = [t for t in fig.data if t.mode == "markers"][0]
    assert len(pts.x) == len(towns)
    assert any("示意" in a.text for a in fig.layout.annotations)


def test_write_html_uses_local_plotly(tmp_path, geo):
    codes = [f["properties"]["code"] for f in geo["features"]]
    fig = maps.choropleth(_values(codes, [0.5] * len(codes)), geo)
    out = maps.write_html(fig, tmp_path / "sub" / "map.html", title="覆盖率")
    html = out.read_text(encoding="utf-8")
    assert '<script charset="utf-8" src="plotly.min.js"></script>' in html
    assert "https://" not in html and "<title>覆盖率</title>" in html
    js = tmp_path / "sub" / "plotly.min.js"
    assert js.stat().st_size > 1_000_000
    maps.write_html(fig, tmp_path / "sub" / "map2.html")  # second report reuses the same bundle
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["map.html", "map2.html", "plotly.min.js"]


def test_coverage_maps_from_an_analysis(geo):
    from reliefplan.models import coverage
    from reliefplan.ingest.categories import load_categories

    reg, plan, dibao, areas, visits, changes = coverage_world()
    inputs = coverage.CoverageInputs(plan=plan, registry=reg, areas=areas, dibao=dibao, visits=visits,
                                     changes=changes, categories=load_categories(demo_path("categories.csv")), boundaries=geo)
    result = coverage.analyse(inputs, year=2026, on_date="2027-02-06")
    out = maps.coverage_maps(result, geo)
    assert out["level"] == "county" and out["unmatched"] == {"no_polygon": [], "no_data": sorted(
        set(maps.features_by_code(geo)) - {"350602", "350622"})}
    cov = {t.name: t for t in out["coverage"].data if t.fill == "toself"}
    assert "66.7%" in cov["350602"].text and cov["350604"].fillcolor == maps.NO_DATA_COLOUR
    assert out["townships"] is not None and len([t for t in out["townships"].data if t.mode == "markers"][0].x) == 4
    part = coverage.analyse(inputs, year=2026, unit="350622", on_date="2027-02-06")
    one = maps.coverage_maps(part, geo)
    assert one["unmatched"] == {"no_polygon": [], "no_data": []}
    assert len([t for t in one["coverage"].data if t.fill == "toself"]) == 1
    assert maps.coverage_maps(result, None)["coverage"] is None
    town = coverage.analyse(inputs, year=2026, unit="350622101", on_date="2027-02-06")
    tm = maps.coverage_maps(town, geo)
    assert [t.name for t in tm["coverage"].data if t.fill == "toself"] == ["350622"]
    assert tm["unmatched"]["no_polygon"] == []
