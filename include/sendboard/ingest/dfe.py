"""DfE published statistics as a council downloads them, for the board's comparators.

Two kinds of file:
- the "Education, health and care plans" release: the zip as downloaded from Explore Education
  Statistics, or its extracted `data/*.csv`. Files in the EES layout: a UTF-8 BOM, quoted LA names
  with commas, `time_period`, `geographic_level` (National, Regional, Local authority),
  `old_la_code` (the DfE three-digit LA number), `breakdown_topic`, `breakdown`, then the measures;
- the statistical neighbours workbook: sheet `LA SN Groups`, one row per LA with its ten neighbours.

`x` (not available), `z` (not applicable), `c` (confidential) and `low` (rounds to 0) are no
value: none of them is a number, and nothing the DfE withheld is ever recomputed. A file that is
not what it claims, or lacks a column the comparators read, is rejected naming the file and column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sendboard import config
from sendboard.errors import InputRefused, ReferenceFileRejected
from sendboard.ingest.bounds import SafeZip, check_size, sniff_file
from sendboard.ingest.workbook import Workbook

GEOGRAPHIC_LEVELS = ("National", "Regional", "Local authority")
NO_VALUE = frozenset({"x", "z", "c", "low", ""})
EES_COLUMNS = ("time_period", "time_identifier", "geographic_level", "region_code", "region_name",
               "old_la_code", "la_name", "breakdown_topic", "breakdown")  # fmt: skip
# the release's files the comparators read, and the measures they read from each (in lower case)
RELEASE_FILES = {
    "timeliness_20_week.csv": (
        "plans_issued_den", "plans_issued_within_20_weeks", "pc_plans_issued_within_20_weeks",
        "plans_issued_den_ex", "plans_issued_20_weeks_ex", "pc_plans_issued_20_weeks_ex",
    ),
    "requests.csv": ("request_outcome_six_weeks", "request_outcome_over_6_weeks", "request_outcome_six_weeks_pc"),
    "annual_reviews.csv": ("number_decsion_4weeks", "number_decision_gt_4weeks", "pc_decsion_4weeks"),
    "caseload.csv": (
        "ehcplans", "mainstream_total", "mainstream_total_pc", "special_independent", "special_non_maintained",
        "neet",
    ),
}  # fmt: skip
NEIGHBOURS_SHEET = "LA SN Groups"


@dataclass(frozen=True)
class Release:
    name: str  # the zip's or folder's name, for the comparators' `source`
    tables: dict[str, list[dict]]  # file name -> rows (text as published)


def number(text: str | None) -> float | None:
    """A published figure, or None for the DfE's no-value codes.

    >>> number("46.4"), number("c"), number("low"), number(" 39407 ")
    (46.4, None, None, 39407.0)
    """
    text = (text or "").strip()
    return None if text.lower() in NO_VALUE else float(text)


def _rows(label: str, text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    # the DfE's case varies between releases (`PC_plans_issued_20_weeks_ex`): names are read in lower case
    header = [name.strip().lower() for name in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in (*EES_COLUMNS, *RELEASE_FILES[label.rsplit("/", 1)[-1]]) if c not in header]
    if missing:
        raise ReferenceFileRejected(label, "missing from the header (is this the DfE EHC plans release?)", missing[0])
    rows = list(reader)
    for index, row in enumerate(rows, start=2):
        for column in RELEASE_FILES[label.rsplit("/", 1)[-1]]:
            try:
                number(row[column])
            except (TypeError, ValueError):
                raise ReferenceFileRejected(label, f"row {index} is neither a number nor a DfE code", column) from None
    return rows


@contextmanager
def refusals_as_rejections(name: str) -> Iterator[None]:
    """A bound or safety rule broken (InputRefused) rejects a published file (the DfE's, NHS England's)
    like any other fault of it."""
    try:
        yield
    except InputRefused as refused:
        raise ReferenceFileRejected(name, refused.problem.describe()) from None


@contextmanager
def reference_workbook(path: Path) -> Iterator[Workbook]:
    """A published workbook (the DfE's, NHS England's) opened within the reference bounds: not a
    workbook, or a bound broken while reading it, rejects it naming the file."""
    if sniff_file(path) != "zip":
        raise ReferenceFileRejected(path.name, "is not an Excel workbook")
    limits = config.input_bounds()
    with (
        refusals_as_rejections(path.name),
        Workbook(path, limits, limits.reference_bytes, limits.setting("reference_bytes")) as workbook,
    ):
        yield workbook


def kind_of(path: Path) -> str:
    """`release` (a zip or folder holding the release's CSVs) or `neighbours` (a workbook), from what
    the file holds, not its name."""
    if path.is_dir():
        return "release"
    with refusals_as_rejections(path.name):
        kind = sniff_file(path)
        if kind == "zip":
            limits = config.input_bounds()
            with SafeZip(path, limits, limits.reference_bytes, limits.setting("reference_bytes")) as archive:
                return "neighbours" if "[Content_Types].xml" in archive else "release"
    if path.suffix.lower() in (".zip", ".xlsx") and kind != "xls":
        raise ReferenceFileRejected(path.name, "is not a zip file (nor a workbook), whatever its name says")
    raise ReferenceFileRejected(
        path.name,
        "is neither a DfE release (a zip, or a folder with data/*.csv) nor a workbook (.xlsx)"
        + (" (it is an Excel 97-2003 .xls workbook: save it as .xlsx)" if kind == "xls" else ""),
    )


def read_release(path: Path) -> Release:
    """The release's files the comparators read, from the zip as downloaded or an extracted folder."""
    with refusals_as_rejections(path.name):
        return Release(path.name, _release_tables(path))


def _release_tables(path: Path) -> dict[str, list[dict]]:
    limits = config.input_bounds()
    bound, setting = limits.reference_bytes, limits.setting("reference_bytes")
    tables = {}
    if not path.is_dir():
        if sniff_file(path) != "zip":
            raise ReferenceFileRejected(path.name, "is not a zip file")
        with SafeZip(path, limits, bound, setting) as archive:
            names = {Path(n).name: n for n in archive.names() if n.startswith("data/") and n.endswith(".csv")}
            for file in RELEASE_FILES:
                if file not in names:
                    raise ReferenceFileRejected(path.name, f"has no data/{file} (is this the DfE EHC plans release?)")
                tables[file] = _rows(f"{path.name}/data/{file}", _text(path.name, file, archive.read(names[file])))
    else:
        folder = path / "data" if (path / "data").is_dir() else path
        for file in RELEASE_FILES:
            if not (folder / file).exists():
                raise ReferenceFileRejected(path.name, f"has no data/{file} (is this the DfE EHC plans release?)")
            check_size((folder / file).stat().st_size, bound, setting, f"data/{file}")
            tables[file] = _rows(f"{path.name}/data/{file}", _text(path.name, file, (folder / file).read_bytes()))
    return tables


def _text(name: str, file: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReferenceFileRejected(
            f"{name}/data/{file}", "is not UTF-8 text (is this the DfE EHC plans release?)"
        ) from None


def read_neighbours(path: Path) -> dict[str, list[str]]:
    """LA number -> its statistical neighbours' LA numbers, closest first (sheet `LA SN Groups`)."""
    with reference_workbook(path) as workbook:
        if NEIGHBOURS_SHEET not in workbook.sheet_names:
            raise ReferenceFileRejected(path.name, f"has no sheet {NEIGHBOURS_SHEET!r} (is this the DfE workbook?)")
        rows = [cells for _number, cells in workbook.rows(NEIGHBOURS_SHEET)]
    header_at = next((i for i, r in enumerate(rows[:10]) if r and r[0] == "LA num"), None)
    if header_at is None:
        raise ReferenceFileRejected(path.name, "no header row starting 'LA num'", "LA num")
    header = [str(h) for h in rows[header_at]]
    columns = [f"SN{i}" for i in range(1, 11)]
    missing = [c for c in columns if c not in header]
    if missing:
        raise ReferenceFileRejected(path.name, "missing from the header", missing[0])

    def code(value) -> str:
        return str(int(value)) if isinstance(value, float) else str(value).strip()

    def cell(row: list, column: str):  # a row stops at its last value
        at = header.index(column)
        return row[at] if at < len(row) else None

    return {
        code(row[0]): [code(cell(row, c)) for c in columns if cell(row, c) not in ("", None)]
        for row in rows[header_at + 1 :]
        if row and row[0] not in ("", None)
    }
