"""Builds the DAGs that land published statistics for the board's comparators: the DfE's
(sendboard.ingest.dfe_landing) and NHS England's community health waiting lists
(sendboard.ingest.chs_landing). Only airflow.sdk and light modules are imported here."""

from __future__ import annotations

import importlib
from datetime import timedelta

from airflow.sdk import DAG, get_current_context, task

from sendboard import config
from sendboard.orchestration.airflow_env import START_DATE
from sendboard.orchestration.assets import DFE_STATISTICS, NHS_STATISTICS
from sendboard.orchestration.params import default_args

# a storage hiccup is retried; a rejected file fails at once (AirflowFailException) and alerts
DEFAULT_ARGS = default_args(retries=2, retry_delay=timedelta(minutes=5))
INBOX_POKE_SECONDS = config.inbox_poke_seconds()
# a weekly run waits the week for a new file, so one dropped on a Tuesday lands within a poke
WAIT_FOR_A_NEW_FILE = timedelta(days=6, hours=23)


# source: (its landing module, its Asset)
LANDINGS = {
    "dfe_statistics": ("sendboard.ingest.dfe_landing", DFE_STATISTICS),
    "nhs_statistics": ("sendboard.ingest.chs_landing", NHS_STATISTICS),
}


def dfe_dag(doc_md: str) -> DAG:
    return statistics_dag("dfe_statistics", doc_md)


def statistics_dag(source: str, doc_md: str) -> DAG:
    module, asset = LANDINGS[source]
    with DAG(
        dag_id=f"extract_{source}",
        schedule="0 7 * * 1",
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        doc_md=doc_md,
        tags=["sendboard", "extract", source],
    ) as dag:

        @task.sensor(
            poke_interval=timedelta(seconds=INBOX_POKE_SECONDS),
            timeout=WAIT_FOR_A_NEW_FILE,
            mode="reschedule",
            soft_fail=True,  # a week without a new file is normal: the run is skipped, not failed
        )
        def wait_for_new_files() -> bool:
            return bool(importlib.import_module(module).pending(config.inbox(), config.home()))

        @task(outlets=[asset])
        def land() -> dict:
            from airflow.sdk.exceptions import AirflowFailException

            from sendboard.errors import ReferenceFileRejected

            try:
                landed = importlib.import_module(module).land(config.inbox(), config.home())
            except ReferenceFileRejected as bad:
                # a broken file: retrying cannot help; the files that passed have landed
                raise AirflowFailException(str(bad)) from bad
            get_current_context()["outlet_events"][asset].extra = landed
            return landed

        wait_for_new_files() >> land()
    return dag
