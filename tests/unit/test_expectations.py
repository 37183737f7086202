"""The raw-layer suites under expectations/ match the contract, and catch what they are for."""

from __future__ import annotations

import duckdb
import pandas as pd

from sendboard.contract import SOURCES
from sendboard.ingest.expectations import load_suite, raw_suite, raw_suite_name, validate_dataframe
from sendboard.ingest.pseudonymise import pseudonym


def test_committed_suites_are_the_ones_the_contract_gives():
    # regenerate with: .venv/bin/python -m sendboard.ingest.expectations --write
    for source in SOURCES.values():
        for table in source.tables:
            assert load_suite(raw_suite_name(table)) == raw_suite(table), raw_suite_name(table)


def referrals_frame(key: bytes, nhs_values: list[str]) -> pd.DataFrame:
    n = len(nhs_values)
    return pd.DataFrame(
        {
            "referral_id": [f"F{i}" for i in range(n)],
            "nhs_number_pseudonym": nhs_values,
            "birth_month": pd.to_datetime(["2015-05-01"] * n).date,
            "provider_code": ["RTH"] * n,
            "service": ["SALT"] * n,
            "priority": ["ROUTINE"] * n,
            "referral_date": pd.to_datetime(["2025-01-10"] * n).date,
            "first_contact_date": [None] * n,
            "removed_date": [None] * n,
            "source_row": range(2, n + 2),
            "_loaded_at": pd.Timestamp("2025-04-01", tz="UTC"),
        }
    )


def test_pseudonymised_referrals_pass(key):
    frame = referrals_frame(key, [pseudonym(key, "9434765919"), pseudonym(key, "4010232137")])
    result = validate_dataframe(load_suite("raw_health_waiting_lists__referrals"), frame)
    assert result.success and result.evaluated == 13


def test_an_identifier_in_clear_fails_the_suite_and_the_report_shows_no_value(key):
    frame = referrals_frame(key, [pseudonym(key, "9434765919"), "9434765919"])
    result = validate_dataframe(load_suite("raw_health_waiting_lists__referrals"), frame)
    assert not result.success
    assert result.failed == [
        {
            "type": "expect_column_values_to_match_regex",
            "column": "nhs_number_pseudonym",
            "unexpected_count": 1,
            "exception": False,
        }
    ]
    assert "9434765919" not in result.describe()


def test_the_raw_suites_see_every_row_of_a_small_table_and_evenly_spread_blocks_of_a_large_one(tmp_path):
    from sendboard.ingest.extract import _rows_to_check

    small, large = tmp_path / "small.parquet", tmp_path / "large.parquet"
    with duckdb.connect() as con:
        con.execute(f"copy (select i + 2 as source_row from range(1000) t(i)) to '{small}' (format parquet)")
        # 250,000 data rows: spreadsheet rows 2 .. 250,001, in file order
        con.execute(
            f"copy (select i + 2 as source_row from range(250000) t(i)) to '{large}' "
            "(format parquet, row_group_size 10000)"
        )
    assert list(_rows_to_check(small).source_row) == list(range(2, 1002))
    # stride = (250,001 - 2 + 1) // 20 = 12,500: blocks of 1,000 rows starting at rows 2, 12,502, ...,
    # 2 + 19 * 12,500 = 237,502 (the last block ends at row 238,501)
    rows = sorted(_rows_to_check(large).source_row)
    assert len(rows) == 20_000
    present = set(rows)
    starts = [r for r in rows if r - 1 not in present]
    assert starts == [2 + i * 12_500 for i in range(20)]
    assert rows[-1] == 238_501


def board_rows(*changes: dict) -> pd.DataFrame:
    base = {"kpi_id": "", "suppressed": False, "rag": "GREEN", "direction": "UP", "value": 50.0, "unit": "%"}
    return pd.DataFrame([{**base, "kpi_id": f"K{i}", **change} for i, change in enumerate(changes)])


def failed_checks(suite: str, frame: pd.DataFrame) -> list[tuple[str, str | None, int]]:
    result = validate_dataframe(load_suite(suite), frame)
    return [(f["type"], f["column"], f["unexpected_count"]) for f in result.failed]


def test_the_board_suite_bounds_percentages_at_100_and_wants_no_value_where_suppressed():
    # 100 % is allowed, 100.1 % is not; a count of 250 is not a percentage; a suppressed row has no value
    ok = board_rows({"value": 100.0}, {"value": 0.0}, {"value": 250.0, "unit": "count"},
                    {"value": None, "suppressed": True, "rag": "SUPPRESSED"})  # fmt: skip
    assert failed_checks("marts_board_snapshot", ok) == []
    bad = board_rows({"value": 100.1}, {"value": 250.0, "unit": "count"}, {"value": 4.0, "suppressed": True})
    assert failed_checks("marts_board_snapshot", bad) == [
        ("expect_column_values_to_be_between", "value", 1),
        ("expect_column_values_to_be_null", "value", 1),
    ]


def test_the_kpi_values_suite_wants_numerator_within_denominator_for_percentages_and_counts_only():
    def values(*rows: tuple) -> pd.DataFrame:
        columns = ["kpi_id", "unit", "numerator", "denominator", "value"]
        return pd.DataFrame([dict(zip(columns, (f"K{i}", *row), strict=True)) for i, row in enumerate(rows)])

    # a median in days may exceed its count of cases; a percentage's numerator may equal its denominator
    ok = values(("%", 10, 10, 100.0), ("count", 3, 5, 3.0), ("days", 90, 12, 90.0), ("%", None, 4, None))
    assert failed_checks("marts_kpi_values", ok) == []
    bad = values(("%", 11, 10, 100.0), ("count", 6, 5, 6.0), ("days", 90, 12, 90.0), ("%", 1, 1, 100.5))
    assert failed_checks("marts_kpi_values", bad) == [
        ("expect_column_pair_values_a_to_be_greater_than_b", None, 2),
        ("expect_column_values_to_be_between", "value", 1),
    ]
