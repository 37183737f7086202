"""The environment Airflow runs in for `make run` and the tests: set before Airflow is imported."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from sendboard.config import OFFLINE_ENVIRONMENT, PROJECT_ROOT


def airflow_environment(home: Path) -> dict[str, str]:
    airflow_home = home / "airflow"
    return {
        **OFFLINE_ENVIRONMENT,
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(airflow_home / "logs"),
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        # dag.test() runs one task at a time with no executor: the dbt model sensors can look often
        "SENDBOARD_DBT_POKE_SECONDS": "2",
    }


def apply(home: Path) -> None:
    for name, value in airflow_environment(home).items():
        os.environ.setdefault(name, value)
    (home / "airflow").mkdir(parents=True, exist_ok=True)


WAREHOUSE_POOL = "sendboard_warehouse"
# every DAG's start date: runs are dated by the month they publish, none before this
START_DATE = datetime(2024, 1, 1)


def migrate_metadata_db() -> None:
    """Create or upgrade the Airflow metadata DB (idempotent, quick when current), with our pool."""
    from airflow import settings
    from airflow.models.pool import Pool
    from airflow.utils import db

    settings.configure_orm()
    db.initdb()
    # one slot: the tasks that write the DuckDB warehouse never run at once
    Pool.create_or_update_pool(
        WAREHOUSE_POOL,
        slots=1,
        include_deferred=False,
        description="Writers of the DuckDB warehouse (it allows one writer)",
    )
