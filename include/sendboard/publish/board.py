"""The publish run's steps the publish DAG calls: select the month's inputs (and whether dbt can be
skipped), then publish what was built and checked from them."""

from __future__ import annotations

import logging
from pathlib import Path

from sendboard import config
from sendboard.errors import NotReady
from sendboard.publish.build_cache import claim_build, warehouse_fingerprint
from sendboard.publish.inputs import resolve_inputs
from sendboard.warehouse import connection as warehouse
from sendboard.warehouse.integrity import check_warehouse

log = logging.getLogger(__name__)


def select_inputs(period: str, run_id: str | None = None) -> dict:
    """Resolve M's inputs and prepare the warehouse for the dbt build. `reuse_warehouse` names the
    run whose build of these exact landed inputs passed every check (dbt then has nothing to do),
    or is None when this run must build."""
    from sendboard.ingest.landing import write_schema_files

    inputs = resolve_inputs(period)
    home = Path(inputs["home"])
    check_warehouse(home)  # a damaged or replaced warehouse stops the run before dbt builds over it
    write_schema_files(home)  # the exports' and the DfE statistics'
    inputs["warehouse_fingerprint"] = warehouse_fingerprint(home)
    con = warehouse.connect(home)
    try:
        warehouse.ensure_publication_tables(con)
        inputs["reuse_warehouse"] = claim_build(con, inputs["warehouse_fingerprint"], run_id or "")
    finally:
        con.close()
    log.info("inputs of %s: %s", period, inputs)
    return inputs


def publish(inputs: dict, checks: dict, run_id: str) -> dict:
    """Publish M from the inputs select_inputs resolved; log and record the run's summary."""
    from sendboard.publish import run_summary, worklists
    from sendboard.publish.snapshot import detail_pack, publish_month

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
        # the casework teams' lists of the month (restricted, never under published/)
        publication["worklists"] = worklists.write(con, home, period)
        page = detail_pack(con, home, period, inputs.get("census_period"), publication["worklists"])
        publication["detail_pack"] = str(worklists.write_detail_pack(home, period, page))
    finally:
        con.close()
    return publication
