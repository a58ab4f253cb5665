"""The open gap between Inclusion's groups: every group's shares over every window read together by the attacker.

Each group's windows are protected as one linked set, but groups one at a time, and a share's participant total is
the same in every group that records it. Run ``uv run python bench/inclusion_groups.py --db PATH``: how many hidden
shares the test suite's attacker (``tests/attacker.py``, the τ-ARGUS-style audit) narrows with one group's windows
read together, and with all groups' read together, with the seconds each took. The first must be 0 (the test suite
holds it there); the second is the gap.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.store import db  # noqa: E402
from core.views import inclusion as incv  # noqa: E402
from tests import attacker as at  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    at.SOLVE_SECONDS = 60   # the one model of all groups is larger than any the tests solve
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
