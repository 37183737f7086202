"""What the projection may publish, decided here and nowhere else (decision 0018, as 0011 is for the
snapshot): projected counts are model outputs, published rounded to the nearest 5; actual counts shown
beside them (the track record) follow kpis.md's rule for counts, none of 1 to 4; a cost is made from
counts rounded to 5 and published to the nearest £1,000.

>>> nearest_5(12.4), nearest_5(12.5), nearest_5(2.4), nearest_5(0)
(10, 15, 0, 0)
>>> actual_count(3), actual_count(0), actual_count(5)
(None, 0, 5)
"""

from __future__ import annotations

import math

import numpy as np

ROUNDED = ("median", "lower_80", "upper_80", "lower_95", "upper_95")


def nearest_5(value: float) -> int:
    """Half away from zero, as the board's figures are rounded (12.5 -> 15)."""
    return int(math.floor(value / 5 + 0.5)) * 5


def nearest_5s(counts: np.ndarray) -> np.ndarray:
    """nearest_5 of every count of an array (an actual count that goes into a cost)."""
    return np.floor(counts / 5 + 0.5) * 5


def actual_count(count: int) -> int | None:
    """A count of 1 to 4 is not shown."""
    return None if 1 <= count <= 4 else count


def published_rows(rows: list[dict]) -> list[dict]:
    return [{**row, **{k: nearest_5(row[k]) for k in ROUNDED}} for row in rows]


def published_costs(rows: list[dict]) -> list[dict]:
    return [{**row, **{k: int(math.floor(row[k] / 1000 + 0.5)) * 1000 for k in ROUNDED}} for row in rows]


def published_backtest(points: list[dict]) -> list[dict]:
    """The track record as published: projected totals rounded to 5, actual totals as counts are."""
    return [
        {
            "origin": p["origin"],
            "horizon": p["horizon"],
            "projected": nearest_5(p["projected"]),
            "actual": actual_count(p["actual"]),
            # the error would give a hidden count back
            "error_pc": round(p["error_pc"], 1) if actual_count(p["actual"]) is not None else None,
            "covered_80": p["covered_80"],
            "covered_95": p["covered_95"],
        }
        for p in points
    ]
