"""The projected cost of placements, from the council's `placement_costs.csv` (a dbt seed: the file the
council edits, read here as it is): for the financial year the projection starts in and the next two,
by DSG placement category and in total, with intervals.

A financial year's cost is the sum over its months of the plans in force in each category at the
month end times a twelfth of the category's annual cost. Months already past at the origin use the
counts the extracts had, rounded to the nearest 5 as every count the projection publishes is, so no
finer count can be read back from a cost. Costs are published to the nearest £1,000.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sendboard import config, periods
from sendboard.errors import ProjectionInputError
from sendboard.projection import inputs
from sendboard.projection.categories import CATEGORIES

SEED = config.PROJECT_ROOT / "dbt" / "seeds" / "placement_costs.csv"
YEARS = 3
COLUMNS = ("month_made", "financial_year", "category", "scenario", "median", "lower_80", "upper_80",
           "lower_95", "upper_95", "price_year")  # fmt: skip


def read_costs(path: Path = SEED) -> tuple[np.ndarray, str]:
    """The annual cost of each category, in CATEGORIES' order, and the price year. Refuses a file that
    misses a category, names one twice or an unknown one, or has a cost that is not a sum of money."""
    keys = [key for key, _ in CATEGORIES]
    costs: dict[str, float] = {}
    years = set()
    for row_number, row in inputs.rows(path, ("category", "annual_cost_gbp", "price_year")):
        category = (row["category"] or "").strip()
        where = f"{path}, row {row_number}, category {category!r}"
        if category not in keys:
            raise ProjectionInputError(f"{where}: not a DSG placement category ({', '.join(keys)})")
        if category in costs:
            raise ProjectionInputError(f"{where}: the category is given twice")
        cost = inputs.number(row["annual_cost_gbp"], "annual_cost_gbp", where)
        if cost < 0:
            raise ProjectionInputError(f"{where}: annual_cost_gbp is not a sum of money (0 or more)")
        costs[category] = cost
        years.add((row["price_year"] or "").strip())
    absent = [k for k in keys if k not in costs]
    if absent:
        raise ProjectionInputError(f"{path}: no annual_cost_gbp for {', '.join(absent)}")
    if len(years) != 1 or "" in years:
        raise ProjectionInputError(f"{path}: price_year must be one year for every row, not {sorted(years)}")
    return np.array([costs[k] for k in keys]), years.pop()


def financial_years(origin: str) -> list[tuple[str, list[str]]]:
    """The financial year (April to March) the month after `origin` falls in, and the next two.

    >>> [(name, months[0], months[-1]) for name, months in financial_years("2026-10")][:2]
    [('2026-27', '2026-04', '2027-03'), ('2027-28', '2027-04', '2028-03')]
    >>> financial_years("2026-03")[0][0]
    '2026-27'
    """
    year, month = periods.parse(periods.shift(origin, 1))
    first = year if month >= 4 else year - 1
    return [(f"{y}-{(y + 1) % 100:02d}", periods.span(f"{y}-04", f"{y + 1}-03")) for y in range(first, first + YEARS)]
