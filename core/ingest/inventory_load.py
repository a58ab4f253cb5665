"""Reading and validating the programme & funding inventory: three CSV files in, DB-ready frames or one clear error."""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pandera.pandas as pa

from core.base.errors import InputError
from core.ingest.csv_input import decode_bytes
from core.ingest.inventory_schema import (
    DB_COLUMNS,
    FUNDING,
    LANGUAGE_PATTERN,
    MAX_YEAR,
    MIN_YEAR,
    OUTCOME_MEASURES,
    PARTICIPANT_GROUPS,
    PERIODS,
    PROGRAMS,
    PSAT_DOMAINS,
    SCHEMAS,
    Field,
    FileSpec,
    dtype_of,
)

DEFAULT_MAX_BYTES = 20_000_000
# Rows per inventory file. The largest real inventory we know of is a few thousand programmes with a few years of
# quarters each (tens of thousands of rows); a file beyond this is refused before its cells are checked.
DEFAULT_MAX_ROWS = 200_000
YEAR_MESSAGE = f"the year must be between {MIN_YEAR} and {MAX_YEAR}"
NOTE_PREFIX = "x_"  # columns whose name starts with this are a city's own notes, read past and dropped

# Control characters (C0, DEL, C1) and invisible format characters, which break the matching of ids, are
# removed; line breaks and tabs inside a cell become a space so that words do not run together.
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200b-\u200d\u2060\ufeff]")
_ODD_BREAKS = re.compile(r"[\v\f\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_GROUPED = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
_ISO_DATE = (r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"
             r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?")
_NUMERIC_DATE = r"(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<c>\d{2}|\d{4})"
_NAMED_MONTH_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%d-%b-%Y", "%d-%b-%y", "%d-%B-%Y")
_BOOLEANS = {"true": True, "yes": True, "y": True, "t": True, "1": True,
             "false": False, "no": False, "n": False, "f": False, "0": False}
_LANGUAGE_CODES = {"en": "english", "eng": "english", "es": "spanish", "spa": "spanish", "zh": "chinese",
                   "zho": "chinese", "pl": "polish", "pol": "polish", "ar": "arabic", "ara": "arabic",
                   "fr": "french", "fra": "french", "ko": "korean", "kor": "korean", "vi": "vietnamese",
                   "vie": "vietnamese", "ru": "russian", "rus": "russian", "tl": "tagalog", "tgl": "tagalog",
                   "hi": "hindi", "hin": "hindi", "ur": "urdu", "urd": "urdu", "de": "german", "deu": "german",
                   "it": "italian", "ita": "italian", "el": "greek", "gu": "gujarati", "ja": "japanese"}
# Spellings people use for a few enum values; everything else must match after case and punctuation are ignored.
_ALIASES = {
    "source_type": {"state": "state or federal", "federal": "state or federal", "statefederal": "state or federal",
                    "donations": "community donations", "corporate": "business"},
    "service_type": {"event": "community_event"},
}


def _key(value: str) -> str:
    """Enumeration values match ignoring case, spaces and punctuation: 'In Kind' is 'in-kind'."""
    return re.sub(r"[^a-z0-9]+", "", value.lower())


class _Problems:
    """Every check reports the first row it fails on; the error raised is the earliest (row, column) of all.

    Stages break ties within a cell: a parse error (0) before a pandera check (1) before a cross rule (2).
    """

    def __init__(self, file: str, text: pd.DataFrame, columns: list[str]):
        self.file = file
        self.text = text
        self.position = {c: i for i, c in enumerate(columns)}
        self.items: list[tuple[int, int, int, str, str]] = []

    def flag(self, mask: pd.Series, column: str, message: str | Callable[[int], str], *, stage: int = 0,
             show: bool = True) -> None:
        if not mask.any():  # NA counts as false here and below
            return
        row = int(mask.fillna(False).astype(bool).idxmax())
        text = message(row) if callable(message) else message
        if show and column in self.text.columns:
            text += f" (got {self.text.at[row, column]!r})"
        self.items.append((row, self.position.get(column, len(self.position)), stage, column, text))

    def raise_first(self) -> None:
        if self.items:
            row, _, _, column, message = min(self.items, key=lambda item: item[:3])
            raise InputError(self.file, row, column, message)


# Reading a file into a frame of cleaned text cells, indexed by spreadsheet row number.


def _norm_header(name: str) -> str:
    name = _CONTROL.sub("", name).strip().lower()
    return re.sub(r"[\s\-]+", "_", name)


def _suggest(name: str, candidates: list[str]) -> str | None:
    near = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    if near:
        return near[0]
    contains = [c for c in candidates if name and (name in c or c in name)]
    return contains[0] if contains else None


def _read_text(path: Path, spec: FileSpec, max_bytes: int, max_rows: int = DEFAULT_MAX_ROWS) -> pd.DataFrame:
    file = spec.name
    if not path.is_file():
        others = [p.name for p in path.parent.iterdir()] if path.parent.is_dir() else []
        near = [n for n in others if n.lower() == file.lower()]
        hint = f"; found {near[0]!r}, rename it to {file!r}" if near else (
            "; start from the blank template in data/inventory/template/")
        raise InputError(file, None, None, f"file not found in {path.parent}{hint}")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(file, None, None, f"is {size:,} bytes, over the limit of {max_bytes:,} bytes")
    text = decode_bytes(path.read_bytes(), file)
    # One pass over the whole text is far cheaper than one per cell; the record breaks (\n, \r) and tabs
    # are kept for the CSV reader and handled per cell below.
    text = _ODD_BREAKS.sub(" ", _INVISIBLE.sub("", text))
    if not text.strip():
        raise InputError(file, None, None, "is empty: expected a header row naming the columns, then data rows")

    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records.extend(reader)
    except csv.Error as exc:
        raise InputError(file, len(records) + 1, None, f"could not be read as CSV: {exc}") from None

    header_at = next(i for i, r in enumerate(records) if any(c.strip() for c in r))
    header_row = header_at + 1
    raw_header = records[header_at]
    header = [_norm_header(h) for h in raw_header]
    if len(header) == 1 and (";" in raw_header[0] or "\t" in raw_header[0]):
        sep = "';'" if ";" in raw_header[0] else "tabs"
        raise InputError(file, header_row, None, f"the header looks separated by {sep}; save the file as "
                                                 "comma-separated CSV")

    width = len(header)
    body: list[list[str]] = []
    rows: list[int] = []
    for i in range(header_at + 1, len(records)):
        record = records[i]
        if not any(c.strip() for c in record):
            continue
        if len(record) > width and not any(c.strip() for c in record[width:]):
            record = record[:width]
        if len(record) != width:
            hint = (" — a quote (\") may not be closed" if any("\n" in c for c in record)
                    else " — is there an unquoted comma inside a cell?" if len(record) > width else "")
            values = f"{len(record)} value" + ("" if len(record) == 1 else "s")
            # Name where the row parts from the header: the first column it has no value for, or the first value
            # beyond the last named column.
            column = raw_header[len(record)].strip() if len(record) < width else f"column {width + 1}"
            raise InputError(file, i + 1, column, f"has {values} but the header has {width} columns{hint}")
        if len(body) == max_rows:
            raise InputError(file, i + 1, None, f"is data row {max_rows + 1:,}: an inventory file may hold at most "
                                                f"{max_rows:,} rows (data/inventory/README.md)")
        body.append(record)
        rows.append(i + 1)

    cells = np.array(body, dtype=object).reshape(len(body), width)
    index = pd.Index(rows, name="row", dtype="int64")

    expected = spec.columns
    keep: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    for i, name in enumerate(header):
        if name == "":
            if any(c.strip() for c in cells[:, i]):
                raise InputError(file, header_row, f"column {i + 1}", "this column has values but no name")
            continue
        if name in keep:
            raise InputError(file, header_row, name, f"column appears twice (columns {keep[name] + 1} and {i + 1})")
        if name in expected:
            keep[name] = i
        elif not name.startswith(NOTE_PREFIX):
            unknown.append((i, name))

    unknown_names = [n for _, n in unknown]
    for field in spec.fields:
        if field.required and field.name not in keep:
            near = _suggest(field.name, unknown_names)
            hint = f"; the file has {near!r} — rename it to {field.name!r}" if near else ""
            raise InputError(file, header_row, field.name, f"required column is missing{hint}")
    for i, name in unknown:
        near = _suggest(name, [c for c in expected if c not in keep])
        hint = f" (did you mean {near!r}?)" if near else ""
        raise InputError(file, header_row, raw_header[i].strip(),
                         f"unknown column{hint}; remove it, or start its name with '{NOTE_PREFIX}' to keep it as "
                         "a note that the atlas ignores")

    # Clean every cell in one pass over one long column, then cut it back into columns.
    wanted = [name for name in expected if name in keep]
    n = len(index)
    flat = pd.Series(cells[:, [keep[name] for name in wanted]].ravel(order="F"), dtype="str")
    broken = flat.str.contains(r"[\t\r\n]", regex=True)
    if broken.any():
        flat[broken] = flat[broken].str.replace(r"[\t\r\n]", " ", regex=True)
    flat = flat.str.strip()
    out = pd.DataFrame({name: flat.iloc[k * n:(k + 1) * n].set_axis(index) for k, name in enumerate(wanted)})
    for name in expected:
        if name not in keep:
            out[name] = pd.Series("", index=index, dtype="str")
    out = out[expected]
    if len(out) < spec.min_rows:
        raise InputError(file, None, None, "has a header but no data rows: at least one programme is needed")
    return out


# Parsing one column. Each parser works on the column's distinct non-blank values (there are few of them in
# most columns, however long the file) and returns the parsed values and an error message (or None) for each.

Parsed = tuple[pd.Series, pd.Series]


def _no_errors(u: pd.Series) -> pd.Series:
    return pd.Series(None, index=u.index, dtype=object)


def _parse_number(u: pd.Series, field: Field) -> Parsed:
    values = pd.to_numeric(u, errors="coerce").astype("float64")
    errors = _no_errors(u)
    failed = values.isna()
    if failed.any():
        # Only values plain parsing missed get the slower reading of '$' and thousands separators.
        t = u[failed]
        if field.money:
            t = t.str.replace(r"^([+-]?)\$\s*", r"\1", regex=True)
        t = t.where(~t.str.fullmatch(_GROUPED), t.str.replace(",", "", regex=False))
        values[failed] = pd.to_numeric(t.where(t.str.fullmatch(_NUMBER)), errors="coerce")
        still = values.isna()
        errors[still] = np.where(u[still].str.contains(",", regex=False),
                                 "must be a number with '.' as the decimal point and commas only between "
                                 "thousands", "must be a number")
    infinite = np.isinf(values)
    errors[infinite] = "must be a finite number"
    values[infinite] = np.nan
    if field.kind == "integer":
        fraction = values.notna() & (values % 1 != 0)
        errors[fraction] = "must be a whole number"
        values[fraction] = np.nan
    return values, errors


def _parse_boolean(u: pd.Series, field: Field) -> Parsed:
    values = u.str.lower().map(_BOOLEANS).astype("boolean")
    errors = _no_errors(u)
    errors[values.isna()] = "must be true or false (yes/no and 1/0 are also read)"
    return values, errors


def _named_month(value: str) -> datetime | None:
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", value.replace(",", " "))
    cleaned = re.sub(r"\s+", " ", cleaned).strip().rstrip(".")
    for fmt in _NAMED_MONTH_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
    return None


def _numeric_date_message(value: str) -> str:
    a, b = (int(x) for x in re.match(_NUMERIC_DATE, value).group("a", "b"))
    names = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
    if a <= 12 and b <= 12 and a != b:
        return (f"is ambiguous: it could be {a} {names[b - 1]} (day first) or {b} {names[a - 1]} (month first); "
                "write dates as YYYY-MM-DD")
    return ("is written day-first or month-first, which cannot be read safely (03/04/2025 could be 3 April or "
            "4 March); write dates as YYYY-MM-DD")


def _date_message(value: str) -> str:
    if re.fullmatch(_NUMERIC_DATE, value):
        return _numeric_date_message(value)
    if re.fullmatch(r"\d{5}(?:\.\d+)?", value):
        return "looks like a spreadsheet date number; format the column as a date, YYYY-MM-DD"
    return "is not a date; write it as YYYY-MM-DD"


def _parse_date(u: pd.Series, field: Field) -> Parsed:
    parts = u.str.extract(f"^{_ISO_DATE}$")
    iso = parts["y"].notna()
    # The year is checked before any conversion: 2999 or 0001 would overflow pandas' nanosecond dates.
    year = pd.to_numeric(parts["y"], errors="coerce")
    out_of_range = iso & ~year.between(MIN_YEAR, MAX_YEAR)
    composed = parts["y"] + "-" + parts["m"].str.zfill(2) + "-" + parts["d"].str.zfill(2)
    values = pd.to_datetime(composed.where(iso & ~out_of_range), format="%Y-%m-%d",
                            errors="coerce").astype("datetime64[ns]")
    errors = _no_errors(u)
    errors[iso & ~out_of_range & values.isna()] = "is not a real calendar date"
    rest = ~iso
    if rest.any():
        named = u[rest].map(_named_month)
        found = named.notna()
        named_years = named[found].map(lambda d: d.year)
        outside = named_years.index[~named_years.between(MIN_YEAR, MAX_YEAR)]
        out_of_range[outside] = True
        inside = named_years.index.difference(outside)
        values[inside] = pd.to_datetime(named[inside]).astype("datetime64[ns]")
        unread = named.index[~found]
        errors[unread] = u[unread].map(_date_message)
    errors[out_of_range] = YEAR_MESSAGE
    return values, errors


def _parse_period(u: pd.Series, field: Field) -> Parsed:
    up = u.str.upper()
    a = up.str.extract(r"^(\d{4})\s*[-_ /]?\s*Q([1-4])$")
    b = up.str.extract(r"^Q([1-4])\s*[-_ /]?\s*(\d{4})$")
    year = a[0].fillna(b[1])
    values = (year + "Q" + a[1].fillna(b[0])).astype("str")
    errors = _no_errors(u)
    errors[values.isna()] = "must be a calendar quarter written YYYYQn, e.g. 2025Q3"
    out_of_range = values.notna() & ~pd.to_numeric(year, errors="coerce").between(MIN_YEAR, MAX_YEAR)
    errors[out_of_range] = YEAR_MESSAGE
    values[out_of_range] = np.nan
    return values, errors


def _parse_enum(u: pd.Series, field: Field) -> Parsed:
    lookup = {_key(a): a for a in field.allowed} | _ALIASES.get(field.name, {})
    values = u.map(lambda v: lookup.get(_key(v))).astype("str")
    errors = _no_errors(u)

    def message(value: str) -> str:
        near = _suggest(_key(value), list(lookup))
        hint = f" (did you mean {lookup[near]!r}?)" if near else ""
        return "unknown value" + hint + "; expected one of: " + ", ".join(field.allowed)

    bad = values.isna()
    errors[bad] = u[bad].map(message)
    return values, errors


def _parse_list(u: pd.Series, item: Callable[[str], tuple[str | None, str | None]]) -> Parsed:
    values, errors = {}, {}
    for index, value in u.items():
        out: list[str] = []
        for raw in re.split(r"[;,]", value):
            name, error = item(raw.strip()) if raw.strip() else (None, None)
            if error:
                errors[index] = error
                break
            if name and name not in out:
                out.append(name)
        if index not in errors:
            if out:
                values[index] = ";".join(out)
            else:
                errors[index] = "lists no items; separate items with ';'"
    return pd.Series(values, index=u.index, dtype="str"), pd.Series(errors, index=u.index, dtype=object)


def _parse_enum_list(u: pd.Series, field: Field) -> Parsed:
    lookup = {_key(a): a for a in field.allowed}
    allowed = ", ".join(field.allowed)

    def item(raw: str) -> tuple[str | None, str | None]:
        name = lookup.get(_key(raw))
        return (name, None) if name else (None, f"unknown item {raw!r}; each item must be one of: {allowed}")

    return _parse_list(u, item)


def _parse_languages(u: pd.Series, field: Field) -> Parsed:
    def item(raw: str) -> tuple[str | None, str | None]:
        name = raw.lower()
        if name in _LANGUAGE_CODES:
            return None, (f"{name!r} looks like a language code: write the English name, e.g. "
                          f"{_LANGUAGE_CODES[name]!r}")
        if not re.fullmatch(LANGUAGE_PATTERN, name):
            return None, (f"{name!r} is not a language name: write lower-case English names separated by ';', "
                          "e.g. 'english;spanish'")
        return name, None

    return _parse_list(u, item)


def _parse_text(u: pd.Series, field: Field) -> Parsed:
    return u, _no_errors(u)


_PARSERS: dict[str, Callable[[pd.Series, Field], Parsed]] = {
    "id": _parse_text, "text": _parse_text, "enum": _parse_enum, "measure": _parse_enum,
    "enum_list": _parse_enum_list, "languages": _parse_languages, "number": _parse_number,
    "integer": _parse_number, "latitude": _parse_number, "longitude": _parse_number, "boolean": _parse_boolean,
    "date": _parse_date, "period": _parse_period,
}


def _parse(text: pd.DataFrame, spec: FileSpec, p: _Problems) -> pd.DataFrame:
    blank = text.eq("")
    typed = {}
    for field in spec.fields:
        s = text[field.name]
        dtype = _lenient_dtype(field)
        if field.required:
            p.flag(blank[field.name], field.name, "a value is required here, but the cell is empty", show=False)
        if field.kind in ("id", "text"):  # nothing to parse; limits are pandera's
            typed[field.name] = s.where(~blank[field.name])
            continue
        distinct = pd.Series(s[~blank[field.name]].unique(), dtype="str")
        if distinct.empty:
            typed[field.name] = pd.Series(pd.NA if field.kind == "boolean" else np.nan, index=text.index,
                                          dtype=dtype)
            continue
        values, errors = _PARSERS[field.kind](distinct, field)
        values = pd.Series(values.to_numpy(), index=distinct.to_numpy(), dtype=dtype)
        typed[field.name] = s.map(values).astype(dtype)
        errors = errors.dropna()
        if not errors.empty:
            row_errors = s.map(pd.Series(errors.to_numpy(), index=distinct[errors.index].to_numpy()))
            p.flag(row_errors.notna(), field.name, lambda row, e=row_errors: e.at[row])
    return pd.DataFrame(typed, index=text.index)


def _lenient_dtype(field: Field) -> str:
    # While the search for the first bad cell runs, unparsed cells are missing, so every column must hold NA.
    return {"int64": "Int64", "bool": "boolean"}.get(dtype_of(field), dtype_of(field))


def _lenient_schema(spec: FileSpec) -> pa.DataFrameSchema:
    strict = SCHEMAS[spec.name]
    return pa.DataFrameSchema(
        {f.name: pa.Column(_lenient_dtype(f), strict.columns[f.name].checks, nullable=True) for f in spec.fields},
        strict=True, ordered=True)


# The same checks as the strict schemas, but every column may be missing and uniqueness is left to
# _duplicates, which can say where the first copy is.
_LENIENT = {spec.name: _lenient_schema(spec) for spec in (PROGRAMS, FUNDING, PERIODS)}


def _check_cells(typed: pd.DataFrame, spec: FileSpec, p: _Problems) -> None:
    """Run the file's pandera checks on every parsed cell and flag the first failing row of each check."""
    frame = typed.astype({f.name: _lenient_dtype(f) for f in spec.fields})
    try:
        _LENIENT[spec.name].validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index"])
        for (column, check), group in cases.groupby(["column", "check"], sort=False):
            rows = set(group["index"].astype(int))
            p.flag(pd.Series(typed.index.isin(list(rows)), index=typed.index), column, str(check), stage=1)


# Rules that span rows, columns and files.


def _duplicates(typed: pd.DataFrame, spec: FileSpec, p: _Problems) -> None:
    key = list(spec.key)
    present = typed[key].notna().all(axis=1)
    dup = present & typed[key].duplicated(keep="first")
    column = key[-1]

    def message(row: int) -> str:
        values = typed.loc[row, key]
        same = (typed[key] == values).all(axis=1)
        first = int(same.idxmax())
        if len(key) == 1:
            return f"duplicate {column}: {values.iloc[0]!r} is already used on row {first}"
        return f"programme {values.iloc[0]!r} already has a row for {values.iloc[1]} (row {first})"

    p.flag(dup, column, message)


def _end_after_start(typed: pd.DataFrame, p: _Problems) -> None:
    before = typed["end_date"] < typed["start_date"]
    p.flag(before, "end_date", lambda row: f"is before start_date {typed.at[row, 'start_date']:%Y-%m-%d}",
           stage=2)


def _known(typed: pd.DataFrame, column: str, known: set[str], what: str, p: _Problems) -> None:
    unknown = typed[column].notna() & ~typed[column].isin(list(known))
    p.flag(unknown, column, what, stage=2)


def _place(typed: pd.DataFrame, areas: gpd.GeoDataFrame, p: _Problems) -> pd.Series:
    """Check each point and return its area_id: swapped, projected and outside-the-city points are flagged."""
    lat = typed["latitude"].to_numpy(dtype=float)
    lon = typed["longitude"].to_numpy(dtype=float)
    have = ~(np.isnan(lat) | np.isnan(lon))
    lat0, lon0 = np.where(have, lat, 0.0), np.where(have, lon, 0.0)
    area_ids = areas["area_id"].to_numpy()
    tree = areas.sindex

    def first_area(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        pts = gpd.points_from_xy(x, y)
        hit_pt, hit_area = tree.query(pts, predicate="intersects")
        # A point on a shared boundary touches two areas: take the first in the areas' order, so the answer is
        # stable; positions (not the text ids) are returned, NaN where the point is in no area.
        found = pd.Series(hit_area, index=hit_pt).groupby(level=0).min()
        return found.reindex(range(len(x))).to_numpy(dtype=float)

    area = first_area(lon0, lat0)
    inside = have & ~np.isnan(area)
    swapped_inside = have & ~inside & ~np.isnan(first_area(lat0, lon0))
    idx = typed.index
    p.flag(pd.Series(swapped_inside, index=idx), "latitude",
           lambda row: f"latitude and longitude look swapped: ({typed.at[row, 'latitude']}, "
                       f"{typed.at[row, 'longitude']}) falls inside the city only when the two are exchanged",
           show=False)
    lat_range = np.abs(lat0) > 90
    lon_range = np.abs(lon0) > 180
    projected = have & ~swapped_inside & (np.maximum(np.abs(lat0), np.abs(lon0)) > 1000)
    p.flag(pd.Series(projected, index=idx), "latitude",
           lambda row: f"({typed.at[row, 'latitude']:g}, {typed.at[row, 'longitude']:g}) looks projected, "
                       "expected WGS84 degrees (latitude −90 to 90, longitude −180 to 180); are these "
                       "state-plane feet or metres?", show=False)
    p.flag(pd.Series(have & ~swapped_inside & ~projected & lat_range, index=idx), "latitude",
           "must be between -90 and 90 degrees")
    p.flag(pd.Series(have & ~swapped_inside & ~projected & ~lat_range & lon_range, index=idx), "longitude",
           "must be between -180 and 180 degrees")
    outside = have & ~inside & ~swapped_inside & ~lat_range & ~lon_range & ~projected
    p.flag(pd.Series(outside, index=idx), "latitude", lambda row: _outside_message(typed, row, areas), show=False)
    ids = np.array([str(area_ids[int(k)]) if not np.isnan(k) else None for k in area], dtype=object)
    return pd.Series(ids, index=idx)


def _outside_message(typed: pd.DataFrame, row: int, areas: gpd.GeoDataFrame) -> str:
    lat, lon = float(typed.at[row, "latitude"]), float(typed.at[row, "longitude"])
    point = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs="EPSG:4326")
    local = areas.estimate_utm_crs()
    km = areas.geometry.to_crs(local).distance(point.to_crs(local).iloc[0]).min() / 1000
    return f"the point ({lat}, {lon}) is outside the city, about {km:.1f} km from the nearest area"


def _sub_counts(typed: pd.DataFrame, p: _Problems) -> None:
    total = typed["participants"]
    for column in (*PARTICIPANT_GROUPS, "n_pre_post"):
        p.flag(typed[column] > total, column, lambda row: f"is more than participants ({total.at[row]:g})",
               stage=2)


def _partner_and_psat(typed: pd.DataFrame, p: _Problems) -> None:
    """A partner role needs a partner; PSAT scores need the date they were assessed (and the date needs a score)."""
    p.flag(typed["partner_role"].notna() & typed["professional_partner"].isna(), "partner_role",
           "is given but professional_partner is empty", stage=2)
    scored = typed[list(PSAT_DOMAINS)].notna()
    for column in PSAT_DOMAINS:
        p.flag(scored[column] & typed["psat_assessed"].isna(), "psat_assessed",
               f"is needed when a PSAT score is given ({column} has one)", stage=2, show=False)
    p.flag(typed["psat_assessed"].notna() & ~scored.any(axis=1), "psat_assessed",
           "is given but no psat_ domain score is", stage=2)


def _outcomes(typed: pd.DataFrame, p: _Problems) -> None:
    measure = typed["outcome_measure"]
    n = typed["n_pre_post"]
    none = measure.isna()
    p.flag(none & (n > 0), "n_pre_post", "is given but outcome_measure is empty", stage=2)
    for column in ("mean_change", "sd_change"):
        p.flag(none & typed[column].notna(), column, "is given but outcome_measure is empty", stage=2)
    p.flag(measure.notna() & n.isna(), "n_pre_post",
           "is needed when outcome_measure is given (0 if nobody had both scores)", stage=2, show=False)
    p.flag((n >= 1) & typed["mean_change"].isna(), "mean_change", "is needed when n_pre_post is 1 or more",
           stage=2, show=False)
    p.flag((n >= 2) & typed["sd_change"].isna(), "sd_change", "is needed when n_pre_post is 2 or more",
           stage=2, show=False)
    span = measure.map({name: m.span for name, m in OUTCOME_MEASURES.items()}).astype(float)
    p.flag(typed["mean_change"].abs() > span, "mean_change",
           lambda row: f"is outside ± {span.at[row]:g}, the widest change {measure.at[row]} allows", stage=2)
    p.flag(typed["sd_change"] > span, "sd_change",
           lambda row: f"is more than {span.at[row]:g}, the widest change {measure.at[row]} allows", stage=2)




def _load_file(directory: Path, spec: FileSpec, max_bytes: int,
               extra: Callable[[pd.DataFrame, _Problems], None], max_rows: int = DEFAULT_MAX_ROWS) -> pd.DataFrame:
    text = _read_text(directory / spec.name, spec, max_bytes, max_rows)
    p = _Problems(spec.name, text, spec.columns)
    typed = _parse(text, spec, p)
    _duplicates(typed, spec, p)
    _check_cells(typed, spec, p)
    extra(typed, p)
    p.raise_first()
    # With every cell parsed, present and within its checks, and the key unique, the frame now satisfies the
    # strict schema SCHEMAS[spec.name]; the tests hold the loader to that.
    return typed.astype({f.name: dtype_of(f) for f in spec.fields})


def load_inventory(directory: str | Path, areas: gpd.GeoDataFrame, venue_ids: set[str] | None = None,
                   max_bytes: int = DEFAULT_MAX_BYTES, max_rows: int = DEFAULT_MAX_ROWS) -> dict[str, pd.DataFrame]:
    """Read and validate ``programs.csv``, ``funding.csv`` and ``program_periods.csv`` from ``directory``.

    Parameters
    ----------
    directory
        Folder holding the three files (UTF-8 with or without BOM, Windows-1252 or Latin-1).
    areas
        GeoDataFrame with ``area_id`` and polygon ``geometry`` in EPSG:4326 (reprojected if declared
        otherwise). Each programme's point must fall in one; that area becomes its ``area_id``.
    venue_ids
        The atlas venue ids. When given, a programme's non-blank ``venue_id`` must be one of them.
    max_bytes
        Largest size accepted for each file.
    max_rows
        Most data rows accepted in each file (:data:`DEFAULT_MAX_ROWS`, documented in data/inventory/README.md).

    Returns
    -------
    dict
        ``'program'``, ``'funding'`` and ``'program_period'``: DataFrames with the columns, names and order
        of those tables in ``core/store/schema.sql``. Text is ``str`` (missing as NaN), dates ``datetime64[ns]``,
        required whole numbers ``int64``, optional ones ``Int64``, flags ``bool``.

    Raises
    ------
    core.base.errors.InputError
        At the first problem, naming the file, the spreadsheet row (header = row 1) and the column. Files
        are checked in the order programs, funding, periods; within a file, the earliest row wins.

    Examples
    --------
    >>> import tempfile, shapely, geopandas as gpd
    >>> from core.ingest.inventory_sample import write_inventory
    >>> from core.ingest.inventory_schema import FILES
    >>> d = tempfile.mkdtemp()
    >>> write_inventory({s.name: pd.DataFrame(columns=s.columns) for s in FILES}, d)
    >>> areas = gpd.GeoDataFrame({"area_id": [1]}, geometry=[shapely.box(-88, 41, -87, 42)], crs=4326)
    >>> try:
    ...     load_inventory(d, areas)
    ... except InputError as e:
    ...     print(e)
    programs.csv: has a header but no data rows: at least one programme is needed
    """
    directory = Path(directory)
    areas = areas[["area_id", "geometry"]]
    if areas.crs is not None and areas.crs.to_epsg() != 4326:
        areas = areas.to_crs(4326)
    areas = areas.reset_index(drop=True)

    placed: dict[str, pd.Series] = {}

    def program_rules(typed: pd.DataFrame, p: _Problems) -> None:
        placed["area_id"] = _place(typed, areas, p)
        _end_after_start(typed, p)
        _partner_and_psat(typed, p)
        if venue_ids is not None:
            _known(typed, "venue_id", {str(v) for v in venue_ids}, "is not a venue in the atlas venue list", p)

    programs = _load_file(directory, PROGRAMS, max_bytes, program_rules, max_rows)
    ids = set(programs["program_id"])
    missing = "has no programme with this program_id in programs.csv"

    def funding_rules(typed: pd.DataFrame, p: _Problems) -> None:
        _known(typed, "program_id", ids, missing, p)
        _end_after_start(typed, p)

    def period_rules(typed: pd.DataFrame, p: _Problems) -> None:
        _known(typed, "program_id", ids, missing, p)
        _sub_counts(typed, p)
        _outcomes(typed, p)

    funding = _load_file(directory, FUNDING, max_bytes, funding_rules, max_rows)
    periods = _load_file(directory, PERIODS, max_bytes, period_rules, max_rows)

    program = programs.rename(columns={f.name: f.db_name for f in PROGRAMS.fields})
    program["area_id"] = placed["area_id"].astype(str)
    out = {"program": program, "funding": funding, "program_period": periods}
    return {table: frame[DB_COLUMNS[table]].reset_index(drop=True) for table, frame in out.items()}

