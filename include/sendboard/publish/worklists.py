"""The casework teams' worklists for month M: the cases to act on at the month end E, one list per team,
as CSV and XLSX under $SENDBOARD_HOME/restricted/worklists/<M>/, most urgent first.

They carry record ids and pseudonyms only (the team finds the child in its own system by the record
id), but they are record-level: the restricted folder is readable by its owner only, and nothing here
is ever written under published/. The lists are dbt views (dbt/models/worklists/); this module writes
the month's rows. Every list has its header even when it is empty. The month's folder is replaced
whole, so a reader never sees lists of two different runs.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from pathlib import Path

from sendboard import sql
from sendboard.ingest.folders import swap_into_place
from sendboard.publish import csv_files, xlsx

log = logging.getLogger(__name__)

# file name -> (dbt model, order: most urgent first)
WORKLISTS = {
    "assessments_20_weeks": ("worklist_assessments_20_weeks", "days_left, received_date, request_id"),
    "decisions_6_weeks": ("worklist_decisions_6_weeks", "days_left, received_date, request_id"),
    "advice_overdue": ("worklist_advice_overdue", "advice_type, days_waiting desc, advice_id"),
    "annual_reviews_due": ("worklist_annual_reviews_due", "days_left, plan_id"),
    "long_waits": ("worklist_long_waits", "service, provider_code, days_waiting desc, referral_id"),
}
OWNER_ONLY = 0o700
# the list whose cases move each KPI (the restricted detail pack links them)
KPI_WORKLISTS = {
    "T1_DECISIONS_6WK": "decisions_6_weeks",
    "T1_HEALTH_WAIT_18WK": "long_waits",
    "T1_SALT_MEDIAN_WAIT": "long_waits",
    "T1_ND_WAIT_52WK": "long_waits",
    "T2_EHCP_20WK_INCL": "assessments_20_weeks",
    "T2_EHCP_20WK_EXCL": "assessments_20_weeks",
    "T2_EHCP_20WK_EXCL_R12": "assessments_20_weeks",
    "T2_ADVICE_6WK": "advice_overdue",
    "T2_HEALTH_ADVICE_6WK": "advice_overdue",
    "T2_AR_OVERDUE": "annual_reviews_due",
}


def restricted_root(home: Path) -> Path:
    """$SENDBOARD_HOME/restricted/, readable by its owner only (made so if it is not)."""
    root = home / "restricted"
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, OWNER_ONLY)
    return root


def restricted_folder(home: Path, name: str) -> Path:
    """$SENDBOARD_HOME/restricted/<name>/, owner-only like the root (made so if it is not)."""
    folder = restricted_root(home) / name
    folder.mkdir(exist_ok=True)
    os.chmod(folder, OWNER_ONLY)
    return folder


def folder(home: Path, period: str) -> Path:
    return restricted_folder(home, "worklists") / period


def write(con, home: Path, period: str) -> dict[str, int]:
    """Write month M's worklists from the warehouse (`con`); returns the rows in each list."""
    target = folder(home, period)
    staging = target.with_name(f".{period}.{uuid.uuid4().hex}.tmp")
    staging.mkdir(mode=OWNER_ONLY)
    counts = {}
    try:
        for name, (model, order) in WORKLISTS.items():
            # the month's rows once, in the teams' order: both files are written from this table
            con.execute(
                f"create or replace temp table worklist_rows as select * exclude (period) "
                f"from restricted.{model} where period = ? order by {order}",
                [period],
            )
            csv_files.copy_table(con, "worklist_rows", staging / f"{name}.csv")
            xlsx.write(con, "worklist_rows", staging / f"{name}.xlsx", name)
            counts[name] = sql.one(con, "select count(*) from worklist_rows")[0]
        con.execute("drop table if exists worklist_rows")
        swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("%s: worklists in %s: %s", period, target, ", ".join(f"{n} {c}" for n, c in counts.items()))
    return counts


def detail_pack_path(home: Path, period: str) -> Path:
    return restricted_folder(home, "board_pack_detail") / f"{period}.html"


def write_detail_pack(home: Path, period: str, page: str) -> Path:
    """restricted/board_pack_detail/<M>.html, written whole and then renamed into place."""
    target = detail_pack_path(home, period)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    temporary.write_text(page, encoding="utf-8")
    os.chmod(temporary, 0o600)
    os.replace(temporary, target)
    return target
