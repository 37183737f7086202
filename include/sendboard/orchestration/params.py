"""What every DAG's declaration shares: its default task arguments and its `period` parameter."""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Param

from sendboard import periods
from sendboard.operations.alerts import on_task_failure

OWNER = "sendboard-data-engineering"


def default_args(retries: int, retry_delay: timedelta | None = None) -> dict:
    """Retries (with exponential back-off) for transient trouble only: tasks that meet bad data or a
    missing input fail at once (AirflowFailException) and say why. Every final failure alerts."""
    args: dict = {"owner": OWNER, "retries": retries, "on_failure_callback": on_task_failure}
    if retry_delay is not None:
        args.update(retry_delay=retry_delay, retry_exponential_backoff=True)
    return args


def period_param(description: str) -> Param:
    """`period`: the month a run works on, YYYY-MM, or empty for the DAG's own choice (`description`)."""
    return Param(None, type=["null", "string"], pattern=periods.PERIOD_REGEX, description=description)
