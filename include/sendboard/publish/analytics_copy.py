"""The analysts' read-only copy of the warehouse: SENDBOARD_HOME/analytics/sendboard_analytics.duckdb.

DuckDB allows one writer per file, so analysts never query the warehouse itself: a query left open
in a notebook would block the next build, and a build would block (or half-show) their queries.
After every publication the `analytics` views (dbt models, documented, pseudonymised) are written
as tables into a new file, which is swapped in with one rename. An analyst's open
connection keeps reading the file it opened; the next connection sees the new one. The restricted
schema is not copied.

The refresh_analytics_copy DAG makes the copy after each publication (the `published_board_snapshot`
Asset), in a run of its own: the board's publication neither waits for the analysts' copy nor fails
with it. It copies only a warehouse whose last dbt build passed its tests and mart checks; while a
build is under way, or after one failed, the previous copy stays.

The pupil-level census table is most of the copy (9M rows a term nationally: 6-7 s to write) and
changes only when a census lands. When the census inputs are the same as the previous copy's, the
new copy starts as a byte copy of the previous file and only the other tables are written again.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from sendboard import sql
from sendboard.errors import WarehouseNotChecked
from sendboard.publish import comparators, variation
from sendboard.warehouse.connection import ensure_publication_tables

log = logging.getLogger(__name__)

VIEWS = (
    "kpi_by_month",
    "kpi_records",
    "plans_active_by_month",
    "referrals_waiting_by_month",
    "census_pupils_by_term",
    "health_waits",
)
CENSUS_VIEW = "census_pupils_by_term"  # reads the school census only


PROJECTION_TABLES = {
    "plan_projection": "EHC plans in force projected for the 36 months after each month made from "
    "(project_ehc_plans), unrounded: median and 80% and 95% intervals in total, by DSG placement category, "
    "age group, primary need and category by age group (board_projection.csv rounds them to 5).",
    "projection_backtest": "The projection's track record, unrounded: the projected total at each origin and "
    "horizon (3, 6, 12 months) against the plans in force that came, with whether the intervals covered it.",
}


def path(home: Path) -> Path:
    return home / "analytics" / "sendboard_analytics.duckdb"


def _census_inputs_of(con, copy: Path) -> str | None:
    """The census inputs an earlier analytics copy was made from (None: no copy, or one made before
    this was recorded)."""
    if not copy.exists():
        return None
    try:
        con.execute(f"attach {sql.literal(str(copy))} as analytics_previous (read_only)")
    except duckdb.Error:  # not a DuckDB file we can read: make the copy afresh
        return None
    try:
        row = con.execute("select census_inputs from analytics_previous.analytics.copy_info").fetchone()
        return row[0] if row else None
    except duckdb.Error:
        return None
    finally:
        con.execute("detach analytics_previous")


def refresh(con, home: Path) -> list[str]:
    """Write the analytics views into a new file and swap it in; `con` is the warehouse connection.
    Returns the tables written (the census table is carried over when its inputs are unchanged)."""
    from sendboard.publish.build_cache import warehouse_fingerprint

    target = path(home)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    census_inputs = warehouse_fingerprint(home, ["school_census"])
    carry_census = _census_inputs_of(con, target) == census_inputs
    written = [v for v in VIEWS if not (carry_census and v == CENSUS_VIEW)]
    try:
        if carry_census:
            # a national copy (468 MB): 0.5 s from the page cache, 2.7 s from disk
            shutil.copyfile(target, staging)
        con.execute(f"attach {sql.literal(str(staging))} as analytics_copy")
        con.execute("create schema if not exists analytics_copy.analytics")
        for view in written:
            con.execute(f"create or replace table analytics_copy.analytics.{view} as select * from analytics.{view}")
            # carry dbt's descriptions (persisted as comments on the views) to the copy
            comment = con.execute(
                "select comment from duckdb_views() where schema_name = 'analytics' "
                "and view_name = ? and database_name = current_database()",
                [view],
            ).fetchone()
            con.execute(f"comment on table analytics_copy.analytics.{view} is {sql.literal(comment and comment[0])}")
            for column, text in con.execute(
                "select column_name, comment from duckdb_columns() where schema_name = 'analytics' "
                "and table_name = ? and database_name = current_database() and comment is not null",
                [view],
            ).fetchall():
                con.execute(f'comment on column analytics_copy.analytics.{view}."{column}" is {sql.literal(text)}')
        # statistical process control of every KPI, from the published history (publish.variation)
        variation.write_points_table(con, "analytics_copy.analytics.kpi_spc")
        description = (
            "Every point of every KPI's Making Data Count XmR chart: its published value, its baseline's mean "
            "and limits, the rule it breaks, its type; the latest point's variation icon and the assurance "
            "against the target are repeated on each row. Only published values: a suppressed month is left "
            "out (months_left_out counts them)."
        )
        con.execute(f"comment on table analytics_copy.analytics.kpi_spc is {sql.literal(description)}")
        # the DfE comparators each month was published with (publish.comparators), its latest version
        ensure_publication_tables(con)  # a warehouse from before the comparators has no such table yet
        con.execute(
            "create or replace table analytics_copy.analytics.kpi_comparators as "
            f"select {', '.join(comparators.COLUMNS)} from publication.board_comparators_history "
            "qualify version = max(version) over (partition by period) order by period, kpi_id, comparator"
        )
        description = (
            "The DfE's published figures beside each KPI the DfE measures, as published with each month's board "
            "snapshot (board_comparators.csv): England, the region, the mean of the statistical neighbours with a "
            "value, and the LA's own figure as the DfE published it, for the DfE's latest period then."
        )
        con.execute(f"comment on table analytics_copy.analytics.kpi_comparators is {sql.literal(description)}")
        # the projection stage's outputs, unrounded (sendboard.projection.run.record), once there are any
        projected = {n for (n,) in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() "
            "and schema_name = 'projection'"
        ).fetchall()}  # fmt: skip
        for table, description in PROJECTION_TABLES.items():
            if table in projected:
                con.execute(
                    f"create or replace table analytics_copy.analytics.{table} as select * from projection.{table}"
                )
                con.execute(f"comment on table analytics_copy.analytics.{table} is {sql.literal(description)}")
                written.append(table)
        con.execute(
            "create or replace table analytics_copy.analytics.copy_info as select "
            "?::timestamptz as refreshed_at, (select max(period) from analytics.kpi_by_month) "
            "as latest_published_period, ?::varchar as census_inputs",
            [datetime.now(UTC), census_inputs],
        )
        con.execute(
            "comment on table analytics_copy.analytics.copy_info is "
            "'When this read-only copy was made, and the latest month published in it.'"
        )
        con.execute(
            "comment on column analytics_copy.analytics.copy_info.census_inputs is "
            "'Fingerprint of the landed census files and dbt project the census table was made from.'"
        )
        con.execute("detach analytics_copy")
        with open(staging, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(staging, 0o444)
        os.replace(staging, target)
    except BaseException:
        try:
            con.execute("detach database if exists analytics_copy")
        finally:
            staging.unlink(missing_ok=True)
            Path(f"{staging}.wal").unlink(missing_ok=True)
        raise
    log.info(
        "analytics copy refreshed: %s (%s written%s)",
        target,
        ", ".join(written),
        f"; {CENSUS_VIEW} carried over, its census inputs unchanged" if carry_census else "",
    )
    return written


def refresh_from_warehouse(home: Path) -> list[str]:
    """Open the warehouse and refresh the copy, if its last dbt build passed every test and check.
    Raises WarehouseNotChecked otherwise (nothing is written)."""
    from sendboard.warehouse import connection as warehouse

    con = warehouse.connect(home)
    try:
        try:
            build = con.execute("select run_id, complete from publication.warehouse_build").fetchone()
        except duckdb.CatalogException:
            build = None
        if not build:
            raise WarehouseNotChecked(
                "the warehouse has no checked dbt build (none yet, or the last one failed "
                "its tests or checks): the analysts' copy is left as it was"
            )
        if not build[1]:
            raise WarehouseNotChecked(
                f"the warehouse's last build (run {build[0]}) has not passed its tests and "
                "checks: it is under way, or it failed or stopped. The analysts' copy is "
                "left as it was; the next publication refreshes it"
            )
        return refresh(con, home)
    finally:
        con.close()
