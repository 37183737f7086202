"""The DAGs' run parameters."""

from __future__ import annotations

from airflow.sdk import Param

from sendboard import periods


def period_param(description: str) -> Param:
    """`period`: the month a run works on, YYYY-MM, or empty for the DAG's own choice (`description`)."""
    return Param(None, type=["null", "string"], pattern=periods.PERIOD_REGEX, description=description)
