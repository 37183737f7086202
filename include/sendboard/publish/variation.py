"""Making Data Count for the board: each KPI's published series as an XmR chart (sendboard.spc).

Only published values go in: a KPI's series is its published value for each month (the latest
version), in month order, and a month with no published value (suppressed, no data, not published)
is left out and counted. Never the restricted values: a mean or limits computed with a suppressed
month would let anyone work the suppressed value out from the other published months.

Analysts tune the charts with two dbt seeds: `kpi_spc_baselines.csv` (a new baseline from a month,
when the process changed) and `kpi_spc_options.csv` (screening of large moving ranges, on unless a
KPI turns it off).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from sendboard import config, periods, spc
from sendboard.publish.csv_files import csv_bytes

BASELINES_FILE = config.DBT_PROJECT / "seeds" / "kpi_spc_baselines.csv"
OPTIONS_FILE = config.DBT_PROJECT / "seeds" / "kpi_spc_options.csv"
SUMMARY_COLUMNS = (
    "period", "kpi_id", "points", "mean", "lower_limit", "upper_limit", "rule", "point_type", "variation_icon",
    "assurance", "short_group", "baseline_from",
)  # fmt: skip


@dataclass(frozen=True)
class KpiChart:
    kpi_id: str
    months: list[str]  # the months with a published value, in order: one per point
    baseline_from: list[str]  # each point's baseline's first month
    months_left_out: int  # months from the first published month to M without a published value
    chart: spc.Chart


def _read(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def baselines() -> dict[str, list[str]]:
    """kpi_id -> the months from which the board named a new baseline, in order."""
    found: dict[str, list[str]] = {}
    for row in _read(BASELINES_FILE):
        periods.parse(row["baseline_from"])
        found.setdefault(row["kpi_id"], []).append(row["baseline_from"])
    return {k: sorted(v) for k, v in found.items()}


def screening() -> dict[str, bool]:
    """kpi_id -> whether large moving ranges are screened out (true unless the seed says false)."""
    return {row["kpi_id"]: row["screen_outliers"].strip().lower() != "false" for row in _read(OPTIONS_FILE)}


def kpi_chart(
    kpi: dict, history: list[dict], period: str, target: float | None, rebase_months: list[str], screen: bool
) -> KpiChart:
    """The XmR chart of one KPI from the published history up to `period`. history rows: period,
    kpi_id, value (None when suppressed or no data)."""
    published = sorted(
        (h["period"], float(h["value"]))
        for h in history
        if h["kpi_id"] == kpi["kpi_id"] and h["value"] is not None and h["period"] <= period
    )
    months = [m for m, _ in published]
    first = min((h["period"] for h in history), default=period)
    span = periods.span(first, period)
    # a baseline starts at the first published month on or after the month the board named
    starts = {next((m for m in months if m >= named), None) for named in rebase_months} - {None}
    flags = [m in starts for m in months]
    chart = spc.chart([v for _, v in published], spc.BETTER_DIRECTION[kpi["better"]], target, flags, screen)
    baseline_from, current = [], months[0] if months else ""
    for month, flag in zip(months, flags):
        current = month if flag else current
        baseline_from.append(current)
    return KpiChart(kpi["kpi_id"], months, baseline_from, len(span) - len(months), chart)


def charts(period: str, catalogue: list[dict], history: list[dict], targets: dict[str, float | None]) -> list[KpiChart]:
    named, screened = baselines(), screening()
    return [
        kpi_chart(
            k, history, period, targets.get(k["kpi_id"]), named.get(k["kpi_id"], []), screened.get(k["kpi_id"], True)
        )  # fmt: skip
        for k in catalogue
    ]


def figure(value: float) -> str:
    """An SPC figure as the board reads it (board_spc.csv, the pack): two decimals; empty for NaN (no
    moving range yet)."""
    return "" if value != value else f"{value:.2f}"


def targets(rows) -> dict[str, float | None]:
    """kpi_id -> its published target (None for a context KPI), from published rows of one month."""
    return {r["kpi_id"]: float(r["target"]) if r["target"] is not None else None for r in rows}


def month_summary(period: str, found: list[KpiChart]) -> list[dict]:
    """board_spc.csv's rows: each KPI's chart as of month M. When M has no published value, the
    limits are those of the published months and the latest-point columns are empty."""
    rows = []
    for kpi in found:
        latest = kpi.chart.points[-1] if kpi.chart.points and kpi.months[-1] == period else None
        limits = kpi.chart.points[-1] if kpi.chart.points else None
        rows.append(
            {
                "period": period,
                "kpi_id": kpi.kpi_id,
                "points": len(kpi.chart.points),
                "mean": figure(limits.mean) if limits else "",
                "lower_limit": figure(limits.lower_limit) if limits else "",
                "upper_limit": figure(limits.upper_limit) if limits else "",
                "rule": latest.rule if latest else "",
                "point_type": latest.point_type if latest else "",
                "variation_icon": (kpi.chart.variation_icon or "") if latest else "",
                "assurance": kpi.chart.assurance or "",
                "short_group": ("true" if limits.short_group else "false") if limits else "",
                "baseline_from": kpi.baseline_from[-1] if kpi.baseline_from else "",
            }
        )
    return rows


def summary_csv(rows: list[dict]) -> bytes:
    return csv_bytes(SUMMARY_COLUMNS, ([row[c] for c in SUMMARY_COLUMNS] for row in rows))


POINT_COLUMNS = {
    "period": "varchar", "kpi_id": "varchar", "value": "double", "baseline_from": "varchar", "mean": "double",
    "lower_limit": "double", "upper_limit": "double", "lower_2sigma": "double", "upper_2sigma": "double",
    "special_cause": "boolean", "rule": "varchar", "point_type": "varchar", "short_group": "boolean",
    "variation_icon": "varchar", "assurance": "varchar", "months_left_out": "integer",
}  # fmt: skip


def point_rows(found: list[KpiChart]) -> list[tuple]:
    """Every point of every KPI's chart (analytics.kpi_spc), unrounded; the icons are the latest point's."""

    def number(x: float) -> float | None:
        return None if x != x else x

    return [
        (
            month,
            kpi.kpi_id,
            p.value,
            start,
            number(p.mean),
            number(p.lower_limit),
            number(p.upper_limit),
            number(p.lower_2sigma),
            number(p.upper_2sigma),
            p.special_cause,
            p.rule or None,
            p.point_type,
            p.short_group,
            kpi.chart.variation_icon,
            kpi.chart.assurance,
            kpi.months_left_out,
        )  # fmt: skip
        for kpi in found
        for month, start, p in zip(kpi.months, kpi.baseline_from, kpi.chart.points)
    ]


def write_points_table(con, table: str) -> int:
    """Create `table` with every point of every KPI's chart, from analytics.kpi_by_month (the latest
    published version of each month): what the analysts' copy holds as analytics.kpi_spc."""
    from sendboard.publish.catalogue import kpi_catalogue

    history = [
        {"period": p, "kpi_id": k, "value": v, "target": t}
        for p, k, v, t in con.execute("select period, kpi_id, value, target from analytics.kpi_by_month").fetchall()
    ]
    latest = max((h["period"] for h in history), default=None)
    columns = ", ".join(f"{name} {kind}" for name, kind in POINT_COLUMNS.items())
    con.execute(f"create or replace table {table} ({columns})")
    if latest is None:
        return 0
    month = targets(h for h in history if h["period"] == latest)
    rows = point_rows(charts(latest, kpi_catalogue(), history, month))
    con.executemany(f"insert into {table} values ({', '.join('?' for _ in POINT_COLUMNS)})", rows)
    return len(rows)
