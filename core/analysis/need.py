"""The need index computed from the atlas database, with the user's domain weights."""

from __future__ import annotations

import pandas as pd

from core.analysis.need_index import NeedIndex, need_index
from core.store import queries

DOMAINS = ("need", "vulnerability", "barrier")
DOMAIN_LABELS = {"need": "Mental-health need", "vulnerability": "Social vulnerability", "barrier": "Barriers to access"}


def index_inputs(con) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Area × indicator values (latest period) and the definitions of the need-index indicators."""
    ids = queries.need_index_ids(con)
    ind = queries.latest_indicators(con, ids)
    values = ind.pivot(index="area_id", columns="indicator_id", values="value")
    areas = queries.areas(con)["area_id"]
    values = values.reindex(index=areas, columns=[i for i in ids if i in values.columns])
    defs = queries.indicator_defs(con)
    defs = defs.loc[defs["indicator_id"].isin(values.columns), ["indicator_id", "label", "higher_is", "domain"]]
    return values, defs


def present_domains(con) -> list[str]:
    """The need-index domains the city's pack has at least one indicator in, in DOMAINS order."""
    _, defs = index_inputs(con)
    return [d for d in DOMAINS if d in set(defs["domain"])]


def need_for(con, weights: tuple[float, float, float] = (1.0, 1.0, 1.0)) -> NeedIndex:
    """The need index with weights for (need, vulnerability, barrier); a tuple so it can key a cache.

    A domain the pack has no indicator in gets weight 0, so the weights in force are those of the domains it has.
    """
    values, defs = index_inputs(con)
    present = set(defs["domain"])
    w = {d: (x if d in present else 0.0) for d, x in zip(DOMAINS, weights)}
    if not any(w.values()):  # every slider of the domains it has is at 0: weigh those equally
        w = {d: (1.0 if d in present else 0.0) for d in DOMAINS}
    return need_index(values, defs, w)
