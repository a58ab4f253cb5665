"""The neighbourhood brief: one printable page per area, as escaped HTML for the app and as a PDF (fpdf2)."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from core.analysis import funding
from core.analysis.coverage import TYPE_LABELS
from core.analysis.gap import gap_table
from core.analysis.need import need_for
from core.base import population
from core.base.formatting import money, number
from core.base.markup import inert
from core.base.palettes import CATEGORICAL
from core.store import queries
from core.views import provenance, url_state
from core.views.compare import comparison, format_value, indicator_long, ordinal
from core.views.map_image import font_path, locator_png
from core.views.plan import PlanSummary
from core.views.reach_brief import reach_lines

#: The indicators a brief leads with where the pack has them, in order: need, vulnerability, barriers, then
#: coverage. A pack without them leads with its headline indicator and its need-index indicators instead.
HEADLINE_IDS = ["unmet_need", "loneliness", "suicide_rate", "svi", "unemployment", "poverty", "uninsured",
                "limited_english", "disability", "coverage_per_1000", "reach_share"]
COVERAGE_IDS = ["coverage_per_1000", "reach_share"]


def headline_ids(info: dict, index_ids: list[str], present: set[str]) -> list[str]:
    """The brief's indicators: :data:`HEADLINE_IDS` the pack has, else its headline and need-index indicators.

    >>> headline_ids({"city_headline_indicator": "psych_hosp"}, ["psych_hosp", "poverty"], {"psych_hosp", "poverty"})
    ['psych_hosp', 'poverty', 'coverage_per_1000', 'reach_share']
    """
    known = [i for i in HEADLINE_IDS if i in present and i not in COVERAGE_IDS]
    if len(known) >= len(HEADLINE_IDS) - len(COVERAGE_IDS):
        return known + COVERAGE_IDS
    first = [info.get("city_headline_indicator")] if info.get("city_headline_indicator") in present else []
    return list(dict.fromkeys(first + [i for i in index_ids if i in present])) + COVERAGE_IDS
MAX_PROGRAMMES = 10
SYNTHETIC_NOTE = ("The programme inventory in this brief (programmes, weekly places, budgets and runway) is a "
                  "SYNTHETIC sample generated from a seed, not real programmes or funding.")
_TERCILE = {1: "low", 2: "middle", 3: "high"}
AREA_COLOUR = CATEGORICAL[0]
PROGRAMME_COLOUR = CATEGORICAL[5]


@dataclass
class Brief:
    """Everything one area's brief shows, already formatted for print."""

    area_id: str
    name: str
    population: float
    need_index: float                  # 0–100 percentile
    indicators: pd.DataFrame           # Indicator, Value, City median, Percentile, Period
    programmes: pd.DataFrame           # Programme, Type, Weekly places, Annual budget, Runway
    programmes_total: int
    gaps: dict[str, str]
    priority: bool
    sources: list[str]
    vintage: str
    notices: list[str]
    synthetic_inventory: bool
    map_png: bytes = field(repr=False, default=b"")
    area_label: str = "Area"           # the pack's word for an area, e.g. "Community district"
    # What the reader did elsewhere in the session (Plan, Compare), carried into the brief for the meeting.
    plan: PlanSummary | None = None
    compared: pd.DataFrame | None = None    # Indicator, Unit, City median, one column per compared area
    settings: str = ""                      # the coverage settings in force, in words
    reach: dict[str, str] = field(default_factory=dict)  # who is reached, who carries it (core.views.reach_brief)


def compared_table(long: pd.DataFrame, area_ids) -> pd.DataFrame:
    """The headline indicators of the compared areas side by side: 'value · percentile' per area, city median."""
    comp = comparison(long, area_ids)
    comp = comp.loc[comp["indicator_id"].isin(HEADLINE_IDS)]
    if comp.empty:
        return pd.DataFrame()
    comp = comp.assign(_o=comp["indicator_id"].map({i: k for k, i in enumerate(HEADLINE_IDS)}))
    base = comp.drop_duplicates("indicator_id").sort_values("_o")
    out = pd.DataFrame({"Indicator": base["label"].to_numpy(), "Unit": base["unit"].to_numpy(),
                        "City median": base["median_text"].to_numpy()})
    for area_id in [str(a) for a in area_ids]:
        rows = comp.loc[comp["area_id"] == area_id].set_index("indicator_id")
        if rows.empty:
            continue
        cells = [v if p in ("", "–") else f"{v} · {p}" for v, p in zip(rows["value_text"], rows["percentile_text"])]
        out[str(rows["area"].iloc[0])] = pd.Series(cells, index=rows.index).reindex(base["indicator_id"]).fillna(
            "–").to_numpy()
    return out


def context_caption(b: Brief) -> str:
    """What of the session the brief carries, or how to add it."""
    have = [w for w, x in (("your plan from the Plan page", b.plan), ("the areas you compared", b.compared),
                           ("your coverage settings", b.settings or None)) if x is not None]
    if not have:
        return ("Choose sites on the Plan page or areas on the Compare page, and this brief (and its PDF) will carry "
                "them too.")
    return "This brief (and its PDF) also carries " + (", ".join(have[:-1]) + " and " + have[-1] if len(have) > 1
                                                         else have[0]) + ", from this session."


def with_context(b: Brief, plan: PlanSummary | None = None, compared: pd.DataFrame | None = None,
                 settings: str = "") -> Brief:
    """The brief with the reader's current plan, comparison and settings added (each optional)."""
    return replace(b, plan=plan, compared=compared if compared is not None and len(compared) else None,
                   settings=settings)


def _runway_text(months, capped: bool, at_risk: bool) -> str:
    if months is None or pd.isna(months):
        return "unknown"
    text = "> 36 months" if capped else f"{int(months)} month{'' if int(months) == 1 else 's'}"
    return text + " (at risk)" if at_risk else text


def brief_data(con, area_id: str, long: pd.DataFrame | None = None) -> Brief:
    """Gather one area's brief from the database (raises KeyError for an unknown area).

    The indicators are those of :data:`HEADLINE_IDS` with the city median and the percentile among the areas
    (as on the Compare page). The programmes are those based in the area and active on the as-of date, with
    their funding runway from ``core.analysis.funding.program_metrics``. The gaps are the area's need and coverage
    terciles and priority flag (``core.analysis.gap.gap_table``). ``long`` is ``compare_view.indicator_long(con)`` if
    the caller has it already.
    """
    area_id = str(area_id)
    info = queries.build_info(con)
    areas = queries.areas(con)
    if area_id not in set(areas["area_id"]):
        raise KeyError(f"no area {area_id}")
    row = areas.set_index("area_id").loc[area_id]
    long = indicator_long(con) if long is None else long

    ids = headline_ids(info, queries.need_index_ids(con), set(long["indicator_id"]))
    mine = long.loc[(long["area_id"] == area_id) & long["indicator_id"].isin(ids)].copy()
    mine["_o"] = mine["indicator_id"].map({i: k for k, i in enumerate(ids)})
    mine = mine.sort_values("_o")
    indicators = pd.DataFrame({
        "Indicator": mine["label"].to_numpy(),
        "Value": [format_value(v, i, d, m, u, lo, hi, f) for v, i, d, m, u, lo, hi, f in
                  zip(mine["value"], mine["indicator_id"], mine["digits"], mine["moe"], mine["unstable"],
                      mine["ci_low"], mine["ci_high"], mine["flag"])],
        "Unit": mine["unit"].to_numpy(),
        "City median": [format_value(v, i, d) for v, i, d in
                        zip(mine["city_median"], mine["indicator_id"], mine["digits"])],
        "Percentile": mine["percentile_text"].replace("", "– (already a percentile)").to_numpy(),
        "Period": mine["period"].to_numpy(),
    })

    need = need_for(con).index
    cov = long.loc[long["indicator_id"] == "coverage_per_1000"].set_index("area_id")["value"]
    gap = gap_table(need, cov).loc[area_id]
    gaps = {
        "Need index": f"{ordinal(gap['need_pct'] * 100)} percentile ({_TERCILE.get(gap['need_tercile'], '–')} "
                      "third of areas for need)",
        "Coverage": f"{number(gap['coverage'], 2)} weekly places per 1,000 residents, {ordinal(gap['coverage_pct'] * 100)}"
                    f" percentile ({_TERCILE.get(gap['coverage_tercile'], '–')} third for coverage)",
        "Gap (need minus coverage percentile)": f"{gap['gap'] * 100:+.0f} points, rank {int(gap['rank'])} of "
                                                f"{len(need)}",
        "Priority area": "yes: high need, low coverage" if bool(gap["priority"]) else "no",
    }

    as_of = info.get("as_of")
    progs = queries.programs(con)
    active = (pd.to_datetime(progs["start_date"]) <= pd.Timestamp(as_of)) & (
        progs["end_date"].isna() | (pd.to_datetime(progs["end_date"]) >= pd.Timestamp(as_of)))
    progs = progs.loc[active & (progs["area_id"] == area_id)].reset_index(drop=True)
    metrics = funding.program_metrics(progs, queries.funding(con), as_of) if len(progs) else None
    if metrics is not None:
        p = progs.merge(metrics, on="program_id", how="left")
        p = p.sort_values(["weekly_capacity", "name"], ascending=[False, True], kind="stable")
        programmes = pd.DataFrame({
            "Programme": p["name"].to_numpy(),
            "Type": p["type"].map(TYPE_LABELS).fillna(p["type"]).to_numpy(),
            "Weekly places": [number(v) for v in p["weekly_capacity"]],
            "Annual budget": [money(v) for v in p["annual_budget"]],
            "Runway": [_runway_text(m, c, r) for m, c, r in zip(p["runway_months"], p["runway_capped"], p["at_risk"])],
        })
    else:
        programmes = pd.DataFrame(columns=["Programme", "Type", "Weekly places", "Annual budget", "Runway"])

    defs = queries.indicator_defs(con).set_index("indicator_id")
    # The boundary source is the real portal file, or libpysal's copy in the synthetic demo.
    src_ids = ["ca_boundaries", "demo_boundaries"] + list(dict.fromkeys(defs.reindex(ids)["source_id"].dropna())) + ["inventory"]
    src = queries.sources(con).set_index("source_id")
    sources = [f"{r['publisher']}, {r['title']} ({r['years']})" for sid in src_ids if sid in src.index
               for r in [src.loc[sid]]]
    periods = sorted(set(defs.reindex(ids)["period"].dropna()))
    vintage = (f"Indicator periods {', '.join(periods)}; programmes and funding as of {as_of}; "
               f"atlas built {info.get('built_at', '?')[:10]}.")
    synthetic = info.get("inventory_kind") == "synthetic sample"
    notices = [SYNTHETIC_NOTE] if synthetic else []
    notices += [t for t in provenance.banners(info, shows_inventory=False)]

    return Brief(area_id=area_id, name=str(row["name"]), population=float(row["population"]),
                 need_index=float(need.get(area_id, np.nan) * 100), indicators=indicators,
                 programmes=programmes.head(MAX_PROGRAMMES).reset_index(drop=True), programmes_total=len(programmes),
                 gaps=gaps, priority=bool(gap["priority"]), sources=sources, vintage=vintage, notices=notices,
                 synthetic_inventory=synthetic,
                 map_png=map_png(areas, area_id, progs[["lon", "lat"]] if len(progs) else None),
                 area_label=(info.get("city_area_label") or "area").capitalize(),
                 reach=reach_lines(con, area_id, progs))


def area_from_query(query: dict, valid_ids, default=None) -> str:
    """The area from ``?area=68`` (a text id); anything unknown falls back to ``default`` (the page passes the
    area of highest need), or else the first valid area.

    >>> area_from_query({"area": "25"}, range(1, 78)), area_from_query({"area": "x"}, range(1, 78), default=68)
    ('25', '68')
    """
    valid = [str(a) for a in valid_ids]
    picked = url_state.ids(query, "area", valid, 1)
    if picked:
        return picked[0]
    return str(default) if default is not None and str(default) in valid else valid[0]


def _mercator(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    # Web Mercator keeps the shapes as readers know them from street maps.
    lon, lat = np.radians(np.asarray(lon, dtype=float)), np.radians(np.asarray(lat, dtype=float))
    return lon, np.log(np.tan(np.pi / 4 + lat / 2))


def _rings(geojson: str) -> list[np.ndarray]:
    """Exterior rings of a GeoJSON (Multi)Polygon, projected, as (n, 2) arrays."""
    g = json.loads(geojson)
    polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
    out = []
    for poly in polys:
        xy = np.asarray(poly[0], dtype=float)
        x, y = _mercator(xy[:, 0], xy[:, 1])
        out.append(np.column_stack([x, y]))
    return out


def map_png(areas: pd.DataFrame, area_id: str, points: pd.DataFrame | None = None, dpi: int = 150) -> bytes:
    """The brief's map as PNG bytes, drawn from the area polygons only (no tiles).

    Left, the city with the area filled; right, the area close up with its neighbours outlined and the
    programmes based there as dots.
    """
    rings = {str(a): _rings(g) for a, g in zip(areas["area_id"], areas["geometry_simplified"])}
    focus = rings[str(area_id)]
    others = [r for a, rs in rings.items() if a != str(area_id) for r in rs]
    xy = np.column_stack(_mercator(points["lon"], points["lat"])) if points is not None and len(points) else None
    return locator_png(focus, others, xy, area_colour=AREA_COLOUR, point_colour=PROGRAMME_COLOUR, dpi=dpi)


def _table_html(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{inert(c)}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{inert(v)}</td>" for v in row) + "</tr>"
                   for row in df.itertuples(index=False))
    return f'<table class="brief-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def brief_html(b: Brief) -> str:
    """The brief as a self-contained HTML fragment; every text from the data is escaped."""
    e = inert
    notices = "".join(f'<p class="brief-notice">{e(t)}</p>' for t in b.notices)
    gaps = "".join(f"<li><b>{e(k)}:</b> {e(v)}</li>" for k, v in b.gaps.items())
    more = (f"<p>… and {b.programmes_total - len(b.programmes)} more programmes.</p>"
            if b.programmes_total > len(b.programmes) else "")
    progs = _table_html(b.programmes) if len(b.programmes) else "<p>No programme is based in this area.</p>"
    img = base64.b64encode(b.map_png).decode("ascii")
    sources = "; ".join(e(s) for s in b.sources)
    reach = "".join(f"<li><b>{e(k)}:</b> {e(v)}</li>" for k, v in b.reach.items())
    return f"""
<div class="brief" style="font-family:inherit;max-width:900px;line-height:1.35">
<style>
.brief-table {{border-collapse:collapse;width:100%;font-size:0.9rem;margin-bottom:0.6rem}}
.brief-table th, .brief-table td {{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}}
.brief-table th {{background:#f2f5f7}}
.brief-notice {{border:1px solid #c9a227;background:#fff8e1;padding:6px 8px}}
.brief h2 {{margin:0.2rem 0}} .brief h3 {{margin:0.8rem 0 0.3rem 0}}
</style>
<h2>Neighbourhood brief: {e(b.name)}</h2>
<p>{e(b.area_label)} {e(b.area_id)} · {e(number(b.population))} {population.CENSUS_SHORT} · need index {e(ordinal(b.need_index))}
percentile</p>
{notices}
<img src="data:image/png;base64,{img}" alt="Map of {e(b.name)}: its place in the city and a close-up with the
programmes based there" style="max-width:100%;height:auto"/>
<h3>Headline indicators against the city median</h3>
{_table_html(b.indicators)}
<h3>Gaps</h3>
<ul>{gaps}</ul>
<h3>Programmes based here and their funding runway</h3>
{progs}{more}
<h3>Who is reached, who carries it</h3>
<ul>{reach}</ul>
{_context_html(b)}
<p style="font-size:0.8rem"><b>Sources:</b> {sources}.<br/><b>Vintage:</b> {e(b.vintage)}</p>
</div>"""


def _context_html(b: Brief) -> str:
    """The plan, comparison and settings sections, when the reader has them."""
    e = inert
    out = ""
    if b.settings:
        out += f"<h3>Settings in force</h3><p>{e(b.settings)}</p>"
    if b.plan is not None:
        note = f"<p>{e(b.plan.note)}</p>" if b.plan.note else ""
        out += (f"<h3>Your plan: new programme sites</h3><p>{e(b.plan.settings)} "
                f"{e(number(b.plan.residents_new))} residents newly within reach.</p>{note}"
                f"{_table_html(b.plan.sites.drop(columns=['Why here']))}")
    if b.compared is not None:
        out += f"<h3>Compared areas</h3>{_table_html(b.compared)}"
    return out


def _clip(text: str, n: int) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def brief_pdf(b: Brief) -> bytes:
    """The brief as a one-page US Letter PDF (fpdf2), with the same content as :func:`brief_html`.

    If the text runs long (long names wrap), the map is drawn smaller until everything fits on the page.
    """
    for img_w in (150, 125, 100, 75):
        pdf, bottom = _render_pdf(b, img_w)
        if bottom <= pdf.h - 12:
            break
    return bytes(pdf.output())


def _render_pdf(b: Brief, img_w: float):
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="portrait", unit="mm", format="Letter")
    pdf.set_auto_page_break(False)
    pdf.set_margins(12, 10, 12)
    pdf.add_font("DejaVu", "", str(font_path()))
    pdf.add_font("DejaVu", "B", str(font_path(bold=True)))
    pdf.set_title(f"Neighbourhood brief: {b.name}")
    pdf.set_author("Community Mental Health Atlas")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(width, 8, f"Neighbourhood brief: {b.name}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(width, 5, f"{b.area_label} {b.area_id} · {number(b.population)} {population.CENSUS_SHORT} · need index "
                       f"{ordinal(b.need_index)} percentile", new_x="LMARGIN", new_y="NEXT")
    for text in b.notices:
        pdf.set_fill_color(255, 248, 225)
        pdf.set_font("DejaVu", "B", 8)
        pdf.multi_cell(width, 4, text, border=1, fill=True, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_fill_color(247, 247, 247)
    pdf.ln(1)
    if b.map_png:
        pdf.image(io.BytesIO(b.map_png), x=pdf.l_margin + (width - img_w) / 2, w=img_w)

    heading = FontFace(emphasis="BOLD", fill_color=(242, 245, 247))

    def section(title: str) -> None:
        pdf.ln(1)
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(width, 6, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 7.5)

    section("Headline indicators against the city median")
    ind = b.indicators[["Indicator", "Value", "Unit", "City median", "Percentile", "Period"]]
    with pdf.table(col_widths=(58, 26, 34, 22, 18, 34), line_height=3.9, headings_style=heading,
                   text_align="LEFT", cell_fill_color=(247, 247, 247), cell_fill_mode="ROWS") as t:
        t.row(list(ind.columns))
        for r in ind.itertuples(index=False):
            t.row([_clip(v, 60) for v in r])

    section("Gaps")
    for k, v in b.gaps.items():
        pdf.multi_cell(width, 3.9, f"{k}: {v}", new_x="LMARGIN", new_y="NEXT", align="L")

    section("Programmes based here and their funding runway")
    if len(b.programmes):
        with pdf.table(col_widths=(78, 30, 20, 26, 32), line_height=3.9, headings_style=heading,
                       text_align="LEFT", cell_fill_color=(247, 247, 247), cell_fill_mode="ROWS") as t:
            t.row(list(b.programmes.columns))
            for r in b.programmes.itertuples(index=False):
                t.row([_clip(r[0], 55)] + [str(v) for v in r[1:]])
        if b.programmes_total > len(b.programmes):
            pdf.cell(width, 4, f"… and {b.programmes_total - len(b.programmes)} more programmes.",
                     new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.cell(width, 4, "No programme is based in this area.", new_x="LMARGIN", new_y="NEXT")

    if b.reach:
        section("Who is reached, who carries it")
        for k, v in b.reach.items():
            pdf.multi_cell(width, 3.6, f"{k}: {v}", new_x="LMARGIN", new_y="NEXT", align="L")

    pdf.ln(1)
    pdf.set_font("DejaVu", "", 6.5)
    pdf.multi_cell(width, 3, "Sources: " + "; ".join(b.sources) + ".", new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.multi_cell(width, 3, "Vintage: " + b.vintage, new_x="LMARGIN", new_y="NEXT", align="L")
    bottom = pdf.get_y()
    pdf.set_y(-10)
    pdf.set_font("DejaVu", "", 6.5)
    pdf.cell(width, 4, "Community Mental Health Atlas · methods in the app's Data & methods page", align="C")
    if b.plan is not None or b.compared is not None or b.settings:
        _context_pdf(pdf, b, width, heading, section)
    return pdf, bottom


def _context_pdf(pdf, b: Brief, width: float, heading, section) -> None:
    """A second page with the reader's plan, comparison and settings."""
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 13)
    pdf.cell(width, 7, f"{b.name}: the plan and comparison in this session", new_x="LMARGIN", new_y="NEXT")
    if b.settings:
        section("Settings in force")
        pdf.multi_cell(width, 3.9, b.settings, new_x="LMARGIN", new_y="NEXT", align="L")
    if b.plan is not None:
        section("Your plan: new programme sites")
        pdf.multi_cell(width, 3.9, f"{b.plan.settings} {number(b.plan.residents_new)} residents newly within reach.",
                       new_x="LMARGIN", new_y="NEXT", align="L")
        if b.plan.note:
            pdf.multi_cell(width, 3.9, b.plan.note, new_x="LMARGIN", new_y="NEXT", align="L")
        sites = b.plan.sites[["Order", "Venue", "Address", "Area", "Longitude", "Latitude",
                              "Residents newly within reach", "Priority area"]]
        with pdf.table(col_widths=(10, 46, 40, 28, 18, 16, 20, 14), line_height=3.9, headings_style=heading,
                       text_align="LEFT", cell_fill_color=(247, 247, 247), cell_fill_mode="ROWS") as t:
            t.row(["#", "Venue", "Address", "Area", "Longitude", "Latitude", "Newly in reach", "Priority"])
            for r in sites.itertuples(index=False):
                t.row([str(r[0]), _clip(r[1], 40), _clip(r[2], 36), _clip(r[3], 24), f"{r[4]:.5f}", f"{r[5]:.5f}",
                       number(r[6]), "yes" if r[7] else "no"])
    if b.compared is not None:
        section("Compared areas (value · percentile among the areas)")
        cols = list(b.compared.columns)
        rest = (width - 50 - 26 - 22) / max(1, len(cols) - 3)
        with pdf.table(col_widths=(50, 26, 22, *[rest] * (len(cols) - 3)), line_height=3.9, headings_style=heading,
                       text_align="LEFT", cell_fill_color=(247, 247, 247), cell_fill_mode="ROWS") as t:
            t.row([_clip(c, 30) for c in cols])
            for r in b.compared.itertuples(index=False):
                t.row([_clip(v, 50) for v in r])
