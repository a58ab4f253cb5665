"""Build time and peak memory of `atlas build` for each city: every real city beside the clone (Chicago, New York),
the synthetic demo, and the hand-made test pack, each read through its city pack (raw files → pack → database).

Usage: uv run python bench/build.py [--repeat N] [--city chicago|nyc|demo|tiny ...]
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

from core.ingest.reference import default_raw_dirs  # noqa: E402

TINY = REPO / "tests" / "packs" / "tiny"
CHILD = """
import resource, sys, time
from pathlib import Path
t = time.perf_counter()
from core.ingest.build import build
from core.ingest.reference import default_raw_dirs
t_import = time.perf_counter() - t
kind = sys.argv[2]
t = time.perf_counter()
if kind == 'demo':
    build(sys.argv[1], demo=True)
elif kind == 'tiny':
    build(sys.argv[1], pack_dir=Path(sys.argv[3]))
else:
    build(sys.argv[1], default_raw_dirs()[kind], reader=kind)
print(t_import, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def one(kind: str) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as d:
        out = subprocess.run([sys.executable, "-c", CHILD, str(Path(d) / "atlas.duckdb"), kind, str(TINY)], cwd=REPO,
                             capture_output=True, text=True, check=True)
        t_import, t_build, rss_kb = out.stdout.split()
        return float(t_import), float(t_build), float(rss_kb) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--city", action="append", default=None, help="only these (repeatable)")
    args = ap.parse_args()
    kinds = args.city or (list(default_raw_dirs()) + ["demo", "tiny"])
    print(f"{'data':8} {'runs':>4} {'build median s':>15} {'import median s':>16} {'peak RSS MB':>12}")
    for kind in kinds:
        runs = [one(kind) for _ in range(args.repeat)]
        print(f"{kind:8} {len(runs):>4} {statistics.median(r[1] for r in runs):>15.2f} "
              f"{statistics.median(r[0] for r in runs):>16.2f} {max(r[2] for r in runs):>12.0f}")


if __name__ == "__main__":
    main()
