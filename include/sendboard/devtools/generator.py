"""Synthetic exports: a spec-conformant inbox for a range of months, deterministic by seed.

    python -m sendboard.devtools.generator --inbox DIR [--start 2024-11] [--months 24]
        [--scale county|national] [--seed N]

The generator first simulates one "world" (children, requests, plans, reviews,
audits, health referrals, pupils) with event dates, then writes each period's
extract as the case-management, health and census systems would see it at the
end of that period: events after the period end are not yet known, so every
monthly extract is a full snapshot consistent with the ones before it.

Files come as partners really send them: requests in UTF-8 with a BOM and UK
dates, annual reviews and schools in Windows-1252 (curly apostrophes in school
names), plan audits (and plans at county scale) as XLSX with Excel dates,
the rest as UTF-8 CSV with ISO dates.

The world and its calibration are in `world.py`; this module writes the files, and `dfe_sample.py`
a synthetic DfE release and neighbours workbook (`<inbox>/dfe_statistics/`) with the sample's own LA.
"""

from __future__ import annotations

import argparse
import logging
import os
from datetime import date
from pathlib import Path

import pandas as pd

from sendboard import periods
from sendboard.contract import SOURCES
from sendboard.devtools import chs_sample, dfe_sample
from sendboard.devtools.world import SCALES, World

log = logging.getLogger(__name__)


def _uk(series: pd.Series) -> pd.Series:
    """ISO -> DD/MM/YYYY, as a spreadsheet-minded export writes dates."""
    text = series.astype(str)
    return text.where(text == "", text.str[8:10] + "/" + text.str[5:7] + "/" + text.str[0:4])


def _write_csv(frame: pd.DataFrame, path: Path, encoding: str = "utf-8", uk_dates: bool = False) -> None:
    if uk_dates:
        frame = frame.copy()
        for column in frame.columns:
            if column.endswith("_date") or column == "date_of_birth":
                frame[column] = _uk(frame[column])
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_csv(tmp, index=False, encoding=encoding, lineterminator="\r\n")
    os.replace(tmp, path)


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Export")
    sheet.append(list(frame.columns))
    date_columns = [c.endswith("_date") or c == "date_of_birth" for c in frame.columns]
    for row in frame.itertuples(index=False):
        sheet.append(
            [
                (date.fromisoformat(v) if v else None) if is_date and isinstance(v, str) else (v if v != "" else None)
                for v, is_date in zip(row, date_columns)
            ]
        )
    tmp = path.with_name(f".{path.name}.tmp")
    workbook.save(tmp)
    os.replace(tmp, path)


def write_period(world: World, inbox: Path, source: str, period: str) -> None:
    folder = inbox / source / period
    folder.mkdir(parents=True, exist_ok=True)
    tables = getattr(world, source)(period)
    for name, frame in tables.items():
        if source == "case_management" and name == "requests":
            _write_csv(frame, folder / "requests.csv", encoding="utf-8-sig", uk_dates=True)
        elif source == "case_management" and name == "annual_reviews":
            _write_csv(frame, folder / "annual_reviews.csv", encoding="cp1252", uk_dates=True)
        elif name == "plan_audits" or (name == "plans" and world.scale.plans_as_xlsx):
            _write_xlsx(frame, folder / f"{name}.xlsx")
        elif name == "schools":
            _write_csv(frame, folder / "schools.csv", encoding="cp1252")
        else:
            _write_csv(frame, folder / f"{name}.csv")


def census_periods(start: str, months: int) -> list[str]:
    """Census periods in force over the range: the one at or before the start, then each within it."""
    span = periods.span(periods.shift(start, -5), periods.shift(start, months - 1))
    census = [p for p in span if periods.parse(p)[1] in SOURCES["school_census"].census_months]
    first = max(p for p in census if p <= start)
    return [p for p in census if p >= first]


def generate(
    inbox: Path, start: str = "2024-11", months: int = 24, scale: str = "county", seed: int = 20261122
) -> list[str]:
    """Write the inbox; returns the monthly periods written."""
    world = World(SCALES[scale], start, months, seed)
    monthly = periods.span(start, periods.shift(start, months - 1))
    for period in monthly:
        for source in ("case_management", "health_waiting_lists"):
            write_period(world, inbox, source, period)
        log.info("wrote %s", period)
    for period in census_periods(start, months):
        write_period(world, inbox, "school_census", period)
    dfe_sample.write(inbox, world, seed)  # the DfE's statistics, for the comparators
    chs_sample.write(inbox, world, monthly[-4:], seed)  # NHS England's CHS workbooks, the last four months
    return monthly


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inbox", required=True, type=Path, help="folder to write <source>/<period>/ into")
    parser.add_argument("--start", default="2024-11", help="first monthly period, YYYY-MM (default 2024-11)")
    parser.add_argument("--months", type=int, default=24, help="how many monthly periods (default 24)")
    parser.add_argument("--scale", choices=sorted(SCALES), default="county")
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    written = generate(args.inbox, args.start, args.months, args.scale, args.seed)
    print(f"wrote {len(written)} months ({written[0]}..{written[-1]}) at {args.scale} scale to {args.inbox}")


if __name__ == "__main__":
    main()
