"""The analysts' read-only copy of the warehouse: SENDBOARD_HOME/analytics/sendboard_analytics.duckdb.

DuckDB allows one writer per file, so analysts never query the warehouse itself: a query left open
in a notebook would block the next build, and a build would block (or half-show) their queries.
At every publication the publisher writes the `analytics` views (dbt models, documented,
pseudonymised) as tables into a new file and swaps it in with one rename. An analyst's open
connection keeps reading the file it opened; the next connection sees the new one. The restricted
schema is not copied.
"""

from __future__ import annotations

import logging
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

log = logging.getLogger(__name__)

VIEWS = ("kpi_by_month", "plans_active_by_month", "referrals_waiting_by_month", "census_pupils_by_term")


def path(home: Path) -> Path:
    return home / "analytics" / "sendboard_analytics.duckdb"


def _quoted(text: str | None) -> str:
    return "'" + (text or "").replace("'", "''") + "'"


def refresh(con, home: Path) -> Path:
    """Write the analytics views into a new file and swap it in; `con` is the warehouse connection."""
    target = path(home)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    con.execute(f"attach {_quoted(str(staging))} as analytics_copy")
    try:
        con.execute("create schema analytics_copy.analytics")
        for view in VIEWS:
            con.execute(f"create table analytics_copy.analytics.{view} as select * from analytics.{view}")
            # carry dbt's descriptions (persisted as comments on the views) to the copy
            comment = con.execute("select comment from duckdb_views() where schema_name = 'analytics' "
                                  "and view_name = ? and database_name = current_database()", [view]).fetchone()
            con.execute(f"comment on table analytics_copy.analytics.{view} is {_quoted(comment and comment[0])}")
            for column, text in con.execute(
                    "select column_name, comment from duckdb_columns() where schema_name = 'analytics' "
                    "and table_name = ? and database_name = current_database() and comment is not null",
                    [view]).fetchall():
                con.execute(f'comment on column analytics_copy.analytics.{view}."{column}" is {_quoted(text)}')
        con.execute("create table analytics_copy.analytics.copy_info as select ?::timestamptz as refreshed_at, "
                    "(select max(period) from analytics.kpi_by_month) as latest_published_period",
                    [datetime.now(timezone.utc)])
        con.execute("comment on table analytics_copy.analytics.copy_info is "
                    "'When this read-only copy was made, and the latest month published in it.'")
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
    log.info("analytics copy refreshed: %s", target)
    return target
