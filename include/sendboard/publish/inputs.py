"""Month M's inputs: which month a run builds, the landed extracts and census in force it is made
from, and their fingerprint (a changed input, dbt file or target re-publishes)."""

from __future__ import annotations

import hashlib
import json
import logging

from sendboard import config, periods
from sendboard.errors import NotReady
from sendboard.ingest.landing import read_manifest
from sendboard.warehouse import connection as warehouse

log = logging.getLogger(__name__)


MONTHLY_SOURCES = ("case_management", "health_waiting_lists")


def choose_period(requested: str | None, event_periods: list[str]) -> str:
    """The month to build: the one asked for, else the latest period named by the triggering Asset
    events for which both monthly extracts have landed."""
    if requested:
        periods.parse(requested)
        return requested
    home = config.home()
    ready = [
        p for p in sorted(set(event_periods), reverse=True) if all(read_manifest(home, s, p) for s in MONTHLY_SOURCES)
    ]
    if not ready:
        raise NotReady(f"no month with both monthly extracts landed among {sorted(set(event_periods))}")
    return ready[0]


def month_of_run(run_type: str, logical_date) -> str | None:
    """The month a time-based run (scheduled or backfill) works on: the one before its date.
    Asset-triggered and manual runs take theirs from the events or the `period` parameter.

    >>> from datetime import datetime
    >>> month_of_run("backfill", datetime(2025, 3, 1, 6))
    '2025-02'
    >>> month_of_run("scheduled", datetime(2026, 1, 1, 6))
    '2025-12'
    >>> month_of_run("asset_triggered", datetime(2026, 1, 1, 6)) is None
    True
    """
    if run_type not in ("scheduled", "backfill") or logical_date is None:
        return None
    return periods.shift(periods.of(logical_date.date()), -1)


def project_digest() -> bytes:
    """The dbt project's files (models, macros, seeds incl. targets): a change re-publishes."""
    digest = hashlib.sha256()
    for path in sorted(
        p for folder in ("models", "macros", "seeds") for p in (config.DBT_PROJECT / folder).rglob("*") if p.is_file()
    ):
        digest.update(str(path.relative_to(config.DBT_PROJECT)).encode() + b"\0" + path.read_bytes())
    return digest.digest()


def resolve_inputs(period: str) -> dict:
    """The landed inputs of month M and their fingerprint; raises NotReady when one is missing.

    The census in force is the latest complete census in the inbox at or before M; if it has not
    landed (rejected), M waits: there is no silent fall-back to an older census."""
    from sendboard.ingest.inbox import Inbox

    home = config.home()
    manifests = {}
    for source in MONTHLY_SOURCES:
        manifest = read_manifest(home, source, period)
        if manifest is None:
            raise NotReady(f"{period}: the {source} extract has not landed (see its extract DAG)")
        manifests[source] = manifest
    census_sent = [p for p in Inbox(config.inbox()).complete_periods("school_census") if p <= period]
    census_period = max(census_sent) if census_sent else None
    if census_period:
        manifest = read_manifest(home, "school_census", census_period)
        if manifest is None:
            raise NotReady(
                f"{period}: the census in force is {census_period}, which has not landed (rejected or not yet "
                f"processed; see $SENDBOARD_HOME/quarantine/school_census/{census_period}/). The month is not "
                "published until a corrected census lands: there is no fall-back to an older census."
            )
        manifests["school_census"] = manifest
    fingerprint = hashlib.sha256(
        json.dumps(
            # the key's fingerprint too: after a key rotation the month is rebuilt with the new pseudonyms
            {
                s: {
                    "period": m["period"],
                    "files": {t: v["sha256"] for t, v in m["tables"].items()},
                    "key": m.get("key_fingerprint"),
                }
                for s, m in manifests.items()
            },
            sort_keys=True,
        ).encode()
        + project_digest()
    ).hexdigest()
    return {
        "period": period,
        "census_period": census_period,
        "home": str(home),
        "fingerprint": fingerprint,
        "extract_loaded_at": {s: m["loaded_at"] for s, m in manifests.items()},
    }


def published_from_same_inputs(period: str) -> bool:
    """True when M's last publish run (new version or unchanged) was made from the inputs M has now."""
    from sendboard.publish.snapshot import inputs_of_last_run

    try:
        fingerprint = resolve_inputs(period)["fingerprint"]
    except NotReady:
        return False
    home = config.home()
    return warehouse.path(home).exists() and inputs_of_last_run(home, period) == fingerprint
