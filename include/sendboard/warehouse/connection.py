"""The DuckDB warehouse under SENDBOARD_HOME: one file, one writer at a time."""

from __future__ import annotations

from pathlib import Path

import duckdb

# The published board snapshot columns, in the order of outputs.md.
SNAPSHOT_COLUMNS = {
    "period": "varchar",
    "kpi_id": "varchar",
    "theme": "varchar",
    "kpi_name": "varchar",
    "unit": "varchar",
    "value": "decimal(18,1)",
    "numerator": "bigint",
    "denominator": "bigint",
    "target": "decimal(18,1)",
    "amber_threshold": "decimal(18,1)",
    "rag": "varchar",
    "suppressed": "boolean",
    "previous_value": "decimal(18,1)",
    "direction": "varchar",
    "version": "integer",
    "published_at": "timestamptz",
}


def path(home: Path) -> Path:
    return home / "warehouse" / "sendboard.duckdb"


def connect(home: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    target = path(home)
    target.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(target), read_only=read_only)


# board_comparators.csv's columns (publish.comparators), as each published version keeps them
COMPARATOR_COLUMNS = {
    "period": "varchar",
    "kpi_id": "varchar",
    "comparator": "varchar",
    "comparator_name": "varchar",
    "comparator_period": "varchar",
    "value": "decimal(18,1)",
    "numerator": "bigint",
    "denominator": "bigint",
    "neighbours_with_value": "integer",
    "source": "varchar",
    "note": "varchar",
}


# board_health_waits.csv's columns (health_comparators.figures), as each published version keeps them
HEALTH_WAIT_COLUMNS = {
    "period": "varchar",
    "chs_month": "varchar",
    "area_level": "varchar",
    "area_code": "varchar",
    "area_name": "varchar",
    "service": "varchar",
    "waiting": "bigint",
    "waiting_18_to_52_weeks": "bigint",
    "waiting_over_52_weeks": "bigint",
    "share_over_18_weeks": "decimal(18,1)",
}


def ensure_publication_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the publication schema the publisher writes and dbt reads (as a source)."""
    columns = ", ".join(f"{name} {kind}" for name, kind in SNAPSHOT_COLUMNS.items())
    con.execute("create schema if not exists publication")
    con.execute(
        f"create table if not exists publication.board_snapshot_history ({columns}, "
        "input_fingerprint varchar, primary key (period, kpi_id, version))"
    )
    # the DfE comparators published with each version, and what its pack said about them (a repaired
    # version's files are written from these, as first published)
    comparators = ", ".join(f"{name} {kind}" for name, kind in COMPARATOR_COLUMNS.items())
    con.execute(f"create table if not exists publication.board_comparators_history ({comparators}, version integer)")
    con.execute(
        "create table if not exists publication.board_comparator_notices "
        "(period varchar, version integer, position integer, notice varchar)"
    )
    # NHS England's CHS waiting lists by area and service published with each version (health comparators)
    waits = ", ".join(f"{name} {kind}" for name, kind in HEALTH_WAIT_COLUMNS.items())
    con.execute(f"create table if not exists publication.board_health_waits_history ({waits}, version integer)")
    # the warnings of the check of our providers' CHS figures against our own count, per version
    con.execute(
        "create table if not exists publication.board_health_checks "
        "(period varchar, version integer, position integer, warning varchar)"
    )
    # every publish run, including those that found nothing new: which inputs each version reflects
    con.execute(
        "create table if not exists publication.publish_runs (period varchar, version integer, "
        "status varchar, input_fingerprint varchar, run_at timestamptz)"
    )
    # the last dbt build: which landed inputs it was made from, and whether its tests and checks passed
    # (then a run with the same inputs skips dbt: sendboard.publish.board.select_inputs)
    con.execute(
        "create table if not exists publication.warehouse_build (fingerprint varchar, run_id varchar, "
        "complete boolean, started_at timestamptz)"
    )
