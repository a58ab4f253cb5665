"""Inclusion's groups read together: on small made-up inventories, the attacker (tests/attacker.py) narrows no hidden
share when every group's shares over every window are set against each other, and the product hides nothing less
than each group's own set does."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.analysis import inclusion as inc
from core.analysis import inclusion_disclosure as idc
from core.analysis.intervals import wilson
from core.analysis.quarter_window import window
from tests import attacker as at
from tests import attacker_reach as ar

GROUPS = ("65plus", "poc")
WINDOWS = (1, 2)
PROGRAMMES = pd.DataFrame({"program_id": ["a", "b", "c"], "area_id": ["1", "1", "2"]})


def _inventory(rng) -> pd.DataFrame:
    rows = []
    for p in PROGRAMMES["program_id"]:
        for q in ("2025Q1", "2025Q2"):
            x = int(rng.integers(5, 40))
            rows.append({"program_id": p, "period": q, "participants": x,
                         **{g.column: (int(rng.integers(0, x + 1)) if g.key in GROUPS else np.nan)
                            for g in inc.GROUPS}})
    periods = pd.DataFrame(rows)
    for column in ("volunteers_active", "volunteers_joined", "referrals_to_professional",
                   "referrals_from_professional"):
        periods[column] = np.nan
    return periods


def _published(periods: pd.DataFrame, codes: dict) -> at.Published:
    """Every share as the Inclusion page shows it: the share and its interval to 0.1 points, "<11" or withheld."""
    pub = at.Published()
    reach = ar.Reach(pub, periods)
    area_of = PROGRAMMES.set_index("program_id")["area_id"]
    for (group, quarters), by_level in codes.items():
        rows = window(periods, quarters)[0].index.to_numpy()
        owner = periods.loc[rows, "program_id"].to_numpy()
        column = inc.GROUP_BY_KEY[group].column
        entities = ([("programme", p, rows[owner == p], by_level["programme"][p]) for p in by_level["programme"]]
                    + [("area", a, rows[area_of.reindex(owner).to_numpy() == a], by_level["area"][a])
                       for a in by_level["area"]]
                    + [("city", "", rows, by_level["city"])])
        for level, key, sel, code in entities:
            k, n = float(periods.loc[sel, column].sum()), float(periods.loc[sel, "participants"].sum())
            if code == "small":
                share = lo = hi = "<11"
            elif code == "withheld":
                share = lo = hi = "withheld"
            else:
                a, b = wilson(k, n)
                share, lo, hi = (f"{np.round(v * 100, 1):.1f}" for v in (k / n, a, b))
            reach.group_share(f"{level} {key} {group} {quarters}", sel, group, share, lo, hi)
    return pub


def _alone(periods: pd.DataFrame) -> dict:
    return {key: codes for g in GROUPS for key, codes in idc.hidden_states(PROGRAMMES, periods, (g,), WINDOWS).items()}


def test_groups_read_together_leave_no_hidden_share_to_narrow():
    rng = np.random.default_rng(5)
    narrowed_alone = 0
    for _ in range(25):
        periods = _inventory(rng)
        together = idc.hidden_states(PROGRAMMES, periods, GROUPS, WINDOWS)
        alone = _alone(periods)
        found = at.attack(_published(periods, together))
        assert not found, (periods.to_dict("records"), [(e.source, e.low, e.high) for e in found])
        narrowed_alone += bool(at.attack(_published(periods, alone)))
        # Reading the groups together only ever hides more.
        for key, codes in alone.items():
            for level in ("programme", "area"):
                assert all(together[key][level][k] for k, c in codes[level].items() if c), (key, level)
            assert together[key]["city"] or not codes["city"], key
    # Each group protected on its own leaves some inventories' shares to narrow: else this test proves nothing.
    assert narrowed_alone > 0
