"""Builds the publish DAG. Cosmos renders the dbt project from its pre-built manifest
(LoadMode.DBT_MANIFEST: no dbt process at parse time) and runs it in ExecutionMode.WATCHER: one
`dbt build` process (the producer) is the warehouse's only writer, while one light sensor task
per model shows its progress in the Airflow UI. The DuckDB file lock cannot fail a run."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG, Param, get_current_context, task

from sendboard.airflow_env import WAREHOUSE_POOL
from sendboard.assets import LANDED
from sendboard.config import PROJECT_ROOT

DBT_PROJECT = PROJECT_ROOT / "dbt"
MANIFEST = DBT_PROJECT / "target" / "manifest.json"
# Every task that writes the DuckDB warehouse runs in the one-slot pool WAREHOUSE_POOL (created with
# the metadata DB): two runs can never write at once.
DEFAULT_ARGS = {"owner": "sendboard-data-engineering", "retries": 1, "retry_delay": timedelta(minutes=2)}


def _dbt_task_group():
    from cosmos import DbtTaskGroup, ExecutionConfig, LoadMode, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import ExecutionMode, TestBehavior

    return DbtTaskGroup(
        group_id="dbt_build",
        project_config=ProjectConfig(manifest_path=MANIFEST, project_name="sendboard",
                                     dbt_project_path=DBT_PROJECT),
        profile_config=ProfileConfig(profile_name="sendboard", target_name="warehouse",
                                     profiles_yml_filepath=DBT_PROJECT / "profiles.yml"),
        # WATCHER's producer builds the models; every dbt test then runs once, in one task, after them
        render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST, test_behavior=TestBehavior.AFTER_ALL),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.WATCHER,
            setup_operator_args={"pool": WAREHOUSE_POOL},
        ),
        operator_args={
            # SENDBOARD_HOME may be an Airflow variable only: pass what select_inputs resolved
            "env": {"SENDBOARD_HOME": "{{ ti.xcom_pull(task_ids='select_inputs')['home'] }}",
                    "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"},
            "append_env": True,
            # a consumer retried in Cosmos' local fallback would open the warehouse beside the producer
            "retries": 0,
            # reschedule, not poke or defer: a waiting sensor frees its slot (and lets dag.test(),
            # which runs one task at a time, get to the producer) and needs no triggerer
            "deferrable": False,
            "mode": "reschedule",
            "poke_interval": 2,
        },
    )


def publish_dag(doc_md: str) -> DAG:
    with DAG(
        dag_id="publish_board_snapshot",
        schedule=LANDED["case_management"] & LANDED["health_waiting_lists"],
        start_date=datetime(2024, 1, 1),
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        doc_md=doc_md,
        tags=["sendboard", "publish", "dbt"],
        params={"period": Param(None, type=["null", "string"], pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                                description="YYYY-MM to build and publish; empty = from the Asset events")},
    ) as dag:

        @task(retries=0, pool=WAREHOUSE_POOL)
        def select_inputs() -> dict:
            from airflow.sdk.exceptions import AirflowFailException

            from sendboard.board import NotReady, choose_period, select_inputs as select
            from sendboard.integrity import WarehouseDamaged

            context = get_current_context()
            events = context.get("triggering_asset_events") or {}
            event_periods = [e.extra.get("period") for evs in events.values() for e in evs
                             if e.extra and e.extra.get("period")]
            try:
                return select(choose_period(context["params"].get("period"), event_periods))
            except (NotReady, WarehouseDamaged) as cannot_build:  # not retried: a person must act
                raise AirflowFailException(str(cannot_build)) from cannot_build

        @task(retries=0, pool=WAREHOUSE_POOL)
        def check_marts(inputs: dict) -> dict:
            from airflow.sdk.exceptions import AirflowFailException

            from sendboard.board import ChecksFailed, check_marts as check

            try:
                return check(inputs["period"])
            except ChecksFailed as failed:
                raise AirflowFailException(str(failed)) from failed

        @task(pool=WAREHOUSE_POOL)
        def publish(inputs: dict, checks: dict) -> dict:
            from sendboard.board import publish as publish_month

            return publish_month(inputs["period"], inputs["fingerprint"], inputs["census_period"])

        inputs = select_inputs()
        dbt_build = _dbt_task_group()
        checks = check_marts(inputs)
        inputs >> dbt_build >> checks
        publish(inputs, checks)
    return dag
