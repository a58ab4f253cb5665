"""The `atlas build` sub-command."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from core.store.paths import city_database_path, database_path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help="build data/atlas.duckdb from a city pack (or raw files) and the inventory")
    p.add_argument("--raw", type=Path, default=None,
                   help="folder of raw files (default ../shared/data/raw/chicago; the synthetic demo if absent)")
    p.add_argument("--inventory", type=Path, default=None,
                   help="folder with programs.csv, funding.csv, program_periods.csv (default: the synthetic sample)")
    p.add_argument("--out", type=Path, default=None, help="database file (default data/atlas.duckdb)")
    p.add_argument("--reader", choices=("chicago", "nyc"), default="chicago",
                   help="which city's raw files --raw holds (they are turned into a pack first)")
    p.add_argument("--pack", type=Path, default=None, help="a city pack folder (DESIGN §2b) to build from")
    p.add_argument("--city", default=None, metavar="SLUG",
                   help="build data/cities/SLUG.duckdb, one database of a several-city deployment")
    p.add_argument("--demo", action="store_true", help="build the synthetic demo even when raw files exist")
    p.add_argument("--seed", type=int, default=7, help="seed of the synthetic sample inventory")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from core.ingest.build import build

    started = time.perf_counter()

    def progress(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {msg}", file=sys.stderr, flush=True)

    out = args.out or (city_database_path(args.city) if args.city else database_path())
    info = build(out, args.raw, args.inventory, seed=args.seed, demo=args.demo, pack_dir=args.pack,
                 reader=args.reader, progress=progress)
    print(f"built {out} ({info['data_kind']} data, {info['inventory_kind']} inventory) "
          f"in {info['build_seconds']} s")
    return 0
