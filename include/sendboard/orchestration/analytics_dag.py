"""Builds the DAG that refreshes the analysts' read-only copy after each publication. The work is in
sendboard.publish.analytics_copy."""

from __future__ import annotations

from airflow.sdk import DAG, get_current_context, task

from sendboard.orchestration.airflow_env import START_DATE, WAREHOUSE_POOL
from sendboard.orchestration.assets import PROJECTED, PUBLISHED, event_periods
from sendboard.orchestration.publish_dag import DEFAULT_ARGS


def analytics_dag(doc_md: str) -> DAG:
    with DAG(
        dag_id="refresh_analytics_copy",
        # publications queued while a refresh runs are served by one more run: each copies the whole
        # warehouse as it is then
        schedule=PUBLISHED | PROJECTED,
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,  # the publication's: one retry for transient trouble, then an alert
        doc_md=doc_md,
        tags=["sendboard", "analytics"],
    ) as dag:
        # it reads the warehouse, so it takes the writers' pool slot: no dbt build runs beside it
        @task(pool=WAREHOUSE_POOL)
        def refresh_analytics_copy() -> dict:
            import logging

            from airflow.sdk.exceptions import AirflowSkipException

            from sendboard import config
            from sendboard.publish import analytics_copy

            months = event_periods(get_current_context().get("triggering_asset_events"))
            if months:
                logging.getLogger(__name__).info("after the publication of %s", ", ".join(months))
            home = config.home()
            try:
                written = analytics_copy.refresh_from_warehouse(home)
            except analytics_copy.WarehouseNotChecked as not_checked:
                raise AirflowSkipException(str(not_checked)) from not_checked
            return {"copy": str(analytics_copy.path(home)), "tables_written": written, "published_months": months}

        refresh_analytics_copy()
    return dag
