"""The one-screen summary `make run` ends with: where the snapshots are, and the latest month."""

from __future__ import annotations

import csv
from pathlib import Path

from sendboard.projection.publication import projection_root
from sendboard.publish import analytics_copy
from sendboard.publish.snapshot import published_root
from sendboard.warehouse.integrity import published_versions


def print_summary(home: Path) -> None:
    root = published_root(home)
    months = sorted(published_versions(home))
    if not months:
        print(f"No board snapshot published yet (published files go to {root}).")
        return
    latest = months[-1]
    print(
        f"\nBoard snapshots for {len(months)} months ({months[0]}..{latest}) in {root}/<YYYY-MM>/ "
        "(board_snapshot.csv/.parquet, board_spc.csv, board_comparators.csv, board_pack.html/.pdf)"
    )
    copy = analytics_copy.path(home)
    if copy.exists():
        print(f"Analysts' read-only copy: {copy}  (docs/analysts.md; `make docs` for the dbt docs)")
    with open(root / latest / "board_snapshot.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    print(f"\nLatest: {latest} (version {rows[0]['version']}, published {rows[0]['published_at']})\n")
    england = {}
    compared = root / latest / "board_comparators.csv"
    if compared.exists():  # not in a month published before the comparators
        with open(compared, newline="", encoding="utf-8") as handle:
            england = {r["kpi_id"]: r["value"] for r in csv.DictReader(handle) if r["comparator"] == "ENGLAND"}
    print(f"{'KPI':<28} {'value':>8} {'target':>7}  {'RAG':<10} {'direction':<10} {'England (DfE)':>13}")
    for row in rows:
        value = "supp." if row["suppressed"] == "true" else (row["value"] or "-")
        print(
            f"{row['kpi_id']:<28} {value:>8} {row['target'] or '':>7}  {row['rag'] or 'context':<10} "
            f"{row['direction'] or '':<10} {england.get(row['kpi_id'], ''):>13}"
        )
    _print_projection(home)


def _print_projection(home: Path) -> None:
    folders = sorted(p for p in projection_root(home).glob("[0-9]*") if p.is_symlink())
    if not folders:
        return
    latest = folders[-1]
    with open(latest / "board_projection.csv", newline="", encoding="utf-8") as handle:
        totals = [r for r in csv.DictReader(handle) if r["breakdown"] == "total"]
    print(f"\nProjected EHC plans in force, made from {latest.name} ({latest}/):")
    for scenario in dict.fromkeys(r["scenario"] for r in totals):
        print(f"  {scenario}:")
        for row in [r for r in totals if r["scenario"] == scenario][11::12]:
            low80, high80, low95, high95 = (int(row[k]) for k in ("lower_80", "upper_80", "lower_95", "upper_95"))
            print(
                f"    {row['projected_month']}: {int(row['median']):,} "
                f"(80%: {low80:,}-{high80:,}; 95%: {low95:,}-{high95:,})"
            )
