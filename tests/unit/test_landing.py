"""Landing a period: idempotent, atomic, quarantining, and never leaving an identifier in clear."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sendboard.devtools.generator import generate
from sendboard.errors import PeriodIncomplete, PeriodRejected
from sendboard.ingest.inbox import Inbox
from sendboard.ingest.landing import land_period, quarantine_folder, raw_folder
from sendboard.ingest.pseudonymise import pseudonym
from tests.support.helpers import NHS_A, NHS_B, REFERRAL_HEADER, csv_bytes, referral, write, write_xlsx

HEALTH = "health_waiting_lists"


def referrals_inbox(tmp_path: Path, rows: list[dict], period: str = "2025-03") -> Inbox:
    write(tmp_path / "inbox" / HEALTH / period / "referrals.csv", csv_bytes(REFERRAL_HEADER, rows))
    return Inbox(str(tmp_path / "inbox"))


def test_landed_rows_are_pseudonymised_and_dates_of_birth_reduced_to_the_month(tmp_path, key):
    inbox = referrals_inbox(
        tmp_path,
        [
            referral("F1", nhs="943 476 5919", date_of_birth="12/05/2015"),
            referral("F2", nhs=NHS_B, date_of_birth="2016-02-29"),
        ],
    )
    result = land_period(inbox, HEALTH, "2025-03", tmp_path / "home", key)
    landed = pd.read_parquet(result.folder / "referrals.parquet")
    assert list(landed.nhs_number_pseudonym) == [pseudonym(key, NHS_A), pseudonym(key, NHS_B)]
    assert [str(d) for d in landed.birth_month] == ["2015-05-01", "2016-02-01"]
    assert list(landed.source_row) == [2, 3]
    assert "nhs_number" not in landed.columns and "date_of_birth" not in landed.columns
    manifest = json.loads((result.folder / "manifest.json").read_text())
    assert manifest["tables"]["referrals"]["rows_read"] == 2
    assert manifest["tables"]["referrals"]["rows_landed"] == 2


def test_landing_the_same_files_twice_changes_nothing(tmp_path, key):
    inbox = referrals_inbox(tmp_path, [referral("F1")])
    first = land_period(inbox, HEALTH, "2025-03", tmp_path / "home", key)
    before = {p.name: p.read_bytes() for p in first.folder.iterdir()}
    second = land_period(inbox, HEALTH, "2025-03", tmp_path / "home", key)
    assert (first.status, second.status) == ("landed", "unchanged")
    assert {p.name: p.read_bytes() for p in second.folder.iterdir()} == before


def test_a_corrected_file_replaces_the_period_whole(tmp_path, key):
    inbox = referrals_inbox(tmp_path, [referral("F1")])
    land_period(inbox, HEALTH, "2025-03", tmp_path / "home", key)
    inbox = referrals_inbox(tmp_path, [referral("F1"), referral("F2", nhs=NHS_B)])
    result = land_period(inbox, HEALTH, "2025-03", tmp_path / "home", key)
    assert result.status == "landed"
    assert len(pd.read_parquet(result.folder / "referrals.parquet")) == 2
    leftovers = [p.name for p in result.folder.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_a_rejected_file_is_quarantined_with_a_report_and_nothing_lands(tmp_path, key):
    rows = [referral(f"F{i}") for i in range(1, 11)]
    rows[3]["nhs_number"] = "9434765918"  # bad check digit: 1 of 10 rows = 10% > 2%
    inbox = referrals_inbox(tmp_path, rows)
    with pytest.raises(PeriodRejected) as rejected:
        land_period(inbox, HEALTH, "2025-03", tmp_path / "home", key)
    message = str(rejected.value)
    assert "health_waiting_lists/2025-03/referrals.csv" in message
    assert "rule invalid_nhs_number, column nhs_number, row 5" in message
    assert "9434765918" not in message
    folder = quarantine_folder(tmp_path / "home", HEALTH, "2025-03")
    assert (folder / "referrals.csv").read_bytes() == (
        tmp_path / "inbox" / HEALTH / "2025-03" / "referrals.csv"
    ).read_bytes()
    report = json.loads((folder / "referrals.csv.report.json").read_text())
    assert [(p["rule"], p["column"], p["rows"]) for p in report["problems"]] == [
        ("too_many_row_errors", None, []),
        ("invalid_nhs_number", "nhs_number", [5]),
    ]
    for text in ((folder / "referrals.csv.report.json").read_text(), (folder / "referrals.csv.report.txt").read_text()):
        assert NHS_A not in text and "9434765918" not in text
    assert not raw_folder(tmp_path / "home", HEALTH, "2025-03").exists()


def test_a_rejection_leaves_the_earlier_landing_of_the_period_untouched(tmp_path, key):
    inbox = referrals_inbox(tmp_path, [referral("F1")])
    first = land_period(inbox, HEALTH, "2025-03", tmp_path / "home", key)
    before = {p.name: p.read_bytes() for p in first.folder.iterdir()}
    write(tmp_path / "inbox" / HEALTH / "2025-03" / "referrals.csv", b"")
    with pytest.raises(PeriodRejected):
        land_period(inbox, HEALTH, "2025-03", tmp_path / "home", key)
    assert {p.name: p.read_bytes() for p in first.folder.iterdir()} == before


def test_a_table_sent_as_csv_and_xlsx_is_rejected(tmp_path, key):
    inbox = referrals_inbox(tmp_path, [referral("F1")])
    write_xlsx(
        tmp_path / "inbox" / HEALTH / "2025-03" / "referrals.xlsx", REFERRAL_HEADER, [list(referral("F1").values())]
    )
    with pytest.raises(PeriodRejected) as rejected:
        land_period(inbox, HEALTH, "2025-03", tmp_path / "home", key)
    assert "rule sent_twice" in str(rejected.value)
    folder = quarantine_folder(tmp_path / "home", HEALTH, "2025-03")
    assert (folder / "referrals.csv").exists() and (folder / "referrals.xlsx").exists()


def test_an_incomplete_period_is_not_landed(tmp_path, key):
    write(tmp_path / "inbox" / "school_census" / "2025-01" / "schools.csv", b"urn\n1\n")
    with pytest.raises(PeriodIncomplete, match="waiting for pupils"):
        land_period(Inbox(str(tmp_path / "inbox")), "school_census", "2025-01", tmp_path / "home", key)


def identifiers_in(inbox: Path) -> set[str]:
    """Every person id, UPN and NHS number sent in the inbox, normalised as landing normalises them."""
    found: set[str] = set()
    for path in inbox.rglob("*.csv"):
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
            for row in csv.DictReader(handle):
                for column in ("person_id", "upn", "nhs_number"):
                    if row.get(column):
                        found.add(row[column].replace(" ", "").upper())
    return found


def test_no_identifier_in_clear_anywhere_in_the_landing(tmp_path, key):
    inbox = tmp_path / "inbox"
    generate(inbox, start="2025-01", months=1, scale="small")
    # the xlsx tables carry the same people as the CSVs (plans are also requests), so the CSVs name them all
    identifiers = identifiers_in(inbox)
    assert len(identifiers) > 1000
    home = tmp_path / "home"
    for source in ("case_management", "health_waiting_lists", "school_census"):
        for period in Inbox(str(inbox)).complete_periods(source):
            land_period(Inbox(str(inbox)), source, period, home, key)
    con = duckdb.connect()
    scanned = 0
    for path in home.rglob("*"):
        if path.suffix == ".parquet":
            columns = [r[0] for r in con.execute("describe select * from read_parquet(?)", [str(path)]).fetchall()]
            assert "date_of_birth" not in columns
            for column in columns:
                values = {
                    str(v)
                    for (v,) in con.execute(
                        f'select distinct "{column}"::varchar from read_parquet(?)', [str(path)]
                    ).fetchall()
                }
                assert not values & identifiers, f"{path.name}.{column} holds an identifier in clear"
            if "birth_month" in columns:
                days = con.execute("select distinct day(birth_month) from read_parquet(?)", [str(path)]).fetchall()
                assert days == [(1,)], f"{path.name}: a date of birth was not reduced to its month"
            scanned += 1
        elif path.is_file() and path.suffix in (".json", ".txt", ".csv"):
            text = path.read_text(errors="replace")
            assert not any(i in text for i in identifiers), f"{path} holds an identifier in clear"
    assert scanned == 11  # 5 case-management tables, referrals, schools, pupils + a row_errors file per source


def test_an_object_store_inbox_goes_through_the_same_code_path(tmp_path, key):
    """fsspec's in-memory filesystem stands in for s3:// or abfs://: listing, completeness,
    checksums, fetching to a local copy and quarantine all go through the Inbox's filesystem."""
    import fsspec

    memory = fsspec.filesystem("memory")
    memory.pipe(
        "/sendboard-inbox/health_waiting_lists/2025-03/referrals.csv",
        csv_bytes(REFERRAL_HEADER, [referral("F1"), referral("F2", nhs=NHS_B)]),
    )
    inbox = Inbox("memory://sendboard-inbox")
    assert inbox.complete_periods(HEALTH) == ["2025-03"]
    result = land_period(inbox, HEALTH, "2025-03", tmp_path / "home", key)
    landed = pd.read_parquet(result.folder / "referrals.parquet")
    assert list(landed.nhs_number_pseudonym) == [pseudonym(key, NHS_A), pseudonym(key, NHS_B)]
    assert result.manifest["inbox"] == "memory://sendboard-inbox"

    memory.pipe("/sendboard-inbox/health_waiting_lists/2025-04/referrals.csv", b"")
    with pytest.raises(PeriodRejected):
        land_period(inbox, HEALTH, "2025-04", tmp_path / "home", key)
    assert (quarantine_folder(tmp_path / "home", HEALTH, "2025-04") / "referrals.csv.report.txt").exists()
