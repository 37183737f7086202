"""Good rows for every table, and a helper that reads and checks a table as landing does."""

from __future__ import annotations

from pathlib import Path

import duckdb

from sendboard import periods
from sendboard.contract import SOURCES
from sendboard.ingest.readers import read_file
from sendboard.ingest.rules import check_table
from tests.support.helpers import NHS_A, UPN_A, csv_bytes, write

PERIOD = "2025-03"  # period end 2025-03-31

GOOD = {
    "requests": {
        "request_id": "R{i}",
        "person_id": "P{i}",
        "upn": UPN_A,
        "nhs_number": NHS_A,
        "date_of_birth": "2015-05-12",
        "received_date": "2025-01-06",
        "request_source": "PARENT",
        "decision": "ASSESS",
        "decision_date": "2025-02-10",
        "assessment_outcome": "",
        "assessment_outcome_date": "",
        "plan_issued_date": "",
        "exception_20wk": "N",
    },
    "advice": {
        "advice_id": "A{i}",
        "request_id": "R1",
        "advice_type": "HEALTH",
        "requested_date": "2025-02-10",
        "received_date": "2025-03-01",
    },
    "plans": {
        "plan_id": "E{i}",
        "person_id": "P{i}",
        "upn": UPN_A,
        "nhs_number": "",
        "date_of_birth": "2012-01-20",
        "start_date": "2020-06-01",
        "ceased_date": "",
        "cease_reason": "",
        "primary_need": "ASD",
        "setting_type": "MAINSTREAM_SCHOOL",
        "setting_urn": "123456",
        "nc_year": "8",
    },
    "annual_reviews": {
        "review_id": "V{i}",
        "plan_id": "E1",
        "meeting_date": "2025-02-03",
        "nc_year": "8",
        "decision": "MAINTAIN",
        "decision_date": "2025-02-20",
        "child_views_recorded": "Y",
        "pfa_outcomes_recorded": "N",
    },
    "plan_audits": {
        "audit_id": "Q{i}",
        "plan_id": "E1",
        "audit_date": "2025-03-05",
        "rating": "GOOD",
        "multi_agency": "Y",
    },
    "referrals": {
        "referral_id": "F{i}",
        "nhs_number": NHS_A,
        "date_of_birth": "2015-05-12",
        "provider_code": "RTH",
        "service": "SALT",
        "priority": "ROUTINE",
        "referral_date": "2025-01-10",
        "first_contact_date": "",
        "removed_date": "",
    },
    "schools": {
        "urn": "10000{i}",
        "school_name": "Riverside Primary School",
        "school_type": "MAINSTREAM",
        "phase": "PRIMARY",
    },
    "pupils": {
        "upn": "A1234567{i:04d}Z",
        "school_urn": "100001",
        "date_of_birth": "2014-02-11",
        "nc_year": "5",
        "sen_provision": "K",
        "primary_sen_type": "SLCN",
        "fsm_eligible": "N",
        "sessions_possible": "120",
        "sessions_missed": "10",
        "suspensions": "0",
        "permanently_excluded": "",
    },
}
SOURCE_OF = {t.name: s.name for s in SOURCES.values() for t in s.tables}


def good_rows(table: str, n: int, start: int = 1) -> list[dict]:
    return [{k: v.format(i=i) for k, v in GOOD[table].items()} for i in range(start, start + n)]


def table_file(tmp_path: Path, table: str, rows: list[dict], name: str | None = None) -> Path:
    return write(tmp_path / (name or f"{table}.csv"), csv_bytes(list(GOOD[table]), rows))


def check_rows(tmp_path: Path, table: str, rows: list[dict], parents: dict[str, list[dict]] | None = None):
    """Read and check a table (after its parent, if given) as landing does; returns the CheckedTable."""
    con = duckdb.connect()
    spec = SOURCES[SOURCE_OF[table]]
    parent_relation = None
    for parent, parent_rows in (parents or {}).items():
        path = table_file(tmp_path, parent, parent_rows)
        raw = read_file(con, path, ".csv", spec.table(parent), f"{parent}.csv", deferred=True)
        check_table(con, raw, spec.table(parent), periods.last_day(PERIOD), parent)
        parent_relation = f"checked_{parent}"
    path = table_file(tmp_path, table, rows)
    label = f"{SOURCE_OF[table]}/{PERIOD}/{table}.csv"
    raw = read_file(con, path, ".csv", spec.table(table), label, deferred=True)
    return check_table(con, raw, spec.table(table), periods.last_day(PERIOD), label, parent_relation)
