"""Colour-blind-safe palettes: sequential for magnitudes, diverging for differences (ColorBrewer)."""

from __future__ import annotations

# ColorBrewer 2.0 (Cynthia Brewer, Penn State), schemes marked colour-blind safe.
SEQUENTIAL = {  # YlGnBu, light = low
    3: ["#edf8b1", "#7fcdbb", "#2c7fb8"],
    4: ["#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"],
    5: ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
    6: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"],
    7: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
}
NEED = {  # YlOrRd, for need (higher = worse)
    3: ["#ffeda0", "#feb24c", "#f03b20"],
    4: ["#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"],
    5: ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"],
    6: ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"],
    7: ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"],
}
DIVERGING = {  # PuOr: orange = loss, purple = gain
    5: ["#e66101", "#fdb863", "#f7f7f7", "#b2abd2", "#5e3c99"],
    7: ["#b35806", "#f1a340", "#fee0b6", "#f7f7f7", "#d8daeb", "#998ec3", "#542788"],
}
NO_DATA = "#d9d9d9"
OUTLINE = [90, 90, 90]
SELECTED = [0, 0, 0]
# Okabe–Ito, for categorical points (services, programme types) and chart series.
CATEGORICAL = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# Professional service sites on every map, by kind.
SITE_COLORS = {"mental-health clinic": CATEGORICAL[5], "community health centre": CATEGORICAL[0],
               "mental-health programme": CATEGORICAL[3], "hospital": CATEGORICAL[1],
               "substance-use treatment": CATEGORICAL[2]}


def hex_to_rgb(color: str, alpha: int = 255) -> list[int]:
    """'#2c7fb8' → [44, 127, 184, 255]."""
    c = color.lstrip("#")
    return [int(c[i:i + 2], 16) for i in (0, 2, 4)] + [alpha]
