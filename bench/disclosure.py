"""Time of the Impact page's views for one filter choice, with the linked-set protection (cold, per choice).

Run with ``uv run python bench/disclosure.py --db PATH [--states N]``. Each random filter choice is computed once,
so every figure includes the protection's linear programs (the page then remembers the choice's protection).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.store import db  # noqa: E402
from core.views import impact as iv  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--states", type=int, default=40)
    args = parser.parse_args()
    con = db.connect(Path(args.db), read_only=True)
    data = iv.impact_data(con)
    rng = random.Random(1)
    ms = []
    for _ in range(args.states):
        state = iv.ImpactState(tuple(rng.sample(data.types, rng.choice([0, 1, 2]))),
                               tuple(rng.sample(data.populations, rng.choice([0, 0, 1]))),
                               rng.choice(iv.QUARTER_CHOICES), rng.choice(data.measures))
        t = time.perf_counter()
        iv.views_of(data, state)
        ms.append((time.perf_counter() - t) * 1000)
    print(f"views_of over {len(ms)} filter choices: median {statistics.median(ms):.0f} ms, "
          f"p95 {np.percentile(ms, 95):.0f} ms, max {max(ms):.0f} ms")
    con.close()


if __name__ == "__main__":
    main()
