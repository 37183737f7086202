"""The summary of a publish run: rows in, rows left out per rule, checks, KPIs published, version.

It goes to the task log (readable lines) and to `publication.run_metadata` in the warehouse, one row
per publish run, so "what went into the October snapshot, and what was left out?" is one query.
Row counts come from the landing manifests (every file of the month's three inputs), checks from the
raw and mart check reports; no value from a file is in it.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

COLUMNS = {
    "run_id": "varchar",
    "period": "varchar",
    "census_period": "varchar",
    "status": "varchar",
    "version": "integer",
    "rows_in": "bigint",
    "rows_landed": "bigint",
    "rows_left_out": "bigint",
    "left_out_by_rule": "json",
    "checks_evaluated": "integer",
    "checks_failed": "integer",
    "kpis_published": "integer",
    "kpis_suppressed": "integer",
    "input_fingerprint": "varchar",
    "finished_at": "timestamptz",
}


def _raw_checks(home: Path, source: str, period: str) -> list[dict]:
    report = home / "data_quality" / source / period / "raw_checks.json"
    return json.loads(report.read_text())["suites"] if report.exists() else []


def summarise(home: Path, run_id: str, inputs: dict, mart_checks: dict, publication: dict) -> dict:
    """One run's summary from its inputs (select_inputs), the mart check report and the publication."""
    from sendboard.ingest.landing import read_manifest

    sources = {"case_management": inputs["period"], "health_waiting_lists": inputs["period"]}
    if inputs.get("census_period"):
        sources["school_census"] = inputs["census_period"]
    rows_in = rows_landed = 0
    left_out: dict[str, int] = {}
    suites = list(mart_checks.get("suites", []))
    for source, period in sources.items():
        manifest = read_manifest(home, source, period) or {"tables": {}}
        for table, entry in manifest["tables"].items():
            rows_in += entry["rows_read"]
            rows_landed += entry["rows_landed"]
            for broken in entry["left_out_by_rule"]:
                key = f"{source}.{table}: {broken['rule']}" + (f" ({broken['column']})" if broken["column"] else "")
                left_out[key] = left_out.get(key, 0) + broken["rows"]
        suites += _raw_checks(home, source, period)
    rows = publication.get("rows", [])
    return {
        "run_id": run_id,
        "period": inputs["period"],
        "census_period": inputs.get("census_period"),
        "status": publication["status"],
        "version": publication["version"],
        "rows_in": rows_in,
        "rows_landed": rows_landed,
        "rows_left_out": rows_in - rows_landed,
        "left_out_by_rule": left_out,
        "checks_evaluated": sum(s["evaluated"] for s in suites),
        "checks_failed": sum(len(s["failed"]) for s in suites),
        "kpis_published": len(rows),
        "kpis_suppressed": sum(1 for r in rows if r.get("suppressed")),
        "input_fingerprint": inputs["fingerprint"],
        "finished_at": datetime.now(UTC).replace(microsecond=0),
    }


def lines(summary: dict) -> list[str]:
    """The summary as the task log shows it."""
    text = [
        f"Run summary for {summary['period']} (census {summary['census_period'] or 'none'}): "
        f"{summary['status']}, version {summary['version']}",
        f"  rows in {summary['rows_in']:,}, landed {summary['rows_landed']:,}, left out {summary['rows_left_out']:,}",
    ]
    text += [f"    left out by {rule}: {count:,}" for rule, count in sorted(summary["left_out_by_rule"].items())]
    text += [
        f"  checks: {summary['checks_evaluated']} evaluated, {summary['checks_failed']} failed",
        f"  KPIs published: {summary['kpis_published']} ({summary['kpis_suppressed']} suppressed)",
    ]
    return text


def ensure_table(con) -> None:
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
    con.execute("create schema if not exists publication")
    con.execute(f"create table if not exists publication.run_metadata ({columns})")


def record(con, summary: dict) -> None:
    ensure_table(con)
    values = [json.dumps(summary[c], sort_keys=True) if c == "left_out_by_rule" else summary[c] for c in COLUMNS]
    con.execute(
        f"insert into publication.run_metadata ({', '.join(COLUMNS)}) values ({', '.join('?' for _ in COLUMNS)})",
        values,
    )
