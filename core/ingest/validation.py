"""Turn a pandera validation failure into an InputError that names the file, the row and the column."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from core.base.errors import InputError
from core.ingest.csv_input import ROW_COLUMN


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema, file: str) -> pd.DataFrame:
    """Validate ``df`` (which carries a ``_row`` column) and report the first failing cell in file order.

    Examples
    --------
    >>> s = pa.DataFrameSchema({"x": pa.Column(float, pa.Check.ge(0))})
    >>> df = pd.DataFrame({"x": [1.0, -2.0], "_row": [2, 3]})
    >>> try:
    ...     validate(df, s, "f.csv")
    ... except InputError as e:
    ...     print(e)
    f.csv: row 3, column 'x': failed check greater_than_or_equal_to(0) (got -2.0)
    """
    try:
        return schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.copy()
        cases["_order"] = cases["index"].map(
            lambda i: df.loc[i, ROW_COLUMN] if i is not None and not pd.isna(i) and i in df.index else -1)
        cases = cases.sort_values("_order", kind="stable")
        first = cases.iloc[0]
        row = int(first["_order"]) if first["_order"] != -1 else None
        column = first["column"] if isinstance(first["column"], str) else None
        check = first["check"]
        got = first["failure_case"]
        got = got.item() if hasattr(got, "item") else got
        message = f"failed check {check} (got {got!r})"
        if str(check).startswith("column_in_dataframe"):
            message, row = "required column is missing", 1
            column = first["failure_case"]
        elif "field_uniqueness" in str(check) or str(check) == "unique":
            message = f"duplicate value {first['failure_case']!r}: ids must be unique"
        raise InputError(file, row, column, message) from None
