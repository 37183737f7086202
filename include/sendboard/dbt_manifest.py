"""Keep dbt/target/manifest.json current: Cosmos renders the publish DAG from it, without a dbt
process at parse time. `make` runs this after installing; it re-parses only when a dbt file changed."""

from __future__ import annotations

import os
import subprocess
import sys

from sendboard.config import OFFLINE_ENVIRONMENT, PROJECT_ROOT

DBT_PROJECT = PROJECT_ROOT / "dbt"
MANIFEST = DBT_PROJECT / "target" / "manifest.json"


def is_current() -> bool:
    if not MANIFEST.exists():
        return False
    built = MANIFEST.stat().st_mtime
    sources = [p for folder in ("models", "macros", "seeds", "tests") for p in (DBT_PROJECT / folder).rglob("*")
               if p.is_file()] + [DBT_PROJECT / "dbt_project.yml", DBT_PROJECT / "profiles.yml"]
    return all(p.stat().st_mtime <= built for p in sources)


def ensure() -> None:
    if is_current():
        return
    env = {**os.environ, **OFFLINE_ENVIRONMENT}
    env.setdefault("SENDBOARD_HOME", str(PROJECT_ROOT / ".sendboard"))
    dbt = os.path.join(os.path.dirname(sys.executable), "dbt")
    subprocess.run([dbt, "parse", "--quiet", "--profiles-dir", str(DBT_PROJECT)], cwd=DBT_PROJECT, env=env,
                   check=True)


if __name__ == "__main__":
    ensure()
    print(f"dbt manifest current: {MANIFEST.relative_to(PROJECT_ROOT)}")
