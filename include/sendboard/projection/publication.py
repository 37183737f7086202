"""Publish a month's projection under `published/projection/<M>/`, versioned and atomic as the snapshot
is (decision 0007): each version is written whole in a hidden folder, renamed into
`.versions/<M>/v<N>/`, then the link `<M>` is swapped with one rename. A run whose files are the same
as the published version's publishes nothing new. A month's snapshot folder is never touched."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import uuid
from pathlib import Path

from sendboard.projection import disclosure
from sendboard.projection.monthly import COLUMNS, Projection

BACKTEST_COLUMNS = ("origin", "horizon", "projected", "actual", "error_pc", "covered_80", "covered_95")


def projection_root(home: Path) -> Path:
    return home / "published" / "projection"


def _csv(columns: tuple[str, ...], rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: ("" if row[k] is None else row[k]) for k in columns} for row in rows)
    return out.getvalue().encode("utf-8")


def files_of(projection: Projection) -> dict[str, bytes]:
    """Everything published for the month, through the stage's disclosure rules."""
    points = disclosure.published_backtest(projection.backtest)
    at = {h: [p for p in points if p["horizon"] == h] for h in sorted({p["horizon"] for p in points})}
    record = {
        str(h): {
            "origins": len(ps),
            # the median absolute percentage error, the bias (mean signed error) and the coverage
            "median_abs_error_pc": round(sorted(abs(p["error_pc"]) for p in ps)[len(ps) // 2], 1),
            "bias_pc": round(sum(p["error_pc"] for p in ps) / len(ps), 1),
            "covered_80": round(sum(p["covered_80"] for p in ps) / len(ps), 2),
            "covered_95": round(sum(p["covered_95"] for p in ps) / len(ps), 2),
        }
        for h, ps in at.items()
        if ps and all(p["error_pc"] is not None for p in ps)
    }
    notes = {
        "month_made": projection.rows[0]["month_made"] if projection.rows else None,
        "trend_of_new_plans_per_year": round(projection.trend, 4),
        "trend_source": projection.trend_source,
        "months_of_flows_learned": projection.pairs,
        "interval_widening_by_horizon": {str(h): round(f, 2) for h, f in projection.widening.items()},
        "track_record": record,
    }
    return {
        "board_projection.csv": _csv(COLUMNS, disclosure.published_rows(projection.rows)),
        "projection_backtest.csv": _csv(BACKTEST_COLUMNS, points),
        "projection_notes.json": (json.dumps(notes, indent=2) + "\n").encode("utf-8"),
    }


def publish(home: Path, month: str, files: dict[str, bytes]) -> tuple[str, int]:
    """('published', N) or ('unchanged', N)."""
    root = projection_root(home)
    versions = root / ".versions" / month
    versions.mkdir(parents=True, exist_ok=True)
    link = root / month
    existing = sorted(int(p.name[1:]) for p in versions.glob("v*") if p.name[1:].isdigit())
    if existing and link.is_symlink():
        current = root / os.readlink(link)
        if all((current / name).is_file() and (current / name).read_bytes() == data for name, data in files.items()):
            return "unchanged", existing[-1]
    version = (existing[-1] if existing else 0) + 1
    staging = versions / f".v{version}.{uuid.uuid4().hex}.tmp"
    staging.mkdir()
    try:
        for name, data in files.items():
            with open(staging / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        staging.rename(versions / f"v{version}")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    temporary = root / f".{month}.{uuid.uuid4().hex}.link"
    os.symlink(Path(".versions") / month / f"v{version}", temporary)
    os.replace(temporary, link)
    return "published", version
