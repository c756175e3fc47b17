"""Offline maps: area polygons drawn as filled plotly traces, no tiles, no topojson, no WebGL.

plotly's geographic traces do not work offline: ``px.choropleth`` with a
custom GeoJSON still fetches ``cdn.plot.ly/un/world_110m.json`` for its base
map (and draws nothing when that fails), and the MapLibre traces
(``choropleth_map``) need WebGL, which headless browsers and many office
PCs lack. So each area's polygons are drawn here as a plain ``go.Scatter``
with ``fill='toself'`` on ordinary x/y axes: x = longitude, y = latitude,
the y axis anchored to x with a ``1 / cos(latitude)`` scale ratio so the
shapes are not stretched, axes hidden. That is SVG only, needs nothing
but plotly.js, and prints and exports like any chart.

- :func:`choropleth` - one filled trace per area, coloured from a colour
  scale by value, hover text with name, value and counts, a colour bar from
  an invisible marker trace, names at the centroids. Areas without data are
  grey; codes without a polygon are listed by :func:`match_report`.
- :func:`point_map` - markers for areas that have no polygon (the demo's
  townships), placed in a ring around their county's centroid over the
  county outlines; positions are schematic, and the figure says so.
- :func:`write_html` - an HTML file that uses one local ``plotly.min.js``
  beside it (copied from the installed plotly package), never a CDN.

Works with any GeoJSON whose features carry the area code in some property
(``code_property``): county, township or village level.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import plotly
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from reliefplan.core import labels
from reliefplan.models.coverage import unit_prefix

NO_DATA_COLOUR = "#d9d9d9"
EDGE_COLOUR = "#9e9e9e"
OUTLINE_COLOUR = "#8c8c8c"
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif"



# ---------------------------------------------------------------------------
# Geometry
# ---------------------------------------------------------------------------

def normalise_code(code) -> str:
    """An area code as the registry writes it: text, no '.0', 12-digit codes cut to 6 or 9 digits.

    GB/T 2260 county codes padded to 12 digits (350602000000) become
    350602; township codes padded to 12 (350602001000) become 350602001.
    """
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return ""
    text = str(code).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if len(text) == 12 and text.isdigit():
        if text.endswith("000000"):
            return text[:6]
        if text.endswith("000"):
            return text[:9]
    return text


def polygons(geometry: dict) -> list[list[np.ndarray]]:
    """Polygon / MultiPolygon -> list of polygons, each a list of rings (n x 2 arrays of lon, lat)."""
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    if kind == "Polygon":
        coords = [coords]
    elif kind != "MultiPolygon":
        return []
    out = []
    for poly in coords:
        rings = [np.asarray(r, dtype=float)[:, :2] for r in poly if len(r) >= 3]
        if rings:
            out.append(rings)
    return out


def _ring_centroid(ring: np.ndarray) -> tuple[float, float, float]:
    x, y = ring[:, 0], ring[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    a = cross.sum() / 2
    if abs(a) < 1e-15:
        return float(x.mean()), float(y.mean()), 0.0
    cx = ((x + np.roll(x, -1)) * cross).sum() / (6 * a)
    cy = ((y + np.roll(y, -1)) * cross).sum() / (6 * a)
    return float(cx), float(cy), abs(float(a))


def features_by_code(geojson: dict, code_property: str = "code") -> dict[str, dict]:
    """Normalised code -> feature (the first feature wins if a code repeats)."""
    out: dict[str, dict] = {}
    for feature in geojson.get("features", []):
        code = normalise_code((feature.get("properties") or {}).get(code_property))
        if code and code not in out:
            out[code] = feature
    return out


def centroids(geojson: dict, code_property: str = "code") -> pd.DataFrame:
    """Per area: code, name (property ``name`` if any), lon, lat (of its largest polygon), area (deg²)."""
    rows = []
    for code, feature in features_by_code(geojson, code_property).items():
        best = (None, None, -1.0)
        total = 0.0
        for poly in polygons(feature.get("geometry") or {}):
            cx, cy, a = _ring_centroid(poly[0])
            total += a
            if a > best[2]:
                best = (cx, cy, a)
        props = feature.get("properties") or {}
        rows.append({"code": code, "name": props.get("name", code), "name_en": props.get("name_en", ""),
                     "lon": best[0], "lat": best[1], "area_deg2": total})
    return pd.DataFrame(rows, columns=["code", "name", "name_en", "lon", "lat", "area_deg2"])


def bounds(geojson: dict) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) of all polygons."""
    pts = [ring for f in geojson.get("features", []) for poly in polygons(f.get("geometry") or {}) for ring in poly]
    allpts = np.vstack(pts) if pts else np.zeros((1, 2))
    return (float(allpts[:, 0].min()), float(allpts[:, 1].min()),
            float(allpts[:, 0].max()), float(allpts[:, 1].max()))


def boundary_code_property(plan: dict) -> str:
    """The GeoJSON property holding the area code, from the plan's ``data.boundary_code_property``."""
    return str(((plan.get("data") or {}).get("boundary_code_property")) or "code")


def map_level(geojson: dict, code_property: str = "code") -> str:
    """'county' (6-digit codes), 'township' (9) or 'village' (12), by the most common code length."""
    lengths = pd.Series([len(c) for c in features_by_code(geojson, code_property)])
    common = int(lengths.mode().iloc[0]) if len(lengths) else 6
    return {6: "county", 9: "township", 12: "village"}.get(common, "county")


def match_report(geojson: dict, codes, code_property: str = "code") -> dict:
    """Codes that do not meet, both ways, after normalising codes on both sides.

    Returns {'no_polygon': codes in the data with no feature,
    'no_data': feature codes absent from the data}, both sorted lists. A
    user GeoJSON keyed by another property or another code edition shows up
    here as two long lists.
    """
    poly = set(features_by_code(geojson, code_property))
    wanted = {normalise_code(c) for c in codes if normalise_code(c)}
    return {"no_polygon": sorted(wanted - poly), "no_data": sorted(poly - wanted)}


def unmatched_message(report: dict, *, lang: str = "zh", limit: int = 20) -> str:
    """One readable line per direction ('' when everything matches)."""
    lines = []
    for key, zh, en in (("no_polygon", "以下区划代码在数据中但边界文件中没有", "codes in the data with no polygon"),
                        ("no_data", "以下边界要素的代码在数据中没有", "polygons whose code is not in the data")):
        codes = report.get(key) or []
        if codes:
            shown = ", ".join(codes[:limit]) + (" …" if len(codes) > limit else "")
            lines.append(f"{zh if lang == 'zh' else en} ({len(codes)}): {shown}")
    return "\n".join(lines)


def _path_xy(feature: dict) -> tuple[list, list]:
    """All rings of a feature as one x/y list with None between rings (plotly fills each part)."""
    xs: list = []
    ys: list = []
    for poly in polygons(feature.get("geometry") or {}):
        for ring in poly:
            if xs:
                xs.append(None), ys.append(None)
            xs.extend(ring[:, 0].round(5).tolist()), ys.extend(ring[:, 1].round(5).tolist())
    return xs, ys


def _geo_layout(fig: go.Figure, geojson: dict, *, title: str, height: int) -> go.Figure:
    lon0, lat0, lon1, lat1 = bounds(geojson)
    pad_x, pad_y = (lon1 - lon0) * 0.03, (lat1 - lat0) * 0.03
    ratio = 1 / max(math.cos(math.radians((lat0 + lat1) / 2)), 0.05)
    fig.update_layout(
        title=dict(text=title, x=0.02),
        height=height,
        margin=dict(l=10, r=10, t=50, b=10),
        plot_bgcolor="white", paper_bgcolor="white",
        showlegend=False,
        hovermode="closest",
        font=dict(family=FONT),
        xaxis=dict(visible=False, range=[lon0 - pad_x, lon1 + pad_x], constrain="domain"),
        yaxis=dict(visible=False, range=[lat0 - pad_y, lat1 + pad_y], scaleanchor="x", scaleratio=ratio,
                   constrain="domain"),
    )
    return fig


def _text_colour(fill: str) -> str:
    """Dark text on light fills, white on dark ones (fill as 'rgb(r, g, b)' or '#rrggbb')."""
    if fill.startswith("#"):
        r, g, b = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
    else:
        r, g, b = (float(v) for v in fill[fill.index("(") + 1:fill.index(")")].split(",")[:3])
    return "#ffffff" if 0.299 * r + 0.587 * g + 0.114 * b < 140 else "#222222"


def _fmt(value, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind == "rate":
        return f"{value:.1%}"
    if kind == "count":
        return f"{int(value):,}"
    return f"{value:,.2f}"


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

def fitted_range(values: pd.Series, kind: str = "rate") -> tuple[float, float]:
    """A colour scale's (min, max) fitted to the data, so areas that differ look different.

    Rates are widened outward to whole percentage points (at least 2 points
    wide), counts to whole numbers (at least 1 wide). No data: 0..1.
    """
    vals = pd.to_numeric(values, errors="coerce").dropna()
    if vals.empty:
        return (0.0, 1.0)
    if kind == "rate":
        lo, hi = math.floor(float(vals.min()) * 100) / 100, math.ceil(float(vals.max()) * 100) / 100
        if hi - lo < 0.02:
            lo, hi = max(0.0, lo - 0.01), min(1.0, hi + 0.01)
            if hi - lo < 0.02:
                lo, hi = (hi - 0.02, hi) if hi >= 0.02 else (lo, lo + 0.02)
        return (lo, hi)
    lo, hi = float(math.floor(vals.min())), float(math.ceil(vals.max()))
    return (lo, hi if hi > lo else lo + 1.0)


def choropleth(values: pd.DataFrame, geojson: dict, *, value: str = "coverage_rate", code_col: str = "county_code",
               code_property: str = "code", name_col: str | None = None, hover_cols=("eligible", "reached", "exclusion"),
               kind: str | None = None, title: str | None = None, colorscale="YlGn", value_range=None,
               lang: str = "zh", note: str | None = None, show_names: bool = True, height: int = 620) -> go.Figure:
    """A choropleth of ``values[value]`` by area, drawn as filled scatter traces (works offline).

    ``values``: one row per area with the code in ``code_col`` (e.g. a
    funnel from :mod:`reliefplan.models.coverage`). ``kind``: 'rate' (0..1, shown
    as %) or 'count'; guessed from the column name. ``value_range``: the
    colour scale's (min, max); default :func:`fitted_range` of the data.
    ``note``: a line under the map (e.g. the demo-data notice).
    Polygons are drawn largest first so an area enclosed by another stays
    visible. Areas in the GeoJSON with no row are grey ("no data").
    """
    kind = kind or ("rate" if value.endswith("_rate") else "count")
    data = values.copy()
    data["_code"] = data[code_col].map(normalise_code)
    data = data.drop_duplicates("_code").set_index("_code")
    vals = pd.to_numeric(data[value], errors="coerce")
    if value_range is None:
        value_range = fitted_range(vals, kind)
    vmin, vmax = float(value_range[0]), float(value_range[1])
    span = vmax - vmin if vmax > vmin else 1.0

    feats = features_by_code(geojson, code_property)
    cents = centroids(geojson, code_property).set_index("code")
    order = cents["area_deg2"].sort_values(ascending=False).index
    name_key = "name" if lang == "zh" else "name_en"
    fig = go.Figure()
    fills: dict[str, str] = {}
    for code in order:
        feature = feats[code]
        props = feature.get("properties") or {}
        name = None
        if name_col and code in data.index and pd.notna(data.at[code, name_col]):
            name = str(data.at[code, name_col])
        name = name or props.get(name_key) or props.get("name") or code
        xs, ys = _path_xy(feature)
        v = vals.get(code, np.nan)
        if pd.isna(v):
            colour = NO_DATA_COLOUR
            hover = f"<b>{name}</b> ({code})<br>{labels.label('no_data', lang)}"
        else:
            colour = sample_colorscale(colorscale, [min(max((float(v) - vmin) / span, 0.0), 1.0)])[0]
            lines = [f"<b>{name}</b> ({code})", f"{labels.label(value, lang)}: {_fmt(float(v), kind)}"]
            for col in hover_cols:
                if col in data.columns and col != value and pd.notna(data.at[code, col]):
                    lines.append(f"{labels.label(col, lang)}: {_fmt(data.at[code, col], 'count')}")
            hover = "<br>".join(lines)
        fills[code] = colour
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", fill="toself", fillcolor=colour,
            line=dict(color=EDGE_COLOUR, width=0.7), name=str(code), text=hover,
            hoverinfo="text", hoveron="fills", showlegend=False,
        ))
    if show_names and len(cents):
        names = [(data.at[c, name_col] if name_col and c in data.index else None)
                 or (feats[c].get("properties") or {}).get(name_key)
                 or (feats[c].get("properties") or {}).get("name") or c for c in cents.index]
        colours = [_text_colour(fills.get(c, NO_DATA_COLOUR)) for c in cents.index]
        fig.add_trace(go.Scatter(x=cents["lon"], y=cents["lat"], mode="text", text=names,
                                 textfont=dict(size=11, color=colours), hoverinfo="skip", showlegend=False))
    # An invisible two-point marker trace carries the colour bar.
    lon_c = float(cents["lon"].mean()) if len(cents) else 0.0
    lat_c = float(cents["lat"].mean()) if len(cents) else 0.0
    fig.add_trace(go.Scatter(
        x=[lon_c, lon_c], y=[lat_c, lat_c], mode="markers", hoverinfo="skip", showlegend=False,
        marker=dict(size=0.1, opacity=0, color=[vmin, vmax], cmin=vmin, cmax=vmax, colorscale=colorscale,
                    showscale=True, colorbar=dict(title=dict(text=labels.label(value, lang)), thickness=14,
                                                  tickformat=".0%" if kind == "rate" else ",d")),
    ))
    title = title or labels.label("map_coverage_title" if kind == "rate" else "map_exclusion_title", lang)
    _geo_layout(fig, geojson, title=title, height=height)
    if note:
        fig.add_annotation(text=note, xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="bottom",
                           showarrow=False, font=dict(size=11, color="#666666"))
    return fig


def ring_positions(values: pd.DataFrame, county_centroids: pd.DataFrame, *, parent_col: str = "county_code",
                   code_col: str = "township_code") -> pd.DataFrame:
    """Schematic lon/lat for areas without polygons: a ring around their county's centroid.

    The ring radius scales with the county's size so points stay inside it
    roughly; areas of a county with one child sit on the centroid.
    """
    cents = county_centroids.set_index("code")
    out = values.copy()
    lon = np.full(len(out), np.nan)
    lat = np.full(len(out), np.nan)
    pos = np.arange(len(out))
    for parent, idx in out.groupby(out[parent_col].astype(str), sort=False).indices.items():
        if parent not in cents.index:
            continue
        c = cents.loc[parent]
        n = len(idx)
        radius = 0.0 if n == 1 else max(0.35 * math.sqrt(max(c["area_deg2"], 1e-6)), 0.008 * n)
        order = np.argsort(out.iloc[idx][code_col].astype(str).to_numpy())
        angles = 2 * math.pi * np.arange(n) / max(n, 1)
        ratio = 1 / max(math.cos(math.radians(c["lat"])), 0.05)
        lon[pos[idx][order]] = c["lon"] + radius * np.cos(angles)
        lat[pos[idx][order]] = c["lat"] + radius * np.sin(angles) / ratio
    out["lon"], out["lat"] = lon, lat
    return out


def point_map(values: pd.DataFrame, county_geojson: dict, *, value: str = "coverage_rate",
              code_col: str = "township_code", parent_col: str = "county_code", name_col: str = "township_name",
              size_col: str = "eligible", code_property: str = "code", title: str | None = None,
              colorscale="YlGn", lang: str = "zh", note: str | None = None, height: int = 620) -> go.Figure:
    """Markers for areas with no polygon (townships in the demo) over grey county outlines.

    Positions are schematic (a ring around the county centroid, see
    :func:`ring_positions`); the figure carries a note saying so. Colour =
    ``value`` (a rate), size ~ sqrt(``size_col``).
    """
    placed = ring_positions(values, centroids(county_geojson, code_property), parent_col=parent_col,
                            code_col=code_col).dropna(subset=["lon", "lat"])
    fig = go.Figure()
    for code, feature in features_by_code(county_geojson, code_property).items():
        xs, ys = _path_xy(feature)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor="#f2f2f2",
                                 line=dict(color=OUTLINE_COLOUR, width=1), hoverinfo="skip", showlegend=False))
    v = pd.to_numeric(placed[value], errors="coerce")
    sizes = 6 + 2 * np.sqrt(pd.to_numeric(placed.get(size_col, 1), errors="coerce").fillna(0).clip(lower=0))
    hover = [
        f"<b>{r[name_col]}</b> ({r[code_col]})<br>{labels.label(value, lang)}: {_fmt(r[value], 'rate') or labels.label('no_data', lang)}"
        + "".join(f"<br>{labels.label(c, lang)}: {_fmt(r[c], 'count')}" for c in ("eligible", "reached", "exclusion")
                  if c in placed.columns)
        for _, r in placed.iterrows()
    ]
    lo, hi = fitted_range(v, "rate")
    known = v.notna().to_numpy()
    hover = np.asarray(hover, dtype=object)
    if (~known).any():
        fig.add_trace(go.Scatter(
            x=placed["lon"][~known], y=placed["lat"][~known], mode="markers", text=hover[~known], hoverinfo="text",
            showlegend=False, marker=dict(size=sizes[~known].clip(upper=22), color=NO_DATA_COLOUR,
                                          line=dict(color="#444444", width=0.5))))
    fig.add_trace(go.Scatter(
        x=placed["lon"][known], y=placed["lat"][known], mode="markers", text=hover[known], hoverinfo="text",
        showlegend=False,
        marker=dict(size=sizes[known].clip(upper=22), color=v[known], cmin=lo, cmax=hi, colorscale=colorscale,
                    line=dict(color="#444444", width=0.5), showscale=True,
                    colorbar=dict(title=dict(text=labels.label(value, lang)), thickness=14, tickformat=".0%")),
    ))
    _geo_layout(fig, county_geojson, title=title or labels.label("map_township_title", lang), height=height)
    notes = [labels.label("schematic_note", lang)] + ([note] if note else [])
    fig.add_annotation(text="<br>".join(notes), xref="paper", yref="paper", x=0, y=0, xanchor="left",
                       yanchor="bottom", showarrow=False, align="left", font=dict(size=11, color="#666666"))
    return fig


# ---------------------------------------------------------------------------
# Offline HTML
# ---------------------------------------------------------------------------

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


def plotly_js_path() -> Path:
    """The plotly.min.js bundled with the installed plotly package."""

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.exists():  # pragma: no cover - layout of a future plotly release
        raise FileNotFoundError(path)
    return path


def write_html(fig: go.Figure, path, *, title: str | None = None, config: dict | None = None) -> Path:
    """Write ``fig`` as a standalone HTML page using a local ``plotly.min.js`` beside it.

    The bundle is copied from the installed plotly package once per folder
    (so many reports share one 4 MB file) and referenced by a relative
    ``<script src="plotly.min.js">``: no CDN, no network at view time.
    Returns the path of the HTML file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    js = path.parent / "plotly.min.js"
    if not js.exists():
        shutil.copyfile(plotly_js_path(), js)
    html = fig.to_html(include_plotlyjs="directory", full_html=True, config={**PLOTLY_CONFIG, **(config or {})})
    if title:
        html = html.replace("<head>", f"<head><title>{title}</title>", 1)
    html = html.replace("<head>", '<head><meta charset="utf-8">', 1) if 'charset="utf-8"' not in html else html
    path.write_text(html, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# The coverage maps of one analysis
# ---------------------------------------------------------------------------

def subset(geojson: dict, unit, code_property: str = "code") -> dict:
    """The features inside ``unit`` (an area code, or 'all' for every feature), and the
    polygon containing a unit smaller than the features (a township's county)."""

    prefix = unit_prefix(unit)
    if not prefix:
        return geojson
    def inside(code: str) -> bool:  # a township unit keeps its county's polygon
        return bool(code) and (code.startswith(prefix) or prefix.startswith(code))

    feats = [f for f in geojson.get("features", [])
             if inside(normalise_code((f.get("properties") or {}).get(code_property)))]
    return {**geojson, "features": feats}


def coverage_maps(result, geojson: dict | None, *, code_property: str = "code", lang: str = "zh",
                  note: str | None = None) -> dict:
    """Coverage-rate and exclusion maps for a :class:`reliefplan.models.coverage.CoverageResult`.

    The level follows the GeoJSON (county, or township when the user gives
    township polygons). Townships without polygons get :func:`point_map` over
    the county outlines. Returns {'level', 'coverage', 'exclusion',
    'townships' (figure or None), 'unmatched' (see :func:`match_report`),
    'message'}. Without a GeoJSON every figure is None.
    """
    out = {"level": None, "coverage": None, "exclusion": None, "townships": None,
           "unmatched": {"no_polygon": [], "no_data": []}, "message": ""}
    if not geojson:
        return out
    geo = subset(geojson, result.unit, code_property)
    level = map_level(geojson, code_property)
    out["level"] = level
    if level == "county":
        values, code_col, name_col = result.by_county, "county_code", "county_name"
    else:
        values, code_col, name_col = result.by_township, "township_code", "township_name"
    data_codes = [c for c in result.status[code_col].astype(str).unique() if c]
    out["unmatched"] = match_report(geo, data_codes, code_property)
    out["message"] = unmatched_message(out["unmatched"], lang=lang)
    if not geo.get("features"):
        return out
    out["coverage"] = choropleth(values, geo, value="coverage_rate", code_col=code_col, code_property=code_property,
                                 name_col=name_col, lang=lang, note=note)
    out["exclusion"] = choropleth(values, geo, value="exclusion", code_col=code_col, code_property=code_property,
                                  name_col=name_col, colorscale="Reds", lang=lang, note=note)
    if level == "county":
        towns = result.by_township[result.by_township["township_code"].astype(str) != ""]
        if len(towns):
            out["townships"] = point_map(towns, geo, code_property=code_property, lang=lang, note=note)
    return out
