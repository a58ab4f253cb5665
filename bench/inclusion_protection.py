"""Cost and yield of the Inclusion shares' protection: each window alone, each group's windows linked, all linked.

Run with ``ATLAS_PROTECTION_CACHE=off uv run python bench/inclusion_protection.py --db PATH``: the seconds each way
(cold: nothing remembered) and how many shares of every group and window each shows, hides as "<11" and withholds.
The product protects every group's windows linked, then reads the groups together (the last way).
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.analysis import inclusion_disclosure as idc  # noqa: E402
from core.store import db  # noqa: E402
from core.views import inclusion as incv  # noqa: E402
from core.views import reach_protection  # noqa: E402


def _tally(codes: dict, into: collections.Counter) -> None:
    for level in ("programme", "area"):
        into.update(codes[level].values())
    into[codes["city"]] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    con = db.connect(Path(args.db), read_only=True)
    data = incv.inclusion_data(con)
    con.close()
    windows = reach_protection.QUARTER_CHOICES
    t = time.perf_counter()
    alone = collections.Counter()
    for group in incv.GROUP_KEYS:
        for quarters in windows:
            _tally(idc.hidden_shares(data.programs, data.periods, group, quarters), alone)
    t_alone = time.perf_counter() - t
    t = time.perf_counter()
    groups_apart = collections.Counter()
    for group in incv.GROUP_KEYS:
        for codes in idc.hidden_states(data.programs, data.periods, (group,), windows).values():
            _tally(codes, groups_apart)
    t_apart = time.perf_counter() - t
    t = time.perf_counter()
    linked = collections.Counter()
    for codes in idc.hidden_states(data.programs, data.periods, incv.GROUP_KEYS, windows).values():
        _tally(codes, linked)
    t_linked = time.perf_counter() - t
    for name, seconds, c in (("each window alone", t_alone, alone),
                             ("windows linked, each group apart", t_apart, groups_apart),
                             ("windows and groups linked", t_linked, linked)):
        print(f"{name}: {seconds:.1f} s; shares shown {c['']}, '<11' {c['small']}, withheld {c['withheld']} "
              f"of {sum(c.values())}")
    print(f"linked / alone: {t_linked / t_alone:.2f}x the time, {linked[''] / alone['']:.2f}x the shares shown")
    print(f"groups linked / apart: {t_linked / t_apart:.2f}x the time, {linked[''] / groups_apart['']:.2f}x the "
          "shares shown")


if __name__ == "__main__":
    main()
