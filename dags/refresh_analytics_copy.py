"""
### Analysts' copy: refresh after each publication

Runs after every successful publish run (the `published_board_snapshot`
Asset), or on demand. `refresh_analytics_copy` writes the `analytics` views
of the warehouse (dbt models, documented, pseudonymised) as tables into a new
`$SENDBOARD_HOME/analytics/sendboard_analytics.duckdb` and swaps it in with
one rename: an analyst's open connection keeps the copy it opened. The
pupil-level census table is carried over from the previous copy while the
census inputs are unchanged.

It runs apart from the publish DAG so that the board's publication never
waits for, or fails with, the analysts' copy. It takes the warehouse pool's
one slot, like every task that opens the warehouse.

**When it is skipped** the warehouse's last dbt build has not passed its
tests and checks (another publish run is building it, or it failed): the
previous copy stays, and the next publication refreshes it.

**When it fails** (a full disk, say) the previous copy stays whole and the
board's publication is not affected; the alert names the task. Fix the
cause, then clear the task or trigger the DAG.
"""

from sendboard.orchestration.analytics_dag import analytics_dag

# airflow: the DAG processor only parses files that mention airflow and dag
dag = analytics_dag(doc_md=__doc__)
