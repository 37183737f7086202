"""The readers on every format quirk of exports.md, and every file rule with the exact error."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from sendboard.contract import SOURCES
from sendboard.errors import FileRejected
from sendboard.ingest.readers import read_file
from sendboard.ingest.rules import check_table
from tests.support.helpers import NHS_A, NHS_B, REFERRAL_HEADER, csv_bytes, referral, write, write_xlsx

REFERRALS = SOURCES["health_waiting_lists"].table("referrals")


def read(path, suffix=".csv"):
    con = duckdb.connect()
    raw = read_file(con, path, suffix, REFERRALS, f"health_waiting_lists/2025-03/{path.name}")
    rows = con.execute(f"select * from {raw.relation} order by _row").fetchall()
    names = [d[0] for d in con.description]
    return raw, [dict(zip(names, r)) for r in rows]


def read_as_landing(con, path):
    """Landing's way: the header now, the rows parsed by the rules' own statement (check_table)."""
    label = f"health_waiting_lists/2025-03/{path.name}"
    raw = read_file(con, path, ".csv", REFERRALS, label, deferred=True)
    assert (raw.rows, raw.numbered) == (None, False)
    return check_table(con, raw, REFERRALS, date(2025, 3, 31), label)


def rejection(path, suffix=".csv", as_landing=False) -> list[tuple]:
    with pytest.raises(FileRejected) as rejected:
        read_as_landing(duckdb.connect(), path) if as_landing else read(path, suffix)
    return [(p.rule, p.column, p.rows) for p in rejected.value.problems]


def test_utf8_with_bom_and_quoted_commas_and_line_breaks(tmp_path):
    data = (
        "\ufeffreferral_id,nhs_number,date_of_birth,provider_code,service,priority,referral_date\r\n"
        f'F1,{NHS_A},2015-05-12,"RTH","SALT",ROUTINE,2025-01-10\r\n'
        f'"F,2",{NHS_B},2015-05-12,"R\nTH",SALT,ROUTINE,2025-01-10\r\n'
    ).encode()
    raw, rows = read(write(tmp_path / "referrals.csv", data))
    assert raw.encoding == "utf-8"
    assert [r["referral_id"] for r in rows] == ["F1", "F,2"]
    assert rows[1]["provider_code"] == "R\nTH"
    assert [r["_row"] for r in rows] == [2, 3]  # records, as a spreadsheet numbers them


def test_a_large_file_read_in_parallel_keeps_every_record_on_its_spreadsheet_row(tmp_path):
    # DuckDB reads a large CSV on several threads; _row comes from the order rows were stored in.
    # 400,000 records (~24 MB); every 7th has a quoted comma and line break, so records and lines differ:
    # record i (0-based) is referral R<i> and must be spreadsheet row i + 2
    lines = ["referral_id,nhs_number,date_of_birth,provider_code,service,priority,referral_date"]
    for i in range(400_000):
        provider = '"R,\nTH"' if i % 7 == 0 else "RTH"
        lines.append(f"R{i},{NHS_A},2015-05-12,{provider},SALT,ROUTINE,2025-01-10")
    path = write(tmp_path / "referrals.csv", ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    con = duckdb.connect()
    raw = read_file(con, path, ".csv", REFERRALS, "health_waiting_lists/2025-03/referrals.csv")
    assert raw.rows == 400_000
    assert con.execute(f"select count(*) from {raw.relation} where referral_id <> 'R' || (_row - 2)").fetchone()[0] == 0
    assert con.execute(f"select count(*) from {raw.relation} where provider_code = 'R,\nTH'").fetchone()[0] == 57_143
    # landing parses the file in the rules' statement and numbers rows by the order they are stored in
    checked = read_as_landing(con, path)
    assert (checked.rows, checked.bad_rows) == (400_000, 0)
    assert con.execute(
        "select count(*), min(_row), max(_row) from checked_referrals where referral_id = 'R' || (_row - 2)"
    ).fetchone() == (400_000, 2, 400_001)
    # 400,000 // 7 + 1 = 57,143 records (i = 0, 7, ..., 399,994) carry the quoted line break
    assert (
        con.execute(
            "select count(*) from checked_referrals where provider_code = 'R,\nTH' and (_row - 2) % 7 = 0"
        ).fetchone()[0]
        == 57_143
    )


def test_a_record_up_to_16_mb_is_read_and_a_longer_one_rejects_the_file(tmp_path):
    # MAX_RECORD_BYTES = 16 MiB = 16,777,216 bytes per record. A quoted provider_code of 15 MiB with a
    # line break every 1,000 characters is one record (spreadsheet row 3); one of 17 MiB is too long
    def file_with_cell(name, size):
        cell = ("x" * 999 + "\n") * (size // 1000)
        rows = [referral("F1"), referral("F2", NHS_B, provider_code=cell)]
        return write(tmp_path / name, csv_bytes(REFERRAL_HEADER, rows)), cell

    path, cell = file_with_cell("referrals.csv", 15 << 20)
    raw, rows = read(path)
    assert [r["_row"] for r in rows] == [2, 3]
    assert len(rows[1]["provider_code"]) == len(cell) == 15_728_000  # 15,728 lines of 1,000 characters

    path, _ = file_with_cell("long.csv", 17 << 20)
    for as_landing in (False, True):
        with pytest.raises(FileRejected) as rejected:
            read_as_landing(duckdb.connect(), path) if as_landing else read(path)
        problem = rejected.value.problems[0]
        assert (problem.rule, problem.detail) == (
            "unreadable_file",
            "a record is longer than 16 MB, the most the reader allows (setting SENDBOARD_MAX_RECORD_MB=16)",
        )
        assert NHS_B not in str(rejected.value)


def test_a_folder_with_a_quote_in_its_name_is_read_as_landing_reads(tmp_path):
    # the deferred read names the file inside SQL text (a view cannot hold parameters)
    folder = tmp_path / "O'Brien's inbox"
    folder.mkdir()
    path = write(folder / "referrals.csv", csv_bytes(REFERRAL_HEADER, [referral("F1"), referral("F2", NHS_B)]))
    con = duckdb.connect()
    checked = read_as_landing(con, path)
    assert checked.rows == 2
    assert con.execute("select _row, referral_id from checked_referrals order by _row").fetchall() == [
        (2, "F1"),
        (3, "F2"),
    ]


def test_windows_1252_pound_sign_and_smart_quote(tmp_path):
    header = REFERRAL_HEADER + ["notes"]
    rows = [referral("F1", notes="£50 \u2018urgent\u2019 \u2013 see letter")]
    raw, read_rows = read(write(tmp_path / "referrals.csv", csv_bytes(header, rows, encoding="cp1252")))
    assert raw.encoding == "windows-1252"
    assert raw.ignored_columns == ["notes"]
    assert read_rows[0]["referral_id"] == "F1"


def test_headers_match_whatever_the_case_spaces_and_order(tmp_path):
    data = (
        " Service ,REFERRAL_ID,nhs_number,Date_Of_Birth,provider_code,priority,referral_date,Extra Col\n"
        f"SALT,F1,{NHS_A},2015-05-12,RTH,ROUTINE,2025-01-10,x\n"
    ).encode()
    raw, rows = read(write(tmp_path / "referrals.csv", data))
    assert rows[0]["service"] == "SALT" and rows[0]["referral_id"] == "F1"
    assert raw.ignored_columns == ["extra col"]
    # optional columns may be absent; they are then empty
    assert "first_contact_date" not in raw.columns


def test_xlsx_first_sheet_with_excel_dates_and_numbers(tmp_path):
    path = write_xlsx(
        tmp_path / "referrals.xlsx",
        REFERRAL_HEADER,
        [
            ["F1", 9434765919, date(2015, 5, 12), "RTH", "SALT", "ROUTINE", datetime(2025, 1, 10), None, None],
            [None] * 9,  # an empty row is skipped, and numbering stays the spreadsheet's
            ["F2", "401 023 2137", "12/05/2015", "RTH", "SALT", "URGENT", date(2025, 1, 11), None, None],
        ],
    )
    raw, rows = read(path, ".xlsx")
    assert [(r["_row"], r["referral_id"], r["nhs_number"], r["date_of_birth"], r["referral_date"]) for r in rows] == [
        (2, "F1", "9434765919", "2015-05-12", "2025-01-10"),
        (4, "F2", "401 023 2137", "12/05/2015", "2025-01-11"),
    ]


def test_empty_file(tmp_path):
    assert rejection(write(tmp_path / "referrals.csv", b"")) == [("empty_file", None, [])]
    assert rejection(write(tmp_path / "referrals.xlsx", b""), ".xlsx") == [("empty_file", None, [])]


def test_header_with_no_data_rows(tmp_path):
    path = write(tmp_path / "referrals.csv", csv_bytes(REFERRAL_HEADER, []))
    assert rejection(path) == [("no_data_rows", None, [])]
    assert rejection(path, as_landing=True) == [("no_data_rows", None, [])]
    assert rejection(write_xlsx(tmp_path / "referrals.xlsx", REFERRAL_HEADER, []), ".xlsx") == [
        ("no_data_rows", None, [])
    ]


def test_no_header(tmp_path):
    assert rejection(write(tmp_path / "referrals.csv", b"\r\n\r\n")) == [("no_header", None, [])]


def test_missing_required_columns_are_each_named(tmp_path):
    header = [h for h in REFERRAL_HEADER if h not in ("priority", "service")]
    path = write(tmp_path / "referrals.csv", csv_bytes(header, [referral("F1")]))
    assert rejection(path) == [
        ("missing_required_column", "service", [1]),
        ("missing_required_column", "priority", [1]),
    ]


def test_two_columns_with_the_same_name_after_normalisation(tmp_path):
    data = b"referral_id,nhs_number,date_of_birth,provider_code,service,priority,referral_date, Service\n"
    assert rejection(write(tmp_path / "referrals.csv", data + b"F1,1,2,3,4,5,6,7\n")) == [
        ("duplicate_column", "service", [1])
    ]


def test_binary_junk_named_csv_is_unreadable(tmp_path):
    path = write(tmp_path / "referrals.csv", bytes(range(256)) * 4)
    assert rejection(path) == [("unreadable_file", None, [])]


def test_wrong_delimiter_reports_the_missing_columns(tmp_path):
    data = ";".join(REFERRAL_HEADER).encode() + b"\nF1;x;y\n"
    problems = rejection(write(tmp_path / "referrals.csv", data))
    assert problems[0] == ("missing_required_column", "referral_id", [1])


def test_a_row_with_too_many_fields_names_its_line_but_not_its_values(tmp_path):
    data = (
        csv_bytes(REFERRAL_HEADER, [referral("F1")])
        + f"F2,{NHS_B},2015-05-12,RTH,SALT,ROUTINE,2025-01-10,,,x,y\r\n".encode()
    )
    path = write(tmp_path / "referrals.csv", data)
    for as_landing in (False, True):
        with pytest.raises(FileRejected) as rejected:
            read_as_landing(duckdb.connect(), path) if as_landing else read(path)
        assert rejected.value.problems[0].rule == "unreadable_file"
        assert rejected.value.problems[0].rows == [3]
        assert NHS_B not in str(rejected.value)


def test_truncated_xlsx_is_unreadable(tmp_path):
    good = write_xlsx(tmp_path / "whole.xlsx", REFERRAL_HEADER, [["F1"] * 9])
    path = write(tmp_path / "referrals.xlsx", good.read_bytes()[:300])
    assert rejection(path, ".xlsx") == [("unreadable_file", None, [])]


def test_xlsx_whose_first_sheet_is_empty_has_no_header(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.create_sheet("data").append(REFERRAL_HEADER)  # the header is on the second sheet only
    workbook.save(tmp_path / "referrals.xlsx")
    assert rejection(tmp_path / "referrals.xlsx", ".xlsx") == [("no_header", None, [])]
