"""What the Underserved page shows: need against coverage as a bivariate map, the ranked gap, priority areas and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd
import pydeck as pdk

from core.analysis.coverage import DECAYS_LABELS, PLACE_BASED_TYPES, TYPE_LABELS, CoverageParams, CoverageResult
from core.analysis.gap import BIVARIATE_PALETTE, NO_DATA_COLOUR, PRIORITY_CLASS, bivariate_legend, gap_table
from core.analysis.need_index import DOMAIN_LABELS, DOMAINS, NeedIndex, explain
from core.base.formatting import number
from core.base.markup import inert
from core.views import maps, url_state
from core.views.coverage import params_from_state, params_to_query

#: URL key of each need-index domain weight, in the order ``core.analysis.need.need_for`` takes them.
WEIGHT_KEYS: dict[str, str] = {"need": "w_need", "vulnerability": "w_vul", "barrier": "w_bar"}
WEIGHT_MIN, WEIGHT_MAX, WEIGHT_STEP, WEIGHT_DEFAULT = 0.0, 3.0, 0.5, 1.0
EQUAL_WEIGHTS = (WEIGHT_DEFAULT,) * len(DOMAINS)

TERCILE_NAMES = {1: "low", 2: "middle", 3: "high"}

HELP = {
    "need": ("Need index: the CDC/ATSDR Social Vulnerability Index method. Each indicator is percentile-ranked "
             "across the areas ((rank − 1) / (N − 1), ties at the lowest rank, oriented so higher = more need), "
             "averaged within its domain, each domain mean ranked again, and the weighted sum of the domain ranks "
             "ranked once more. 0 = least need, 100 = most."),
    "coverage": ("Coverage: weekly community-programme places per 1,000 residents by the enhanced two-step floating "
                 "catchment area method (E2SFCA, Luo & Qi 2009) with the catchment and filters in the sidebar; "
                 "an area's value is the population-weighted mean of its census tracts. The coverage percentile "
                 "ranks it across the areas the same way as need."),
    "gap": ("Gap: need percentile minus coverage percentile, in percentile points (−100 to +100). "
            "Higher = more underserved."),
    "priority": ("Priority areas: need in the top third (need percentile ≥ 66.7) and coverage in the bottom third "
                 "(coverage percentile < 33.3) — the high-need, low-coverage cell of the 3×3 map."),
    "terciles": "Terciles cut the percentile at 1/3 and 2/3: below 33.3 is low, below 66.7 middle, otherwise high.",
}


# --- the URL: coverage choices plus the need-index weights ----------------------------------------------------


def _snap(x: float) -> float:
    return float(np.clip(round(x / WEIGHT_STEP) * WEIGHT_STEP, WEIGHT_MIN, WEIGHT_MAX))


def weights_from_query(query: Mapping) -> tuple[float, float, float]:
    """Need-index weights (need, vulnerability, barrier) from the URL: each clamped to 0–3 on a 0.5 grid, default 1.

    Examples
    --------
    >>> weights_from_query({"w_need": "2", "w_vul": "9", "w_bar": "0.74"})
    (2.0, 3.0, 0.5)
    >>> weights_from_query({"w_need": "x' OR 1=1"})
    (1.0, 1.0, 1.0)
    """
    return tuple(_snap(url_state.number(query, k, WEIGHT_MIN, WEIGHT_MAX, WEIGHT_DEFAULT))
                 for k in WEIGHT_KEYS.values())


def weights_to_query(weights: tuple[float, float, float]) -> dict[str, str]:
    """The URL form of the weights.

    >>> weights_to_query((2.0, 1.0, 0.5))
    {'w_need': '2', 'w_vul': '1', 'w_bar': '0.5'}
    """
    return {k: f"{w:g}" for k, w in zip(WEIGHT_KEYS.values(), weights)}


def weights_in_force(weights: tuple[float, float, float]) -> tuple[float, float, float]:
    """The weights the index is computed with: all zero means no preference, so equal weights.

    >>> weights_in_force((0.0, 0.0, 0.0)), weights_in_force((0.0, 2.0, 1.0))
    ((1.0, 1.0, 1.0), (0.0, 2.0, 1.0))
    """
    return EQUAL_WEIGHTS if sum(weights) == 0 else tuple(float(w) for w in weights)


def weights_caption(requested: tuple[float, float, float], ni: NeedIndex) -> str:
    """One line naming the weights in force and each domain's share of the index.

    >>> from core.analysis.need_index import NeedIndex
    >>> ni = NeedIndex(*[None] * 7, weights={"need": 0.5, "vulnerability": 0.25, "barrier": 0.25})
    >>> weights_caption((2.0, 1.0, 1.0), ni).split(": ")[1]
    'mental-health need 2 (50%) · social vulnerability 1 (25%) · barriers to access 1 (25%).'
    """
    used = weights_in_force(requested)
    parts = [f"{DOMAIN_LABELS[d]} {w:g} ({ni.weights[d] * 100:.0f}%)" for d, w in zip(DOMAINS, used)]
    text = "Need-index weights in force: " + " · ".join(parts) + "."
    if used != tuple(float(w) for w in requested):
        text += " All three sliders are at 0, so the domains are weighted equally."
    return text


def state_to_query(state: Mapping) -> dict[str, str]:
    """Query parameters from the page's widget state (keys d0, decay, types, lang, eve, free, w_need, w_vul, w_bar).

    The coverage part is written exactly as the Coverage page writes it, so one link opens both pages the same way.

    Examples
    --------
    >>> q = state_to_query({"d0": 45, "decay": "none", "types": ["workshop"], "lang": "any", "eve": True,
    ...                     "free": False, "w_need": 2.0, "w_vul": 1.0, "w_bar": 0.0})
    >>> q["d0"], q["types"], q["lang"], q["eve"], q["w_need"], q["w_bar"]
    ('45', 'workshop', 'any', '1', '2', '0')
    """
    weights = tuple(float(state[k]) for k in WEIGHT_KEYS.values())
    return params_to_query(params_from_state(state)) | weights_to_query(weights)


def area_from_query(query: Mapping, area_ids) -> str | None:
    """The selected area from the URL (``area``), if it is one of ``area_ids`` (text ids).

    >>> area_from_query({"area": "7"}, [6, 7]), area_from_query({"area": "7; DROP"}, [6, 7])
    ('7', None)
    """
    v = url_state.first(query, "area")
    return v if v and v in {str(a) for a in area_ids} else None


def picked_area(selection, layer_id: str = "areas") -> str | None:
    """The area a reader clicked on the map, from ``st.pydeck_chart``'s selection state (None if nothing)."""
    objects = (selection or {}).get("objects") or {}
    picked = objects.get(layer_id) or []
    if not picked:
        return None
    obj = picked[0]
    return str(obj["properties"]["area_id"] if "properties" in obj else obj["area_id"])


def coverage_summary(params: CoverageParams) -> str:
    """The coverage choices in force, in words, so the page says what 'coverage' counted.

    >>> coverage_summary(CoverageParams(d0=20, types=("workshop", "drop_in"), free_only=True))
    'Coverage counts workshop and drop-in programmes within a 20-minute walk (step decay), free only.'
    """
    types = [TYPE_LABELS.get(t, t).lower() for t in params.types]
    kinds = "all place-based" if set(params.types) == set(PLACE_BASED_TYPES) and len(types) > 1 else (
        ", ".join(types[:-1]) + " and " + types[-1] if len(types) > 1 else "".join(types))
    extra = []
    if params.language:
        extra.append(f"offered in {params.language}")
    if params.evening_or_weekend:
        extra.append("evening or weekend sessions")
    if params.free_only:
        extra.append("free only")
    decay = DECAYS_LABELS[params.decay].split(" (")[0].lower()
    text = f"Coverage counts {kinds} programmes within a {params.d0:g}-minute walk ({decay} decay)"
    return text + (", " + ", ".join(extra) if extra else "") + "."


# --- the numbers ------------------------------------------------------------------------------------------------


def underserved(ni: NeedIndex, result: CoverageResult) -> pd.DataFrame:
    """Need against coverage for every area: ``core.analysis.gap.gap_table`` plus the area's name and its missing indicators.

    Parameters
    ----------
    ni : NeedIndex
        From ``core.analysis.need.need_for``; ``ni.index`` (0–1, by area_id) is the need percentile.
    result : CoverageResult
        From ``core.analysis.coverage.compute``; ``coverage_per_1000`` is ranked into the coverage percentile.

    Returns
    -------
    DataFrame
        Index area_id, ranked by gap (largest first), columns of ``gap_table`` (rank, need_pct, coverage,
        coverage_pct, gap, need_tercile, coverage_tercile, bivariate_class, colour, priority, population)
        plus name, flagged and missing (the labels of the indicators the area was ranked without).
    """
    a = result.areas.set_index("area_id")
    g = gap_table(ni.index, a["coverage_per_1000"], a["population"])
    g.insert(1, "name", a["name"].reindex(g.index))
    g["flagged"] = ni.flagged.reindex(g.index).fillna(False).astype(bool)
    g["missing"] = [", ".join(ni.labels.get(m, m) for m in ms) if isinstance(ms, list) else ""
                    for ms in ni.missing.reindex(g.index)]
    return g


def _points(x: pd.Series) -> pd.Series:
    # Percentiles are 0–1 in the method and 0–100 on screen.
    return (x * 100).round(1)


def _tercile_name(t: pd.Series) -> pd.Series:
    return t.map(lambda v: TERCILE_NAMES.get(int(v)) if pd.notna(v) else "no data").astype(str)


def class_description(cls) -> str:
    """'high need, low coverage' for class '3-1'.

    >>> class_description("3-1"), class_description(None)
    ('high need, low coverage', 'no data')
    """
    if not isinstance(cls, str):
        return "no data"
    n, c = (int(x) for x in cls.split("-"))
    return f"{TERCILE_NAMES[n]} need, {TERCILE_NAMES[c]} coverage"


def area_table(gap: pd.DataFrame) -> pd.DataFrame:
    """Every area, ranked by gap, with the same numbers as the map: for readers who cannot use it, and for download."""
    return pd.DataFrame({
        "area_id": gap.index.to_numpy(),
        "Rank (1 = largest gap)": gap["rank"].to_numpy(),
        "Area": gap["name"].to_numpy(),
        "Residents": gap["population"].round(0).to_numpy(),
        "Need percentile": _points(gap["need_pct"]).to_numpy(),
        "Weekly places per 1,000": gap["coverage"].round(2).to_numpy(),
        "Coverage percentile": _points(gap["coverage_pct"]).to_numpy(),
        "Gap (points)": _points(gap["gap"]).to_numpy(),
        "Need tercile": _tercile_name(gap["need_tercile"]).to_numpy(),
        "Coverage tercile": _tercile_name(gap["coverage_tercile"]).to_numpy(),
        "Priority": gap["priority"].to_numpy(dtype=bool),
        "Ranked without": gap["missing"].to_numpy(),
    })


#: How the page displays each numeric column (Streamlit NumberColumn formats); downloads keep full numbers.
NUMBER_FORMATS: dict[str, str] = {
    "Residents": "localized", "Need percentile": "%.1f", "Coverage percentile": "%.1f", "Gap (points)": "%+.1f",
    "Gap": "%+.1f", "Weekly places per 1,000": "%.2f", "Weight (% of index)": "%.1f", "Area's percentile": "%.1f",
    "Percentile (higher = more need)": "%.1f",
}


def number_formats(table: pd.DataFrame) -> dict[str, str]:
    """The display formats of the table's columns that have one.

    >>> number_formats(pd.DataFrame(columns=["Area", "Residents"]))
    {'Residents': 'localized'}
    """
    return {c: f for c, f in NUMBER_FORMATS.items() if c in table.columns}


def gap_list(gap: pd.DataFrame) -> pd.DataFrame:
    """The ranked list beside the map: rank, area, gap and the need and coverage terciles that colour it."""
    return pd.DataFrame({
        "Rank": gap["rank"].to_numpy(),
        "Area": gap["name"].to_numpy(),
        "Gap": _points(gap["gap"]).to_numpy(),
        "Need / coverage": (_tercile_name(gap["need_tercile"]) + " / "
                            + _tercile_name(gap["coverage_tercile"])).to_numpy(),
    })


def priority_areas(gap: pd.DataFrame) -> pd.DataFrame:
    """The high-need, low-coverage areas with their residents, largest gap first."""
    p = gap.loc[gap["priority"]]
    return pd.DataFrame({
        "Area": p["name"].to_numpy(),
        "Residents": p["population"].round(0).to_numpy(),
        "Need percentile": _points(p["need_pct"]).to_numpy(),
        "Weekly places per 1,000": p["coverage"].round(2).to_numpy(),
        "Coverage percentile": _points(p["coverage_pct"]).to_numpy(),
        "Gap (points)": _points(p["gap"]).to_numpy(),
    })


def priority_totals(gap: pd.DataFrame) -> tuple[int, float]:
    """How many priority areas there are and how many people live in them.

    >>> g = pd.DataFrame({"priority": [True, False, True], "population": [100.0, 5.0, 20.0]})
    >>> priority_totals(g)
    (2, 120.0)
    """
    p = gap["priority"].to_numpy(dtype=bool)
    return int(p.sum()), float(np.nansum(gap["population"].to_numpy(dtype=float)[p]))


def headline(gap: pd.DataFrame) -> tuple[str, str, str]:
    """The page's one metric: label, value ('9 areas · 471,021 residents') and its help text."""
    n, residents = priority_totals(gap)
    total = float(np.nansum(gap["population"].to_numpy(dtype=float)))
    share = residents / total * 100 if total else np.nan
    value = f"{n} area{'s' if n != 1 else ''} · {number(residents)} residents"
    help_text = (f"{HELP['priority']} They are home to {number(share, 1)}% of the city's residents "
                 "(census-tract populations summed by area).")
    return "Priority areas (high need, low coverage)", value, help_text


# --- the map and its legend --------------------------------------------------------------------------------------


TOOLTIP = "<b>{name}</b><br/>{need_line}<br/>{coverage_line}<br/>{gap_line}<br/>{cell_line}"


def _tooltip_rows(gap: pd.DataFrame) -> pd.DataFrame:
    # Short lines: the tooltip must stay inside a map that is only half the page wide.
    t = area_table(gap)
    known = t["Gap (points)"].notna().to_numpy()
    return pd.DataFrame({
        "name": t["Area"],
        "need_line": [f"Need percentile {n:.1f}" if pd.notna(n) else "Need unknown" for n in t["Need percentile"]],
        "coverage_line": [f"{c:,.2f} places per 1,000 (percentile {p:.1f})" if pd.notna(p) else "Coverage unknown"
                          for c, p in zip(t["Weekly places per 1,000"], t["Coverage percentile"])],
        "gap_line": [f"Gap {g:+.1f} points, rank {r}" if k else "No gap"
                     for g, r, k in zip(t["Gap (points)"], t["Rank (1 = largest gap)"], known)],
        "cell_line": [class_description(cls) + (" · PRIORITY" if pr else "") + (f" · ranked without {m}" if m else "")
                      for cls, pr, m in zip(gap["bivariate_class"], t["Priority"], t["Ranked without"])],
        "gap_points": t["Gap (points)"],
        "bivariate_class": gap["bivariate_class"].fillna("").to_numpy(),
    })


def gap_map(areas_geo: pd.DataFrame, gap: pd.DataFrame, selected: int | None = None, width_px: int = 440,
            height_px: int = 480) -> pdk.Deck:
    """The 3×3 bivariate choropleth: each area coloured by its need tercile × coverage tercile cell.

    Each feature carries the same numbers as :func:`area_table` (``gap_points``, ``bivariate_class`` and the
    tooltip text), so tests and screen readers can check the map against the table.
    """
    g = gap.reindex(areas_geo["area_id"].to_numpy())
    colours = g["colour"].fillna(NO_DATA_COLOUR).tolist()
    props = _tooltip_rows(g)
    feats = maps.area_features(areas_geo, colours, props, {selected} if selected else set())
    d = maps.deck([maps.area_layer(feats)], areas_geo, TOOLTIP)
    d.initial_view_state = maps.view_for(areas_geo, width_px, height_px)
    return d


def legend_counts(gap: pd.DataFrame) -> pd.DataFrame:
    """The 3×3 legend as counts of areas, laid out like the legend square (coverage grows up, need to the right).

    Examples
    --------
    >>> g = pd.DataFrame({"bivariate_class": ["3-1", "3-1", "1-3", None]})
    >>> c = legend_counts(g)
    >>> int(c.loc["low coverage", "high need"]), int(c.loc["high coverage", "low need"]), int(c.values.sum())
    (2, 1, 3)
    """
    grid = bivariate_legend()
    counts = gap["bivariate_class"].value_counts()
    out = pd.DataFrame(0, index=grid.index, columns=grid.columns)
    for c in (3, 2, 1):
        for n in (1, 2, 3):
            out.loc[f"{TERCILE_NAMES[c]} coverage", f"{TERCILE_NAMES[n]} need"] = int(counts.get(f"{n}-{c}", 0))
    return out


def _text_colour(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#ffffff" if 0.299 * r + 0.587 * g + 0.114 * b < 140 else "#1a1a1a"


def legend_square_html(gap: pd.DataFrame) -> str:
    """The 3×3 legend square as HTML: the colours, with the count of areas in each cell; the priority cell outlined."""
    grid, counts = bivariate_legend(), legend_counts(gap)
    cells = []
    for row in grid.index:
        for col in grid.columns:
            colour, n = grid.loc[row, col], int(counts.loc[row, col])
            cls_key = next(k for k, v in BIVARIATE_PALETTE.items() if v == colour)
            border = "3px solid #000" if cls_key == PRIORITY_CLASS else "1px solid #fff"
            cells.append(
                f'<div title="{inert(col)}, {inert(row)}: {n} areas" style="background:{colour};'
                f'color:{_text_colour(colour)};border:{border};display:flex;align-items:center;'
                f'justify-content:center;font-size:13px;font-weight:600;box-sizing:border-box">{n}</div>')
    square = ('<div style="display:grid;grid-template-columns:repeat(3,44px);grid-template-rows:repeat(3,44px);'
              'gap:0">' + "".join(cells) + "</div>")
    no_data = int(gap["bivariate_class"].isna().sum())
    note = (f'<div style="font-size:12px;margin-top:4px">{no_data} area{"s" if no_data != 1 else ""} with no data '
            f'(white)</div>' if no_data else "")
    return (
        '<div role="img" aria-label="Legend: need tercile against coverage tercile, with the number of areas in '
        'each cell" style="display:flex;align-items:flex-start;gap:10px;font-size:13px;margin-top:6px">'
        '<div style="writing-mode:vertical-rl;transform:rotate(180deg);text-align:center;height:132px">'
        'coverage →</div>'
        f'<div>{square}<div style="width:132px;text-align:center">need →</div>{note}</div>'
        '<div style="max-width:260px;line-height:1.35"><b>Need × coverage</b><br/>'
        'Numbers are areas per cell. The outlined bottom-right cell (red) is high need with low coverage: '
        'the priority areas. Blue is low need with high coverage.</div></div>'
    )


# --- why an area ranks where it does -----------------------------------------------------------------------------


@dataclass
class AreaWhy:
    """Everything the "why this area" panel says about one area."""

    name: str
    summary: str              # need, coverage and gap in one sentence
    need_sentence: str        # core.analysis.need_index.explain
    missing: list[str]        # labels of the indicators the area was ranked without
    flag_note: str            # "" unless the area is flagged for missing indicators
    domains: pd.DataFrame     # per domain: weight share and the area's domain percentile
    indicators: pd.DataFrame  # per indicator: the area's percentile (higher = more need), or missing


def why(ni: NeedIndex, gap: pd.DataFrame, area_id: int) -> AreaWhy:
    """Why an area sits where it does: its need drivers (``explain``), coverage, gap and missing indicators."""
    row = gap.loc[area_id]
    if pd.notna(row["gap"]):
        summary = (f"Need percentile {row['need_pct'] * 100:.1f} against coverage percentile "
                   f"{row['coverage_pct'] * 100:.1f} ({number(row['coverage'], 2)} weekly places per 1,000 residents):"
                   f" a gap of {row['gap'] * 100:+.1f} points, rank {int(row['rank'])} of {len(gap)} by gap, in the "
                   f"{class_description(row['bivariate_class'])} cell" + (" — a priority area." if row["priority"]
                                                                          else "."))
    else:
        summary = "Need or coverage is unknown for this area, so it has no gap and no cell."
    domains = pd.DataFrame({
        "Domain": [DOMAIN_LABELS[d].capitalize() for d in DOMAINS],
        "Weight (% of index)": [round(ni.weights[d] * 100, 1) for d in DOMAINS],
        "Area's percentile": [round(float(ni.domain_rank.at[area_id, d]) * 100, 1)
                                     if d in ni.domain_rank.columns and pd.notna(ni.domain_rank.at[area_id, d])
                                     else np.nan for d in DOMAINS],
    })
    ind = ni.indicator_pct.loc[area_id]
    indicators = pd.DataFrame({
        "Indicator": [ni.labels.get(i, i) for i in ind.index],
        "Domain": [DOMAIN_LABELS.get(ni.domains.get(i, ""), "") for i in ind.index],
        "Percentile (higher = more need)": (ind.to_numpy(dtype=float) * 100).round(1),
        "Note": ["no value: ranked without it" if pd.isna(v) else "" for v in ind],
    }).sort_values("Percentile (higher = more need)", ascending=False, na_position="last", kind="stable")
    missing = [ni.labels.get(m, m) for m in ni.missing.loc[area_id]]
    flag_note = ""
    if missing:
        names = ", ".join(inert(_mid_sentence(m)) for m in missing)
        flag_note = (f"Flagged: no published value for {names} in this area, so its need index is ranked on the "
                     "indicators it has (the SVI rule).")
    return AreaWhy(name=str(row["name"]), summary=summary, need_sentence=inert(explain(ni, area_id)), missing=missing,
                   flag_note=flag_note, domains=domains, indicators=indicators.reset_index(drop=True))


def _mid_sentence(label: str) -> str:
    # "Unmet need" reads "unmet need" mid-sentence; acronyms and proper names ("SVI", "Social Vulnerability
    # Index") keep their capitals, which a second capital letter gives away.
    words = label.split()
    if words and words[0][:1].isupper() and words[0][1:].islower() and not any(w[:1].isupper() for w in words[1:]):
        return label[0].lower() + label[1:]
    return label


def sources_help(defs: pd.DataFrame) -> str:
    """Each need-index indicator with its publisher and period, for the help text of the need figures."""
    d = defs.loc[defs["domain"].isin(DOMAINS)]
    if "in_need_index" in d.columns:
        d = d.loc[d["in_need_index"].astype(bool)]
    parts = [f"{inert(r.label)} ({inert(r.publisher)}, {inert(r.period)})" for r in d.itertuples()]
    return "Indicators: " + "; ".join(parts) + "."
