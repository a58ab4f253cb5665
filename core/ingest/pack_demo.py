"""The SYNTHETIC demo as a city pack: libpysal's boundaries with seeded, invented indicators, tracts and places."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable

from core.ingest.demo import demo_reference
from core.ingest.pack_write import write_pack
from core.ingest.reference_data import Reference

DEMO_CITY = {
    "name": "Chicago (synthetic demo)",
    "slug": "demo",
    "area_label": "community area",
    "area_label_plural": "community areas",
    "headline_indicator": "unmet_need",
    "synthetic": True,
    "notes": "SYNTHETIC: the 77 community-area boundaries shipped in the libpysal wheel, with seeded, invented "
             "indicators, tracts and places.",
}


def make_demo_pack(out: Path | str, seed: int = 20260101,
                   progress: Callable[[str], None] = lambda _: None) -> Reference:
    """Write the seeded demo city as a pack into ``out``; return the Reference it was made from."""
    ref = demo_reference(seed=seed, progress=progress)
    write_pack(ref, dict(DEMO_CITY, as_of=str(date.today())), out)
    return ref
