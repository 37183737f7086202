"""Land one source period: read, check, pseudonymise, write Parquet, or quarantine.

A period lands whole or not at all. Its landing is
  <home>/raw/<source>/period=<YYYY-MM>/<table>.parquet   valid rows, pseudonymised
  <home>/raw/<source>/period=<YYYY-MM>/row_errors.parquet rows left out: table, row, rule, column
  <home>/raw/<source>/period=<YYYY-MM>/manifest.json      checksums, counts, loaded_at
written to a hidden folder first and renamed into place, so dbt never reads
half a period. Landing unchanged files again with the same key changes nothing.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from sendboard import config, faults, periods
from sendboard.config import key_fingerprint
from sendboard.contract import DATE, FLAG, IDENTIFIER_KINDS, INTEGER, SOURCES
from sendboard.errors import FileRejected, InputRefused, PeriodRejected, Problem
from sendboard.ingest import pseudonymise
from sendboard.ingest.folders import swap_into_place
from sendboard.ingest.inbox import Inbox, InboxFile
from sendboard.ingest.readers import read_file
from sendboard.ingest.rules import CheckedTable, check_table

log = logging.getLogger(__name__)

# Bump when the landed layout or the rules change, so unchanged files are landed again.
LANDING_VERSION = 1
REPORT_ROWS = 100  # row numbers listed per rule in a manifest or report; all of them are in row_errors.parquet


@dataclass
class LandingResult:
    source: str
    period: str
    status: str  # "landed" or "unchanged"
    manifest: dict
    folder: Path


def raw_folder(home: Path, source: str, period: str) -> Path:
    return home / "raw" / source / f"period={period}"


def quarantine_folder(home: Path, source: str, period: str) -> Path:
    return home / "quarantine" / source / period


def _sha256(inbox: Inbox, file: InboxFile) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with inbox.open(file.path) as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _refused_before_reading(inbox: Inbox, files: dict[str, list[InboxFile]]) -> dict[str, InputRefused]:
    """Path -> why, for each file refused before a byte of it is read: a link leading out of the
    inbox, or a size over the bound (from the listing, so an object store's file is not fetched)."""
    limits = config.input_bounds()
    refused = {}
    for table_files in files.values():
        for file in table_files:
            try:
                inbox.check(file.path, limits)
            except InputRefused as why:
                refused[file.path] = why
    return refused


def _landed_select(checked: CheckedTable, loaded_at: datetime) -> str:
    columns = []
    for column in checked.table.columns:
        if column.kind in IDENTIFIER_KINDS:
            columns.append(f"{pseudonymise.sql(f't_{column.name}')} as {column.landed_name}")
        elif column.name == "date_of_birth":
            columns.append(f"date_trunc('month', {column.name})::date as {column.landed_name}")
        else:
            columns.append(f"{column.name}")
    select = (
        f"select {', '.join(columns)}, _row as source_row, TIMESTAMPTZ '{loaded_at.isoformat()}' as _loaded_at "
        f"from {checked.checked_relation} c"
    )
    if not checked.bad_rows:
        # DuckDB keeps a table's insertion order (file order) through a plain scan: no sort needed
        return select
    return (
        f"{select} where not exists (select 1 from {checked.violations_relation} v where v._row = c._row) order by _row"
    )


def _left_out_summary(checked: CheckedTable) -> list[dict]:
    return [
        {"rule": rule, "column": column, "rows": len(rows), "row_numbers": rows[:REPORT_ROWS]}
        for (rule, column), rows in checked.violations.items()
    ]


def _spill_folder(home: Path, source: str, period: str) -> Path:
    return home / "tmp" / "duckdb" / f"{source}.{period}"


@contextmanager
def _period_lock(home: Path, source: str, period: str):
    """One landing of a source period at a time, across processes; the OS drops the lock if the
    holder dies (kill -9), so whoever holds it knows any staging folder of the period is a leftover."""
    folder = home / "raw" / source
    folder.mkdir(parents=True, exist_ok=True)
    locks = home / "tmp" / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    with open(locks / f"{source}.{period}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            for stale in [*folder.glob(f".period={period}.*"), _spill_folder(home, source, period)]:
                if stale.is_dir():  # a staging, old or spill folder left by a crashed landing
                    log.warning("%s %s: removing %s left by an interrupted landing", source, period, stale.name)
                    shutil.rmtree(stale)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def land_period(inbox: Inbox, source: str, period: str, home: Path, key: bytes) -> LandingResult:
    """Land a complete period, or raise PeriodRejected after quarantining every rejected file."""
    with _period_lock(home, source, period):
        return _land_period(inbox, source, period, home, key)


def _land_period(inbox: Inbox, source: str, period: str, home: Path, key: bytes) -> LandingResult:
    files = inbox.require_complete(source, period)
    fingerprint = key_fingerprint(key)
    refused = _refused_before_reading(inbox, files)
    checksums = {t: [("", 0) if f.path in refused else _sha256(inbox, f) for f in fs] for t, fs in files.items()}
    target = raw_folder(home, source, period)

    previous = read_manifest(home, source, period)
    if previous is not None and _unchanged(previous, checksums, fingerprint):
        log.info("%s %s: files unchanged since %s, nothing to land", source, period, previous["loaded_at"])
        return LandingResult(source, period, "unchanged", previous, target)

    loaded_at = datetime.now(UTC).replace(microsecond=0)
    # a national census is ~9M rows: past the memory limit DuckDB spills to disk. The spill holds
    # identifiers in clear (this is still the ingest step), so it is the landing's own folder,
    # removed when it ends and, after a crash, by the next landing of the period
    spill = _spill_folder(home, source, period)
    spill.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"memory_limit": config.duckdb_memory_limit(), "temp_directory": str(spill)})
    try:
        pseudonymise.install_key(con, key)
        # seconds per stage, for the task log and `make bench`
        timings = {"read": 0.0, "rules": 0.0, "pseudonymise_and_write": 0.0}
        checked_tables, rejections = _check_files(con, inbox, SOURCES[source], files, period, timings, refused)
        if rejections:
            _reject_period(inbox, home, source, period, rejections)
        manifest: dict[str, Any] = {
            "source": source,
            "period": period,
            "status": "landed",
            "loaded_at": loaded_at.isoformat(),
            "landing_version": LANDING_VERSION,
            "key_fingerprint": fingerprint,
            "inbox": _safe_location(inbox.location),
            "tables": {},
        }
        staging = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
        staging.mkdir(parents=True)
        try:
            _write_landing(con, staging, checked_tables, checksums, manifest, loaded_at, timings)
            faults.point("landing_before_swap")
            swap_into_place(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    log.info(
        "%s %s landed: %s",
        source,
        period,
        ", ".join(f"{t} {v['rows_landed']}/{v['rows_read']} rows" for t, v in manifest["tables"].items()),
    )
    return LandingResult(source, period, "landed", manifest, target)


def _unchanged(previous: dict, checksums: dict, fingerprint: str) -> bool:
    """The period was landed before from the same files, by the same landing code and key."""
    return bool(
        previous.get("landing_version") == LANDING_VERSION
        and previous.get("key_fingerprint") == fingerprint
        and {t: v["sha256"] for t, v in previous["tables"].items()}
        == {t: c[0][0] for t, c in checksums.items() if len(c) == 1}
    )


# file, checked table, ignored columns, encoding, format (what the file holds: csv or xlsx)
CheckedFile = tuple[InboxFile, CheckedTable, list[str], str | None, str]


def _check_files(
    con,
    inbox: Inbox,
    spec,
    files: dict[str, list[InboxFile]],
    period: str,
    timings: dict[str, float],
    refused: dict[str, InputRefused],
) -> tuple[dict[str, CheckedFile], list[tuple[InboxFile, FileRejected]]]:
    """Read and check every table's file, parents before children; collect every rejection (those
    `refused` before reading among them)."""
    period_end = periods.last_day(period)
    rejections: list[tuple[InboxFile, FileRejected]] = []
    checked_tables: dict[str, CheckedFile] = {}
    for table in spec.tables:
        table_files = files[table.name]
        try:
            if len(table_files) > 1:
                raise FileRejected(
                    table_files[0].label.rsplit(".", 1)[0] + ".*",
                    [
                        Problem(
                            "sent_twice",
                            f"the table is sent as both {' and '.join(f.name for f in table_files)}; send one",
                        )
                    ],
                )
            file = table_files[0]
            if file.path in refused:
                raise FileRejected(file.label, [refused[file.path].problem])
            parent = table.parent[1] if table.parent else None
            parent_relation = f"checked_{parent}" if parent in checked_tables else None
            started = time.perf_counter()
            with inbox.local_copy(file) as local:
                # a UTF-8 CSV is parsed by check_table, straight into its typed table
                raw = read_file(con, local, file.suffix, table, file.label, deferred=True)
                if raw.format != file.suffix.lstrip(".").lower():
                    log.warning("%s: read as %s, what the file holds, whatever its name", file.label, raw.format)
                timings["read"] += time.perf_counter() - started
                started = time.perf_counter()
                checked = check_table(con, raw, table, period_end, file.label, parent_relation)
            timings["rules"] += time.perf_counter() - started
            checked_tables[table.name] = (file, checked, raw.ignored_columns, raw.encoding, raw.format)
        except FileRejected as rejected:
            log.error("%s", rejected)
            for table_file in table_files:
                rejections.append((table_file, rejected))
    return checked_tables, rejections


def _reject_period(
    inbox: Inbox, home: Path, source: str, period: str, rejections: list[tuple[InboxFile, FileRejected]]
) -> None:
    """Quarantine every rejected file with its report; nothing of the period lands."""
    quarantine = quarantine_folder(home, source, period)
    for table_file, rejected in rejections:
        _quarantine(inbox, table_file, rejected, quarantine)
    unique = list({id(r): r for _, r in rejections}.values())
    raise PeriodRejected(source, period, unique, str(quarantine))


def _write_landing(
    con,
    staging: Path,
    checked_tables: dict[str, CheckedFile],
    checksums: dict,
    manifest: dict,
    loaded_at: datetime,
    timings: dict[str, float],
) -> None:
    """The landed Parquet (pseudonymised), row_errors.parquet and manifest.json, in the staging folder."""
    for name, (file, checked, ignored, encoding, file_format) in checked_tables.items():
        out = staging / f"{name}.parquet"
        started = time.perf_counter()
        # zstd level 1, not the default 3: a national census writes in 3.7 s instead of 5.8 s
        # and is a little smaller (the hex pseudonyms take most of the bytes either way)
        con.execute(
            f"copy ({_landed_select(checked, loaded_at)}) to '{out}' "
            "(format parquet, compression zstd, compression_level 1)"
        )
        timings["pseudonymise_and_write"] += time.perf_counter() - started
        sha, size = checksums[name][0]
        manifest["tables"][name] = {
            "file": file.name,
            "format": file_format,
            "encoding": encoding,
            "sha256": sha,
            "bytes": size,
            "rows_read": checked.rows,
            "rows_landed": checked.rows - checked.bad_rows,
            "rows_left_out": checked.bad_rows,
            "ignored_columns": ignored,
            "left_out_by_rule": _left_out_summary(checked),
        }
        if ignored:
            log.warning("%s: unknown columns ignored: %s", file.label, ", ".join(ignored))
    errors = " union all ".join(
        f"select '{n}' as table_name, _row as source_row, rule, column_name from violations_{n}" for n in checked_tables
    )
    con.execute(
        f"copy ({errors} order by table_name, source_row, rule, column_name) "
        f"to '{staging / 'row_errors.parquet'}' (format parquet)"
    )
    manifest["timings_seconds"] = {k: round(v, 3) for k, v in timings.items()}
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))


def _safe_location(location: str) -> str:
    # an object-store URL may carry credentials in its query string
    return location.split("?", 1)[0]


def read_manifest(home: Path, source: str, period: str) -> dict | None:
    """The manifest of a landed period, or None if the period has not landed."""
    path = raw_folder(home, source, period) / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else None


def _quarantine(inbox: Inbox, file: InboxFile, rejected: FileRejected, folder: Path) -> None:
    """Copy the file unchanged, by streaming (never read whole), beside a report naming rule, column
    and rows (never a value). A link leading out of the inbox is not followed, so not copied."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / file.name
    followed = not any(p.rule == "link_outside_inbox" for p in rejected.problems)
    sha, size = None, None
    if followed:
        temporary = folder / f".{file.name}.{uuid.uuid4().hex}.tmp"
        digest, size = hashlib.sha256(), 0
        with inbox.open(file.path) as src, open(temporary, "wb") as dst:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
                dst.write(chunk)
        sha = digest.hexdigest()
        if copy.exists():
            earlier = _file_sha256(copy)
            if earlier != sha:  # keep the earlier rejected version too: nothing is lost
                copy.rename(folder / f"{file.table}.{earlier[:12]}{file.suffix}")
        os.replace(temporary, copy)
    report = {
        "file": file.label,
        "rejected_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "sha256": sha,
        "bytes": size,
        "copied": followed,
        "problems": [
            {"rule": p.rule, "column": p.column, "rows": p.rows, "detail": p.detail} for p in rejected.problems
        ],
    }
    (folder / f"{file.name}.report.json").write_text(json.dumps(report, indent=2))
    lines = [
        f"Rejected: {file.label}",
        f"At: {report['rejected_at']}",
        "",
        "The file broke these rules (row numbers as a spreadsheet shows them; the header is row 1):",
        "",
    ]
    lines += [f"- {p.describe()}" for p in rejected.problems]
    if not followed:
        lines += ["", "The file is a link leading outside the inbox: it was not followed, so not copied here."]
    lines += [
        "",
        "Nothing of this period was landed. Send a corrected file to the same inbox folder;",
        "the pipeline picks it up on its next run.",
    ]
    (folder / f"{file.name}.report.txt").write_text("\n".join(lines) + "\n")


def _file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


_DUCKDB_TYPES = {DATE: "date", FLAG: "boolean", INTEGER: "bigint"}


def write_schema_files(home: Path) -> None:
    """A zero-row Parquet file per table under raw/<source>/_schema/, so the dbt sources always
    have their columns and types, even before the first period of a source lands; and the DfE's and
    NHS England's statistics' (ingest.dfe_landing, ingest.chs_landing), which the monthly build never
    waits for."""
    from sendboard.ingest import chs_landing, dfe_landing

    dfe_landing.write_schema_files(home)
    chs_landing.write_schema_file(home)
    con = duckdb.connect()
    try:
        for source in SOURCES.values():
            folder = home / "raw" / source.name / "_schema"
            folder.mkdir(parents=True, exist_ok=True)
            for table in source.tables:
                columns = [f"null::{_DUCKDB_TYPES.get(c.kind, 'varchar')} as {c.landed_name}" for c in table.columns]
                columns += ["null::bigint as source_row", "null::timestamptz as _loaded_at"]
                target = folder / f"{table.name}.parquet"
                tmp = folder / f".{table.name}.parquet.tmp"
                con.execute(f"copy (select {', '.join(columns)} where false) to '{tmp}' (format parquet)")
                os.replace(tmp, target)
    finally:
        con.close()
