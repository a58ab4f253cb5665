"""Inclusion's groups read against each other: every group's shares over every window read together by the attacker.

A share's participant total is the same in every group that records it, so the product reads the groups together
after protecting each group's windows as one linked set. Run ``uv run python bench/inclusion_groups.py --db PATH``:
how many hidden shares the test suite's attacker (``tests/attacker.py``, the τ-ARGUS-style audit) narrows with one
group's windows read together, and with all groups' read together, with the seconds each took. Both must be 0 (the
test suite holds them there; ``--groups-apart`` shows what protecting each group apart, as before, left).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.analysis import inclusion_disclosure as idc  # noqa: E402
from core.store import db  # noqa: E402
from core.views import inclusion as incv  # noqa: E402
from tests import attacker as at  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--groups-apart", action="store_true", help="protect each group apart, as before")
    args = parser.parse_args()
    at.SOLVE_SECONDS = 60   # the one model of all groups is larger than the others the tests solve
    if args.groups_apart:
        apart: dict = {}

        def each_group_apart(data, group, quarters):
            if group not in apart:
                apart[group] = idc.hidden_states(data.programs, data.periods, (group,), incv.QUARTER_CHOICES)
            return apart[group][(group, quarters)]

        incv.protection = each_group_apart
    con = db.connect(Path(args.db), read_only=True)
    try:
        inv = at.inventory(con)
        by_group = {g: at.inclusion_windows(inv, g) for g in incv.GROUP_KEYS}
    finally:
        con.close()
    hidden = sum(1 for pub in by_group.values() for c in pub.cells if c.text in ("<11", "suppressed"))
    t = time.perf_counter()
    alone = sum(len(at.attack(pub)) for pub in by_group.values())
    t_alone = time.perf_counter() - t
    together = at.Published()
    for pub in by_group.values():
        together.cells += pub.cells
    t = time.perf_counter()
    found = at.attack(together)
    t_together = time.perf_counter() - t
    print(f"hidden Inclusion cells (\"<11\" or \"suppressed\") over every group and window: {hidden}")
    print(f"each group's windows read together: {alone} narrowed ({t_alone:.1f} s)")
    print(f"all groups' windows read together: {len(found)} narrowed ({t_together:.1f} s)")
    for e in found:
        print(f"  {e.source}: [{e.low:.2f}, {e.high:.2f}]")


if __name__ == "__main__":
    main()
