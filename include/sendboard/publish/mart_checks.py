"""The checks between the dbt build and publication: Great Expectations on the marts, the
disclosure check on the rows as they would be published, and the month-on-month warnings for the
data team (restricted: they stay in the task log and data_quality/board/<M>/mart_checks.json)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from sendboard import config, faults, periods
from sendboard.errors import ChecksFailed
from sendboard.publish import changes, disclosure
from sendboard.publish.build_cache import build_checked
from sendboard.publish.catalogue import kpi_catalogue
from sendboard.warehouse import connection as warehouse

log = logging.getLogger(__name__)


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
            build_checked(home, inputs, run_id, passed=False)
        except Exception:  # the checks' failure is what the run reports
            log.exception("could not clear publication.warehouse_build after the failed checks")
        raise
    build_checked(home, inputs, run_id, passed=True)
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
