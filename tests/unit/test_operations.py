"""What the on-call engineer gets: alert contents and delivery (real SMTP and HTTP servers on loopback),
the publication deadline, the run summary, and the deployment files' invariants."""

from __future__ import annotations

import json
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest

from sendboard.errors import FileRejected, PeriodRejected, Problem
from sendboard.operations import alerts, deadline
from sendboard.publish import run_summary
from tests.support.services import Mailbox

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_the_periods_a_run_was_triggered_for_come_from_its_asset_events_extras():
    from sendboard.orchestration.assets import event_periods

    def event(extra):
        return SimpleNamespace(extra=extra)

    # two Assets; February named twice, one event with no extra and one with no period
    events = {
        "landed_case_management": [event({"period": "2025-02"}), event(None), event({"status": "landed"})],
        "landed_health_waiting_lists": [event({"period": "2025-01"}), event({"period": "2025-02"})],
    }
    assert event_periods(events) == ["2025-01", "2025-02"]
    assert event_periods(None) == [] and event_periods({}) == []  # a manual or scheduled run


def _context(dag_id: str, task_id: str, exception: BaseException | None, xcom: dict | None = None) -> dict:
    """The parts of an Airflow failure-callback context the alert reads."""
    xcom = xcom or {}
    ti = SimpleNamespace(
        dag_id=dag_id,
        task_id=task_id,
        log_url=f"http://airflow/{dag_id}/{task_id}",
        xcom_pull=lambda task_ids: xcom.get(task_ids),
    )
    return {"ti": ti, "exception": exception, "params": {"period": None}}


def _rejection(home: Path) -> Exception:
    from airflow.sdk.exceptions import AirflowFailException

    problems = [
        Problem("duplicate_primary_key", "1 value(s) of the primary key appear more than once", "referral_id", [2, 3]),
        Problem("invalid_nhs_number", "fails the modulus 11 check", "nhs_number", [7]),
    ]
    rejected = PeriodRejected(
        "health_waiting_lists",
        "2026-10",
        [FileRejected("referrals.csv", problems)],
        str(home / "quarantine" / "health_waiting_lists" / "2026-10"),
    )
    try:
        try:
            raise rejected
        except PeriodRejected as bad:
            raise AirflowFailException(str(bad)) from bad
    except AirflowFailException as failed:
        return failed


def test_a_rejected_file_alert_names_month_source_rules_and_report(session_home):
    alert = alerts.describe_failure(_context("extract_health_waiting_lists", "land", _rejection(session_home)))
    assert alert.subject == "[sendboard] extract_health_waiting_lists failed for 2026-10: land"
    assert (alert.month, alert.source) == ("2026-10", "health_waiting_lists")
    assert alert.rule == "duplicate_primary_key, invalid_nhs_number"
    assert alert.report == str(session_home / "quarantine" / "health_waiting_lists" / "2026-10")
    assert "column referral_id, rows 2, 3" in alert.detail and "column nhs_number, row 7" in alert.detail


def test_a_failed_raw_check_points_at_its_report_and_takes_the_month_from_the_run(session_home):
    from sendboard.ingest.extract import DataQualityFailed

    failure = DataQualityFailed("raw_school_census__pupils: expect_column_values_to_not_be_null failed")
    alert = alerts.describe_failure(
        _context("extract_school_census", "check_landed", failure, {"resolve_period": "2026-10"})
    )
    assert (alert.month, alert.source, alert.rule) == ("2026-10", "school_census", "raw-layer Great Expectations suite")
    assert alert.report == str(session_home / "data_quality" / "school_census" / "2026-10" / "raw_checks.json")


def test_a_library_error_is_named_by_type_only_as_its_message_could_quote_data():
    failure = ValueError("could not convert 'A123456789012' to a date")  # a library quoting a cell
    alert = alerts.describe_failure(
        _context("publish_board_snapshot", "publish", failure, {"select_inputs": {"period": "2026-09"}})
    )
    assert alert.month == "2026-09" and alert.source == "board (all sources)"
    assert alert.rule == "none (an operational error, not a data rule)"
    assert "A123456789012" not in alert.text() and "ValueError" in alert.text()


def test_a_late_month_alert_says_what_it_waits_for():
    late = deadline.PublicationLate("2026-10", date(2026, 11, 15), "the health_waiting_lists extract has not landed")
    alert = alerts.describe_failure(_context("watch_publication_deadline", "check_publication_deadline", late))
    assert alert.subject == "[sendboard] board snapshot for 2026-10 not published by 2026-11-15"
    assert alert.rule == "publication deadline" and "health_waiting_lists extract has not landed" in alert.detail


def test_the_alert_reaches_a_real_smtp_server_and_a_webhook(monkeypatch, session_home):
    received = []

    class Webhook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's API
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    mailbox = Mailbox()
    mailbox.start()
    try:
        monkeypatch.setenv(
            "AIRFLOW_CONN_SENDBOARD_SMTP", f"smtp://127.0.0.1:{mailbox.port}?from_email=sendboard%40council.example"
        )
        monkeypatch.setenv("AIRFLOW_VAR_SENDBOARD_ALERT_EMAILS", "oncall@council.example, lead@council.example")
        monkeypatch.setenv("AIRFLOW_VAR_SENDBOARD_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/hook")
        alert = alerts.describe_failure(_context("extract_health_waiting_lists", "land", _rejection(session_home)))
        assert alerts.send(alert) == ["email", "webhook"]
        deadline_at = time.monotonic() + 10
        while not mailbox.messages and time.monotonic() < deadline_at:
            time.sleep(0.1)
    finally:
        mailbox.stop()
        server.shutdown()
    [mail] = mailbox.messages
    assert mail["From"] == "sendboard@council.example"
    assert mail["To"] == "oncall@council.example, lead@council.example"
    assert mail["Subject"] == alert.subject
    assert "Rule: duplicate_primary_key, invalid_nhs_number" in mail.get_payload(decode=True).decode()
    assert received == [{"text": alerts.markdown_text(alert.text())}]


def test_an_unreachable_channel_is_logged_and_does_not_stop_the_other(monkeypatch, session_home, caplog):
    from tests.support.services import free_port

    monkeypatch.setenv("AIRFLOW_CONN_SENDBOARD_SMTP", f"smtp://127.0.0.1:{free_port()}")  # nothing listens
    monkeypatch.setenv("AIRFLOW_VAR_SENDBOARD_ALERT_EMAILS", "oncall@council.example")
    monkeypatch.delenv("AIRFLOW_VAR_SENDBOARD_ALERT_WEBHOOK_URL", raising=False)
    alert = alerts.describe_failure(_context("extract_health_waiting_lists", "land", _rejection(session_home)))
    assert alerts.send(alert) == []
    assert "the alert e-mail could not be sent: ConnectionRefusedError" in caplog.text


@pytest.mark.parametrize(
    ("today", "published", "due", "late"),
    [
        (date(2026, 11, 14), set(), "2026-10", False),  # the day before the deadline: not yet late
        (date(2026, 11, 15), set(), "2026-10", True),  # the deadline day itself, unpublished: late
        (date(2026, 11, 15), {"2026-10"}, "2026-10", False),  # published: fine
        (date(2026, 12, 1), {"2026-10"}, "2026-11", False),  # a new month: November is due on 15 December
    ],
)
def test_the_publication_deadline(today, published, due, late):
    if late:
        with pytest.raises(deadline.PublicationLate, match=f"{due} was not published by 2026-11-15: waiting"):
            deadline.check(today, 15, published, lambda month: "waiting for the census")
    else:
        assert deadline.check(today, 15, published) == due


def test_the_run_summary_counts_rows_in_and_left_out_per_rule(tmp_path):
    # two landed sources and a census, as their manifests record them; worked by hand:
    # rows in = 100 + 40 + 1000 = 1,140; landed = 98 + 40 + 999 = 1,137; left out = 3
    def manifest(source, period, tables):
        folder = tmp_path / "raw" / source / f"period={period}"
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text(json.dumps({"tables": tables}))

    manifest(
        "case_management",
        "2026-10",
        {
            "requests": {
                "rows_read": 100,
                "rows_landed": 98,
                "left_out_by_rule": [
                    {"rule": "invalid_code", "column": "request_source", "rows": 1},
                    {"rule": "invalid_date", "column": "request_date", "rows": 1},
                ],
            }
        },
    )
    manifest(
        "health_waiting_lists", "2026-10", {"referrals": {"rows_read": 40, "rows_landed": 40, "left_out_by_rule": []}}
    )
    manifest(
        "school_census",
        "2026-10",
        {
            "pupils": {
                "rows_read": 1000,
                "rows_landed": 999,
                "left_out_by_rule": [{"rule": "invalid_upn", "column": "upn", "rows": 1}],
            }
        },
    )
    checks = tmp_path / "data_quality" / "case_management" / "2026-10"
    checks.mkdir(parents=True)
    (checks / "raw_checks.json").write_text(json.dumps({"suites": [{"evaluated": 14, "failed": []}]}))
    inputs = {"period": "2026-10", "census_period": "2026-10", "fingerprint": "abc"}
    marts = {"suites": [{"evaluated": 9, "failed": []}, {"evaluated": 4, "failed": []}]}
    rows = [{"suppressed": False}] * 21 + [{"suppressed": True}] * 2
    summary = run_summary.summarise(
        tmp_path, "run-1", inputs, marts, {"status": "published", "version": 2, "rows": rows}
    )
    assert (summary["rows_in"], summary["rows_landed"], summary["rows_left_out"]) == (1140, 1137, 3)
    assert summary["left_out_by_rule"] == {
        "case_management.requests: invalid_code (request_source)": 1,
        "case_management.requests: invalid_date (request_date)": 1,
        "school_census.pupils: invalid_upn (upn)": 1,
    }
    assert (summary["checks_evaluated"], summary["checks_failed"]) == (14 + 9 + 4, 0)
    assert (summary["kpis_published"], summary["kpis_suppressed"], summary["version"]) == (23, 2, 2)
    text = run_summary.lines(summary)
    assert text[0] == "Run summary for 2026-10 (census 2026-10): published, version 2"
    assert "  rows in 1,140, landed 1,137, left out 3" in text

    import duckdb

    con = duckdb.connect()
    run_summary.record(con, summary)
    assert con.execute(
        "select run_id, rows_in, rows_left_out, left_out_by_rule->>'$.\"school_census.pupils: "
        "invalid_upn (upn)\"' from publication.run_metadata"
    ).fetchall() == [("run-1", 1140, 3, "1")]


def test_the_compose_file_shares_one_jwt_secret_and_has_no_default_password():
    import yaml

    text = (PROJECT_ROOT / "docker-compose.yml").read_text()
    compose = yaml.safe_load(text)
    airflow_services = ["airflow-init", "api-server", "scheduler", "dag-processor", "triggerer"]
    for name in airflow_services:
        environment = compose["services"][name]["environment"]
        assert environment["AIRFLOW__API_AUTH__JWT_SECRET"] == "${AIRFLOW_JWT_SECRET:?set in .env}", name
        assert environment["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
        assert environment["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    for name in ("postgres", "api-server", "scheduler", "dag-processor", "triggerer"):
        assert "healthcheck" in compose["services"][name], name
    # every secret must come from .env: `${NAME:?...}` fails when it is unset, no `:-default`
    for secret in (
        "POSTGRES_PASSWORD",
        "AIRFLOW_JWT_SECRET",
        "AIRFLOW_API_SECRET_KEY",
        "AIRFLOW_FERNET_KEY",
        "SENDBOARD_PSEUDONYMISATION_KEY",
    ):
        assert f"${{{secret}:?" in text and f"${{{secret}:-" not in text, secret
    example = dict(
        line.split("=", 1)
        for line in (PROJECT_ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert all(
        example[s] == ""
        for s in (
            "POSTGRES_PASSWORD",
            "AIRFLOW_JWT_SECRET",
            "AIRFLOW_API_SECRET_KEY",
            "AIRFLOW_FERNET_KEY",
            "SENDBOARD_PSEUDONYMISATION_KEY",
        )
    )
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert "uv sync --frozen" in dockerfile  # the image is built from the lock


def test_a_missing_key_or_a_damaged_warehouse_is_named_as_such():
    from sendboard.errors import ConfigurationError
    from sendboard.warehouse.integrity import WarehouseDamaged

    missing_key = alerts.describe_failure(
        _context(
            "extract_school_census",
            "land",
            ConfigurationError("no pseudonymisation key configured"),
            {"resolve_period": "2026-10"},
        )
    )
    assert (missing_key.rule, missing_key.detail) == ("configuration", "no pseudonymisation key configured")
    damaged = alerts.describe_failure(
        _context(
            "publish_board_snapshot",
            "select_inputs",
            WarehouseDamaged("the warehouse lacks the publication history of 2026-09"),
        )
    )
    assert damaged.rule == "warehouse integrity (docs/operations.md 'Restoring the warehouse')"


def test_a_missing_chromium_alert_says_how_to_install_it(monkeypatch):
    # the alert quotes our own errors in full: this one was named by its type only before
    from sendboard.errors import ChromiumMissing
    from sendboard.publish import pdf

    monkeypatch.setenv("SENDBOARD_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(ChromiumMissing) as missing:
        pdf.chromium()
    alert = alerts.describe_failure(
        _context("publish_board_snapshot", "publish", missing.value, {"select_inputs": {"period": "2026-09"}})
    )
    assert alert.rule == "Chromium for board_pack.pdf"
    assert "install Debian's chromium package" in alert.detail and "SENDBOARD_CHROMIUM" in alert.detail


def test_every_exception_of_the_package_is_a_sendboard_error():
    # so that alerts decide what is safe to quote by isinstance, with no list of names to forget one in
    import importlib
    import inspect
    import pkgutil

    import sendboard
    from sendboard.errors import SendboardError

    defined = {}
    for module in pkgutil.walk_packages(sendboard.__path__, "sendboard."):
        loaded = importlib.import_module(module.name)
        defined.update(
            {
                f"{cls.__module__}.{name}": cls
                for name, cls in inspect.getmembers(loaded, inspect.isclass)
                if issubclass(cls, BaseException) and cls.__module__.startswith("sendboard")
            }
        )
    assert sorted(defined) == [
        f"sendboard.errors.{name}"
        for name in sorted(
            (
                "ChecksFailed",
                "ChromiumMissing",
                "ConfigurationError",
                "DataQualityFailed",
                "FileRejected",
                "InputRefused",
                "NotReady",
                "PeriodIncomplete",
                "SeriesInputError",
                "ProjectionInputError",
                "PeriodRejected",
                "PublicationLate",
                "ReferenceFileRejected",
                "SendboardError",
                "WarehouseDamaged",
                "WarehouseNotChecked",
            )
        )
    ]
    assert all(issubclass(cls, SendboardError) for cls in defined.values())
