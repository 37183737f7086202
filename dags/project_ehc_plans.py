"""
### Projection: EHC plans in force for the next 36 months

Runs after every publication (the `published_board_snapshot` Asset), for each
month the publication names. From the warehouse's extracts up to that month
only, it learns how plans age, cease, move between placement categories and
arrive, simulates the next 36 months, and writes
`$SENDBOARD_HOME/published/projection/<M>/`: `board_projection.csv` (median,
80% and 95% intervals in total, by DSG placement category, age group, need,
and category by age group), `projection_backtest.csv` (its track record) and
`projection_notes.json`. Versioned and atomic like the snapshot; projected
counts are rounded to the nearest 5.

**When it fails** the board's publication is not affected and the last
projection stays in place, named by its month; the alert names the task. Fix
the cause, then clear the task or trigger the DAG. To project one published
month again (after editing `placement_costs.csv`, say), trigger it with
`{"period": "YYYY-MM"}`.
"""

from sendboard.orchestration.projection_dag import projection_dag

# airflow: the DAG processor only parses files that mention airflow and dag
dag = projection_dag(doc_md=__doc__)
