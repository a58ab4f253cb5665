"""Build time and peak memory of `atlas build`, real Chicago data (when present) and the synthetic demo.

Usage: uv run python bench/build.py [--repeat N]
Each build runs in its own process, so its peak resident memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from core.ingest.reference import default_raw_dir  # noqa: E402

CHILD = """
import resource, sys, time
t = time.perf_counter()
from core.ingest.build import build
t_import = time.perf_counter() - t
t = time.perf_counter()
build(sys.argv[1], demo=sys.argv[2] == 'demo')
print(t_import, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def one(kind: str) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as d:
        out = subprocess.run([sys.executable, "-c", CHILD, str(Path(d) / "atlas.duckdb"), kind], cwd=REPO,
                             capture_output=True, text=True, check=True)
        t_import, t_build, rss_kb = out.stdout.split()
        return float(t_import), float(t_build), float(rss_kb) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    kinds = (["chicago"] if default_raw_dir().exists() else []) + ["demo"]
    print(f"{'data':8} {'runs':>4} {'build median s':>15} {'import median s':>16} {'peak RSS MB':>12}")
    for kind in kinds:
        runs = [one(kind) for _ in range(args.repeat)]
        print(f"{kind:8} {len(runs):>4} {statistics.median(r[1] for r in runs):>15.2f} "
              f"{statistics.median(r[0] for r in runs):>16.2f} {max(r[2] for r in runs):>12.0f}")


if __name__ == "__main__":
    main()
