"""
### Extract: health waiting lists (monthly)

Lands the children's community health services waiting-list export of a
month (`referrals`) from `<inbox>/health_waiting_lists/<YYYY-MM>/`: waits
for it, checks every file and row rule, pseudonymises NHS numbers, writes
Parquet under `$SENDBOARD_HOME/raw/health_waiting_lists/period=<YYYY-MM>/`,
runs the raw-layer Great Expectations suite and updates the
`landed_health_waiting_lists` Asset with the period.

Runs at 06:00 on the 1st for the month before; trigger with
`{"period": "YYYY-MM"}` to (re)land a given month.

**When it fails**
- `wait_for_complete_period` timed out: `referrals` is missing; ask the trust.
- `land` failed: the file broke a rule; the log and
  `$SENDBOARD_HOME/quarantine/health_waiting_lists/<period>/` say which rule,
  column and rows. Nothing was landed; clear the task once a corrected file
  is in the inbox.
- `check_landed` failed: see
  `$SENDBOARD_HOME/data_quality/health_waiting_lists/<period>/raw_checks.json`.
"""

from sendboard.orchestration.extract_dag import extract_dag

# airflow: the DAG processor only parses files that mention airflow and dag
dag = extract_dag("health_waiting_lists", schedule="0 6 1 * *", doc_md=__doc__, wait_days=14)
