"""The projection of a published month M: plans in force at each month end for the next 36 months,
by simulation of the flows learned up to M, summarised as median and 80% and 95% intervals in total,
by placement category, by age group, by primary need and by category x age group; and its track
record, a rolling-origin backtest of the same method on the LA's own history.

Unrounded: the stage's disclosure step rounds what is published (decision 0018).
"""

from __future__ import annotations

import math
import statistics
import warnings
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from sendboard import periods
from sendboard.contract import PLAN_NEEDS
from sendboard.projection import costs, disclosure, history, pipeline, scenarios
from sendboard.projection.categories import AGE_GROUPS, CATEGORIES
from sendboard.projection.flows import project, without_needs

MONTHS = 36
SIMULATIONS = 200
SEED = 20261207
BACKTEST_HORIZONS = (3, 6, 12)
BACKTEST_FIRST = 12  # origins from the 12th extract held on
BACKTEST_SIMULATIONS = 100
# how much of an LA's own growth of new plans, apart from England's, carries on: the annual method's
# weight, measured on the DfE's real release at every origin from 2021 to 2024 (0.32-0.35: decision 0018)
PERSISTENCE = 0.33
OWN_TREND_MONTHS = 24  # the LA's own trend: its new plans over at most two years,
OWN_TREND_LEAST = 12  # and at least one
QUANTILES = (0.5, 0.1, 0.9, 0.025, 0.975)
COLUMNS = ("month_made", "projected_month", "breakdown", "category", "age_group", "need", "scenario",
           "median", "lower_80", "upper_80", "lower_95", "upper_95")  # fmt: skip


@dataclass(frozen=True)
class Projection:
    rows: list[dict]
    trend: float
    trend_source: str
    pairs: int
    backtest: list[dict]
    widening: dict[int, float]
    costs: list[dict]
    price_year: str
    history: dict[str, int]  # plans in force at each month end up to the origin, from its own extract
    scenarios: dict[str, str]  # name: description


def national_trend(con, origin: str) -> tuple[float, float] | None:
    """England's yearly growth of plans in force (mean of its last three years) and how much its yearly
    growth varied in them (the standard deviation of their logs: how far next year's may differ), from
    the DfE releases landed. A January's figures count from the June they are published in, so a
    projection made before then does not see them."""
    try:
        rows = con.execute(
            """select time_period, ehcplans from staging.stg_dfe_statistics__caseload
               where geographic_level = 'National' and breakdown_topic = 'All EHC plans'"""
        ).fetchall()
    except Exception:  # noqa: BLE001 - no DfE release landed: the caller says so
        return None
    year, month = periods.parse(origin)
    known = {
        int(p[:4]) + 1: float(v)
        for p, v in rows
        if str(v).isdigit() and len(p) == 6 and (year, month) >= (int(p[:4]) + 1, 6)
    }
    if not known:
        return None
    last = max(known)
    if last - 3 not in known:
        return None
    if not all(year in known for year in range(last - 3, last + 1)):
        return None
    yearly = np.log([known[y] / known[y - 1] for y in range(last - 2, last + 1)])
    return (known[last] / known[last - 3]) ** (1 / 3), float(np.std(yearly, ddof=1))


def own_trend(new_plans: dict[str, int], origin: str) -> tuple[float, float, int] | None:
    """The LA's own yearly growth of new plans, the standard error of its log and the months it rests
    on: a quasi-Poisson regression of the new plans of each month on time (statsmodels), over the last
    OWN_TREND_MONTHS months up to `origin` (history.new_plans_by_month). None with under
    OWN_TREND_LEAST months: less than a year is a season, not a trend."""
    months = [m for m in sorted(new_plans) if m <= origin][-OWN_TREND_MONTHS:]
    if len(months) < OWN_TREND_LEAST or not any(new_plans[m] for m in months):
        return None
    years = np.array([periods.months_between(months[0], m) / 12 for m in months])
    counts = np.array([new_plans[m] for m in months], dtype=float)
    with warnings.catch_warnings():
        # counts exactly on a curve are a perfect fit, not a problem: the warning is for classifiers
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        fit = sm.GLM(counts, sm.add_constant(years), family=sm.families.Poisson()).fit()
    # quasi-Poisson: months more variable than Poisson counts widen the standard error, never narrow it
    dispersion = max(1.0, fit.pearson_chi2 / fit.df_resid)
    return math.exp(float(fit.params[1])), float(fit.bse[1]) * math.sqrt(dispersion), len(months)


@dataclass(frozen=True)
class Trend:
    """The yearly growth factor of new plans, the uncertainty of its log, and what it came from."""

    growth: float
    log_sd: float
    source: str

    def draws(self, simulations: int) -> np.ndarray:
        """One growth factor per simulation, seeded: the intervals carry the trend's uncertainty as
        well as the flows' chance (a model's intervals that take its rates as known are too narrow)."""
        z = np.random.default_rng([SEED, 1]).standard_normal(simulations)
        return np.exp(math.log(self.growth) + self.log_sd * z)


def trend_of_new_plans(con, origin: str, new_plans: dict[str, int] | None = None) -> Trend:
    """The yearly growth of new plans: England's pooled with the LA's own by PERSISTENCE (decision 0018)."""
    national = national_trend(con, origin)
    fitted = own_trend(history.new_plans_by_month(con) if new_plans is None else new_plans, origin)
    if national and fitted:
        (england, england_sd), (own, own_se, months) = national, fitted
        pooled = math.exp(math.log(england) + PERSISTENCE * (math.log(own) - math.log(england)))
        spread = math.hypot((1 - PERSISTENCE) * england_sd, PERSISTENCE * own_se)
        return Trend(pooled, spread, (
            f"pooled: England's trend of plans in force and a third of the LA's own difference "
            f"(its new plans over {months} months)"
        ))  # fmt: skip
    if national:
        england, england_sd = national
        return Trend(england, england_sd,
                     "England's trend of plans in force (the LA's own has under a year of extracts)")  # fmt: skip
    if fitted:
        own, own_se, months = fitted
        return Trend(own, own_se, (
            f"the LA's own trend of new plans over {months} months: no DfE release with four Januaries "
            "published by then"
        ))  # fmt: skip
    return Trend(
        1.0, 0.0, "no trend: no DfE release with four Januaries published by then, and under a year of extracts"
    )


def _simulate(
    con, origin: str, months: int, simulations: int, new_plans: dict[str, int], flows: dict, by_need: bool = True
) -> tuple[np.ndarray, Trend, history.Learned, np.ndarray | None]:
    """The simulations, the trend and what it came from, what was learned, and the pipeline's arrival
    factors (the scenarios reuse the last two). new_plans: history.new_plans_by_month, counted once;
    flows: each pair of extracts' counts, read once (history.learn)."""
    trend = trend_of_new_plans(con, origin, new_plans)
    learned = history.learn(con, origin, trend.growth, flows)
    stock, rates = (learned.stock, learned.rates) if by_need else without_needs(learned.stock, learned.rates)
    factors = arrival_factors(con, origin, learned, months)
    sims = project(stock, rates, months, simulations, SEED, arrival_factors=factors, trends=trend.draws(simulations))
    return sims, trend, learned, factors


def arrival_factors(con, origin: str, learned: history.Learned, months: int) -> np.ndarray | None:
    """Each projected month's arrivals against the trend's: the open requests' plans plus the share of
    future requests' plans issued by then (pipeline.py). None without a concluded cohort."""
    end = periods.last_day(origin)
    found = pipeline.pipeline(con, origin, end, months)
    monthly = learned.rates.arrivals.sum()
    if found is None or monthly <= 0:
        return None
    by_trend = monthly * learned.rates.trend ** (np.arange(1, months + 1) / 12)
    return found.expected / by_trend + found.issued_within


def _log_spread(draws: np.ndarray, median: float) -> np.ndarray:
    return np.log(np.maximum(draws, 1) / max(median, 1))


def backtest(
    con, month: str, new_plans: dict[str, int], flows: dict | None = None
) -> tuple[list[dict], dict[int, float]]:
    """The record known at `month`: every origin from the 12th extract on whose horizon has an extract
    by `month`, its projected total against the plans in force then. Also the widening of each
    horizon's intervals the record asks for: the median absolute log error over the median absolute
    log deviation of the simulations (at least 1)."""
    flows = {} if flows is None else flows
    held = [p for p in history.periods_held(con) if p <= month]
    observed = {p: n for p, n in history.observed_totals(con).items() if p <= month}
    points = []
    for origin in held[BACKTEST_FIRST - 1 :]:
        reachable = [h for h in BACKTEST_HORIZONS if periods.shift(origin, h) in observed]
        if not reachable:
            continue
        sims, *_ = _simulate(con, origin, max(reachable), BACKTEST_SIMULATIONS, new_plans, flows, by_need=False)
        totals = sims.sum(axis=(2, 3, 4))
        for h in reachable:
            draws = totals[:, h - 1].astype(float)
            median = float(np.median(draws))
            actual = observed[periods.shift(origin, h)]
            points.append(
                {
                    "origin": origin,
                    "horizon": h,
                    "projected": median,
                    "actual": actual,
                    "error_pc": (median - actual) / actual * 100,
                    "log_error": math.log(actual / median) if median > 0 else 0.0,
                    "spread": float(np.median(np.abs(_log_spread(draws, median)))),
                    "draws": draws,
                }
            )
    widening = {}
    for h in BACKTEST_HORIZONS:
        at = [p for p in points if p["horizon"] == h]
        spread = statistics.median(p["spread"] for p in at) if at else 0.0
        error = statistics.median(abs(p["log_error"]) for p in at) if at else 0.0
        widening[h] = max(1.0, error / spread) if spread > 0 else 1.0
    for p in points:
        lo80, hi80, lo95, hi95 = _widened(p.pop("draws"), p["projected"], widening[p["horizon"]])
        p["covered_80"] = lo80 <= p["actual"] <= hi80
        p["covered_95"] = lo95 <= p["actual"] <= hi95
    return points, widening


def _widening_at(widening: dict[int, float], horizon: int) -> float:
    """The record's widening at any horizon: the nearest measured below, 1 before the first."""
    measured = [h for h in sorted(widening) if h <= horizon]
    return widening[measured[-1]] if measured else 1.0


def _widened(draws: np.ndarray, median: float, factor: float) -> tuple[float, float, float, float]:
    q = np.quantile(draws, QUANTILES[1:])
    if median <= 0:
        return tuple(float(v) for v in q)  # type: ignore[return-value]
    return tuple(float(median * (v / median) ** factor) if v > 0 else 0.0 for v in q)  # type: ignore[return-value]


def project_month(con, origin: str) -> Projection:
    new_plans = history.new_plans_by_month(con)
    flows: dict = {}  # each pair of extracts' counts, shared by the record's origins and the projection
    points, widening = backtest(con, origin, new_plans, flows)
    sims, trend, learned, factors = _simulate(con, origin, MONTHS, SIMULATIONS, new_plans, flows)
    rows = []
    categories = [key for key, _ in CATEGORIES]
    groups = [name for name, *_ in AGE_GROUPS]

    def add(month: int, breakdown: str, draws: np.ndarray, category="", age_group="", need="",
            scenario="baseline") -> None:  # fmt: skip
        draws = draws.astype(float)
        median = float(np.median(draws))
        lo80, hi80, lo95, hi95 = _widened(draws, median, _widening_at(widening, month + 1))
        rows.append(
            dict(zip(COLUMNS, (origin, periods.shift(origin, month + 1), breakdown, category, age_group, need,
                               scenario, median, lo80, hi80, lo95, hi95), strict=True))
        )  # fmt: skip

    for month in range(MONTHS):
        at = sims[:, month]  # (S, group, category, need)
        add(month, "total", at.sum(axis=(1, 2, 3)))
        for c, key in enumerate(categories):
            add(month, "category", at[:, :, c].sum(axis=(1, 2)), category=key)
        for g, name in enumerate(groups):
            add(month, "age_group", at[:, g].sum(axis=(1, 2)), age_group=name)
        for n, need in enumerate(PLAN_NEEDS):
            add(month, "need", at[:, :, :, n].sum(axis=(1, 2)), need=need)
        for c, key in enumerate(categories):
            for g, name in enumerate(groups):
                add(month, "category_x_age", at[:, g, c].sum(axis=1), category=key, age_group=name)
    annual_costs, price_year = costs.read_costs()
    cost_rows = _cost_rows(con, origin, sims.sum(axis=(2, 4)), annual_costs, price_year, widening)
    # each scenario beside the baseline, in total and by category, with its cost: the same seed, so
    # it differs from the baseline by its change, not by chance
    described = {}
    for scenario in scenarios.read_scenarios():
        changed = project(*without_needs(learned.stock, learned.rates), MONTHS, SIMULATIONS, SEED,
                          (scenario.change(origin),), factors, trend.draws(SIMULATIONS))  # fmt: skip
        described[scenario.name] = scenario.description
        for month in range(MONTHS):
            at = changed[:, month]
            add(month, "total", at.sum(axis=(1, 2, 3)), scenario=scenario.name)
            for c, key in enumerate(categories):
                add(month, "category", at[:, :, c].sum(axis=(1, 2)), category=key, scenario=scenario.name)
        cost_rows += _cost_rows(
            con, origin, changed.sum(axis=(2, 4)), annual_costs, price_year, widening, scenario.name
        )
    observed = {m: n for m, n in history.observed_totals(con).items() if m <= origin}
    return Projection(
        rows, trend.growth, trend.source, learned.pairs, points, widening, cost_rows, price_year, observed, described
    )


def _cost_rows(
    con,
    origin: str,
    by_category: np.ndarray,
    annual: np.ndarray,
    price_year: str,
    widening: dict[int, float],
    scenario: str = "baseline",
) -> list[dict]:
    """by_category: (S, months, C) projected plans in force. Each financial year's cost per simulation,
    by category and in total; months before the projection from the extracts (rounded to 5)."""
    years = costs.financial_years(origin)
    elapsed = [m for _, months in years for m in months if m <= origin]
    observed = history.observed_by_category(con, elapsed)
    rows = []
    for name, months in years:
        spent = np.zeros((by_category.shape[0], by_category.shape[2]))
        for m in months:
            if m <= origin:
                spent += disclosure.nearest_5s(observed.get(m, np.zeros(by_category.shape[2])))[None, :]
            else:
                spent += by_category[:, periods.months_between(origin, m) - 1, :]
        spend = spent * annual[None, :] / 12  # (S, C)
        factor = _widening_at(widening, periods.months_between(origin, months[-1]))
        keys = [key for key, _ in CATEGORIES]
        for label, draws in [("total", spend.sum(axis=1)), *((k, spend[:, c]) for c, k in enumerate(keys))]:
            median = float(np.median(draws))
            lo80, hi80, lo95, hi95 = _widened(draws, median, factor)
            rows.append(
                dict(zip(costs.COLUMNS, (origin, name, label, scenario, median, lo80, hi80, lo95, hi95, price_year),
                         strict=True))
            )  # fmt: skip
    return rows
