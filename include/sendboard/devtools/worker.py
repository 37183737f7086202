"""Run DAG runs one after another in this process with dag.test(), against $SENDBOARD_HOME (and its
own Airflow metadata DB under it), and report how each went: used by `make bench` and by the
fault and concurrency tests, which start it as a separate process and may kill it at any moment.

    python -m sendboard.devtools.worker extract_school_census:2025-01 publish_board_snapshot:2025-01

Prints one `WORKER {json}` line per DAG run (state, seconds, seconds per task) and a final
`WORKER-DONE {json}` line (seconds for Airflow start-up, peak RSS of this process and its
children). Exit status 0 when every run succeeded, 1 when one failed.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

from sendboard import config
from sendboard.orchestration import airflow_env


def _task_seconds(run) -> dict[str, float]:
    seconds = {}
    for ti in run.get_task_instances():
        if ti.start_date and ti.end_date:
            seconds[ti.task_id] = round((ti.end_date - ti.start_date).total_seconds(), 2)
    return seconds


def _start_execution_api() -> None:
    """dag.test() runs each task against Airflow's execution API inside this process; the API's first
    request builds its versioned routes (~4 s on 2 cores). A deployed api-server does that once when
    it starts, so the worker does it at start-up instead of inside its first task."""
    import httpx
    from airflow.sdk.execution_time.supervisor import in_process_api_server

    httpx.Client(transport=in_process_api_server().transport, base_url="http://in-process").get(
        "/execution/health/ping"
    )


def main(runs: list[str]) -> int:
    started = time.perf_counter()
    config.apply_offline_environment()
    airflow_env.apply(Path(os.environ["SENDBOARD_HOME"]))
    airflow_env.migrate_metadata_db()
    from airflow.dag_processing.dagbag import DagBag

    dags = DagBag(str(config.PROJECT_ROOT / "dags")).dags
    _start_execution_api()
    startup = time.perf_counter() - started
    status = 0
    for item in runs:
        dag_id, period = item.split(":")
        began = time.perf_counter()
        dag = dags[dag_id]
        run = dag.test(run_conf={"period": period} if period and "period" in dag.params else {})
        report = {
            "dag_id": dag_id,
            "period": period,
            "state": str(run.state),
            "seconds": round(time.perf_counter() - began, 2),
            "tasks": _task_seconds(run),
        }
        print(f"WORKER {json.dumps(report)}", flush=True)
        if run.state != "success":
            status = 1
            break
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )
    print(
        f"WORKER-DONE {json.dumps({'startup_seconds': round(startup, 2), 'peak_rss_mib': round(peak / 1024)})}",
        flush=True,
    )
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
