"""The one error type for bad input: it always names the file, the row and the column at fault."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input that stops a build or an upload.

    ``row`` is the 1-based data row as a person sees it in a spreadsheet, counting the header as row 1,
    so the first data row is row 2. ``None`` means the fault is in the file as a whole (empty, wrong
    encoding, too large) and ``column`` may then be ``None`` too.

    Examples
    --------
    >>> str(InputError("funding.csv", 7, "amount", "must be a number, got 'ten'"))
    "funding.csv: row 7, column 'amount': must be a number, got 'ten'"
    """

    def __init__(self, file: str, row: int | None, column: str | None, message: str):
        self.file = str(file)
        self.row = row
        self.column = column
        self.message = message
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        head = where[0] + (": " + ", ".join(where[1:]) if len(where) > 1 else "")
        return f"{head}: {self.message}"
