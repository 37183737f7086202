"""The monthly flows model (sendboard.projection.flows) on stocks and rates worked out by hand."""

from __future__ import annotations

import numpy as np

from sendboard.projection.categories import CATEGORIES
from sendboard.projection.flows import AGE_MONTHS, Rates, project

C, NEEDS = len(CATEGORIES), 2
MAINSTREAM, SPECIAL = 0, 2  # the template's first and third categories
UNDER_5, FIVE_TO_10, ELEVEN_TO_15, SIXTEEN_TO_19, TWENTY_TO_25 = range(5)


def still(cease: dict[int, float] | None = None, move: dict[int, tuple[int, int, float]] | None = None,
          arrivals: dict[tuple[int, int, int], float] | None = None, trend: float = 1.0) -> Rates:  # fmt: skip
    """Nothing happens but what is given: {age: p}, {group: (from, to, p)}, {(age, category, need): n}."""
    cease_rates = np.zeros(26)
    for age, p in (cease or {}).items():
        cease_rates[age] = p
    move_rates = np.tile(np.eye(C), (5, 1, 1))
    for group, (a, b, p) in (move or {}).items():
        move_rates[group, a, a], move_rates[group, a, b] = 1 - p, p
    arrival_rates = np.zeros((26, C, NEEDS))
    for key, n in (arrivals or {}).items():
        arrival_rates[key] = n
    return Rates(cease_rates, move_rates, arrival_rates, trend)


def stock(age_months: int, category: int, count: int, need: int = 0) -> np.ndarray:
    counts = np.zeros((AGE_MONTHS, C, NEEDS), dtype=np.int64)
    counts[age_months, category, need] = count
    return counts


def test_plans_age_a_month_a_month_and_end_past_their_26th_birthday():
    # ten plans at 25 years 6 months: 25y11m after five months, 26 after six (ended)
    out = project(stock(25 * 12 + 6, MAINSTREAM, 10), still(), months=8, simulations=3, seed=1)
    totals = out.sum(axis=(2, 3, 4))
    assert totals.tolist() == [[10, 10, 10, 10, 10, 0, 0, 0]] * 3


def test_a_child_of_10_years_11_months_is_counted_11_to_15_after_a_month():
    out = project(stock(10 * 12 + 11, MAINSTREAM, 7, need=1), still(), months=2, simulations=1, seed=1)
    assert out[0, 0, ELEVEN_TO_15, MAINSTREAM, 1] == 7 and out[0, 0].sum() == 7


def test_plans_cease_at_the_age_whose_probability_says_so():
    # every plan ceases in its 17th year (age 16): the 15y11m ones all end the month they turn 16
    rates = still(cease={16: 1.0})
    out = project(stock(15 * 12 + 11, MAINSTREAM, 12) + stock(14 * 12, MAINSTREAM, 5), rates, 2, 1, seed=1)
    assert out[0, :, ELEVEN_TO_15].sum(axis=(1, 2)).tolist() == [5, 5]
    assert out[0, :, SIXTEEN_TO_19].sum() == 0


def test_children_move_between_categories_with_their_age_group_s_probability():
    # 5-10s all move from mainstream to special in a month; the under-5s do not
    rates = still(move={FIVE_TO_10: (MAINSTREAM, SPECIAL, 1.0)})
    out = project(stock(6 * 12, MAINSTREAM, 9) + stock(2 * 12, MAINSTREAM, 4), rates, 1, 1, seed=1)
    assert out[0, 0, FIVE_TO_10, SPECIAL].sum() == 9 and out[0, 0, FIVE_TO_10, MAINSTREAM].sum() == 0
    assert out[0, 0, UNDER_5, MAINSTREAM].sum() == 4


def test_new_plans_arrive_at_the_expected_rate_grown_by_the_trend():
    # 12 new plans a month at age 3, growing 21 % a year: in month 12, 12 * 1.21 = 14.52 arrive.
    # 500 simulations: the mean of a Poisson count is known to within 3 * sqrt(14.52 / 500) = 0.51
    rates = still(arrivals={(3, MAINSTREAM, 0): 12.0}, trend=1.21)
    empty = np.zeros((AGE_MONTHS, C, NEEDS), dtype=np.int64)
    out = project(empty, rates, months=12, simulations=500, seed=7)
    arrived = out.sum(axis=(2, 3, 4))  # nobody ceases or ages past 25: the total only grows
    first, twelfth = arrived[:, 0].mean(), (arrived[:, 11] - arrived[:, 10]).mean()
    assert abs(first - 12 * 1.21 ** (1 / 12)) < 3 * np.sqrt(12.2 / 500)
    assert abs(twelfth - 14.52) < 0.51


def test_the_same_seed_gives_the_same_projection():
    rates = still(cease={10: 0.05}, move={FIVE_TO_10: (MAINSTREAM, SPECIAL, 0.1)}, arrivals={(8, 0, 1): 3.0})
    start = stock(9 * 12, MAINSTREAM, 40)
    assert np.array_equal(project(start, rates, 6, 20, seed=3), project(start, rates, 6, 20, seed=3))
    assert not np.array_equal(project(start, rates, 6, 20, seed=3), project(start, rates, 6, 20, seed=4))


def test_a_scenario_moves_its_places_in_its_month_and_changes_arrivals_from_then():
    from sendboard.projection.flows import Change

    # 30 plans in independent special schools; a new maintained special school takes 12 of them in
    # month 2. Arrivals of 10 a month at age 6 halve from month 3.
    independent = 3
    rates = still(arrivals={(6, MAINSTREAM, 0): 10.0})
    start = stock(8 * 12, independent, 30)
    changes = (Change(start=2, places=12, from_category=independent, to_category=SPECIAL),
               Change(start=3, arrivals_factor=0.5))  # fmt: skip
    out = project(start, rates, 4, 400, seed=5, changes=changes)
    base = project(start, rates, 4, 400, seed=5)
    by_category = out.sum(axis=(2, 4))  # (S, months, C)
    assert by_category[:, 0, independent].tolist() == [30] * 400 and by_category[:, 0, SPECIAL].sum() == 0
    assert by_category[:, 1, independent].tolist() == [18] * 400 and by_category[:, 1, SPECIAL].tolist() == [12] * 400
    # the same draws as the baseline until month 3; then about 5 new plans a month instead of 10
    assert np.array_equal(out[:, :2, :, MAINSTREAM], base[:, :2, :, MAINSTREAM])
    month_3 = (out[:, 2, :, MAINSTREAM].sum(axis=(1, 2)) - out[:, 1, :, MAINSTREAM].sum(axis=(1, 2))).mean()
    assert abs(month_3 - 5) < 3 * np.sqrt(5 / 400)
