"""Read an export file into DuckDB as text, exactly as exports.md describes.

CSV (UTF-8 with or without BOM, or Windows-1252; quoted commas and line
breaks) goes straight into DuckDB's CSV reader; XLSX (first worksheet) is
streamed by `workbook`. Which of the two a file is, its content says, not its
name. Every read is within the bounds (config.input_bounds; `bounds` checks
them). Either way the result is a DuckDB relation of
VARCHAR columns named by the normalised header, plus `_row`, the row number a
spreadsheet shows (header = 1). The file rules that concern the file's shape
are checked here; the row rules are in rules.py.

Landing asks for a UTF-8 CSV *deferred*: the header is checked here, but the
rows are parsed once, straight into the rules' typed table (`read_into`), and
the row number comes from that table's order. A national census is 9M rows:
a text copy first cost about 1.5 s more.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from sendboard import config, sql
from sendboard.config import InputBounds
from sendboard.contract import Table
from sendboard.errors import FileRejected, InputRefused, Problem
from sendboard.ingest import bounds as input_bounds
from sendboard.ingest.workbook import Workbook

CHUNK = 1 << 20
# The longest CSV record read (quoted line breaks included) is SENDBOARD_MAX_RECORD_MB. DuckDB sizes
# its read buffers from it: at 100 MB a national census fitted one buffer and was parsed on one thread
# (3.7 s); at the default 16 MB it is split across threads (2.5 s), far beyond any export's record.
# An XLSX's rows go to DuckDB in batches of so many rows or characters, whichever comes first
XLSX_BATCH_ROWS = 100_000
XLSX_BATCH_CHARS = 32 << 20


@dataclass
class RawTable:
    """What was read: a DuckDB view `relation` of the contract's columns present (`discard` drops it
    and the table `<relation>_rows` under it, if any). Numbered: the view has `_row` and `rows` is
    known. Not numbered (a deferred CSV): the view reads the file when scanned, in file order, and the
    row number of a record is its position + 2."""

    relation: str
    rows: int | None
    columns: list[str]
    ignored_columns: list[str] = field(default_factory=list)
    encoding: str | None = None
    numbered: bool = True
    format: str = "csv"  # what the file holds, whatever its name: csv or xlsx


def normalise_header(name: object) -> str:
    return str(name if name is not None else "").replace("\ufeff", "").strip().lower()


def _reject(
    label: str, rule: str, detail: str, column: str | None = None, rows: list[int] | None = None
) -> FileRejected:
    return FileRejected(label, [Problem(rule, detail, column, rows or [])])


def _check_header(label: str, header: list[str], table: Table) -> tuple[list[int], list[str]]:
    """Positions of the contract's columns in the header, and the names ignored."""
    if not header or all(h == "" for h in header):
        raise _reject(label, "no_header", "the first row holds no column names")
    limits = config.input_bounds()
    if len(header) > limits.columns:
        raise _reject(
            label,
            "too_many_columns",
            f"the header has {len(header):,} columns, more than the {limits.columns:,} allowed "
            f"(setting {limits.setting('columns')})",
            rows=[1],
        )
    seen: dict[str, int] = {}
    for position, name in enumerate(header):
        if name and name in seen:
            raise _reject(
                label,
                "duplicate_column",
                f"column {input_bounds.printable(name)!r} appears twice in the header (positions {seen[name] + 1} and "
                f"{position + 1}) after names are lower-cased and trimmed",
                column=name,
                rows=[1],
            )
        seen[name] = position
    missing = [c for c in table.required_columns if c not in seen]
    if missing:
        raise FileRejected(
            label,
            [Problem("missing_required_column", "the header has no such column", column=c, rows=[1]) for c in missing],
        )
    known = {c.name for c in table.columns}
    ignored = [input_bounds.printable(h) for h in header if h and h not in known]
    return [seen[c.name] for c in table.columns if c.name in seen], ignored


# --- CSV -----------------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """utf-8-sig when the bytes are valid UTF-8, else cp1252 (Windows-1252, strict)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as handle:
        try:
            while chunk := handle.read(CHUNK):
                if b"\x00" in chunk:
                    raise UnicodeDecodeError("utf-8", b"", 0, 1, "NUL byte")
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
    return "cp1252"


def _transcode_to_utf8(path: Path, encoding: str, target: Path) -> None:
    with (
        open(path, encoding=encoding, errors="strict", newline="") as src,
        open(target, "w", encoding="utf-8", newline="") as dst,
    ):
        while chunk := src.read(CHUNK):
            if "\x00" in chunk:
                raise UnicodeDecodeError(encoding, b"", 0, 1, "NUL byte")
            dst.write(chunk)


def _first_record(path: Path, label: str, limits: InputBounds) -> list[str]:
    """The header record, read within the record bound (a file of one endless line is not read whole)."""
    with open(path, "rb") as handle:
        head = handle.read(limits.record_bytes + 1)
    text = head.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    record = next(reader, [])
    # past the bound, the header must have ended (a second record begun) within it
    if len(head) > limits.record_bytes and next(reader, None) is None:
        raise _reject(
            label,
            "record_too_long",
            f"the header record is longer than {limits.record_bytes >> 20} MB, the most allowed "
            f"(setting {limits.setting('record_bytes')})",
            rows=[1],
        )
    long = [i + 1 for i, name in enumerate(record) if len(name) > limits.cell_chars]
    if long:
        raise _reject(
            label,
            "cell_too_long",
            f"column {long[0]:,} of the header is a name of more than {limits.cell_chars:,} characters, the "
            f"most allowed (setting {limits.setting('cell_chars')})",
            rows=[1],
        )
    return record


def read_csv(con: duckdb.DuckDBPyConnection, path: Path, table: Table, label: str) -> RawTable:
    """A deferred RawTable for UTF-8; Windows-1252 is transcoded to a temporary UTF-8 copy and read
    at once (numbered), since the copy does not outlive this call."""
    if path.stat().st_size == 0:
        raise _reject(label, "empty_file", "the file is 0 bytes")
    limits = config.input_bounds()
    encoding = detect_encoding(path)
    with tempfile.TemporaryDirectory(prefix="sendboard-csv-") as tmp:
        readable = path
        if encoding != "utf-8-sig":
            readable = Path(tmp) / "transcoded.csv"
            try:
                _transcode_to_utf8(path, encoding, readable)
            except UnicodeDecodeError:
                raise _reject(
                    label,
                    "unreadable_file",
                    "the file is neither UTF-8 nor Windows-1252 text (binary or unknown encoding)",
                ) from None
        csv.field_size_limit(max(limits.record_bytes, csv.field_size_limit()))
        try:
            header = [normalise_header(h) for h in _first_record(readable, label, limits)]
        except csv.Error as exc:
            raise _reject(label, "unreadable_file", f"the header row cannot be parsed as CSV ({exc})") from None
        positions, ignored = _check_header(label, header, table)
        relation = f"raw_{table.name}"
        names = [c.name for c in table.columns if c.name in header]
        # every field as text, by position (the header was checked above); literals, not parameters,
        # because a view cannot hold parameters
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
        scan = (
            f"read_csv({sql.literal(str(readable))}, header=true, auto_detect=false, columns={columns}, "
            f"delim=',', quote='\"', escape='\"', strict_mode=true, null_padding=false, "
            f"max_line_size={limits.record_bytes}, encoding='utf-8')"
        )
        select = ", ".join(f"c{p} as {n}" for p, n in zip(positions, names))
        con.execute(f"create or replace temp view {relation} as select {select} from {scan}")
        raw = RawTable(
            relation, None, names, ignored, "utf-8" if encoding == "utf-8-sig" else "windows-1252", numbered=False
        )
        return raw if readable == path else numbered(con, raw, label)


def read_into(
    con: duckdb.DuckDBPyConnection, raw: RawTable, label: str, view: str, query: str, more_columns: str = ""
) -> int:
    """Store `query` (a select over `raw.relation`) as temp table `<view>_rows`, make `view` over it
    with `_row` (plus `more_columns`, e.g. ", a as b"), and return its rows.

    A deferred CSV is parsed here, so this is where its parse errors reject the file, by the same
    rules as an eager read, and its rows are numbered: DuckDB keeps insertion order, so the table's
    rowid is the record's position even though the file is read on several threads, and the first
    data row is spreadsheet row 2. A numbered raw's `_row` comes through `query`. A file with no data
    rows is rejected too."""
    try:
        con.execute(f"create or replace temp table {view}_rows as {query}")
    except duckdb.InvalidInputException as exc:  # how DuckDB's CSV reader reports a malformed file
        if raw.numbered:
            raise
        raise _reject(label, "unreadable_file", _csv_error_detail(str(exc)), rows=_csv_error_rows(str(exc))) from None
    number = "" if raw.numbered else "(rowid + 2)::bigint as _row, "
    con.execute(f"create or replace temp view {view} as select {number}*{more_columns} from {view}_rows")
    rows = sql.one(con, f"select count(*) from {view}_rows")[0]
    limits = config.input_bounds()
    if rows > limits.rows:
        # counted by DuckDB's parse, which holds its memory limit (spilling to disk), not by the file's word
        raise _reject(
            label,
            "too_many_rows",
            f"the file holds {rows:,} data rows, more than the {limits.rows:,} allowed "
            f"(setting {limits.setting('rows')})",
        )
    if rows == 0:
        raise _reject(
            label,
            "no_data_rows",
            "the file has a header but no data rows; a full snapshot cannot lose its whole history",
        )
    return rows


def numbered(con: duckdb.DuckDBPyConnection, raw: RawTable, label: str) -> RawTable:
    """Read a deferred CSV now, into `<relation>_rows`, with its rows numbered."""
    if raw.numbered:
        return raw
    rows = read_into(con, raw, label, raw.relation, f"select * from {raw.relation}")
    return RawTable(raw.relation, rows, raw.columns, raw.ignored_columns, raw.encoding)


def _csv_error_rows(message: str) -> list[int]:
    match = re.search(r"line:?\s*(\d+)", message, flags=re.IGNORECASE)
    return [int(match.group(1))] if match else []


def _csv_error_detail(message: str) -> str:
    # DuckDB's message quotes the offending line, which may hold identifiers: keep only its kind
    first = message.splitlines()[0] if message else ""
    if "expected" in message.lower() and "column" in message.lower():
        return "a row has a different number of fields from the header (check the delimiter and quoting)"
    if "maximum line size" in message.lower():
        limits = config.input_bounds()
        return (
            f"a record is longer than {limits.record_bytes >> 20} MB, the most the reader allows "
            f"(setting {limits.setting('record_bytes')})"
        )
    if "unterminated" in message.lower() or "quote" in message.lower():
        return "a quoted field is not closed"
    return "the file cannot be parsed as comma-separated values" + (f" ({first.split(':')[0]})" if first else "")


# --- XLSX ----------------------------------------------------------------------------------------


def _cell_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(con: duckdb.DuckDBPyConnection, path: Path, table: Table, label: str) -> RawTable:
    """The first worksheet, streamed into `<relation>_rows` in batches: only the contract's columns
    are kept, so memory holds a batch, never the sheet."""
    if path.stat().st_size == 0:
        raise _reject(label, "empty_file", "the file is 0 bytes")
    try:
        with Workbook(path, config.input_bounds()) as workbook:
            return _stream_xlsx(con, workbook, table, label)
    except InputRefused as refused:
        raise FileRejected(label, [refused.problem]) from None


def _stream_xlsx(con: duckdb.DuckDBPyConnection, workbook: Workbook, table: Table, label: str) -> RawTable:
    rows_iter = workbook.rows(0)
    first_row, header_cells = next(rows_iter, (1, []))
    if first_row != 1:
        raise _reject(label, "no_header", "row 1 of the first worksheet is empty; the header must be in row 1")
    header = [normalise_header(h) for h in header_cells]
    positions, ignored = _check_header(label, header, table)
    names = [c.name for c in table.columns if c.name in header]
    schema = pa.schema([("_row", pa.int64())] + [(n, pa.string()) for n in names])
    relation = f"raw_{table.name}"
    con.execute(
        f"create or replace temp table {relation}_rows ("
        + ", ".join(["_row bigint"] + [f"{n} varchar" for n in names])
        + ")"
    )
    batch: list[list] = [[] for _ in range(len(names) + 1)]
    total = characters = 0
    for number, cells in rows_iter:
        values = [_cell_text(cells[p]) if p < len(cells) else None for p in positions]
        batch[0].append(number)
        for i, v in enumerate(values, start=1):
            batch[i].append(v)
            characters += len(v) if v else 0
        if len(batch[0]) >= XLSX_BATCH_ROWS or characters >= XLSX_BATCH_CHARS:
            total += _flush(con, relation, schema, batch)
            batch, characters = [[] for _ in range(len(names) + 1)], 0
    total += _flush(con, relation, schema, batch)
    if total == 0:
        raise _reject(
            label,
            "no_data_rows",
            "the worksheet has a header but no data rows; a full snapshot cannot lose its whole history",
        )
    con.execute(f"create or replace temp view {relation} as select * from {relation}_rows")
    return RawTable(relation, total, names, ignored, None, format="xlsx")


def _flush(con: duckdb.DuckDBPyConnection, relation: str, schema: pa.Schema, batch: list[list]) -> int:
    if not batch[0]:
        return 0
    arrow = pa.Table.from_arrays([pa.array(col, type=f.type) for col, f in zip(batch, schema)], schema=schema)
    con.register("xlsx_batch", arrow)
    con.execute(f"insert into {relation}_rows select * from xlsx_batch")
    con.unregister("xlsx_batch")
    return len(batch[0])


def discard(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    """Drop what a reader made for `relation` (the view and the table under it, if any)."""
    con.execute(f"drop view {relation}")
    con.execute(f"drop table if exists {relation}_rows")


def file_format(path: Path, label: str) -> str:
    """`xlsx` or `csv`, from what the file holds, whatever its name says; anything else is rejected."""
    kind = input_bounds.sniff_file(path)
    if kind == "xls":
        raise _reject(
            label,
            "wrong_format",
            "the file is an Excel 97-2003 workbook (.xls) or another Office binary file; save it as .xlsx or CSV",
        )
    return "xlsx" if kind == "zip" else "csv"


def read_file(
    con: duckdb.DuckDBPyConnection, path: Path, suffix: str, table: Table, label: str, deferred: bool = False
) -> RawTable:
    """Read an export, as the kind of file it is (its content decides; `suffix` is what it was called);
    `deferred`: leave a UTF-8 CSV's rows to be parsed by whoever reads it with `read_into` (landing's
    rules), instead of into a text table now."""
    if file_format(path, label) == "xlsx":
        return read_xlsx(con, path, table, label)
    raw = read_csv(con, path, table, label)
    return raw if deferred else numbered(con, raw, label)
