"""Benchmark for the Plan page: MCLP (spopt + CBC) against greedy on a Chicago-sized siting problem.

Demand is Chicago's census tracts (centroid, population x SVI percentile as the need weight); candidates
are the city's cooling centres; the catchment is 30 minutes on foot, haversine x 1.3 at 4.8 km/h.
Without the raw files it falls back to libpysal's Chicago77 community areas and seeded random
candidates, so it always runs. Prints medians; it asserts nothing.

    uv run python bench/plan.py [--k 5] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.analysis.siting import coverage_matrix, greedy, mclp

RAW = Path("/work/shared/data/raw/chicago")
TRACTS = RAW / "Chicago Health Atlas Data Download - Census Tracts.csv"
COOLING = RAW / "cooling-centers.geojson"
CIRCUITY, WALK_KMH, D0 = 1.3, 4.8, 30.0


def walking_minutes(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Dense matrix of haversine km x circuity / walking speed, in minutes."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    dlat = lat2[None, :] - lat1[:, None]
    dlon = lon2[None, :] - lon1[:, None]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat1)[:, None] * np.cos(lat2)[None, :] * np.sin(dlon / 2) ** 2
    km = 2 * 6371.0088 * np.arcsin(np.sqrt(a))
    return km * CIRCUITY / WALK_KMH * 60


def chicago_like_case(seed: int = 0):
    """(weights, demand lon/lat, candidate lon/lat, description)."""
    rng = np.random.default_rng(seed)
    if TRACTS.exists():
        t = pd.read_csv(TRACTS, low_memory=False)
        t = t[t["Layer"] == "Census tract"]
        pop = pd.to_numeric(t["Population"], errors="coerce")
        svi = pd.to_numeric(t["SVI_2020"], errors="coerce").fillna(50.0)
        ok = pop > 0
        lon = pd.to_numeric(t["Longitude"])[ok].to_numpy()
        lat = pd.to_numeric(t["Latitude"])[ok].to_numpy()
        weights = (pop[ok] * svi[ok] / 100).to_numpy()
        demand_desc = f"{ok.sum()} census tracts"
    else:
        import geopandas as gpd
        import libpysal

        g = gpd.read_file(libpysal.examples.get_path("Chicago77.shp")).set_crs(3435, allow_override=True)
        pts = g.geometry.centroid.to_crs(4326)
        lon, lat = pts.x.to_numpy(), pts.y.to_numpy()
        weights = rng.uniform(5_000, 60_000, size=len(lon))
        demand_desc = f"{len(lon)} Chicago77 community areas (fallback)"
    if COOLING.exists():
        feats = json.loads(COOLING.read_text())["features"]
        xy = np.array([f["geometry"]["coordinates"][:2] for f in feats if f.get("geometry")], dtype=float)
        c_lon, c_lat = xy[:, 0], xy[:, 1]
        cand_desc = f"{len(xy)} cooling centres"
    else:
        c_lon = rng.uniform(lon.min(), lon.max(), 224)
        c_lat = rng.uniform(lat.min(), lat.max(), 224)
        cand_desc = "224 seeded random candidates (fallback)"
    return weights, (lon, lat), (c_lon, c_lat), f"{demand_desc} x {cand_desc}"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--d0", type=float, default=D0, help="catchment in minutes (default 30)")
    ap.add_argument("--stock", action="store_true", help="also time stock spopt MCLP.from_cost_matrix once")
    args = ap.parse_args(argv)

    weights, (lon, lat), (c_lon, c_lat), desc = chicago_like_case()
    t0 = time.perf_counter()
    covers = coverage_matrix(walking_minutes(lon, lat, c_lon, c_lat), d0=args.d0)
    t_cov = time.perf_counter() - t0
    print(f"case: {desc}; {args.d0:g}-minute walk; k={args.k}")
    print(f"coverage matrix {covers.shape}: {t_cov * 1000:.1f} ms, {covers.mean():.1%} of pairs within reach")

    # The first solve pays for importing spopt and pulp (spopt pulls in libpysal, pointpats, sklearn);
    # report it apart from the steady-state solve time the Plan page sees on later requests.
    t0 = time.perf_counter()
    mclp(weights, covers, args.k, time_limit=20)
    print(f"first MCLP call incl. importing spopt/pulp: {time.perf_counter() - t0:.2f} s")

    m_times, g_times = [], []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        m = mclp(weights, covers, args.k, time_limit=20)
        m_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        g = greedy(weights, covers, args.k)
        g_times.append(time.perf_counter() - t0)
    mt, gt = statistics.median(m_times), statistics.median(g_times)
    print(f"MCLP   median {mt:8.3f} s  (min {min(m_times):.3f}, max {max(m_times):.3f})  status: {m.status}")
    print(f"greedy median {gt:8.4f} s")
    print(f"time ratio MCLP/greedy: {mt / gt:.0f}x")
    print(
        f"covered weight: MCLP {m.covered_weight:,.0f} ({m.share:.2%}), greedy {g.covered_weight:,.0f} "
        f"({g.share:.2%}); MCLP gains {m.covered_weight - g.covered_weight:,.0f} "
        f"(+{(m.covered_weight / g.covered_weight - 1) if g.covered_weight else 0:.2%})"
    )
    print(f"MCLP picks   {m.chosen} gains {[round(x) for x in m.gains]}")
    print(f"greedy picks {g.chosen} gains {[round(x) for x in g.gains]}")
    print(f"target: MCLP median < 5 s -> {'met' if mt < 5 else 'NOT met'}")

    if args.stock:
        import pulp
        from spopt.locate import MCLP

        t0 = time.perf_counter()
        stock = MCLP.from_cost_matrix(np.where(covers, 0.0, 1.0), weights, service_radius=0.5, p_facilities=args.k)
        t_build = time.perf_counter() - t0
        stock.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=20))
        t_all = time.perf_counter() - t0
        sites = [j for j, v in enumerate(stock.fac_vars) if v.value() > 0.5]
        print(
            f"stock spopt from_cost_matrix: build {t_build:.2f} s, build+solve {t_all:.2f} s, "
            f"covered {weights[covers[:, sites].any(axis=1)].sum():,.0f}"
        )


if __name__ == "__main__":
    main()
