"""The casework teams' worklists, written by the publish run under restricted/worklists/<M>/: each list's
cases counted again here from the inbox files with the csv module (not with sendboard's SQL), in the
order the teams work them, as CSV and XLSX, in a folder only its owner can read, never under published/.
Each list's edges (E + 28 and E + 29, day 42 at E + 14, reviews 309 and 308 days before E, ...) are
the dbt unit tests in dbt/models/worklists/_worklists__unit_tests.yml, run by `make test` (the build in
tests/e2e/test_kpis.py; the monthly run leaves unit tests out, as dbt advises)."""

from __future__ import annotations

import csv
import io
import stat
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from sendboard.publish import worklists
from tests.support.shared import build_small_landed, built_once, copy_home, session_folder
from tests.support.worker import run_worker

pytestmark = pytest.mark.e2e
MONTH, E = "2025-03", date(2025, 3, 31)
RUNS = [f"publish_board_snapshot:{MONTH}"]
COLUMNS = {
    "assessments_20_weeks": "request_id,person_pseudonym,received_date,week_20_date,days_open,days_left,exception_20wk",
    "decisions_6_weeks": "request_id,person_pseudonym,received_date,day_42_date,days_open,days_left",
    "advice_overdue": "advice_type,advice_id,request_id,requested_date,day_42_date,days_waiting,days_overdue",
    "annual_reviews_due": "plan_id,person_pseudonym,last_review_or_start,review_due_date,"
    "days_since_last_review,days_left",
    "long_waits": "service,provider_code,referral_id,nhs_number_pseudonym,priority,referral_date,days_waiting,"
    "weeks_waited",
}


@pytest.fixture(scope="module")
def paths(tmp_path_factory, worker_id) -> tuple[Path, Path]:
    """(home, inbox): the small sample landed (shared with other modules), March published here."""
    shared = built_once(session_folder(tmp_path_factory, worker_id), "small_landed", build_small_landed)
    home = copy_home(shared / "home", tmp_path_factory.mktemp("worklists") / "home")
    code, output = run_worker(home, shared / "inbox", RUNS)
    assert code == 0, output[-4000:]
    return home, shared / "inbox"


def listed(home: Path, name: str) -> list[dict]:
    text = (worklists.folder(home, MONTH) / f"{name}.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def inbox_rows(inbox: Path, table: str) -> list[dict]:
    text = (inbox / "case_management" / MONTH / f"{table}.csv").read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return list(csv.DictReader(io.StringIO(text.decode(encoding))))
        except UnicodeDecodeError:
            continue
    raise AssertionError(table)


def day(text: str) -> date | None:
    if not text:
        return None
    return datetime.strptime(text, "%d/%m/%Y").date() if "/" in text else date.fromisoformat(text)


def test_each_list_is_in_a_folder_only_its_owner_can_read_and_never_published(paths):
    home, _ = paths
    folder = worklists.folder(home, MONTH)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.{s}" for n in COLUMNS for s in ("csv", "xlsx"))
    assert stat.S_IMODE((home / "restricted").stat().st_mode) == 0o700
    published = [p.name for p in (home / "published").rglob("*") if p.is_file()]
    assert published and not [n for n in published if any(n.startswith(w) for w in COLUMNS)]


def test_each_list_has_its_columns_and_the_xlsx_has_the_csv_s_rows(paths):
    home, _ = paths
    for name, header in COLUMNS.items():
        text = (worklists.folder(home, MONTH) / f"{name}.csv").read_text(encoding="utf-8")
        assert text.splitlines()[0] == header, name
        sheet = CalamineWorkbook.from_path(str(worklists.folder(home, MONTH) / f"{name}.xlsx")).get_sheet_by_index(0)
        rows = sheet.to_python()
        assert [str(c) for c in rows[0]] == header.split(","), name
        assert len(rows) - 1 == len(listed(home, name)), name


def test_the_assessments_list_is_the_inbox_s_open_assessments_due_by_e_plus_28_most_urgent_first(paths):
    home, inbox = paths
    expected = {
        r["request_id"]
        for r in inbox_rows(inbox, "requests")
        if r["decision"] == "ASSESS"
        and not r["assessment_outcome"]
        and day(r["received_date"]) <= E
        and day(r["received_date"]) + timedelta(days=140) <= E + timedelta(days=28)
    }
    rows = listed(home, "assessments_20_weeks")
    assert expected and {r["request_id"] for r in rows} == expected
    days_left = [int(r["days_left"]) for r in rows]
    assert days_left == sorted(days_left)
    first = rows[0]
    received = date.fromisoformat(first["received_date"])
    assert int(first["days_left"]) == (received + timedelta(days=140) - E).days
    assert int(first["days_open"]) == (E - received).days


def test_the_decisions_and_advice_lists_are_the_inbox_s_cases(paths):
    home, inbox = paths
    undecided = {
        r["request_id"]
        for r in inbox_rows(inbox, "requests")
        if not r["decision"]
        and day(r["received_date"]) <= E
        and day(r["received_date"]) + timedelta(42) <= E + timedelta(14)
    }
    assert {r["request_id"] for r in listed(home, "decisions_6_weeks")} == undecided
    overdue = {
        r["advice_id"]
        for r in inbox_rows(inbox, "advice")
        if not r["received_date"] and day(r["requested_date"]) <= E and (E - day(r["requested_date"])).days > 42
    }
    rows = listed(home, "advice_overdue")
    assert {r["advice_id"] for r in rows} == overdue
    # by the service that owes it, then the longest wait first
    keys = [(r["advice_type"], -int(r["days_waiting"])) for r in rows]
    assert keys == sorted(keys)


def test_an_empty_list_has_its_header(tmp_path):
    con = duckdb.connect()
    con.execute("create schema restricted")
    for name, (model, _) in worklists.WORKLISTS.items():
        columns = ", ".join(f"null::varchar as {c}" for c in ["period", *COLUMNS[name].split(",")])
        con.execute(f"create view restricted.{model} as select {columns} where false")
    counts = worklists.write(con, tmp_path, MONTH)
    assert counts == dict.fromkeys(COLUMNS, 0)
    for name, header in COLUMNS.items():
        assert (worklists.folder(tmp_path, MONTH) / f"{name}.csv").read_bytes() == f"{header}\r\n".encode()


def test_the_restricted_twin_of_the_pack_shows_every_kpi_unsuppressed_and_links_its_worklist(paths):
    home, _ = paths
    page_path = worklists.detail_pack_path(home, MONTH)
    assert stat.S_IMODE(page_path.stat().st_mode) == 0o600
    page = page_path.read_text(encoding="utf-8")
    assert "RESTRICTED: for the data team and the casework leads" in page
    with duckdb.connect(str(home / "warehouse" / "sendboard.duckdb"), read_only=True) as con:
        figures = con.execute(
            "select kpi_id, value, numerator, denominator from restricted.fct_kpi_values where period = ?", [MONTH]
        ).fetchall()
    for kpi_id, value, numerator, denominator in figures:

        def text(figure) -> str:
            return "" if figure is None else str(figure)

        shown = f"{value if value is not None else 'no value'} ({text(numerator)} / {text(denominator)})"
        assert shown in page, kpi_id
    rows = len(listed(home, "assessments_20_weeks"))
    assert f'<a href="../worklists/{MONTH}/assessments_20_weeks.xlsx">assessments_20_weeks</a> ({rows} cases)' in page
    # the published pack is not the twin
    published = (home / "published" / MONTH / "board_pack.html").read_text(encoding="utf-8")
    assert "RESTRICTED" not in published and "worklists" not in published


def test_the_records_behind_every_kpi_add_up_to_its_unsuppressed_counts(paths):
    # the dbt test kpi_records_add_up_to_the_kpi_values ran in the build; the same sums again here
    home, _ = paths
    with duckdb.connect(str(home / "warehouse" / "sendboard.duckdb"), read_only=True) as con:
        counted = dict(
            (kpi_id, (numerator, denominator))
            for kpi_id, numerator, denominator in con.execute(
                "select kpi_id, count(*) filter (where in_numerator), count(*) from restricted.kpi_records "
                "where period = ? group by kpi_id",
                [MONTH],
            ).fetchall()
        )
        values = {
            kpi_id: (numerator, denominator)
            for kpi_id, numerator, denominator in con.execute(
                "select kpi_id, numerator, denominator from restricted.fct_kpi_values where period = ?", [MONTH]
            ).fetchall()
        }
    census = {"T1_SEN_SUPPORT_RATE", "T3_SUSPENSION_RATE_SEN", "T3_SUSPENSION_RATE_NO_SEN",
              "T3_PERSISTENT_ABSENCE_EHCP", "X_CENSUS_EHCP_MATCHED"}  # fmt: skip
    assert len(values) == 23 and census <= set(values)
    for kpi_id in set(values) - census:
        numerator, denominator = counted.get(kpi_id, (0, 0))
        expected = values[kpi_id]
        # the median wait has no numerator: its records carry no flag
        assert (None if kpi_id == "T1_SALT_MEDIAN_WAIT" else numerator, denominator) == expected, kpi_id
    assert not set(counted) & census
