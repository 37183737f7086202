"""A worker (sendboard.devtools.worker) running the real DAGs for a home and an inbox, as the fault,
disclosure, identifier, comparator and worklist tests start it: its own Airflow metadata DB, an
optional fault. Each is forked by the pre-started worker (tests/support/worker_server.py), which
each test process starts once; the handle answers as subprocess.Popen did."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# a warning a worker printed rather than raised (a library may catch what the filters raise)
PRINTED_WARNING = re.compile(r"^.*\b(?:Deprecation|Future)Warning\b.*$", re.M)


class _Server:
    """The pre-started worker of this test process, started on first use, stopped at exit."""

    process: subprocess.Popen | None = None
    path = ""

    @classmethod
    def address(cls) -> str:
        if cls.process is None or cls.process.poll() is not None:
            folder = Path(tempfile.mkdtemp(prefix="sendboard-worker-server-"))
            cls.path = str(folder / "socket")
            log = folder / "server.log"
            with open(log, "w") as errors:
                cls.process = subprocess.Popen(
                    [sys.executable, "-m", "tests.support.worker_server", cls.path],
                    cwd=ROOT,
                    env=_environment(),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=errors,
                    text=True,
                )
            assert cls.process.stdout is not None
            atexit.register(cls.stop)
            if cls.process.stdout.readline().strip() != "READY":
                raise RuntimeError(f"the pre-started worker did not start:\n{log.read_text()[-4000:]}")
        return cls.path

    @classmethod
    def stop(cls) -> None:
        if cls.process and cls.process.poll() is None:
            assert cls.process.stdin is not None
            cls.process.stdin.close()  # the server kills what still runs, and ends
            cls.process.wait(timeout=60)
        shutil.rmtree(Path(cls.path).parent, ignore_errors=True)


class Worker:
    """A forked worker: pid (its process group), stdout (its output, stderr too), wait, communicate."""

    def __init__(self, request: dict) -> None:
        read, write = os.pipe()
        self._connection = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._connection.connect(_Server.address())
        socket.send_fds(self._connection, [json.dumps(request).encode()], [write])
        os.close(write)
        self.pid = int(self._connection.recv(64))
        self.stdout = os.fdopen(read, encoding="utf-8", errors="replace")
        self.returncode: int | None = None

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self._connection.settimeout(timeout)
            try:
                self.returncode = int(self._connection.recv(64))
            except TimeoutError:
                raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout or 0) from None
            self._connection.close()
        return self.returncode

    def communicate(self, timeout: float) -> tuple[str, None]:
        """All its output and its end; past the timeout its process group is killed and TimeoutExpired raised."""
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            _kill_group(self.pid)

        watchdog = threading.Timer(timeout, expire)
        watchdog.start()
        try:
            output = self.stdout.read()
        finally:
            watchdog.cancel()
            self.stdout.close()
        self.wait(timeout=60)
        if expired.is_set():
            raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout, output)
        printed = PRINTED_WARNING.findall(output)
        assert not printed, "a worker printed a deprecation warning:\n" + "\n".join(printed[:20])
        return output, None


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _environment() -> dict[str, str]:
    """The test process's environment (with its PYTHONWARNINGS: tests/conftest.py) without Airflow's:
    each worker home has its own metadata DB."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("AIRFLOW")}
    env.pop("SENDBOARD_FAULT_AT", None)
    return env


def start_worker(
    home: Path, inbox: Path, runs: list[str], fault: str | None = None, airflow_home: Path | None = None
) -> Worker:
    env = {**_environment(), "SENDBOARD_HOME": str(home), "SENDBOARD_INBOX": str(inbox), "SENDBOARD_DEV_MODE": "1"}
    if airflow_home:  # another machine's Airflow, the same SENDBOARD_HOME
        from sendboard.orchestration.airflow_env import airflow_environment

        env.update(airflow_environment(airflow_home))
        (airflow_home / "airflow").mkdir(parents=True, exist_ok=True)
    if fault:
        env["SENDBOARD_FAULT_AT"] = fault
    return Worker({"runs": runs, "env": env})


def run_worker(home: Path, inbox: Path, runs: list[str], fault: str | None = None) -> tuple[int, str]:
    worker = start_worker(home, inbox, runs, fault)
    output, _ = worker.communicate(timeout=600)
    return worker.returncode if worker.returncode is not None else 1, output
