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

from sendboard.contract import PLAN_NEEDS
from sendboard.projection import costs, disclosure, pack
from sendboard.projection.categories import AGE_GROUPS, CATEGORIES
from sendboard.projection.monthly import COLUMNS, Projection
from sendboard.publish.snapshot import point_link

BACKTEST_COLUMNS = ("origin", "horizon", "projected", "actual", "error_pc", "covered_80", "covered_95")


def projection_root(home: Path) -> Path:
    return home / "published" / "projection"


def _csv(columns: tuple[str, ...], rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: ("" if row[k] is None else row[k]) for k in columns} for row in rows)
    return out.getvalue().encode("utf-8")


def dsg_tables(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """The DSG management plan's tables from the published (rounded) rows, for January of each of the
    next three years: plans by placement category and age group (with totals), and plans by need."""
    rows = [r for r in rows if r["scenario"] == "baseline"]
    januaries = sorted({r["projected_month"] for r in rows if r["projected_month"].endswith("-01")})[:3]
    groups = [name for name, *_ in AGE_GROUPS]
    by_age = []
    for january in januaries:
        at = [r for r in rows if r["projected_month"] == january]
        cell = {(r["category"], r["age_group"]): r["median"] for r in at if r["breakdown"] == "category_x_age"}
        category_total = {r["category"]: r["median"] for r in at if r["breakdown"] == "category"}
        group_total = {r["age_group"]: r["median"] for r in at if r["breakdown"] == "age_group"}
        for key, label in CATEGORIES:
            by_age.append({"january": january, "category": label, **{g: cell[key, g] for g in groups},
                           "total": category_total[key]})  # fmt: skip
        [total] = [r["median"] for r in at if r["breakdown"] == "total"]
        by_age.append({"january": january, "category": "Total", **{g: group_total[g] for g in groups}, "total": total})
    by_need = [
        {"january": r["projected_month"], "need": r["need"], "median": r["median"], "lower_80": r["lower_80"],
         "upper_80": r["upper_80"]}
        for january in januaries
        for need in PLAN_NEEDS
        for r in rows
        if r["projected_month"] == january and r["breakdown"] == "need" and r["need"] == need
    ]  # fmt: skip
    return by_age, by_need


def _xlsx(table: list[dict], sheet: str) -> bytes:
    import tempfile

    import duckdb

    from sendboard.publish import xlsx

    with tempfile.TemporaryDirectory() as folder, duckdb.connect() as con:
        columns = list(table[0]) if table else ["empty"]
        con.execute(
            "create table t (" + ", ".join(f'"{c}" {"varchar" if c in ("january", "category", "need") else "bigint"}'
                                           for c in columns) + ")"
        )  # fmt: skip
        if table:
            con.executemany(f"insert into t values ({', '.join('?' for _ in columns)})",
                            [[row[c] for c in columns] for row in table])  # fmt: skip
        path = Path(folder) / "table.xlsx"
        xlsx.write(con, "t", path, sheet)
        return path.read_bytes()


def _pdf(page: str) -> bytes:
    import tempfile

    from sendboard.publish import pdf

    with tempfile.TemporaryDirectory() as folder:
        html = Path(folder) / "projection_pack.html"
        html.write_text(page, encoding="utf-8")
        return pdf.html_to_pdf(html, Path(folder) / "projection_pack.pdf").read_bytes()


def made_twelve_months_before(home: Path, month: str) -> dict | None:
    """The published projection made 12 months before `month`, for `month` (its baseline total)."""
    from sendboard import periods

    folder = projection_root(home) / periods.shift(month, -12)
    if not (folder / "board_projection.csv").is_file():
        return None
    with open(folder / "board_projection.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["breakdown"] == "total" and row["scenario"] == "baseline" and row["projected_month"] == month:
                return row
    return None


def files_of(projection: Projection, earlier: dict | None = None) -> dict[str, bytes]:
    """Everything published for the month, through the stage's disclosure rules. earlier: the
    projection made 12 months before for this month (made_twelve_months_before), shown beside what
    happened."""
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
        "scenarios": projection.scenarios,
        "track_record": record,
    }
    published_rows = disclosure.published_rows(projection.rows)
    by_age, by_need = dsg_tables(published_rows)
    age_columns = ("january", "category", *(name for name, *_ in AGE_GROUPS), "total")
    need_columns = ("january", "need", "median", "lower_80", "upper_80")
    cost_rows = disclosure.published_costs(projection.costs)
    shown = [(m, c) for m, n in sorted(projection.history.items()) if (c := disclosure.actual_count(n)) is not None]
    month = str(notes["month_made"] or "")
    happened = disclosure.actual_count(projection.history[month]) if month in projection.history else None
    page = pack.render(month, published_rows, shown, cost_rows, points, notes, (earlier, happened))
    return {
        "projection_pack.html": page.encode("utf-8"),
        "projection_pack.pdf": _pdf(page),
        "board_projection.csv": _csv(COLUMNS, published_rows),
        "dsg_placements_by_age.csv": _csv(age_columns, by_age),
        "dsg_placements_by_age.xlsx": _xlsx(by_age, "Placements by age"),
        "dsg_plans_by_need.csv": _csv(need_columns, by_need),
        "dsg_plans_by_need.xlsx": _xlsx(by_need, "Plans by need"),
        "projection_costs.csv": _csv(costs.COLUMNS, cost_rows),
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
        # a PDF differs run to run (Chromium dates it): the page it prints is compared instead
        compared = {name: data for name, data in files.items() if not name.endswith(".pdf")}
        if all((current / name).is_file() and (current / name).read_bytes() == data for name, data in compared.items()):
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
    point_link(root, month, version)
    return "published", version
