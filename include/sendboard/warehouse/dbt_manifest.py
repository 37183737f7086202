"""Keep dbt/target/manifest.json current: Cosmos renders the publish DAG from it, without a dbt
process at parse time. `make` runs this after installing; it re-parses only when a dbt file changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sendboard.config import DBT_PROJECT, OFFLINE_ENVIRONMENT, PROJECT_ROOT

MANIFEST = DBT_PROJECT / "target" / "manifest.json"


def is_current() -> bool:
    if not MANIFEST.exists():
        return False
    built = MANIFEST.stat().st_mtime
    sources = [
        p for folder in ("models", "macros", "seeds", "tests") for p in (DBT_PROJECT / folder).rglob("*") if p.is_file()
    ] + [DBT_PROJECT / "dbt_project.yml", DBT_PROJECT / "profiles.yml"]
    return all(p.stat().st_mtime <= built for p in sources)


def run_dbt(
    *command: str,
    home: Path | None = None,
    target_path: Path | None = None,
    log_path: Path | None = None,
    check: bool = False,
) -> subprocess.CompletedProcess:
    """Run the dbt CLI of this virtualenv on the project, offline, against SENDBOARD_HOME `home`
    (else the environment's); target and logs go where given (else dbt's defaults in the project)."""
    env = {**os.environ, **OFFLINE_ENVIRONMENT}
    if home is not None:
        env["SENDBOARD_HOME"] = str(home)
    env.setdefault("SENDBOARD_HOME", str(PROJECT_ROOT / ".sendboard"))
    argv = [os.path.join(os.path.dirname(sys.executable), "dbt"), *command, "--profiles-dir", str(DBT_PROJECT)]
    if target_path is not None:
        argv += ["--target-path", str(target_path)]
    if log_path is not None:
        argv += ["--log-path", str(log_path)]
    return subprocess.run(argv, cwd=DBT_PROJECT, env=env, check=check, capture_output=not check, text=True)


def ensure() -> None:
    if not is_current():
        run_dbt("parse", "--quiet", check=True)


if __name__ == "__main__":
    ensure()
    print(f"dbt manifest current: {MANIFEST.relative_to(PROJECT_ROOT)}")
