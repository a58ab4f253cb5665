"""`atlas coverage`: round trips worked by hand, and bad input named by file, row and column."""

from __future__ import annotations

import argparse
import io
import math

import pandas as pd
import pytest

from core.analysis.travel import EARTH_RADIUS_KM
from core.base.errors import InputError
from core.cli import coverage as coverage_cli

DEG_PER_KM = 180 / (math.pi * EARTH_RADIUS_KM)  # along a meridian


def run_cli(argv: list[str]) -> int:
    # core/cli.py wires in other sub-commands too; build a parser with ours alone.
    parser = argparse.ArgumentParser(prog="atlas")
    coverage_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["coverage", *argv])
    return args.func(args)


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def read_output(text_or_path) -> pd.DataFrame:
    return pd.read_csv(text_or_path, dtype={"id": str})


def test_round_trip_with_a_cost_matrix(tmp_path):
    # The hand-worked case of test_e2sfca: A_1 = 10/236 + 0.3, A_2 = 6.8/236 (step decay, d0 = 30).
    # Ids with leading zeros must come back unchanged, spaces around ids do not matter, and no lon/lat
    # is needed with --cost.
    demand = write(tmp_path, "demand.csv", "id,population\n007,100\n008,200\n009,50\n")
    supply = write(tmp_path, "supply.csv", "id,capacity\na,10\nb,30\n")
    cost = write(tmp_path, "cost.csv", "origin,destination,minutes\n007,a,5\n007, b,25\n008 ,a,15\n008,b,35\n")
    out = tmp_path / "access.csv"
    assert run_cli(["--demand", demand, "--supply", supply, "--cost", cost, "--out", str(out)]) == 0
    result = read_output(out)
    assert result.columns.tolist() == ["id", "access"]
    assert result["id"].tolist() == ["007", "008", "009"]
    assert result["access"].tolist() == pytest.approx([10 / 236 + 0.3, 6.8 / 236, 0.0], rel=1e-12)


@pytest.mark.parametrize(
    "options, expected",
    [
        # Step, d0 = 30. X(400 people) has P at 0 min and Q at 1 km = 16.25 min (W 0.68); Y(100) has Q at
        # 16.25 min and P at 2 km = 32.5 min (out). R_P = 8/400 = 0.02; R_Q = 17/(400·0.68 + 100·0.68) = 0.05.
        # A_X = 0.02 + 0.05·0.68 = 0.054; A_Y = 0.05·0.68 = 0.034; Z is 100 km away: 0.
        ([], [0.054, 0.034, 0.0]),
        # No decay, d0 = 33 lets P reach Y: R_P = 8/500 = 0.016, R_Q = 17/500 = 0.034; A_X = A_Y = 0.05.
        (["--decay", "none", "--max-cost", "33"], [0.05, 0.05, 0.0]),
        # Gaussian, sigma 20, d0 = 30: W(16.25) = exp(-16.25²/800) = g; R_P = 0.02, R_Q = 17/(500 g).
        # A_X = 0.02 + 17/500, A_Y = 17/500.
        (["--decay", "gaussian", "--sigma", "20"], [0.02 + 17 / 500, 17 / 500, 0.0]),
    ],
)
def test_round_trip_with_haversine_to_stdout(tmp_path, capsys, options, expected):
    km = DEG_PER_KM
    demand = write(tmp_path, "demand.csv", f"id,population,lon,lat\nX,400,10,0\nY,100,10,{2 * km!r}\nZ,900,11,0\n")
    supply = write(tmp_path, "supply.csv", f"id,lat,lon,capacity,name\nP,0,10,8,one\nQ,{km!r},10,17,two\n")
    assert run_cli(["--demand", demand, "--supply", supply, *options]) == 0
    result = read_output(io.StringIO(capsys.readouterr().out))
    assert result["id"].tolist() == ["X", "Y", "Z"]
    assert result["access"].tolist() == pytest.approx(expected, rel=1e-9)


def test_sigma_without_gaussian_is_refused(tmp_path, capsys):
    demand = write(tmp_path, "d.csv", "id,population,lon,lat\n1,10,0,0\n")
    supply = write(tmp_path, "s.csv", "id,capacity,lon,lat\n1,10,0,0\n")
    assert run_cli(["--demand", demand, "--supply", supply, "--sigma", "5"]) == 2
    assert "--sigma" in capsys.readouterr().err


GOOD_DEMAND = "id,population,lon,lat\nt1,100,-87.6,41.8\nt2,200,-87.61,41.81\nt3,300,-87.62,41.82\n"
GOOD_SUPPLY = "id,capacity,lon,lat\np1,10,-87.6,41.8\np2,20,-87.61,41.81\n"
GOOD_COST = "origin,destination,minutes\nt1,p1,3\nt2,p2,4\n"


@pytest.mark.parametrize(
    "which, text, row, column, words",
    [
        ("demand", "id,pop,lon,lat\nt1,100,-87.6,41.8\n", 1, "population", "missing column"),
        ("demand", "id,population,lon,lat\nt1,100,-87.6,41.8\nt2,lots,-87.6,41.8\n", 3, "population", "number"),
        ("demand", "id,population,lon,lat\nt1,100,-87.6,41.8\nt2,,-87.6,41.8\n", 3, "population", "number"),
        ("supply", "id,capacity,lon,lat\np1,-5,-87.6,41.8\n", 2, "capacity", ">= 0"),
        ("demand", "id,population,lon,lat\nt1,1,-87.6,41.8\nt2,2,-87.6,41.8\nt1,3,-87.6,41.8\n", 4, "id", "duplicate"),
        ("supply", "id,capacity,lon,lat\np1,5,-87.6,41.8\np2,5,-187.6,41.8\n", 3, "lon", "[-180, 180]"),
        ("demand", "id,population,lon,lat\nt1,5,-87.6,91\n", 2, "lat", "[-90, 90]"),
        ("supply", "id,capacity,lon\np1,5,-87.6\n", 1, "lat", "missing column"),
        ("demand", "id,population,lon,lat\n ,5,-87.6,41.8\n", 2, "id", "blank"),
        # A blank line is skipped but still counted, so the row number matches the spreadsheet.
        ("demand", "id,population,lon,lat\nt1,5,-87.6,41.8\n\nt2,5,-87.6,north\n", 4, "lat", "number"),
        ("demand", "", None, None, "empty"),
        ("supply", "id,capacity,lon,lat\n", None, None, "no data rows"),
        ("cost", "origin,destination,minutes\nt1,p1,3\nt7,p1,4\n", 3, "origin", "unknown demand id 't7'"),
        ("cost", "origin,destination,minutes\nt1,p9,3\n", 2, "destination", "unknown supply id 'p9'"),
        ("cost", "origin,destination,minutes\nt1,p1,3\nt2,p1,-4\n", 3, "minutes", ">= 0"),
        ("cost", "origin,destination,minutes\nt1,p1,soon\n", 2, "minutes", "number"),
        ("cost", "origin,dest,minutes\nt1,p1,3\n", 1, "destination", "missing column"),
    ],
)
def test_bad_input_names_file_row_and_column(tmp_path, which, text, row, column, words):
    files = {"demand": GOOD_DEMAND, "supply": GOOD_SUPPLY, "cost": GOOD_COST}
    files[which] = text
    paths = {name: write(tmp_path, f"{name}_file.csv", body) for name, body in files.items()}
    argv = ["--demand", paths["demand"], "--supply", paths["supply"]]
    if which == "cost":
        argv += ["--cost", paths["cost"]]
    with pytest.raises(InputError) as info:
        run_cli(argv)
    err = info.value
    assert (err.file, err.row, err.column) == (paths[which], row, column)
    message = str(err)
    assert paths[which] in message and words in message
    if row is not None:
        assert f"row {row}, column {column!r}" in message


def test_missing_file_is_named(tmp_path):
    supply = write(tmp_path, "s.csv", GOOD_SUPPLY)
    missing = str(tmp_path / "nowhere.csv")
    with pytest.raises(InputError) as info:
        run_cli(["--demand", missing, "--supply", supply])
    assert info.value.file == missing and "not found" in str(info.value)
