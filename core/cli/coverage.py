"""The `atlas coverage` sub-command: E2SFCA access per demand point from demand, supply and optional cost CSVs."""

from __future__ import annotations

import argparse
import sys
from typing import NamedTuple

import numpy as np
import pandas as pd

from core.analysis.e2sfca import DECAYS, e2sfca
from core.analysis.travel import pairs_from_matrix, pairs_within_haversine
from core.base.errors import InputError


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``coverage`` sub-command to an argparse ``subparsers`` object, with ``func=run``.

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="atlas")
    >>> register(parser.add_subparsers(dest="command"))  # doctest: +ELLIPSIS
    ArgumentParser(prog='atlas coverage', ...)
    >>> args = parser.parse_args(["coverage", "--demand", "d.csv", "--supply", "s.csv"])
    >>> args.max_cost, args.decay, args.func is run
    (30.0, 'step', True)
    """
    p = subparsers.add_parser(
        "coverage",
        help="run the E2SFCA coverage method on CSV files",
        description=(
            "Enhanced two-step floating catchment area (E2SFCA) access per demand point, in supply units per "
            "person (raw, not normalised; 0 where nothing is in reach). Travel cost is straight-line walking "
            "(haversine x 1.3 / 4.8 km/h) unless --cost gives a travel-time matrix."
        ),
    )
    p.add_argument("--demand", required=True, metavar="CSV", help="demand points: id,population,lon,lat")
    p.add_argument("--supply", required=True, metavar="CSV", help="programmes: id,capacity,lon,lat")
    p.add_argument(
        "--cost",
        metavar="CSV",
        help="travel-time matrix: origin (demand id),destination (supply id),minutes; absent pairs are out of "
        "reach. With it, lon/lat are not needed.",
    )
    p.add_argument("--max-cost", type=float, default=30.0, metavar="MIN", help="catchment d0 in minutes (default 30)")
    p.add_argument("--decay", choices=DECAYS, default="step", help="distance decay (default step)")
    p.add_argument("--sigma", type=float, metavar="S", help="gaussian width in minutes (default d0/2)")
    p.add_argument("--out", metavar="CSV", help="output file (default: standard output)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``atlas coverage``; write ``id,access`` for every demand id, in input order.

    Raises
    ------
    core.base.errors.InputError
        For bad input, naming the file, the 1-based row (header = row 1) and the column.
    """
    if not (np.isfinite(args.max_cost) and args.max_cost > 0):
        print("error: --max-cost must be a positive number of minutes", file=sys.stderr)
        return 2
    if args.sigma is not None and (args.decay != "gaussian" or not (np.isfinite(args.sigma) and args.sigma > 0)):
        print("error: --sigma needs --decay gaussian and a positive number of minutes", file=sys.stderr)
        return 2

    need_coords = args.cost is None
    demand = read_points(args.demand, "population", need_coords)
    supply = read_points(args.supply, "capacity", need_coords)

    if args.cost is None:
        pairs = pairs_within_haversine(demand.lon, demand.lat, supply.lon, supply.lat, args.max_cost)
    else:
        cost = _read_csv(args.cost)
        pairs = pairs_from_matrix(cost, demand.ids, supply.ids, args.max_cost, file=args.cost)

    access = e2sfca(demand.values, supply.values, pairs, d0=args.max_cost, decay=args.decay, sigma=args.sigma)
    out = pd.DataFrame({"id": pd.Series(demand.ids, dtype=object), "access": access})
    if args.out:
        out.to_csv(args.out, index=False)
    else:
        out.to_csv(sys.stdout, index=False)
    return 0


class Points(NamedTuple):
    """Validated points from a CSV: ids (strings), one non-negative value each, and lon/lat if present."""

    ids: list[str]
    values: np.ndarray
    lon: np.ndarray | None
    lat: np.ndarray | None


def _read_csv(path: str) -> pd.DataFrame:
    try:
        # Everything as text, so ids keep leading zeros and a bad number can be quoted back as typed.
        # Blank lines are kept as rows, then dropped, so that index + 2 stays the spreadsheet row.
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False, encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, None, None, "file not found") from None
    except pd.errors.EmptyDataError:
        raise InputError(path, None, None, "file is empty") from None
    except UnicodeDecodeError as exc:
        raise InputError(path, None, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except pd.errors.ParserError as exc:
        raise InputError(path, None, None, f"not a well-formed CSV: {exc}") from None
    df.columns = [str(c).strip() for c in df.columns]
    df = df.apply(lambda col: col.str.strip())  # " 007" and "007" are the same id; " 5" is 5
    df = df[~(df == "").all(axis=1).to_numpy()]
    if df.empty:
        raise InputError(path, None, None, "no data rows under the header")
    return df


def _numbers(df: pd.DataFrame, column: str, path: str, rows: np.ndarray) -> np.ndarray:
    values = pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        k = int(np.argmax(bad))
        raise InputError(path, int(rows[k]), column, f"must be a number, got {df[column].iloc[k]!r}")
    return values


def read_points(path: str, value_column: str, need_coords: bool = True) -> Points:
    """Read and validate a demand or supply CSV: ``id``, ``value_column`` and, if needed, ``lon``, ``lat``.

    Ids are strings (leading zeros kept, surrounding spaces dropped) and must be unique and non-blank;
    the value must be a number >= 0; lon in [-180, 180], lat in [-90, 90]. Extra columns are ignored.

    Raises
    ------
    core.base.errors.InputError
        Naming the file, the 1-based row (header = row 1) and the column at fault.
    """
    df = _read_csv(path)
    rows = np.asarray(df.index, dtype=np.int64) + 2
    wanted = ["id", value_column] + (["lon", "lat"] if need_coords else [])
    for column in wanted:
        if column not in df.columns:
            raise InputError(path, 1, column, f"missing column (found: {', '.join(df.columns)})")

    ids = df["id"]
    blank = (ids == "").to_numpy()
    if blank.any():
        raise InputError(path, int(rows[np.argmax(blank)]), "id", "id is blank")
    dup = ids.duplicated().to_numpy()
    if dup.any():
        k = int(np.argmax(dup))
        first = int(rows[np.argmax((ids == ids.iloc[k]).to_numpy())])
        raise InputError(path, int(rows[k]), "id", f"duplicate id {ids.iloc[k]!r} (first at row {first})")

    values = _numbers(df, value_column, path, rows)
    if (values < 0).any():
        k = int(np.argmax(values < 0))
        raise InputError(path, int(rows[k]), value_column, f"must be >= 0, got {df[value_column].iloc[k]!r}")

    lon = lat = None
    has_coords = "lon" in df.columns and "lat" in df.columns
    if need_coords or has_coords:
        lon = _numbers(df, "lon", path, rows)
        lat = _numbers(df, "lat", path, rows)
        for column, coord, limit in (("lon", lon, 180.0), ("lat", lat, 90.0)):
            out = np.abs(coord) > limit
            if out.any():
                k = int(np.argmax(out))
                raise InputError(
                    path, int(rows[k]), column, f"must lie in [-{limit:g}, {limit:g}], got {df[column].iloc[k]!r}"
                )
    return Points(ids.tolist(), values, lon, lat)
