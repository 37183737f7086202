"""What the flows model learns from consecutive extracts (sendboard.projection.history), and how a
month's projection is published (sendboard.projection.publication), on warehouses made by hand."""

from __future__ import annotations

import os
from datetime import date

import duckdb
import numpy as np
import pytest

from sendboard import periods
from sendboard.projection import history, monthly, publication
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
        end = {"2025-01": date(2025, 1, 31), "2025-02": date(2025, 2, 28), "2025-03": date(2025, 3, 31),
               "2025-05": date(2025, 5, 31)}[period]  # fmt: skip
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


def test_new_plans_are_counted_for_each_extract_whose_month_before_is_held():
    # January: A. February: A, B (new). March: B, C, D (two new; A ceased). May: E (April is not held,
    # so May's new plans cannot be told from April's and are not counted)
    plan = ("MAINSTREAM_SCHOOL", "ASD")
    con = warehouse(
        [
            ("2025-01", "A", date(2014, 6, 1), *plan),
            ("2025-02", "A", date(2014, 6, 1), *plan),
            ("2025-02", "B", date(2014, 6, 1), *plan),
            ("2025-03", "B", date(2014, 6, 1), *plan),
            ("2025-03", "C", date(2014, 6, 1), *plan),
            ("2025-03", "D", date(2014, 6, 1), *plan),
            ("2025-05", "E", date(2014, 6, 1), *plan),
        ]
    )
    assert history.new_plans_by_month(con) == {"2025-02": 1, "2025-03": 2}


def test_the_la_s_own_trend_is_the_growth_of_its_new_plans_from_a_year_of_months_up_to_the_origin():
    months = periods.span("2024-01", "2025-01")
    # new plans doubling every month for a year: 2 ** 12 = 4,096 times a year, exactly
    doubling = {m: 2**k for k, m in enumerate(months)}
    growth, error, used = monthly.own_trend(doubling, "2024-12")
    assert used == 12 and growth == pytest.approx(4096, rel=1e-9)
    # a later month is never read: a million new plans in January 2025 change nothing at December 2024
    assert monthly.own_trend({**doubling, "2025-01": 10**6}, "2024-12") == (growth, error, used)
    # eleven months are a season, not a trend
    assert monthly.own_trend(doubling, "2024-11") is None
    # a flat year, 40 a month, grows by nothing. The Poisson standard error of the slope per year:
    # 1 / sqrt(40 x sum((k - 5.5) ** 2 for k in 0..11) / 144) = 1 / sqrt(40 x 143 / 144) = 0.158666
    assert monthly.own_trend(dict.fromkeys(months[:12], 40), "2025-01") == (
        pytest.approx(1.0),
        pytest.approx(0.158666, abs=1e-6),
        12,
    )


def test_the_trend_pools_england_s_with_a_third_of_the_la_s_own_and_carries_both_uncertainties():
    con = duckdb.connect()
    con.execute("create schema staging")
    con.execute(
        "create table staging.stg_dfe_statistics__caseload as select * from (values"
        " ('202021', 'National', 'All EHC plans', '1000'), ('202122', 'National', 'All EHC plans', '1100'),"
        " ('202223', 'National', 'All EHC plans', '1200'), ('202324', 'National', 'All EHC plans', '1331'),"
        " ('202324', 'Local authority', 'All EHC plans', '50'))"
        " as t(time_period, geographic_level, breakdown_topic, ehcplans)"
    )
    flat = dict.fromkeys(periods.span("2023-07", "2024-06"), 40)  # the LA's new plans: no growth
    # England, January 2021 to 2024: (1331 / 1000) ** (1 / 3) = 1.1 a year; its yearly log growths
    # 0.0953102, 0.0870114 and 0.1036057 have a standard deviation of 0.0082972. The LA's own is 1.0
    # with a standard error of 0.158666 (above). Pooled: exp(log 1.1 + 0.33 (log 1.0 - log 1.1)) =
    # 1.1 ** 0.67 = 1.065941; its uncertainty sqrt((0.67 x 0.0082972) ** 2 + (0.33 x 0.158666) ** 2)
    # = sqrt(0.0055591 ** 2 + 0.0523598 ** 2) = 0.0526541.
    trend = monthly.trend_of_new_plans(con, "2024-06", flat)
    assert trend.growth == pytest.approx(1.065941, abs=1e-6)
    assert trend.log_sd == pytest.approx(0.0526541, abs=1e-6)
    assert trend.source.startswith("pooled")
    # in May 2024 January 2024's figures are not yet published: England has three years, not four
    before = monthly.trend_of_new_plans(con, "2024-05", dict.fromkeys(periods.span("2023-06", "2024-05"), 40))
    assert (before.growth, before.log_sd) == (pytest.approx(1.0), pytest.approx(0.158666, abs=1e-6))
    assert before.source.startswith("the LA's own trend of new plans over 12 months")
    # each simulation draws its own growth, the same ones for the same trend
    draws = trend.draws(2000)
    assert np.array_equal(draws, trend.draws(2000))
    assert np.std(np.log(draws)) == pytest.approx(0.0526541, rel=0.05)


def test_the_window_s_mean_arrivals_are_grown_to_the_origin_from_its_middle_month():
    # twelve pairs ending at the origin: their middle is 5.5 months before it
    pairs = [(periods.shift(q, -1), q) for q in periods.span("2024-11", "2025-10")]
    assert history.months_to_origin(pairs, "2025-10") == 5.5
    assert history.months_to_origin(pairs[-1:], "2025-10") == 0


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


def test_the_record_published_with_a_month_reads_no_later_extract():
    # 18 monthly extracts: ten plans in force at each and one more new every month
    con = duckdb.connect()
    con.execute("create schema intermediate")
    con.execute("create schema staging")
    con.execute(
        "create table intermediate.int_plans_active_at_month_end as select * from (select"
        " strftime(m, '%Y-%m') as period, last_day(m) as month_end, 'P' || p as plan_id,"
        " date '2014-06-01' as birth_month, 'MAINSTREAM_SCHOOL' as setting_type, 'ASD' as primary_need,"
        " date_sub('year', date '2014-06-01', last_day(m)) as age_at_month_end"
        " from range(date '2024-01-01', date '2025-07-01', interval 1 month) t(m), range(0, 30) s(p)"
        " where p < 10 + date_diff('month', date '2024-01-01', m))"
    )
    con.execute(
        "create table staging.stg_case_management__requests (period varchar, request_id varchar,"
        " received_date date, decision varchar, assessment_outcome varchar, plan_issued_date date)"
    )
    new_plans = history.new_plans_by_month(con)
    assert new_plans["2024-02"] == 1 and len(new_plans) == 17
    # at April 2025 (the 16th extract) the origins from the 12th on whose horizons are held by then:
    # December 2024 and January 2025, at 3 months (March and April 2025)
    points, _ = monthly.backtest(con, "2025-04", new_plans)
    assert [(p["origin"], p["horizon"]) for p in points] == [("2024-12", 3), ("2025-01", 3)]
    assert all(periods.shift(p["origin"], p["horizon"]) <= "2025-04" for p in points)
    # the same record whether or not later extracts are in the warehouse
    con.execute("delete from intermediate.int_plans_active_at_month_end where period > '2025-04'")
    again, _ = monthly.backtest(con, "2025-04", history.new_plans_by_month(con))
    assert [(p["origin"], p["horizon"], p["projected"]) for p in again] == [
        (p["origin"], p["horizon"], p["projected"]) for p in points
    ]
