"""
### Extract: school census (termly: October, January, May)

Lands the school census (`schools`, `pupils`) of a census month from
`<inbox>/school_census/<YYYY-MM>/`: waits for both tables, checks every
rule, pseudonymises UPNs, writes Parquet under
`$SENDBOARD_HOME/raw/school_census/period=<YYYY-MM>/`, runs the raw-layer
Great Expectations suites and updates the `landed_school_census` Asset.

Runs at 06:00 on 1 February, 1 June and 1 November for the census month
before; trigger with `{"period": "YYYY-01|05|10"}` to (re)land a census.
A month's board snapshot uses the latest census at or before it; while a
census is rejected, months that need it are not published.

**When it fails**
- `wait_for_complete_period` timed out: a table is missing; ask the
  council's census team.
- `land` failed: see the log and
  `$SENDBOARD_HOME/quarantine/school_census/<period>/` (rule, column, rows).
- `check_landed` failed: see
  `$SENDBOARD_HOME/data_quality/school_census/<period>/raw_checks.json`.
"""

from sendboard.orchestration.extract_dag import extract_dag

# airflow: the DAG processor only parses files that mention airflow and dag
dag = extract_dag("school_census", schedule="0 6 1 2,6,11 *", doc_md=__doc__, wait_days=30)
