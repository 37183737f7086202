"""The work of the publish DAG: choose the inputs of month M, check the marts, publish."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from sendboard import config, faults, periods
from sendboard.errors import ChecksFailed, NotReady
from sendboard.ingest.landing import read_manifest
from sendboard.publish import changes, disclosure
from sendboard.publish.catalogue import kpi_catalogue
from sendboard.warehouse import connection as warehouse
from sendboard.warehouse.integrity import check_warehouse

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


def _project_digest() -> bytes:
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
        + _project_digest()
    ).hexdigest()
    return {
        "period": period,
        "census_period": census_period,
        "home": str(home),
        "fingerprint": fingerprint,
        "extract_loaded_at": {s: m["loaded_at"] for s, m in manifests.items()},
    }


def warehouse_fingerprint(home: Path, sources: list[str] | None = None) -> str:
    """What a dbt build of the warehouse is made from: every landed period of every source (the
    checksums its manifest records, and its Parquet files as they are on disk now, so a file changed
    after landing counts as new), the dbt project and the dbt and DuckDB versions. With `sources`,
    only those sources' periods: what a model reading only them is made from."""
    from importlib.metadata import version

    from sendboard.contract import SOURCES

    landed = []
    for source in sorted(sources or SOURCES):
        # hidden folders are a landing in progress or a crashed one: dbt does not read them either
        for folder in sorted((home / "raw" / source).glob("period=*")):
            manifest_file = folder / "manifest.json"
            if not manifest_file.exists():
                continue
            manifest = json.loads(manifest_file.read_text())
            files = [
                (f.name, stat.st_size, stat.st_mtime_ns)
                for f in sorted(folder.glob("*.parquet"))
                for stat in [f.stat()]
            ]
            landed.append(
                [
                    source,
                    manifest["period"],
                    manifest.get("key_fingerprint"),
                    {t: v["sha256"] for t, v in manifest["tables"].items()},
                    files,
                ]
            )
    digest = hashlib.sha256(json.dumps(landed, sort_keys=True).encode() + _project_digest())
    digest.update((config.DBT_PROJECT / "dbt_project.yml").read_bytes())
    digest.update(" ".join(version(p) for p in ("dbt-core", "dbt-duckdb", "duckdb")).encode())
    return digest.hexdigest()


def _claim_build(con, fingerprint: str, run_id: str) -> str | None:
    """The run that built and checked this warehouse from exactly these landed inputs, if one did
    (this run then skips dbt); otherwise record that this run is building it and return None.

    A build only counts once its dbt tests and this run's mart checks passed (`_build_checked`), and
    only for the run that claimed it last: a build that crashed, failed, or was overtaken by another
    run's build is never trusted."""
    row = con.execute(
        "select run_id, complete from publication.warehouse_build where fingerprint = ?", [fingerprint]
    ).fetchone()
    if row and row[1]:
        return row[0]
    con.execute("delete from publication.warehouse_build")
    con.execute("insert into publication.warehouse_build values (?, ?, false, now())", [fingerprint, run_id])
    return None


def select_inputs(period: str, run_id: str | None = None) -> dict:
    """Resolve M's inputs and prepare the warehouse for the dbt build. `reuse_warehouse` names the
    run whose build of these exact landed inputs passed every check (dbt then has nothing to do),
    or is None when this run must build."""
    from sendboard.ingest.landing import write_schema_files

    inputs = resolve_inputs(period)
    home = Path(inputs["home"])
    check_warehouse(home)  # a damaged or replaced warehouse stops the run before dbt builds over it
    write_schema_files(home)
    inputs["warehouse_fingerprint"] = warehouse_fingerprint(home)
    con = warehouse.connect(home)
    try:
        warehouse.ensure_publication_tables(con)
        inputs["reuse_warehouse"] = _claim_build(con, inputs["warehouse_fingerprint"], run_id or "")
    finally:
        con.close()
    log.info("inputs of %s: %s", period, inputs)
    return inputs


def _build_checked(home: Path, inputs: dict, run_id: str | None, passed: bool) -> None:
    """After the mart checks: a build this run claimed is trusted from now on if they passed; any
    failed check means the next run builds again."""
    con = warehouse.connect(home)
    try:
        if not passed:
            con.execute("delete from publication.warehouse_build")
        elif run_id and inputs.get("warehouse_fingerprint"):
            con.execute(
                "update publication.warehouse_build set complete = true where run_id = ? and fingerprint = ?",
                [run_id, inputs["warehouse_fingerprint"]],
            )
    finally:
        con.close()


def published_from_same_inputs(period: str) -> bool:
    """True when M's last publish run (new version or unchanged) was made from the inputs M has now."""
    from sendboard.publish.snapshot import inputs_of_last_run

    try:
        fingerprint = resolve_inputs(period)["fingerprint"]
    except NotReady:
        return False
    home = config.home()
    return warehouse.path(home).exists() and inputs_of_last_run(home, period) == fingerprint


def check_marts(inputs: dict, run_id: str | None = None) -> dict:
    """Great Expectations on the marts of M, and the disclosure check on the rows as they would be
    published; Data Docs under $SENDBOARD_HOME/gx/gx/uncommitted/data_docs/local_site/. Raises ChecksFailed.
    Runs after dbt's tests passed (or dbt was skipped: see `select_inputs`), so passing here makes a
    build this run claimed trusted for the next run with the same landed inputs."""
    home = config.home()
    try:
        report = _check_marts(home, inputs["period"])
    except BaseException:
        try:
            _build_checked(home, inputs, run_id, passed=False)
        except Exception:  # the checks' failure is what the run reports
            log.exception("could not clear publication.warehouse_build after the failed checks")
        raise
    _build_checked(home, inputs, run_id, passed=True)
    return report


def _check_marts(home: Path, period: str) -> dict:
    from sendboard.ingest.expectations import SuiteResult, data_docs_index, load_suite, run_checkpoint

    # read-write configuration on purpose: under dag.test() dbt ran in this same process and DuckDB
    # refuses a second connection to one file with a different configuration
    con = warehouse.connect(home)
    try:
        board = con.execute(
            "select * from board.board_snapshot_candidates where period = ? order by sort_order", [period]
        ).df()
        values = con.execute("select * from restricted.fct_kpi_values order by period, sort_order").df()
    finally:
        con.close()
    kpi_ids = [r["kpi_id"] for r in kpi_catalogue()]
    board_suite = load_suite("marts_board_snapshot")
    board_suite["expectations"].append(
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "kpi_id", "value_set": kpi_ids}}
    )
    board_suite["expectations"].append({"type": "expect_table_row_count_to_equal", "kwargs": {"value": len(kpi_ids)}})
    # the GX suites' results and the disclosure check's, reported alike
    results: list[SuiteResult | disclosure.DisclosureCheck] = [
        run_checkpoint(home, board_suite, board, f"board_{period}")
    ]
    # the rows as they would be published: empty cells as None (the check needs no restricted value)
    results.append(disclosure.check_month(board.astype(object).where(board.notna(), None).to_dict("records"), period))
    faults.point("checks_between_suites")
    results.append(
        run_checkpoint(home, load_suite("marts_kpi_values"), values[values.period == period], f"kpi_values_{period}")
    )
    # restricted: computed from the unsuppressed values, so they stay in the task log and the data
    # team's report; the public pack makes its own from the published values (board_pack)
    warnings = _history_warnings(values, period)
    for warning in warnings:
        log.warning("%s", warning)
    report = {
        "period": period,
        "suites": [r.__dict__ for r in results],
        "warnings": warnings,
        "data_docs": str(data_docs_index(home)),
    }
    out = home / "data_quality" / "board" / period
    out.mkdir(parents=True, exist_ok=True)
    (out / "mart_checks.json").write_text(json.dumps(report, indent=2))
    failed = [r for r in results if not r.success]
    if failed:
        raise ChecksFailed(
            f"{period}: the marts failed their checks; nothing published. Report "
            f"{out / 'mart_checks.json'}, Data Docs {report['data_docs']}:\n" + "\n".join(r.describe() for r in failed)
        )
    return report


def _history_warnings(values, period: str) -> list[str]:
    """No month missing from the history before M, and large month-on-month jumps, from the
    restricted (unsuppressed) values: for the data team only, never for the pack."""
    warnings = []
    months = sorted(set(values.period))
    if months:
        expected = periods.span(months[0], period)
        missing = [m for m in expected if m not in months]
        if missing:
            warnings.append(f"months missing from the KPI history before {period}: {', '.join(missing)}")
    previous = periods.shift(period, -1)
    now = values[values.period == period].set_index("kpi_id")
    before = values[values.period == previous].set_index("kpi_id")
    for kpi_id in now.index.intersection(before.index):
        a, b = before.at[kpi_id, "value"], now.at[kpi_id, "value"]
        if a is None or b is None or a != a or b != b:
            continue
        if changes.is_large(now.at[kpi_id, "unit"], a, b):
            warnings.append(changes.describe(kpi_id, a, b, previous, period))
    return warnings


def publish(inputs: dict, checks: dict, run_id: str) -> dict:
    """Publish M from the inputs select_inputs resolved; log and record the run's summary."""
    from sendboard.publish import run_summary
    from sendboard.publish.snapshot import publish_month

    home = config.home()
    period = inputs["period"]
    # another run (a backfill beside the scheduled runs) may have re-landed an input since this run's
    # build: publish only what was built from the inputs the run selected
    now = resolve_inputs(period)["fingerprint"]
    if now != inputs["fingerprint"]:
        raise NotReady(
            f"{period}: its inputs changed while this run built them (an extract was re-landed); "
            "nothing published. The run the new landing triggers publishes the month."
        )
    result = publish_month(home, period, inputs["fingerprint"], inputs.get("census_period"))
    publication = {
        "period": period,
        "status": result.status,
        "version": result.version,
        "folder": str(result.folder),
        "kpis": len(result.rows),
    }
    summary = run_summary.summarise(home, run_id, inputs, checks, {**publication, "rows": result.rows})
    for line in run_summary.lines(summary):
        log.info("%s", line)
    con = warehouse.connect(home)
    try:
        run_summary.record(con, summary)
    finally:
        con.close()
    return publication
