"""Benchmark of the coverage engine (core.analysis.travel + core.analysis.e2sfca) against PySAL access, at three sizes.

Run with ``uv run python bench/coverage.py``. Each case runs in its own subprocess so that its peak
memory (ru_maxrss) is its own. Printed per case: our median time from points (spatial join + E2SFCA)
and from the same cost table access is given (table -> pairs -> E2SFCA), access's median time, the
ratio, the largest absolute and relative difference, and the peak memory. Then the warm recompute
on the Chicago case: pairs built once at 60 minutes, programme filter changed, E2SFCA recomputed.

Targets: >= 20x faster than access at 10,000 x 2,000; national (85,000 x 30,000) under 10 s and 2 GB;
warm recompute under 100 ms.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from core.analysis.e2sfca import e2sfca, within_reach
from core.analysis.travel import pairs_from_matrix, pairs_within_haversine

CHICAGO_TRACTS = Path("/work/shared/data/raw/chicago/Chicago Health Atlas Data Download - Census Tracts.csv")
D0 = 30.0
STEP = {D0 / 3: 1.0, 2 * D0 / 3: 0.68, D0: 0.22}

CASES = {
    # name: (label, repeats for ours, repeats for access or 0 to skip access)
    "chicago": ("Chicago tracts x 200 programmes", 7, 5),
    "metro": ("10,000 x 2,000 (metro area)", 7, 3),
    "national": ("85,000 x 30,000 (US, clustered)", 3, 0),
}


# --- synthetic and real inputs, all seeded -------------------------------------------------------------


def clustered(n: int, rng, centres: np.ndarray, weights: np.ndarray, sigma_km: np.ndarray):
    """Points scattered around city centres: a centre by Zipf weight, then a normal offset in km."""
    c = rng.choice(len(centres), size=n, p=weights)
    dx, dy = rng.normal(size=n) * sigma_km[c], rng.normal(size=n) * sigma_km[c]
    lat = centres[c, 1] + dy / 111.2
    lon = centres[c, 0] + dx / (111.2 * np.cos(np.radians(centres[c, 1])))
    return lon, lat


def urban_system(rng, k: int, lon_range, lat_range, sigma_small: float, sigma_big: float):
    centres = np.column_stack([rng.uniform(*lon_range, k), rng.uniform(*lat_range, k)])
    weights = 1.0 / np.arange(1, k + 1)
    weights /= weights.sum()
    # Bigger cities sprawl further, but stay dense enough that a 30-minute walk reaches dozens of tracts.
    sigma = sigma_small + sigma_big * np.sqrt(weights / weights.max())
    return centres, weights, sigma


def chicago_inputs():
    import geopandas as gpd
    import shapely

    # Only libpysal's bundled file is needed, and importing libpysal itself takes seconds.
    path = Path(importlib.util.find_spec("libpysal").origin).parent / "examples" / "chicago" / "Chicago77.shp"
    city = gpd.read_file(path).set_crs(3435).to_crs(4326).union_all()  # Illinois State Plane East, feet
    rng = np.random.default_rng(2024)
    x0, y0, x1, y1 = city.bounds
    x, y = rng.uniform(x0, x1, 2000), rng.uniform(y0, y1, 2000)
    inside = shapely.contains_xy(city, x, y)
    s_lon, s_lat = x[inside][:200], y[inside][:200]
    if CHICAGO_TRACTS.exists():
        df = pd.read_csv(CHICAGO_TRACTS, dtype=str)
        df = df[df["Layer"] == "Census tract"]
        d_lon, d_lat = df["Longitude"].astype(float).to_numpy(), df["Latitude"].astype(float).to_numpy()
        pop = df["Population"].astype(float).to_numpy()
    else:  # the public tract file is not on this machine: seeded points in the city instead
        x, y = rng.uniform(x0, x1, 4000), rng.uniform(y0, y1, 4000)
        inside = shapely.contains_xy(city, x, y)
        d_lon, d_lat = x[inside][:801], y[inside][:801]
        pop = rng.integers(500, 8000, len(d_lon)).astype(float)
    cap = rng.integers(5, 80, len(s_lon)).astype(float)
    return d_lon, d_lat, pop, s_lon, s_lat, cap


def make_inputs(case: str):
    if case == "chicago":
        return chicago_inputs()
    rng = np.random.default_rng({"metro": 10, "national": 85}[case])
    if case == "metro":
        system = urban_system(rng, 15, (-88.2, -87.6), (41.6, 42.1), 2.0, 6.0)
        n_d, n_s = 10_000, 2_000
    else:
        system = urban_system(rng, 400, (-123.0, -68.0), (26.0, 48.0), 1.5, 6.0)
        n_d, n_s = 85_000, 30_000
    d_lon, d_lat = clustered(n_d, rng, *system)
    s_lon, s_lat = clustered(n_s, rng, *system)
    pop = rng.integers(500, 8000, n_d).astype(float)
    cap = rng.integers(5, 60, n_s).astype(float)
    return d_lon, d_lat, pop, s_lon, s_lat, cap


def cost_table(d_lon, d_lat, pop, s_lon, s_lat):
    """The identical input both sides get: a travel-time table of the pairs within d0.

    access returns S/0 = inf for a programme whose catchment has no people, where DESIGN §3 says R = 0;
    such programmes are dropped from the table, which is the same thing as R = 0 and keeps the
    comparison meaningful. (With tract populations and 30-minute walks there are few or none.)
    """
    pairs = pairs_within_haversine(d_lon, d_lat, s_lon, s_lat, D0)
    has_people = np.bincount(pairs.j, weights=pop[pairs.i], minlength=len(s_lon)) > 0
    keep = has_people[pairs.j]
    demand_ids = np.array([f"d{k}" for k in range(len(d_lon))], dtype=object)
    supply_ids = np.array([f"s{k}" for k in range(len(s_lon))], dtype=object)
    table = pd.DataFrame(
        {"origin": demand_ids[pairs.i[keep]], "destination": supply_ids[pairs.j[keep]], "minutes": pairs.minutes[keep]}
    )
    return table, demand_ids, supply_ids, has_people


# --- one case, in a subprocess -----------------------------------------------------------------------------


def median_time(fn, repeats: int):
    times, result = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def worker(case: str, impl: str, out: Path) -> dict:
    _, ours_repeats, access_repeats = CASES[case]
    d_lon, d_lat, pop, s_lon, s_lat, cap = make_inputs(case)
    report = {"n_demand": len(d_lon), "n_supply": len(s_lon)}

    if impl == "ours":
        report["rss_before_mb"] = rss_mb()

        def from_points():
            pairs = pairs_within_haversine(d_lon, d_lat, s_lon, s_lat, D0)
            return pairs, e2sfca(pop, cap, pairs, d0=D0, decay="step")

        report["points_s"], (pairs, _) = median_time(from_points, ours_repeats)
        report["n_pairs"] = len(pairs)
        report["e2sfca_only_s"], _ = median_time(lambda: e2sfca(pop, cap, pairs, d0=D0), ours_repeats)
        report["peak_mb"] = rss_mb()
        if access_repeats:
            table, demand_ids, supply_ids, has_people = cost_table(d_lon, d_lat, pop, s_lon, s_lat)
            report["programmes_without_people"] = int((~has_people).sum())

            def from_table():
                p = pairs_from_matrix(table, demand_ids, supply_ids, D0)
                return e2sfca(pop, cap, p, d0=D0, decay="step")

            report["table_s"], result = median_time(from_table, ours_repeats)
            np.save(out, result)
        if case == "chicago":
            report.update(warm_recompute(d_lon, d_lat, pop, s_lon, s_lat, cap))
    else:
        from access import Access, weights

        table, demand_ids, supply_ids, has_people = cost_table(d_lon, d_lat, pop, s_lon, s_lat)
        report["rss_before_mb"] = rss_mb()

        def run_access():
            model = Access(
                demand_df=pd.DataFrame({"geoid": demand_ids, "pop": pop}),
                demand_index="geoid",
                demand_value="pop",
                supply_df=pd.DataFrame({"geoid": supply_ids[has_people], "cap": cap[has_people]}),
                supply_index="geoid",
                supply_value="cap",
                cost_df=table,
                cost_origin="origin",
                cost_dest="destination",
                cost_name="minutes",
            )
            res = model.enhanced_two_stage_fca(name="a", max_cost=D0, weight_fn=weights.step_fn(STEP))
            return res["a_cap"].reindex(demand_ids).fillna(0.0).to_numpy(dtype=float)

        report["access_s"], result = median_time(run_access, access_repeats)
        report["peak_mb"] = rss_mb()
        np.save(out, result)
    return report


def warm_recompute(d_lon, d_lat, pop, s_lon, s_lat, cap) -> dict:
    """What the Coverage page does when a user ticks a programme type: pairs already cached at 60 min."""
    rng = np.random.default_rng(1)
    t = time.perf_counter()
    pairs60 = pairs_within_haversine(d_lon, d_lat, s_lon, s_lat, 60.0)
    cold = time.perf_counter() - t
    masks = [rng.random(len(s_lon)) < 0.7 for _ in range(101)]
    times, times_restrict = [], []
    for mask in masks:
        t = time.perf_counter()
        e2sfca(pop, cap, pairs60, d0=D0, supply_mask=mask)
        within_reach(pairs60, D0, supply_mask=mask)
        times.append(time.perf_counter() - t)
        t = time.perf_counter()
        narrow = pairs60.restrict(D0, supply_mask=mask)
        e2sfca(pop, cap, narrow, d0=D0)
        times_restrict.append(time.perf_counter() - t)
    return {
        "warm_pairs60_s": cold,
        "warm_n_pairs60": len(pairs60),
        "warm_mask_s": statistics.median(times),
        "warm_restrict_s": statistics.median(times_restrict),
    }


# --- the parent: run every case, print the table --------------------------------------------------------


def run_case(case: str, impl: str, tmp: Path) -> tuple[dict, np.ndarray | None]:
    out = tmp / f"{case}-{impl}.npy"
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", case, impl, str(out)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{case}/{impl} failed:\n{proc.stderr}")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    return report, (np.load(out) if out.exists() else None)


def main() -> None:
    print(__doc__.split("\n\n")[0])
    print(f"catchment d0 = {D0:g} min, step decay; medians of repeated runs; each case in its own process\n")
    header = (
        f"{'case':34} {'pairs':>10} {'ours pts':>9} {'ours tbl':>9} {'ours E2':>9} {'access':>9} {'ratio':>7} "
        f"{'ratio E2':>9} {'max|diff|':>10} {'max rel':>9} {'peak ours':>10} {'peak acc':>9}"
    )
    print(header)
    print("-" * len(header))
    chicago_report = national = None
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for case, (label, _, access_repeats) in CASES.items():
            ours, ours_result = run_case(case, "ours", tmp)
            if case == "chicago":
                chicago_report = ours
                label = label.replace("Chicago tracts", f"Chicago {ours['n_demand']} tracts")
            if case == "national":
                national = ours
            cells = [
                f"{label:34}",
                f"{ours['n_pairs']:>10,}",
                f"{ours['points_s'] * 1e3:>7.1f}ms",
                f"{ours['table_s'] * 1e3:>7.1f}ms" if access_repeats else f"{'-':>9}",
                f"{ours['e2sfca_only_s'] * 1e3:>7.2f}ms",
            ]
            if access_repeats:
                acc, acc_result = run_case(case, "access", tmp)
                diff = np.abs(ours_result - acc_result)
                rel = diff / np.maximum(np.abs(acc_result), np.finfo(float).tiny)
                rel[diff == 0] = 0.0
                cells += [
                    f"{acc['access_s'] * 1e3:>7.0f}ms",
                    f"{acc['access_s'] / ours['table_s']:>6.0f}x",
                    f"{acc['access_s'] / ours['e2sfca_only_s']:>8.0f}x",
                    f"{diff.max():>10.2e}",
                    f"{rel.max():>9.2e}",
                    f"{ours['peak_mb']:>8.0f}MB",
                    f"{acc['peak_mb']:>7.0f}MB",
                ]
            else:
                cells += [
                    f"{'not run':>9}",
                    f"{'-':>7}",
                    f"{'-':>9}",
                    f"{'-':>10}",
                    f"{'-':>9}",
                    f"{ours['peak_mb']:>8.0f}MB",
                    f"{'-':>9}",
                ]
            print(" ".join(cells), flush=True)
    print()
    print("ours pts = points -> haversine pairs (k-d tree) -> E2SFCA, end to end (access has no such step);")
    print("ours tbl = the same cost table access gets -> pairs (id matching, checks) -> E2SFCA;")
    print("ours E2  = E2SFCA alone on pairs already built (what a page does on a parameter change);")
    print("ratio = access / ours tbl; ratio E2 = access / ours E2; diffs are ours vs access on every demand point.")
    print("peak = the process's ru_maxrss, including Python, numpy, pandas and scipy themselves.")
    print(
        f"national: {national['n_demand']:,} x {national['n_supply']:,}, {national['n_pairs']:,} pairs within "
        f"{D0:g} min; process RSS before the run {national['rss_before_mb']:.0f} MB"
    )
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    r = chicago_report
    print(
        f"\nwarm recompute, Chicago ({r['n_demand']} x {r['n_supply']}): pairs built once at 60 min "
        f"({r['warm_n_pairs60']:,} pairs, {r['warm_pairs60_s'] * 1e3:.1f} ms), then per programme-filter change:"
    )
    print(f"  e2sfca(d0=30, supply_mask) + within_reach: median {r['warm_mask_s'] * 1e3:.3f} ms")
    print(f"  restrict(30, supply_mask) + e2sfca:        median {r['warm_restrict_s'] * 1e3:.3f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", nargs=3, metavar=("CASE", "IMPL", "OUT"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        case, impl, out = options.worker
        print(json.dumps(worker(case, impl, Path(out))))
    else:
        main()
