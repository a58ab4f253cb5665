"""The `atlas` console script: build the database, write a sample inventory, run the coverage method, serve."""

from __future__ import annotations

import argparse
import sys

from core.base.errors import InputError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="atlas", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    from core.cli import build as build_cli
    from core.cli import coverage as coverage_cli
    from core.cli import inventory as inventory_cli
    from core.cli import pack as pack_cli
    from core.cli import serve as serve_cli

    build_cli.register(sub)
    inventory_cli.register(sub)
    coverage_cli.register(sub)
    serve_cli.register(sub)
    pack_cli.register(sub)

    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

