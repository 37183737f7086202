"""A worker process (sendboard.devtools.worker) running the real DAGs for a home and an inbox, as the
fault, disclosure and identifier tests start it: its own Airflow metadata DB, an optional fault."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def start_worker(
    home: Path, inbox: Path, runs: list[str], fault: str | None = None, airflow_home: Path | None = None
) -> subprocess.Popen:
    env = {**os.environ, "SENDBOARD_HOME": str(home), "SENDBOARD_INBOX": str(inbox), "SENDBOARD_DEV_MODE": "1"}
    for name in [n for n in env if n.startswith("AIRFLOW")]:
        del env[name]  # each worker home has its own Airflow metadata DB
    if airflow_home:  # another machine's Airflow, the same SENDBOARD_HOME
        from sendboard.orchestration.airflow_env import airflow_environment

        env.update(airflow_environment(airflow_home))
        (airflow_home / "airflow").mkdir(parents=True, exist_ok=True)
    env.pop("SENDBOARD_FAULT_AT", None)
    if fault:
        env["SENDBOARD_FAULT_AT"] = fault
    return subprocess.Popen(
        [sys.executable, "-m", "sendboard.devtools.worker", *runs],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def run_worker(home: Path, inbox: Path, runs: list[str], fault: str | None = None) -> tuple[int, str]:
    worker = start_worker(home, inbox, runs, fault)
    output, _ = worker.communicate(timeout=600)
    return worker.returncode, output
