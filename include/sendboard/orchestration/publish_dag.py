"""Builds the publish DAG. Cosmos renders the dbt project from its pre-built manifest
(LoadMode.DBT_MANIFEST: no dbt process at parse time) and runs it in ExecutionMode.WATCHER: one
`dbt build` process (the producer) is the warehouse's only writer, while one light sensor task
per model shows its progress in the Airflow UI. The DuckDB file lock cannot fail a run."""

from __future__ import annotations

import os
from datetime import timedelta

from airflow.sdk import DAG, AssetOrTimeSchedule, CronTriggerTimetable, get_current_context, task

from sendboard import config
from sendboard.config import DBT_PROJECT
from sendboard.orchestration.airflow_env import START_DATE, WAREHOUSE_POOL
from sendboard.orchestration.assets import LANDED, PUBLISHED, event_periods
from sendboard.orchestration.params import default_args, period_param

MANIFEST = DBT_PROJECT / "target" / "manifest.json"
# Every task that writes the DuckDB warehouse runs in the one-slot pool WAREHOUSE_POOL (created with
# the metadata DB): two runs can never write at once.
# one retry, two minutes later: a full disk or a lost worker while building or publishing
DEFAULT_ARGS = default_args(retries=1, retry_delay=timedelta(minutes=2))
# The monthly time schedule is what makes the DAG backfillable (`airflow backfill create`): a run
# from it (scheduled or backfill) works on the month before its date. The extracts' Asset events
# are what normally trigger it; a scheduled run whose month has not landed leaves it to them.
MONTHLY = CronTriggerTimetable("0 6 1 * *", timezone="UTC")
# How often a model's sensor looks at the producer's progress. Under a real scheduler a short interval
# meets an open Airflow race (apache/airflow#71172: a reschedule-mode sensor is failed when its last
# poke's executor event arrives after the next poke was queued), so deployments wait 15 s; dag.test()
# (make run, the tests) has no executor events and uses 2 s (airflow_env sets it).
MODEL_POKE_SECONDS = config.dbt_poke_seconds()


def _dbt_task_group():
    # Cosmos' producer rewrites its whole XCom backup into an Airflow Variable after every dbt event
    # ([cosmos] enable_watcher_reliable_retry): 2-3 s of a national build. Off, its failure callback
    # writes the backup once. A failed build is re-run by a new run of the DAG for the month
    # (docs/operations.md, "When things go wrong"), not by clearing the producer, which then skips dbt.
    os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_WATCHER_RELIABLE_RETRY", "False")
    from cosmos import DbtTaskGroup, ExecutionConfig, LoadMode, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import ExecutionMode, TestBehavior

    group = DbtTaskGroup(
        group_id="dbt_build",
        project_config=ProjectConfig(
            manifest_path=MANIFEST,
            project_name="sendboard",
            dbt_project_path=DBT_PROJECT,
            # SENDBOARD_HOME may be an Airflow variable only: pass what select_inputs resolved
            # no dbt.log: Cosmos runs dbt in a temporary copy of the project, so the file went with it
            # (0.6 s a national `dbt test`); dbt's messages still reach the task log
            env_vars={
                "SENDBOARD_HOME": "{{ ti.xcom_pull(task_ids='select_inputs')['home'] }}",
                "DO_NOT_TRACK": "1",
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
                "DBT_LOG_LEVEL_FILE": "none",
                # dbt's unit tests check the SQL on fixed inputs, so a month's data cannot change
                # their result: `make test` runs them (tests/e2e/test_kpis.py), the month does not
                # (dbt's own advice; 0.8 s a national month)
                "DBT_EXCLUDE_RESOURCE_TYPES": "unit_test",
            },
        ),
        profile_config=ProfileConfig(
            profile_name="sendboard", target_name="warehouse", profiles_yml_filepath=DBT_PROJECT / "profiles.yml"
        ),
        # WATCHER's producer builds the models; every dbt test then runs once, in one task, after them
        # no Asset per model: no DAG consumes them, and each model's task would write an Asset event
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST, test_behavior=TestBehavior.AFTER_ALL, emit_datasets=False
        ),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.WATCHER,
            setup_operator_args={"pool": WAREHOUSE_POOL},
        ),
        operator_args={
            "append_env": True,
            # a consumer retried in Cosmos' local fallback would open the warehouse beside the producer
            "retries": 0,
            # reschedule, not poke or defer: a waiting sensor frees its slot (and lets dag.test(),
            # which runs one task at a time, get to the producer) and needs no triggerer
            "deferrable": False,
            "mode": "reschedule",
            "poke_interval": MODEL_POKE_SECONDS,
        },
    )
    # the tests run in a task of their own after the build (TestBehavior.AFTER_ALL): it opens the
    # warehouse too, so it takes the writers' pool slot like the producer
    for operator in group.children.values():
        if operator.task_id.endswith("dbt_test"):
            operator.pool = WAREHOUSE_POOL
    return group


# The publish DAG's tasks: each maps the package's outcome to Airflow's (skip, fail without retry)


@task(retries=0, pool=WAREHOUSE_POOL)
def select_inputs() -> dict:
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    from sendboard.errors import NotReady
    from sendboard.publish.board import select_inputs as select
    from sendboard.publish.inputs import choose_period, month_of_run
    from sendboard.warehouse.integrity import WarehouseDamaged

    context = get_current_context()
    run_type = str(context["dag_run"].run_type).rsplit(".", 1)[-1].lower()
    requested = context["params"].get("period") or month_of_run(run_type, context.get("logical_date"))
    months = event_periods(context.get("triggering_asset_events"))
    try:
        return select(choose_period(requested, months), context["run_id"])
    except NotReady as not_ready:
        if run_type == "scheduled":  # the extracts' Asset events will trigger the month's run
            raise AirflowSkipException(f"{not_ready} - the run the extracts trigger will publish it") from not_ready
        raise AirflowFailException(str(not_ready)) from not_ready  # not retried: a person must act
    except WarehouseDamaged as damaged:
        raise AirflowFailException(str(damaged)) from damaged


@task.branch(retries=0)
def build_or_reuse_warehouse(inputs: dict, build: list[str]) -> list[str]:
    """Skip dbt when the warehouse was built, tested and checked from exactly the landed
    inputs there are now (e.g. every month of a backfill after the first)."""
    import logging

    if inputs["reuse_warehouse"]:
        logging.getLogger(__name__).info(
            "dbt skipped: run %s built the warehouse from exactly these landed inputs and its dbt "
            "tests and mart checks passed",
            inputs["reuse_warehouse"],
        )
        return ["check_marts"]
    return [*build, "check_marts"]


# after dbt's tests, or straight after the branch when dbt was skipped; never after a failure
@task(retries=0, pool=WAREHOUSE_POOL, trigger_rule="none_failed_min_one_success")
def check_marts(inputs: dict) -> dict:
    from airflow.sdk.exceptions import AirflowFailException

    from sendboard.errors import ChecksFailed
    from sendboard.publish.mart_checks import check_marts as check

    try:
        return check(inputs, get_current_context()["run_id"])
    except ChecksFailed as failed:
        raise AirflowFailException(str(failed)) from failed


# its Asset event (a new version or "unchanged") triggers refresh_analytics_copy
@task(pool=WAREHOUSE_POOL, outlets=[PUBLISHED])
def publish(inputs: dict, checks: dict) -> dict:
    from airflow.sdk.exceptions import AirflowFailException

    from sendboard.errors import NotReady
    from sendboard.publish.board import publish as publish_month

    context = get_current_context()
    try:
        publication = publish_month(inputs, checks, context["run_id"])
    except NotReady as changed:
        raise AirflowFailException(str(changed)) from changed
    context["outlet_events"][PUBLISHED].extra = {key: publication[key] for key in ("period", "status", "version")}
    return publication


def publish_dag(doc_md: str) -> DAG:
    with DAG(
        dag_id="publish_board_snapshot",
        schedule=AssetOrTimeSchedule(
            timetable=MONTHLY, assets=LANDED["case_management"] & LANDED["health_waiting_lists"]
        ),
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        doc_md=doc_md,
        tags=["sendboard", "publish", "dbt"],
        params={"period": period_param("YYYY-MM to build and publish; empty = from the Asset events")},
    ) as dag:
        inputs = select_inputs()
        dbt_build = _dbt_task_group()
        branch = build_or_reuse_warehouse(inputs, [t.task_id for t in dbt_build.get_roots()])
        checks = check_marts(inputs)
        branch >> [dbt_build, checks]
        dbt_build >> checks
        publish(inputs, checks)
    return dag
