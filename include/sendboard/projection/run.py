"""Project a published month and publish the projection: what the `project_ehc_plans` DAG runs.

python -m sendboard.projection.run 2026-10     (against $SENDBOARD_HOME)
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from sendboard import config
from sendboard.projection import monthly, publication
from sendboard.warehouse import connection as warehouse
from sendboard.warehouse.integrity import published_versions

log = logging.getLogger(__name__)


def latest_published_month(home: Path) -> str | None:
    months = sorted(published_versions(home))
    return months[-1] if months else None


def record(con, projection: monthly.Projection) -> None:
    """The projection unrounded, for the analysts' copy (analytics.plan_projection and
    analytics.projection_backtest): restricted to the warehouse, never published as it is."""
    import pandas as pd

    month = projection.rows[0]["month_made"]
    rows = pd.DataFrame(projection.rows, columns=list(monthly.COLUMNS))
    backtest = pd.DataFrame(
        [{k: p[k] for k in ("origin", "horizon", "projected", "actual", "error_pc", "covered_80", "covered_95")}
         for p in projection.backtest],
        columns=["origin", "horizon", "projected", "actual", "error_pc", "covered_80", "covered_95"],
    )  # fmt: skip
    con.register("projected_rows", rows)
    con.register("projected_backtest", backtest)
    try:
        con.execute("create schema if not exists projection")
        con.execute("create table if not exists projection.plan_projection as select * from projected_rows limit 0")
        con.execute("begin")
        con.execute("delete from projection.plan_projection where month_made = ?", [month])
        con.execute("insert into projection.plan_projection select * from projected_rows")
        # the record as of the latest projection: each origin's errors are the same whichever month asks
        con.execute("create or replace table projection.projection_backtest as select * from projected_backtest")
        con.execute("commit")
    finally:
        con.unregister("projected_rows")
        con.unregister("projected_backtest")


def project_and_publish(home: Path, month: str) -> dict:
    began = time.perf_counter()
    # read-write configuration though it only reads: under dag.test() dbt may have opened the file in
    # this process, and DuckDB refuses a second connection with another configuration (as mart_checks)
    con = warehouse.connect(home)
    try:
        projection = monthly.project_month(con, month)
        record(con, projection)
    finally:
        con.close()
    earlier = publication.made_twelve_months_before(home, month)
    status, version = publication.publish(home, month, publication.files_of(projection, earlier))
    seconds = round(time.perf_counter() - began, 1)
    log.info("projection of %s: %s, version %d (%s s; %s)", month, status, version, seconds, projection.trend_source)
    return {"month": month, "status": status, "version": version, "seconds": seconds}


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    home = config.home()
    month = sys.argv[1] if len(sys.argv) > 1 else latest_published_month(home)
    if not month:
        sys.exit("no published month to project")
    print(project_and_publish(home, month))
