"""The Inclusion shares' protection and the totals they give away, remembered on the inventory's digest.

The Inclusion page (whose data each session gets as its own copy), every brief and the Impact page's protection read
the same results, computed once: each audit solves linear programs.
"""

from __future__ import annotations

import collections
import hashlib
import threading

import pandas as pd

from core.analysis import reach_counts
from core.analysis.inclusion import GROUPS
from core.analysis.inclusion_disclosure import hidden_states
from core.views import protection_files

QUARTER_CHOICES = (1, 2, 4, 8)
"""The Inclusion page's windows (the briefs read its four-quarter one)."""
_KEPT: "collections.OrderedDict[tuple, object]" = collections.OrderedDict()
_LOCK = threading.Lock()
KEPT_MAX = 1024  # per database: 5 groups x 4 windows, the totals, Volunteers' windows and Impact's filter states


def fingerprint(programs: pd.DataFrame, periods: pd.DataFrame) -> str:
    """A digest of the inventory a protection is computed from (the same data, whoever loaded it, shares it)."""
    digest = hashlib.sha1()
    for frame in (programs[["program_id", "area_id"]], periods):
        digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def digest_of(data) -> str:
    """:func:`fingerprint` of a page's data (``programs``, ``periods``), kept in its ``protected`` memo."""
    if "digest" not in data.protected:
        data.protected["digest"] = fingerprint(data.programs, data.periods)
    return data.protected["digest"]


_BUILDING: dict[tuple, threading.Lock] = {}


def remembered(key: tuple, build):
    """``build()``, remembered in the process on ``key`` (which starts with the inventory's digest), and on disk for
    the other processes reading the same inventory (:mod:`core.views.protection_files`)."""
    with _LOCK:
        if key in _KEPT:
            _KEPT.move_to_end(key)
            return _KEPT[key]
        # One thread builds a key while the others asking for it wait (the server's warm-up and the first visitors
        # would otherwise each solve the same programs, seconds of them).
        building = _BUILDING.setdefault(key, threading.Lock())
    with building:
        with _LOCK:
            if key in _KEPT:
                _KEPT.move_to_end(key)
                return _KEPT[key]
        value = protection_files.kept(key, build)
        with _LOCK:
            _KEPT[key] = value
            _BUILDING.pop(key, None)
            while len(_KEPT) > KEPT_MAX:
                _KEPT.popitem(last=False)
    return value


def shares(programs: pd.DataFrame, periods: pd.DataFrame, group: str, quarters: int, digest: str) -> dict:
    """What to hide of one group's shares over one window (``programs``: those the Inclusion page lists; ``digest``:
    :func:`fingerprint` of the two). A visitor can read every group and window, so they are protected together
    (:func:`core.analysis.inclusion_disclosure.hidden_states`), once for all of them."""
    groups = tuple(g.key for g in GROUPS)
    every = remembered((digest, "shares", groups, QUARTER_CHOICES),
                       lambda: hidden_states(programs, periods, groups, QUARTER_CHOICES))
    return every[(group, int(quarters))]


def totals(programs: pd.DataFrame, periods: pd.DataFrame, digest: str) -> reach_counts.Fixed:
    """:func:`core.analysis.reach_counts.inclusion_counts` of every Inclusion state, for Impact's protection."""
    def build():
        codes = {(g.key, q): shares(programs, periods, g.key, q, digest) for g in GROUPS for q in QUARTER_CHOICES}
        return reach_counts.inclusion_counts(programs, periods, codes)

    return remembered((digest, "totals"), build)
