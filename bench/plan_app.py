"""Benchmark for the Plan page end to end: weights, candidates, MCLP and greedy, and the coverage recompute.

Runs ``core.views.plan.solve`` for k new sites on the atlas database (real Chicago when built from the raw
files): 801 tracts, the city's 115 candidate venues, a 30-minute walk. The coverage model and the need
index are built once, as the app caches them per database version; their build time is printed apart.
The first solve also pays for importing spopt and is printed apart too. Prints medians; asserts nothing.

    uv run python bench/plan_app.py [--db data/atlas.duckdb] [--k 5] [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.analysis import coverage
from core.analysis.need import need_for
from core.store import db, queries
from core.store.paths import database_path
from core.views import plan as pv


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=str(database_path()), help="atlas database (default: ATLAS_DB or data/)")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--d0", type=float, default=30.0)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--priority-only", action="store_true")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore", message=".*PuLP 4.0", category=DeprecationWarning)

    con = db.connect(args.db, read_only=True)
    info = queries.build_info(con)
    t0 = time.perf_counter()
    model = coverage.build_model(con)
    need = need_for(con).index
    venues = queries.venues(con)
    t_setup = time.perf_counter() - t0
    params = pv.PlanParams(k=args.k, d0=args.d0, priority_only=args.priority_only)
    print(f"database: {args.db} ({info.get('data_kind')}, inventory {info.get('inventory_kind')})")
    print(f"case: {len(model.tracts)} tracts x {len(venues)} candidate venues; {args.d0:g}-minute walk; k={args.k}"
          f"{'; priority areas only' if args.priority_only else ''}")
    print(f"cached per database version (not per solve): coverage model + need index + venues {t_setup:.2f} s")

    t0 = time.perf_counter()
    pv.solve(model, need, venues, params)
    print(f"first solve incl. importing spopt/pulp: {time.perf_counter() - t0:.2f} s")

    totals, parts = [], {}
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        r = pv.solve(model, need, venues, params)
        totals.append(time.perf_counter() - t0)
        for name, s in r.seconds.items():
            parts.setdefault(name, []).append(s)
    med = statistics.median(totals)
    print(f"solve end to end: median {med:.3f} s (min {min(totals):.3f}, max {max(totals):.3f}, n={args.repeats})")
    for name, xs in parts.items():
        print(f"  {name:<24} median {statistics.median(xs) * 1000:8.1f} ms")
    m, g = r.optimal.covered_weight, r.baseline.covered_weight
    print(f"need-weighted residents covered: MCLP {m:,.0f}, greedy {g:,.0f} "
          f"(MCLP/greedy = {m / g if g else float('nan'):.4f}); status {r.optimal.status}")
    print(f"residents newly within reach: MCLP {r.residents_new:,.0f}, greedy {r.residents_new_greedy:,.0f}")
    print(f"picks: {r.picks['Venue'].tolist()}")
    print(f"target: end-to-end median < 5 s -> {'met' if med < 5 else 'NOT met'}")


if __name__ == "__main__":
    main()
