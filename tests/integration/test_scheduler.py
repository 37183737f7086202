"""The deployment's services run the pipeline on their own, watched through the REST API.

PostgreSQL (metadata DB), the api-server, scheduler, dag-processor and triggerer with the
LocalExecutor, and a real SMTP server all run on loopback (tests/integration/services.py). The tests
never call a DAG: they drop files into the inbox, unpause the DAGs, clear a task or create a backfill
through the REST API (what an engineer does), and wait for the scheduler.

The month is the one before today (the extract DAGs' latest 06:00-on-the-1st trigger), so the
files are generated for it when the test starts. The three tests run in order on one deployment:
1. before anything is published, the deadline watcher alerts that last month is late; then a
   month dropped in the inbox is landed by the scheduled extract runs and published by the
   Asset-triggered publish run; a run summary is in the task log and in publication.run_metadata;
2. a partner re-sends a file with a duplicated key; the engineer clears the landing; the run fails,
   an alert e-mail reaches the SMTP server naming month, source, rule and report, the file is
   quarantined with its report, and the published month is untouched;
3. two past months are published through Airflow 3's backfill, one warehouse writer at a time.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
import time
import urllib.parse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from sendboard import periods
from sendboard.contract import SOURCES
from tests.support.services import Airflow, Mailbox, Postgres
from tests.support.worker import PRINTED_WARNING

pytestmark = [pytest.mark.integration, pytest.mark.timeout(2400)]

NOW = datetime.now(UTC)
# what the extract DAGs' latest scheduled runs (06:00 UTC on the 1st) land: the month before that 1st
MONTH = periods.shift(periods.of(NOW.date()), -2 if (NOW.day, NOW.hour) < (1, 6) else -1)
PAST = [periods.shift(MONTH, -2), periods.shift(MONTH, -1)]  # the backfill's range
EXTRACTS = ["extract_case_management", "extract_health_waiting_lists", "extract_school_census"]
PUBLISH = "publish_board_snapshot"
WATCH = "watch_publication_deadline"
ANALYTICS = "refresh_analytics_copy"
WAREHOUSE_TASKS = {"select_inputs", "dbt_build.dbt_producer_watcher", "dbt_build.dbt_test", "check_marts", "publish"}


def census_in_force(month: str) -> str:
    months = SOURCES["school_census"].census_months
    return max(p for p in periods.span(periods.shift(month, -12), month) if periods.parse(p)[1] in months)


def trigger_of(month: str) -> str:
    """The logical date of the cron run that lands `month`: 06:00 UTC on the 1st of the month after."""
    return f"{periods.shift(month, 1)}-01T06:00:00Z"


@pytest.fixture(scope="module")
def deployment():
    from sendboard.devtools.generator import generate

    folder = Path(tempfile.mkdtemp(prefix="sendboard-services-"))
    inbox, home = folder / "inbox", folder / "home"
    generate(inbox, start=PAST[0], months=3)
    postgres, mailbox = Postgres(folder / "postgres"), Mailbox()
    airflow = Airflow(folder / "airflow", postgres, mailbox, inbox, home)
    try:
        postgres.start()
        mailbox.start()
        airflow.start()
        airflow.wait_healthy()
        yield {"airflow": airflow, "mailbox": mailbox, "inbox": inbox, "home": home}
    finally:
        airflow.stop()
        if hasattr(mailbox, "controller"):
            mailbox.stop()
        postgres.stop()
        # keep the services' logs for a failed CI run to look at (synthetic data only), then tidy up
        artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / "integration"
        artifacts.mkdir(parents=True, exist_ok=True)
        for log in (folder / "airflow").glob("*.log"):
            shutil.copy(log, artifacts / log.name)
        shutil.rmtree(folder, ignore_errors=True)


def _finished(airflow: Airflow, dag_id: str, run_type: str | None = None) -> list[dict]:
    return [
        r
        for r in airflow.runs(dag_id)
        if r["state"] in ("success", "failed") and (run_type is None or r["run_type"] == run_type)
    ]


def test_a_month_in_the_inbox_is_landed_and_published_by_the_scheduler(deployment):
    airflow, home = deployment["airflow"], deployment["home"]
    airflow.wait_for(
        "the dag-processor to register the DAGs",
        lambda: {*EXTRACTS, PUBLISH, WATCH} <= {d["dag_id"] for d in airflow.get("/api/v2/dags")["dags"]},
        timeout=180,
    )
    # nothing is published yet and the deadline (day 1 here) has passed: the watcher alerts
    _not_just_before_the_watchers_daily_run()
    airflow.patch(f"/api/v2/dags/{WATCH}", {"is_paused": False})
    [watch] = airflow.wait_for("the deadline watcher's run", lambda: _finished(airflow, WATCH), 300)
    assert watch["state"] == "failed"
    due = periods.shift(periods.of(date.fromisoformat(watch["logical_date"][:10])), -1)
    [late] = airflow.wait_for(
        "the late-publication e-mail",
        lambda: [m for m in deployment["mailbox"].messages if "not published" in m["Subject"]],
        timeout=120,
        every=2,
    )
    assert late["Subject"] == f"[sendboard] board snapshot for {due} not published by {periods.shift(due, 1)}-01"
    body = late.get_payload(decode=True).decode().replace("\r\n", "\n")
    assert "Rule: publication deadline\n" in body and f"{due}: the case_management extract has not landed" in body
    # publish first: its monthly cron makes a scheduled run now, which finds the month not landed
    # and leaves it to the Asset-triggered run (skipped, not failed: no false alarm)
    airflow.patch(f"/api/v2/dags/{PUBLISH}", {"is_paused": False})
    scheduled = airflow.wait_for("the publish DAG's scheduled run", lambda: _finished(airflow, PUBLISH), 300)
    assert [r["state"] for r in scheduled] == ["success"]
    states = {t["task_id"]: t["state"] for t in airflow.task_instances(PUBLISH, scheduled[0]["dag_run_id"])}
    assert states["select_inputs"] == "skipped" and states["publish"] == "skipped"

    for dag_id in [*EXTRACTS, ANALYTICS]:
        airflow.patch(f"/api/v2/dags/{dag_id}", {"is_paused": False})
    for dag_id in EXTRACTS:
        runs = airflow.wait_for(f"{dag_id} to finish", lambda d=dag_id: _finished(airflow, d), timeout=600)
        assert [(r["run_type"], r["state"]) for r in runs] == [("scheduled", "success")], dag_id
    published = airflow.wait_for(
        "the Asset-triggered publish run", lambda: _finished(airflow, PUBLISH, "asset_triggered"), timeout=900
    )
    assert [r["state"] for r in published] == ["success"]
    run_id = published[0]["dag_run_id"]

    snapshot = list(csv.DictReader(io.StringIO((home / "published" / MONTH / "board_snapshot.csv").read_text())))
    assert (
        len(snapshot) == 23 and {r["period"] for r in snapshot} == {MONTH} and {r["version"] for r in snapshot} == {"1"}
    )
    # the publication's Asset event triggers the analysts' copy, in a run of its own
    refreshed = airflow.wait_for(
        "the Asset-triggered analytics copy", lambda: _finished(airflow, ANALYTICS, "asset_triggered"), timeout=300
    )
    assert [r["state"] for r in refreshed] == ["success"]
    [refresh] = airflow.task_instances(ANALYTICS, refreshed[0]["dag_run_id"])
    assert refresh["state"] == "success"
    import duckdb

    with duckdb.connect(str(home / "analytics" / "sendboard_analytics.duckdb"), read_only=True) as copy:
        assert copy.execute("select latest_published_period from analytics.copy_info").fetchone() == (MONTH,)

    # the run summary, as the engineer reads it in the publish task's log through the API
    log = airflow.task_log(PUBLISH, run_id, "publish", 1)
    assert f"Run summary for {MONTH} (census {census_in_force(MONTH)}): published, version 1" in log
    assert "KPIs published: 23" in log
    # ... and in the warehouse: rows in = every data row of the month's files, counted here from the inbox
    expected_rows = _rows_in_inbox(deployment["inbox"], MONTH)

    con = duckdb.connect(str(home / "warehouse" / "sendboard.duckdb"), read_only=True)
    try:
        row = con.execute(
            "select run_id, status, version, rows_in, rows_left_out, kpis_published, checks_failed "
            "from publication.run_metadata where period = ?",
            [MONTH],
        ).fetchall()
    finally:
        con.close()
    assert row == [(run_id, "published", 1, expected_rows, 0, 23, 0)]


def _not_just_before_the_watchers_daily_run() -> None:
    """Unpaused in the minutes before 08:00 UTC, the watcher would run twice (yesterday's 08:00 at
    once, today's at 08:00) and the test expects one run and one e-mail: wait until 08:00 has passed."""
    now = datetime.now(UTC)
    eight = now.replace(hour=8, minute=0, second=5, microsecond=0)
    if timedelta(0) < eight - now < timedelta(minutes=3):
        time.sleep((eight - now).total_seconds())


def _rows_in_inbox(inbox: Path, month: str) -> int:
    """Data rows of every file of the month (case management, health) and of its census, read with pandas."""
    import pandas as pd

    total = 0
    for source, period in (
        ("case_management", month),
        ("health_waiting_lists", month),
        ("school_census", census_in_force(month)),
    ):
        for path in sorted((inbox / source / period).iterdir()):
            frame = (
                pd.read_excel(path, engine="openpyxl")
                if path.suffix == ".xlsx"
                else pd.read_csv(path, encoding="latin-1", dtype=str)
            )
            total += len(frame)
    return total


def _duplicate_first_key(path: Path) -> str:
    """Give data row 3 the referral_id of data row 2 (a partner's mistake): the file breaks
    duplicate_primary_key. Returns the duplicated id, which no alert or report may quote."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    column = rows[0].index("referral_id")
    rows[2][column] = rows[1][column]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return rows[1][column]


def test_a_bad_file_fails_its_run_sends_an_alert_and_is_quarantined(deployment):
    airflow, home, mailbox = deployment["airflow"], deployment["home"], deployment["mailbox"]
    dag_id = "extract_health_waiting_lists"
    before = (home / "published" / MONTH / "board_snapshot.csv").read_bytes()
    referrals = deployment["inbox"] / "health_waiting_lists" / MONTH / "referrals.csv"
    nhs_numbers = [r["nhs_number"] for r in csv.DictReader(io.StringIO(referrals.read_text()))][:50]
    duplicated = _duplicate_first_key(referrals)

    # the engineer re-lands the month the partner re-sent: clear its land task (docs/operations.md, "On call")
    run_id = airflow.runs(dag_id)[-1]["dag_run_id"]
    airflow.post(
        f"/api/v2/dags/{dag_id}/clearTaskInstances",
        {
            "dag_run_id": run_id,
            "task_ids": ["land", "check_landed"],
            "only_failed": False,
            "reset_dag_runs": True,
            "dry_run": False,
        },
    )
    failed = airflow.wait_for(
        "the cleared run to fail",
        lambda: [r for r in airflow.runs(dag_id) if r["dag_run_id"] == run_id and r["state"] == "failed"],
        timeout=600,
    )
    states = {t["task_id"]: t["state"] for t in airflow.task_instances(dag_id, failed[0]["dag_run_id"])}
    assert (states["land"], states["check_landed"]) == ("failed", "upstream_failed")
    # bad data is not retried: the first landing's try, then one failed try after the clear
    tries = airflow.get(
        f"/api/v2/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}/taskInstances/land/tries"
    )["task_instances"]
    assert [t["state"] for t in tries] == ["success", "failed"]

    quarantine = home / "quarantine" / "health_waiting_lists" / MONTH
    report = quarantine / "referrals.csv.report.txt"
    assert report.is_file() and (quarantine / "referrals.csv").read_bytes() == referrals.read_bytes()
    assert "duplicate_primary_key" in report.read_text() and duplicated not in report.read_text()

    mails = airflow.wait_for(
        "the alert e-mail", lambda: [m for m in mailbox.messages if dag_id in m["Subject"]], timeout=120, every=2
    )
    assert len(mails) == 1  # bad data is not retried: one failure, one alert
    mail = mails[0]
    body = mail.get_payload(decode=True).decode().replace("\r\n", "\n")
    assert mail["To"] == "send-data-oncall@example.org"
    assert mail["Subject"] == f"[sendboard] {dag_id} failed for {MONTH}: land"
    assert f"Month: {MONTH}\nSource: health_waiting_lists\nRule: duplicate_primary_key\n" in body
    assert f"Report: {quarantine}\n" in body
    assert "column referral_id, rows 2, 3" in body  # spreadsheet rows: header = row 1
    assert duplicated not in body and not any(n in body for n in nhs_numbers)
    # what was published before stays as it was
    assert (home / "published" / MONTH / "board_snapshot.csv").read_bytes() == before


def test_backfill_publishes_past_months_one_warehouse_writer_at_a_time(deployment):
    airflow, home = deployment["airflow"], deployment["home"]
    # the month's health file is bad since the previous test; the backfilled months are not affected
    first, last = PAST
    census_first = census_in_force(first)
    plan = [
        ("extract_case_management", trigger_of(first), trigger_of(last)),
        ("extract_health_waiting_lists", trigger_of(first), trigger_of(last)),
        # the census in force for the first month may have been sent months before it
        ("extract_school_census", trigger_of(census_first), trigger_of(last)),
    ]
    for dag_id, start, end in plan:
        airflow.post(
            "/api/v2/backfills",
            {"dag_id": dag_id, "from_date": start, "to_date": end, "max_active_runs": 1, "reprocess_behavior": "none"},
        )
    for dag_id, _, _ in plan:
        airflow.wait_for(f"the {dag_id} backfill", lambda d=dag_id: _backfill_done(airflow, d), timeout=900)
        assert {r["state"] for r in airflow.runs(dag_id) if r["run_type"] == "backfill"} == {"success"}, dag_id

    airflow.post(
        "/api/v2/backfills",
        {
            "dag_id": PUBLISH,
            "from_date": trigger_of(first),
            "to_date": trigger_of(last),
            "max_active_runs": 1,
            "reprocess_behavior": "none",
        },
    )
    airflow.wait_for("the publish backfill", lambda: _backfill_done(airflow, PUBLISH), timeout=1500, every=10)
    backfill_runs = [r for r in airflow.runs(PUBLISH) if r["run_type"] == "backfill"]
    assert sorted(r["logical_date"][:10] for r in backfill_runs) == [trigger_of(first)[:10], trigger_of(last)[:10]]
    assert {r["state"] for r in backfill_runs} == {"success"}
    for month in PAST:
        rows = list(csv.DictReader(io.StringIO((home / "published" / month / "board_snapshot.csv").read_text())))
        assert len(rows) == 23 and {r["period"] for r in rows} == {month}

    # the backfilled extracts' Asset events triggered publish runs too: every run succeeded
    airflow.wait_for(
        "every publish run to finish",
        lambda: all(r["state"] in ("success", "failed") for r in airflow.runs(PUBLISH)),
        timeout=900,
        every=10,
    )
    assert {r["state"] for r in airflow.runs(PUBLISH)} == {"success"}
    # each publication triggered the analysts' copy (a run may find another run's build under way and skip)
    airflow.wait_for(
        "every analytics copy run to finish",
        lambda: all(r["state"] in ("success", "failed") for r in airflow.runs(ANALYTICS)),
        timeout=600,
        every=10,
    )
    assert {r["state"] for r in airflow.runs(ANALYTICS)} == {"success"}
    # one writer at a time: no two warehouse tasks of any publish or copy run overlapped
    spans = sorted(
        (t["start_date"], t["end_date"], t["dag_run_id"], t["task_id"])
        for dag_id in (PUBLISH, ANALYTICS)
        for r in airflow.runs(dag_id)
        for t in airflow.task_instances(dag_id, r["dag_run_id"])
        # tasks that ran (a skipped or upstream_failed publish task never opened the warehouse;
        # a skipped copy did, to read how the last build went)
        if t["task_id"] in WAREHOUSE_TASKS | {ANALYTICS}
        and t["try_number"]
        and (t["state"] in ("success", "failed") or (t["task_id"] == ANALYTICS and t["state"] == "skipped"))
    )
    # at least: the first test's run (which built the warehouse: 5 tasks) and the two backfill runs
    # (select_inputs, check_marts, publish; dbt only if the warehouse was not already built from their inputs)
    assert len(spans) >= len(WAREHOUSE_TASKS) + 2 * 3
    for (_, end, *_), (start, *_) in zip(spans, spans[1:]):
        assert end <= start


def _backfill_done(airflow: Airflow, dag_id: str) -> bool:
    backfills = airflow.get(f"/api/v2/backfills?dag_id={dag_id}")["backfills"]
    return bool(backfills) and all(b["completed_at"] for b in backfills)


def test_the_services_printed_no_deprecation_warning(deployment):
    """They run with the suite's PYTHONWARNINGS (deprecations raised), but a service may catch what is
    raised and log it: their logs and the task logs are read here."""
    folder = deployment["airflow"].folder
    printed = [
        f"{path.relative_to(folder)}: {line.strip()[:200]}"
        for path in sorted(folder.rglob("*.log"))
        for line in path.read_text(errors="replace").splitlines()
        if PRINTED_WARNING.search(line)
    ]
    assert printed == []
