"""Small-number protection: hand-worked tables plus property tests over random tables and inventories."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.analysis.suppression import (
    COMPLEMENTARY,
    SUPPRESSED,
    SUPPRESSION_RULE_MD,
    TOTAL_LABEL,
    protect_table,
    safe_csv,
    suppress_counts,
    suppression_mask,
)

HIDDEN = {SUPPRESSED, COMPLEMENTARY}


def is_people_count_shown_small(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and 0 < v < 11


# ---------------------------------------------------------------- hand-worked


def test_suppress_counts_hides_1_to_10_and_their_rates_but_not_zero():
    d = pd.DataFrame(
        {"area": ["A", "B", "C", "D", "E", "F"], "n": [0, 1, 10, 11, np.nan, 250],
         "rate": [0.0, 0.1, 1.0, 1.1, np.nan, 25.0], "other": [1, 2, 3, 4, 5, 6]}
    )
    out, mask = suppress_counts(d, ["n"], {"rate": "n"}, return_mask=True)
    assert out["n"].tolist()[:4] == [0, SUPPRESSED, SUPPRESSED, 11]
    assert np.isnan(out["n"].iloc[4]) and out["n"].iloc[5] == 250
    assert out["rate"].tolist()[:4] == [0.0, SUPPRESSED, SUPPRESSED, 1.1]
    # Columns not named are left alone, even with small numbers in them.
    assert out["other"].tolist() == [1, 2, 3, 4, 5, 6]
    assert mask["n"].tolist() == [False, True, True, False, False, False]
    assert mask.equals(suppression_mask(d, ["n"], {"rate": "n"}))
    # The input is not modified.
    assert d["n"].iloc[1] == 1


def test_protect_table_row_totals_only():
    # Row 1: 5 is hidden; exactly one hidden in a row with a total, so the smallest other non-zero
    # cell, 20, is hidden too (the 0 is skipped). Shown total = 30.
    # Row 2: 3 and 4 are both hidden already: nothing more. Shown total 50.
    # Row 3: 7 with only zeros beside it: no second cell to hide; shown total 0.
    # No total row, so columns are not protected: column b keeps 4 hidden alone.
    d = pd.DataFrame({"name": ["r1", "r2", "r3"], "a": [5, 3, 7], "b": [20, 4, 0], "c": [30, 50, 0], "d": [0, 0, 0]})
    t, mask = protect_table(d, ["a", "b", "c", "d"], total_row=False, total_col="total", return_mask=True)
    assert t.loc[0].tolist() == ["r1", SUPPRESSED, COMPLEMENTARY, 30, 0, 30]
    assert t.loc[1].tolist() == ["r2", SUPPRESSED, SUPPRESSED, 50, 0, 50]
    assert t.loc[2].tolist() == ["r3", SUPPRESSED, 0, 0, 0, 0]
    assert mask.to_numpy().sum() == 5
    assert len(t) == 3


def test_protect_table_iterates_until_stable():
    # Counts (rows x, y, z; columns a, b, c), totals on both sides:
    #        a    b    c
    #   x    4   50   60
    #   y   30   12   80
    #   z   40   90   15
    # Pass 1, rows: x has one hidden (4) -> hide its smallest other non-zero, 50 (x,b).
    #         columns: a has one hidden (4) -> hide 30 (y,a); b now has one hidden (50) -> hide 12 (y,b).
    # Pass 2, rows: y has 30 and 12 hidden (two): fine. x: two. z: none.
    #         columns: a two, b two, c none. Stable.
    d = pd.DataFrame({"a": [4, 30, 40], "b": [50, 12, 90], "c": [60, 80, 15]}, index=["x", "y", "z"])
    t, mask = protect_table(d, ["a", "b", "c"], total_row=True, total_col="total", return_mask=True)
    expected_mask = np.array([[True, True, False], [True, True, False], [False, False, False]])
    assert (mask.to_numpy() == expected_mask).all()
    assert t.loc["x"].tolist() == [SUPPRESSED, COMPLEMENTARY, 60, 60]
    assert t.loc["y"].tolist() == [COMPLEMENTARY, COMPLEMENTARY, 80, 80]
    assert t.loc["z"].tolist() == [40, 90, 15, 145]
    # Totals of shown cells: a 40, b 90, c 60 + 80 + 15 = 155; grand 285.
    assert t.loc[TOTAL_LABEL].tolist() == [40, 90, 155, 285]


def test_protect_table_picks_the_smallest_and_skips_zero_and_missing():
    # Column-protected only. Column a: 2 hidden; candidates 0 (skip), NaN (skip), 18, 15 -> 15 goes.
    d = pd.DataFrame({"label": ["p", "q", "r", "s", "t"], "a": [2, 0, np.nan, 18, 15]})
    t, mask = protect_table(d, ["a"], total_row=True, return_mask=True)
    assert mask["a"].tolist() == [True, False, False, False, True]
    assert t["a"].iloc[4] == COMPLEMENTARY and t["a"].iloc[1] == 0
    assert t.iloc[-1].tolist() == [TOTAL_LABEL, 18]


def test_rule_text_is_there_for_the_methods_page():
    assert "<11" in SUPPRESSION_RULE_MD and "Total of shown cells" in SUPPRESSION_RULE_MD
    assert "CMS" in SUPPRESSION_RULE_MD and "zero" in SUPPRESSION_RULE_MD.lower()


def test_safe_csv_neutralises_formulas_but_keeps_numbers():
    d = pd.DataFrame(
        {
            "name": ["=1+1", "+SUM(A1)", "-cmd", "@x", "\tx", "\rx", "fine", "-12.5", "a=b"],
            "change": [-1.5, -2.0, 0.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
            "n": [1, 11, 0, 10, 12, 13, 14, 15, 16],
        }
    )
    d["=header"] = 1
    text = safe_csv(d, count_cols=["n"]).decode("utf-8")
    back = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert back.columns.tolist() == ["name", "change", "n", "'=header"]
    assert back["name"].tolist() == ["'=1+1", "'+SUM(A1)", "'-cmd", "'@x", "'\tx", "'\rx", "fine", "-12.5", "a=b"]
    assert back["change"].tolist()[:2] == ["-1.5", "-2.0"]
    assert back["n"].tolist()[:4] == ["<11", "11", "0", "<11"]


# ---------------------------------------------------------------- properties

cell = st.one_of(st.just(0), st.integers(1, 10), st.integers(11, 400))


@st.composite
def tables(draw):
    n_rows = draw(st.integers(1, 6))
    n_cols = draw(st.integers(1, 5))
    values = draw(st.lists(st.lists(cell, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows))
    cols = [f"c{j}" for j in range(n_cols)]
    df = pd.DataFrame(values, columns=cols)
    df.insert(0, "group", [f"g{i}" for i in range(n_rows)])
    total_row = draw(st.booleans())
    total_col = draw(st.sampled_from([None, "row total"]))
    return df, cols, total_row, total_col


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_protected_tables_never_show_or_leak_small_counts(case):
    df, cols, total_row, total_col = case
    out, mask = protect_table(df, cols, total_row=total_row, total_col=total_col, return_mask=True)
    true = df[cols].to_numpy()
    body = out.iloc[: len(df)]
    shown_cells = body[cols].to_numpy()

    # 1. Nothing displayed - body cell or total - counts 1-10 people.
    totals = []
    if total_col:
        totals += body[total_col].tolist()
    if total_row:
        totals += out.iloc[-1][cols + ([total_col] if total_col else [])].tolist()
    for v in [*shown_cells.ravel().tolist(), *totals]:
        assert not is_people_count_shown_small(v), v

    # 2. Every 1-10 count is hidden, and no zero is.
    small = (true > 0) & (true < 11)
    assert (mask.to_numpy()[small]).all()
    assert not mask.to_numpy()[true == 0].any()
    hidden = np.isin(shown_cells.astype(str), list(HIDDEN))
    assert (hidden == mask.to_numpy()).all()

    # 3. Shown totals are the sums of the shown cells, and subtracting the shown cells from any shown
    #    total never gives back a hidden cell.
    shown_num = np.where(hidden, 0, true)
    lines = []
    if total_col:
        lines += [(body[total_col].iloc[i], shown_num[i, :], true[i, :], hidden[i, :]) for i in range(len(df))]
    if total_row:
        lines += [(out.iloc[-1][c], shown_num[:, j], true[:, j], hidden[:, j]) for j, c in enumerate(cols)]
    for total, shown_line, true_line, hidden_line in lines:
        assert total == shown_line.sum()
        residual = total - shown_line.sum()
        for value in true_line[hidden_line]:
            assert residual != value

    # 4. Even if a line's true total were published elsewhere, no line holds exactly one hidden cell
    #    unless nothing else in it is non-zero (then there is no second cell to hide).
    for _, _, true_line, hidden_line in lines:
        if hidden_line.sum() == 1:
            assert (true_line[~hidden_line] == 0).all()

    # 5. The grand total agrees both ways.
    if total_row and total_col:
        assert out.iloc[-1][total_col] == shown_num.sum()


@st.composite
def inventories(draw):
    n = draw(st.integers(1, 25))
    risky = st.tuples(
        st.sampled_from(["", "=", "+", "-", "@", "\t", "\r", " ", "'"]),
        st.text(alphabet="abcXYZ019()!,.;:\"'=+- ", max_size=12),
    ).map("".join)
    numeric_text = st.floats(-1e4, 1e4, allow_nan=False).map(lambda x: f"{x:g}")
    names = draw(st.lists(st.one_of(risky, numeric_text), min_size=n, max_size=n))
    participants = draw(st.lists(st.one_of(cell, st.none()), min_size=n, max_size=n))
    older = draw(st.lists(cell, min_size=n, max_size=n))
    change = draw(st.lists(st.floats(-50, 50, allow_nan=False), min_size=n, max_size=n))
    df = pd.DataFrame(
        {
            "name": names,
            "participants": pd.array(participants, dtype="Int64"),
            "participants_65plus": older,
            "per_1000": [None if p is None else p / 7.0 for p in participants],
            "mean_change": change,
        }
    )
    return df


@settings(max_examples=80, deadline=None)
@given(inventories())
def test_exports_never_hold_small_counts_and_defuse_formulas(df):
    count_cols = ["participants", "participants_65plus"]
    raw = safe_csv(df, count_cols=count_cols, rate_cols_by_count={"per_1000": "participants"})
    back = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
    assert back.columns.tolist() == df.columns.tolist()
    for col in count_cols:
        for text, original in zip(back[col], df[col]):
            if text in ("", SUPPRESSED):
                continue
            assert not 0 < float(text) < 11
            assert float(text) == original
    small = df["participants"].fillna(0).between(1, 10).to_numpy()
    assert (back["per_1000"].to_numpy()[small] == SUPPRESSED).all()
    assert not (back["per_1000"].to_numpy()[~small] == SUPPRESSED).any()
    # Negative numbers stay numbers.
    assert [float(x) for x in back["mean_change"]] == pytest.approx(df["mean_change"].tolist())
    # Text a spreadsheet would run gets a leading quote; everything else comes back as it went in.
    for text, original in zip(back["name"], df["name"]):
        dangerous = original[:1] in ("=", "+", "-", "@", "\t", "\r")
        try:
            float(original)
            is_number = original.strip() == original
        except ValueError:
            is_number = False
        expected = "'" + original if dangerous and not is_number else original
        assert text == expected
