"""Benchmark of a funding-scenario recompute on the Chicago atlas, warm: the coverage model is built once.

Run with ``uv run python bench/scenario.py [--db PATH] [--repeats N]``. Without ``--db`` it uses
``ATLAS_DB`` / ``data/atlas.duckdb`` if present, else builds an atlas into a temporary folder first.

What one recompute is (what the Funding page does on every change of a scenario widget):
``core.analysis.scenario_coverage.scenario_coverage`` = ``core.analysis.scenario.apply_scenario`` (budget lost and capacity
after, per programme) + ``core.analysis.coverage.compute`` twice (before and after, same model and parameters)
+ the area, group and published (small-number protected) tables. The scenarios cycle through the
largest funders, every source type and three "ends before" dates, in close and shrink modes.

Printed: model build time (cold, once), then median and p95 of the full recompute, of the recompute
with the "before" coverage reused, and of its parts. Target: full recompute under 500 ms.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.analysis import coverage  # noqa: E402
from core.analysis.funding import SOURCE_TYPES, shift_months  # noqa: E402
from core.analysis.scenario import Scenario, apply_scenario  # noqa: E402
from core.analysis.scenario_coverage import scenario_coverage  # noqa: E402
from core.store import db, queries  # noqa: E402
from core.views.funding import funding_data  # noqa: E402

TARGET_MS = 500.0


def atlas_path(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    from core.store.paths import database_path

    path = database_path()
    if path.exists():
        return path
    from core.ingest.build import build

    out = Path(tempfile.mkdtemp(prefix="atlas-bench-")) / "atlas.duckdb"
    print(f"no atlas at {path}; building one at {out} …", flush=True)
    build(out, None, None, as_of=date(2026, 10, 1))
    return out


def scenarios(funders: list[str], as_of) -> list[Scenario]:
    ends = [date.fromordinal(date(1970, 1, 1).toordinal() + shift_months(as_of, m)) for m in (6, 12, 24)]
    kinds = ([("funder", f) for f in funders[:6]] + [("source_type", s) for s in SOURCE_TYPES]
             + [("ends_before", d) for d in ends])
    return [Scenario(k, v, threshold=t, mode=m)
            for (k, v), t, m in itertools.product(kinds, (0.5, 0.25), ("close", "shrink"))]


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def report(name: str, ms: list[float]) -> float:
    median, p95 = statistics.median(ms), float(np.percentile(ms, 95))
    print(f"  {name:<46} median {median:7.1f} ms   p95 {p95:7.1f} ms   (n = {len(ms)})")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="atlas database (default: ATLAS_DB or data/atlas.duckdb, else build one)")
    parser.add_argument("--repeats", type=int, default=2, help="passes over the scenario list")
    args = parser.parse_args()

    path = atlas_path(args.db or os.environ.get("ATLAS_DB"))
    con = db.connect(path, read_only=True)
    as_of = queries.build_info(con)["as_of"]
    t = time.perf_counter()
    model = coverage.build_model(con)
    build_ms = (time.perf_counter() - t) * 1000
    funding = queries.funding(con)
    funders = funding_data(con).funders  # every funder, the one underwriting most places first
    cases = scenarios(funders, as_of)
    params = coverage.CoverageParams()
    print(f"atlas {path}: {len(model.tracts)} tracts, {len(model.programs)} programmes, {len(model.pairs):,} pairs "
          f"within {coverage.MAX_CATCHMENT:.0f} min, {len(funding)} grants; as of {as_of}")
    print(f"coverage model built once (cold): {build_ms:.0f} ms; {len(cases)} scenarios x {args.repeats} passes")

    # One untimed pass warms numpy/pandas code paths, as a running app is warm.
    scenario_coverage(model, funding, cases[0], as_of, params)
    full, reuse, apply_ms, compute_ms = [], [], [], []
    before = coverage.compute(model, params)
    for s in cases * args.repeats:
        full += timed(lambda: scenario_coverage(model, funding, s, as_of, params), 1)
        reuse += timed(lambda: scenario_coverage(model, funding, s, as_of, params, before=before), 1)
        apply_ms += timed(lambda: apply_scenario(model.programs, funding, s, as_of), 1)
        compute_ms += timed(lambda: coverage.compute(model, params), 1)
    print("warm scenario recompute:")
    median = report("full (apply + compute before and after)", full)
    report("with the 'before' coverage reused", reuse)
    report("  part: apply_scenario", apply_ms)
    report("  part: coverage.compute (one run)", compute_ms)
    verdict = "meets" if median < TARGET_MS else "MISSES"
    print(f"target: full recompute median < {TARGET_MS:.0f} ms: {verdict} ({median:.0f} ms; "
          f"{TARGET_MS / median:.1f}x headroom)")


if __name__ == "__main__":
    main()
