"""How every published CSV is written: UTF-8, CRLF line ends (what Excel writes), a header even when
there are no rows, and text cells a spreadsheet would run as a formula defused."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from sendboard import sql

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(text: str) -> str:
    r"""A text cell that Excel or LibreOffice would run as a formula gets a leading apostrophe (OWASP's
    CSV-injection advice). Only text goes through here: numbers are formatted by the caller.

    >>> formula_safe("Decisions within 6 weeks")
    'Decisions within 6 weeks'
    >>> formula_safe('=HYPERLINK("http://x")')
    '\'=HYPERLINK("http://x")'
    >>> formula_safe("-1+2"), formula_safe("@SUM(A1)"), formula_safe("+44")
    ("'-1+2", "'@SUM(A1)", "'+44")
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """The file's bytes; `rows` are already formatted cells, in `columns`' order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def copy_table(con, table: str, path: Path) -> None:
    """Write a DuckDB table or view as a CSV file the same way, by DuckDB (its text columns defused in
    SQL as formula_safe does): the worklists' hundreds of thousands of rows in a fraction of a second."""
    starts = ", ".join(sql.literal(s) for s in FORMULA_STARTS)
    columns = []
    for column, kind, *_ in con.execute(f"describe {table}").fetchall():
        name = sql.identifier(column)
        if kind == "VARCHAR":
            columns.append(f"case when left({name}, 1) in ({starts}) then '''' || {name} else {name} end as {name}")
        else:
            columns.append(name)
    temporary = path.with_name(f".{path.name}.tmp")
    con.execute(
        f"copy (select {', '.join(columns)} from {table}) to {sql.literal(str(temporary))} "
        "(format csv, header, delimiter ',', new_line '\r\n')"
    )
    os.replace(temporary, path)
