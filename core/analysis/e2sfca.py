"""Coverage: the enhanced two-step floating catchment area method (E2SFCA, Luo & Qi 2009) and reach, per DESIGN §3."""

from __future__ import annotations

import numpy as np

from core.analysis.travel import CostPairs, as_supply_mask

DECAYS = ("step", "gaussian", "none")

#: Luo & Qi's zone weights for the inner, middle and outer third of the catchment.
STEP_WEIGHTS = (1.00, 0.68, 0.22)


def decay_weight(minutes, d0: float = 30.0, decay: str = "step", sigma: float | None = None) -> np.ndarray:
    """Distance-decay weight W(d) of DESIGN §3; zero beyond the catchment d0.

    - ``step``: 1.00 for d <= d0/3, 0.68 for d <= 2·d0/3, 0.22 for d <= d0 (all bounds inclusive).
    - ``gaussian``: exp(−d² / (2σ²)), with σ = d0/2 unless given.
    - ``none``: 1 (the classic 2SFCA).

    Parameters
    ----------
    minutes : array_like
        Travel costs d.
    d0 : float, default 30
        Catchment in minutes (inclusive).
    decay : {"step", "gaussian", "none"}
    sigma : float, optional
        Gaussian width in minutes; only for ``decay="gaussian"``.

    Returns
    -------
    numpy.ndarray
        Weights, same shape as ``minutes``.

    Examples
    --------
    >>> decay_weight([0, 10, 10.5, 20, 30, 30.5]).tolist()
    [1.0, 1.0, 0.68, 0.68, 0.22, 0.0]
    >>> decay_weight([0, 15, 31], d0=30, decay="gaussian").round(4).tolist()  # sigma 15: exp(-1/2) at 15
    [1.0, 0.6065, 0.0]
    >>> decay_weight([30, 31], decay="none").tolist()
    [1.0, 0.0]
    """
    d = np.asarray(minutes, dtype=float)
    d0 = float(d0)
    if not (np.isfinite(d0) and d0 > 0):
        raise ValueError(f"d0 must be a positive number of minutes, got {d0!r}")
    if decay not in DECAYS:
        raise ValueError(f"decay must be one of {', '.join(DECAYS)}, got {decay!r}")
    if sigma is not None and decay != "gaussian":
        raise ValueError("sigma applies only to the gaussian decay")

    if decay == "step":
        inner, middle, outer = STEP_WEIGHTS
        # Written as d0/3 and 2*d0/3, the same expressions as the published zones, so a cost that
        # sits exactly on a zone edge lands in the same zone as in a hand calculation.
        w = np.where(d <= d0 / 3, inner, np.where(d <= 2 * d0 / 3, middle, outer))
    elif decay == "gaussian":
        s = d0 / 2 if sigma is None else float(sigma)
        if not (np.isfinite(s) and s > 0):
            raise ValueError(f"sigma must be a positive number of minutes, got {sigma!r}")
        w = np.exp(-d * d / (2 * s**2))
    else:
        w = np.ones_like(d)
    return np.where(d <= d0, w, 0.0)


def _pair_weights(pairs: CostPairs, d0: float, decay: str, sigma, supply_mask) -> np.ndarray:
    if d0 > pairs.max_minutes:
        raise ValueError(
            f"catchment d0={d0:g} min exceeds the {pairs.max_minutes:g} min the pairs were built for; rebuild them"
        )
    w = decay_weight(pairs.minutes, d0, decay, sigma)
    if supply_mask is not None:
        # A programme left out has weight 0 on every pair, so it neither serves nor competes for demand.
        w = w * as_supply_mask(supply_mask, pairs.n_supply)[pairs.j]
    return w


def _check_values(values, n: int, name: str) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if values.shape != (n,):
        raise ValueError(f"{name} must have one value per point ({n}), got shape {values.shape}")
    if n and not (np.isfinite(values).all() and values.min() >= 0):
        raise ValueError(f"{name} must be finite and >= 0")
    return values


def e2sfca(
    population,
    capacity,
    pairs: CostPairs,
    d0: float = 30.0,
    decay: str = "step",
    sigma: float | None = None,
    supply_mask=None,
) -> np.ndarray:
    """Accessibility of each demand point by E2SFCA, in supply units per person (not normalised).

    Step 1, for each programme j: R_j = S_j / Σ_{k: d_kj <= d0} P_k · W(d_kj); a programme with no
    weighted demand in its catchment gets R_j = 0 (it serves nobody, so it adds nothing).
    Step 2, for each demand point i: A_i = Σ_{j: d_ij <= d0} R_j · W(d_ij); 0 when nothing is in reach.

    Both steps are a weighted ``np.bincount`` over the pairs, so a recompute with new capacities
    (a funding scenario), a different d0 or decay, or a programme filter costs one pass over the
    precomputed pairs.

    Parameters
    ----------
    population : array_like
        P_k per demand point, >= 0.
    capacity : array_like
        S_j per supply point (e.g. weekly places), >= 0.
    pairs : CostPairs
        Pairs built for a radius of at least ``d0``; pairs beyond d0 get weight 0.
    d0, decay, sigma
        As in :func:`decay_weight`.
    supply_mask : array_like of bool, optional
        Which programmes count (for a filter, a closure or a funding scenario). Default: all.

    Returns
    -------
    numpy.ndarray
        A_i, one per demand point. Multiply by 1,000 for places per 1,000 residents.

    Examples
    --------
    Two tracts of 100 and 300 people, one programme of 20 places 5 and 15 minutes away (step
    weights 1 and 0.68): R = 20 / (100·1 + 300·0.68) = 20/304, so A = (20/304·1, 20/304·0.68).

    >>> p = CostPairs([0, 1], [0, 0], [5.0, 15.0], 2, 1)
    >>> a = e2sfca([100, 300], [20], p)
    >>> bool(np.allclose(a, [20 / 304, 20 / 304 * 0.68]))
    True
    """
    population = _check_values(population, pairs.n_demand, "population")
    capacity = _check_values(capacity, pairs.n_supply, "capacity")
    w = _pair_weights(pairs, d0, decay, sigma, supply_mask)

    weighted_demand = np.bincount(pairs.j, weights=population[pairs.i] * w, minlength=pairs.n_supply)
    ratio = np.zeros(pairs.n_supply)
    np.divide(capacity, weighted_demand, out=ratio, where=weighted_demand > 0)
    return np.bincount(pairs.i, weights=ratio[pairs.j] * w, minlength=pairs.n_demand)


def within_reach(pairs: CostPairs, d0: float, n_demand: int | None = None, supply_mask=None) -> np.ndarray:
    """Which demand points have at least one counted programme within d0 (inclusive).

    The share of residents in reach (DESIGN §3 "Reach") is then
    ``population[reach].sum() / population.sum()``; for a group such as people with limited English,
    pass the mask of programmes offering their language.

    Parameters
    ----------
    pairs : CostPairs
        Built for a radius of at least ``d0``.
    d0 : float
        Catchment in minutes.
    n_demand : int, optional
        Number of demand points; defaults to ``pairs.n_demand`` and must equal it if given.
    supply_mask : array_like of bool, optional
        Which programmes count. Default: all.

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> p = CostPairs([0, 1, 1], [0, 0, 1], [30.0, 31.0, 2.0], 3, 2, max_minutes=60)
    >>> within_reach(p, 30, 3).tolist()
    [True, True, False]
    >>> within_reach(p, 30, 3, supply_mask=np.array([True, False])).tolist()
    [True, False, False]
    """
    if n_demand is not None and int(n_demand) != pairs.n_demand:
        raise ValueError(f"n_demand={n_demand} but the pairs were built for {pairs.n_demand} demand points")
    if d0 > pairs.max_minutes:
        raise ValueError(
            f"catchment d0={d0:g} min exceeds the {pairs.max_minutes:g} min the pairs were built for; rebuild them"
        )
    counted = pairs.minutes <= d0
    if supply_mask is not None:
        counted &= as_supply_mask(supply_mask, pairs.n_supply)[pairs.j]
    reach = np.zeros(pairs.n_demand, dtype=bool)
    reach[pairs.i[counted]] = True
    return reach
