"""The public reference data of a city, in canonical frames: from the real raw files, or the synthetic demo."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

import pandas as pd
import pandera.pandas as pa

from core.base.errors import InputError
from core.ingest.pack_chicago import make_chicago_pack
from core.ingest.pack_demo import make_demo_pack
from core.ingest.pack_nyc import make_nyc_pack
from core.ingest.pack_read import read_pack
from core.ingest.reference_data import Reference
from core.ingest.validation import validate

Progress = Callable[[str], None]

# The readers that turn a city's raw public files into a pack (`atlas pack CITY`).
READERS = {"chicago": make_chicago_pack, "nyc": make_nyc_pack}


def _quiet(_: str) -> None:
    return None


def default_raw_dir() -> Path:
    """`../shared/data/raw/chicago` beside the repo, where this workspace keeps the real Chicago files.

    ``ATLAS_RAW_DIR`` overrides it; tests point it at a missing folder to exercise the demo path.
    """
    env = os.environ.get("ATLAS_RAW_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "raw" / "chicago"


def default_raw_dirs() -> dict[str, Path]:
    """The real raw folders beside the clone, by reader: Chicago, and New York when its folder is there."""
    chicago = default_raw_dir()
    found = {"chicago": chicago, "nyc": chicago.parent / "nyc"}
    return {k: p for k, p in found.items() if p.is_dir()}


def load_reference(raw_dir: Path | None = None, progress: Progress = _quiet, *, seed: int = 20260101,
                   demo: bool = False, pack_dir: Path | None = None, reader: str = "chicago") -> Reference:
    """The city's Reference, always read through a city pack (DESIGN §2b).

    With ``pack_dir``, that pack. Otherwise the real raw files, read by ``reader`` (chicago or nyc), when
    ``raw_dir`` (or the default Chicago folder) exists,
    else the synthetic demo: either is first written as a pack into a temporary folder, then read back by the
    same reader as any other pack, so nothing after the pack depends on where it came from.
    """
    if pack_dir is not None:
        return check_reference(read_pack(pack_dir, progress))
    tmp = Path(tempfile.mkdtemp(prefix="atlas-pack-"))
    try:
        if raw_dir is None and (demo or not default_raw_dir().exists()):
            progress("No raw data folder found: building the SYNTHETIC demo pack on libpysal's boundaries")
            made = make_demo_pack(tmp, seed=seed, progress=progress)
        else:
            raw_dir = Path(raw_dir) if raw_dir is not None else default_raw_dir()
            if not raw_dir.is_dir():
                raise InputError(str(raw_dir), None, None, "raw data folder not found")
            if reader not in READERS:
                raise InputError("--reader", None, None, f"unknown reader {reader!r}; expected one of {list(READERS)}")
            made = READERS[reader](raw_dir, tmp, progress)
        ref = read_pack(tmp, progress)
        # The build's inputs are the files the reader read, not the temporary pack made from them.
        ref.inputs = made.inputs
        return check_reference(ref)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _col(dtype, *checks, nullable=False, unique=False):
    return pa.Column(dtype, list(checks), nullable=nullable, unique=unique, coerce=True)


_TEXT_ID = pa.Check.str_length(min_value=1)


REFERENCE_SCHEMAS = {
    "areas": pa.DataFrameSchema({"area_id": _col(str, _TEXT_ID, unique=True), "name": _col(str),
                                 "population": _col(float, pa.Check.ge(0)),
                                 "lon": _col(float, pa.Check.in_range(-180, 180)),
                                 "lat": _col(float, pa.Check.in_range(-90, 90))}),
    "tracts": pa.DataFrameSchema({"tract_id": _col(str, unique=True), "area_id": _col(str, _TEXT_ID),
                                  "population": _col(float, pa.Check.ge(0)),
                                  "lon": _col(float, pa.Check.in_range(-180, 180)),
                                  "lat": _col(float, pa.Check.in_range(-90, 90))}),
    "indicators": pa.DataFrameSchema({"area_id": _col(str, _TEXT_ID), "indicator_id": _col(str), "period": _col(str),
                                      "value": _col(float, nullable=True)}),
    "venues": pa.DataFrameSchema({"venue_id": _col(str, unique=True), "name": _col(str), "kind": _col(str),
                                  "area_id": _col(str, _TEXT_ID)}),
    "service_sites": pa.DataFrameSchema({"site_id": _col(str, unique=True), "name": _col(str), "kind": _col(str),
                                         "area_id": _col(str, _TEXT_ID)}),
}


def check_reference(ref: Reference) -> Reference:
    """Validate the canonical frames, whichever path made them (real files or demo)."""
    for name, schema in REFERENCE_SCHEMAS.items():
        frame = getattr(ref, name)
        frame = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
        frame["_row"] = range(2, len(frame) + 2)
        validate(frame, schema, f"<{name}>")
    unknown = set(ref.tracts["area_id"]) - set(ref.areas["area_id"])
    if unknown:
        raise InputError("<tracts>", None, "area_id", f"tracts refer to unknown areas {sorted(unknown)[:5]}")
    return ref
