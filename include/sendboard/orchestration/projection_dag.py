"""Builds the DAG that projects EHC plans after each publication. The work is in sendboard.projection."""

from __future__ import annotations

from airflow.sdk import DAG, get_current_context, task

from sendboard.orchestration.airflow_env import START_DATE, WAREHOUSE_POOL
from sendboard.orchestration.assets import PROJECTED, PUBLISHED, event_periods
from sendboard.orchestration.params import period_param
from sendboard.orchestration.publish_dag import DEFAULT_ARGS


def projection_dag(doc_md: str) -> DAG:
    with DAG(
        dag_id="project_ehc_plans",
        # on the publication's Asset: the board snapshot never waits for the projection
        schedule=[PUBLISHED],
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        doc_md=doc_md,
        tags=["sendboard", "projection"],
        params={"period": period_param("YYYY-MM to project (published); empty = from the Asset events")},
    ) as dag:
        # it reads the warehouse, so it takes the writers' pool slot: no dbt build runs beside it
        # its event makes the analysts' copy carry the new projection
        @task(pool=WAREHOUSE_POOL, outlets=[PROJECTED])
        def project_ehc_plans() -> list[dict]:
            from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

            from sendboard import config
            from sendboard.errors import ProjectionInputError
            from sendboard.projection.run import latest_published_month, project_and_publish
            from sendboard.warehouse.integrity import published_versions

            home = config.home()
            context = get_current_context()
            # the month asked for; else every month the triggering publications name (a backfill
            # publishes several); else the latest
            requested = context["params"].get("period")
            if requested and requested not in published_versions(home):
                raise AirflowFailException(f"{requested} is not published: there is nothing to project it from")
            months = [requested] if requested else event_periods(context.get("triggering_asset_events"))
            if not months:
                latest = latest_published_month(home)
                if latest is None:
                    raise AirflowSkipException("no month is published yet: nothing to project")
                months = [latest]
            try:
                return [project_and_publish(home, month) for month in months]
            except ProjectionInputError as bad_seed:
                # a seed that breaks its form is the council's to fix: no retry, the alert says where
                raise AirflowFailException(str(bad_seed)) from bad_seed

        project_ehc_plans()
    return dag
