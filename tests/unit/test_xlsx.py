"""The worklists' XLSX, read back by two independent readers (calamine, as the council's tools read
it; openpyxl, which warns about a malformed workbook): text, whole numbers, booleans and dates."""

from __future__ import annotations

import warnings
from datetime import date, datetime

import duckdb
import openpyxl
from python_calamine import CalamineWorkbook

from sendboard.publish import xlsx


def table(rows: str):
    con = duckdb.connect()
    con.execute("create table rows (request_id varchar, note varchar, days_left bigint, flag boolean, due date)")
    con.execute(f"insert into rows values {rows}")
    return con


def test_every_kind_of_cell_reads_back_as_it_was_written(tmp_path):
    path = tmp_path / "list.xlsx"
    con = table(
        "('REQ0000001', '=HYPERLINK(\"x\")', 28, true, date '2025-04-28'), "
        "('Kingsbridge, City of <&>' || chr(0), null, -41, false, date '1900-03-01'), "
        "(' padded\tand spaced ', 'plain', 0, null, null)"
    )
    xlsx.write(con, "rows", path, "assessments_20_weeks")
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("assessments_20_weeks").to_python()
    assert sheet[0] == ["request_id", "note", "days_left", "flag", "due"]
    assert sheet[1] == ["REQ0000001", '=HYPERLINK("x")', 28.0, True, date(2025, 4, 28)]
    assert sheet[2] == ["Kingsbridge, City of <&>", "", -41.0, False, date(1900, 3, 1)]
    # spaces at either end are kept (xml:space="preserve"); plain text goes in as it is
    assert sheet[3] == [" padded\tand spaced ", "plain", 0.0, "", ""]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # openpyxl warns on a workbook missing a part Excel expects
        book = openpyxl.load_workbook(path)
    cells = book["assessments_20_weeks"]
    # the control character (NUL) is dropped: XML cannot hold it
    # text stays text (an inline string is never run as a formula); a date is a date shown yyyy-mm-dd
    assert cells["B2"].data_type == "s" and cells["B2"].value == '=HYPERLINK("x")'
    assert cells["E2"].value == datetime(2025, 4, 28) and cells["E2"].number_format == "yyyy-mm-dd"
    assert (cells["A4"].value, cells["B4"].value) == (" padded\tand spaced ", "plain")


def test_an_empty_list_is_its_header(tmp_path):
    path = tmp_path / "empty.xlsx"
    con = table("('x', null, 1, true, null)")
    con.execute("delete from rows")
    xlsx.write(con, "rows", path, "long_waits")
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python() == [
        ["request_id", "note", "days_left", "flag", "due"]
    ]
