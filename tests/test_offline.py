"""Nothing a visitor's browser loads comes from another host: maps carry no basemap, the icon is not fetched.

The browser test (tests/test_browser_serve.py) proves it on every page; these hold the two causes it found."""

from __future__ import annotations

import json
import re

import pandas as pd

from core.views import maps
from tests.conftest import REPO


def test_maps_ask_streamlit_for_no_basemap():
    """Streamlit fills in CARTO's style (fetched from basemaps.cartocdn.com) unless pydeck sends its placeholder."""
    square = '{"type":"Polygon","coordinates":[[[-87.7,41.8],[-87.6,41.8],[-87.6,41.9],[-87.7,41.8]]]}'
    areas = pd.DataFrame({"geometry_simplified": [square]})
    spec = json.loads(maps.deck([], areas, "{name}").to_json())
    assert spec.get("mapStyle") == "__MAP_STYLE__"
    assert not spec.get("mapProvider")


def test_page_icon_is_not_a_material_icon():
    """Streamlit fetches a :material/…: favicon from fonts.gstatic.com; an emoji becomes a data: URL."""
    config = re.search(r"st\.set_page_config\((.*?)\)\n", (REPO / "app.py").read_text(), re.S).group(1)
    assert "page_icon" in config and ":material/" not in config
