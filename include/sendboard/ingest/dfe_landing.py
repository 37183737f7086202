"""Land the DfE files a council drops into `<inbox>/dfe_statistics/`, for the dbt source
`dfe_statistics` and the board's comparators.

What the inbox folder may hold:
- a release zip as downloaded (`*.zip`), or an extracted release (a folder holding `data/*.csv`,
  `data/` itself, or the release's CSVs loose in the folder);
- the statistical neighbours workbook (`*.xlsx`).

Each file is read and checked by `ingest.dfe`. One that passes is written under
`$SENDBOARD_HOME/raw/dfe_statistics/`:
    release-<name>/<table>.parquet     the columns the comparators read, as published (text), with
                                       the release's name and latest period in each row
    neighbours/statistical_neighbours.parquet   the newest workbook's groups (it replaces the last)
    _schema/<table>.parquet            zero rows: the dbt source has its columns before any landing
    files.json                         every file seen (its sha256): landed or rejected, when, why

Every landed release is kept: the staging models take each year from the newest release that
covers it, so a newer release replaces an older one for the years it covers and an older year
stays. A rejected file is recorded with its reason (the board pack shows it) and raised, so the
landing run fails and the on-call engineer is alerted; the files that passed are landed all the
same, and nothing of the month's publication depends on this landing. These are published
statistics, not personal data.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sendboard import config
from sendboard.errors import InputRefused, ReferenceFileRejected
from sendboard.ingest import dfe
from sendboard.ingest.folders import swap_into_place
from sendboard.ingest.inbox import Inbox

log = logging.getLogger(__name__)

SOURCE = "dfe_statistics"
NEIGHBOURS_TABLE = "statistical_neighbours"
NEIGHBOURS_COLUMNS = ("la_code", "neighbour_rank", "neighbour_la_code", "workbook")
RELEASE_EXTRA_COLUMNS = ("release", "release_latest_period")
LOOSE_CSVS = "extracted CSVs"  # how the release's CSVs dropped loose into the folder are named


def table_name(file: str) -> str:
    """The dbt source table of a release file: `timeliness_20_week.csv` -> `timeliness_20_week`."""
    return file.removesuffix(".csv")


def release_columns(file: str) -> tuple[str, ...]:
    return (*dfe.EES_COLUMNS, *dfe.RELEASE_FILES[file], *RELEASE_EXTRA_COLUMNS)


def raw_folder(home: Path) -> Path:
    return home / "raw" / SOURCE


def _schema(columns: tuple[str, ...], types: dict[str, pa.DataType] | None = None) -> pa.Schema:
    fields = [pa.field(c, (types or {}).get(c, pa.string())) for c in columns]
    return pa.schema([*fields, pa.field("_loaded_at", pa.timestamp("us", tz="UTC"))])


SCHEMAS = {
    **{table_name(file): _schema(release_columns(file)) for file in dfe.RELEASE_FILES},
    NEIGHBOURS_TABLE: _schema(NEIGHBOURS_COLUMNS, {"neighbour_rank": pa.int32()}),
}


def write_parquet(table: pa.Table, target: Path) -> None:
    """Write a Parquet file whole or not at all (a temporary file renamed into place)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    pq.write_table(table, temporary)
    os.replace(temporary, target)


def write_schema_files(home: Path) -> None:
    """A zero-row Parquet file per table under raw/dfe_statistics/_schema/, so the dbt source has its
    columns (and the staging views build) before any DfE file has landed."""
    for name, schema in SCHEMAS.items():
        target = raw_folder(home) / "_schema" / f"{name}.parquet"
        if not target.exists() or pq.read_schema(target) != schema:
            write_parquet(schema.empty_table(), target)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "release"


def files_seen(folder: Path) -> dict[str, dict]:
    """sha256 -> {name, kind, status (landed, rejected), at, detail}: every file of a published
    source looked at (folder: its raw folder, raw_folder(home) for the DfE's)."""
    path = folder / "files.json"
    return json.loads(path.read_text()) if path.exists() else {}


def record_files_seen(folder: Path, seen: dict[str, dict]) -> None:
    path = folder / "files.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".files.json.{uuid.uuid4().hex}.tmp")
    temporary.write_text(json.dumps(seen, indent=2, sort_keys=True))
    os.replace(temporary, path)


class DfeInbox:
    """`<inbox>/dfe_statistics/` on a local disk or an object store (fsspec, like the exports' inbox)."""

    def __init__(self, location: str, source: str = SOURCE):
        self.inbox = Inbox(location)
        self.fs, self.folder = self.inbox.fs, f"{self.inbox.root.rstrip('/')}/{source}"

    def entries(self) -> list[tuple[str, str, str]]:
        """(name, kind, path) of each file here, kind as the name suggests: `release` (a zip, or a
        folder with the release's CSVs), `neighbours` (a workbook), `unknown`. Landing judges each
        file's kind by its content (`dfe.kind_of`); the name only groups loose CSVs into one release."""
        if not self.fs.isdir(self.folder):
            return []
        found = []
        loose = False
        for path in sorted(self.fs.ls(self.folder, detail=False)):
            name = path.rstrip("/").rsplit("/", 1)[-1]
            if name.startswith("."):
                continue
            if name.lower().endswith(".csv") and not self.fs.isdir(path):
                loose = True  # the release's CSVs extracted straight into the folder: one release
            elif self.fs.isdir(path) or name.lower().endswith(".zip"):
                found.append((name, "release", path))
            elif name.lower().endswith((".xlsx", ".xlsm")):
                found.append((name, "neighbours", path))
            else:
                found.append((name, "unknown", path))
        if loose:
            found.append((LOOSE_CSVS, "release", self.folder))
        return found

    def _files(self, path: str) -> list[str]:
        files = sorted(self.fs.find(path)) if self.fs.isdir(path) else [path]
        if path == self.folder:  # the loose CSVs only
            files = [f for f in self.fs.ls(path, detail=False) if f.lower().endswith(".csv") and not self.fs.isdir(f)]
        return files

    def identity(self, path: str) -> tuple[str, InputRefused | None]:
        """The entry's sha256 (what files.json is keyed by); or, for an entry refused before reading
        (a link out of the inbox, a file over the size bound), its name and sizes, and why."""
        limits, files = config.input_bounds(), self._files(path)
        try:
            for file in files:
                self.inbox.check(file, limits)
        except InputRefused as refused:
            return f"refused:{path[len(self.folder) :]}:{refused.problem.detail}", refused
        digest = hashlib.sha256()
        for file in files:
            digest.update(file[len(path) :].encode())
            with self.inbox.open(file) as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        return digest.hexdigest(), None


def pending(location: str, home: Path) -> list[str]:
    """The names of the files in the inbox's dfe_statistics folder not looked at before (by content)."""
    inbox, seen = DfeInbox(location), files_seen(raw_folder(home))
    return [name for name, _kind, path in inbox.entries() if inbox.identity(path)[0] not in seen]


def _land_release(home: Path, path: Path, loaded_at: datetime) -> dict:
    release = dfe.read_release(path)
    loose = f"{SOURCE}/{LOOSE_CSVS}"
    name = {"data": f"{SOURCE}/data", SOURCE: loose, LOOSE_CSVS: loose}.get(release.name, release.name)
    folder = raw_folder(home) / f"release-{_slug(name)}"
    staging = folder.with_name(f".{folder.name}.{uuid.uuid4().hex}.tmp")
    staging.mkdir(parents=True)
    latest = {}
    try:
        for file, rows in release.tables.items():
            latest[file] = max(r["time_period"] for r in rows) if rows else ""
            columns = release_columns(file)
            values = {c: [r.get(c) for r in rows] for c in columns[: -len(RELEASE_EXTRA_COLUMNS)]}
            values["release"] = [name] * len(rows)
            values["release_latest_period"] = [latest[file]] * len(rows)
            values["_loaded_at"] = [loaded_at] * len(rows)
            table = pa.Table.from_pydict(values, schema=SCHEMAS[table_name(file)])
            pq.write_table(table, staging / f"{table_name(file)}.parquet")
        swap_into_place(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return {"release": name, "latest_periods": latest}


def _land_neighbours(home: Path, path: Path, loaded_at: datetime) -> dict:
    groups = dfe.read_neighbours(path)
    rows = [(la, rank, neighbour) for la, neighbours in groups.items() for rank, neighbour in enumerate(neighbours, 1)]
    values = {
        "la_code": [r[0] for r in rows],
        "neighbour_rank": [r[1] for r in rows],
        "neighbour_la_code": [r[2] for r in rows],
        "workbook": [path.name] * len(rows),
        "_loaded_at": [loaded_at] * len(rows),
    }
    write_parquet(
        pa.Table.from_pydict(values, schema=SCHEMAS[NEIGHBOURS_TABLE]),
        raw_folder(home) / "neighbours" / f"{NEIGHBOURS_TABLE}.parquet",
    )
    return {"workbook": path.name, "local_authorities": len(groups)}


def land_entries(
    folder: Path, source: str, entries: list[tuple[str, str, str]], identity, land_one, label: str, consequence: str
) -> dict:
    """Land each file of a published source not landed (or rejected) before, recording every one in
    folder/files.json. entries: (name, kind its name suggests, path); identity(path) -> (sha256 or a
    refusal's key, InputRefused or None); land_one(name, path, sha, loaded_at) -> (kind, detail); label: what the files
    are called in the error ("DfE file(s)").
    Raises ReferenceFileRejected, after landing the rest, if any new file was rejected."""
    seen = files_seen(folder)
    landed, rejected = [], []
    for name, named_kind, path in entries:
        sha, refused = identity(path)
        if sha in seen:
            continue
        # to the microsecond: of two files landed in one run, the later is the later
        now = datetime.now(UTC)
        record = {"name": name, "kind": named_kind, "at": now.isoformat()}
        try:
            if refused is not None:
                raise ReferenceFileRejected(name, refused.problem.describe())
            record["kind"], detail = land_one(name, path, sha, now)
            seen[sha] = {**record, "status": "landed", "detail": detail}
            landed.append(name)
            log.info("%s: landed %s (%s): %s", source, name, record["kind"], detail)
        except (InputRefused, ReferenceFileRejected) as error:
            # InputRefused: a link inside an extracted release's folder, met by local_path
            bad = (
                error
                if isinstance(error, ReferenceFileRejected)
                else ReferenceFileRejected(name, error.problem.describe())
            )
            seen[sha] = {**record, "status": "rejected", "detail": str(bad)}
            rejected.append(bad)
            log.error("%s: rejected %s", source, bad)
        record_files_seen(folder, seen)
    if rejected:
        lines = "\n".join(f"- {r}" for r in rejected)
        raise ReferenceFileRejected(
            f"{source}/",
            f"{len(rejected)} {label} rejected; {consequence} (landed now: {', '.join(landed) or 'none'}):\n{lines}",
        )
    return {"landed": landed}


def land(location: str, home: Path) -> dict:
    """Land every DfE file in the inbox not landed (or rejected) before. Returns what was landed;
    raises ReferenceFileRejected, after landing the rest, if any new file was rejected."""
    write_schema_files(home)
    inbox = DfeInbox(location)

    def land_one(name: str, path: str, _sha: str, now: datetime) -> tuple[str, dict]:
        with inbox.inbox.local_path(path, name) as local:
            kind = "release" if path == inbox.folder else dfe.kind_of(local)
            return kind, (_land_release if kind == "release" else _land_neighbours)(home, local, now)

    return land_entries(
        raw_folder(home), SOURCE, inbox.entries(), inbox.identity, land_one, "DfE file(s)",
        "the board's comparators keep using the files landed before",
    )  # fmt: skip


def rejections_in(folder: Path) -> list[dict]:
    """The rejected files of each kind newer than the last file of that kind that landed: what the
    board pack mentions, since the comparators then come from older files (or none)."""
    records = sorted(files_seen(folder).values(), key=lambda r: r["at"])
    last_landed = {r["kind"]: r["at"] for r in records if r["status"] == "landed"}
    return [r for r in records if r["status"] == "rejected" and r["at"] >= last_landed.get(r["kind"], "")]


def rejections_since_landing(home: Path) -> list[dict]:
    """The rejected DfE files newer than the last of their kind that landed (rejections_in)."""
    return rejections_in(raw_folder(home))
