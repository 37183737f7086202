"""How every published CSV is written: UTF-8, CRLF line ends (what Excel writes), a header even when
there are no rows, and text cells a spreadsheet would run as a formula defused."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

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
