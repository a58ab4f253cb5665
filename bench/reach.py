"""Time to compute the Inclusion and Volunteers & partners page models, the PSAT section and the resilience figure.

Usage: uv run python bench/reach.py [--db FILE] [--repeat N]
Builds the default atlas into a temporary folder unless --db names one. Reports the median of N runs of each step,
cold (data read from the database) and warm (from the cached data, as a filter change on the page does).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from core.store import db as store  # noqa: E402
from core.views import funding as fv  # noqa: E402
from core.views import impact as iv  # noqa: E402
from core.views import inclusion as inv  # noqa: E402
from core.views import resilience as rv  # noqa: E402
from core.views import sustainability as sv  # noqa: E402
from core.views import volunteers as vv  # noqa: E402


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = args.db
    if path is None:
        from core.ingest.build import build

        path = Path(tempfile.mkdtemp()) / "atlas.duckdb"
        build(path)
    con = store.connect(str(path), read_only=True)
    inc = inv.inclusion_data(con)
    vol = vv.volunteer_data(con)
    fund = fv.funding_data(con)
    imp = iv.impact_data(con)
    state_i, state_v = inv.InclusionState(), vv.VolunteerState()
    istate = iv.state_from_query({}, imp.types, imp.populations, imp.measures)
    views = iv.views_of(imp, istate)
    steps = {
        "inclusion data (cold)": lambda: inv.inclusion_data(con),
        "inclusion: groups + areas + programmes (warm)": lambda: (inv.group_summary(inc, state_i),
                                                                  inv.area_disparities(inc, state_i),
                                                                  inv.programme_disparities(inc, state_i)),
        "inclusion: language access + provision (warm)": lambda: (inv.language_tables(inc), inv.provision_table(inc)),
        "volunteers data (cold)": lambda: vv.volunteer_data(con),
        "volunteers: areas + programmes + roles (warm)": lambda: (vv.area_table(vol, state_v),
                                                                   vv.programme_table(vol, state_v),
                                                                   vv.role_table(vol), vv.unpartnered_table(vol)),
        "funding: PSAT section (warm)": lambda: sv.sustainability_of(fund),
        "impact: resilience figure (warm)": lambda: rv.headline(imp, istate, views),
    }
    print(f"database: {path}; {len(inc.programs)} programmes, {len(inc.periods)} programme-quarters; "
          f"median of {args.repeat}")
    for name, fn in steps.items():
        print(f"{name:50s} {_median(fn, args.repeat) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
