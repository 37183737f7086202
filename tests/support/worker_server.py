"""The pre-started worker: one process imports Airflow, Cosmos, Great Expectations, dbt and the package
once and migrates a template Airflow metadata DB, then forks a child per worker run a test asks for.
Each child is what `python -m sendboard.devtools.worker` would be (the same `main`, environment,
process group and exit status), without the ~10 s of imports and migration every start took.

    python -m tests.support.worker_server <socket>     (started by tests/support/worker.py)

The protocol, on a Unix SOCK_SEQPACKET socket: the client sends one JSON message {"runs", "env"} with
the write end of a pipe attached (the child's stdout and stderr); the server answers the child's pid,
then, when the child has ended, its exit status as subprocess gives it (-9 for a SIGKILL). The server
stops when its stdin closes (the test process ended), killing any child still running.

The server never starts a thread or opens the metadata DB before forking: a child of a threaded
process, or one that shares a database connection, is not safe.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import json
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
import traceback
from pathlib import Path

# what every worker imports before its first task; dbt, GX and the package's stages load lazily in
# the tasks otherwise, once per worker
PRELOAD = (
    "airflow.models",
    "airflow.sdk",
    "airflow.dag_processing.dagbag",
    "airflow.sdk.execution_time.supervisor",
    "airflow.api_fastapi.execution_api.app",
    "cosmos",
    "great_expectations",
    "dbt.cli.main",
    "dbt.adapters.duckdb",
    "duckdb",
    "pandas",
    "sendboard.ingest.extract",
    "sendboard.ingest.expectations",
    "sendboard.publish.board",
    "sendboard.publish.mart_checks",
    "sendboard.publish.snapshot",
    "sendboard.publish.analytics_copy",
)


def _prepare(home: Path) -> None:
    """Import what every worker imports, and migrate a metadata DB in `home` that the children copy
    instead of migrating their own from nothing."""
    from sendboard import config
    from sendboard.orchestration import airflow_env

    os.environ["SENDBOARD_HOME"] = str(home)
    for name in [n for n in os.environ if n.startswith("AIRFLOW")]:
        del os.environ[name]
    config.apply_offline_environment()
    airflow_env.apply(home)
    for name in PRELOAD:
        importlib.import_module(name)
    airflow_env.migrate_metadata_db()
    from airflow import settings

    settings.dispose_orm(do_log=False)  # no connection crosses a fork


def _point_airflow_at_this_home(template: Path) -> None:
    """Airflow read its configuration when the server imported it: read it again for this child's home."""
    from airflow import settings
    from airflow.config_templates import airflow_local_settings
    from airflow.logging_config import configure_logging

    from sendboard.orchestration import airflow_env

    home = Path(os.environ["SENDBOARD_HOME"])
    airflow_env.apply(home)
    database = Path(os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].removeprefix("sqlite:///"))
    if not database.exists():
        database.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template / "airflow" / "airflow.db", database)
    settings.configure_vars()
    importlib.reload(airflow_local_settings)  # the task logs' folder is read when it is imported
    configure_logging()


def _child(request: dict, output: int, template: Path) -> None:
    os.setsid()  # its own process group, as start_new_session gives a worker: killpg reaches dbt too
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.environ.clear()
    os.environ.update(request["env"])
    code = 1
    try:
        _point_airflow_at_this_home(template)
        from sendboard.devtools import worker

        code = worker.main(request["runs"])
    except SystemExit as end:
        code = end.code if isinstance(end.code, int) else 1
    except BaseException:  # noqa: BLE001 - the child reports anything, then ends as a worker would
        traceback.print_exc()
    finally:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve(path: str) -> None:
    # stdout says READY and nothing else: what Airflow logs while the server starts goes to stderr
    announce = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    template = Path(tempfile.mkdtemp(prefix="sendboard-worker-template-"))
    try:  # a child never returns here: it ends with os._exit
        _prepare(template)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        listener.bind(path)
        listener.listen()
        announce.write("READY\n")
        announce.close()
        children: dict[int, socket.socket] = {}
        while True:
            readable, _, _ = select.select([listener, sys.stdin], [], [], 0.05)
            if sys.stdin in readable and not sys.stdin.buffer.read1(1):
                for pid in children:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(pid, signal.SIGKILL)
                return
            if listener in readable:
                connection, _ = listener.accept()
                message, fds, _, _ = socket.recv_fds(connection, 1 << 20, 1)
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:
                    listener.close()
                    connection.close()
                    _child(json.loads(message), fds[0], template)
                os.close(fds[0])
                connection.send(str(pid).encode())
                children[pid] = connection
            while children:
                pid, status = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    break
                connection = children.pop(pid)
                connection.send(str(os.waitstatus_to_exitcode(status)).encode())
                connection.close()

    finally:
        shutil.rmtree(template, ignore_errors=True)


if __name__ == "__main__":
    serve(sys.argv[1])
