"""The Assets the DAGs pass between them: one per source, updated when a period lands.

Each event's extra carries {"period": "YYYY-MM", ...}, so a downstream DAG
knows which month to build.
"""

from airflow.sdk import Asset

LANDED = {
    source: Asset(name=f"landed_{source}", uri=f"sendboard://landed/{source}", group="sendboard")
    for source in ("case_management", "health_waiting_lists", "school_census")
}
