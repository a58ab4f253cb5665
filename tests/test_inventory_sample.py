"""The synthetic inventory: deterministic for a seed, plausible in shape, and accepted by the real loader."""

from __future__ import annotations

import argparse
import math
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from core.cli import inventory as inventory_cli
from core.ingest.inventory_load import load_inventory
from core.ingest.inventory_sample import FUNDERS, ORGANISATIONS, generate_sample, write_inventory
from core.ingest.inventory_schema import FILES, SCHEMAS, SERVICE_TYPES

ROOT = Path(__file__).resolve().parent.parent
CHICAGO77 = ROOT / ".venv/lib/python3.11/site-packages/libpysal/examples/chicago/Chicago77.shp"
AS_OF = date(2026, 1, 15)
NO_VENUE = {9, 12, 47, 54, 74}  # areas given no venue at all, so they cannot host a programme
KINDS = ("library", "senior centre", "community service centre", "city college")


def _points_in(poly, n: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = poly.bounds
    out = np.empty((0, 2))
    while len(out) < n:
        cand = np.column_stack([rng.uniform(minx, maxx, 50), rng.uniform(miny, maxy, 50)])
        out = np.vstack([out, cand[shapely.contains_xy(poly, cand[:, 0], cand[:, 1])]])
    return out[:n]


@pytest.fixture(scope="module")
def city():
    """A fake reference for the 77 Chicago areas: seeded venues, service sites, populations and languages."""
    raw = gpd.read_file(CHICAGO77).set_crs(3435, allow_override=True).to_crs(4326)
    areas = gpd.GeoDataFrame({"area_id": raw["AREA_NUMBE"].astype(int), "name": raw["COMMUNITY"].str.title()},
                             geometry=raw.geometry.make_valid(), crs=4326).sort_values("area_id")
    rng = np.random.default_rng(11)
    venues, sites = [], []
    for area_id, poly in zip(areas["area_id"], areas.geometry):
        if area_id not in NO_VENUE:
            for k, (x, y) in enumerate(_points_in(poly, int(rng.integers(1, 4)), rng)):
                venues.append({"venue_id": f"v{area_id}-{k}", "name": f"Hall {area_id}-{k}",
                               "kind": KINDS[(area_id + k) % 4], "address": "", "lon": x, "lat": y,
                               "area_id": area_id})
        if area_id % 2 == 0:
            x, y = _points_in(poly, 1, rng)[0]
            sites.append({"site_id": f"s{area_id}", "name": f"Clinic {area_id}", "kind": "mental-health clinic",
                          "lon": x, "lat": y, "area_id": area_id})
    n = len(areas)
    facts = pd.DataFrame({"area_id": areas["area_id"].to_numpy(), "name": areas["name"].to_numpy(),
                          "population": rng.integers(10_000, 100_000, n).astype(float),
                          "need": np.where(rng.random(n) < 0.1, np.nan, rng.random(n)),
                          "share_65plus": np.where(rng.random(n) < 0.1, np.nan, rng.uniform(0.05, 0.2, n))})
    languages = ["spanish", "polish", "chinese", "other asian", "unspecified"]
    area_language = pd.DataFrame([{"area_id": a, "language": lang, "speakers": float(rng.integers(0, 20_000))}
                                  for a in facts["area_id"] for lang in languages])
    return SimpleNamespace(areas=areas.reset_index(drop=True), venues=pd.DataFrame(venues),
                           service_sites=pd.DataFrame(sites), area_facts=facts, area_language=area_language)


def _generate(city, seed: int = 7) -> dict[str, pd.DataFrame]:
    return generate_sample(city.venues, city.service_sites, city.area_facts, city.area_language, seed=seed,
                           as_of=AS_OF)


@pytest.fixture(scope="module")
def sample(city):
    return _generate(city)


@pytest.fixture(scope="module")
def loaded(city, sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    write_inventory(sample, out)
    return load_inventory(out, city.areas, venue_ids=set(city.venues["venue_id"]))


def _bytes(frames, directory: Path) -> dict[str, bytes]:
    write_inventory(frames, directory)
    return {spec.name: (directory / spec.name).read_bytes() for spec in FILES}


def test_same_seed_gives_byte_identical_files_whatever_the_input_order(city, sample, tmp_path):
    first = _bytes(sample, tmp_path / "a")
    shuffled = generate_sample(city.venues.sample(frac=1, random_state=3),
                               city.service_sites.sample(frac=1, random_state=4),
                               city.area_facts.sample(frac=1, random_state=5),
                               city.area_language.sample(frac=1, random_state=6), seed=7, as_of=AS_OF)
    assert _bytes(shuffled, tmp_path / "b") == first
    other = _bytes(_generate(city, seed=8), tmp_path / "c")
    assert all(other[name] != first[name] for name in first)


def test_passes_the_loader_and_its_schemas(city, sample, loaded):
    program = loaded["program"]
    assert len(program) == len(sample["programs.csv"])
    venue_area = city.venues.set_index("venue_id")["area_id"]
    # The loader places each point itself; it must land in the area its venue is in.
    assert (program["area_id"].to_numpy() == program["venue_id"].map(venue_area).astype(str).to_numpy()).all()
    for spec in FILES:
        # The loader's output, back in CSV names, satisfies the strict pandera schema of its file.
        SCHEMAS[spec.name].validate(
            loaded[spec.table].rename(columns={f.db_name: f.name for f in spec.fields})[spec.columns])
        assert len(sample[spec.name]) == len(loaded[spec.table])


def test_counts_grants_and_quarters(sample):
    programs, funding, periods = (sample[s.name] for s in FILES)
    assert 150 <= len(programs) <= 250
    grants = funding.groupby("program_id").size().reindex(programs["program_id"], fill_value=0)
    assert grants.between(1, 4).all() and set(grants) == {1, 2, 3, 4}
    quarters = periods.groupby("program_id")["period"].apply(list)
    expected = ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert len(quarters) == len(programs) and all(q == expected for q in quarters)


def test_programmes_sit_at_real_venues_unevenly(city, sample):
    programs = sample["programs.csv"]
    venues = city.venues.set_index("venue_id")
    at = venues.loc[programs["venue_id"]]
    assert np.array_equal(programs["latitude"].to_numpy(), at["lat"].to_numpy())
    assert np.array_equal(programs["longitude"].to_numpy(), at["lon"].to_numpy())
    assert (programs["location_name"].to_numpy() == at["name"].to_numpy()).all()
    per_area = at["area_id"].value_counts().reindex(city.area_facts["area_id"], fill_value=0)
    assert 10 <= (per_area == 0).sum() <= 15
    assert per_area.max() >= 3 * per_area[per_area > 0].median()


def test_a_small_city_gets_a_sample_as_dense_as_a_large_one(city):
    # Twelve of the areas, about twenty venues: 150-250 programmes and 10-15 empty areas were sized for a city of 77
    # areas, and would crowd every programme into one or two areas.
    keep = city.area_facts["area_id"] <= 12
    venues = city.venues[city.venues["area_id"] <= 12]
    programs = generate_sample(venues, city.service_sites, city.area_facts[keep], city.area_language, seed=7,
                               as_of=AS_OF)["programs.csv"]
    assert 0 < len(programs) <= 3 * len(venues)
    per_area = programs["venue_id"].map(venues.set_index("venue_id")["area_id"]).value_counts()
    assert len(per_area) >= 12 - 12 // 4 - len(NO_VENUE & set(range(1, 13)))  # at most a quarter empty on purpose


def test_types_flags_and_people(sample):
    programs = sample["programs.csv"]
    counts = programs["service_type"].value_counts()
    assert set(counts.index) == set(SERVICE_TYPES)
    assert set(counts.index[:3]) == {"peer_support", "workshop", "community_event"}
    assert 0.2 <= (programs["coordinator_count"] == 1).mean() <= 0.5
    assert (programs["volunteer_hours_year"] >= 0).all() and (programs["weekly_capacity"] > 0).all()
    for flag in ("step_free", "evening", "weekend", "free", "childcare"):
        assert set(programs[flag]) == {"true", "false"}


def test_synthetic_names(city, sample):
    programs, funding = sample["programs.csv"], sample["funding.csv"]
    assert programs["program_id"].str.startswith("SYN-P").all()
    assert funding["funding_id"].str.startswith("SYN-G").all()
    assert set(programs["organization_name"]) <= set(ORGANISATIONS)
    assert len(FUNDERS) == 25 and set(funding["funder"]) <= {f[0] for f in FUNDERS}
    assert all(" — " + loc in name for name, loc in zip(programs["name"], programs["location_name"]))
    assert programs["name"].is_unique


def test_languages_come_from_the_area(city, sample):
    programs = sample["programs.csv"]
    area = city.venues.set_index("venue_id").loc[programs["venue_id"], "area_id"].to_numpy()
    spoken = city.area_language[city.area_language["speakers"] > 0].groupby("area_id")["language"].apply(set)
    offered_other = 0
    for langs, a in zip(programs["languages"], area):
        items = langs.split(";")
        assert items[0] == "english"
        assert set(items[1:]) <= spoken[a] - {"other asian", "unspecified"}
        offered_other += len(items) > 1
    assert offered_other > 0


def test_partner_is_one_of_the_three_nearest_sites(city, sample):
    programs = sample["programs.csv"]
    sites = city.service_sites
    has = programs["professional_partner"] != ""
    assert 0.5 < has.mean() < 0.9
    scale = math.cos(math.radians(programs["latitude"].mean()))
    for _, row in programs[has].iterrows():
        dist = sorted(((s.lon - row["longitude"]) * scale) ** 2 + (s.lat - row["latitude"]) ** 2
                      for s in sites.itertuples())
        d_partner = next(((s.lon - row["longitude"]) * scale) ** 2 + (s.lat - row["latitude"]) ** 2
                         for s in sites.itertuples() if s.site_id == row["professional_partner"])
        assert d_partner <= dist[2]


def test_funding_is_plausible(sample):
    funding = sample["funding.csv"]
    assert funding["amount"].between(2_000, 250_000).all()
    median = funding.groupby("source_type")["amount"].median()
    assert median["in-kind"] < median["foundation"] and median["in-kind"] < median["local government"]
    status = funding["status"].value_counts(normalize=True)
    assert status["committed"] > 0.7 and 0 < status["pending"] < 0.2 and 0 < status["ended"] < 0.2
    start, end = pd.to_datetime(funding["start_date"]), pd.to_datetime(funding["end_date"])
    as_of = pd.Timestamp(AS_OF)
    assert ((end > as_of) & (end <= as_of + pd.DateOffset(months=18))).any()
    assert (end >= start).all()
    assert (funding.loc[funding["status"] == "ended", "end_date"] < str(AS_OF)).all()
    assert (funding.loc[funding["status"] == "pending", "start_date"] > str(AS_OF)).all()
    active = (funding["status"] == "committed") & (start <= as_of) & (end >= as_of)
    assert set(funding.loc[active, "program_id"]) == set(sample["programs.csv"]["program_id"])
    # Concentration varies: single-funder programmes beside ones with three or more, and one funder
    # behind at least a tenth of all programmes.
    funders = funding.groupby("program_id")["funder"].nunique()
    assert (funders == 1).any() and (funders >= 3).any()
    assert funding.groupby("funder")["program_id"].nunique().max() >= 0.1 * len(funders)


def test_periods_are_plausible(sample):
    per = sample["program_periods.csv"]
    assert per["participants"].between(1, 10).any()
    for column in ("participants_65plus", "participants_limited_english", "participants_disability",
                   "participants_low_income", "participants_poc"):
        assert (per[column].dropna() <= per.loc[per[column].notna(), "participants"]).all()
    measured = per["outcome_measure"] != ""
    assert set(per.loc[measured, "outcome_measure"]) == {"SWEMWBS", "UCLA-3", "BRS"}
    assert (per.loc[measured, "n_pre_post"] <= per.loc[measured, "participants"]).all()
    assert per.loc[~measured, ["n_pre_post", "mean_change", "sd_change"]].isna().all().all()
    mean = per.groupby("outcome_measure")["mean_change"].mean()
    assert mean["SWEMWBS"] > 0 > mean["UCLA-3"] and 0 < mean["BRS"] < 1
    n = per["n_pre_post"]
    assert (per.loc[measured & (n >= 1), "mean_change"].notna()).all()
    assert per.loc[measured & (n < 2), "sd_change"].isna().all()
    assert (per.loc[measured & (n >= 2), "sd_change"] > 0).all()


def test_cli_writes_and_checks_a_sample(city, tmp_path, monkeypatch, capsys):
    import core.ingest.reference

    seen = {}

    def fake_load_reference(raw_dir=None, *args, **kwargs):
        seen["raw"] = raw_dir
        return city

    monkeypatch.setattr(core.ingest.reference, "load_reference", fake_load_reference)
    parser = argparse.ArgumentParser(prog="atlas")
    inventory_cli.register(parser.add_subparsers(dest="command"))
    out = tmp_path / "inv"
    args = parser.parse_args(["sample-inventory", "--out", str(out), "--seed", "7", "--raw", "somewhere",
                              "--as-of", "2026-01-15"])
    assert args.func(args) == 0
    assert seen["raw"] == Path("somewhere")
    printed = capsys.readouterr().out
    assert "SYNTHETIC" in printed and "as of 2026-01-15" in printed
    assert _bytes(_generate(city), tmp_path / "direct") == {s.name: (out / s.name).read_bytes() for s in FILES}


def test_cli_rejects_an_ambiguous_as_of_date():
    parser = argparse.ArgumentParser(prog="atlas")
    inventory_cli.register(parser.add_subparsers(dest="command"))
    with pytest.raises(SystemExit):
        parser.parse_args(["sample-inventory", "--out", "x", "--as-of", "01/15/2026"])


def test_reach_and_backing_fields_are_plausible(sample):
    """The issue-12 fields: groups partly recorded, volunteer turnover, partner roles only with a partner, PSAT 1-7."""
    per, prog = sample["program_periods.csv"], sample["programs.csv"]
    for column in ("participants_disability", "participants_low_income", "participants_poc"):
        assert 0.7 < per[column].notna().mean() < 1.0
    assert (per["volunteers_left"] > 0).any() and (per["volunteers_joined"] > 0).any()
    partnered = prog["professional_partner"].fillna("").ne("")
    assert prog.loc[~partnered, "partner_role"].eq("").all() and prog.loc[partnered, "partner_role"].ne("").all()
    assert (per["referrals_to_professional"] <= per["participants"]).all()
    scores = prog[[c for c in prog.columns if c.startswith("psat_") and c != "psat_assessed"]]
    assert len(scores.columns) == 8 and 0.4 < scores.notna().all(axis=1).mean() < 0.8
    assert scores.stack().dropna().between(1, 7).all()
    assert (prog["psat_assessed"].ne("") == scores.notna().all(axis=1)).all()
