"""The analysts' copy: every analytics view written as a table, except the pupil-level census table,
which is carried over from the previous copy while the census inputs are unchanged."""

from __future__ import annotations

import json

import duckdb
import pytest

from sendboard.publish import analytics_copy
from sendboard.publish.build_cache import warehouse_fingerprint


def land_census(home, pupils: int) -> None:
    """A landed census period as landing leaves it: Parquet files and their manifest."""
    folder = home / "raw" / "school_census" / "period=2025-01"
    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute(
            f"copy (select 'P' || i as upn_pseudonym, 100 + i % 2 as school_urn from range({pupils}) t(i)) "
            f"to '{folder / 'pupils.parquet'}' (format parquet)"
        )
    (folder / "manifest.json").write_text(
        json.dumps(
            {"period": "2025-01", "key_fingerprint": "k", "tables": {"pupils": {"sha256": f"sha-of-{pupils}-pupils"}}}
        )
    )


def warehouse(home, month: str):
    """A stand-in warehouse with the analytics views; the census view reads the landed file."""
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    pupils = home / "raw" / "school_census" / "period=2025-01" / "pupils.parquet"
    con.execute("create schema if not exists analytics")
    con.execute(
        "create or replace view analytics.kpi_by_month as select "
        f"'{month}' as period, 'T1_DECISIONS_6WK' as kpi_id, 91.0 as value, 90.0 as target"
    )
    con.execute(
        "create or replace view analytics.kpi_records as select "
        f"'{month}' as period, 'T1_DECISIONS_6WK' as kpi_id, 'REQ1' as record_id, true as in_numerator"
    )
    con.execute("create or replace view analytics.plans_active_by_month as select 'P1' as plan_id")
    con.execute("create or replace view analytics.referrals_waiting_by_month as select 'R1' as referral_id")
    con.execute("create or replace view analytics.health_waits as select '2025-01' as chs_month")
    con.execute(
        "create or replace view analytics.census_pupils_by_term as "
        f"select '2025-01' as census_period, * from read_parquet('{pupils}')"
    )
    return con


def copy_rows(home, sql: str):
    with duckdb.connect(str(analytics_copy.path(home)), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_census_table_is_carried_over_only_while_its_inputs_are_unchanged(tmp_path):
    home = tmp_path
    census = "select count(*), count(distinct upn_pseudonym) from analytics.census_pupils_by_term"
    land_census(home, 5)
    with warehouse(home, "2025-01") as con:
        # the first copy writes everything
        assert analytics_copy.refresh(con, home) == list(analytics_copy.VIEWS)
    assert copy_rows(home, census) == [(5, 5)]
    assert copy_rows(home, "select census_inputs from analytics.copy_info") == [
        (warehouse_fingerprint(home, ["school_census"]),)
    ]

    # February: the same census, a new month of KPIs; the census table comes from January's copy
    with warehouse(home, "2025-02") as con:
        assert analytics_copy.refresh(con, home) == [
            "kpi_by_month",
            "kpi_records",
            "plans_active_by_month",
            "referrals_waiting_by_month",
            "health_waits",
        ]
    assert copy_rows(home, "select period from analytics.kpi_by_month") == [("2025-02",)]
    assert copy_rows(home, census) == [(5, 5)]
    # the SPC points come with every copy: one published month, one point (91.0; no moving range, no limits;
    # higher is better and there is no limit to compare the target 90 with strictly: hit and miss)
    assert copy_rows(
        home, "select period, kpi_id, value, mean, upper_limit, rule, point_type, assurance from analytics.kpi_spc"
    ) == [("2025-02", "T1_DECISIONS_6WK", 91.0, 91.0, None, None, "common_cause", "inconsistent")]

    # the census is landed again with 7 pupils: its table is written again
    land_census(home, 7)
    with warehouse(home, "2025-03") as con:
        assert analytics_copy.refresh(con, home) == list(analytics_copy.VIEWS)
    assert copy_rows(home, census) == [(7, 7)]
    assert copy_rows(home, "select period from analytics.kpi_by_month") == [("2025-03",)]
    # only the swapped-in copy is left: no staging file
    assert [p.name for p in analytics_copy.path(home).parent.iterdir()] == [analytics_copy.path(home).name]


def test_a_copy_that_cannot_be_read_is_made_afresh(tmp_path):
    home = tmp_path
    land_census(home, 3)
    analytics_copy.path(home).parent.mkdir(parents=True)
    analytics_copy.path(home).write_bytes(b"not a duckdb file")
    with warehouse(home, "2025-01") as con:
        assert analytics_copy.refresh(con, home) == list(analytics_copy.VIEWS)
    assert copy_rows(home, "select count(*) from analytics.census_pupils_by_term") == [(3,)]


def test_only_a_warehouse_whose_last_build_passed_its_tests_and_checks_is_copied(tmp_path):
    from sendboard.warehouse import connection as real_warehouse

    home = tmp_path
    land_census(home, 4)
    # the stand-in views in the real warehouse file, as dbt leaves them
    real_warehouse.path(home).parent.mkdir(parents=True)
    views = warehouse(home, "2025-01")
    views.close()
    (home / "warehouse.duckdb").rename(real_warehouse.path(home))
    # no build recorded yet (none, or the last one failed its tests or checks and was cleared)
    with pytest.raises(analytics_copy.WarehouseNotChecked, match="no checked dbt build"):
        analytics_copy.refresh_from_warehouse(home)
    assert not analytics_copy.path(home).exists()
    with real_warehouse.connect(home) as con:
        real_warehouse.ensure_publication_tables(con)
        con.execute("insert into publication.warehouse_build values ('f', 'run-building', false, now())")
    # a run is building (or its build failed or stopped): its tests and checks have not passed
    with pytest.raises(analytics_copy.WarehouseNotChecked, match=r"last build \(run run-building\) has not passed"):
        analytics_copy.refresh_from_warehouse(home)
    assert not analytics_copy.path(home).exists()
    with real_warehouse.connect(home) as con:
        con.execute("update publication.warehouse_build set complete = true")
    assert analytics_copy.refresh_from_warehouse(home) == list(analytics_copy.VIEWS)
    assert copy_rows(home, "select count(*) from analytics.census_pupils_by_term") == [(4,)]
