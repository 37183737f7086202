"""
### Extract: NHS England's community health waiting lists (weekly, or when a file arrives)

Lands what a council (or its ICB analyst) drops into `<inbox>/nhs_statistics/`
for the board's health comparators: NHS England's monthly "Community Health
Services Waiting Times" workbooks (`.xlsx`, any number of months, as
downloaded). Each is read by its content (the data month from its own
titles or Contents sheet, the header by its service labels, the
organisations by their columns' names or contents) and written as Parquet
under `$SENDBOARD_HOME/raw/nhs_statistics/` (the dbt source
`nhs_statistics`). For the same data month, the workbook landed last wins.

Every Monday at 07:00 `wait_for_new_files` waits up to a week for a file
not seen before; a week without one is skipped, not failed. Trigger the DAG
to land a file at once. The next board publication uses what landed; no
publication waits for this DAG.

**When it fails**
- `land` failed: a workbook could not be understood (no Table 4, 4f or 4g,
  no data month in its titles or Contents, no header row of service labels,
  no England row) or broke a bound; the log and the alert name the file and
  sheet. The other files were landed; the health comparators keep using the
  months landed before, and the pack says a file was rejected.
"""

from sendboard.orchestration.dfe_dag import statistics_dag

# airflow: the DAG processor only parses files that mention airflow and dag
dag = statistics_dag("nhs_statistics", doc_md=__doc__)
