"""Benchmark of the Coverage and Underserved pages' warm path: recompute coverage after a filter change.

Run with ``uv run python bench/coverage_app.py [--db FILE] [--runs N]``. The model (tracts, programmes and
every tract-programme pair within an hour's walk) is built once, as ``core.serve.cache.model`` does for the app;
then ``core.analysis.coverage.compute`` runs for a cycle of filter combinations (catchment, decay, programme types,
language, evening/weekend, free), each timed on its own. Printed: median and p95 per call, overall and per
combination, and the same for what the Underserved page adds on top (the gap table against a cached need
index, its table, and its map built and serialised to JSON as ``st.pydeck_chart`` does). Target: coverage recompute under 100 ms (median).

The database defaults to ``core.store.paths.database_path()`` (env ATLAS_DB); if that file does not exist the
Chicago atlas is built into a temporary folder first (real data when the raw folder is present).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from core.analysis.coverage import PLACE_BASED_TYPES, CoverageParams, build_model, compute
from core.analysis.need import need_for
from core.store import db
from core.store.paths import database_path
from core.store.queries import areas as query_areas
from core.views import underserved as underserved_view

TARGET_MS = 100.0


def combinations(languages: list[str]) -> list[tuple[str, CoverageParams]]:
    """The filter changes a reader makes on the Coverage page, one after another."""
    lang = languages[0] if languages else None
    return [
        ("default (30 min, step, place-based)", CoverageParams()),
        ("catchment 15 min", CoverageParams(d0=15.0)),
        ("catchment 45 min, gaussian", CoverageParams(d0=45.0, decay="gaussian")),
        ("workshops + drop-ins", CoverageParams(types=("workshop", "drop_in"))),
        ("peer support only, 60 min", CoverageParams(d0=60.0, types=("peer_support",))),
        (f"language {lang}", CoverageParams(language=lang)),
        ("evening or weekend, free", CoverageParams(evening_or_weekend=True, free_only=True)),
        ("classic 2SFCA, all types incl. helplines",
         CoverageParams(decay="none", types=PLACE_BASED_TYPES + ("helpline",))),
    ]


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=None, help="atlas database (default: ATLAS_DB or data/atlas.duckdb)")
    parser.add_argument("--runs", type=int, default=40, help="timed runs of each filter combination")
    opts = parser.parse_args()

    path = opts.db or database_path()
    tmp = None
    if not path.exists():
        from core.ingest.build import build

        tmp = tempfile.TemporaryDirectory()
        path = Path(tmp.name) / "atlas.duckdb"
        print(f"no database at {opts.db or database_path()}; building the atlas into {path} ...", flush=True)
        build(path, None, None)
    con = db.connect(path, read_only=True)

    t = time.perf_counter()
    model = build_model(con)
    cold = time.perf_counter() - t
    languages = sorted({x for ls in model.programs["languages"].str.split(";") for x in ls if x and x != "english"})
    combos = combinations(languages)
    ni = need_for(con)
    geo = query_areas(con)

    print(__doc__.split("\n\n")[0])
    print(f"database {path}: {len(model.tracts):,} tracts, {len(model.programs):,} active programmes, "
          f"{len(model.pairs):,} tract-programme pairs within 60 min; model built in {cold * 1e3:.0f} ms (cold, once)")

    for _, params in combos:  # warm-up: first calls pay for imports and allocator growth
        compute(model, params)

    per_combo: dict[str, list[float]] = {name: [] for name, _ in combos}
    page_extra: list[float] = []
    # Interleave the combinations, as a reader flipping filters would, rather than repeating one.
    for _ in range(opts.runs):
        for name, params in combos:
            t = time.perf_counter()
            result = compute(model, params)
            per_combo[name].append((time.perf_counter() - t) * 1e3)
        t = time.perf_counter()
        gap = underserved_view.underserved(ni, result)
        underserved_view.area_table(gap)
        underserved_view.gap_map(geo, gap).to_json()  # st.pydeck_chart sends the deck as JSON
        page_extra.append((time.perf_counter() - t) * 1e3)

    every = [x for xs in per_combo.values() for x in xs]
    print(f"\n{len(every):,} timed recomputes ({opts.runs} runs x {len(combos)} filter combinations):")
    print(f"{'filter combination':44} {'median ms':>10} {'p95 ms':>8}")
    for name, xs in per_combo.items():
        print(f"{name:44} {statistics.median(xs):>10.2f} {percentile(xs, 95):>8.2f}")
    med, p95 = statistics.median(every), percentile(every, 95)
    print(f"{'ALL':44} {med:>10.2f} {p95:>8.2f}")
    verdict = "meets" if med < TARGET_MS else "MISSES"
    print(f"\ncoverage recompute after a filter change: median {med:.2f} ms, p95 {p95:.2f} ms "
          f"({verdict} the {TARGET_MS:.0f} ms target; {TARGET_MS / med:.0f}x headroom)")
    print(f"Underserved page on top (gap table, its table, bivariate map built and serialised): median "
          f"{statistics.median(page_extra):.2f} ms, p95 {percentile(page_extra, 95):.2f} ms")
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    con.close()
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
