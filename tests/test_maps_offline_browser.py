"""The coverage map opens offline in headless Chromium and draws every county.

The figure is written with a local plotly.min.js beside it; every request
that is not a file:// URL is aborted and recorded (there must be none). The
drawn county fills are counted as SVG paths, a hover over one county is
checked, and a screenshot is kept in tests/artifacts/ for a human to look at.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reliefplan.views import maps
from reliefplan.ingest.reference import load_areas, load_boundaries
from reliefplan.core.paths import demo_path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs /usr/bin/chromium (make browser)"),
]


def _county_values():
    areas = load_areas(demo_path("areas.csv"))
    counties = areas[areas["level"] == "county"].reset_index(drop=True)
    n = len(counties)
    eligible = np.full(n, 200)
    reached = (np.linspace(0.35, 1.0, n) * 200).astype(int)
    vals = pd.DataFrame({"county_code": counties["code"], "county_name": counties["name"],
                         "eligible": eligible, "reached": reached, "eligible_reached": reached,
                         "exclusion": eligible - reached})
    vals["coverage_rate"] = vals["eligible_reached"] / vals["eligible"]
    return vals


def _open_offline(html: Path, shot: Path, hover_at=None):
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 760})

            def route(r):
                if r.request.url.startswith("file://"):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.goto(html.as_uri())
            page.wait_for_selector(".scatterlayer .trace", timeout=30_000)
            page.wait_for_timeout(300)
            fills = page.evaluate("document.querySelectorAll('.scatterlayer .trace path.js-fill').length")
            nonempty = page.evaluate(
                "[...document.querySelectorAll('.scatterlayer .trace path.js-fill')]"
                ".filter(p => (p.getAttribute('d') || '').length > 20).length")
            hover_text = ""
            if hover_at is not None:
                x, y = page.evaluate(
                    """([lon, lat]) => { const gd = document.querySelector('.plotly-graph-div');
                       const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
                       const box = gd.getBoundingClientRect();
                       return [box.left + xa._offset + xa.l2p(lon), box.top + ya._offset + ya.l2p(lat)]; }""",
                    list(hover_at))
                page.mouse.move(x, y)
                page.wait_for_timeout(400)
                hover_text = page.evaluate(
                    "[...document.querySelectorAll('.hoverlayer .hovertext')].map(n => n.textContent).join(' ')")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(shot))
        finally:
            browser.close()
    return blocked, fills, nonempty, hover_text


def test_county_choropleth_draws_offline(tmp_path):
    geo = load_boundaries(demo_path("boundaries/zhangzhou_counties.geojson"))
    n_counties = len(geo["features"])
    fig = maps.choropleth(_county_values(), geo, name_col="county_name", note="示例数据，人员均为虚构")
    html = maps.write_html(fig, tmp_path / "coverage_map.html", title="coverage")
    assert (tmp_path / "plotly.min.js").exists()
    text = html.read_text(encoding="utf-8")
    assert "cdn.plot.ly" not in text and "https://" not in text
    pinghe = maps.centroids(geo).set_index("code").loc["350628"]
    blocked, fills, nonempty, hover = _open_offline(html, ARTIFACTS / "coverage_map.png",
                                                    hover_at=(pinghe["lon"], pinghe["lat"]))
    assert blocked == []
    assert fills >= n_counties and nonempty >= n_counties
    assert "平和县" in hover and "%" in hover


def test_exclusion_and_township_maps_draw_offline(tmp_path):
    geo = load_boundaries(demo_path("boundaries/zhangzhou_counties.geojson"))
    vals = _county_values()
    excl = maps.choropleth(vals, geo, value="exclusion", name_col="county_name", colorscale="Reds")
    blocked, fills, nonempty, _ = _open_offline(maps.write_html(excl, tmp_path / "excl.html"),
                                                ARTIFACTS / "exclusion_map.png")
    assert blocked == [] and nonempty >= len(geo["features"])

    areas = load_areas(demo_path("areas.csv"))
    towns = areas[areas["level"] == "township"].head(40).reset_index(drop=True)
    tv = pd.DataFrame({"county_code": towns["parent_code"], "township_code": towns["code"],
                       "township_name": towns["name"], "eligible": 30, "reached": 20, "exclusion": 10,
                       "coverage_rate": np.linspace(0.2, 1, len(towns))})
    pts = maps.point_map(tv, geo)
    blocked, fills, nonempty, _ = _open_offline(maps.write_html(pts, tmp_path / "towns.html"),
                                                ARTIFACTS / "township_points.png")
    assert blocked == [] and nonempty >= len(geo["features"])
