"""A bad raw file stops the build with a file/row/column message and leaves the published database untouched."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from core.base.errors import InputError
from core.ingest.build import build

CHA_AREAS = "Chicago Health Atlas Data Download - Community areas.csv"
CMAP = "ReferenceCCAProfiles20162020.csv"
LIBRARIES = "Libraries_-_Locations__Hours_and_Contact_Information.csv"
SUICIDE = "Chicago_Health_Suicide_Mortality_Rate.csv"
TRACTS = "Boundaries - Census Tracts - 2010.geojson"
AREAS = "Boundaries - Community Areas (current).geojson"
PB = "pb_programs.json"


@pytest.fixture(scope="module")
def published(tmp_path_factory, atlas_db) -> Path:
    """A published database that each bad build must leave byte-for-byte as it was."""
    out = tmp_path_factory.mktemp("published") / "atlas.duckdb"
    shutil.copy(atlas_db, out)
    return out


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _raw_copy(raw_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "raw"
    out.mkdir()
    for f in raw_dir.iterdir():
        (out / f.name).symlink_to(f)
    return out


def _replace_text(raw: Path, name: str, edit) -> None:
    src = (raw / name).resolve()
    text = src.read_text(encoding="utf-8")
    (raw / name).unlink()
    (raw / name).write_text(edit(text), encoding="utf-8")


def _edit_csv_cell(text: str, line_no: int, column: str, value: str) -> str:
    """Set one cell on a 1-based physical line (the files edited here have no quoted newlines)."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    j = rows[0].index(column)
    rows[line_no - 1][j] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _bowtie(text: str) -> str:
    doc = json.loads(text)
    doc["features"][4]["geometry"] = {"type": "Polygon", "coordinates": [[
        [-87.70, 41.80], [-87.60, 41.90], [-87.60, 41.80], [-87.70, 41.90], [-87.70, 41.80]]]}
    return json.dumps(doc)


def _drop_column(text: str, column: str) -> str:
    lines = text.splitlines()
    lines[0] = lines[0].replace(column, column + "_RENAMED", 1)
    return "\n".join(lines) + "\n"


CASES = [
    # (file, edit, row, column, words in the message)
    (CHA_AREAS, lambda t: _edit_csv_cell(t, 8, "HCSUMHAP_2021-2022", "ten"), 8, "HCSUMHAP_2021-2022", "expected a number"),
    (CHA_AREAS, lambda t: _edit_csv_cell(t, 12, "POV_2018-2022", "140"), 12, "POV_2018-2022", "cannot exceed 100"),
    (CMAP, lambda t: _drop_column(t, "TOT_POP"), 1, "TOT_POP", "required column is missing"),
    (CMAP, lambda t: _edit_csv_cell(t, 5, "A65_74", "-3"), 5, "A65_74", "greater_than_or_equal_to"),
    (LIBRARIES, lambda t: t.splitlines()[0] + "\n", None, None, "no data rows"),
    (LIBRARIES, lambda t: "", None, None, "is empty"),
    (LIBRARIES, lambda t: _edit_csv_cell(t, 4, "LOCATION", "somewhere"), 4, "LOCATION", "(latitude, longitude)"),
    (SUICIDE, lambda t: _edit_csv_cell(t, 5, "GEOID", "1"), 5, "GEOID", "appears twice"),
    (SUICIDE, lambda t: _edit_csv_cell(t, 6, "GEOID", "99"), 6, "GEOID", "unknown community-area number"),
    (TRACTS, _bowtie, 5, "geometry", "invalid polygon"),
    (AREAS, lambda t: t[: len(t) // 2], None, None, "not valid JSON"),
    (PB, lambda t: "{}", None, None, "JSON array"),
]


@pytest.mark.parametrize("name, edit, row, column, words", CASES, ids=[f"{c[0][:20]}-{c[4][:18]}" for c in CASES])
def test_bad_raw_file_is_refused_and_published_db_unchanged(raw_dir, tmp_path, published, name, edit, row, column,
                                                            words):
    raw = _raw_copy(raw_dir, tmp_path)
    _replace_text(raw, name, edit)
    before = _digest(published)
    with pytest.raises(InputError) as info:
        build(published, raw, None)
    err = info.value
    assert err.file == name
    assert err.row == row
    assert err.column == column
    assert words in str(err)
    assert _digest(published) == before
    assert not list(published.parent.glob(".atlas-build-*")), "temporary build file left behind"
