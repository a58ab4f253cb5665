"""The data-quality log: every rule the build applied to the raw files, with how many rows it touched."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class QualityLog:
    """Collects (file, rule, rows, action, detail) records while the raw files are read.

    Examples
    --------
    >>> q = QualityLog()
    >>> q.add("a.csv", "city-total row", 1, "dropped", "id 0 is the CHICAGO total")
    >>> q.to_frame()[["file", "rows_affected", "action"]].values.tolist()
    [['a.csv', 1, 'dropped']]
    """

    records: list[dict] = field(default_factory=list)

    def add(self, file: str, rule: str, rows: int, action: str, detail: str = "") -> None:
        self.records.append(
            {"file": file, "rule": rule, "rows_affected": int(rows), "action": action, "detail": detail})

    def to_frame(self) -> pd.DataFrame:
        cols = ["file", "rule", "rows_affected", "action", "detail"]
        return pd.DataFrame(self.records, columns=cols)
