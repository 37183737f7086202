"""
### Publish: the month's board snapshot

Runs when both monthly extracts (`landed_case_management` and
`landed_health_waiting_lists`) have landed a month M, or on demand with
`{"period": "YYYY-MM"}`. Its monthly time schedule (06:00 on the 1st, for
the month before) is what `airflow backfill create` uses to publish a range
of past months (docs/operations.md, "Backfill"); a scheduled run whose month has not
landed yet is skipped and left to the run the extracts trigger. It

1. `select_inputs`: checks both extracts of M landed and that the census in
   force (the latest complete census at or before M) landed too; no silent
   fall-back to an older census;
2. `dbt_build`: one `dbt build` (seeds, staging, intermediate, marts, every
   dbt test) rendered by Cosmos; one sensor per model shows progress.
   `build_or_reuse_warehouse` skips it when the last build was made from
   exactly the landed inputs there are now and passed its dbt tests and
   mart checks (the task log names that run): every month of a backfill
   after the first;
3. `check_marts`: Great Expectations on the marts (every KPI present, values
   in range, numerators <= denominators); history gaps and large
   month-on-month jumps are logged as warnings;
4. `publish`: writes `$SENDBOARD_HOME/published/<M>/board_snapshot.csv` and
   `.parquet` atomically as a new version, or nothing if unchanged, and logs
   the run summary (also in `publication.run_metadata`). Its event on the
   `published_board_snapshot` Asset triggers `refresh_analytics_copy`, the
   analysts' read-only copy, in a DAG of its own.

**When it fails** nothing is published, earlier publications are untouched,
and the alert (e-mail/webhook) names the month, the rule and the report.
- `select_inputs`: an input of M is missing or was rejected; the log says
  which. Fix the extract (see its DAG), then clear this run.
- `dbt_build`: a dbt model or test failed; the producer task's log names it.
- `check_marts`: see `$SENDBOARD_HOME/data_quality/board/<M>/mart_checks.json`
  and the Data Docs under `$SENDBOARD_HOME/gx/`.
"""

from sendboard.orchestration.publish_dag import publish_dag

# airflow: the DAG processor only parses files that mention airflow and dag
dag = publish_dag(doc_md=__doc__)
