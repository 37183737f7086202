"""Failure alerts for the on-call data engineer: which month, which source, which rule, where the report is.

Every sendboard task has `on_task_failure` as its failure callback (in default_args). It runs in the
task's own process after the final failed try (not after a try that will be retried), describes the
failure from the exception and the run, writes the alert to the task log and sends it to every channel
configured, where an Airflow deployment keeps such settings:

- e-mail: the Airflow connection `sendboard_smtp` (host, port, login/password; extra `from_email`,
  `starttls`, `ssl`) and the variable `sendboard_alert_emails` (comma-separated recipients);
- a Teams or Slack incoming webhook: the variable `sendboard_alert_webhook_url` (JSON `{"text": ...}`).

Only our own exceptions' messages (errors.SendboardError) are quoted: they name files, rules,
columns and row numbers, never a value. Any other exception (a library's message could quote a value
from a file) is named by its type, with the task log's link for the detail.
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage

from sendboard import config
from sendboard.errors import PeriodIncomplete, PeriodRejected, PublicationLate, SendboardError

log = logging.getLogger(__name__)

SMTP_CONNECTION = "sendboard_smtp"
SEND_TIMEOUT_SECONDS = 20


@dataclass
class Alert:
    subject: str
    month: str
    source: str
    rule: str
    report: str
    detail: str
    log_url: str

    def text(self) -> str:
        return (
            f"{self.subject}\n\nMonth: {self.month}\nSource: {self.source}\nRule: {self.rule}\n"
            f"Report: {self.report}\nTask log: {self.log_url}\n\n{self.detail}\n"
        )


def _safe_message(error: BaseException | None) -> tuple[BaseException | None, str]:
    """The exception that says what happened (the cause behind AirflowFailException) and a message
    fit for an alert: ours (SendboardError) in full; anything else by its type only."""
    cause = error
    while cause is not None and not isinstance(cause, SendboardError) and cause.__cause__ is not None:
        cause = cause.__cause__
    if isinstance(cause, SendboardError):
        return cause, str(cause)
    if error is not None and type(error).__name__ == "AirflowSensorTimeout":
        return error, "The inbox did not hold every table of the period before the sensor's time-out."
    name = type(cause).__name__ if cause is not None else "unknown error"
    return cause, f"{name} (the message is in the task log; it is not copied here in case it quotes data)"


def _rule(cause: BaseException | None) -> str:
    if isinstance(cause, SendboardError):
        return cause.rule
    if type(cause).__name__ == "AirflowSensorTimeout":
        return PeriodIncomplete.rule
    return SendboardError.rule


def describe_failure(context) -> Alert:
    """The alert for a failed task, from the Airflow context of its failure callback."""
    ti = context["ti"]
    dag_id, task_id = ti.dag_id, ti.task_id
    cause, message = _safe_message(context.get("exception"))
    source = dag_id.removeprefix("extract_") if dag_id.startswith("extract_") else "board (all sources)"
    month = (
        getattr(cause, "period", None)
        or context["params"].get("period")
        or _pulled(ti, "resolve_period")
        or _pulled(ti, "select_inputs", "period")
        or "unknown"
    )
    home = config.home()
    if isinstance(cause, PeriodRejected):
        report = str(cause.quarantine)
    elif dag_id.startswith("extract_") and task_id == "check_landed":
        report = str(home / "data_quality" / source / month / "raw_checks.json")
    elif task_id == "check_marts":
        report = str(home / "data_quality" / "board" / month / "mart_checks.json")
    else:
        report = "the task log"
    subject = f"[sendboard] {dag_id} failed for {month}: {task_id}"
    if isinstance(cause, PublicationLate):
        subject = f"[sendboard] board snapshot for {month} not published by {cause.deadline}"
    return Alert(
        subject=subject,
        month=month,
        source=source,
        rule=_rule(cause),
        report=report,
        detail=message,
        log_url=getattr(ti, "log_url", "") or "",
    )


def _pulled(ti, task_id: str, key: str | None = None) -> str | None:
    try:
        value = ti.xcom_pull(task_ids=task_id)
    except Exception:  # noqa: BLE001 - no XCom (the task had not run) is not an error here
        return None
    if key and isinstance(value, dict):
        value = value.get(key)
    return value if isinstance(value, str) else None


def _smtp_connection():
    from airflow.sdk import Connection

    try:
        return Connection.get(SMTP_CONNECTION)
    except Exception:  # noqa: BLE001 - not configured: the alert still goes to the log and the webhook
        return None


def _flag(value) -> bool:
    """A connection extra as a boolean: URI extras arrive as strings ("true", "false")."""
    return str(value).strip().lower() in ("1", "true", "yes")


def send_email(alert: Alert, connection, recipients: list[str]) -> None:
    extra = connection.extra_dejson
    message = EmailMessage()
    message["Subject"] = alert.subject
    message["From"] = extra.get("from_email") or connection.login or "sendboard@localhost"
    message["To"] = ", ".join(recipients)
    message.set_content(alert.text())
    port = connection.port or (465 if _flag(extra.get("ssl")) else 25)
    client: smtplib.SMTP
    if _flag(extra.get("ssl")):
        client = smtplib.SMTP_SSL(
            connection.host, port, timeout=SEND_TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(connection.host, port, timeout=SEND_TIMEOUT_SECONDS)
    with client:
        if _flag(extra.get("starttls")):
            client.starttls(context=ssl.create_default_context())
        if connection.login and connection.password:
            client.login(connection.login, connection.password)
        client.send_message(message)


_MARKDOWN = str.maketrans({**{c: "\\" + c for c in "\\`*_[]()~|#!"}, "&": "&amp;", "<": "&lt;", ">": "&gt;"})


def markdown_text(text: str) -> str:
    r"""Text for a chat message that renders markdown (Teams, Slack): what could format, link or
    mention (a file's name, a column name from a header) is shown as it is, never acted on.

    >>> print(markdown_text("file [x](http://evil.example) *b* <!channel> a_b & `c`"))
    file \[x\]\(http://evil.example\) \*b\* &lt;\!channel&gt; a\_b &amp; \`c\`
    """
    return text.translate(_MARKDOWN)


def send_webhook(alert: Alert, url: str) -> None:
    """Teams and Slack incoming webhooks both take a JSON body with a `text` field, read as markdown."""
    request = urllib.request.Request(
        url,
        data=json.dumps({"text": markdown_text(alert.text())}).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=SEND_TIMEOUT_SECONDS) as response:
        response.read()


def send(alert: Alert) -> list[str]:
    """Send the alert to every configured channel; returns the channels it reached."""
    reached = []
    log.error("ALERT %s", alert.text())
    recipients = config.alert_emails()
    connection = _smtp_connection() if recipients else None
    if recipients and connection is not None:
        try:
            send_email(alert, connection, recipients)
            reached.append("email")
        except Exception as error:  # noqa: BLE001 - one channel failing must not stop the other
            log.error("the alert e-mail could not be sent: %s", type(error).__name__)
    url = config.alert_webhook_url()
    if url:
        try:
            send_webhook(alert, url)
            reached.append("webhook")
        except Exception as error:  # noqa: BLE001
            log.error("the alert webhook could not be called: %s", type(error).__name__)
    if not reached:
        log.warning(
            "no alert channel reached: set the %s connection and the %s variable, or %s",
            SMTP_CONNECTION,
            config.EMAILS_VARIABLE,
            config.WEBHOOK_VARIABLE,
        )
    return reached


def on_task_failure(context) -> None:
    """Airflow failure callback (default_args of every sendboard DAG)."""
    try:
        send(describe_failure(context))
    except Exception:  # noqa: BLE001 - a broken alert must not hide the task's own failure
        log.exception("describing or sending the failure alert failed")
