"""The projection's input files (the annual command's series, the council's two seeds), read one way:
bounded before they are read, their columns checked, each row with the row number an error names."""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterator
from pathlib import Path

from sendboard import config
from sendboard.errors import ProjectionInputError
from sendboard.ingest.bounds import InputRefused, check_size


def rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict]]:
    """(spreadsheet row number, row) of a CSV file read whole, so bounded by SENDBOARD_MAX_REFERENCE_MB."""
    try:
        check_size(os.stat(path).st_size, config.input_bounds().reference_bytes, "SENDBOARD_MAX_REFERENCE_MB")
    except InputRefused as refused:
        raise ProjectionInputError(f"{path}: {refused.problem}") from None
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise ProjectionInputError(f"{path}: missing column(s) {', '.join(missing)}")
        yield from enumerate(reader, start=2)


def number(text: str | None, what: str, where: str) -> float:
    """A finite number, or an error naming the column and the row."""
    try:
        value = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ProjectionInputError(f"{where}: {what} is not a number") from None
    if not math.isfinite(value):
        raise ProjectionInputError(f"{where}: {what} is not a number")
    return value
