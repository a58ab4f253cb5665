"""The `atlas sample-inventory` sub-command: write a seeded SYNTHETIC inventory at the city's real venues."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date written YYYY-MM-DD, got {text!r}") from None


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``sample-inventory`` sub-command to an argparse ``subparsers`` object, with ``func=run``.

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="atlas")
    >>> _ = register(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["sample-inventory", "--out", "inv", "--as-of", "2026-01-15"])
    >>> args.seed, args.as_of, args.func is run
    (7, datetime.date(2026, 1, 15), True)
    """
    p = subparsers.add_parser(
        "sample-inventory",
        help="write a synthetic programmes & funding inventory (programs.csv, funding.csv, program_periods.csv)",
        description=(
            "Write a plainly SYNTHETIC programme & funding inventory, placed at the city's real venues, then "
            "check it with the same loader a real inventory goes through. The same seed, reference data and "
            "--as-of give byte-identical files."
        ),
    )
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write the three CSV files into")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--raw", metavar="DIR", type=Path, default=None,
                   help="the city's raw reference files (default: the workspace's Chicago folder, or the "
                        "synthetic demo city when there is none)")
    p.add_argument("--pack", metavar="DIR", type=Path, default=None,
                   help="a city pack (DESIGN §2b): place the programmes at its venues, with its language mix")
    p.add_argument("--as-of", type=_iso_date, default=None, metavar="DATE",
                   help="the date the inventory describes, YYYY-MM-DD (default: today)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``atlas sample-inventory``: build the reference, generate, write, then load the files back."""
    # Imported here so that `atlas --help` and the other sub-commands do not pay for geopandas and the
    # reference readers.
    from core.ingest.inventory_load import load_inventory
    from core.ingest.inventory_sample import generate_sample, write_inventory
    from core.ingest.reference import load_reference

    as_of = args.as_of or date.today()
    ref = load_reference(args.raw, pack_dir=args.pack)
    frames = generate_sample(ref.venues, ref.service_sites, ref.area_facts, ref.area_language, seed=args.seed,
                             as_of=as_of)
    write_inventory(frames, args.out)
    inventory = load_inventory(args.out, ref.areas, venue_ids=set(ref.venues["venue_id"]))
    program = inventory["program"]
    print(f"wrote a SYNTHETIC inventory as of {as_of} (seed {args.seed}) to {args.out}: "
          f"{len(program)} programmes in {program['area_id'].nunique()} of {len(ref.areas)} areas, "
          f"{len(inventory['funding'])} grants, {len(inventory['program_period'])} programme-quarters")
    return 0
