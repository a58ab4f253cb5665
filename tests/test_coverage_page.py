"""Coverage page under AppTest: map and table move with the filters; Coverage and Underserved links round-trip."""

from __future__ import annotations

import html
import json
import re

from core.analysis.coverage import CoverageParams, build_model, compute
from tests.test_pages import run_page

LABEL = re.compile(r"^([\d,]+\.\d\d) weekly places per 1,000 residents \(rank ([\d,]+)\)$")


def map_values(at) -> dict[int, tuple[str, int]]:
    """Per area, the coverage value and rank the map shows, read from the pydeck chart's JSON spec."""
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1
    spec = json.loads(decks[0].proto.json)
    areas = next(layer for layer in spec["layers"] if layer["id"] == "areas")
    out = {}
    for f in areas["data"]["features"]:
        # Tooltip text is made inert (entity references), which the browser shows as plain text.
        m = LABEL.match(html.unescape(f["properties"]["label"]))
        assert m, f["properties"]["label"]
        out[int(f["properties"]["area_id"])] = (m.group(1), int(m.group(2).replace(",", "")))
    return out


def map_programmes(at) -> int:
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    layers = [layer for layer in spec["layers"] if layer["id"] == "programmes"]
    return len(layers[0]["data"]) if layers else 0


def table_values(at) -> dict[int, tuple[str, int]]:
    """Per area, the same two figures from the page's 'Coverage by area' table."""
    t = next(d.value for d in at.dataframe if "Weekly places per 1,000" in d.value.columns)
    return {int(a): (f"{v:,.2f}", int(r))
            for a, v, r in zip(t["area_id"], t["Weekly places per 1,000"], t["Rank (1 = best covered)"])}


def method_values(con, params: CoverageParams) -> tuple[dict[int, tuple[str, int]], int]:
    res = compute(build_model(con), params)
    a = res.areas
    return ({int(i): (f"{v:,.2f}", int(r)) for i, v, r in zip(a["area_id"], a["coverage_per_1000"],
                                                              a["coverage_rank"])}, len(res.programs))


def q(at, key):
    v = at.query_params[key]
    return v[0] if isinstance(v, list) else v


def test_catchment_then_type_filter_move_map_and_table_together(use_db, con):
    at = run_page("pages/coverage.py")
    assert not at.exception, at.exception
    default_map = map_values(at)
    assert default_map == table_values(at)
    assert (default_map, map_programmes(at)) == method_values(con, CoverageParams())

    at.slider(key="d0").set_value(15).run()
    assert not at.exception, at.exception
    after_d0 = map_values(at)
    assert after_d0 == table_values(at)
    assert (after_d0, map_programmes(at)) == method_values(con, CoverageParams(d0=15.0))
    assert after_d0 != default_map
    assert q(at, "d0") == "15"

    at.multiselect(key="types").set_value(["workshop", "drop_in"]).run()
    assert not at.exception, at.exception
    after_types = map_values(at)
    assert after_types == table_values(at)
    expected, n_programmes = method_values(con, CoverageParams(d0=15.0, types=("workshop", "drop_in")))
    assert after_types == expected
    assert map_programmes(at) == n_programmes
    assert after_types != after_d0
    # Fewer programme types can only take places away from an area, never add them.
    assert all(float(after_types[a][0].replace(",", "")) <= float(after_d0[a][0].replace(",", "")) + 0.005
               for a in after_d0)
    assert q(at, "types") == "workshop,drop_in" and q(at, "d0") == "15"


COVERAGE_QUERY = {"d0": "20", "decay": "gaussian", "types": "workshop,drop_in", "lang": "any", "eve": "1",
                  "free": "0"}


def test_coverage_url_round_trips_through_the_widgets(use_db):
    at = run_page("pages/coverage.py", COVERAGE_QUERY)
    assert not at.exception, at.exception
    assert at.slider(key="d0").value == 20
    assert at.selectbox(key="decay").value == "gaussian"
    assert at.multiselect(key="types").value == ["workshop", "drop_in"]
    assert at.selectbox(key="lang").value == "any"
    assert at.toggle(key="eve").value is True and at.toggle(key="free").value is False
    # A widget change writes every filter back: the URL equals the one opened, with only the change.
    at.toggle(key="free").set_value(True).run()
    assert {k: q(at, k) for k in COVERAGE_QUERY} == COVERAGE_QUERY | {"free": "1"}


def test_underserved_url_round_trips_through_the_widgets(use_db):
    query = COVERAGE_QUERY | {"w_need": "2.5", "w_vul": "0", "w_bar": "1"}
    at = run_page("pages/underserved.py", query)
    assert not at.exception, at.exception
    assert [at.slider(key=k).value for k in ("w_need", "w_vul", "w_bar")] == [2.5, 0.0, 1.0]
    assert at.slider(key="d0").value == 20
    assert at.selectbox(key="decay").value == "gaussian"
    assert at.multiselect(key="types").value == ["workshop", "drop_in"]
    assert at.toggle(key="eve").value is True and at.toggle(key="free").value is False
    assert any("mental-health need 2.5 (71%)" in c.value and "20-minute walk" in c.value for c in at.caption)
    at.slider(key="w_vul").set_value(1.5).run()
    assert {k: q(at, k) for k in query} == query | {"w_vul": "1.5"}
    # The coverage part of an Underserved link opens the Coverage page on the same choices.
    cov = run_page("pages/coverage.py", {k: q(at, k) for k in COVERAGE_QUERY})
    assert cov.slider(key="d0").value == 20 and cov.multiselect(key="types").value == ["workshop", "drop_in"]


def test_hostile_query_values_fall_back_to_defaults(use_db):
    at = run_page("pages/underserved.py", {"d0": "1;DROP TABLE area", "w_need": "<script>", "w_bar": "1e9",
                                           "types": "helpline,<script>", "area": "1 OR 1=1"})
    assert not at.exception, at.exception
    assert at.slider(key="d0").value == 30
    assert at.slider(key="w_need").value == 1.0 and at.slider(key="w_bar").value == 3.0
    assert at.multiselect(key="types").value == ["helpline"]
    assert at.selectbox(key="area_pick").value == 0
