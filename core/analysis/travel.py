"""Travel cost between demand points and programmes: haversine walking minutes or a supplied matrix, as sparse pairs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from core.base.errors import InputError

#: Mean Earth radius in km (IUGG), the usual choice for haversine distances.
EARTH_RADIUS_KM = 6371.0088

#: DESIGN §3 defaults: straight-line distance × 1.3 circuity at a 4.8 km/h walking pace.
DEFAULT_CIRCUITY = 1.3
DEFAULT_SPEED_KMH = 4.8


def haversine_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in kilometres between points given in degrees.

    The arguments broadcast against each other like any numpy ufunc, so one point against many,
    or an (n, 1) column against a (1, m) row for a full matrix, both work.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : array_like
        Longitudes and latitudes in decimal degrees (WGS84).

    Returns
    -------
    numpy.ndarray
        Distances in km, of the broadcast shape.

    Examples
    --------
    >>> round(float(haversine_km(0.0, 0.0, 0.0, 1.0)), 3)  # one degree of latitude
    111.195
    >>> haversine_km([0.0, 0.0], [0.0, 0.0], [0.0, 1.0], [0.0, 0.0]).round(3).tolist()
    [0.0, 111.195]
    """
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(x, dtype=float)) for x in (lon1, lat1, lon2, lat2))
    return _haversine_radians(lon1, lat1, np.cos(lat1), lon2, lat2, np.cos(lat2))


def _haversine_radians(lon1, lat1, cos_lat1, lon2, lat2, cos_lat2) -> np.ndarray:
    # Split out so the pair search can take radians and cosines per point, once, instead of per pair,
    # and still get bit-for-bit the numbers haversine_km gives.
    a = np.sin((lat2 - lat1) / 2.0) ** 2 + cos_lat1 * cos_lat2 * np.sin((lon2 - lon1) / 2.0) ** 2
    # Rounding can push `a` a hair above 1 for antipodal points; arcsin would then return NaN.
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def minutes_from_km(km, circuity: float = DEFAULT_CIRCUITY, speed_kmh: float = DEFAULT_SPEED_KMH) -> np.ndarray:
    """Convert straight-line km to travel minutes: km × circuity / speed × 60.

    Kept as one function so that every caller rounds the same way, which matters for pairs that sit
    exactly on a catchment or step boundary.

    Examples
    --------
    >>> float(minutes_from_km(4.8 / 1.3))
    60.0
    """
    return np.asarray(km, dtype=float) * circuity / speed_kmh * 60.0


@dataclass(frozen=True, eq=False)
class CostPairs:
    """The demand × supply pairs within a maximum travel cost, as sparse triplets.

    Triplets rather than a scipy sparse matrix because a pair at zero minutes (a programme at the
    tract centroid) is in reach, and a sparse matrix would silently drop that zero.

    Parameters
    ----------
    i : numpy.ndarray of int
        Demand index of each pair, in ``range(n_demand)``.
    j : numpy.ndarray of int
        Supply index of each pair, in ``range(n_supply)``.
    minutes : numpy.ndarray of float
        Travel cost of each pair, finite and >= 0.
    n_demand, n_supply : int
        Number of demand and supply points (points with no pair still count).
    max_minutes : float, default inf
        The radius the pairs were built for: every pair with cost <= max_minutes is present. Methods
        refuse a catchment larger than this, since the pairs beyond it were never computed.

    Examples
    --------
    >>> p = CostPairs(np.array([0, 1]), np.array([0, 0]), np.array([0.0, 25.0]), 2, 1, max_minutes=60)
    >>> len(p), len(p.restrict(20)), p.restrict(20).minutes.tolist()
    (2, 1, [0.0])
    """

    i: np.ndarray
    j: np.ndarray
    minutes: np.ndarray
    n_demand: int
    n_supply: int
    max_minutes: float = np.inf

    def __post_init__(self) -> None:
        i = np.asarray(self.i, dtype=np.intp)
        j = np.asarray(self.j, dtype=np.intp)
        minutes = np.asarray(self.minutes, dtype=float)
        if not (i.ndim == j.ndim == minutes.ndim == 1 and len(i) == len(j) == len(minutes)):
            raise ValueError("i, j and minutes must be 1-D arrays of the same length")
        n_demand, n_supply = int(self.n_demand), int(self.n_supply)
        if len(i) and (i.min() < 0 or i.max() >= n_demand):
            raise ValueError(f"demand index out of range(0, {n_demand})")
        if len(j) and (j.min() < 0 or j.max() >= n_supply):
            raise ValueError(f"supply index out of range(0, {n_supply})")
        if len(minutes) and not (np.isfinite(minutes).all() and minutes.min() >= 0):
            raise ValueError("minutes must be finite and >= 0")
        for name, value in (("i", i), ("j", j), ("minutes", minutes)):
            # Frozen means frozen: the app caches these and shares them between sessions. A read-only
            # view does that without copying and without touching the caller's own array.
            view = value.view()
            view.flags.writeable = False
            object.__setattr__(self, name, view)
        object.__setattr__(self, "n_demand", n_demand)
        object.__setattr__(self, "n_supply", n_supply)
        object.__setattr__(self, "max_minutes", float(self.max_minutes))

    def __len__(self) -> int:
        return len(self.minutes)

    def restrict(self, max_minutes: float | None = None, supply_mask=None) -> CostPairs:
        """Keep the pairs within a smaller radius and/or for a subset of programmes.

        The app builds pairs once at a generous radius (say 60 minutes) and calls this when the
        user narrows the catchment or filters programmes, which avoids another spatial join.

        Parameters
        ----------
        max_minutes : float, optional
            New radius (inclusive); must not exceed the radius the pairs were built for.
        supply_mask : array_like of bool, optional
            One flag per supply point; pairs of unflagged programmes are dropped. Indices are kept,
            so results still line up with the full supply list.

        Returns
        -------
        CostPairs

        Examples
        --------
        >>> p = CostPairs([0, 0, 1], [0, 1, 1], [5.0, 10.0, 40.0], 2, 2, max_minutes=60)
        >>> q = p.restrict(30, supply_mask=[False, True])
        >>> q.i.tolist(), q.j.tolist(), q.max_minutes
        ([0], [1], 30.0)
        """
        keep = np.ones(len(self), dtype=bool)
        new_max = self.max_minutes
        if max_minutes is not None:
            if max_minutes > self.max_minutes:
                raise ValueError(
                    f"cannot widen pairs built for {self.max_minutes:g} min to {max_minutes:g} min; rebuild them"
                )
            keep &= self.minutes <= max_minutes
            new_max = float(max_minutes)
        if supply_mask is not None:
            keep &= as_supply_mask(supply_mask, self.n_supply)[self.j]
        return CostPairs(self.i[keep], self.j[keep], self.minutes[keep], self.n_demand, self.n_supply, new_max)


def as_supply_mask(mask, n: int) -> np.ndarray:
    """Check that ``mask`` is a boolean array with one flag per supply point, and return it as one.

    Examples
    --------
    >>> as_supply_mask([True, False], 2).tolist()
    [True, False]
    """
    mask = np.asarray(mask)
    if mask.dtype != bool or mask.shape != (n,):
        raise ValueError(f"supply_mask must be a boolean array of length {n}")
    return mask


def supply_mask(supply_ids, keep_ids) -> np.ndarray:
    """A boolean mask over ``supply_ids`` that is True for the ids in ``keep_ids``.

    Ids compare as strings, as everywhere in the CLI. Ids in ``keep_ids`` that are not supply ids
    are ignored, so a filter built from the whole programme table can be reused for a subset.

    Examples
    --------
    >>> supply_mask(["p1", "p2", "p3"], ["p3", "p1", "zz"]).tolist()
    [True, False, True]
    """
    return np.asarray(_as_text(supply_ids).isin(_as_text(keep_ids)), dtype=bool)


def _unit_vectors(lon, lat) -> np.ndarray:
    lon, lat = np.radians(lon), np.radians(lat)
    cos_lat = np.cos(lat)
    return np.column_stack([cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)])


def _check_points(lon, lat, what: str) -> tuple[np.ndarray, np.ndarray]:
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.ndim != 1 or lon.shape != lat.shape:
        raise ValueError(f"{what} lon and lat must be 1-D arrays of the same length")
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        raise ValueError(f"{what} lon/lat must be finite")
    if len(lon) and (np.abs(lon).max() > 180 or np.abs(lat).max() > 90):
        raise ValueError(f"{what} lon must lie in [-180, 180] and lat in [-90, 90]")
    return lon, lat


def pairs_within_haversine(
    demand_lon,
    demand_lat,
    supply_lon,
    supply_lat,
    max_minutes: float,
    circuity: float = DEFAULT_CIRCUITY,
    speed_kmh: float = DEFAULT_SPEED_KMH,
) -> CostPairs:
    """All demand × supply pairs within ``max_minutes`` of straight-line walking, found with a spatial index.

    Minutes are ``haversine_km × circuity / speed_kmh × 60`` (DESIGN §3). Candidates come from a
    k-d tree on 3-D unit-sphere vectors, queried with the chord length of the maximum distance
    plus a small margin; the exact haversine cost then decides, with ``minutes <= max_minutes``
    inclusive. Memory and time grow with the number of pairs in reach, not with n_demand × n_supply.

    Parameters
    ----------
    demand_lon, demand_lat, supply_lon, supply_lat : array_like
        Point coordinates in decimal degrees.
    max_minutes : float
        Largest cost kept (inclusive).
    circuity : float, default 1.3
        Ratio of network to straight-line distance.
    speed_kmh : float, default 4.8
        Travel speed.

    Returns
    -------
    CostPairs
        With ``max_minutes`` recorded.

    Examples
    --------
    Two tracts and one programme 1 km north of the first (1 km × 1.3 / 4.8 × 60 = 16.25 minutes):

    >>> p = pairs_within_haversine([0.0, 0.0], [0.0, 1.0], [0.0], [1 / 111.19508], 30)
    >>> p.i.tolist(), p.j.tolist(), p.minutes.round(2).tolist()
    ([0], [0], [16.25])
    """
    d_lon, d_lat = _check_points(demand_lon, demand_lat, "demand")
    s_lon, s_lat = _check_points(supply_lon, supply_lat, "supply")
    if not (circuity > 0 and speed_kmh > 0):
        raise ValueError("circuity and speed_kmh must be positive")
    if not max_minutes >= 0:
        raise ValueError("max_minutes must be >= 0")
    n_d, n_s = len(d_lon), len(s_lon)
    if n_d == 0 or n_s == 0:
        empty = np.zeros(0, dtype=np.intp)
        return CostPairs(empty, empty, np.zeros(0), n_d, n_s, max_minutes)

    max_km = max_minutes / 60.0 * speed_kmh / circuity
    theta = min(max_km / EARTH_RADIUS_KM, np.pi)
    # The chord 2·sin(θ/2) is the straight 3-D distance between unit vectors an angle θ apart. The
    # margin only lets a few extra candidates through; the haversine test below is the real cut.
    chord = 2.0 * np.sin(theta / 2.0) * (1.0 + 1e-9) + 1e-12

    demand_tree = cKDTree(_unit_vectors(d_lon, d_lat))
    supply_tree = cKDTree(_unit_vectors(s_lon, s_lat))
    found = demand_tree.sparse_distance_matrix(supply_tree, chord, output_type="ndarray")
    i = found["i"].astype(np.intp)
    j = found["j"].astype(np.intp)
    del found
    d_lon, d_lat, s_lon, s_lat = (np.radians(x) for x in (d_lon, d_lat, s_lon, s_lat))
    km = _haversine_radians(d_lon[i], d_lat[i], np.cos(d_lat)[i], s_lon[j], s_lat[j], np.cos(s_lat)[j])
    minutes = minutes_from_km(km, circuity, speed_kmh)
    keep = minutes <= max_minutes
    # Pair order is the tree walk's: deterministic for given points, but not sorted (sorting millions
    # of pairs would cost more than finding them).
    return CostPairs(i[keep], j[keep], minutes[keep], n_d, n_s, max_minutes)


def pairs_from_matrix(
    cost: pd.DataFrame,
    demand_ids,
    supply_ids,
    max_minutes: float,
    file: str = "cost.csv",
) -> CostPairs:
    """Pairs within ``max_minutes`` from a supplied travel-time table (e.g. from r5py or OSRM).

    A pair absent from the table is out of reach. Ids compare as strings, exactly (strip spaces
    before calling, as the CLI does). Row numbers in errors are
    the frame's integer index + 2 (the header is row 1), which is the spreadsheet row for a frame
    straight from ``read_csv``; a frame with a non-integer index is numbered by position.

    Parameters
    ----------
    cost : pandas.DataFrame
        Columns ``origin`` (demand id), ``destination`` (supply id) and ``minutes``.
    demand_ids, supply_ids : sequence
        The ids, in the order that the population and capacity arrays use.
    max_minutes : float
        Largest cost kept (inclusive).
    file : str
        File name used in error messages.

    Returns
    -------
    CostPairs

    Raises
    ------
    core.base.errors.InputError
        For a missing column, an unknown origin or destination, a duplicated pair, or minutes that
        are blank, not a number, infinite or negative.

    Examples
    --------
    >>> cost = pd.DataFrame({"origin": ["a", "a", "b"], "destination": ["x", "y", "x"],
    ...                      "minutes": [0.0, 45.0, 12.5]})
    >>> p = pairs_from_matrix(cost, ["a", "b"], ["x", "y"], 30)
    >>> p.i.tolist(), p.j.tolist(), p.minutes.tolist()
    ([0, 1], [0, 0], [0.0, 12.5])
    """
    for column in ("origin", "destination", "minutes"):
        if column not in cost.columns:
            raise InputError(file, 1, column, f"missing column (found: {', '.join(map(str, cost.columns))})")
    if isinstance(cost.index, pd.RangeIndex) or pd.api.types.is_integer_dtype(cost.index):
        rows = np.asarray(cost.index, dtype=np.int64) + 2
    else:
        rows = np.arange(len(cost), dtype=np.int64) + 2

    i = _lookup(demand_ids, cost["origin"], rows, file, "origin", "demand")
    j = _lookup(supply_ids, cost["destination"], rows, file, "destination", "supply")

    raw = cost["minutes"]
    text = raw if pd.api.types.is_numeric_dtype(raw) else raw.astype(str).str.strip()
    minutes = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(minutes)
    if bad.any():
        k = int(np.argmax(bad))
        raise InputError(file, int(rows[k]), "minutes", f"must be a finite number, got {raw.iloc[k]!r}")
    if (minutes < 0).any():
        k = int(np.argmax(minutes < 0))
        raise InputError(file, int(rows[k]), "minutes", f"must be >= 0, got {raw.iloc[k]!r}")

    key = i.astype(np.int64) * max(len(supply_ids), 1) + j
    ordered = np.sort(key)
    if (ordered[1:] == ordered[:-1]).any():
        k = int(np.argmax(pd.Index(key).duplicated()))  # the first row that repeats an earlier one
        first = int(rows[int(np.argmax(key == key[k]))])
        raise InputError(
            file,
            int(rows[k]),
            "destination",
            f"pair ({cost['origin'].iloc[k]!s}, {cost['destination'].iloc[k]!s}) repeats row {first}",
        )

    keep = minutes <= max_minutes
    return CostPairs(i[keep], j[keep], minutes[keep], len(demand_ids), len(supply_ids), max_minutes)


def _as_text(values) -> pd.Index:
    # Object dtype on purpose: pandas 3's Arrow-backed strings are slow to hash for lookups like these.
    arr = np.asarray(values, dtype=object)
    if pd.api.types.infer_dtype(arr, skipna=False) != "string":
        arr = np.array([str(v) for v in arr.tolist()], dtype=object)  # numeric or mixed ids: compare as text
    return pd.Index(arr, dtype=object)


def _lookup(ids, column: pd.Series, rows: np.ndarray, file: str, name: str, what: str) -> np.ndarray:
    ids = _as_text(ids)
    if ids.has_duplicates:
        raise ValueError(f"{what} ids must be unique")
    # A cost table has many rows but few distinct ids: match the distinct values only.
    codes, uniques = pd.factorize(column)
    found = ids.get_indexer(_as_text(uniques))
    index = np.where(codes >= 0, found[codes], -1)
    if (index < 0).any():
        k = int(np.argmax(index < 0))
        raise InputError(file, int(rows[k]), name, f"unknown {what} id {column.iloc[k]!r}")
    return index.astype(np.intp)
