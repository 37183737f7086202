"""`make run`'s terminal: one line per DAG run on the console, everything else in a log file.

Airflow, dbt (a child process) and Python's warnings write to file descriptors 1 and 2, so those are
pointed at the log file for the whole run; our own lines go to a duplicate of the terminal taken
first. The alerts a failed task raises are caught as they are logged, so the console can show them.
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

ALERTS_LOGGER = "sendboard.operations.alerts"


def log_path(home: Path) -> Path:
    """A new log file for this run: $SENDBOARD_HOME/logs/make_run_<UTC time>.log."""
    folder = home / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"make_run_{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"


class _AlertCatcher(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.alerts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("ALERT "):
            self.alerts.append(message.removeprefix("ALERT ").strip())


class Console:
    """Use as a context manager: inside it, fds 1 and 2 go to `log`; `say` writes to the terminal."""

    def __init__(self, log: Path):
        self.log = log
        self.terminal: TextIO = sys.stdout
        self._saved: tuple[int, int] | None = None
        self._catcher = _AlertCatcher()

    def __enter__(self) -> Console:
        sys.stdout.flush()
        sys.stderr.flush()
        self._saved = (os.dup(1), os.dup(2))
        self.terminal = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
        with open(self.log, "ab") as handle:
            os.dup2(handle.fileno(), 1)
            os.dup2(handle.fileno(), 2)
        logging.getLogger(ALERTS_LOGGER).addHandler(self._catcher)
        return self

    def __exit__(self, *exc) -> None:
        logging.getLogger(ALERTS_LOGGER).removeHandler(self._catcher)
        sys.stdout.flush()
        sys.stderr.flush()
        if self._saved:
            os.dup2(self._saved[0], 1)
            os.dup2(self._saved[1], 2)
            os.close(self._saved[0])
            os.close(self._saved[1])
        self.terminal.close()
        self.terminal = sys.stdout

    def say(self, text: str = "") -> None:
        print(text, file=self.terminal, flush=True)

    def new_alerts(self) -> list[str]:
        """The alerts logged since the last call."""
        alerts, self._catcher.alerts = self._catcher.alerts, []
        return alerts
