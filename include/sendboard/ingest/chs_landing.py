"""Land NHS England's community health services waiting-list workbooks a council (or its ICB
analyst) drops into `<inbox>/nhs_statistics/`, for the dbt source `nhs_statistics` and the health
comparators.

Each `*.xlsx` is read by `ingest.chs` (everything found by content: the data month from the
workbook's own words, never the file name). One that is understood is written under
`$SENDBOARD_HOME/raw/nhs_statistics/`:
    chs/<sha256>.parquet     its CYP service lines, one row per organisation and line, with the
                             data month, the file's name and when it landed
    _schema/chs_waiting_lists.parquet   zero rows: the dbt source has its columns before any landing
    files.json               every file seen (its sha256): landed or rejected, when, why

Every landed workbook is kept: for each data month the staging view takes the one landed last (NHS
England re-issues revised workbooks). A rejected file is recorded with its reason and raised, so the
run fails and alerts; the others land all the same, and no publication waits for this landing.
These are published statistics (Open Government Licence v3.0), not personal data.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from sendboard.ingest import chs
from sendboard.ingest.dfe_landing import DfeInbox, files_seen, land_entries, rejections_in, write_parquet

SOURCE = "nhs_statistics"
TABLE = "chs_waiting_lists"
KIND = "chs_workbook"
COUNTS = ("waiting", "waiting_18_to_52_weeks", "waiting_over_52_weeks")
SCHEMA = pa.schema(
    [
        *(pa.field(c, pa.string()) for c in ("chs_month", "area_level", "area_code", "area_name", "area_key",
                                             "service", "workbook", "workbook_sha256")),
        *(pa.field(c, pa.int64()) for c in COUNTS),
        pa.field("_loaded_at", pa.timestamp("us", tz="UTC")),
    ]
)  # fmt: skip


def raw_folder(home: Path) -> Path:
    return home / "raw" / SOURCE


def write_schema_file(home: Path) -> None:
    """A zero-row Parquet file, so the dbt source has its columns before any workbook has landed."""
    target = raw_folder(home) / "_schema" / f"{TABLE}.parquet"
    if not target.exists():
        write_parquet(SCHEMA.empty_table(), target)


class NhsInbox(DfeInbox):
    """`<inbox>/nhs_statistics/` on a local disk or an object store: its files, each its own entry."""

    def __init__(self, location: str):
        super().__init__(location, SOURCE)

    def entries(self) -> list[tuple[str, str, str]]:
        """(name, kind, path) of each file here; what it is, is judged by its content."""
        if not self.fs.isdir(self.folder):
            return []
        found = []
        for path in sorted(self.fs.ls(self.folder, detail=False)):
            name = path.rstrip("/").rsplit("/", 1)[-1]
            if not name.startswith(".") and not self.fs.isdir(path):
                found.append((name, KIND, path))
        return found


def pending(location: str, home: Path) -> list[str]:
    """The names of the files in the inbox's nhs_statistics folder not looked at before (by content)."""
    inbox, seen = NhsInbox(location), files_seen(raw_folder(home))
    return [name for name, _kind, path in inbox.entries() if inbox.identity(path)[0] not in seen]


def _land(home: Path, path: Path, name: str, sha: str, loaded_at: datetime) -> dict:
    figures = chs.read_workbook(path)
    rows = [
        {**asdict(f), "area_key": chs.normalised_name(f.area_name), "workbook": name, "workbook_sha256": sha,
         "_loaded_at": loaded_at}
        for f in figures
    ]  # fmt: skip
    write_parquet(pa.Table.from_pylist(rows, schema=SCHEMA), raw_folder(home) / "chs" / f"{sha}.parquet")
    levels: dict[str, int] = {}
    for f in figures:
        if f.service == "SALT":
            levels[f.area_level] = levels.get(f.area_level, 0) + 1
    return {"chs_month": figures[0].chs_month, "organisations": levels, "rows": len(rows)}


def land(location: str, home: Path) -> dict:
    """Land every workbook in the inbox not landed (or rejected) before. Returns what was landed;
    raises ReferenceFileRejected, after landing the rest, if any new file was rejected."""
    write_schema_file(home)
    inbox = NhsInbox(location)

    def land_one(name: str, path: str, sha: str, now: datetime) -> tuple[str, dict]:
        with inbox.inbox.local_path(path, name) as local:
            return KIND, _land(home, local, name, sha, now)

    return land_entries(
        raw_folder(home), SOURCE, inbox.entries(), inbox.identity, land_one,
        "NHS England workbook(s)", "the health comparators keep using the months landed before",
    )  # fmt: skip


def rejections_since_landing(home: Path) -> list[dict]:
    """The rejected workbooks newer than the last one that landed: what the board pack mentions."""
    return rejections_in(raw_folder(home))
