"""Publish a month's board snapshot: versioned, atomic, and a no-op when nothing changed.

Layout under $SENDBOARD_HOME/published/:
    <YYYY-MM>                  -> a symlink to .versions/<YYYY-MM>/v<N>, swapped atomically
    .versions/<YYYY-MM>/v<N>/  board_snapshot.csv, board_snapshot.parquet, board_spc.csv (statistical
                               process control), board_comparators.csv (the DfE's figures),
                               board_pack.html, board_pack.pdf (every version kept)

A reader who opens published/<YYYY-MM>/ sees one complete version: the new version's folder is
written in full before the link is swapped with a single rename. The warehouse keeps every
published row (publication.board_snapshot_history); a re-run whose rows equal the latest version
publishes nothing new, and repairs the link or files if a crash interrupted the last publication.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sendboard import faults, sql
from sendboard.publish import pdf
from sendboard.publish.csv_files import csv_bytes, formula_safe
from sendboard.warehouse import connection as warehouse
from sendboard.warehouse.integrity import WarehouseDamaged, check_warehouse

log = logging.getLogger(__name__)

COLUMNS = list(warehouse.SNAPSHOT_COLUMNS)
# NHS England's CHS waiting lists by area and service (issue 32): written with every new version, but
# not required of the versions published before it (a folder without it is still complete)
HEALTH_WAITS_FILE = "board_health_waits.csv"
PUBLISHED_FILES = (
    "board_snapshot.csv",
    "board_snapshot.parquet",
    "board_spc.csv",
    "board_comparators.csv",
    "board_pack.html",
    "board_pack.pdf",
)
CONTENT_COLUMNS = [c for c in COLUMNS if c not in ("version", "published_at")]


@dataclass
class PublishResult:
    period: str
    status: str  # "published" or "unchanged"
    version: int
    folder: Path
    rows: list[dict]


def published_root(home: Path) -> Path:
    return home / "published"


def _format(column: str, value, unit: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, Decimal):
        # counts are whole numbers; everything else has one decimal place
        return f"{value:.0f}" if unit == "count" else f"{value:.1f}"
    return formula_safe(str(value))


def formatted(rows: list[dict]) -> list[dict]:
    """The rows as the CSV shows them."""
    return [{c: _format(c, row[c], row["unit"]) for c in COLUMNS} for row in rows]


def snapshot_csv(rows: list[dict]) -> bytes:
    return csv_bytes(COLUMNS, ([row[c] for c in COLUMNS] for row in formatted(rows)))


def _rows(con, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def candidate_rows(con, period: str) -> list[dict]:
    return _rows(
        con,
        f"select {', '.join(CONTENT_COLUMNS)} from board.board_snapshot_candidates "
        "where period = ? order by sort_order",
        [period],
    )


def _version_rows(con, period: str, version: int) -> list[dict]:
    return _rows(
        con,
        f"select h.{', h.'.join(COLUMNS)} from publication.board_snapshot_history h "
        "join reference.kpi_catalogue c using (kpi_id) "
        "where h.period = ? and h.version = ? order by c.sort_order",
        [period, version],
    )


def _board_pack(
    con, home: Path, period: str, rows: list[dict], census_period: str | None, detail=None
) -> tuple[str, bytes, bytes, bytes]:
    """The pack's HTML, board_spc.csv, board_comparators.csv and board_health_waits.csv, from published figures only
    (board_pack.published_history says why): the pack's charts and the SPC summary are the same XmR
    charts (publish.variation); the comparators are the version's, as recorded when it was published."""
    from sendboard.publish import board_pack, comparators, variation
    from sendboard.publish.catalogue import kpi_catalogue
    from sendboard.publish.comparators_pack import Comparisons

    catalogue = kpi_catalogue()
    history = board_pack.published_history(con, period)
    charts = variation.charts(period, catalogue, history, variation.targets(rows))
    compared, notices = comparators.published(con, period, rows[0]["version"])
    waits = comparators.published_health_waits(con, period, rows[0]["version"])
    warnings = board_pack.published_warnings(period, catalogue, history)
    warnings += comparators.december_check(period, history, compared)
    warnings += comparators.published_health_checks(con, period, rows[0]["version"])
    page = board_pack.render(
        period,
        formatted(rows),
        catalogue,
        board_pack.trend_series(history, catalogue, period),
        board_pack.quality_summary(home, period, census_period),
        warnings,
        {c.kpi_id: c for c in charts},
        # a version published before the comparators recorded neither: its pack is drawn without them
        Comparisons(compared, notices, waits) if compared or notices else None,
        detail,
        board_pack.latest_projection(home, period),
    )
    return (
        page,
        variation.summary_csv(variation.month_summary(period, charts)),
        comparators.comparators_csv(compared),
        comparators.health_waits_csv(waits),
    )


def detail_pack(con, home: Path, period: str, census_period: str | None, worklist_rows: dict[str, int]) -> str:
    """The restricted twin of month M's latest pack: the same pack, with each KPI's unsuppressed value,
    numerator and denominator (restricted.fct_kpi_values) and a link to its worklist. Never published."""
    from sendboard.publish import board_pack, worklists

    version = sql.one(con, "select max(version) from publication.board_snapshot_history where period = ?", [period])[0]
    figures = {
        kpi_id: (value, numerator, denominator)
        for kpi_id, value, numerator, denominator in con.execute(
            "select kpi_id, value, numerator, denominator from restricted.fct_kpi_values where period = ?", [period]
        ).fetchall()
    }
    links = {
        kpi_id: (name, worklist_rows.get(name, 0), f"../worklists/{period}/{name}.xlsx")
        for kpi_id, name in worklists.KPI_WORKLISTS.items()
    }
    rows = _version_rows(con, period, version)
    return _board_pack(con, home, period, rows, census_period, board_pack.Detail(figures, links))[0]


def _write_version(
    con, home: Path, period: str, version: int, rows: list[dict], census_period: str | None, repair: bool = False
) -> Path:
    versions = published_root(home) / ".versions" / period
    versions.mkdir(parents=True, exist_ok=True)
    target = versions / f"v{version}"
    staging = versions / f".v{version}.{uuid.uuid4().hex}.tmp"
    staging.mkdir()
    try:
        page, spc_csv, comparators_csv, health_csv = _board_pack(con, home, period, rows, census_period)
        (staging / "board_snapshot.csv").write_bytes(snapshot_csv(rows))
        (staging / "board_spc.csv").write_bytes(spc_csv)
        (staging / "board_comparators.csv").write_bytes(comparators_csv)
        (staging / HEALTH_WAITS_FILE).write_bytes(health_csv)
        (staging / "board_pack.html").write_text(page, encoding="utf-8")
        pdf.html_to_pdf(staging / "board_pack.html", staging / "board_pack.pdf")
        con.execute(
            f"copy (select h.{', h.'.join(COLUMNS)} from publication.board_snapshot_history h "
            "join reference.kpi_catalogue c using (kpi_id) where h.period = ? and h.version = ? "
            f"order by c.sort_order) to '{staging / 'board_snapshot.parquet'}' (format parquet)",
            [period, version],
        )
        for name in (*PUBLISHED_FILES, HEALTH_WAITS_FILE):
            with open(staging / name, "rb") as handle:
                os.fsync(handle.fileno())
        if target.exists():
            link = published_root(home) / period
            if not repair and link.is_symlink() and os.readlink(link) == str(Path(".versions") / period / target.name):
                # a linked folder is published history: never replaced by a new version 1
                raise WarehouseDamaged(
                    f"{target} is published but the warehouse has no history for it: "
                    "the warehouse was replaced or damaged; restore it (docs/operations.md: "
                    "'Restoring the warehouse') before publishing again"
                )
            # else: an incomplete folder being repaired from the history, or one left by an attempt
            # that died before its rows committed (never linked, never in the history)
            old = versions / f".{target.name}.{uuid.uuid4().hex}.old"
            target.rename(old)
            staging.rename(target)
            shutil.rmtree(old)
        else:
            staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _point_link(home: Path, period: str, version: int) -> Path:
    """Swap published/<period> to the version folder with one atomic rename."""
    return point_link(published_root(home), period, version)


def point_link(root: Path, name: str, version: int) -> Path:
    """Swap root/<name> to root/.versions/<name>/v<version> with one atomic rename (the snapshot's
    months and the projection's share it)."""
    link = root / name
    relative = Path(".versions") / name / f"v{version}"
    if link.is_symlink() and os.readlink(link) == str(relative):
        return link
    temporary = root / f".{name}.{uuid.uuid4().hex}.link"
    os.symlink(relative, temporary)
    os.replace(temporary, link)
    return link


def _remove_leftovers(home: Path, period: str) -> None:
    """Staging folders and temporary links a crashed publication of the month left behind."""
    versions = published_root(home) / ".versions" / period
    for stale in [*versions.glob(".v*"), *published_root(home).glob(f".{period}.*.link")]:
        log.warning("%s: removing %s left by an interrupted publication", period, stale.name)
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale)
        else:
            stale.unlink()


def _complete(folder: Path) -> bool:
    return all((folder / n).is_file() for n in PUBLISHED_FILES)


def _record_comparators(con, home: Path, period: str, version: int) -> None:
    """The DfE comparators of a new version, from the DfE statistics landed now. A missing or broken
    reference gives no rows and a notice in the pack, never a failed publication."""
    from sendboard import config
    from sendboard.health_comparators import figures as health
    from sendboard.publish import comparators

    rows, notices = comparators.for_month(con, home, config.la_code(), period)
    health_rows, waits, health_notices = health.comparator_rows(con, period, config.health_areas())
    notices += [*health_notices, *comparators.chs_rejections(home)]
    for notice in notices:
        log.warning("%s: %s", period, notice)
    comparators.record(con, period, version, rows + health_rows, notices)
    comparators.record_health_waits(con, period, version, waits, health.own_check(con, waits))


def _record_run(con, period: str, version: int, status: str, input_fingerprint: str) -> None:
    con.execute(
        "insert into publication.publish_runs values (?, ?, ?, ?, ?)",
        [period, version, status, input_fingerprint, datetime.now(UTC)],
    )


def inputs_of_last_run(home: Path, period: str) -> str | None:
    """The input fingerprint of the latest publish run of a month, published or unchanged."""
    con = warehouse.connect(home)
    try:
        warehouse.ensure_publication_tables(con)
        row = con.execute(
            "select input_fingerprint from publication.publish_runs where period = ? order by run_at desc limit 1",
            [period],
        ).fetchone()
    finally:
        con.close()
    return row[0] if row else None


def publish_month(home: Path, period: str, input_fingerprint: str, census_period: str | None = None) -> PublishResult:
    """Publish period M from board.board_snapshot_candidates (the caller has run dbt and the checks)."""
    con = warehouse.connect(home)  # DuckDB's write lock: no other publisher runs until it is closed
    try:
        check_warehouse(home, con)
        _remove_leftovers(home, period)
        warehouse.ensure_publication_tables(con)
        rows = candidate_rows(con, period)
        if not rows:
            raise ValueError(f"no board snapshot rows for {period}: was the dbt build run for it?")
        latest = sql.one(con, "select max(version) from publication.board_snapshot_history where period = ?", [period])[
            0
        ]
        if latest is not None:
            published = _version_rows(con, period, latest)
            if [{c: r[c] for c in CONTENT_COLUMNS} for r in published] == rows:
                folder = published_root(home) / ".versions" / period / f"v{latest}"
                if not _complete(folder):
                    _write_version(con, home, period, latest, published, census_period, repair=True)
                _point_link(home, period, latest)
                _record_run(con, period, latest, "unchanged", input_fingerprint)
                log.info("%s: unchanged since version %s; nothing new published", period, latest)
                return PublishResult(period, "unchanged", latest, published_root(home) / period, published)

        version = (latest or 0) + 1
        published_at = datetime.now(UTC).replace(microsecond=0)
        stamped = [{**r, "version": version, "published_at": published_at} for r in rows]
        con.execute("begin transaction")
        try:
            con.executemany(
                f"insert into publication.board_snapshot_history ({', '.join(COLUMNS)}, input_fingerprint) "
                f"values ({', '.join('?' for _ in COLUMNS)}, ?)",
                [[r[c] for c in COLUMNS] + [input_fingerprint] for r in stamped],
            )
            _record_run(con, period, version, "published", input_fingerprint)
            _record_comparators(con, home, period, version)
            # the files are written before the rows commit: a failed write (disk full, a crash)
            # leaves neither a version in the history nor a link to a half-written folder
            _write_version(con, home, period, version, _version_rows(con, period, version), census_period)
            faults.point("publish_before_commit")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        faults.point("publish_before_link")
        link = _point_link(home, period, version)
    finally:
        con.close()
    log.info("%s: published version %s to %s", period, version, link)
    return PublishResult(period, "published", version, link, stamped)
