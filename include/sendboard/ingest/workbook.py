"""Read an XLSX workbook as a stream of rows, within the bounds, whatever the file says about itself.

Why not calamine (which read our workbooks until issue 29): it loads a whole sheet into a dense grid
before giving a row. A 6 MB workbook whose sheet inflates to 6 GB took a run to 17.7 GB, and a tiny one
with a cell at XFD1048576 asks for a grid of 17 billion cells. Here the parts are inflated a chunk at a
time through `bounds.SafeZip` and parsed by the standard library's expat, so memory holds the shared
strings (bounded) and one row, never the sheet:
- a DOCTYPE is refused, so no entity is ever declared, expanded or fetched;
- each cell's text, the row numbers and the column positions are counted as they stream;
- a sheet's declared size (`<dimension>`) is never trusted: beyond the bounds it is a reason to refuse
  early, and a sheet that declares one cell but holds thousands is read whole (the NHS workbooks do).

Cells come as Python values, as calamine gave them: text, float, bool, date/datetime (a number in a date
format, in the 1900 or 1904 date system), or None.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.parsers import expat

from sendboard.config import InputBounds
from sendboard.errors import InputRefused
from sendboard.ingest.bounds import SafeZip, printable, size_text

XLSX_MAX_ROWS, XLSX_MAX_COLUMNS = 1_048_576, 16_384  # the format's own limits
# the built-in number formats that are dates or times (ECMA-376 18.8.30, and the East Asian ones)
_BUILTIN_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)])
_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})(\d{1,7})$")


def column_number(letters: str) -> int:
    """A column's number from its letters.

    >>> column_number("A"), column_number("Z"), column_number("AA"), column_number("XFD")
    (1, 26, 27, 16384)
    """
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def is_date_format(code: str) -> bool:
    """Whether a custom number format shows a date or time: a d, m, y, h or s outside quoted text,
    escaped characters and [bracketed] parts (colours, locales).

    >>> [is_date_format(c) for c in ("yyyy-mm-dd", "dd/mm/yyyy;@", '0.0"m"', "#,##0", "[Red]0.00", "[$-809]d mmm")]
    [True, True, False, False, False, True]
    """
    plain = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.', "", code)
    return plain.lower() != "general" and bool(re.search(r"[dmyhs]", plain, re.IGNORECASE))


def excel_date(serial: float, date1904: bool) -> date | datetime:
    """A date serial as a date (whole days) or datetime. 1900 system: day 1 is 1900-01-01, and Excel's
    phantom 1900-02-29 (day 60) shifts the days before it by one.

    >>> excel_date(45658.0, False), excel_date(1.0, False), excel_date(0.0, True)
    (datetime.date(2025, 1, 1), datetime.date(1900, 1, 1), datetime.date(1904, 1, 1))
    >>> excel_date(45658.5, False)
    datetime.datetime(2025, 1, 1, 12, 0)
    """
    base = datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 31) if serial < 60 else datetime(1899, 12, 30)
    moment = base + timedelta(milliseconds=round(serial * 86_400_000))
    return moment.date() if moment.time() == datetime.min.time() else moment


def _local(name: str) -> str:
    """An element's name without its namespace prefix (`x:row` -> `row`)."""
    return name[name.find(":") + 1 :]


def _by_type(relationships: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Part name by relationship type, named by its last segment (`.../relationships/styles` -> `styles`)."""
    return {kind.rsplit("/", 1)[-1]: target for kind, target in relationships.values()}


def _refuse_doctype(*_: object) -> int:
    raise InputRefused("doctype_refused", "an XML part declares a DOCTYPE, which no workbook needs; refused")


def parse_xml(chunks: Iterable[bytes], start: Callable, end: Callable, text: Callable | None) -> Iterator[None]:
    """Feed `chunks` to expat with the handlers; yields after each chunk, so a caller can hand on what
    the handlers collected. DOCTYPEs (and so entity declarations and external entities) are refused."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.ExternalEntityRefHandler = _refuse_doctype
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
            yield
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise InputRefused(
            "unreadable_file", f"an XML part of the workbook is not well-formed ({expat.ErrorString(exc.code)})"
        ) from None
    yield


class _Text:
    """Character data of one cell or string, counted as it arrives."""

    def __init__(self, limit: int, setting: str, where: Callable[[], str]):
        self.parts: list[str] = []
        self.length = 0
        self.limit, self.setting, self.where = limit, setting, where

    def add(self, data: str) -> None:
        self.length += len(data)
        if self.length > self.limit:
            raise InputRefused(
                "cell_too_long",
                f"{self.where()} holds more than {self.limit:,} characters, the most allowed (setting {self.setting})",
            )
        self.parts.append(data)

    def take(self) -> str:
        value = "".join(self.parts)
        self.parts, self.length = [], 0
        return value


class Workbook:
    """An XLSX workbook opened within the bounds; `rows(sheet)` streams a worksheet.
    `member_limit`/`member_setting`: the most one part may inflate to (reference readers pass a lower one)."""

    def __init__(self, path: Path, bounds: InputBounds, member_limit: int | None = None, member_setting: str = ""):
        self.bounds = bounds
        limit = bounds.unzipped_bytes if member_limit is None else member_limit
        self.zip = SafeZip(path, bounds, limit, member_setting or bounds.setting("unzipped_bytes"))
        try:
            self._open()
        except BaseException:
            self.zip.close()
            raise

    def _open(self) -> None:
        if "[Content_Types].xml" not in self.zip:
            raise InputRefused("wrong_format", "the file is a zip but not an Excel workbook (no [Content_Types].xml)")
        root = self._relationships("_rels/.rels", "")
        self.workbook_part = _by_type(root).get("officeDocument", "")
        if self.workbook_part not in self.zip:
            raise InputRefused("wrong_format", "the file is a zip but not an Excel workbook (no workbook part)")
        folder = posixpath.dirname(self.workbook_part)
        relationships = self._relationships(f"{folder}/_rels/{posixpath.basename(self.workbook_part)}.rels", folder)
        self.sheets: dict[str, str] = {}
        self.date1904 = False

        def start(name: str, attrs: dict[str, str]) -> None:
            tag = _local(name)
            if tag == "sheet":
                target = next((v for k, v in attrs.items() if _local(k) == "id"), "")
                if target in relationships:
                    self.sheets[attrs.get("name", "")] = relationships[target][1]
            elif tag == "workbookPr":
                self.date1904 = attrs.get("date1904", "false").lower() in ("1", "true")

        self._parse_small(self.workbook_part, start)
        self.sheet_names = list(self.sheets)
        found = _by_type(relationships)
        self._shared_strings_part = found.get("sharedStrings")
        self._date_styles = self._read_date_styles(found.get("styles"))
        self._shared_strings: list[str] | None = None

    def _parse_small(self, part: str, start: Callable, end: Callable | None = None, text: Callable | None = None):
        for _ in parse_xml(self.zip.stream(part), start, end or (lambda name: None), text):
            pass

    def _relationships(self, part: str, folder: str) -> dict[str, tuple[str, str]]:
        """Id -> (type, part name) of a relationships part; targets resolved against `folder`. A target
        leading outside the package is left out (so never read)."""
        found: dict[str, tuple[str, str]] = {}
        if part not in self.zip:
            return found

        def start(name: str, attrs: dict[str, str]) -> None:
            if _local(name) == "Relationship" and attrs.get("TargetMode") != "External":
                target = attrs.get("Target", "")
                relative = target.lstrip("/") if target.startswith("/") or not folder else f"{folder}/{target}"
                resolved = posixpath.normpath(relative)
                if not resolved.startswith(("..", "/")):
                    found[attrs.get("Id", "")] = (attrs.get("Type", ""), resolved)

        self._parse_small(part, start)
        return found

    def _read_date_styles(self, part: str | None) -> frozenset[int]:
        """The cell style indices (`s`) whose number format shows a date."""
        if part is None or part not in self.zip:
            return frozenset()
        custom: dict[int, str] = {}
        formats: list[int] = []
        inside = {"cellXfs": False}

        def start(name: str, attrs: dict[str, str]) -> None:
            tag = _local(name)
            if tag == "numFmt":
                custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
            elif tag == "cellXfs":
                inside["cellXfs"] = True
            elif tag == "xf" and inside["cellXfs"]:
                formats.append(int(attrs.get("numFmtId", "0")))

        def end(name: str) -> None:
            if _local(name) == "cellXfs":
                inside["cellXfs"] = False

        try:
            self._parse_small(part, start, end)
        except ValueError:
            raise InputRefused(
                "unreadable_file", "the workbook's styles part has a number format that is not a number"
            ) from None
        return frozenset(
            index
            for index, number_format in enumerate(formats)
            if number_format in _BUILTIN_DATE_FORMATS
            or (number_format in custom and is_date_format(custom[number_format]))
        )

    def _strings(self) -> list[str]:
        """The shared strings, read once, their total held to the shared-strings bound."""
        if self._shared_strings is not None:
            return self._shared_strings
        strings: list[str] = []
        part = self._shared_strings_part
        if part is None or part not in self.zip:
            self._shared_strings = strings
            return strings
        bound, setting = self.bounds.shared_strings_bytes, self.bounds.setting("shared_strings_bytes")
        text = _Text(
            self.bounds.cell_chars, self.bounds.setting("cell_chars"), lambda: f"shared string {len(strings) + 1:,}"
        )
        state = {"t": False, "phonetic": 0, "total": 0}

        def start(name: str, attrs: dict[str, str]) -> None:
            tag = _local(name)
            if tag == "t" and not state["phonetic"]:
                state["t"] = True
            elif tag == "rPh":
                state["phonetic"] += 1

        def end(name: str) -> None:
            tag = _local(name)
            if tag == "t":
                state["t"] = False
            elif tag == "rPh":
                state["phonetic"] -= 1
            elif tag == "si":
                value = text.take()
                state["total"] += len(value)
                if state["total"] > bound:
                    raise InputRefused(
                        "shared_strings_too_large",
                        f"the workbook's shared strings hold more than {size_text(bound)} of text, the most "
                        f"allowed (setting {setting})",
                    )
                strings.append(value)

        def chars(data: str) -> None:
            if state["t"]:
                text.add(data)

        for _ in parse_xml(self.zip.stream(part), start, end, chars):
            pass
        self._shared_strings = strings
        return strings

    def rows(self, sheet: str | int = 0) -> Iterator[tuple[int, list[Any]]]:
        """(spreadsheet row number, cells from column A) of each row holding a value, in file order."""
        names = self.sheet_names
        name = str(names[sheet] if isinstance(sheet, int) and sheet < len(names) else sheet)
        if name not in self.sheets or self.sheets[name] not in self.zip:
            raise InputRefused("missing_sheet", f"the workbook has no worksheet {printable(str(name))!r}")
        self._strings()  # read before the sheet, not from inside its parse
        reader = _SheetReader(self, name)
        for _ in parse_xml(self.zip.stream(self.sheets[name]), reader.start, reader.end, reader.chars):
            if reader.done:
                yield from reader.done
                reader.done = []

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _SheetReader:
    """expat handlers for one worksheet: collects complete rows in `done`."""

    def __init__(self, workbook: Workbook, sheet: str):
        bounds = workbook.bounds
        self.workbook, self.sheet = workbook, sheet
        # the bound counts data rows: one header row more is allowed, and no row past the format's last
        self.max_rows = bounds.rows
        self.last_row = min(bounds.rows + 1, XLSX_MAX_ROWS)
        self.max_columns = min(bounds.columns, XLSX_MAX_COLUMNS)
        self.rows_setting, self.columns_setting = bounds.setting("rows"), bounds.setting("columns")
        self.date_styles, self.date1904 = workbook._date_styles, workbook.date1904
        self.done: list[tuple[int, list[Any]]] = []
        self.row_number = 0
        self.rows_seen = 0
        self.cells: dict[int, Any] = {}
        self.column = 0
        self.cell_type = ""
        self.cell_style = 0
        self.collecting = False
        self.phonetic = 0
        self.text = _Text(bounds.cell_chars, bounds.setting("cell_chars"), self._where)

    def _where(self) -> str:
        return f"sheet {printable(self.sheet)!r}, cell at row {self.row_number:,}, column {self.column:,}"

    def _too_many_rows(self, found: str) -> InputRefused:
        return InputRefused(
            "too_many_rows",
            f"sheet {printable(self.sheet)!r} {found}, more than the {self.max_rows:,} data rows allowed "
            f"below a header (setting {self.rows_setting}; an XLSX sheet holds at most {XLSX_MAX_ROWS:,} rows)",
        )

    def _too_many_columns(self, found: str) -> InputRefused:
        return InputRefused(
            "too_many_columns",
            f"sheet {printable(self.sheet)!r} {found}, more than the {self.max_columns:,} columns allowed "
            f"(setting {self.columns_setting})",
        )

    def _reference(self, reference: str) -> tuple[int, int]:
        match = _CELL_REFERENCE.match(reference.replace("$", ""))
        if not match:
            raise InputRefused(
                "unreadable_file", f"sheet {printable(self.sheet)!r} has a cell reference that is not one"
            )
        return column_number(match.group(1)), int(match.group(2))

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if tag == "c":
            reference = attrs.get("r")
            self.column = self._reference(reference)[0] if reference else self.column + 1
            self.cell_type, self.cell_style = attrs.get("t", "n"), int(attrs.get("s") or 0)
        elif tag in ("v", "t"):
            self.collecting = not self.phonetic
        elif tag == "row":
            number = attrs.get("r")
            self.row_number = int(number) if number and number.isdigit() else self.row_number + 1
            if self.row_number > self.last_row:
                raise self._too_many_rows(f"has a row numbered {self.row_number:,}")
            self.cells, self.column = {}, 0
        elif tag == "rPh":
            self.phonetic += 1
        elif tag == "dimension":
            self._check_declared(attrs.get("ref", ""))

    def _check_declared(self, ref: str) -> None:
        """The declared size, never trusted for what it promises, is a reason to refuse early."""
        last = ref.split(":")[-1]
        if _CELL_REFERENCE.match(last.replace("$", "")):
            columns, rows = self._reference(last)
            if rows > self.last_row:
                raise self._too_many_rows(f"declares {rows:,} rows ({printable(ref)})")
            if columns > self.max_columns:
                raise self._too_many_columns(f"declares {columns:,} columns ({printable(ref)})")

    def chars(self, data: str) -> None:
        if self.collecting:
            self.text.add(data)

    def end(self, name: str) -> None:
        tag = _local(name)
        if tag in ("v", "t"):
            self.collecting = False
        elif tag == "c":
            value = self._value(self.text.take())
            if value is not None:
                if self.column > self.max_columns:
                    raise self._too_many_columns(f"has a value in column {self.column:,}")
                self.cells[self.column] = value
        elif tag == "row":
            if self.cells:
                self.rows_seen += 1
                if self.rows_seen > self.max_rows + 1:
                    raise self._too_many_rows(f"holds {self.rows_seen - 1:,} rows below its first")
                row: list[Any] = [None] * max(self.cells)
                for column, value in self.cells.items():
                    row[column - 1] = value
                self.done.append((self.row_number, row))
        elif tag == "rPh":
            self.phonetic -= 1

    def _value(self, text: str) -> Any:
        kind = self.cell_type
        if text == "":
            return None
        try:
            if kind == "s":
                return self.workbook._strings()[int(text)] or None
            if kind in ("str", "inlineStr"):
                return text
            if kind == "b":
                return text.strip() in ("1", "true")
            if kind == "e":
                return text
            if kind == "d":
                moment = datetime.fromisoformat(text.strip())
                return moment.date() if moment.time() == datetime.min.time() else moment
            number = float(text)
            if self.cell_style in self.date_styles:
                return excel_date(number, self.date1904)
            return number
        except (ValueError, IndexError, OverflowError):
            raise InputRefused(
                "unreadable_file",
                f"{self._where()} holds a value its type ({printable(kind)}) cannot have",
            ) from None
