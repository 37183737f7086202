"""The deployment's services, started directly on this machine on loopback (there is no Docker engine):
PostgreSQL from the Debian package in a temporary folder, a real SMTP server (aiosmtpd), and Airflow's
api-server, scheduler, dag-processor and triggerer with the LocalExecutor, configured as
docker-compose.yml configures them. Every process is stopped at the end, whatever happened."""

from __future__ import annotations

import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AIRFLOW_COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
MONITOR_USER = "monitor"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: `make postgres` installs the Debian package")
    return Path(found[-1]).parent


def _as_postgres_user(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; the Debian package's `postgres` user runs it then
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], env: dict | None = None, timeout: float = 300) -> None:
    done = subprocess.run(command, capture_output=True, timeout=timeout, env=env)
    if done.returncode:
        raise RuntimeError(
            f"{command[0] if command[0] != 'runuser' else command[4]} failed "
            f"({done.returncode}):\n{done.stdout.decode()}{done.stderr.decode()}"
        )


class Postgres:
    """A throw-away PostgreSQL cluster on 127.0.0.1 with password authentication."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.password = secrets.token_urlsafe(18)
        self.bin = postgres_bin()

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://airflow:{self.password}@127.0.0.1:{self.port}/airflow"

    def start(self) -> None:
        self.folder.mkdir(parents=True)
        password_file = self.folder / "pwfile"
        password_file.write_text(self.password + "\n")
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            shutil.chown(password_file, "postgres")
            # the postgres user must be able to pass through the (root-owned, 0700) temporary folder
            self.folder.parent.chmod(self.folder.parent.stat().st_mode | 0o111)
        _run(
            _as_postgres_user(
                [
                    str(self.bin / "initdb"),
                    "-D",
                    str(self.folder / "data"),
                    "-U",
                    "airflow",
                    "--auth=scram-sha-256",
                    f"--pwfile={password_file}",
                    "-E",
                    "UTF8",
                ]
            )
        )
        password_file.unlink()
        _run(
            _as_postgres_user(
                [
                    str(self.bin / "pg_ctl"),
                    "-D",
                    str(self.folder / "data"),
                    "-l",
                    str(self.folder / "postgres.log"),
                    "-w",
                    "-o",
                    f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder}",
                    "start",
                ]
            )
        )
        _run(
            _as_postgres_user(
                [str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "airflow", "airflow"]
            ),
            env={**os.environ, "PGPASSWORD": self.password},
        )

    def stop(self) -> None:
        if (self.folder / "data" / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres_user(
                    [str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop"]
                ),
                capture_output=True,
                timeout=120,
            )


@dataclass
class Mailbox:
    """A real SMTP server on loopback that keeps what it receives."""

    port: int = field(default_factory=free_port)
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler API
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


class Airflow:
    """The four Airflow services with the LocalExecutor on the Postgres metadata DB, and a REST client."""

    def __init__(self, folder: Path, postgres: Postgres, mailbox: Mailbox, inbox: Path, home: Path):
        self.folder, self.api_port = folder, free_port()
        self.password = secrets.token_urlsafe(18)
        self.processes: dict[str, subprocess.Popen] = {}
        self._token: str | None = None
        folder.mkdir(parents=True)
        passwords = folder / "simple_auth_manager_passwords.json"
        passwords.write_text(json.dumps({MONITOR_USER: self.password}))
        passwords.chmod(0o600)
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "SENDBOARD_"))}
        self.env = {
            **inherited,
            "AIRFLOW_HOME": str(folder),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",  # 2 cores: a few task processes at a time
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": postgres.url,
            # one JWT secret shared by every service: the api-server signs what workers present
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{self.api_port}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.api_port}/execution/",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{MONITOR_USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "DO_NOT_TRACK": "1",
            "SCARF_ANALYTICS": "false",
            "GX_ANALYTICS_ENABLED": "False",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "SENDBOARD_HOME": str(home),
            "SENDBOARD_INBOX": str(inbox),
            "SENDBOARD_INBOX_POKE_SECONDS": "30",
            "AIRFLOW_VAR_SENDBOARD_PSEUDONYMISATION_KEY": secrets.token_hex(32),
            "AIRFLOW_CONN_SENDBOARD_SMTP": f"smtp://127.0.0.1:{mailbox.port}",
            "AIRFLOW_VAR_SENDBOARD_ALERT_EMAILS": "send-data-oncall@example.org",
            # due on the 1st: last month is late until the test publishes it
            "AIRFLOW_VAR_SENDBOARD_PUBLICATION_DEADLINE_DAY": "1",
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        }

    def start(self) -> None:
        _run(
            [
                sys.executable,
                "-c",
                "from sendboard.orchestration.airflow_env import migrate_metadata_db; migrate_metadata_db()",
            ],
            env=self.env,
        )
        for component in AIRFLOW_COMPONENTS:
            log = open(self.folder / f"{component}.log", "wb")  # noqa: SIM115 - the process writes it until stop()
            # a session of its own: stopping it stops the task processes it started too
            self.processes[component] = subprocess.Popen(
                [sys.executable, "-m", "airflow", component],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_healthy(self, timeout: float = 240) -> dict:
        deadline = time.monotonic() + timeout
        health: dict = {}
        while time.monotonic() < deadline:
            for component, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"airflow {component} exited:\n{self.log_tail(component)}")
            try:
                health = self.get("/api/v2/monitor/health", auth=False)
                if all(part.get("status") == "healthy" for part in health.values()):
                    return health
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(2)
        raise TimeoutError(f"Airflow services not healthy after {timeout} s: {health}")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in self.processes.values():
            try:
                process.wait(timeout=max(1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def log_tail(self, component: str, lines: int = 40) -> str:
        return "\n".join((self.folder / f"{component}.log").read_text(errors="replace").splitlines()[-lines:])

    # -- the REST API, as a monitoring engineer uses it ---------------------------------------
    def _request(self, method: str, path: str, body: dict | None = None, auth: bool = True):
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token()}"
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.api_port}{path}",
            method=method,
            headers=headers,
            data=json.dumps(body).encode() if body is not None else None,
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            payload = response.read()
        return json.loads(payload) if payload and payload.lstrip()[:1] in (b"{", b"[") else payload.decode()

    def token(self) -> str:
        if self._token is None:
            self._token = self._request(
                "POST", "/auth/token", {"username": MONITOR_USER, "password": self.password}, auth=False
            )["access_token"]
        return self._token

    def get(self, path: str, auth: bool = True):
        return self._request("GET", path, auth=auth)

    def post(self, path: str, body: dict):
        return self._request("POST", path, body)

    def patch(self, path: str, body: dict):
        return self._request("PATCH", path, body)

    def runs(self, dag_id: str) -> list[dict]:
        return self.get(f"/api/v2/dags/{dag_id}/dagRuns?order_by=run_after&limit=100")["dag_runs"]

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        quoted = urllib.request.quote(run_id, safe="")
        return self.get(f"/api/v2/dags/{dag_id}/dagRuns/{quoted}/taskInstances?limit=200")["task_instances"]

    def task_log(self, dag_id: str, run_id: str, task_id: str, try_number: int) -> str:
        quoted = urllib.request.quote(run_id, safe="")
        content = self.get(
            f"/api/v2/dags/{dag_id}/dagRuns/{quoted}/taskInstances/{task_id}/logs/{try_number}?full_content=true"
        )
        if isinstance(content, dict):
            content = json.dumps(content.get("content", content))
        return content

    def wait_for(self, describe: str, condition, timeout: float, every: float = 5):
        """Poll condition() until it returns something truthy; on time-out say what was awaited."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for component, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"airflow {component} exited:\n{self.log_tail(component)}")
            result = condition()
            if result:
                return result
            time.sleep(every)
        raise TimeoutError(f"waited {timeout} s for {describe}\n--- scheduler log:\n{self.log_tail('scheduler')}")
