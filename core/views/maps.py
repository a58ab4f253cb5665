"""Pure builders of pydeck maps: choropleths drawn from our own polygons (no tile server) with point layers."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings import deck as _pydeck_deck

from core.base.markup import inert
from core.base.palettes import NO_DATA, OUTLINE, SEQUENTIAL, hex_to_rgb

# pydeck asks whether its Jupyter widget can load five times for every Deck it makes, each a failed import that
# scans sys.path: 8% of the server's CPU under bench/load.py. The answer cannot change while a process runs.
_pydeck_deck.has_jupyter_extra = functools.cache(_pydeck_deck.has_jupyter_extra)


@dataclass(frozen=True)
class Classes:
    """Choropleth classes: a class per area (−1 = no data), the upper bounds, colours and legend labels."""

    index: np.ndarray
    bins: list[float]
    colors: list[str]
    labels: list[str]


def classify(values: pd.Series | np.ndarray, k: int = 5, scheme: str = "Quantiles",
             palette: dict[int, list[str]] = SEQUENTIAL, fmt: str = "{:,.1f}") -> Classes:
    """Classify values into quantiles (mapclassify's ``Quantiles``); missing values get class −1 (no-data colour).

    Examples
    --------
    >>> c = classify([1, 2, 3, 4, 5, 6, np.nan], k=3)
    >>> c.index.tolist()
    [0, 0, 1, 1, 2, 2, -1]
    """
    v = np.asarray(values, dtype=float)
    have = ~np.isnan(v)
    idx = np.full(v.shape, -1, dtype=int)
    distinct = np.unique(v[have])
    k = int(max(1, min(k, len(distinct))))
    if k == 1 or len(distinct) <= 1:
        idx[have] = 0
        bins = [float(distinct.max())] if len(distinct) else []
    else:
        upper = quantile_bins(v[have], k) if scheme == "Quantiles" else _mapclassify_bins(v[have], k, scheme)
        idx[have] = np.searchsorted(upper, v[have], side="left")
        bins = [float(b) for b in upper]
        k = len(bins)
    colors = palette[max(3, k)][:k] if k >= 3 else palette[3][:k]
    lows = [float(np.nanmin(v))] + bins[:-1] if len(bins) else []
    labels = [f"{fmt.format(lo)} – {fmt.format(hi)}" for lo, hi in zip(lows, bins)]
    return Classes(index=idx, bins=bins, colors=colors, labels=labels)


def quantile_bins(values: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of ``k`` quantile classes, as ``mapclassify.Quantiles`` computes them (ties merge classes).

    The same arithmetic as mapclassify's ``quantile`` (with scipy's ``scoreatpercentile`` written out),
    without importing mapclassify, which brings scikit-learn and matplotlib: 110 MB in every server process.
    tests/test_maps_classify.py checks the two agree. A value goes in the first class whose bound it does not exceed.

    Examples
    --------
    >>> quantile_bins(np.arange(1000.0), 4).tolist()
    [249.75, 499.5, 749.25, 999.0]
    """
    w = 100.0 / k
    pct = np.arange(w, 100 + w, w)
    if pct[-1] > 100.0:
        pct[-1] = 100.0
    ordered = np.sort(np.asarray(values, dtype=float))
    scores = []
    for per in pct:
        # scipy.stats.scoreatpercentile's own weighting, to the last bit (numpy's percentile rounds differently)
        idx = per / 100.0 * (len(ordered) - 1)
        i = int(idx)
        if i == idx:
            scores.append(ordered[i])
        else:
            lo, hi = (i + 1) - idx, idx - i
            scores.append((ordered[i] * lo + ordered[i + 1] * hi) / (lo + hi))
    return np.unique(np.array(scores))


def _mapclassify_bins(values: np.ndarray, k: int, scheme: str) -> np.ndarray:
    import mapclassify  # only for schemes other than quantiles, which no page uses today

    return np.asarray(getattr(mapclassify, scheme)(values, k=k).bins, dtype=float)


def legend_items(classes: Classes, no_data: bool = True) -> list[tuple[str, str]]:
    items = list(zip(classes.colors, classes.labels))
    if no_data and (classes.index == -1).any():
        items.append((NO_DATA, "no data"))
    return items


def legend_html(items: list[tuple[str, str]], title: str) -> str:
    """A small HTML legend; every label is escaped because area names may come from uploaded files."""
    rows = "".join(
        f'<span style="display:inline-flex;align-items:center;margin-right:12px">'
        f'<span style="width:14px;height:14px;background:{c};border:1px solid #777;margin-right:4px;display:inline-block"></span>'
        f"{inert(label)}</span>" for c, label in items)
    return f'<div role="img" aria-label="Legend: {inert(title)}"><b>{inert(title)}</b><br/>{rows}</div>'


def area_features(areas: pd.DataFrame, colors: list[str], properties: pd.DataFrame,
                  selected: set[str] | None = None) -> list[dict]:
    """GeoJSON features from the simplified geometries, with fill colours and escaped tooltip properties."""
    selected = {str(s) for s in (selected or set())}
    feats = []
    records = properties.reset_index(drop=True).to_dict("records")
    for rec, aid, geom, color in zip(records, areas["area_id"], areas["geometry_simplified"], colors):
        p = {c: (inert(v) if isinstance(v, str) else v) for c, v in rec.items()}
        p["area_id"] = str(aid)
        p["fill"] = hex_to_rgb(color, 210)
        p["line_width"] = 3 if str(aid) in selected else 1
        p["line"] = [0, 0, 0, 255] if str(aid) in selected else OUTLINE + [200]
        feats.append({"type": "Feature", "geometry": json.loads(geom), "properties": p})
    return feats


def view_for(areas_geo: pd.DataFrame, width_px: int = 700, height_px: int = 520) -> pdk.ViewState:
    """Centre on the polygons' bounding box and zoom so the whole city fits a map of about this many pixels.

    The map sits in a column, so it is narrower than it is tall and both sides must fit; Web Mercator's
    y = ln(tan(π/4 + φ/2)) gives the vertical extent. deck.gl draws the world 512 pixels wide at zoom 0.

    Examples
    --------
    >>> sq = '{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}'
    >>> v = view_for(pd.DataFrame({"geometry_simplified": [sq]}), 256, 256)
    >>> round(v.longitude, 3), round(v.latitude, 3), round(v.zoom, 2)
    (0.5, 0.5, 7.49)
    """
    import shapely

    geoms = shapely.from_geojson(areas_geo["geometry_simplified"].tolist())
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    merc = lambda lat: np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))  # noqa: E731
    span_x = max(x1 - x0, 1e-6) / 360
    span_y = max(merc(y1) - merc(y0), 1e-6) / (2 * np.pi)
    zoom = float(np.log2(min(width_px / (512 * span_x), height_px / (512 * span_y))))
    mid_y = np.degrees(2 * np.arctan(np.exp((merc(y0) + merc(y1)) / 2)) - np.pi / 2)
    return pdk.ViewState(longitude=float((x0 + x1) / 2), latitude=float(mid_y), zoom=float(np.clip(zoom, 1, 16)),
                         pitch=0)


def area_layer(features: list[dict], layer_id: str = "areas", pickable: bool = True) -> pdk.Layer:
    return pdk.Layer("GeoJsonLayer", id=layer_id, data={"type": "FeatureCollection", "features": features},
                     pickable=pickable, stroked=True, filled=True, get_fill_color="properties.fill",
                     get_line_color="properties.line", get_line_width="properties.line_width",
                     line_width_min_pixels=1, line_width_scale=20, auto_highlight=True)


def points_layer(points: pd.DataFrame, layer_id: str, color: str, radius: str | float = 60,
                 radius_scale: float = 1.0) -> pdk.Layer:
    """Scatter points; text columns are escaped because the tooltip renders HTML."""
    data = points.copy()
    for c in data.columns:
        if data[c].dtype == object or pd.api.types.is_string_dtype(data[c]):
            data[c] = data[c].astype(str).map(inert)
    return pdk.Layer("ScatterplotLayer", id=layer_id, data=data, get_position=["lon", "lat"],
                     get_fill_color=hex_to_rgb(color, 220), get_line_color=[255, 255, 255, 255], stroked=True,
                     line_width_min_pixels=1, get_radius=radius, radius_scale=radius_scale,
                     radius_min_pixels=3, radius_max_pixels=18, pickable=True)


def deck(layers: list[pdk.Layer], areas: pd.DataFrame, tooltip_html: str) -> pdk.Deck:
    """A map with no basemap: the city is drawn from our own polygons, so nothing is fetched from a tile server.

    ``map_style`` is left at pydeck's default on purpose: with no provider, pydeck sends its placeholder, which
    Streamlit reads as "no basemap". ``map_style=None`` would make Streamlit fetch CARTO's style and tiles.
    """
    return pdk.Deck(layers=layers, initial_view_state=view_for(areas), map_provider=None,
                    tooltip={"html": tooltip_html, "style": {"backgroundColor": "#fff", "color": "#222",
                                                            "fontSize": "13px", "border": "1px solid #999"}})
