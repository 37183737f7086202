"""Hostile files made on the fly, for the tests of the bounds and `make bench`'s bomb month: workbooks
written part by part, so every byte a reader meets is chosen (a DOCTYPE, a cell of billions of
characters, a directory that lies). A bomb is small on disk: its repeated characters are streamed
into the zip, never held whole."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/></Types>'
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Export" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def workbook_rels(shared_strings: bool) -> bytes:
    rels = f'<Relationship Id="rId1" Type="{REL}worksheet" Target="worksheets/sheet1.xml"/>'
    if shared_strings:
        rels += f'<Relationship Id="rId2" Type="{REL}sharedStrings" Target="sharedStrings.xml"/>'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>'
    ).encode()


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def row_xml(number: int, cells: Sequence[str | None]) -> bytes:
    """A row of inline strings; None leaves the cell out."""
    parts = [
        f'<c r="{column_letters(i)}{number}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
        for i, v in enumerate(cells, start=1)
        if v is not None
    ]
    return f'<row r="{number}">{"".join(parts)}</row>'.encode()


def sheet_xml(rows: Sequence[Sequence[str | None]], prolog: bytes = b"", dimension: str | None = None) -> bytes:
    return b"".join(sheet_parts(rows, prolog, dimension))


def sheet_parts(rows: Sequence[Sequence[str | None]], prolog: bytes = b"", dimension: str | None = None) -> list[bytes]:
    head = b'<?xml version="1.0" encoding="UTF-8"?>' + prolog
    head += b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    if dimension:
        head += f'<dimension ref="{dimension}"/>'.encode()
    return [head, b"<sheetData>", *(row_xml(i, r) for i, r in enumerate(rows, start=1)), b"</sheetData></worksheet>"]


def write_workbook(
    path: Path,
    sheet: bytes | Iterable[bytes],
    shared_strings: bytes | None = None,
    extra_members: dict[str, bytes] | None = None,
    workbook: bytes = WORKBOOK,
) -> Path:
    """A workbook of one sheet `Export`, its XML given whole or as chunks (streamed: a bomb's cell)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels(shared_strings is not None))
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for chunk in [sheet] if isinstance(sheet, bytes) else sheet:
                member.write(chunk)
        for name, data in (extra_members or {}).items():
            archive.writestr(name, data)
    return path


def repeated(character: bytes, count: int, chunk: int = 1 << 22) -> Iterable[bytes]:
    block = character * chunk
    while count > 0:
        yield block[: min(count, chunk)]
        count -= chunk


def bomb_sheet(header: Sequence[str], first_row: Sequence[str | None], characters: int) -> Iterable[bytes]:
    """A sheet whose first data row has one cell more than the header, holding `characters` x's."""
    parts = sheet_parts([header])
    yield from parts[:-1]  # the prolog, <sheetData>, the header row
    extra = column_letters(len(header) + 1)
    yield row_xml(2, first_row)[: -len(b"</row>")] + f'<c r="{extra}2" t="inlineStr"><is><t>'.encode()
    yield from repeated(b"x", characters)
    yield b"</t></is></c></row>" + parts[-1]


def declare_smaller(path: Path, member: str, declared: int) -> None:
    """Make the zip's central directory say `member` inflates to `declared` bytes (the directory lies)."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_length = int.from_bytes(data[at + 28 : at + 30], "little")
        name = data[at + 46 : at + 46 + name_length].decode()
        if name == member:
            if int.from_bytes(data[at + 24 : at + 28], "little") == 0xFFFFFFFF:
                # zip64: the real size sits in the extra field (header 0x0001, then the sizes)
                extra = at + 46 + name_length
                data[extra + 4 : extra + 12] = declared.to_bytes(8, "little")
            else:
                data[at + 24 : at + 28] = declared.to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def bomb_export(export: Path, target: Path, characters: int) -> Path:
    """`export` (an XLSX export) again, its header and first data row only, with one extra cell of
    `characters` x's in that row: issue 29's plans.xlsx (six billion characters in about 6 MB)."""
    from sendboard.config import input_bounds
    from sendboard.ingest.readers import _cell_text
    from sendboard.ingest.workbook import Workbook

    with Workbook(export, input_bounds()) as workbook:
        rows = workbook.rows(0)
        header = [_cell_text(v) or "" for v in next(rows)[1]]
        first = [_cell_text(v) for v in next(rows)[1]]
    return write_workbook(target, bomb_sheet(header, first, characters))
