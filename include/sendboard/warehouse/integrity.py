"""Is the warehouse the one the published files came from? Checked before every build and publication.

Every published month is a link published/<M> -> .versions/<M>/v<N>, and every published version
has its rows in publication.board_snapshot_history. If the warehouse file cannot be read (damaged)
or does not hold the history the links show (deleted, replaced by an old copy), the run stops and
says so: rebuilding a fresh warehouse would publish "version 1" over the board's history.

Recovery, once the cause is understood (docs/operations.md: 'Restoring the warehouse'):

    python -m sendboard.warehouse.integrity --restore-history

moves the damaged file aside (kept, never deleted) and rebuilds the publication history from the
published version folders; the next run rebuilds everything else from the landed data.
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from sendboard import sql
from sendboard.errors import WarehouseDamaged
from sendboard.warehouse import connection as warehouse

log = logging.getLogger(__name__)


def published_versions(home: Path) -> dict[str, int]:
    """{month: linked version} from published/<M> links."""
    root = home / "published"
    found = {}
    for link in sorted(root.iterdir()) if root.exists() else []:
        if link.is_symlink() and not link.name.startswith("."):
            found[link.name] = int(os.readlink(link).rsplit("/v", 1)[1])
    return found


def check_warehouse(home: Path, con: duckdb.DuckDBPyConnection | None = None) -> None:
    """Raise WarehouseDamaged unless the warehouse reads and holds every published version."""
    path = warehouse.path(home)
    linked = published_versions(home)
    advice = (
        "Nothing was built or published. See docs/operations.md 'Restoring the warehouse' "
        "(python -m sendboard.warehouse.integrity --restore-history)."
    )
    if not path.exists():
        if linked:
            raise WarehouseDamaged(
                f"the warehouse {path} is missing but {len(linked)} month(s) are published "
                f"under {home / 'published'}. {advice}"
            )
        return
    own = con is None
    try:
        con = con or warehouse.connect(home)
        try:
            tables = {
                r[0]
                for r in con.execute(
                    "select table_name from duckdb_tables() where schema_name = 'publication'"
                ).fetchall()
            }
            history = (
                dict(
                    con.execute(
                        "select period, max(version) from publication.board_snapshot_history group by period"
                    ).fetchall()
                )
                if "board_snapshot_history" in tables
                else {}
            )
            # read every history row: a damaged block fails its checksum here rather than later
            if history:
                con.execute(
                    "select count(*), count(distinct input_fingerprint), max(published_at) "
                    "from publication.board_snapshot_history"
                ).fetchall()
        finally:
            if own:
                con.close()
    except duckdb.Error as error:
        raise WarehouseDamaged(
            f"the warehouse {path} cannot be read ({type(error).__name__}); it may be damaged. {advice}"
        ) from error
    missing = [f"{m} v{v}" for m, v in linked.items() if history.get(m, 0) < v]
    if missing:
        raise WarehouseDamaged(
            f"the warehouse {path} lacks the publication history of {', '.join(missing[:12])}"
            f"{' and more' if len(missing) > 12 else ''}: it was replaced or restored from "
            f"an older copy. {advice}"
        )


def restore_history(home: Path) -> Path | None:
    """Move the warehouse aside and rebuild publication.board_snapshot_history from the published
    version folders (every version up to the linked one). Returns where the old file went."""
    path = warehouse.path(home)
    kept = None
    if path.exists():
        kept = path.with_name(f"{path.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        path.rename(kept)
        wal = Path(f"{path}.wal")
        if wal.exists():
            wal.rename(Path(f"{kept}.wal"))
    con = warehouse.connect(home)
    try:
        warehouse.ensure_publication_tables(con)
        columns = ", ".join(warehouse.SNAPSHOT_COLUMNS)
        for month, linked in published_versions(home).items():
            for version in range(1, linked + 1):
                folder = home / "published" / ".versions" / month / f"v{version}"
                if (folder / "board_snapshot.parquet").exists():
                    con.execute(
                        f"insert into publication.board_snapshot_history ({columns}, input_fingerprint) "
                        f"select {columns}, 'restored' from read_parquet(?)",
                        [str(folder / "board_snapshot.parquet")],
                    )
        restored = sql.one(con, "select count(distinct period), count(*) from publication.board_snapshot_history")
    finally:
        con.close()
    log.warning(
        "publication history restored from the published files: %s months, %s rows%s",
        *restored,
        f"; the old warehouse is kept at {kept}" if kept else "",
    )
    return kept


if __name__ == "__main__":
    from sendboard import config

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    home = config.home()
    if "--restore-history" in sys.argv:
        restore_history(home)
    try:
        check_warehouse(home)
    except WarehouseDamaged as damaged:
        print(damaged, file=sys.stderr)
        sys.exit(1)
    print(f"warehouse {warehouse.path(home)} holds every published version")
