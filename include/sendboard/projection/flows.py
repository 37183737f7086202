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
   grown by the yearly trend, spread at random evenly over the months of each year of age.

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
# the first month of age of each group: the groups are consecutive runs of ages
GROUP_STARTS = np.array([first * 12 for _, first, _ in AGE_GROUPS])


@dataclass(frozen=True)
class Rates:
    """Monthly rates. Shapes: cease (26,) by whole year of age; move (5, C, C) by age group, rows
    summing to 1 (the diagonal is staying); arrivals (26, C, N) expected new plans a month by year of
    age, category and need at the origin; trend the yearly growth factor of arrivals (1.08 = 8 %)."""

    cease: np.ndarray
    move: np.ndarray
    arrivals: np.ndarray
    trend: float = 1.0


@dataclass(frozen=True)
class Change:
    """A scenario's change to the baseline (the DSG template's "mitigated" lines): from projected month
    `start` (1 = the month after the origin) new plans are multiplied by `arrivals_factor`, and in that
    month `places` plans move from category `from_category` to `to_category` (a new special school)."""

    start: int
    arrivals_factor: float = 1.0
    places: int = 0
    from_category: int = 0
    to_category: int = 0


def project(
    stock: np.ndarray,
    rates: Rates,
    months: int,
    simulations: int,
    seed: int,
    changes: tuple[Change, ...] = (),
    arrival_factors: np.ndarray | None = None,
    trends: np.ndarray | None = None,
) -> np.ndarray:
    """stock: counts (AGE_MONTHS, C, N) at the origin's month end. Returns counts by simulation, month
    (1..months), age group, category and need: shape (simulations, months, 5, C, N). The same seed
    gives every scenario the same random draws as the baseline until its change. arrival_factors:
    each projected month's arrivals against the trend's (the pipeline's near term), 1 where absent.
    trends: each simulation's yearly growth factor of arrivals (the trend's uncertainty), else
    rates.trend in every one."""
    rng = np.random.default_rng(seed)
    growth = np.full(simulations, rates.trend) if trends is None else np.asarray(trends, dtype=float)
    needs = stock.shape[2]
    state = np.broadcast_to(stock, (simulations, *stock.shape)).astype(np.int64)
    cease_by_month_of_age = np.repeat(rates.cease, 12)
    move_by_month_of_age = rates.move[np.repeat(GROUP_OF_YEAR, 12)]  # (AGE_MONTHS, C, C)
    out = np.zeros((simulations, months, len(AGE_GROUPS), N_CATEGORIES, needs), dtype=np.int64)
    for month in range(months):
        # 1. ageing: everyone a month older; past 25 years and 11 months the plan has ended
        state = np.concatenate([np.zeros_like(state[:, :1]), state[:, :-1]], axis=1)
        # 2. ceasing by age
        occupied = np.nonzero(state)  # most cells are empty: draw only for the others (4x faster)
        state[occupied] -= rng.binomial(state[occupied], cease_by_month_of_age[occupied[1]])
        # 3. moves between categories: who leaves each category (binomial by age), then where to
        # (multinomial, only for the few cells with leavers; needs do not change). All from the state
        # before this month's moves.
        moved = state.copy()
        for origin in range(N_CATEGORIES):
            here = state[:, :, origin, :]
            occupied = np.nonzero(here)
            leaving = np.zeros_like(here)
            leaving[occupied] = rng.binomial(here[occupied], 1.0 - move_by_month_of_age[occupied[1], origin, origin])
            cells = np.nonzero(leaving)  # (simulation, age, need) of each cell with leavers
            if not cells[0].size:
                continue
            where = move_by_month_of_age[cells[1], origin, :].copy()
            where[:, origin] = 0.0
            where /= where.sum(axis=1, keepdims=True)
            destinations = rng.multinomial(leaving[cells], where)  # (cells, C)
            moved[:, :, origin, :] -= leaving
            for to in range(N_CATEGORIES):
                np.add.at(moved[:, :, to, :], cells, destinations[:, to])
        state = moved
        # 4. arrivals, grown by the trend, each year of age's spread over its 12 months of age
        factor = np.prod([c.arrivals_factor for c in changes if month + 1 >= c.start]) if changes else 1.0
        if arrival_factors is not None and month < arrival_factors.size:
            factor *= arrival_factors[month]
        grown = growth ** ((month + 1) / 12) * factor  # (simulations,)
        expected = rates.arrivals[None] * grown.reshape(-1, *([1] * rates.arrivals.ndim))
        # a Poisson count per year of age (a twelfth the draws of one per month of age), each spread
        # evenly at random over that year's 12 months of age: the same distribution
        arrived = rng.poisson(expected)
        cells = np.nonzero(arrived)
        spread = rng.multinomial(arrived[cells], np.full(12, 1 / 12))  # (cells, 12)
        for month_of_year in range(12):
            state[cells[0], cells[1] * 12 + month_of_year, cells[2], cells[3]] += spread[:, month_of_year]
        for change in changes:
            if change.places and month + 1 == change.start:
                state = _move_places(state, change, rng)
        out[:, month] = np.add.reduceat(state, GROUP_STARTS, axis=1)
    return out


def _move_places(state: np.ndarray, change: Change, rng: np.random.Generator) -> np.ndarray:
    """Move `places` plans (all there are, if fewer) from one category to another, drawn at random
    across ages and needs (a multivariate hypergeometric draw in each simulation)."""
    state = state.copy()
    for s in range(state.shape[0]):
        cells = state[s, :, change.from_category, :]  # (AGE_MONTHS, N)
        taken = rng.multivariate_hypergeometric(cells.ravel(), min(change.places, int(cells.sum()))).reshape(
            cells.shape
        )
        state[s, :, change.from_category, :] -= taken
        state[s, :, change.to_category, :] += taken
    return state


def without_needs(stock: np.ndarray, rates: Rates) -> tuple[np.ndarray, Rates]:
    """The same stock and rates with every need in one: for what is counted only in total and by
    category (the track record, the scenarios), 13 times fewer cells to simulate. Needs change no rate
    but arrivals, which are summed."""
    return stock.sum(axis=2, keepdims=True), Rates(
        rates.cease, rates.move, rates.arrivals.sum(axis=2, keepdims=True), rates.trend
    )
