"""Configuration, read in one place.

SENDBOARD_HOME and SENDBOARD_INBOX come from the environment, else from
Airflow variables of the same name in lower case, else their defaults
(outputs.md). The pseudonymisation key comes from the Airflow variable
`sendboard_pseudonymisation_key` (so an environment variable
AIRFLOW_VAR_SENDBOARD_PSEUDONYMISATION_KEY or any secrets backend works);
a random development key is made only when SENDBOARD_DEV_MODE=1.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from pathlib import Path

from sendboard.errors import ConfigurationError

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = PROJECT_ROOT / "dbt"
KEY_VARIABLE = "sendboard_pseudonymisation_key"
MIN_KEY_BYTES = 32

# Every phone-home we know of, off: the machines reach no internet and a
# council network may not either. Applied before Airflow, dbt, Cosmos or GX load.
OFFLINE_ENVIRONMENT = {
    "DO_NOT_TRACK": "1",
    "SCARF_ANALYTICS": "false",
    "GX_ANALYTICS_ENABLED": "False",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "DBT_VERSION_CHECK": "False",
    "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
}


def apply_offline_environment() -> None:
    for name, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(name, value)


def _airflow_variable(name: str) -> str | None:
    from airflow.sdk import Variable

    return Variable.get(name, default=None)


def _setting(name: str) -> str | None:
    return os.environ.get(name) or _airflow_variable(name.lower())


def home() -> Path:
    path = Path(_setting("SENDBOARD_HOME") or PROJECT_ROOT / ".sendboard")
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_inbox() -> Path:
    return home() / "sample_inbox"


def inbox() -> str:
    """The landing area: a local folder or an fsspec URL (s3://, gs://, abfs://)."""
    return _setting("SENDBOARD_INBOX") or str(default_inbox())


def development_mode() -> bool:
    return os.environ.get("SENDBOARD_DEV_MODE", "").strip().lower() in ("1", "true", "yes")


def pseudonymisation_key() -> bytes:
    """The secret HMAC key. Never logged, never written outside SENDBOARD_HOME."""
    configured = _airflow_variable(KEY_VARIABLE)
    if configured:
        key = configured.encode("utf-8")
        if len(key) < MIN_KEY_BYTES:
            raise ConfigurationError(
                f"the Airflow variable {KEY_VARIABLE} is shorter than {MIN_KEY_BYTES} bytes; "
                "use a long random secret (e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`)"
            )
        return key
    if not development_mode():
        raise ConfigurationError(
            f"no pseudonymisation key: set the Airflow variable {KEY_VARIABLE} from your secrets backend "
            "(or AIRFLOW_VAR_SENDBOARD_PSEUDONYMISATION_KEY). Refusing to run: a development key is "
            "only made when SENDBOARD_DEV_MODE=1."
        )
    return _development_key()


def _development_key() -> bytes:
    path = home() / "secrets" / "development_pseudonymisation.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        log.warning(
            "DEVELOPMENT MODE: made a random pseudonymisation key at %s. "
            "Pseudonyms made with it link only with data landed by this installation.",
            path,
        )
    return path.read_text().strip().encode("utf-8")


def key_fingerprint(key: bytes) -> str:
    """A short, non-reversible label of the key, so a manifest shows which key made its pseudonyms."""
    return hashlib.sha256(b"sendboard-key-fingerprint:" + key).hexdigest()[:12]
