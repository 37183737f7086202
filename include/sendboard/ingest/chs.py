"""NHS England's "Community Health Services Waiting Times" workbooks (the CHS SitRep): the waiting
lists of children's community health services, for England, each NHS region, ICB and provider.

The layout changes from month to month (../shared/reference_data/nhs_chs/SOURCES.md), so everything
is found by content, never by position:

- each table by its title ("Total waiting list by service", "Number waiting >18-52 weeks", ">52
  weeks"), in the first cells of a sheet, or by its sheet's name where a title is missing;
- the data month from the table's title ("..., January 2023"), else from the Contents sheet's line
  for the table ("Table 4: Total waiting list by service, February 2023"); never the file name;
- the header row by its service labels ("(A) ...", "(CYP) ...");
- the organisation columns left of the services by their headings (Organisation Type, Code, Name),
  else by what they hold: the column whose first organisation is England is the name, the one
  holding Region/ICB/Provider is the type (written on a block's first row only: carried down), a
  column of ODS-shaped codes is the code.

Tables 4, 4f and 4g are aligned by organisation. `*` (suppressed) and blanks are no value. The
workbook is read by our bounded streaming reader, which never trusts a sheet's declared size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sendboard.errors import ReferenceFileRejected
from sendboard.ingest.dfe import reference_workbook

# our service codes (the referrals export's) for the four CYP lines that match the board's services,
# by the line's label with "(CYP)" and case dropped
MATCHED_SERVICES = {
    "therapy interventions: speech and language": "SALT",
    "community paediatric service": "COMMUNITY_PAEDIATRICS",
    "therapy interventions: occupational therapy": "OCCUPATIONAL_THERAPY",
    "therapy interventions: physiotherapy": "PHYSIOTHERAPY",
}
# measure: (the table's number in the Contents, words of its title)
TABLES = {
    "waiting": ("4", "total waiting list by service"),
    "waiting_18_to_52_weeks": ("4f", "number waiting >18-52 weeks"),
    "waiting_over_52_weeks": ("4g", "number waiting >52 weeks"),
}
# the early files head the providers' block "Organisation"
LEVELS = {"national": "ENGLAND", "england": "ENGLAND", "region": "NHS_REGION", "icb": "ICB", "provider": "PROVIDER",
          "organisation": "PROVIDER"}  # fmt: skip
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")  # fmt: skip
MONTH_IN_TEXT = re.compile(r"\b(" + "|".join(MONTHS) + r")\s+(\d{4})\b", re.IGNORECASE)
ODS_CODE = re.compile(r"^[A-Z0-9]{3,5}$")
TITLE_ROWS = 4  # a table's title is in its first rows
HEADER_ROWS = 15  # and its header row soon after


@dataclass(frozen=True)
class Figure:
    """One organisation's waiting list for one CYP service line in one month."""

    chs_month: str  # YYYY-MM
    area_level: str  # ENGLAND, NHS_REGION, ICB, PROVIDER
    area_code: str  # the ODS code where the file gives one, else ""
    area_name: str  # as the file writes it
    service: str  # our code for the four matched lines, else the file's label
    waiting: int | None
    waiting_18_to_52_weeks: int | None
    waiting_over_52_weeks: int | None


def normalised_name(name: str) -> str:
    """An organisation's name for matching: case, punctuation, "NHS", "Integrated Care Board" and a
    trust's closing "(Foundation) Trust" ignored.

    >>> normalised_name("NHS Buckinghamshire, Oxfordshire & Berkshire West Integrated Care Board")
    'buckinghamshire oxfordshire and berkshire west'
    >>> normalised_name("Oxford Health NHS Foundation Trust") == normalised_name("OXFORD HEALTH")
    True
    """
    text = name.casefold().replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    text = re.sub(r"\bintegrated care board\b|\bicb\b|\bnhs\b", " ", text)
    text = re.sub(r"\s(foundation\s+)?trust\s*$", " ", f" {text}")
    return " ".join(text.split())


def _label(cell: object) -> str:
    return " ".join(str(cell).split()) if cell is not None else ""


def _service_key(label: str) -> str:
    return re.sub(r"^\(cyp\)\s*", "", label.casefold()).strip()


def _number(cell: object) -> int | None:
    """A count, or None for `*` (suppressed), a blank, or anything that is not a whole number."""
    if cell is None or isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return int(cell) if float(cell).is_integer() and cell >= 0 else None
    text = str(cell).strip().replace(",", "")
    return int(text) if text.isdigit() else None


def month_in(text: str) -> str | None:
    found = MONTH_IN_TEXT.search(text)
    if not found:
        return None
    return f"{int(found.group(2)):04d}-{MONTHS.index(found.group(1).casefold()) + 1:02d}"


@dataclass
class _Table:
    sheet: str
    rows: list[tuple[int, list]]
    title: str


def read_workbook(path: Path) -> list[Figure]:
    """Every CYP service line of every organisation in the workbook, for its data month."""
    with reference_workbook(path) as workbook:
        sheets = {name: list(workbook.rows(name)) for name in workbook.sheet_names}
    tables = {measure: _find_table(path.name, sheets, number, title) for measure, (number, title) in TABLES.items()}
    contents = _contents_lines(sheets)
    months = {}
    for measure, table in tables.items():
        number = TABLES[measure][0]
        months[measure] = month_in(table.title) or next(
            (month_in(line) for line in contents if re.match(rf"table\s+{number}\s*:", line, re.IGNORECASE)), None
        )
        if months[measure] is None:
            raise ReferenceFileRejected(
                path.name, f"sheet {table.sheet!r}: no data month in the table's title or the Contents sheet"
            )
    if len(set(months.values())) > 1:
        raise ReferenceFileRejected(path.name, f"the tables name different months: {months}")
    chs_month = str(months["waiting"])
    by_measure = {measure: _organisation_rows(path.name, table) for measure, table in tables.items()}
    figures = []
    for key, (level, code, name, values) in by_measure["waiting"].items():
        for label, waiting in values.items():
            if not label.casefold().startswith("(cyp)"):
                continue
            others = {m: by_measure[m].get(key, (None, None, None, {}))[3] for m in TABLES if m != "waiting"}
            figures.append(
                Figure(
                    chs_month, level, code, name, MATCHED_SERVICES.get(_service_key(label), label), waiting,
                    _value_for(others["waiting_18_to_52_weeks"], label),
                    _value_for(others["waiting_over_52_weeks"], label),
                )
            )  # fmt: skip
    if not figures:
        raise ReferenceFileRejected(path.name, "no children's (CYP) service line in Table 4")
    return figures


def _value_for(values: dict[str, int | None], label: str) -> int | None:
    """The same service line in another table, whose heading may differ in case or spacing."""
    key = _service_key(label)
    return next((v for k, v in values.items() if _service_key(k) == key), None)


def _first_text(rows: list[tuple[int, list]]) -> str:
    for _number, cells in rows[:TITLE_ROWS]:
        for cell in cells:
            if cell is not None and str(cell).strip():
                return " ".join(str(cell).split())
    return ""


def _find_table(file: str, sheets: dict[str, list], number: str, title: str) -> _Table:
    """A table by its title's words, else by a sheet named `Table <number>`."""
    for sheet, rows in sheets.items():
        text = _first_text(rows)
        if text.casefold().startswith(title):
            return _Table(sheet, rows, text)
    for sheet, rows in sheets.items():
        if sheet.strip().casefold() == f"table {number}":
            return _Table(sheet, rows, _first_text(rows))
    raise ReferenceFileRejected(file, f"no Table {number} ({title!r}): is this an NHS England CHS workbook?")


def _contents_lines(sheets: dict[str, list]) -> list[str]:
    for sheet, rows in sheets.items():
        if sheet.strip().casefold() == "contents":
            return [" ".join(str(c).split()) for _n, cells in rows for c in cells if c is not None]
    return []


def _organisation_rows(file: str, table: _Table) -> dict[tuple[str, str], tuple[str, str, str, dict[str, int | None]]]:
    """(level, normalised name) -> (level, code, name, {service label: value}) for each organisation."""
    header_at = next(
        (
            i
            for i, (_n, cells) in enumerate(table.rows[:HEADER_ROWS])
            if any(_label(c).startswith(("(A)", "(CYP)")) for c in cells)
        ),
        None,
    )
    if header_at is None:
        raise ReferenceFileRejected(
            file, f"sheet {table.sheet!r}: no header row of service labels ((A) ..., (CYP) ...)"
        )
    header = [_label(c) for c in table.rows[header_at][1]]
    first_service = next(i for i, h in enumerate(header) if h.startswith(("(A)", "(CYP)")))
    services = {i: h for i, h in enumerate(header) if h.startswith("(CYP)")}
    data = [cells for _n, cells in table.rows[header_at + 1 :]]
    type_col, code_col, name_col = _organisation_columns(file, table.sheet, header[:first_service], data)
    found: dict[tuple[str, str], tuple[str, str, str, dict[str, int | None]]] = {}
    level = ""
    for cells in data:
        name = _label(cells[name_col]) if name_col < len(cells) else ""
        if not name:
            continue
        written = _label(cells[type_col]).casefold() if type_col is not None and type_col < len(cells) else ""
        if written in LEVELS:
            level = LEVELS[written]
        elif name.casefold() == "england":
            level = "ENGLAND"
        elif written:
            continue  # a note or footnote row below the table
        if not level:
            continue
        code = _label(cells[code_col]) if code_col is not None and code_col < len(cells) else ""
        code = code if ODS_CODE.match(code) else ""
        values = {label: _number(cells[i]) if i < len(cells) else None for i, label in services.items()}
        found.setdefault((level, normalised_name(name)), (level, code, name, values))
    if not any(level == "ENGLAND" for level, _ in found):
        raise ReferenceFileRejected(file, f"sheet {table.sheet!r}: no England row")
    return found


def _organisation_columns(
    file: str, sheet: str, headings: list[str], data: list[list]
) -> tuple[int | None, int | None, int]:
    """(type, code, name) columns among those left of the services: by heading, else by content."""
    by_heading = {h.casefold(): i for i, h in enumerate(headings) if h}
    name = by_heading.get("organisation name")
    kind = by_heading.get("organisation type")
    code = by_heading.get("organisation code")
    if name is None:
        name = next(
            (
                i
                for i in range(len(headings))
                if any(i < len(r) and _label(r[i]).casefold() == "england" for r in data[:3])
            ),
            None,
        )
    if name is None:
        raise ReferenceFileRejected(file, f"sheet {sheet!r}: no organisation name column (no England row found)")
    if kind is None:
        kind = next(
            (i for i in range(len(headings)) if i != name
             and any(i < len(r) and _label(r[i]).casefold() in LEVELS for r in data)),
            None,
        )  # fmt: skip
    if code is None:
        code = next(
            (i for i in range(len(headings)) if i not in (name, kind)
             and sum(1 for r in data if i < len(r) and ODS_CODE.match(_label(r[i]))) > len(data) // 2),
            None,
        )  # fmt: skip
    return kind, code, name
