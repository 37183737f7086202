"""The monthly flows model of plans in force (issue 31, decision 0018): children age month by month,
plans cease by age, children move between placement categories, new plans arrive. Simulated with a
fixed seed, so the same stock and rates give the same projection.

The state is a count of plans per cell (age in months at the month end, placement category, primary
need), for each simulation. Each projected month, in this order:
1. every plan ages a month; a plan past its 26th birthday ends (plans cease at 25 at the latest);
2. each plan ceases with its age's monthly probability (binomial per cell);
3. each remaining plan moves to another category with its age group's monthly probabilities
   (multinomial per cell; needs do not change);
4. new plans arrive: Poisson counts per (age in years, category, need) at the expected monthly rate,
   grown by the yearly trend, spread evenly over the months of each year of age.

Pure numpy: the rates are estimated elsewhere (from consecutive extracts, never a later one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sendboard.projection.categories import AGE_GROUPS, CATEGORIES

MAX_AGE_YEARS = 25
AGE_MONTHS = (MAX_AGE_YEARS + 1) * 12  # ages 0 to 25 years and 11 months
N_CATEGORIES = len(CATEGORIES)
# the template's age group of each whole year of age
GROUP_OF_YEAR = np.array([next(i for i, (_, a, b) in enumerate(AGE_GROUPS) if a <= y <= b) for y in range(26)])


@dataclass(frozen=True)
class Rates:
    """Monthly rates. Shapes: cease (26,) by whole year of age; move (5, C, C) by age group, rows
    summing to 1 (the diagonal is staying); arrivals (26, C, N) expected new plans a month by year of
    age, category and need at the origin; trend the yearly growth factor of arrivals (1.08 = 8 %)."""

    cease: np.ndarray
    move: np.ndarray
    arrivals: np.ndarray
    trend: float = 1.0


def project(stock: np.ndarray, rates: Rates, months: int, simulations: int, seed: int) -> np.ndarray:
    """stock: counts (AGE_MONTHS, C, N) at the origin's month end. Returns counts by simulation, month
    (1..months), age group, category and need: shape (simulations, months, 5, C, N)."""
    rng = np.random.default_rng(seed)
    needs = stock.shape[2]
    state = np.broadcast_to(stock, (simulations, *stock.shape)).astype(np.int64)
    cease_by_month_of_age = np.repeat(rates.cease, 12)
    move_by_month_of_age = rates.move[np.repeat(GROUP_OF_YEAR, 12)]  # (AGE_MONTHS, C, C)
    out = np.zeros((simulations, months, len(AGE_GROUPS), N_CATEGORIES, needs), dtype=np.int64)
    group_of_month = np.repeat(GROUP_OF_YEAR, 12)
    for month in range(months):
        # 1. ageing: everyone a month older; past 25 years and 11 months the plan has ended
        state = np.concatenate([np.zeros_like(state[:, :1]), state[:, :-1]], axis=1)
        # 2. ceasing by age
        state = state - rng.binomial(state, cease_by_month_of_age[None, :, None, None])
        # 3. moves between categories: each (simulation, age, category, need) cell splits multinomially
        cells = state.transpose(0, 1, 3, 2).reshape(-1, N_CATEGORIES)  # (S * A * N, C) counts by category
        moved = np.zeros_like(cells)
        probabilities = np.broadcast_to(
            move_by_month_of_age[None, :, None, :, :], (simulations, AGE_MONTHS, needs, N_CATEGORIES, N_CATEGORIES)
        ).reshape(-1, N_CATEGORIES, N_CATEGORIES)
        for origin in range(N_CATEGORIES):
            # who leaves (binomial), then where to (multinomial for the few cells with leavers: most
            # plans stay where they are in a month, and a multinomial draw per cell is slow)
            stay = probabilities[:, origin, origin]
            leaving = rng.binomial(cells[:, origin], 1.0 - stay)
            moved[:, origin] += cells[:, origin] - leaving
            rows = np.flatnonzero(leaving)
            if rows.size:
                where = probabilities[rows, origin, :].copy()
                where[:, origin] = 0.0
                where /= where.sum(axis=1, keepdims=True)
                moved[rows] += rng.multinomial(leaving[rows], where)
        state = moved.reshape(simulations, AGE_MONTHS, needs, N_CATEGORIES).transpose(0, 1, 3, 2)
        # 4. arrivals, grown by the trend, each year of age's spread over its 12 months of age
        expected = rates.arrivals * rates.trend ** ((month + 1) / 12) / 12
        state = state + rng.poisson(np.repeat(expected, 12, axis=0)[None], size=state.shape)
        for group in range(len(AGE_GROUPS)):
            out[:, month, group] = state[:, group_of_month == group].sum(axis=1)
    return out
