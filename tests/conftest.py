"""Test set-up: every test session gets its own SENDBOARD_HOME and Airflow home, offline, in dev mode.

The environment is set here, at import, before anything imports Airflow.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_SESSION_HOME = Path(tempfile.mkdtemp(prefix="sendboard-test-home-"))
os.environ["SENDBOARD_HOME"] = str(_SESSION_HOME)
os.environ["SENDBOARD_DEV_MODE"] = "1"
os.environ.pop("AIRFLOW_VAR_SENDBOARD_PSEUDONYMISATION_KEY", None)

from tests.support import warning_filters  # noqa: E402

# the processes the tests start (workers, dbt, the deployment's services) raise deprecations too
os.environ["PYTHONWARNINGS"] = warning_filters.python_warnings()

from sendboard.orchestration import airflow_env  # noqa: E402

airflow_env.apply(_SESSION_HOME)

# Cosmos renders the publish DAG from dbt's manifest: make it current before any DAG is parsed
from sendboard.warehouse import dbt_manifest  # noqa: E402

dbt_manifest.ensure()


def pytest_configure(config: pytest.Config) -> None:
    # after pyproject's "error::DeprecationWarning" and "error::FutureWarning": the last filter wins
    for entry in warning_filters.pytest_filters():
        config.addinivalue_line("filterwarnings", entry)


TEST_KEY = b"test-key-for-pseudonyms-0123456789abcdef"


@pytest.fixture(scope="session")
def session_home() -> Path:
    return _SESSION_HOME


@pytest.fixture
def key() -> bytes:
    return TEST_KEY


# The slowest modules first (measured: NOTES.md), so that under pytest-xdist no process is left running
# a long one alone at the end; the rest keep their order.
SLOWEST_FIRST = (
    "tests/integration/test_scheduler.py",
    "tests/e2e/test_faults.py",
    "tests/e2e/test_publish.py",
    "tests/e2e/test_comparators.py",
    "tests/e2e/test_disclosure.py",
    "tests/e2e/test_identifiers.py",
    "tests/e2e/test_bad_inputs.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::")[0]
        return SLOWEST_FIRST.index(path) if path in SLOWEST_FIRST else len(SLOWEST_FIRST)

    items.sort(key=rank)
