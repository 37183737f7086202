"""The Assets the DAGs pass between them: one per source, updated when a period lands, and the
board snapshot, updated when a month is published.

Each event's extra carries {"period": "YYYY-MM", ...}, so a downstream DAG
knows which month to build.
"""

from airflow.sdk import Asset

LANDED = {
    source: Asset(name=f"landed_{source}", uri=f"sendboard://landed/{source}", group="sendboard")
    for source in ("case_management", "health_waiting_lists", "school_census")
}

# the DfE's statistics, landed by extract_dfe_statistics: the next publication's comparators read them
DFE_STATISTICS = Asset(name="landed_dfe_statistics", uri="sendboard://landed/dfe_statistics", group="sendboard")
# NHS England's CHS waiting-list workbooks, landed by extract_nhs_statistics: the health comparators read them
NHS_STATISTICS = Asset(name="landed_nhs_statistics", uri="sendboard://landed/nhs_statistics", group="sendboard")

# every publish run that succeeds (a new version or "unchanged") updates it; the analysts' copy follows it
PUBLISHED = Asset(name="published_board_snapshot", uri="sendboard://published/board_snapshot", group="sendboard")

# every projection run that succeeds (project_ehc_plans); the analysts' copy follows it too
PROJECTED = Asset(name="published_projection", uri="sendboard://published/projection", group="sendboard")


def event_periods(triggering_asset_events) -> list[str]:
    """The periods named by a run's triggering Asset events (each event's extra carries "period")."""
    return sorted(
        {
            e.extra["period"]
            for events in (triggering_asset_events or {}).values()
            for e in events
            if e.extra and e.extra.get("period")
        }
    )
