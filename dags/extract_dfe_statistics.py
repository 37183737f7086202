"""
### Extract: DfE published statistics (weekly, or when a file arrives)

Lands what a council drops into `<inbox>/dfe_statistics/` for the board's
comparators (England, region, statistical neighbours): the DfE "Education,
health and care plans" release zip as downloaded from Explore Education
Statistics (or its extracted `data/*.csv`), and the DfE statistical
neighbours workbook (`.xlsx`). Each file is read in its own format and
checked, then written as Parquet under `$SENDBOARD_HOME/raw/dfe_statistics/`
(the dbt source `dfe_statistics`). A newer release replaces an older one for
the years it covers; the newest workbook replaces the last.

Every Monday at 07:00 `wait_for_new_files` waits up to a week for a file
not seen before (so a file dropped mid-week lands within half an hour);
a week without one is skipped, not failed. Trigger the DAG to land a file
at once. The next board publication uses what landed.

**When it fails**
- `land` failed: a file is not what it claims (not the DfE release, a
  column missing, a value that is neither a number nor a DfE code); the log
  and the alert name the file and column. The other files were landed; the
  board's comparators keep using the files landed before, and the pack says
  a file was rejected. Replace the file in the inbox; the next run lands it.
"""

from sendboard.orchestration.dfe_dag import dfe_dag

# airflow: the DAG processor only parses files that mention airflow and dag
dag = dfe_dag(doc_md=__doc__)
