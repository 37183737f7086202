"""Month-on-month changes large enough for a person to check: warnings, not failures.

The same test runs twice: on the restricted values for the data team (the task log and
data_quality/board/<M>/mart_checks.json), and on the published values for the board pack, which
never sees a restricted value (see board_pack.published_history).
"""

from __future__ import annotations

# a change of 20 percentage points, or of 20% of the previous value for other units
JUMP_WARNING_POINTS = 20.0


def is_large(unit: str, before: float, now: float) -> bool:
    """
    >>> is_large("%", 70.0, 90.0), is_large("%", 70.0, 89.9)
    (True, False)
    >>> is_large("count", 5, 4), is_large("count", 5, 4.1), is_large("count", 0, 3)
    (True, False, False)
    """
    change = float(now) - float(before)
    if unit == "%":
        return abs(change) >= JUMP_WARNING_POINTS
    return float(before) > 0 and abs(change) / float(before) >= JUMP_WARNING_POINTS / 100


def describe(kpi_id: str, before, now, previous: str, period: str) -> str:
    return f"{kpi_id} moved from {before} to {now} between {previous} and {period}: please check"
