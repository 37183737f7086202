"""Making Data Count statistical process control: XmR charts, their four rules, variation and assurance.

The method is NHSRplotthedots' (nhs-r-community, version 0.2.2), followed exactly so that an analyst
who checks a chart with that package gets the same limits and the same signals:

- per baseline (a run of points from one rebase to the next): the centre line is the mean; the
  moving ranges are |x_i - x_(i-1)|, and by default those of 3.267 times their mean or more are left
  out, once; the process limits are the mean +- 2.66 times the mean moving range and the two-sigma
  lines the mean +- 2/3 of that;
- a point is special cause when it is (in this order of precedence) outside the process limits, part
  of 7 points each strictly above (below) the one before, one of two out of three consecutive
  points beyond two sigma (not beyond the limits) with all three on the same side of the mean, or
  part of 7 points on the same side of the mean (a point on the mean breaks the run);
- its type follows the KPI's better direction; the latest point gives the variation icon, and the
  latest baseline's limits against the target give the assurance (strict comparisons);
- a baseline of fewer than 13 points has trial limits (`short_group`).

Pure: no Airflow, no warehouse. `python -m sendboard.spc INPUT.csv OUTPUT.csv` runs it on any
series (docs/analysts.md).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sendboard.errors import SeriesInputError

LIMIT = 2.66  # process limits: mean +- 2.66 x mean moving range (3 sigma)
TWO_SIGMA = 2 * LIMIT / 3
SCREEN = 3.267  # a moving range of 3.267 x the mean moving range or more is screened out
RUN = 7  # points in a trend or a shift
SHORT_GROUP_POINTS = 13  # fewer points in a baseline: trial limits
DIRECTIONS = {"increase": 1, "decrease": -1, "neutral": 0}
# from kpis.md's "better" column
BETTER_DIRECTION = {"higher": "increase", "lower": "decrease", "context": "neutral"}


@dataclass(frozen=True)
class Point:
    value: float
    mean: float
    lower_limit: float
    upper_limit: float
    lower_2sigma: float
    upper_2sigma: float
    rule: str  # "" (common cause) or astronomical_/trend_/two_in_three_/shift_ high|low|increasing|decreasing
    point_type: str
    short_group: bool
    baseline: int  # 0 for the first baseline, +1 at each rebase

    @property
    def special_cause(self) -> bool:
        return self.rule != ""


@dataclass(frozen=True)
class Chart:
    points: list[Point]
    variation_icon: str | None  # None for an empty series
    assurance: str | None  # None without a target, or for a neutral (context) KPI


def _mean(values: Sequence[float | None]) -> float:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else math.nan


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _limits(values: list[float], screen_outliers: bool) -> tuple[float, float]:
    """The baseline's mean and mean moving range (screened once, as the package does)."""
    mean = _mean(values)
    ranges: list[float | None] = [None] + [abs(b - a) for a, b in zip(values, values[1:])]
    average = _mean(ranges)
    if screen_outliers:
        # `r < 3.267 * average` is false for NaN, as the package's NA: every range is then left out
        ranges = [r if r is not None and r < SCREEN * average else None for r in ranges]
        average = _mean(ranges)
    return mean, average


def _part_of_run(flags: list[int]) -> list[bool]:
    """A point is part of a run of 7 when it, or one of the 6 after it, ends one."""
    return [any(abs(f) == 1 for f in flags[i : i + RUN]) for i in range(len(flags))]


def _shift_ends(side: list[int]) -> list[int]:
    """1 where a point and the 6 before it are on the same side of the mean (not on it)."""
    return [
        int(i >= RUN - 1 and side[i] != 0 and all(side[j] == side[i] for j in range(i - RUN + 1, i)))
        for i in range(len(side))
    ]


def _trend_ends(values: list[float]) -> list[int]:
    """1 (-1) where a point ends 7 points each strictly above (below) the one before."""
    ends = [0] * len(values)
    for i in range(RUN - 1, len(values)):
        steps = [_sign(values[j] - values[j - 1]) for j in range(i - RUN + 2, i + 1)]
        ends[i] = 1 if all(s == 1 for s in steps) else -1 if all(s == -1 for s in steps) else 0
    return ends


def _two_in_three(close: list[bool], side: list[int]) -> list[bool]:
    """Points beyond two sigma that, with another such point, make 2 of 3 consecutive points all on one
    side of the mean."""
    n = len(close)

    def window(start: int) -> bool:
        cells = [(close[j], side[j]) if 0 <= j < n else (False, 0) for j in range(start, start + 3)]
        return sum(c for c, _ in cells) >= 2 and abs(sum(s for _, s in cells)) == 3

    return [close[i] and (window(i - 2) or window(i - 1) or window(i)) for i in range(n)]


def _rules(
    values: list[float], mean: float, lower: float, upper: float, near_lower: float, near_upper: float
) -> list[str]:
    """Each point's rule, by the package's precedence (limits, trend, two in three, shift)."""
    side = [_sign(v - mean) for v in values]
    outside = [v > upper or v < lower for v in values]
    close = [not o and (v < near_lower or v > near_upper) for v, o in zip(values, outside)]
    trend = _part_of_run(_trend_ends(values))
    two_in_three = _two_in_three(close, side)
    shift = _part_of_run(_shift_ends(side))
    steps = [_sign(b - a) for a, b in zip(values, values[1:])]
    rules = []
    for i in range(len(values)):
        high = side[i] > 0
        if outside[i]:
            rules.append("astronomical_high" if side[i] == 1 else "astronomical_low")
        elif trend[i]:
            # a point between two trend points takes the step after it, the last one the step before
            step = steps[i] if i + 1 < len(values) and trend[i + 1] else (steps[i - 1] if i > 0 else 0)
            rules.append("trend_increasing" if step == 1 else "trend_decreasing")
        elif two_in_three[i]:
            rules.append("two_in_three_high" if high else "two_in_three_low")
        elif shift[i]:
            rules.append("shift_high" if high else "shift_low")
        else:
            rules.append("")
    return rules


def _point_type(rule: str, direction: int) -> str:
    if not rule:
        return "common_cause"
    up = 1 if rule.endswith(("_high", "_increasing")) else -1
    if direction == 0:
        return "special_cause_neutral_high" if up > 0 else "special_cause_neutral_low"
    return "special_cause_improvement" if up * direction > 0 else "special_cause_concern"


def variation_icon(point_type: str, direction: int) -> str:
    """The Making Data Count variation icon of a series' latest point.

    >>> variation_icon("special_cause_concern", DIRECTIONS["increase"])
    'concern_low'
    >>> variation_icon("special_cause_improvement", DIRECTIONS["decrease"])
    'improvement_low'
    """
    if point_type == "common_cause":
        return "common_cause"
    if point_type.startswith("special_cause_neutral_"):
        return point_type.removeprefix("special_cause_")
    improving = point_type == "special_cause_improvement"
    high = improving == (direction > 0)
    return f"{'improvement' if improving else 'concern'}_{'high' if high else 'low'}"


def assurance(target: float | None, direction: int, lower: float, upper: float) -> str | None:
    """Will the process meet the target: the latest baseline's limits against it (strict comparisons).

    >>> assurance(90.0, DIRECTIONS["increase"], 91.0, 99.0), assurance(90.0, DIRECTIONS["increase"], 90.0, 99.0)
    ('consistent_pass', 'inconsistent')
    """
    if target is None or direction == 0:
        return None
    if target > upper:
        return "consistent_fail" if direction > 0 else "consistent_pass"
    if target < lower:
        return "consistent_pass" if direction > 0 else "consistent_fail"
    return "inconsistent"


def chart(
    values: Sequence[float],
    direction: str,
    target: float | None = None,
    rebase: Sequence[bool] | None = None,
    screen_outliers: bool = True,
) -> Chart:
    """The XmR chart of a series in date order. `rebase[i]` starts a new baseline at point i (on the
    first point it changes nothing); every rule stays inside one baseline."""
    sign = DIRECTIONS[direction]
    starts = [0] + [i for i, flag in enumerate(rebase or []) if flag and i > 0] + [len(values)]
    points: list[Point] = []
    for baseline, (start, end) in enumerate(zip(starts, starts[1:])):
        group = [float(v) for v in values[start:end]]
        mean, average = _limits(group, screen_outliers)
        lower, upper = mean - LIMIT * average, mean + LIMIT * average
        near_lower, near_upper = mean - TWO_SIGMA * average, mean + TWO_SIGMA * average
        for value, rule in zip(group, _rules(group, mean, lower, upper, near_lower, near_upper)):
            points.append(
                Point(value, mean, lower, upper, near_lower, near_upper, rule, _point_type(rule, sign),
                      len(group) < SHORT_GROUP_POINTS, baseline)
            )  # fmt: skip
    if not points:
        return Chart(points, None, None)
    last = points[-1]
    return Chart(
        points, variation_icon(last.point_type, sign), assurance(target, sign, last.lower_limit, last.upper_limit)
    )


# ---- the command: python -m sendboard.spc INPUT.csv OUTPUT.csv --------------------------------------

INPUT_COLUMNS = ("series_id", "date", "value", "improvement_direction", "target", "rebase", "screen_outliers")
OUTPUT_COLUMNS = (
    "series_id", "date", "value", "mean", "lower_limit", "upper_limit", "lower_2sigma", "upper_2sigma",
    "special_cause", "rule", "point_type", "short_group", "variation_icon", "assurance",
)  # fmt: skip


def _number(text: str, what: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SeriesInputError(f"{where}: {what} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise SeriesInputError(f"{where}: {what} {text!r} is not a finite number")
    return value


def _flag(text: str, what: str, where: str, default: bool) -> bool:
    text = text.strip().lower()
    if text == "":
        return default
    if text not in ("true", "false"):
        raise SeriesInputError(f"{where}: {what} {text!r} is not true or false")
    return text == "true"


def read_series(path: Path) -> dict[str, dict]:
    """The input file's series, each with its points in date order and its settings."""
    from datetime import date

    series: dict[str, dict] = {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in INPUT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SeriesInputError(f"{path}: missing column(s) {', '.join(missing)}")
        for row_number, row in enumerate(reader, start=2):
            series_id = row["series_id"]
            where = f"series {series_id!r}, row {row_number}"
            try:
                day = date.fromisoformat(row["date"].strip())
            except ValueError:
                raise SeriesInputError(f"{where}: date {row['date']!r} is not YYYY-MM-DD") from None
            direction = row["improvement_direction"].strip()
            if direction not in DIRECTIONS:
                raise SeriesInputError(
                    f"{where}: improvement_direction {direction!r} is not increase, decrease or neutral"
                )
            target = _number(row["target"], "target", where) if row["target"].strip() else None
            screen = _flag(row["screen_outliers"], "screen_outliers", where, default=True)
            settings = {"direction": direction, "target": target, "screen_outliers": screen}
            found = series.setdefault(series_id, {**settings, "points": {}})
            for key, value in settings.items():
                if found[key] != value:
                    name = "improvement_direction" if key == "direction" else key
                    raise SeriesInputError(f"{where}: {name} differs from the series' earlier rows")
            if day in found["points"]:
                raise SeriesInputError(f"{where}: date {day.isoformat()} is repeated")
            found["points"][day] = (_number(row["value"], "value", where), _flag(row["rebase"], "rebase", where, False))
    return series


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def write_charts(series: dict[str, dict], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(OUTPUT_COLUMNS)
        for series_id, found in series.items():
            days = sorted(found["points"])
            values = [found["points"][d][0] for d in days]
            result = chart(values, found["direction"], found["target"], [found["points"][d][1] for d in days],
                           found["screen_outliers"])  # fmt: skip
            for day, point in zip(days, result.points):
                writer.writerow(
                    _cell(v) for v in (
                        series_id, day.isoformat(), point.value, point.mean, point.lower_limit, point.upper_limit,
                        point.lower_2sigma, point.upper_2sigma, point.special_cause, point.rule, point.point_type,
                        point.short_group, result.variation_icon, result.assurance,
                    )
                )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Making Data Count XmR charts of the series in a CSV file.")
    parser.add_argument("input", type=Path, help="columns: " + ", ".join(INPUT_COLUMNS))
    parser.add_argument("output", type=Path, help="one row per input point, with limits, rule, type and icons")
    arguments = parser.parse_args(argv)
    try:
        series = read_series(arguments.input)
    except SeriesInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    write_charts(series, arguments.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
