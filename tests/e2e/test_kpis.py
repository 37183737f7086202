"""Every KPI of kpis.md on a small hand-made inbox, each answer worked out by hand below.

Month M = 2025-03: S = 2025-03-01, E = 2025-03-31 (February 2025 has 28 days).
Census in force for M: 2025-01 (census day 2025-01-31); a 2025-05 census is also landed and must
be ignored (it is after M). Month 2024-12 has its own small extracts and no census at or before it.

The files go through the real landing (CSV, rules, pseudonyms), then the real `dbt build`.
"""

from __future__ import annotations

import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path
from unittest import mock

import duckdb
import pytest

from sendboard.ingest.inbox import Inbox
from sendboard.ingest.landing import land_period, write_schema_files
from sendboard.warehouse import connection as warehouse
from tests.support.helpers import csv_bytes, write
from tests.support.rule_fixtures import GOOD

pytestmark = pytest.mark.e2e


def upn(n: int) -> str:
    return f"A{n:011d}A"


def rows(table: str, *changes: dict) -> list[dict]:
    template = {k: v.format(i=0) if "{" in v else v for k, v in GOOD[table].items()}
    return [{**template, **c} for c in changes]


def request(rid, received, decision="", decision_date="", outcome="", outcome_date="", issued="", exception="N"):
    return {
        "request_id": rid,
        "person_id": f"P{rid}",
        "upn": "",
        "nhs_number": "",
        "received_date": received,
        "decision": decision,
        "decision_date": decision_date,
        "assessment_outcome": outcome,
        "assessment_outcome_date": outcome_date,
        "plan_issued_date": issued,
        "exception_20wk": exception,
    }


# --- requests (T1_DECISIONS_6WK, T2_EHCP_20WK_*) -----------------------------------------------
# T1_DECISIONS_6WK, decisions ASSESS/NOT_ASSESS notified in March:
#   R1 received 02-01, ASSESS 03-15: 28 + 14 = 42 days  -> within
#   R2 received 02-01, NOT_ASSESS 03-16: 43 days        -> not within
#   R3 WITHDRAWN in March                                -> in neither
#   R4 decided in February                               -> not in M
#   R5 received 03-01, ASSESS 03-31 (E): 30 days         -> within
#   R6 not decided                                       -> not counted
#   numerator 2, denominator 3, value 200/3 = 66.67 -> 66.7
# T2_EHCP plans issued (outcome PLAN):
#   R7  received 2024-10-22, issued 2025-03-11: 9+30+31+31+28+11 = 140 -> within
#   R8  received 2024-10-22, issued 2025-03-12: 141                    -> not within
#   R9  received 2024-10-22, issued 2025-03-10: 139, exception applies
#   R10 received 2024-10-01, issued 2025-02-28: 30+30+31+31+28 = 150 (February: R12 window only)
#   R11 received 2024-01-15, issued 2024-04-01: 16+29+31+1 = 77 (first day of the 12-month window)
#   R12 received 2024-01-15, issued 2024-03-31: the day before the window
#   INCL (March): R7 yes, R8 no, R9 yes -> 2 / 3 = 66.7
#   EXCL (March, no exception): R7 yes, R8 no -> 1 / 2 = 50.0
#   EXCL_R12 (2024-04-01..2025-03-31, no exception): R7 yes, R8 no, R10 no, R11 yes -> 2 / 4 = 50.0
REQUESTS = [
    request("R1", "2025-02-01", "ASSESS", "2025-03-15"),
    request("R2", "2025-02-01", "NOT_ASSESS", "2025-03-16"),
    request("R3", "2025-02-01", "WITHDRAWN", "2025-03-10"),
    request("R4", "2025-01-10", "ASSESS", "2025-02-20"),
    request("R5", "2025-03-01", "ASSESS", "2025-03-31"),
    request("R6", "2025-03-20"),
    request("R7", "2024-10-22", "ASSESS", "2024-11-20", "PLAN", "2025-03-11", "2025-03-11"),
    request("R8", "2024-10-22", "ASSESS", "2024-11-20", "PLAN", "2025-03-12", "2025-03-12"),
    request("R9", "2024-10-22", "ASSESS", "2024-11-20", "PLAN", "2025-03-10", "2025-03-10", exception="Y"),
    request("R10", "2024-10-01", "ASSESS", "2024-11-01", "PLAN", "2025-02-28", "2025-02-28"),
    request("R11", "2024-01-15", "ASSESS", "2024-02-01", "PLAN", "2024-04-01", "2024-04-01"),
    request("R12", "2024-01-15", "ASSESS", "2024-02-01", "PLAN", "2024-03-31", "2024-03-31"),
]

# --- advice (T2_ADVICE_6WK, T2_HEALTH_ADVICE_6WK), received in March --------------------------
#   A1 HEALTH requested 02-01 received 03-15: 42 -> within
#   A2 HEALTH requested 02-01 received 03-16: 43 -> not
#   A3 EDUCATION requested 02-15 received 03-01: 14 -> within
#   A4 received in February; A5 still awaited -> not counted
#   all: 2 / 3 = 66.7; health: 1 / 2 = 50.0
ADVICE = [
    {
        "advice_id": "A1",
        "request_id": "R1",
        "advice_type": "HEALTH",
        "requested_date": "2025-02-01",
        "received_date": "2025-03-15",
    },
    {
        "advice_id": "A2",
        "request_id": "R1",
        "advice_type": "HEALTH",
        "requested_date": "2025-02-01",
        "received_date": "2025-03-16",
    },
    {
        "advice_id": "A3",
        "request_id": "R1",
        "advice_type": "EDUCATION",
        "requested_date": "2025-02-15",
        "received_date": "2025-03-01",
    },
    {
        "advice_id": "A4",
        "request_id": "R1",
        "advice_type": "SOCIAL_CARE",
        "requested_date": "2025-01-01",
        "received_date": "2025-02-28",
    },
    {
        "advice_id": "A5",
        "request_id": "R1",
        "advice_type": "HEALTH",
        "requested_date": "2025-03-10",
        "received_date": "",
    },
]


def plan(pid, start, setting, born, upn_value="", ceased="", reason=""):
    return {
        "plan_id": pid,
        "person_id": f"P{pid}",
        "upn": upn_value,
        "nhs_number": "",
        "date_of_birth": born,
        "start_date": start,
        "ceased_date": ceased,
        "cease_reason": reason,
        "primary_need": "ASD",
        "setting_type": setting,
        "setting_urn": "",
        "nc_year": "",
    }


# --- plans (T2_AR_OVERDUE, T3_*, T4_POST16_NEET, X_CENSUS_EHCP_MATCHED) -------------------------
# Active at E (start <= E, not ceased on or before E): E1 E2 E3 E4 E5 E8 E9 E10 E11 E12 = 10.
# E6 ceased on E itself, so it is not active at E (it was active on census day 2025-01-31).
# School settings: E1 mainstream, E2 resourced, E3 state special, E4 independent special, E5 AP = 5
#   T3_EHCP_MAINSTREAM 2 / 5 = 40.0; T3_INDEPENDENT_SPECIAL 1 / 5 = 20.0
#   T3_AWAITING_PLACEMENT: E8 -> numerator 1, denominator 10, value 1
# Ages at E from the month of birth: E9 2009-03 -> 16, E3 2009-04 -> 15, E10 1999-04 -> 25,
#   E11 1999-03 -> 26, E4 2008-06 -> 16. Aged 16..25: E4, E9, E10 = 3; NEET: E9, E10
#   T4_POST16_NEET 2 / 3 = 66.7
# T2_AR_OVERDUE, L = latest review meeting on or before E, else start:
#   E1 L = 2025-03-10 (V4) -> 21; E2 L = 2024-03-30 (V7) -> 366 OVERDUE; E3 L = start 2024-03-31 -> 365;
#   E4 L = 2024-03-31 (V8) -> 365; E5 L = 2025-02-20 (V2); E8 L = 2025-03-31 (V11) -> 0;
#   E9 L = start 2024-03-30 -> 366 OVERDUE; E10, E11 L = 2025-01-15; E12 L = start 2025-02-15
#   numerator 2, denominator 10, value 2
PLANS = [
    plan("E1", "2020-06-01", "MAINSTREAM_SCHOOL", "2012-05-06", upn(1)),
    plan("E2", "2022-01-01", "RESOURCED_PROVISION", "2010-02-02", upn(2)),
    plan("E3", "2024-03-31", "STATE_SPECIAL", "2009-04-15"),
    plan("E4", "2023-01-01", "INDEPENDENT_SPECIAL", "2008-06-30"),
    plan("E5", "2020-01-01", "ALTERNATIVE_PROVISION", "2010-09-09"),
    plan("E6", "2020-01-01", "MAINSTREAM_SCHOOL", "2012-01-01", upn(4), "2025-03-31", "MOVED_AWAY"),
    plan("E8", "2025-03-31", "AWAITING_PLACEMENT", "2015-07-07"),
    plan("E9", "2024-03-30", "NEET", "2009-03-20"),
    plan("E10", "2018-01-01", "NEET", "1999-04-10"),
    plan("E11", "2018-01-01", "NEET", "1999-03-10"),
    plan("E12", "2025-02-15", "EARLY_YEARS", "2021-08-08", upn(5)),
]


def review(rid, pid, meeting, nc="", decision="", decision_date="", views="N", pfa="N"):
    return {
        "review_id": rid,
        "plan_id": pid,
        "meeting_date": meeting,
        "nc_year": nc,
        "decision": decision,
        "decision_date": decision_date,
        "child_views_recorded": views,
        "pfa_outcomes_recorded": pfa,
    }


# --- annual reviews (T2_AR_DECISION_4WK, T4_PFA_IN_REVIEWS, X_CHILD_VOICE) ----------------------
# T2_AR_DECISION_4WK (decision notified in March, whatever month the meeting):
#   V1 meeting 02-20, decision 03-20: 28 -> within; V2 02-20 -> 03-21: 29 -> not; V3 03-05 -> 03-05: 0 -> within
#   2 / 3 = 66.7
# Meetings in March: V3 (nc 10, views Y, pfa N), V4 (nc 14, views N, pfa Y), V11 (nc X, views N, pfa Y),
#   V12 (nc empty, views Y, pfa N)
#   X_CHILD_VOICE 2 / 4 = 50.0; T4_PFA_IN_REVIEWS (nc 9..14: V3, V4) 1 / 2 = 50.0
REVIEWS = [
    review("V1", "E1", "2025-02-20", "9", "MAINTAIN", "2025-03-20", "Y", "Y"),
    review("V2", "E5", "2025-02-20", "8", "AMEND", "2025-03-21"),
    review("V3", "E1", "2025-03-05", "10", "MAINTAIN", "2025-03-05", "Y", "N"),
    review("V4", "E1", "2025-03-10", "14", views="N", pfa="Y"),
    review("V5", "E5", "2025-01-10", "8", "MAINTAIN", "2025-02-05"),
    review("V6", "E2", "2023-03-01", "7", "MAINTAIN", "2023-03-10"),
    review("V7", "E2", "2024-03-30", "8", "MAINTAIN", "2024-04-10"),
    review("V8", "E4", "2024-03-31", "10", "MAINTAIN", "2024-04-10"),
    review("V9", "E10", "2025-01-15", "", "MAINTAIN", "2025-01-20"),
    review("V10", "E11", "2025-01-15", "", "MAINTAIN", "2025-01-20"),
    review("V11", "E8", "2025-03-31", "X", views="N", pfa="Y"),
    review("V12", "E1", "2025-03-01", "", views="Y", pfa="N"),
]

# --- plan audits (T2_AUDIT_GOOD): in March GOOD, OUTSTANDING, REQUIRES_IMPROVEMENT, INADEQUATE (on E);
#   one GOOD in February. 2 / 4 = 50.0
AUDITS = [
    {"audit_id": f"Q{i}", "plan_id": "E1", "audit_date": d, "rating": r, "multi_agency": ""}
    for i, (d, r) in enumerate(
        [
            ("2025-03-03", "GOOD"),
            ("2025-03-04", "OUTSTANDING"),
            ("2025-03-05", "REQUIRES_IMPROVEMENT"),
            ("2025-03-31", "INADEQUATE"),
            ("2025-02-28", "GOOD"),
        ],
        1,
    )
]


def referral(rid, service, referred, contact="", removed=""):
    return {
        "referral_id": rid,
        "nhs_number": "9434765919",
        "date_of_birth": "2015-05-12",
        "provider_code": "RTH",
        "service": service,
        "priority": "ROUTINE",
        "referral_date": referred,
        "first_contact_date": contact,
        "removed_date": removed,
    }


# --- referrals (T1_HEALTH_WAIT_18WK, T1_SALT_MEDIAN_WAIT, T1_ND_WAIT_52WK), waiting at E ---------
#   F1 SALT 2024-11-25: 5+31+31+28+31 = 126 days; F2 SALT 2024-11-24: 127; F3 SALT 2025-03-31: 0;
#   F9 SALT 2025-02-01: 58; F4 contacted on E and F5 removed in March: not waiting;
#   F6 ND 2024-03-31: 365; F7 ND 2024-04-01: 364; F8 CAMHS 2025-03-01: 30
#   waiting: F1 F2 F3 F6 F7 F8 F9 = 7; over 126 days: F2, F6, F7 = 3 -> 300/7 = 42.86 -> 42.9
#   SALT waits 0, 58, 126, 127: median (58 + 126) / 2 = 92 days = 13.14 weeks -> 13.1, denominator 4
#   ND waiting F6, F7 = 2; over 364 days: F6 -> numerator 1, value 1
REFERRALS = [
    referral("F1", "SALT", "2024-11-25"),
    referral("F2", "SALT", "2024-11-24"),
    referral("F3", "SALT", "2025-03-31"),
    referral("F4", "SALT", "2025-01-01", contact="2025-03-31"),
    referral("F5", "SALT", "2025-01-01", removed="2025-03-15"),
    referral("F6", "NEURODEVELOPMENTAL", "2024-03-31"),
    referral("F7", "NEURODEVELOPMENTAL", "2024-04-01"),
    referral("F8", "CAMHS", "2025-03-01"),
    referral("F9", "SALT", "2025-02-01"),
]


def pupil(n, provision, need="", possible=100, missed=0, suspensions=0):
    return {
        "upn": upn(n),
        "school_urn": "100001",
        "date_of_birth": "2014-02-11",
        "nc_year": "5",
        "sen_provision": provision,
        "primary_sen_type": need,
        "fsm_eligible": "N",
        "sessions_possible": str(possible),
        "sessions_missed": str(missed),
        "suspensions": str(suspensions),
        "permanently_excluded": "",
    }


# --- census 2025-01 (T1_SEN_SUPPORT_RATE, T3_SUSPENSION_*, T3_PERSISTENT_ABSENCE_EHCP, X_CENSUS_EHCP_MATCHED)
#   11 pupils: E = P1 P2 P3 P4 P11; K = P5 P6; N = P7 P8 P9 P10
#   T1_SEN_SUPPORT_RATE 2 / 11 = 18.18 -> 18.2
#   T3_SUSPENSION_RATE_SEN: E or K = 7 pupils, suspensions 2+0+1+0+0+3+0 = 6 -> 600/7 = 85.71 -> 85.7
#   T3_SUSPENSION_RATE_NO_SEN: 4 pupils, 1 suspension -> 25.0
#   T3_PERSISTENT_ABSENCE_EHCP: E with sessions: P1 (10/100 = 10%: yes), P2 (9%), P4 (5/50: yes) -> 2 / 3 = 66.7
#   X_CENSUS_EHCP_MATCHED: P1 = E1, P2 = E2, P4 = E6 (active on census day, ceased on E) match;
#   P3 has no plan; P11 = E12, which started after census day -> 3 / 5 = 60.0
PUPILS = [
    pupil(1, "E", "ASD", 100, 10, 2),
    pupil(2, "E", "ASD", 100, 9),
    pupil(3, "E", "SEMH", 0, 0, 1),
    pupil(4, "E", "ASD", 50, 5),
    pupil(11, "E", "ASD", 0),
    pupil(5, "K", "SLCN", suspensions=3),
    pupil(6, "K", "NSA"),
    pupil(7, "N", suspensions=1),
    pupil(8, "N"),
    pupil(9, "N"),
    pupil(10, "N"),
]

# Month 2024-12 has its own one-row extracts; no census is at or before it, so census KPIs have no value.
# T1_DECISIONS_6WK for 2024-12: D1 received 2024-11-01, decided 2024-12-13: 30 + 12 = 42 -> 1 / 1 = 100.0
DECEMBER = {
    "requests": [request("D1", "2024-11-01", "ASSESS", "2024-12-13")],
    "advice": [
        {
            "advice_id": "DA1",
            "request_id": "D1",
            "advice_type": "HEALTH",
            "requested_date": "2024-12-13",
            "received_date": "",
        }
    ],
    "plans": [plan("DE1", "2020-01-01", "MAINSTREAM_SCHOOL", "2012-05-06")],
    "annual_reviews": [review("DV1", "DE1", "2024-06-01", "9", "MAINTAIN", "2024-06-10")],
    "plan_audits": [
        {"audit_id": "DQ1", "plan_id": "DE1", "audit_date": "2024-12-02", "rating": "GOOD", "multi_agency": ""}
    ],
    "referrals": [referral("DF1", "SALT", "2024-12-01")],
}

EXPECTED_MARCH = {
    # kpi_id: (numerator, denominator, value)
    "T1_DECISIONS_6WK": (2, 3, "66.7"),
    "T1_HEALTH_WAIT_18WK": (3, 7, "42.9"),
    "T1_SALT_MEDIAN_WAIT": (None, 4, "13.1"),
    "T1_ND_WAIT_52WK": (1, 2, "1.0"),
    "T1_SEN_SUPPORT_RATE": (2, 11, "18.2"),
    "T2_EHCP_20WK_INCL": (2, 3, "66.7"),
    "T2_EHCP_20WK_EXCL": (1, 2, "50.0"),
    "T2_EHCP_20WK_EXCL_R12": (2, 4, "50.0"),
    "T2_ADVICE_6WK": (2, 3, "66.7"),
    "T2_HEALTH_ADVICE_6WK": (1, 2, "50.0"),
    "T2_AUDIT_GOOD": (2, 4, "50.0"),
    "T2_AR_DECISION_4WK": (2, 3, "66.7"),
    "T2_AR_OVERDUE": (2, 10, "2.0"),
    "T3_EHCP_MAINSTREAM": (2, 5, "40.0"),
    "T3_INDEPENDENT_SPECIAL": (1, 5, "20.0"),
    "T3_AWAITING_PLACEMENT": (1, 10, "1.0"),
    "T3_SUSPENSION_RATE_SEN": (6, 7, "85.7"),
    "T3_SUSPENSION_RATE_NO_SEN": (1, 4, "25.0"),
    "T3_PERSISTENT_ABSENCE_EHCP": (2, 3, "66.7"),
    "T4_PFA_IN_REVIEWS": (1, 2, "50.0"),
    "T4_POST16_NEET": (2, 3, "66.7"),
    "X_CHILD_VOICE": (2, 4, "50.0"),
    "X_CENSUS_EHCP_MATCHED": (3, 5, "60.0"),
}
CENSUS_KPIS = {
    "T1_SEN_SUPPORT_RATE",
    "T3_SUSPENSION_RATE_SEN",
    "T3_SUSPENSION_RATE_NO_SEN",
    "T3_PERSISTENT_ABSENCE_EHCP",
    "X_CENSUS_EHCP_MATCHED",
}


def write_table(inbox: Path, source: str, period: str, table: str, table_rows: list[dict]) -> None:
    write(inbox / source / period / f"{table}.csv", csv_bytes(list(GOOD[table]), rows(table, *table_rows)))


def run_dbt(home: Path, *args: str) -> subprocess.CompletedProcess:
    from sendboard.warehouse import dbt_manifest

    # a publish DAG run earlier in this process (dag.test() in test_bad_inputs) leaves its dbt tasks'
    # environment in os.environ (Cosmos writes it there for OpenLineage), with the month's
    # DBT_EXCLUDE_RESOURCE_TYPES=unit_test: this build is the one that runs every unit test
    with mock.patch.dict(os.environ):
        os.environ.pop("DBT_EXCLUDE_RESOURCE_TYPES", None)
        return dbt_manifest.run_dbt(*args, home=home, target_path=home / "dbt_target", log_path=home / "dbt_logs")


@pytest.fixture(scope="module")
def warehouse_home(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kpis")
    inbox, home = root / "inbox", root / "home"
    cm = "case_management"
    for table, table_rows in (
        ("requests", REQUESTS),
        ("advice", ADVICE),
        ("plans", PLANS),
        ("annual_reviews", REVIEWS),
        ("plan_audits", AUDITS),
    ):
        write_table(inbox, cm, "2025-03", table, table_rows)
    write_table(inbox, "health_waiting_lists", "2025-03", "referrals", REFERRALS)
    write_table(inbox, "school_census", "2025-01", "schools", [{"urn": "100001"}])
    write_table(inbox, "school_census", "2025-01", "pupils", PUPILS)
    # a later census (after M): must not be used for March
    write_table(inbox, "school_census", "2025-05", "schools", [{"urn": "100001"}])
    write_table(inbox, "school_census", "2025-05", "pupils", [pupil(1, "N"), pupil(2, "N")])
    for table, table_rows in DECEMBER.items():
        write_table(inbox, "health_waiting_lists" if table == "referrals" else cm, "2024-12", table, table_rows)
    key = b"kpi-test-key-0123456789abcdef0123456789"
    for source, period in (
        (cm, "2025-03"),
        ("health_waiting_lists", "2025-03"),
        ("school_census", "2025-01"),
        ("school_census", "2025-05"),
        (cm, "2024-12"),
        ("health_waiting_lists", "2024-12"),
    ):
        result = land_period(Inbox(str(inbox)), source, period, home, key)
        assert all(t["rows_left_out"] == 0 for t in result.manifest["tables"].values()), result.manifest
    write_schema_files(home)
    con = warehouse.connect(home)
    warehouse.ensure_publication_tables(con)
    con.close()
    built = run_dbt(home, "build")
    assert built.returncode == 0, built.stdout[-3000:]
    return home


def kpi_rows(home: Path, table: str, period: str) -> dict[str, dict]:
    con = duckdb.connect(str(warehouse.path(home)), read_only=True)
    try:
        cursor = con.execute(f"select * from {table} where period = ?", [period])
        names = [d[0] for d in cursor.description]
        return {r["kpi_id"]: r for r in (dict(zip(names, row)) for row in cursor.fetchall())}
    finally:
        con.close()


def test_the_build_ran_every_dbt_unit_test_and_each_passed(warehouse_home):
    # the monthly publish run leaves dbt's unit tests out (DBT_EXCLUDE_RESOURCE_TYPES): this build is
    # where they run, each one the manifest holds (the worklists' edges, the board rows' boundaries)
    target = warehouse_home / "dbt_target"
    defined = set(json.loads((target / "manifest.json").read_text())["unit_tests"])
    results = json.loads((target / "run_results.json").read_text())["results"]
    ran = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert len(defined) >= 7 and set(ran) == defined
    assert set(ran.values()) == {"pass"}


def test_the_bench_floor_computes_the_same_hand_worked_answers(warehouse_home, tmp_path):
    # bench/floor.py (make bench's bare-DuckDB floor) runs dbt's own compiled KPI SQL on the raw
    # files: when the models change shape (a table becomes ephemeral, a step is added) it must follow
    import importlib.util

    spec = importlib.util.spec_from_file_location("floor", Path(__file__).parents[2] / "bench" / "floor.py")
    floor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(floor)
    kpis = floor.run(warehouse_home.parent / "inbox", "2025-03", tmp_path)["kpis"]
    assert {
        k: (f["numerator"], f["denominator"], None if f["value"] is None else Decimal(str(f["value"])))
        for k, f in kpis.items()
    } == {k: (n, d, Decimal(v)) for k, (n, d, v) in EXPECTED_MARCH.items()}


@pytest.mark.parametrize("kpi_id", list(EXPECTED_MARCH))
def test_march_kpi_matches_the_hand_worked_answer(warehouse_home, kpi_id):
    row = kpi_rows(warehouse_home, "restricted.fct_kpi_values", "2025-03")[kpi_id]
    numerator, denominator, value = EXPECTED_MARCH[kpi_id]
    assert (row["numerator"], row["denominator"], row["value"]) == (numerator, denominator, Decimal(value))


def test_every_kpi_is_there_in_the_order_of_kpis_md(warehouse_home):
    board = kpi_rows(warehouse_home, "board.board_snapshot_candidates", "2025-03")
    assert sorted(board, key=lambda k: board[k]["sort_order"]) == list(EXPECTED_MARCH)


def test_a_month_with_no_census_has_no_census_values(warehouse_home):
    december = kpi_rows(warehouse_home, "restricted.fct_kpi_values", "2024-12")
    for kpi_id in CENSUS_KPIS:
        assert (december[kpi_id]["numerator"], december[kpi_id]["denominator"], december[kpi_id]["value"]) == (
            None,
            None,
            None,
        ), kpi_id
    # and its own extract only: 1 decision in December, within 42 days
    assert (december["T1_DECISIONS_6WK"]["numerator"], december["T1_DECISIONS_6WK"]["denominator"]) == (1, 1)
    board = kpi_rows(warehouse_home, "board.board_snapshot_candidates", "2024-12")
    assert board["T3_SUSPENSION_RATE_SEN"]["rag"] == "NO_DATA"
    assert board["T1_SEN_SUPPORT_RATE"]["rag"] is None  # a context KPI has no RAG, not even NO_DATA


def test_small_numbers_are_suppressed_in_the_board_rows_only(warehouse_home):
    # every March denominator here is 1..9 (percent, rate, median) and every count value is 1..4 (a
    # count is judged on its value: T2_AR_OVERDUE is 2 of 10), except T1_SEN_SUPPORT_RATE: 2 of 11 pupils
    board = kpi_rows(warehouse_home, "board.board_snapshot_candidates", "2025-03")
    for kpi_id, row in board.items():
        if kpi_id == "T1_SEN_SUPPORT_RATE":
            assert (row["value"], row["numerator"], row["denominator"], row["rag"], row["suppressed"]) == (
                Decimal("18.2"),
                2,
                11,
                None,
                False,
            )
            continue
        assert row["suppressed"] is True, kpi_id
        assert (row["value"], row["numerator"], row["denominator"], row["rag"]) == (None, None, None, "SUPPRESSED")
    # the restricted table keeps the unsuppressed figures
    assert kpi_rows(warehouse_home, "restricted.fct_kpi_values", "2025-03")["T2_AR_OVERDUE"]["value"] == Decimal("2.0")
    # December: T1_DECISIONS_6WK has denominator 1 -> suppressed; a count of 0 is not suppressed
    december = kpi_rows(warehouse_home, "board.board_snapshot_candidates", "2024-12")
    assert december["T1_DECISIONS_6WK"]["suppressed"] is True
    # DE1 started 2020-01-01, last review 2024-06-01: 213 days before 2024-12-31 -> 0 overdue of 1
    assert (
        december["T2_AR_OVERDUE"]["value"],
        december["T2_AR_OVERDUE"]["suppressed"],
        december["T2_AR_OVERDUE"]["rag"],
    ) == (Decimal("0.0"), False, "GREEN")


@pytest.mark.parametrize(
    "numerator, denominator, expected",
    [
        # half away from zero on the exact ratio: 100 * 181 / 400 = 45.25 -> 45.3; 1/16 = 6.25 -> 6.3
        (18100, 400, "45.3"),
        (100, 16, "6.3"),
        (100, 8, "12.5"),
        (200, 3, "66.7"),
        (100, 3, "33.3"),
        (100, 6, "16.7"),
        (0, 5, "0.0"),
        (700, 7, "100.0"),
    ],
)
def test_rounding_is_half_away_from_zero_on_the_exact_ratio(warehouse_home, numerator, denominator, expected):
    shown = run_dbt(
        warehouse_home,
        "show",
        "--inline",
        f"select {{{{ round_ratio_1dp('{numerator}', '{denominator}') }}}} as v",
        "--output",
        "json",
    )
    assert shown.returncode == 0, shown.stdout[-2000:]
    assert f'"v": {expected}' in shown.stdout


def test_the_dbt_docs_catalog_describes_the_analytics_views_with_their_types(warehouse_home):
    import json

    from sendboard.warehouse import dbt_docs

    site, full_catalog = dbt_docs.generate(warehouse_home)  # nothing holds the warehouse here
    assert full_catalog is True
    catalog = json.loads((site / "catalog.json").read_text())["nodes"]
    waiting = catalog["model.sendboard.referrals_waiting_by_month"]
    assert waiting["metadata"]["schema"] == "analytics" and waiting["metadata"]["type"] == "VIEW"
    assert waiting["columns"]["days_waiting"]["type"] == "BIGINT"
    manifest = json.loads((site / "manifest.json").read_text())["nodes"]
    assert manifest["model.sendboard.plans_active_by_month"]["description"].startswith("Grain: one row per month")
    # the March referrals fixture: the analysts' view holds exactly the waiting population of
    # T1_HEALTH_WAIT_18WK (its denominator, worked out above)
    con = duckdb.connect(str(warehouse.path(warehouse_home)), read_only=True)
    try:
        waiting_rows = con.execute(
            "select count(*) from analytics.referrals_waiting_by_month where period = '2025-03'"
        ).fetchone()[0]
    finally:
        con.close()
    assert waiting_rows == EXPECTED_MARCH["T1_HEALTH_WAIT_18WK"][1]
