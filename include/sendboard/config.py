"""Settings, read in one place: every environment variable and Airflow variable sendboard reads is
read here, and listed in SETTINGS (docs/operations.md's settings table is checked against it).

SENDBOARD_HOME and SENDBOARD_INBOX come from the environment, else from Airflow variables of the
same name in lower case, else their defaults (outputs.md). The pseudonymisation key comes from the
Airflow variable `sendboard_pseudonymisation_key` (so an environment variable
AIRFLOW_VAR_SENDBOARD_PSEUDONYMISATION_KEY or any secrets backend works); a random development key
is made only when SENDBOARD_DEV_MODE=1.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sendboard.errors import ConfigurationError

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = PROJECT_ROOT / "dbt"
KEY_VARIABLE = "sendboard_pseudonymisation_key"
MIN_KEY_BYTES = 32
DEADLINE_VARIABLE = "sendboard_publication_deadline_day"
DEFAULT_DEADLINE_DAY = 15
EMAILS_VARIABLE = "sendboard_alert_emails"
WEBHOOK_VARIABLE = "sendboard_alert_webhook_url"
LA_CODE_SETTING = "SENDBOARD_LA_CODE"
ICB_CODE_SETTING = "SENDBOARD_ICB_CODE"
ICB_NAME_SETTING = "SENDBOARD_ICB_NAME"
HEALTH_PROVIDERS_SETTING = "SENDBOARD_HEALTH_PROVIDERS"
NHS_REGION_SETTING = "SENDBOARD_NHS_REGION"
HEALTH_AREA_SETTINGS = (ICB_CODE_SETTING, ICB_NAME_SETTING, HEALTH_PROVIDERS_SETTING, NHS_REGION_SETTING)


@dataclass(frozen=True)
class Setting:
    name: str
    where: str  # "environment", "environment or Airflow variable", "Airflow variable"
    default: str
    meaning: str


SETTINGS = (
    Setting("SENDBOARD_HOME", "environment or Airflow variable", "`.sendboard/` in the checkout",
            "where the warehouse, landed data, quarantine and published outputs live"),
    Setting("SENDBOARD_INBOX", "environment or Airflow variable", "`$SENDBOARD_HOME/sample_inbox`",
            "the landing area: a folder or an s3://, gs://, abfs:// URL"),
    Setting(KEY_VARIABLE, "Airflow variable", "none (refuses to run)",
            "the pseudonymisation key, at least 32 bytes, from a secrets backend"),
    Setting("SENDBOARD_DEV_MODE", "environment", "off",
            "1: make a random development key when none is configured (`make run` and the tests)"),
    Setting(DEADLINE_VARIABLE, "Airflow variable", str(DEFAULT_DEADLINE_DAY),
            "the day of the following month by which a month must be published"),
    Setting(EMAILS_VARIABLE, "Airflow variable", "none", "comma-separated recipients of failure alerts"),
    Setting(WEBHOOK_VARIABLE, "Airflow variable", "none", "a Teams or Slack incoming webhook for failure alerts"),
    Setting(LA_CODE_SETTING, "environment or Airflow variable", "none (no comparators)",
            "the local authority's DfE number (Oxfordshire: 931), for the DfE comparators"),
    Setting(ICB_CODE_SETTING, "environment or Airflow variable", "none",
            "the integrated care board's ODS code (Buckinghamshire, Oxfordshire and Berkshire West: QU9), for the "
            "health comparators"),
    Setting(ICB_NAME_SETTING, "environment or Airflow variable", "none",
            "or its name, where the code is not known (case, punctuation, NHS and Integrated Care Board ignored)"),
    Setting(HEALTH_PROVIDERS_SETTING, "environment or Airflow variable", "none",
            "the NHS trusts that provide the LA's children's community services: ODS codes or names, "
            "comma-separated (RNU,RWX)"),
    Setting(NHS_REGION_SETTING, "environment or Airflow variable", "none",
            "the NHS England region: its code or name (Y59, South East), for the health comparators"),
    Setting("SENDBOARD_INBOX_POKE_SECONDS", "environment", "1800",
            "how often an extract DAG looks for a complete period in the inbox"),
    Setting("SENDBOARD_DBT_POKE_SECONDS", "environment", "15", "how often a dbt model's sensor looks at the build"),
    Setting("SENDBOARD_DUCKDB_MEMORY_LIMIT", "environment", "3GB",
            "DuckDB's memory limit while landing (larger tables spill to disk)"),
    Setting("SENDBOARD_CHROMIUM", "environment", "the first of chromium, chromium-browser, google-chrome on PATH",
            "the Chromium that prints board_pack.pdf"),
    Setting("SENDBOARD_DOCS_PORT", "environment", "8580", "the port `make docs` serves the dbt docs on"),
    Setting("SENDBOARD_FAULT_AT", "environment", "none", "tests only: the step at which a worker kills itself"),
    # the bounds on every file from outside (ingest/bounds.py; docs/operations.md "Bounds on input files")
    Setting("SENDBOARD_MAX_FILE_MB", "environment", "4096",
            "the largest file accepted from the inbox, checked before it is read or copied"),
    Setting("SENDBOARD_MAX_UNZIPPED_MB", "environment", "2048",
            "the most one part of an XLSX workbook or zip may inflate to"),
    Setting("SENDBOARD_MAX_ZIP_RATIO", "environment", "100",
            "the most a part of an XLSX or zip over 1 MB may inflate, as a multiple of its compressed size"),
    Setting("SENDBOARD_MAX_ZIP_MEMBERS", "environment", "1000", "the most parts an XLSX workbook or zip may hold"),
    Setting("SENDBOARD_MAX_SHARED_STRINGS_MB", "environment", "512",
            "the most text an XLSX workbook's shared strings may hold (they are kept in memory while it is read)"),
    Setting("SENDBOARD_MAX_CELL_CHARS", "environment", "32767",
            "the longest XLSX cell or CSV column name (Excel's own limit for a cell)"),
    Setting("SENDBOARD_MAX_RECORD_MB", "environment", "16", "the longest CSV record (line breaks in quotes included)"),
    Setting("SENDBOARD_MAX_ROWS", "environment", "20000000", "the most data rows one export file may hold"),
    Setting("SENDBOARD_MAX_COLUMNS", "environment", "1000", "the most columns one export or worksheet may hold"),
    Setting("SENDBOARD_MAX_REFERENCE_MB", "environment", "256",
            "the largest DfE or NHS statistics table, read whole: each file, and each part of a zip inflated"),
)  # fmt: skip

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


def la_code() -> str | None:
    """The local authority's three-digit DfE number (`old_la_code` in DfE files), or None."""
    code = (_setting(LA_CODE_SETTING) or "").strip()
    return code or None


@dataclass(frozen=True)
class HealthAreas:
    """The NHS organisations whose CHS waiting lists stand beside ours: each a code or a name."""

    icb: str | None
    providers: tuple[str, ...]
    region: str | None


def health_areas() -> HealthAreas:
    def value(name: str) -> str | None:
        return (_setting(name) or "").strip() or None

    providers = tuple(p.strip() for p in (value(HEALTH_PROVIDERS_SETTING) or "").split(",") if p.strip())
    return HealthAreas(value(ICB_CODE_SETTING) or value(ICB_NAME_SETTING), providers, value(NHS_REGION_SETTING))


def health_areas_in_environment() -> bool:
    """Whether any health comparator setting is in the environment (`make run` sets the sample's otherwise)."""
    return any(os.environ.get(n) or os.environ.get(f"AIRFLOW_VAR_{n}") for n in HEALTH_AREA_SETTINGS)


def la_code_in_environment() -> bool:
    """Whether the LA code is set as SENDBOARD_LA_CODE or AIRFLOW_VAR_SENDBOARD_LA_CODE (`make run` sets
    the sample's own otherwise)."""
    return bool(os.environ.get(LA_CODE_SETTING) or os.environ.get(f"AIRFLOW_VAR_{LA_CODE_SETTING}"))


def development_mode() -> bool:
    return os.environ.get("SENDBOARD_DEV_MODE", "").strip().lower() in ("1", "true", "yes")


def inbox_from_environment() -> str | None:
    """SENDBOARD_INBOX as the environment sets it (`make run` makes a sample inbox without one)."""
    return os.environ.get("SENDBOARD_INBOX") or None


def key_in_environment() -> bool:
    """Whether the pseudonymisation key is given as AIRFLOW_VAR_SENDBOARD_PSEUDONYMISATION_KEY."""
    return bool(os.environ.get(f"AIRFLOW_VAR_{KEY_VARIABLE.upper()}"))


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def inbox_poke_seconds() -> int:
    return _int("SENDBOARD_INBOX_POKE_SECONDS", 1800)


def dbt_poke_seconds() -> int:
    return _int("SENDBOARD_DBT_POKE_SECONDS", 15)


def docs_port() -> int:
    return _int("SENDBOARD_DOCS_PORT", 8580)


def duckdb_memory_limit() -> str:
    return os.environ.get("SENDBOARD_DUCKDB_MEMORY_LIMIT") or "3GB"


MB = 1 << 20


@dataclass(frozen=True)
class InputBounds:
    """The most sendboard accepts of a file from outside (the SENDBOARD_MAX_* settings), in bytes,
    characters or counts. `setting` names the setting that raises each bound, for the reports."""

    file_bytes: int
    unzipped_bytes: int
    zip_ratio: int
    zip_members: int
    shared_strings_bytes: int
    cell_chars: int
    record_bytes: int
    rows: int
    columns: int
    reference_bytes: int

    SETTINGS = {
        "file_bytes": "SENDBOARD_MAX_FILE_MB",
        "unzipped_bytes": "SENDBOARD_MAX_UNZIPPED_MB",
        "zip_ratio": "SENDBOARD_MAX_ZIP_RATIO",
        "zip_members": "SENDBOARD_MAX_ZIP_MEMBERS",
        "shared_strings_bytes": "SENDBOARD_MAX_SHARED_STRINGS_MB",
        "cell_chars": "SENDBOARD_MAX_CELL_CHARS",
        "record_bytes": "SENDBOARD_MAX_RECORD_MB",
        "rows": "SENDBOARD_MAX_ROWS",
        "columns": "SENDBOARD_MAX_COLUMNS",
        "reference_bytes": "SENDBOARD_MAX_REFERENCE_MB",
    }

    def setting(self, bound: str) -> str:
        """`SENDBOARD_MAX_ROWS=20000000`: the setting of a bound, as a report quotes it."""
        name = self.SETTINGS[bound]
        value = getattr(self, bound)
        return f"{name}={value // MB if name.endswith('_MB') else value}"


def input_bounds() -> InputBounds:
    """The bounds in force. Defaults fit a national month (9.1M pupils, about 1 GB of CSV; an XLSX holds
    at most 1,048,576 rows) with headroom, and real zips (under 30:1) well inside the ratio."""

    def megabytes(name: str, default: int) -> int:
        return _positive(name, default) * MB

    return InputBounds(
        file_bytes=megabytes("SENDBOARD_MAX_FILE_MB", 4096),
        unzipped_bytes=megabytes("SENDBOARD_MAX_UNZIPPED_MB", 2048),
        zip_ratio=_positive("SENDBOARD_MAX_ZIP_RATIO", 100),
        zip_members=_positive("SENDBOARD_MAX_ZIP_MEMBERS", 1000),
        shared_strings_bytes=megabytes("SENDBOARD_MAX_SHARED_STRINGS_MB", 512),
        cell_chars=_positive("SENDBOARD_MAX_CELL_CHARS", 32767),
        record_bytes=megabytes("SENDBOARD_MAX_RECORD_MB", 16),
        rows=_positive("SENDBOARD_MAX_ROWS", 20_000_000),
        columns=_positive("SENDBOARD_MAX_COLUMNS", 1000),
        reference_bytes=megabytes("SENDBOARD_MAX_REFERENCE_MB", 256),
    )


def _positive(name: str, default: int) -> int:
    value = _int(name, default)
    if value < 1:
        raise ConfigurationError(f"{name} must be a whole number of at least 1, not {value}")
    return value


def chromium() -> str | None:
    return os.environ.get("SENDBOARD_CHROMIUM") or None


def fault_at() -> str | None:
    return os.environ.get("SENDBOARD_FAULT_AT") or None


def deadline_day() -> int:
    """The day of M+1 by which month M must be published (the Airflow variable, 1-31)."""
    day = int(_airflow_variable(DEADLINE_VARIABLE) or DEFAULT_DEADLINE_DAY)
    if not 1 <= day <= 31:
        raise ValueError(f"{DEADLINE_VARIABLE} must be a day of the month (1-31), not {day}")
    return day


def alert_emails() -> list[str]:
    return [r.strip() for r in (_airflow_variable(EMAILS_VARIABLE) or "").split(",") if r.strip()]


def alert_webhook_url() -> str | None:
    return _airflow_variable(WEBHOOK_VARIABLE) or None


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
