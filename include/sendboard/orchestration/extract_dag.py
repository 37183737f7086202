"""Builds an extract DAG for one source. Only airflow.sdk and light modules are imported
here so the DAG processor parses every file fast; the work is in sendboard.ingest.extract."""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import DAG, get_current_context, task

from sendboard import config
from sendboard.orchestration.airflow_env import START_DATE
from sendboard.orchestration.assets import LANDED
from sendboard.orchestration.params import default_args, period_param

# two retries, five minutes apart at first: a storage hiccup or a lost worker while landing
DEFAULT_ARGS = default_args(retries=2, retry_delay=timedelta(minutes=5))
# How often a scheduled run looks in the inbox for the month's files (environment, read at parse time)
INBOX_POKE_SECONDS = config.inbox_poke_seconds()


def extract_dag(source: str, schedule: str, doc_md: str, wait_days: int) -> DAG:
    asset = LANDED[source]
    with DAG(
        dag_id=f"extract_{source}",
        schedule=schedule,
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,  # one period at a time: the landing of a source is written by one run
        default_args=DEFAULT_ARGS,
        doc_md=doc_md,
        tags=["sendboard", "extract", source],
        params={"period": period_param("YYYY-MM to land; empty = the month before the run date")},
    ) as dag:

        @task(retries=0)
        def resolve_period() -> str:
            from sendboard.ingest.extract import resolve_period as resolve

            context = get_current_context()
            return resolve(source, context["params"].get("period"), context.get("logical_date"))

        @task.sensor(
            poke_interval=timedelta(seconds=INBOX_POKE_SECONDS), timeout=timedelta(days=wait_days), mode="reschedule"
        )
        def wait_for_complete_period(period: str) -> bool:
            from sendboard.ingest.extract import period_is_complete

            return period_is_complete(source, period)

        @task
        def land(period: str) -> dict:
            from airflow.sdk.exceptions import AirflowFailException

            from sendboard.errors import ConfigurationError, FileRejected, PeriodRejected
            from sendboard.ingest.extract import land as land_period

            try:
                return land_period(source, period)
            except (PeriodRejected, FileRejected, ConfigurationError) as bad:
                # bad data or configuration: retrying cannot help, fail now with the reason
                raise AirflowFailException(str(bad)) from bad

        @task(outlets=[asset])
        def check_landed(period: str, landing: dict) -> dict:
            from airflow.sdk.exceptions import AirflowFailException

            from sendboard.ingest.extract import DataQualityFailed
            from sendboard.ingest.extract import check_landed as check

            try:
                checks = check(source, period)
            except DataQualityFailed as failed:
                raise AirflowFailException(str(failed)) from failed
            get_current_context()["outlet_events"][asset].extra = {
                "period": period,
                "status": landing["status"],
                "loaded_at": landing["loaded_at"],
            }
            return {**landing, "checks": checks}

        period = resolve_period()
        landing = land(period)
        wait_for_complete_period(period) >> landing
        check_landed(period, landing)
    return dag
