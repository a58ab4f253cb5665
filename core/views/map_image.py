"""The Neighbourhood brief's locator map as a PNG, drawn with Pillow from the area polygons alone (no tiles).

Pillow rather than matplotlib: fpdf2 needs Pillow for the brief's PDF anyway, while importing matplotlib to draw two
panels of polygons kept about 37 MB in every server process that had shown one brief. Polygons are drawn at three
times the size and scaled down, which smooths their edges as an anti-aliasing renderer would.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import numpy as np

SCALE = 3  # drawn at three times the size, then scaled down (anti-aliasing)


def font_path(bold: bool = False) -> Path:
    """DejaVu Sans, which matplotlib's package data ships (found without importing matplotlib): it has every letter an
    area or programme name may use (en dashes, accents)."""
    root = Path(find_spec("matplotlib").submodule_search_locations[0])
    return root / "mpl-data" / "fonts" / "ttf" / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")


@dataclass(frozen=True)
class _Frame:
    """Where one panel's map coordinates land in the image: a box in pixels, and the extent shown in it."""

    box: tuple[float, float, float, float]   # left, top, right, bottom (pixels)
    extent: tuple[float, float, float, float]  # min x, min y, max x, max y (map units)

    def pixels(self, xy: np.ndarray) -> list[tuple[float, float]]:
        left, top, right, bottom = self.box
        minx, miny, maxx, maxy = self.extent
        # One scale for both axes (equal aspect), the extent centred in the box.
        s = min((right - left) / max(maxx - minx, 1e-12), (bottom - top) / max(maxy - miny, 1e-12))
        ox = left + ((right - left) - s * (maxx - minx)) / 2
        oy = top + ((bottom - top) - s * (maxy - miny)) / 2
        px = ox + (xy[:, 0] - minx) * s
        py = oy + (maxy - xy[:, 1]) * s  # map y grows north, image y grows down
        return list(zip(px.tolist(), py.tolist()))


def _extent(rings: list[np.ndarray], pad: float = 0.0) -> tuple[float, float, float, float]:
    allxy = np.vstack(rings)
    (minx, miny), (maxx, maxy) = allxy.min(axis=0), allxy.max(axis=0)
    p = max(maxx - minx, maxy - miny) * pad
    return minx - p, miny - p, maxx + p, maxy + p


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def locator_png(focus: list[np.ndarray], others: list[np.ndarray], points: np.ndarray | None, *, area_colour: str,
                point_colour: str, width_in: float = 7.2, height_in: float = 3.4, dpi: int = 150) -> bytes:
    """Two panels: left, the city with the area filled; right, the area close up (its extent padded by a quarter),
    its neighbours outlined and ``points`` (projected x, y) as dots with a legend. Rings are projected (n, 2) arrays.
    """
    from PIL import Image, ImageDraw, ImageFont

    w, h = int(width_in * dpi), int(height_in * dpi)
    k = SCALE
    img = Image.new("RGB", (w * k, h * k), "white")
    draw = ImageDraw.Draw(img)
    pt = dpi / 72 * k  # pixels per typographic point at the drawing scale
    title_font = ImageFont.truetype(str(font_path()), int(9 * pt))
    legend_font = ImageFont.truetype(str(font_path()), int(7 * pt))
    margin, title_h = 6 * pt, 16 * pt
    split = (w * k) * 1 / 2.35  # panel widths 1 : 1.35, as the brief's layout has always had them
    panels = (("In the city", _Frame((margin, title_h + margin, split - margin, h * k - margin), _extent(others + focus))),
              ("Close up", _Frame((split + margin, title_h + margin, w * k - margin, h * k - margin),
                                  _extent(focus, pad=0.25))))
    area = _hex(area_colour)
    city, close = panels[0][1], panels[1][1]
    for ring in others:
        draw.polygon(city.pixels(ring), fill=(227, 227, 227), outline="white", width=max(1, int(0.3 * pt)))
    for ring in focus:
        draw.polygon(city.pixels(ring), fill=area, outline=area, width=max(1, int(0.5 * pt)))
    # The close-up is drawn on a layer of its own, then pasted within its box: Pillow draws no clip region.
    layer = Image.new("RGB", img.size, "white")
    ldraw = ImageDraw.Draw(layer)
    for ring in others:
        ldraw.polygon(close.pixels(ring), fill=(236, 236, 236), outline=(138, 138, 138), width=max(1, int(0.6 * pt)))
    for ring in focus:
        ldraw.polygon(close.pixels(ring), fill=(207, 227, 241), outline=area, width=max(1, int(1.6 * pt)))
    r = 2.4 * pt
    dot = _hex(point_colour)
    if points is not None and len(points):
        for x, y in close.pixels(np.asarray(points, dtype=float)):
            ldraw.ellipse((x - r, y - r, x + r, y + r), fill=dot, outline="white", width=max(1, int(0.6 * pt)))
    box = tuple(int(v) for v in close.box)
    img.paste(layer.crop(box), box[:2])
    if points is not None and len(points):
        left, _, _, bottom = close.box
        text = "programme based here"
        tw = draw.textlength(text, font=legend_font)
        lx, ly = left + 4 * pt, bottom - 16 * pt
        draw.rectangle((lx, ly, lx + tw + 22 * pt, ly + 12 * pt), fill="white", outline=(204, 204, 204),
                       width=max(1, int(0.5 * pt)))
        cx, cy = lx + 7 * pt, ly + 6 * pt
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=dot, outline="white")
        draw.text((lx + 14 * pt, cy), text, fill=(34, 34, 34), font=legend_font, anchor="lm")
    for title, frame in panels:
        left, _, right, _ = frame.box
        draw.text(((left + right) / 2, margin + title_h / 2), title, fill=(34, 34, 34), font=title_font, anchor="mm")
    out = io.BytesIO()
    img.resize((w, h), Image.LANCZOS).save(out, format="PNG")
    return out.getvalue()
