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

from sendboard.orchestration import airflow_env  # noqa: E402

airflow_env.apply(_SESSION_HOME)

# Cosmos renders the publish DAG from dbt's manifest: make it current before any DAG is parsed
from sendboard.warehouse import dbt_manifest  # noqa: E402

dbt_manifest.ensure()

TEST_KEY = b"test-key-for-pseudonyms-0123456789abcdef"


@pytest.fixture(scope="session")
def session_home() -> Path:
    return _SESSION_HOME


@pytest.fixture
def key() -> bytes:
    return TEST_KEY
