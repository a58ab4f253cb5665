"""The inventory loader: a small valid inventory loads into DB columns; each kind of bad input names its cell."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from core.base.errors import InputError
from core.ingest.inventory_load import load_inventory
from core.ingest.inventory_schema import (
    FILES,
    FUNDING,
    OUTCOME_MEASURES,
    PERIODS,
    PROGRAMS,
    Field,
    FileSpec,
    bounds_text,
)

ROOT = Path(__file__).resolve().parent.parent
CHICAGO77 = ROOT / ".venv/lib/python3.11/site-packages/libpysal/examples/chicago/Chicago77.shp"


@pytest.fixture(scope="module")
def areas_local() -> gpd.GeoDataFrame:
    """The 77 community areas in Illinois State Plane East feet: the shapefile has no .prj, so the CRS is set."""
    raw = gpd.read_file(CHICAGO77).set_crs(3435, allow_override=True)
    return gpd.GeoDataFrame({"area_id": raw["AREA_NUMBE"].astype(int)}, geometry=raw.geometry.make_valid(),
                            crs=3435)


@pytest.fixture(scope="module")
def areas(areas_local) -> gpd.GeoDataFrame:
    return areas_local.to_crs(4326)


@pytest.fixture(scope="module")
def spots(areas_local, areas) -> dict[int, dict[str, float]]:
    """An interior point of three known areas (1 Rogers Park, 32 Loop, 43 South Shore), in degrees and in feet."""
    out = {}
    for area_id in (1, 32, 43):
        local = areas_local.loc[areas_local["area_id"] == area_id].geometry.iloc[0].representative_point()
        deg = gpd.GeoSeries([local], crs=3435).to_crs(4326).iloc[0]
        out[area_id] = {"lat": round(deg.y, 6), "lon": round(deg.x, 6), "x": local.x, "y": local.y}
    return out


def _program(pid: str, spot: dict, **changes) -> dict[str, str]:
    row = {
        "program_id": pid, "name": f"Peer circle {pid}", "organization_name": "Test Org",
        "service_type": "peer_support", "venue_id": "v1", "location_name": "Hall",
        "latitude": str(spot["lat"]), "longitude": str(spot["lon"]), "weekly_capacity": "20",
        "languages": "english;spanish", "step_free": "true", "evening": "false", "weekend": "no", "free": "1",
        "childcare": "FALSE", "populations_served": "general", "schedule_description": "Tuesdays 18:00–19:30",
        "volunteer_count": "4", "coordinator_count": "1", "volunteer_hours_year": "200",
        "professional_partner": "", "declared_budget": "", "start_date": "2020-01-01", "end_date": "",
    }
    row.update(changes)
    return row


@pytest.fixture
def base(spots) -> dict[str, list[dict[str, str]]]:
    """A valid inventory: 3 programmes, 3 grants, 4 programme-quarters. Each case edits one cell of it."""
    programs = [_program("P1", spots[1]), _program("P2", spots[32], venue_id="v2"),
                _program("P3", spots[43], venue_id="")]
    grant = {"funder": "Fund A", "source_type": "foundation", "amount": "10000", "start_date": "2025-01-01",
             "end_date": "2025-12-31", "recurring": "false", "status": "committed"}
    funding = [{"funding_id": "G1", "program_id": "P1", **grant}, {"funding_id": "G2", "program_id": "P2", **grant},
               {"funding_id": "G3", "program_id": "P3", **grant}]
    period = {"sessions": "12", "participants": "9", "participants_65plus": "3",
              "participants_limited_english": "1", "volunteer_hours": "50", "volunteers_active": "4",
              "outcome_measure": "SWEMWBS", "n_pre_post": "5", "mean_change": "1.5", "sd_change": "2.5",
              "cost": "900"}
    periods = [{"program_id": "P1", "period": "2025Q1", **period}, {"program_id": "P1", "period": "2025Q2", **period},
               {"program_id": "P2", "period": "2025Q1", **period}, {"program_id": "P3", "period": "2025Q1", **period}]
    return {"programs.csv": programs, "funding.csv": funding, "program_periods.csv": periods}


def write(directory: Path, tables: dict[str, list[dict[str, str]]], encoding: str = "utf-8") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        columns = list(rows[0]) if rows else next(s.columns for s in FILES if s.name == name)
        with open(directory / name, "w", newline="", encoding=encoding) as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return directory


def _schema_sql_columns(table: str) -> list[str]:
    sql = (ROOT / "core" / "store" / "schema.sql").read_text()
    body = re.search(rf"CREATE TABLE {table} \((.*?)\n\);", sql, re.DOTALL).group(1)
    names = [line.split()[0] for line in body.splitlines() if line.strip() and not line.strip().startswith(
        ("PRIMARY", "--"))]
    return names


# Valid input


def test_valid_inventory_loads_into_db_columns_and_places_points(tmp_path, base, areas):
    base["programs.csv"][1].update(service_type="Peer Support", languages="English; Polish,english",
                                   populations_served="Older Adults;LGBTQ+", declared_budget="$12,500",
                                   start_date="2019/09/01", end_date="2027-06-30T00:00:00Z", weekend="Yes")
    out = load_inventory(write(tmp_path, base), areas, venue_ids={"v1", "v2"})

    for table in ("program", "funding", "program_period"):
        assert list(out[table].columns) == _schema_sql_columns(table)
    prog = out["program"].set_index("program_id")
    assert prog["area_id"].to_dict() == {"P1": "1", "P2": "32", "P3": "43"}  # area ids are text
    assert prog.loc["P2", "type"] == "peer_support"
    assert prog.loc["P2", "languages"] == "english;polish"
    assert prog.loc["P2", "populations_served"] == "older_adults;lgbtq"
    assert prog.loc["P2", "declared_budget"] == 12500.0
    assert prog.loc["P2", "start_date"] == pd.Timestamp("2019-09-01")
    assert prog.loc["P2", "end_date"] == pd.Timestamp("2027-06-30")
    assert pd.isna(prog.loc["P1", "end_date"]) and pd.isna(prog.loc["P3", "venue_id"])
    assert prog[["step_free", "evening", "weekend", "free", "childcare"]].loc["P2"].tolist() == [
        True, False, True, True, False]
    assert prog["lat"].loc["P1"] == float(base["programs.csv"][0]["latitude"])
    assert prog["volunteer_count"].dtype == "int64" and prog["start_date"].dtype == "datetime64[ns]"
    per = out["program_period"]
    assert per["participants_65plus"].dtype == "Int64" and per["participants"].tolist() == [9, 9, 9, 9]
    assert out["funding"]["recurring"].tolist() == [False, False, False]


def test_funding_and_periods_may_be_header_only(tmp_path, base, areas):
    base["funding.csv"] = []
    base["program_periods.csv"] = []
    out = load_inventory(write(tmp_path, base), areas)
    assert len(out["program"]) == 3 and out["funding"].empty and out["program_period"].empty
    assert list(out["funding"].columns) == _schema_sql_columns("funding")


@pytest.mark.parametrize(("encoding", "name"), [("latin-1", "Café Niño Circle"),
                                              ("cp1252", "Café “Listen” Circle — Niño"),
                                              ("utf-8-sig", "Café Circle — 日本語")])
def test_other_encodings_are_read(tmp_path, base, areas, encoding, name):
    for row in base["programs.csv"]:
        row["schedule_description"] = "Tuesdays 18:00-19:30"
    base["programs.csv"][0]["name"] = name
    out = load_inventory(write(tmp_path, base, encoding=encoding), areas)
    assert out["program"]["name"].iloc[0] == name
    # With a byte-order mark, the first header must still read as program_id.
    assert out["program"]["program_id"].tolist() == ["P1", "P2", "P3"]


def test_text_is_kept_except_control_characters(tmp_path, base, areas):
    base["programs.csv"][0]["name"] = "Circle\x07 <b>bold</b>\tand\nmore"
    base["programs.csv"][1]["name"] = "=HYPERLINK(\"http://x\")"
    out = load_inventory(write(tmp_path, base), areas)
    assert out["program"]["name"].tolist()[:2] == ["Circle <b>bold</b> and more", "=HYPERLINK(\"http://x\")"]


def test_headers_are_matched_loosely_and_note_columns_dropped(tmp_path, base, areas):
    for row in base["programs.csv"]:
        row["Program ID"] = row.pop("program_id")
        row["x_contact"] = "ask Sam"
        del row["declared_budget"]  # optional column left out altogether
    out = load_inventory(write(tmp_path, base), areas)
    assert out["program"]["program_id"].tolist() == ["P1", "P2", "P3"]
    assert out["program"]["declared_budget"].isna().all()


def test_unambiguous_date_formats_are_read(tmp_path, base, areas):
    formats = ["2025-03-04", "2025/3/4", "2025-03-04T09:30:00+01:00", "2025-03-04 00:00:00", "4 March 2025",
               "Mar 4, 2025", "04-Mar-2025"]
    grant = base["funding.csv"][0]
    base["funding.csv"] = [dict(grant, funding_id=f"G{i}", start_date=text) for i, text in enumerate(formats)]
    out = load_inventory(write(tmp_path, base), areas)
    assert out["funding"]["start_date"].tolist() == [pd.Timestamp("2025-03-04")] * len(formats)


def test_period_spellings_are_normalised(tmp_path, base, areas):
    base["program_periods.csv"][0]["period"] = "2025-q1"
    base["program_periods.csv"][1]["period"] = "Q2 2025"
    out = load_inventory(write(tmp_path, base), areas)
    assert out["program_period"]["period"].tolist()[:2] == ["2025Q1", "2025Q2"]


# Bad input: (file, row, column) and a fragment of the message, for one edit of the valid inventory.


def _set(file: str, index: int, **cells):
    def edit(tables, spots):
        tables[file][index].update(cells)
    return edit


def _rename(file: str, old: str, new: str):
    def edit(tables, spots):
        tables[file] = [{(new if k == old else k): v for k, v in row.items()} for row in tables[file]]
    return edit


def _drop(file: str, column: str):
    def edit(tables, spots):
        for row in tables[file]:
            del row[column]
    return edit


def _swap(tables, spots):
    row = tables["programs.csv"][2]
    row["latitude"], row["longitude"] = row["longitude"], row["latitude"]


def _projected(tables, spots):
    tables["programs.csv"][1].update(latitude=f"{spots[32]['y']:.0f}", longitude=f"{spots[32]['x']:.0f}")


def _funder_types(*types):
    """Give the three grants (all from Fund A) these funder types, in order."""
    def edit(tables, spots):
        for row, kind in zip(tables["funding.csv"], types):
            row["funder_type"] = kind
    return edit


def _duplicate_program(tables, spots):
    tables["programs.csv"].append(dict(tables["programs.csv"][0]))


def _duplicate_period(tables, spots):
    tables["program_periods.csv"].append(dict(tables["program_periods.csv"][1], period="2025-Q2"))


BAD = {
    "wrong type": (_set("programs.csv", 1, weekly_capacity="ten"), "programs.csv", 3, "weekly_capacity",
                   "must be a number"),
    "not whole": (_set("programs.csv", 0, volunteer_count="2.5"), "programs.csv", 2, "volunteer_count",
                  "whole number"),
    "empty required": (_set("programs.csv", 2, name=""), "programs.csv", 4, "name", "required"),
    "missing column": (_drop("programs.csv", "weekly_capacity"), "programs.csv", 1, "weekly_capacity",
                       "required column is missing"),
    "renamed column": (_rename("funding.csv", "amount", "amount_usd"), "funding.csv", 1, "amount",
                       "the file has 'amount_usd'"),
    "unknown column": (_rename("programs.csv", "venue_id", "venue"), "programs.csv", 1, "venue",
                       "did you mean 'venue_id'"),
    "duplicate id": (_duplicate_program, "programs.csv", 5, "program_id", "already used on row 2"),
    "duplicate quarter": (_duplicate_period, "program_periods.csv", 6, "period", "(row 3)"),
    "grant for unknown programme": (_set("funding.csv", 1, program_id="P9"), "funding.csv", 3, "program_id",
                                    "no programme"),
    "period for unknown programme": (_set("program_periods.csv", 0, program_id="P9"), "program_periods.csv", 2,
                                     "program_id", "no programme"),
    "unknown venue": (_set("programs.csv", 1, venue_id="v7"), "programs.csv", 3, "venue_id", "not a venue"),
    "negative amount": (_set("funding.csv", 0, amount="-500"), "funding.csv", 2, "amount", "must be > 0"),
    "absurd amount": (_set("funding.csv", 2, amount="$50,000,000"), "funding.csv", 4, "amount", "≤ 10,000,000"),
    "absurd capacity": (_set("programs.csv", 0, weekly_capacity="20000"), "programs.csv", 2, "weekly_capacity",
                        "≤ 2,000"),
    "zero capacity": (_set("programs.csv", 1, weekly_capacity="0"), "programs.csv", 3, "weekly_capacity", "> 0"),
    "grant ends before start": (_set("funding.csv", 1, end_date="2024-12-31"), "funding.csv", 3, "end_date",
                                "before start_date 2025-01-01"),
    "programme ends before start": (_set("programs.csv", 2, end_date="2019-12-31"), "programs.csv", 4,
                                    "end_date", "before start_date"),
    "ambiguous date": (_set("funding.csv", 0, start_date="03/04/2025"), "funding.csv", 2, "start_date",
                       "ambiguous: it could be 3 April (day first) or 4 March (month first)"),
    "day-first date": (_set("programs.csv", 0, start_date="13/04/2020"), "programs.csv", 2, "start_date",
                       "YYYY-MM-DD"),
    "impossible date": (_set("funding.csv", 2, end_date="2025-02-30"), "funding.csv", 4, "end_date",
                        "not a real calendar date"),
    "swapped coordinates": (_swap, "programs.csv", 4, "latitude", "look swapped"),
    "projected coordinates": (_projected, "programs.csv", 3, "latitude",
                              "looks projected, expected WGS84 degrees"),
    "outside the city": (_set("programs.csv", 0, latitude="39.80", longitude="-89.65"), "programs.csv", 2,
                         "latitude", "outside the city"),
    "unknown funder type": (_funder_types("family foundation", "bank", "family foundation"), "funding.csv", 3,
                            "funder_type", "unknown value"),
    "unknown service type": (_set("programs.csv", 1, service_type="therapy"), "programs.csv", 3, "service_type",
                             "unknown value"),
    "unknown status": (_set("funding.csv", 0, status="comitted"), "funding.csv", 2, "status",
                       "did you mean 'committed'"),
    "unknown population": (_set("programs.csv", 2, populations_served="general;teens"), "programs.csv", 4,
                           "populations_served", "unknown item 'teens'"),
    "language code": (_set("programs.csv", 0, languages="english;es"), "programs.csv", 2, "languages",
                      "'spanish'"),
    "bad boolean": (_set("funding.csv", 1, recurring="maybe"), "funding.csv", 3, "recurring", "true or false"),
    "bad quarter": (_set("program_periods.csv", 3, period="2025Q5"), "program_periods.csv", 5, "period",
                    "YYYYQn"),
    "sub-count too big": (_set("program_periods.csv", 2, participants_65plus="12"), "program_periods.csv", 4,
                          "participants_65plus", "more than participants (9)"),
    "n_pre_post too big": (_set("program_periods.csv", 1, n_pre_post="10"), "program_periods.csv", 3,
                           "n_pre_post", "more than participants"),
    "change beyond scale": (_set("program_periods.csv", 0, outcome_measure="ucla3", mean_change="-7"),
                            "program_periods.csv", 2, "mean_change", "UCLA-3"),
    "unknown measure": (_set("program_periods.csv", 1, outcome_measure="HAPPY-5"), "program_periods.csv", 3,
                        "outcome_measure", "unknown value"),
    "change without measure": (_set("program_periods.csv", 3, outcome_measure=""), "program_periods.csv", 5,
                               "n_pre_post", "outcome_measure is empty"),
    "negative count": (_set("program_periods.csv", 2, sessions="-1"), "program_periods.csv", 4, "sessions",
                       "≥ 0"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_names_file_row_and_column(tmp_path, base, spots, areas, case):
    edit, file, row, column, fragment = BAD[case]
    edit(base, spots)
    with pytest.raises(InputError) as info:
        load_inventory(write(tmp_path, base), areas, venue_ids={"v1", "v2"})
    err = info.value
    assert (err.file, err.row, err.column) == (file, row, column), str(err)
    assert str(err).startswith(f"{file}: row {row}, column {column!r}: ")
    assert fragment in err.message, err.message


def test_the_first_offending_row_is_reported_whatever_the_column_order(tmp_path, base, areas):
    # Row 4 fails a parse check in an early column, row 3 a cross-column rule in the last column.
    base["programs.csv"][2]["weekly_capacity"] = "lots"
    base["programs.csv"][1]["end_date"] = "2000-01-01"
    with pytest.raises(InputError) as info:
        load_inventory(write(tmp_path, base), areas)
    assert (info.value.row, info.value.column) == (3, "end_date")


def test_within_a_row_the_leftmost_column_is_reported(tmp_path, base, areas):
    base["programs.csv"][1].update(coordinator_count="-1", name="", end_date="1999-01-01")
    with pytest.raises(InputError) as info:
        load_inventory(write(tmp_path, base), areas)
    assert (info.value.row, info.value.column) == (3, "name")


def test_programs_are_checked_before_funding(tmp_path, base, areas):
    base["funding.csv"][0]["amount"] = "-1"
    base["programs.csv"][2]["free"] = "perhaps"
    with pytest.raises(InputError) as info:
        load_inventory(write(tmp_path, base), areas)
    assert (info.value.file, info.value.row, info.value.column) == ("programs.csv", 4, "free")


def _whole_file_error(tmp_path, base, areas, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        load_inventory(tmp_path, areas, **kwargs)
    return info.value


def test_missing_file(tmp_path, base, areas):
    write(tmp_path, base)
    (tmp_path / "funding.csv").unlink()
    err = _whole_file_error(tmp_path, base, areas)
    assert (err.file, err.row, err.column) == ("funding.csv", None, None) and "not found" in err.message


def test_wrongly_cased_file_name_is_pointed_out(tmp_path, base, areas):
    write(tmp_path, base)
    (tmp_path / "program_periods.csv").rename(tmp_path / "Program_Periods.csv")
    err = _whole_file_error(tmp_path, base, areas)
    assert err.file == "program_periods.csv" and "'Program_Periods.csv'" in err.message


def test_empty_file(tmp_path, base, areas):
    write(tmp_path, base)
    (tmp_path / "programs.csv").write_text("\n  \n")
    err = _whole_file_error(tmp_path, base, areas)
    assert (err.file, err.row, err.column) == ("programs.csv", None, None) and "empty" in err.message


def test_programs_header_only_is_refused(tmp_path, base, areas):
    base["programs.csv"] = []
    write(tmp_path, base)
    err = _whole_file_error(tmp_path, base, areas)
    assert (err.file, err.row, err.column) == ("programs.csv", None, None) and "no data rows" in err.message


def test_file_over_the_size_limit(tmp_path, base, areas):
    write(tmp_path, base)
    size = (tmp_path / "programs.csv").stat().st_size
    err = _whole_file_error(tmp_path, base, areas, max_bytes=size - 1)
    assert (err.file, err.row, err.column) == ("programs.csv", None, None) and "over the limit" in err.message
    assert load_inventory(tmp_path, areas, max_bytes=size)["program"].shape[0] == 3


def test_row_with_too_many_cells(tmp_path, base, areas):
    write(tmp_path, base)
    path = tmp_path / "funding.csv"
    lines = path.read_text().splitlines()
    lines[2] += ",surprise"
    path.write_text("\n".join(lines) + "\n")
    err = _whole_file_error(tmp_path, base, areas)
    assert (err.file, err.row) == ("funding.csv", 3) and "unquoted comma" in err.message


def test_semicolon_separated_file(tmp_path, base, areas):
    write(tmp_path, base)
    path = tmp_path / "funding.csv"
    path.write_text(path.read_text().replace(",", ";"))
    err = _whole_file_error(tmp_path, base, areas)
    assert (err.file, err.row) == ("funding.csv", 1) and "comma-separated" in err.message


def test_blank_rows_keep_spreadsheet_numbering(tmp_path, base, areas):
    write(tmp_path, base)
    path = tmp_path / "funding.csv"
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace("10000", "-3")
    path.write_text("\n".join(lines[:2] + ["", ",,,,,,,,"] + lines[2:]) + "\n")
    err = _whole_file_error(tmp_path, base, areas)
    assert (err.file, err.row, err.column) == ("funding.csv", 6, "amount")


# The documentation and the templates stay in step with the schema.


# The README's column tables, written from the schema: the README must hold each one verbatim.

_TYPE_WORDS = {
    "id": "text (identifier)", "text": "text", "enum": "text, one of a list", "enum_list": "list, ';'-separated",
    "languages": "list, ';'-separated", "number": "number", "integer": "whole number", "boolean": "true/false",
    "date": "date, YYYY-MM-DD", "period": "quarter, YYYYQn", "latitude": "number, degrees",
    "longitude": "number, degrees", "measure": "text, one of a list",
}


def _allowed_text(field: Field) -> str:
    parts = []
    if field.allowed:
        parts.append(", ".join(f"`{a}`" for a in field.allowed))
    if field.kind == "boolean":
        parts.append("`true`/`false` (also yes/no, 1/0, any case)")
    if field.kind == "languages":
        parts.append("lower-case English language names, e.g. `english`, `spanish`, `polish`")
    if field.kind in ("number", "integer") and bounds_text(field):
        parts.append(bounds_text(field))
    if field.money:
        parts.append("a leading `$` and thousands commas are read")
    if field.kind == "latitude":
        parts.append("−90 to 90")
    if field.kind == "longitude":
        parts.append("−180 to 180")
    if field.kind in ("id", "text"):
        parts.append(f"up to {field.max_length} characters")
    if field.kind == "date":
        parts.append("also YYYY/MM/DD and ISO date-times; not 03/04/2025")
    if field.rule:
        parts.append(field.rule)
    return "; ".join(parts)


def markdown_table(spec: FileSpec) -> str:
    """The README table that documents every column of one file; the README embeds it verbatim.

    Examples
    --------
    >>> markdown_table(FUNDING).splitlines()[0]
    '| column | type | required | allowed values | example | HSDS field | meaning |'
    """
    lines = ["| column | type | required | allowed values | example | HSDS field | meaning |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for f in spec.fields:
        db = f" (DB: `{f.db}`)" if f.db else ""
        lines.append(f"| `{f.name}`{db} | {_TYPE_WORDS[f.kind]} | {'required' if f.required else 'optional'} | "
                     f"{_allowed_text(f)} | `{f.example}` | {f.hsds} | {f.description} |")
    return "\n".join(lines)


def outcome_measures_table() -> str:
    """The README table of the outcome scales the loader accepts, with their direction and range."""
    lines = ["| outcome_measure | measures | a rise is | score range |", "| --- | --- | --- | --- |"]
    for m in OUTCOME_MEASURES.values():
        good = "good" if m.higher_is == "better" else "bad"
        lines.append(f"| `{m.name}` | {m.construct} | {good} | {m.min_score:g}–{m.max_score:g} |")
    return "\n".join(lines)


def test_readme_documents_every_column():
    readme = (ROOT / "data" / "inventory" / "README.md").read_text()
    for spec in FILES:
        assert markdown_table(spec) in readme, f"README table for {spec.name} is out of date"
        for column in spec.columns:
            assert f"| `{column}`" in readme
    assert outcome_measures_table() in readme


def test_templates_are_header_only_in_documented_order():
    for spec in (PROGRAMS, FUNDING, PERIODS):
        text = (ROOT / "data" / "inventory" / "template" / spec.name).read_text()
        assert text == ",".join(spec.columns) + "\n"


def test_required_columns_match_not_null_in_schema_sql():
    sql = (ROOT / "core" / "store" / "schema.sql").read_text()
    for spec in FILES:
        body = re.search(rf"CREATE TABLE {spec.table} \((.*?)\n\);", sql, re.DOTALL).group(1)
        lines = [line.split() for line in body.splitlines() if line.strip()]
        not_null = {words[0] for words in lines if words[0] != "PRIMARY" and (
            "NOT NULL" in " ".join(words) or "PRIMARY KEY" in " ".join(words))}
        required = {f.db_name for f in spec.fields if f.required}
        assert required == not_null - {"area_id"}, spec.name


def test_areas_in_another_crs_are_reprojected(tmp_path, base, areas_local):
    out = load_inventory(write(tmp_path, base), areas_local)
    assert out["program"]["area_id"].tolist() == ["1", "32", "43"]
    assert np.isfinite(out["program"]["lon"]).all()


def test_funder_type_is_optional_and_loaded_where_given(tmp_path, base, areas):
    without = load_inventory(write(tmp_path / "a", base), areas)
    assert without["funding"]["funder_type"].isna().all()
    _funder_types("family foundation", "", "family foundation")(base, None)
    given = load_inventory(write(tmp_path / "b", base), areas)
    assert given["funding"]["funder_type"].tolist()[0] == "family foundation"
    assert pd.isna(given["funding"]["funder_type"].tolist()[1])


# Issue 12: the optional inclusion, volunteer, partnership and sustainability fields.


def test_inventory_without_the_reach_fields_loads_them_as_missing(tmp_path, base, areas):
    # `base` has none of the new columns: the inventory still loads, and the database columns are empty.
    out = load_inventory(write(tmp_path, base), areas)
    assert out["program"][["partner_role", "psat_funding_stability", "psat_assessed"]].isna().all().all()
    assert out["program_period"][["participants_poc", "volunteers_left", "referrals_to_professional"]].isna().all().all()


def test_reach_fields_load_when_given(tmp_path, base, areas):
    base["programs.csv"][0].update(professional_partner="mhc:62", partner_role="Referral; co-delivery",
                                   psat_funding_stability="3.5", psat_partnerships="6",
                                   psat_assessed="2025-10-01")
    base["program_periods.csv"][0].update(participants_poc="7", participants_disability="0", volunteers_joined="2",
                                          volunteers_left="1", referrals_to_professional="3",
                                          outcome_measure="brs", mean_change="0.4", sd_change="0.6")
    out = load_inventory(write(tmp_path, base), areas)
    p = out["program"].set_index("program_id")
    assert p.loc["P1", "partner_role"] == "referral;co_delivery"
    assert p.loc["P1", "psat_funding_stability"] == 3.5 and pd.isna(p.loc["P2", "psat_partnerships"])
    assert p.loc["P1", "psat_assessed"] == pd.Timestamp("2025-10-01")
    q = out["program_period"].iloc[0]
    assert (q["participants_poc"], q["volunteers_left"], q["outcome_measure"]) == (7, 1, "BRS")


@pytest.mark.parametrize("file, row_i, changes, column, words", [
    ("programs.csv", 1, {"partner_role": "training"}, "partner_role", "professional_partner is empty"),
    ("programs.csv", 0, {"professional_partner": "x", "partner_role": "therapy"}, "partner_role", "unknown item"),
    ("programs.csv", 2, {"psat_communications": "8"}, "psat_communications", "≤ 7"),
    ("programs.csv", 2, {"psat_communications": "4"}, "psat_assessed", "needed when a PSAT score"),
    ("programs.csv", 0, {"psat_assessed": "2025-10-01"}, "psat_assessed", "no psat_ domain score"),
    ("program_periods.csv", 3, {"participants_poc": "10"}, "participants_poc", "more than participants (9)"),
    ("program_periods.csv", 1, {"volunteers_left": "-1"}, "volunteers_left", "≥ 0"),
    ("program_periods.csv", 0, {"outcome_measure": "BRS", "mean_change": "4.5"}, "mean_change", "outside ± 4"),
])
def test_reach_field_errors_name_file_row_and_column(tmp_path, base, areas, file, row_i, changes, column, words):
    for row in base[file]:  # every row gets the new columns (blank), as a spreadsheet would have them
        row.update({c: row.get(c, "") for c in changes})
    base[file][row_i].update(changes)
    with pytest.raises(InputError) as info:
        load_inventory(write(tmp_path, base), areas)
    err = info.value
    # Spreadsheet rows: the header is row 1, so the list's first row is row 2.
    assert (err.file, err.row, err.column) == (file, row_i + 2, column), str(err)
    assert words in str(err)
