"""
### Extract: SEND case management (monthly)

Lands the case-management export of a month (requests, advice, plans,
annual reviews, plan audits) from `<inbox>/case_management/<YYYY-MM>/`:
waits until every table is there, reads and checks every file and row rule,
pseudonymises identifiers, writes Parquet under
`$SENDBOARD_HOME/raw/case_management/period=<YYYY-MM>/`, runs the raw-layer
Great Expectations suites and updates the `landed_case_management` Asset
with the period, which triggers the board build.

Runs at 06:00 on the 1st for the month before; trigger with
`{"period": "YYYY-MM"}` to (re)land a given month.

**When it fails**
- `wait_for_complete_period` timed out: a table is missing from the inbox
  folder; the task log names it. Ask the council's SEND team to send it.
- `land` failed: a file broke a file rule (or more than 2% of its rows broke
  row rules). The log and `$SENDBOARD_HOME/quarantine/case_management/<period>/`
  name file, rule, column and rows. Nothing of the period was landed; once a
  corrected file is in the inbox, clear the task.
- `check_landed` failed: landed data broke an expectation; see
  `$SENDBOARD_HOME/data_quality/case_management/<period>/raw_checks.json`.
"""

from sendboard.orchestration.extract_dag import extract_dag

# airflow: the DAG processor only parses files that mention airflow and dag
dag = extract_dag("case_management", schedule="0 6 1 * *", doc_md=__doc__, wait_days=14)
