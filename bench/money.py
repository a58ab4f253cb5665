"""The distribution of the secured ratio, runway and budget sources over the programmes the Funding page shows.

Run with ``uv run python bench/money.py --db PATH``. Prints, for the active programmes of that atlas as of its
build date: how each annual budget was found, quantiles of the secured ratio, how many programmes are over
100% and 150% secured, and the runway in bands. Used to compare the money definitions before and after a change.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.store import db  # noqa: E402
from core.views.funding import funding_data, overview_of  # noqa: E402

RUNWAY_BANDS = [-0.5, 0.5, 3.5, 6.5, 12.5, 24.5, 35.5, 36.5]
RUNWAY_LABELS = ["0", "1-3", "4-6", "7-12", "13-24", "25-35", "36 (capped)"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="atlas database")
    args = parser.parse_args()
    con = db.connect(Path(args.db), read_only=True)
    data = funding_data(con)
    m = overview_of(data).metrics
    print(f"atlas {args.db}: {len(m)} active programmes as of {data.as_of}")
    print("budget from:", m["budget_source"].value_counts().to_dict())
    ratio = m["secured_ratio"].dropna() * 100
    q = ratio.quantile([0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]).round(0)
    print("secured ratio (%): " + ", ".join(f"p{int(k * 100)} {v:,.0f}" for k, v in q.items()))
    print(f"  over 100%: {(ratio > 100).sum()} of {len(ratio)};  over 150%: {(ratio > 150).sum()};  "
          f"under 50%: {(ratio < 50).sum()}")
    runway = m["runway_months"].dropna().astype(float)
    bands = pd.cut(runway, RUNWAY_BANDS, labels=RUNWAY_LABELS).value_counts().reindex(RUNWAY_LABELS)
    print("runway (months): " + ", ".join(f"{k}: {v}" for k, v in bands.items())
          + f";  median {np.median(runway):.0f}")
    print(f"at risk (runway <= 12 months): {int(m['at_risk'].sum())} of {len(m)}")
    con.close()


if __name__ == "__main__":
    main()
