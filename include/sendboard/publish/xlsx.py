"""A one-sheet XLSX writer for the worklists: text, whole numbers, booleans and dates, nothing else.

openpyxl writes about 11,000 rows a second here; a national month's long-waits list is some 130,000
rows, which would add twelve seconds to the publication. This writes the same workbook (the Office
Open XML parts Excel needs: content types, relationships, workbook, one styled worksheet), with each
row's XML made by DuckDB from the table the rows are in. Text goes in as inline strings, which a
spreadsheet never runs as a formula (control characters XML cannot hold are dropped); dates are date
serials with a yyyy-mm-dd format, so they sort and filter as dates.
"""

from __future__ import annotations

import os
import zipfile
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from sendboard import sql

EXCEL_EPOCH = date(1899, 12, 30)
WHOLE_NUMBERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>'
)
# style 0: general; style 1: a date shown as yyyy-mm-dd
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _cell_sql(column: str, kind: str) -> str:
    """The DuckDB expression of one cell's XML, by the column's type; an empty value is an empty cell.

    >>> print(_cell_sql("n", "BIGINT"))
    coalesce('<c><v>' || "n" || '</v></c>', '<c/>')
    """
    name = sql.identifier(column)
    if kind == "BOOLEAN":
        cell = f"'<c t=\"b\"><v>' || {name}::integer || '</v></c>'"
    elif kind in WHOLE_NUMBERS:
        cell = f"'<c><v>' || {name} || '</v></c>'"
    elif kind == "DATE":
        cell = f"'<c s=\"1\"><v>' || ({name} - DATE '{EXCEL_EPOCH.isoformat()}') || '</v></c>'"
    else:  # text: escaped, without the control characters XML 1.0 cannot hold
        escaped = f"regexp_replace({name}::varchar, '[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]', '', 'g')"
        for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
            escaped = f"replace({escaped}, '{raw}', '{entity}')"
        # most cells are ids with nothing to escape and no space to keep: they go in as they are (a
        # quarter less XML and work for a national list); the others escaped, their spaces preserved
        text = (
            f"case when regexp_matches({name}::varchar, '[&<>\\x00-\\x20]') "
            f"then '<t xml:space=\"preserve\">' || {escaped} else '<t>' || {name}::varchar end"
        )
        cell = f"'<c t=\"inlineStr\"><is>' || {text} || '</t></is></c>'"
    return f"coalesce({cell}, '<c/>')"


def write(con, table: str, path: Path, sheet: str) -> None:
    """The workbook at `path` (written beside it, then renamed): a header row, then the rows of the
    DuckDB table or view `table` in its order. DuckDB makes each row's XML, column by column."""
    described = con.execute(f"describe {table}").fetchall()
    header = "".join(f'<c t="inlineStr"><is><t>{escape(c[0])}</t></is></c>' for c in described)
    cells = " || ".join(_cell_sql(column, kind) for column, kind, *_ in described) or "''"
    rows = con.execute(f"select '<row>' || {cells} || '</row>' from {table}").fetchall()
    sheet_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f"<row>{header}</row>" + "".join(r[0] for r in rows) + "</sheetData></worksheet>"
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{escape(sheet[:31])}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    temporary = path.with_name(f".{path.name}.tmp")
    parts = (
        ("[Content_Types].xml", _CONTENT_TYPES),
        ("_rels/.rels", _ROOT_RELS),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
        ("xl/styles.xml", _STYLES),
        ("xl/worksheets/sheet1.xml", sheet_xml),
    )
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in parts:
            # a fixed date: the same rows make the same bytes, so an unchanged table is seen as unchanged
            part = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            part.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(part, text, compresslevel=1)
    os.replace(temporary, path)
