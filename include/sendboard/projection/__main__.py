"""`python -m sendboard.projection IN.csv OUT.csv`: project annual series of EHC plans in force each
January (columns series_id, year, value; a series ENGLAND is the national trend to pool with) for
horizons 1 to 3 from the last year in the file. See sendboard.projection.annual for the method."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from sendboard.errors import ProjectionInputError
from sendboard.projection import inputs
from sendboard.projection.annual import Forecast, project

INPUT_COLUMNS = ("series_id", "year", "value")
OUTPUT_COLUMNS = ("series_id", "year", "horizon", "forecast", "lower_80", "upper_80", "lower_95", "upper_95")


def read_series(path: Path) -> dict[str, dict[int, float]]:
    """The input file's series; the file is read whole, so it is bounded first (SENDBOARD_MAX_REFERENCE_MB)."""
    series: dict[str, dict[int, float]] = {}
    for row_number, row in inputs.rows(path, INPUT_COLUMNS):
        series_id = (row["series_id"] or "").strip()
        where = f"{path}, row {row_number}, series {series_id!r}"
        try:
            year = int(row["year"])
        except (TypeError, ValueError):
            raise ProjectionInputError(f"{where}: year is not a whole number") from None
        value = inputs.number(row["value"], "value", where)
        if value < 0:
            raise ProjectionInputError(f"{where}: value is not a count (a finite number, 0 or more)")
        if year in series.setdefault(series_id, {}):
            raise ProjectionInputError(f"{where}: year {year} is repeated")
        series[series_id][year] = value
    if not series:
        raise ProjectionInputError(f"{path}: no rows")
    return series


def write_forecasts(forecasts: list[Forecast], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(OUTPUT_COLUMNS)
        for f in forecasts:
            writer.writerow(
                [
                    f.series_id,
                    f.year,
                    f.horizon,
                    *(round(v, 1) for v in (f.forecast, f.lower_80, f.upper_80, f.lower_95, f.upper_95)),
                ]
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Project annual series of EHC plans in force each January.")
    parser.add_argument("input", type=Path, help="columns: " + ", ".join(INPUT_COLUMNS))
    parser.add_argument("output", type=Path, help="columns: " + ", ".join(OUTPUT_COLUMNS))
    arguments = parser.parse_args(argv)
    try:
        forecasts, notes = project(read_series(arguments.input))
    except (ProjectionInputError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    write_forecasts(forecasts, arguments.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
