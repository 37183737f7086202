"""The KPI catalogue: the one list of KPIs, in the order of kpis.md, from the dbt seed the models read."""

from __future__ import annotations

import csv

from sendboard import config

KPI_CATALOGUE = config.DBT_PROJECT / "seeds" / "kpi_catalogue.csv"


def kpi_catalogue() -> list[dict]:
    """kpi_id, theme, kpi_name, unit, better, definition and sort_order of every KPI, in order."""
    with open(KPI_CATALOGUE, newline="", encoding="utf-8") as handle:
        return sorted(csv.DictReader(handle), key=lambda r: int(r["sort_order"]))
