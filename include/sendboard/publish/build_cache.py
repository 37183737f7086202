"""Whether a publish run can skip dbt: the warehouse was built, tested and checked from exactly the
landed inputs there are now (publication.warehouse_build records the run that claimed the build)."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from sendboard import config
from sendboard.publish.inputs import project_digest
from sendboard.warehouse import connection as warehouse

log = logging.getLogger(__name__)


def warehouse_fingerprint(home: Path, sources: list[str] | None = None) -> str:
    """What a dbt build of the warehouse is made from: every landed period of every source (the
    checksums its manifest records, and its Parquet files as they are on disk now, so a file changed
    after landing counts as new), the dbt project and the dbt and DuckDB versions. With `sources`,
    only those sources' periods: what a model reading only them is made from."""
    from importlib.metadata import version

    from sendboard.contract import SOURCES

    landed = []
    for source in sorted(sources or SOURCES):
        # hidden folders are a landing in progress or a crashed one: dbt does not read them either
        for folder in sorted((home / "raw" / source).glob("period=*")):
            manifest_file = folder / "manifest.json"
            if not manifest_file.exists():
                continue
            manifest = json.loads(manifest_file.read_text())
            files = [
                (f.name, stat.st_size, stat.st_mtime_ns)
                for f in sorted(folder.glob("*.parquet"))
                for stat in [f.stat()]
            ]
            landed.append(
                [
                    source,
                    manifest["period"],
                    manifest.get("key_fingerprint"),
                    {t: v["sha256"] for t, v in manifest["tables"].items()},
                    files,
                ]
            )
    digest = hashlib.sha256(json.dumps(landed, sort_keys=True).encode() + project_digest())
    digest.update((config.DBT_PROJECT / "dbt_project.yml").read_bytes())
    digest.update(" ".join(version(p) for p in ("dbt-core", "dbt-duckdb", "duckdb")).encode())
    return digest.hexdigest()


def claim_build(con, fingerprint: str, run_id: str) -> str | None:
    """The run that built and checked this warehouse from exactly these landed inputs, if one did
    (this run then skips dbt); otherwise record that this run is building it and return None.

    A build only counts once its dbt tests and this run's mart checks passed (`build_checked`), and
    only for the run that claimed it last: a build that crashed, failed, or was overtaken by another
    run's build is never trusted."""
    row = con.execute(
        "select run_id, complete from publication.warehouse_build where fingerprint = ?", [fingerprint]
    ).fetchone()
    if row and row[1]:
        return row[0]
    con.execute("delete from publication.warehouse_build")
    con.execute("insert into publication.warehouse_build values (?, ?, false, now())", [fingerprint, run_id])
    return None


def build_checked(home: Path, inputs: dict, run_id: str | None, passed: bool) -> None:
    """After the mart checks: a build this run claimed is trusted from now on if they passed; any
    failed check means the next run builds again."""
    con = warehouse.connect(home)
    try:
        if not passed:
            con.execute("delete from publication.warehouse_build")
        elif run_id and inputs.get("warehouse_fingerprint"):
            con.execute(
                "update publication.warehouse_build set complete = true where run_id = ? and fingerprint = ?",
                [run_id, inputs["warehouse_fingerprint"]],
            )
    finally:
        con.close()
