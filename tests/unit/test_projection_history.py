"""What the flows model learns from consecutive extracts (sendboard.projection.history), and how a
month's projection is published (sendboard.projection.publication), on warehouses made by hand."""

from __future__ import annotations

import os
from datetime import date

import duckdb
import numpy as np
import pytest

from sendboard.projection import history, publication
from sendboard.projection.categories import CATEGORIES

CATEGORY = {key: i for i, (key, _) in enumerate(CATEGORIES)}
ASD, SEMH = 10, 4  # their places in contract.PLAN_NEEDS


def warehouse(rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    """rows: (period, plan_id, birth_month, setting_type, primary_need) of plans in force at the month end."""
    con = duckdb.connect()
    con.execute("create schema intermediate")
    con.execute(
        "create table intermediate.int_plans_active_at_month_end (period varchar, month_end date, plan_id varchar,"
        " birth_month date, setting_type varchar, primary_need varchar, age_at_month_end bigint)"
    )
    for period, plan, born, setting, need in rows:
        end = {"2025-01": date(2025, 1, 31), "2025-02": date(2025, 2, 28)}[period]
        con.execute(
            "insert into intermediate.int_plans_active_at_month_end values (?, ?, ?, ?, ?, ?,"
            " date_sub('year', ?::date, ?::date))",
            [period, end, plan, born, setting, need, born, end],
        )
    return con


def test_ceasing_moves_and_new_plans_are_read_from_two_consecutive_extracts():
    # January: A (10, mainstream), C (10, mainstream), B (16, special). February: A has moved to a
    # special school, B has ceased, C is where it was, D (3, early years) is new.
    con = warehouse(
        [
            ("2025-01", "A", date(2014, 6, 1), "MAINSTREAM_SCHOOL", "ASD"),
            ("2025-01", "C", date(2014, 3, 1), "MAINSTREAM_SCHOOL", "SEMH"),
            ("2025-01", "B", date(2008, 5, 1), "STATE_SPECIAL", "ASD"),
            ("2025-02", "A", date(2014, 6, 1), "STATE_SPECIAL", "ASD"),
            ("2025-02", "C", date(2014, 3, 1), "MAINSTREAM_SCHOOL", "SEMH"),
            ("2025-02", "D", date(2021, 9, 1), "EARLY_YEARS", "ASD"),
        ]
    )
    learned = history.learn(con, "2025-02", trend=1.1)
    assert learned.pairs == 1 and learned.rates.trend == 1.1
    # B was 16 at January's end and is gone in February: all of the one 16-year-old ceased
    assert learned.rates.cease[16] == 1.0 and learned.rates.cease[10] == 0.0
    # of the two 5-10s in mainstream, one moved to a maintained special school
    five_to_10 = learned.rates.move[1]
    assert five_to_10[CATEGORY["mainstream"], CATEGORY["maintained_special"]] == 0.5
    assert five_to_10[CATEGORY["mainstream"], CATEGORY["mainstream"]] == 0.5
    # no 16-19 stayed anywhere: their rows are "stay" (nothing observed to move them)
    assert np.array_equal(learned.rates.move[3], np.eye(len(CATEGORIES)))
    # D, 3 at February's end, arrived in early years (the template's other placements): one a month
    assert learned.rates.arrivals[3, CATEGORY["other_or_direct_payments"], ASD] == 1.0
    assert learned.rates.arrivals.sum() == 1.0
    # the stock at February's end: A at 10 years 8 months, C at 10 years 11 months, D at 3 years 5 months
    stock = learned.stock
    assert stock.sum() == 3
    assert stock[10 * 12 + 8, CATEGORY["maintained_special"], ASD] == 1
    assert stock[10 * 12 + 11, CATEGORY["mainstream"], SEMH] == 1
    assert stock[3 * 12 + 5, CATEGORY["other_or_direct_payments"], ASD] == 1


def test_a_projection_at_an_origin_never_reads_a_later_extract():
    con = warehouse([("2025-01", "A", date(2014, 6, 1), "MAINSTREAM_SCHOOL", "ASD")])
    con.execute("insert into intermediate.int_plans_active_at_month_end values"
                " ('2025-02', '2025-02-28', 'Z', '2010-01-01', 'NEET', 'ASD', 15)")  # fmt: skip
    with pytest.raises(ValueError, match="no two consecutive extracts up to 2025-01"):
        history.learn(con, "2025-01", trend=1.0)


def test_a_projection_is_published_as_a_new_version_only_when_it_changed(tmp_path):
    files = {"board_projection.csv": b"a\n1\n", "projection_notes.json": b"{}\n"}
    assert publication.publish(tmp_path, "2025-03", files) == ("published", 1)
    assert publication.publish(tmp_path, "2025-03", files) == ("unchanged", 1)
    changed = {**files, "board_projection.csv": b"a\n2\n"}
    assert publication.publish(tmp_path, "2025-03", changed) == ("published", 2)
    root = publication.projection_root(tmp_path)
    assert os.readlink(root / "2025-03") == ".versions/2025-03/v2"
    assert (root / ".versions" / "2025-03" / "v1" / "board_projection.csv").read_bytes() == b"a\n1\n"
    assert (root / "2025-03" / "board_projection.csv").read_bytes() == b"a\n2\n"
    assert sorted(p.name for p in root.iterdir()) == [".versions", "2025-03"]  # nothing half-written left


def test_the_pipeline_expects_open_requests_plans_when_the_cohort_before_issued_them():
    """Ten requests received 12 to 24 months before March 2025: five became plans four months after
    the request, five were not assessed (half become plans). Open in March: two undecided requests
    received a month before, and one being assessed for five months (past every wait seen: none)."""
    from sendboard.projection.pipeline import pipeline

    con = duckdb.connect()
    con.execute("create schema staging")
    con.execute(
        "create table staging.stg_case_management__requests (period varchar, request_id varchar, received_date date,"
        " decision varchar, assessment_outcome varchar, plan_issued_date date)"
    )
    rows = [(f"C{i}", date(2023, 6, 10), "ASSESS", "PLAN", date(2023, 10, 20)) for i in range(5)]
    rows += [(f"N{i}", date(2023, 7, 1), "NOT_ASSESS", None, None) for i in range(5)]
    rows += [("O1", date(2025, 2, 3), None, None, None), ("O2", date(2025, 2, 20), None, None, None)]
    rows += [("O3", date(2024, 10, 1), "ASSESS", None, None)]
    for request, received, decision, outcome, issued in rows:
        con.execute("insert into staging.stg_case_management__requests values ('2025-03', ?, ?, ?, ?, ?)",
                    [request, received, decision, outcome, issued])  # fmt: skip
    found = pipeline(con, "2025-03", date(2025, 3, 31), 6)
    assert found is not None and found.open_requests == 3
    # each undecided request: half a plan, in month 4 after its request = projected month 3
    assert found.expected.tolist() == [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    # the plans of requests still to come: none within 3 months of the request, all by 4
    assert found.issued_within.tolist() == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]


def test_a_financial_year_s_cost_adds_past_months_counted_and_rounded_to_5_and_projected_months():
    """Origin January 2027: the financial year 2026-27 has ten months past (April to January) and two
    projected. Seven plans in mainstream each past month (published as 5), twelve each projected month,
    at £1,200 a year (£100 a month): 10 x 5 x 100 + 2 x 12 x 100 = £7,400; 2027-28 is twelve
    projected months, 12 x 12 x 100 = £14,400."""
    from sendboard.projection import monthly

    con = duckdb.connect()
    con.execute("create schema intermediate")
    con.execute(
        "create table intermediate.int_plans_active_at_month_end (period varchar, setting_type varchar,"
        " plan_id varchar)"
    )
    for month in ("2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11",
                  "2026-12", "2027-01"):  # fmt: skip
        for plan in range(7):
            con.execute("insert into intermediate.int_plans_active_at_month_end values (?, 'MAINSTREAM_SCHOOL', ?)",
                        [month, f"P{plan}"])  # fmt: skip
    by_category = np.zeros((3, 36, len(CATEGORIES)))
    by_category[:, :, CATEGORY["mainstream"]] = 12
    annual = np.zeros(len(CATEGORIES))
    annual[CATEGORY["mainstream"]] = 1200
    rows = monthly._cost_rows(con, "2027-01", by_category, annual, "2026-27", widening={})
    by_year = {(r["financial_year"], r["category"]): r for r in rows}
    assert by_year[("2026-27", "mainstream")]["median"] == 7400
    assert by_year[("2026-27", "total")]["median"] == 7400
    assert by_year[("2027-28", "mainstream")]["median"] == 14400
    assert by_year[("2027-28", "mainstream")]["lower_95"] == 14400  # every simulation the same
    assert by_year[("2028-29", "maintained_special")]["median"] == 0
    assert {r["financial_year"] for r in rows} == {"2026-27", "2027-28", "2028-29"}
