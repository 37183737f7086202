"""
### Watch: the board snapshot's publication deadline (daily)

Every morning, checks that last month's board snapshot is published once
the deadline has come: day `sendboard_publication_deadline_day` (an Airflow
variable, default 15) of the following month. From that day until the
month is published, the check fails and the failure alert (e-mail and/or
webhook) says which month is late and what it is waiting for (a missing
extract, a rejected census, or a failed publish run). It reads only the
published folder: it never waits for the warehouse.

**When it fails** the month is late: follow the reason in the alert (the
extract DAG of the missing source, or `publish_board_snapshot`).
"""

from airflow.sdk import DAG, get_current_context, task

from sendboard.orchestration.airflow_env import START_DATE
from sendboard.orchestration.params import default_args

# airflow: the DAG processor only parses files that mention airflow and dag
with DAG(
    dag_id="watch_publication_deadline",
    schedule="0 8 * * *",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(retries=0),
    doc_md=__doc__,
    tags=["sendboard", "monitoring"],
) as dag:

    @task
    def check_publication_deadline() -> str:
        from airflow.sdk.exceptions import AirflowFailException

        from sendboard.operations.deadline import PublicationLate, check_today

        context = get_current_context()
        run_date = (context.get("logical_date") or context["dag_run"].run_after).date()
        try:
            return check_today(run_date)
        except PublicationLate as late:
            raise AirflowFailException(str(late)) from late

    check_publication_deadline()
