"""The `atlas pack CITY` and `atlas check-pack DIR` sub-commands: make a city pack from raw files, or check one."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

READERS = ("chicago", "nyc", "demo")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pack", help="turn a city's raw public files into a city pack (DESIGN §2b)")
    p.add_argument("city", choices=READERS, help="which reader: chicago, nyc, or demo (synthetic, no raw files)")
    p.add_argument("--raw", type=Path, default=None, help="folder of the city's raw files (not needed for demo)")
    p.add_argument("--out", type=Path, required=True, help="folder to write the pack into")
    p.set_defaults(func=run_pack)
    c = sub.add_parser("check-pack", help="validate a city pack and print what a build would drop; builds nothing")
    c.add_argument("pack", type=Path, help="the pack folder")
    c.set_defaults(func=run_check)


def run_pack(args: argparse.Namespace) -> int:
    from core.base.errors import InputError
    from core.ingest.pack_read import check_pack, pack_summary

    started = time.perf_counter()

    def progress(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {msg}", file=sys.stderr, flush=True)

    if args.city != "demo" and args.raw is None:
        raise InputError("--raw", None, None, f"`atlas pack {args.city}` needs --raw DIR, the folder of raw files")
    if args.city == "chicago":
        from core.ingest.pack_chicago import make_chicago_pack
        make_chicago_pack(args.raw, args.out, progress)
    elif args.city == "nyc":
        from core.ingest.pack_nyc import make_nyc_pack
        make_nyc_pack(args.raw, args.out, progress)
    else:
        from core.ingest.pack_demo import make_demo_pack
        make_demo_pack(args.out, progress=progress)
    # A pack a reader wrote is checked by the same reader every build uses, so a bad one never leaves here quietly.
    print(pack_summary(check_pack(args.out)), end="")
    print(f"wrote the {args.city} city pack to {args.out}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from core.ingest.pack_read import check_pack, pack_summary

    print(pack_summary(check_pack(args.pack)), end="")
    return 0
