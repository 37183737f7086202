"""Every DAG file imports cleanly with no network or database reachable, and declares what on-call needs."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

DAGS_FOLDER = Path(__file__).resolve().parents[2] / "dags"

# every dbt model, one sensor each: a model dropped from the manifest or the render shows here
DBT_MODELS = sorted(
    [
        *(f"stg_case_management__{t}" for t in ("advice", "annual_reviews", "plan_audits", "plans", "requests")),
        "stg_health_waiting_lists__referrals",
        "stg_school_census__pupils",
        "stg_school_census__schools",
        *(
            f"stg_dfe_statistics__{t}"
            for t in ("annual_reviews", "caseload", "requests", "statistical_neighbours", "timeliness_20_week")
        ),
        "stg_nhs_statistics__chs_waiting_lists",
        "int_months",
        "int_census_pupils_in_force",
        "int_plans_active_at_month_end",
        "int_referrals_waiting_at_month_end",
        "int_referrals_waiting_by_service",
        "int_kpi_records",
        "kpi_records",
        "analytics_kpi_records",
        "fct_kpi_values",
        *(
            f"worklist_{w}"
            for w in ("advice_overdue", "annual_reviews_due", "assessments_20_weeks", "decisions_6_weeks", "long_waits")
        ),
        "board_snapshot_candidates",
        *("census_pupils_by_term", "kpi_by_month", "plans_active_by_month", "referrals_waiting_by_month"),
        "health_waits",
    ]
)


@pytest.fixture(scope="module")
def dag_bag():
    """Parse the DAG folder with every outgoing connection refused, as in an offline deployment."""
    from airflow.dag_processing.dagbag import DagBag

    def refuse(*args, **kwargs):
        raise AssertionError("a DAG file opened a network connection at import")

    original_connect, original_create = socket.socket.connect, socket.create_connection
    socket.socket.connect, socket.create_connection = refuse, refuse
    try:
        return DagBag(str(DAGS_FOLDER))
    finally:
        socket.socket.connect, socket.create_connection = original_connect, original_create


def test_every_dag_file_imports_without_error(dag_bag):
    assert dag_bag.import_errors == {}
    # Airflow imports DAG files under names of its own and records their warnings here: a deprecated
    # use in a DAG file shows here even where a filter by module name would miss it
    assert dag_bag.captured_warnings == {}
    files = {p.name for p in DAGS_FOLDER.glob("*.py")}
    assert {Path(d.fileloc).name for d in dag_bag.dags.values()} == files


def test_the_dag_processor_will_not_skip_any_file():
    # its safe-mode heuristic parses a file only if it contains both words
    for path in DAGS_FOLDER.glob("*.py"):
        text = path.read_text().lower()
        assert "airflow" in text and "dag" in text, path.name


def test_extract_dags_exist_for_every_source(dag_bag):
    assert {"extract_case_management", "extract_health_waiting_lists", "extract_school_census"} <= set(dag_bag.dags)


@pytest.mark.parametrize("dag_id", ["extract_case_management", "extract_health_waiting_lists", "extract_school_census"])
def test_dags_declare_owner_tags_retries_docs_and_their_asset(dag_bag, dag_id):
    dag = dag_bag.dags[dag_id]
    assert "sendboard" in dag.tags
    assert "When it fails" in dag.doc_md
    tasks = {t.task_id: t for t in dag.tasks}
    assert all(t.owner == "sendboard-data-engineering" for t in tasks.values())
    assert tasks["land"].retries == 2 and tasks["check_landed"].retries == 2
    assert tasks["resolve_period"].retries == 0
    assert [o.name for o in tasks["check_landed"].outlets] == [f"landed_{dag_id.removeprefix('extract_')}"]
    assert tasks["wait_for_complete_period"].mode == "reschedule"


def test_publish_dag_runs_one_dbt_build_and_writes_the_warehouse_through_one_pool(dag_bag):
    dag = dag_bag.dags["publish_board_snapshot"]
    assert "When it fails" in dag.doc_md and "sendboard" in dag.tags
    tasks = {t.task_id: t for t in dag.tasks}
    producers = [t for t in tasks if t.endswith("dbt_producer_watcher")]
    assert producers == ["dbt_build.dbt_producer_watcher"]
    for task_id in ("select_inputs", "dbt_build.dbt_producer_watcher", "dbt_build.dbt_test", "check_marts", "publish"):
        assert tasks[task_id].pool == "sendboard_warehouse", task_id
    # model sensors wait in reschedule mode and are not retried (a retry would run dbt beside the producer)
    # the ephemeral models (inlined as CTEs) are EmptyOperators: nothing to watch
    empty = [t for t in tasks.values() if type(t).__name__ == "EmptyOperator" and t.task_id.endswith("_run")]
    themes = ("t1_support", "t2_plans", "t3_provision", "t4_adulthood", "x_cross_cutting")
    assert sorted(t.task_id.removeprefix("dbt_build.") for t in empty) == sorted(
        f"int_kpi_{step}__{theme}_run" for step in ("measures", "records") for theme in themes
    )
    sensors = [t for t in tasks.values() if t.task_id.endswith("_run") and type(t).__name__ != "EmptyOperator"]
    assert sorted(t.task_id.removeprefix("dbt_build.").removesuffix("_run") for t in sensors) == DBT_MODELS
    assert all(t.mode == "reschedule" and t.retries == 0 for t in sensors)
    # the month's build and tests leave out dbt's unit tests (fixed inputs): make test runs them
    assert tasks["dbt_build.dbt_test"].env["DBT_EXCLUDE_RESOURCE_TYPES"] == "unit_test"
    # dbt writes the warehouse of the home select_inputs resolved (which may be an Airflow variable)
    assert tasks["dbt_build.dbt_producer_watcher"].env["SENDBOARD_HOME"] == (
        "{{ ti.xcom_pull(task_ids='select_inputs')['home'] }}"
    )
    upstream = tasks["publish"].upstream_task_ids
    assert "check_marts" in upstream and "select_inputs" in upstream
    # the branch before dbt leads to every first task of the dbt group and to the checks, which run
    # after dbt's tests, or straight after the branch when dbt is skipped, but never after a failure
    branch = tasks["build_or_reuse_warehouse"]
    group_roots = {t for t in tasks if t.startswith("dbt_build.") and not tasks[t].upstream_task_ids - {branch.task_id}}
    assert {"dbt_build.dbt_producer_watcher", "dbt_build.kpi_catalogue_seed"} <= group_roots
    assert branch.downstream_task_ids == group_roots | {"check_marts"}
    assert {"dbt_build.dbt_test", "build_or_reuse_warehouse"} <= tasks["check_marts"].upstream_task_ids
    assert tasks["check_marts"].trigger_rule == "none_failed_min_one_success"
    assert {a.name for a in dag.timetable.asset_condition.objects} == {
        "landed_case_management",
        "landed_health_waiting_lists",
    }


def test_the_analysts_copy_follows_each_publication_in_a_dag_of_its_own(dag_bag):
    publish = {t.task_id: t for t in dag_bag.dags["publish_board_snapshot"].tasks}
    assert [o.name for o in publish["publish"].outlets] == ["published_board_snapshot"]
    dag = dag_bag.dags["refresh_analytics_copy"]
    assert "When it fails" in dag.doc_md and "sendboard" in dag.tags and dag.max_active_runs == 1
    # after a publication or a projection, whichever comes
    condition = dag.timetable.asset_condition
    assert type(condition).__name__ == "AssetAny"
    assert {a.name for a in condition.objects} == {"published_board_snapshot", "published_projection"}
    [refresh] = dag.tasks
    # it opens the warehouse: one slot with every writer, so it never copies a build half-done
    assert refresh.task_id == "refresh_analytics_copy" and refresh.pool == "sendboard_warehouse"
    assert refresh.owner == "sendboard-data-engineering" and refresh.retries == 1


def test_the_projection_follows_each_publication_in_a_dag_of_its_own(dag_bag):
    dag = dag_bag.dags["project_ehc_plans"]
    assert "When it fails" in dag.doc_md and "sendboard" in dag.tags and dag.max_active_runs == 1
    # the publication's Asset: the board snapshot never waits for it
    assert {a.name for a in dag.timetable.asset_condition.objects} == {"published_board_snapshot"}
    assert "project_ehc_plans" not in {t.task_id for t in dag_bag.dags["publish_board_snapshot"].tasks}
    [project] = dag.tasks
    assert project.pool == "sendboard_warehouse" and project.owner == "sendboard-data-engineering"
    assert [o.name for o in project.outlets] == ["published_projection"]
    # an operator can project one published month again (a backfill's events name each month)
    assert dag.params.get_param("period").value is None


def test_schedules(dag_bag):
    assert dag_bag.dags["extract_case_management"].timetable.expression == "0 6 1 * *"
    assert dag_bag.dags["extract_school_census"].timetable.expression == "0 6 1 2,6,11 *"


def test_every_task_alerts_on_failure_and_bad_data_is_not_retried(dag_bag):
    from sendboard.operations.alerts import on_task_failure

    for dag in dag_bag.dags.values():
        for task in dag.tasks:
            callbacks = (
                task.on_failure_callback if isinstance(task.on_failure_callback, list) else [task.on_failure_callback]
            )
            assert on_task_failure in callbacks, f"{dag.dag_id}.{task.task_id}"
    publish = {t.task_id: t for t in dag_bag.dags["publish_board_snapshot"].tasks}
    assert publish["select_inputs"].retries == 0 and publish["check_marts"].retries == 0
    assert publish["publish"].retries == 1 and publish["publish"].retry_exponential_backoff
    watch = dag_bag.dags["watch_publication_deadline"]
    assert watch.timetable.expression == "0 8 * * *" and watch.tasks[0].retries == 0


def test_the_publish_dag_can_be_backfilled_and_is_triggered_by_both_extracts(dag_bag):
    timetable = dag_bag.dags["publish_board_snapshot"].timetable
    # a time schedule beside the Assets is what `airflow backfill create` needs (the integration test
    # backfills it); each time-based run works on the month before its date
    assert timetable.timetable.expression == "0 6 1 * *"
    assert {a.name for a in timetable.asset_condition.objects} == {
        "landed_case_management",
        "landed_health_waiting_lists",
    }


@pytest.mark.parametrize("source", ["dfe_statistics", "nhs_statistics"])
def test_the_statistics_dags_wait_a_week_for_a_new_file_and_land_their_asset(dag_bag, source):
    dag = dag_bag.dags[f"extract_{source}"]
    assert "When it fails" in dag.doc_md and "sendboard" in dag.tags
    tasks = {t.task_id: t for t in dag.tasks}
    sensor = tasks["wait_for_new_files"]
    # weekly, and a week without a new DfE file is a skipped run, not a failure
    assert (sensor.mode, sensor.soft_fail, sensor.timeout) == ("reschedule", True, 6 * 86400 + 23 * 3600)
    assert tasks["land"].upstream_task_ids == {"wait_for_new_files"}
    assert [o.name for o in tasks["land"].outlets] == [f"landed_{source}"]
    assert all(t.owner == "sendboard-data-engineering" for t in tasks.values())
