"""The 24-month county sample shows the board a signal of each kind (issue 20).

The three KPIs are counted here straight from the simulated world's records, by kpis.md's
definitions. On this sample they equal what the pipeline publishes, month for month (checked
through `make run` when the signals were planted). The world builds in under 2 s; writing its files
is what takes the generator a minute.
"""

from __future__ import annotations

import pytest

from sendboard import periods, spc
from sendboard.devtools.world import SCALES, World, _days

MONTHS = periods.span("2024-11", "2026-10")


@pytest.fixture(scope="module")
def world() -> World:
    return World(SCALES["county"], "2024-11", 24, 20261122)  # make run's sample: the generator's defaults


def monthly(world: World, kpi: str) -> list[float]:
    values = []
    for month in MONTHS:
        start, end = _days(periods.first_day(month)), _days(periods.last_day(month))
        if kpi == "T1_DECISIONS_6WK":  # decisions in M within 42 days of the request
            r = world.requests
            decided = r.decision.isin(["ASSESS", "NOT_ASSESS"]) & r.decision_day.between(start, end)
            numerator, denominator = ((r.decision_day - r.received)[decided] <= 42).sum(), decided.sum()
        elif kpi == "T2_AUDIT_GOOD":  # audits in M rated good or outstanding
            a = world.audits
            audited = a.audit_day.between(start, end)
            numerator, denominator = a.rating[audited].isin(["GOOD", "OUTSTANDING"]).sum(), audited.sum()
        else:  # T1_HEALTH_WAIT_18WK: referrals waiting at the month end, past 126 days
            f = world.referrals
            waiting = (f.referred <= end) & (f.closed > end)
            numerator, denominator = ((end - f.referred)[waiting] > 126).sum(), waiting.sum()
        values.append(round(100 * numerator / denominator, 1))
    return values


def test_a_new_casework_team_from_november_2025_is_an_improving_shift(world):
    chart = spc.chart(monthly(world, "T1_DECISIONS_6WK"), "increase")
    after = chart.points[MONTHS.index("2026-01") :]
    assert {p.point_type for p in after} == {"special_cause_improvement"}
    assert chart.variation_icon == "improvement_high"


def test_lengthening_health_waits_are_a_deteriorating_trend(world):
    chart = spc.chart(monthly(world, "T1_HEALTH_WAIT_18WK"), "decrease")
    rules = [p.rule for p in chart.points]
    # six rising months make a trend from February 2026; from June the rise passes the upper limit
    assert rules[MONTHS.index("2026-02") : MONTHS.index("2026-06")] == ["trend_increasing"] * 4
    assert rules[MONTHS.index("2026-06") :] == ["astronomical_high"] * 5
    assert {p.point_type for p in chart.points[MONTHS.index("2026-02") :]} == {"special_cause_concern"}
    assert chart.variation_icon == "concern_high"


def test_a_poorly_rated_batch_of_audits_is_an_astronomical_month(world):
    values = monthly(world, "T2_AUDIT_GOOD")
    chart = spc.chart(values, "increase")
    april = MONTHS.index("2026-04")
    assert values[april] == 7.1 and chart.points[april].rule == "astronomical_low"
    assert [m for m, p in zip(MONTHS, chart.points) if p.rule.startswith("astronomical")] == ["2026-04"]
