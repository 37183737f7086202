"""Every row rule of exports.md: one bad row among 49 good ones (2%, so the file is accepted) is left
out with its spreadsheet row number, rule and column. The bad row is the 50th data row: row 51."""

from __future__ import annotations

import pytest

from sendboard.errors import FileRejected
from tests.support.helpers import NHS_BAD_CHECK
from tests.support.rule_fixtures import check_rows, good_rows

R1_REQUEST = good_rows("requests", 1)
E1_PLAN = good_rows("plans", 1)
SCHOOL = good_rows("schools", 1)

CASES = [
    # (table, changes to the bad row, expected (rule, column), parent rows)
    ("requests", {"request_id": ""}, ("required_value_missing", "request_id"), None),
    ("requests", {"decision_date": ""}, ("required_value_missing", "decision_date"), None),
    ("requests", {"assessment_outcome": "PLAN"}, ("required_value_missing", "assessment_outcome_date"), None),
    ("requests", {"received_date": "31/02/2025"}, ("invalid_date", "received_date"), None),
    ("requests", {"received_date": "2025/01/06"}, ("invalid_date", "received_date"), None),
    ("requests", {"request_source": "FRIEND"}, ("invalid_code", "request_source"), None),
    ("requests", {"exception_20wk": "maybe"}, ("invalid_flag", "exception_20wk"), None),
    ("requests", {"upn": "A12345"}, ("invalid_upn", "upn"), None),
    ("requests", {"upn": "A1234567890!2"}, ("invalid_upn", "upn"), None),
    ("requests", {"nhs_number": NHS_BAD_CHECK}, ("invalid_nhs_number", "nhs_number"), None),
    ("requests", {"nhs_number": "943476591"}, ("invalid_nhs_number", "nhs_number"), None),
    (
        "requests",
        {"received_date": "2025-04-01", "decision": "", "decision_date": ""},
        ("date_after_period_end", "received_date"),
        None,
    ),
    ("requests", {"date_of_birth": "1989-12-31"}, ("date_before_1990", "date_of_birth"), None),
    ("requests", {"decision_date": "2025-01-05"}, ("dates_out_of_order", "decision_date"), None),
    (
        "requests",
        {"assessment_outcome": "NO_PLAN", "assessment_outcome_date": "2025-02-09"},
        ("dates_out_of_order", "assessment_outcome_date"),
        None,
    ),
    (
        "requests",
        {"assessment_outcome": "PLAN", "assessment_outcome_date": "2025-03-01", "plan_issued_date": "2025-01-05"},
        ("dates_out_of_order", "plan_issued_date"),
        None,
    ),
    ("advice", {"received_date": "2025-02-09"}, ("dates_out_of_order", "received_date"), {"requests": R1_REQUEST}),
    ("advice", {"request_id": "R999"}, ("unknown_parent", "request_id"), {"requests": R1_REQUEST}),
    ("advice", {"advice_type": "DENTAL"}, ("invalid_code", "advice_type"), {"requests": R1_REQUEST}),
    ("plans", {"ceased_date": "2025-01-31"}, ("required_value_missing", "cease_reason"), None),
    ("plans", {"ceased_date": "2020-05-31", "cease_reason": "MOVED_AWAY"}, ("dates_out_of_order", "ceased_date"), None),
    ("plans", {"nc_year": "15"}, ("invalid_code", "nc_year"), None),
    ("plans", {"setting_type": "SCHOOL"}, ("invalid_code", "setting_type"), None),
    ("annual_reviews", {"decision_date": "2025-02-02"}, ("dates_out_of_order", "decision_date"), {"plans": E1_PLAN}),
    ("annual_reviews", {"plan_id": "E404"}, ("unknown_parent", "plan_id"), {"plans": E1_PLAN}),
    ("plan_audits", {"plan_id": "E404"}, ("unknown_parent", "plan_id"), {"plans": E1_PLAN}),
    ("plan_audits", {"rating": "FAIR"}, ("invalid_code", "rating"), {"plans": E1_PLAN}),
    ("referrals", {"first_contact_date": "2025-01-09"}, ("dates_out_of_order", "first_contact_date"), None),
    ("referrals", {"removed_date": "2025-01-09"}, ("dates_out_of_order", "removed_date"), None),
    ("referrals", {"nhs_number": ""}, ("required_value_missing", "nhs_number"), None),
    (
        "pupils",
        {"sen_provision": "E", "primary_sen_type": ""},
        ("required_value_missing", "primary_sen_type"),
        {"schools": SCHOOL},
    ),
    (
        "pupils",
        {"sen_provision": "E", "primary_sen_type": "NSA"},
        ("nsa_without_sen_support", "primary_sen_type"),
        {"schools": SCHOOL},
    ),
    ("pupils", {"primary_sen_type": "DS"}, ("invalid_code", "primary_sen_type"), {"schools": SCHOOL}),
    ("pupils", {"sessions_missed": "121"}, ("sessions_missed_over_possible", "sessions_missed"), {"schools": SCHOOL}),
    ("pupils", {"suspensions": "-1"}, ("negative_count", "suspensions"), {"schools": SCHOOL}),
    ("pupils", {"sessions_possible": "12.5"}, ("invalid_number", "sessions_possible"), {"schools": SCHOOL}),
    ("pupils", {"school_urn": "999999"}, ("unknown_parent", "school_urn"), {"schools": SCHOOL}),
]


@pytest.mark.parametrize("table, changes, expected, parents", CASES, ids=[f"{c[0]}-{c[2][0]}-{c[2][1]}" for c in CASES])
def test_a_row_breaking_a_rule_is_left_out_with_its_row_number(tmp_path, table, changes, expected, parents):
    rows = good_rows(table, 50)
    rows[49].update(changes)
    checked = check_rows(tmp_path, table, rows, parents)
    assert checked.rows == 50
    assert checked.bad_rows == 1
    assert checked.violations == {expected: [51]}


def test_same_day_dates_are_in_order(tmp_path):
    # "strictly: the same day is fine": decision on the day received, advice received the day requested
    rows = good_rows("requests", 3)
    rows[0].update(decision_date=rows[0]["received_date"])
    rows[1].update(assessment_outcome="PLAN", assessment_outcome_date="2025-02-10", plan_issued_date="2025-01-06")
    assert check_rows(tmp_path, "requests", rows).violations == {}


def test_values_are_normalised_before_they_are_checked(tmp_path):
    rows = good_rows("referrals", 2)
    rows[0].update(nhs_number=" 943 476 5919 ", service=" salt ", priority="Routine", referral_date="10/01/2025")
    rows[1].update(date_of_birth="5/3/2015")  # UK date without leading zeros
    assert check_rows(tmp_path, "referrals", rows).violations == {}


def test_dates_on_the_period_end_and_on_1990_01_01_are_accepted(tmp_path):
    rows = good_rows("referrals", 1)
    rows[0].update(date_of_birth="1990-01-01", referral_date="2025-03-31")
    assert check_rows(tmp_path, "referrals", rows).violations == {}


def test_a_row_can_break_several_rules_and_counts_once(tmp_path):
    rows = good_rows("referrals", 50)
    rows[9].update(service="DENTAL", priority="SOON")
    checked = check_rows(tmp_path, "referrals", rows)
    assert checked.bad_rows == 1
    assert checked.violations == {("invalid_code", "service"): [11], ("invalid_code", "priority"): [11]}


def test_two_percent_of_rows_is_accepted_and_more_is_rejected(tmp_path):
    # 1 bad row of 50 = 2.0%: accepted. 2 bad rows of 99 = 2.02%: strictly more than 2%, rejected.
    rows = good_rows("referrals", 50)
    rows[0].update(service="DENTAL")
    assert check_rows(tmp_path, "referrals", rows).bad_rows == 1

    rows = good_rows("referrals", 99)
    rows[0].update(service="DENTAL")
    rows[98].update(priority="SOON")
    with pytest.raises(FileRejected) as rejected:
        check_rows(tmp_path, "referrals", rows)
    problems = {(p.rule, p.column): p.rows for p in rejected.value.problems}
    assert problems[("too_many_row_errors", None)] == []
    assert problems[("invalid_code", "service")] == [2]
    assert problems[("invalid_code", "priority")] == [100]
    assert "2 of 99 data rows (2.0%)" in str(rejected.value)


def test_duplicate_primary_key_rejects_the_file_naming_every_row(tmp_path):
    rows = good_rows("referrals", 5)
    rows[3]["referral_id"] = rows[0]["referral_id"]
    with pytest.raises(FileRejected) as rejected:
        check_rows(tmp_path, "referrals", rows)
    [problem] = rejected.value.problems
    assert (problem.rule, problem.column, problem.rows) == ("duplicate_primary_key", "referral_id", [2, 5])
    assert "F1" not in str(rejected.value)  # rows are named, values are not


def test_duplicate_upn_in_pupils_is_a_duplicate_key_after_normalisation(tmp_path):
    rows = good_rows("pupils", 3)
    rows[2]["upn"] = " " + rows[0]["upn"].lower()
    with pytest.raises(FileRejected) as rejected:
        check_rows(tmp_path, "pupils", rows, {"schools": SCHOOL})
    assert rejected.value.problems[0].rows == [2, 4]
    assert rows[0]["upn"] not in str(rejected.value)
