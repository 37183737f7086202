"""Projection of annual series of EHC plans in force each January, the form the DfE publishes, and the
check of the method against anything: `python -m sendboard.projection IN.csv OUT.csv`.

The method (decision 0018): each area grows at the national trend plus its own recent difference from
it, shrunk toward none by how far such differences have persisted. On a log scale, at origin year T:

- the national trend g is the mean yearly log growth of the series ENGLAND over its last three years
  (the benchmark's "England's average yearly rate of the last three years");
- an area's difference d_t = its log growth in year t minus England's; its recent difference is the
  mean of d over its last three years;
- the weight w is how much of a recent difference carried into the next year in the history: the
  least-squares slope, through the origin, of each area's d_t on its recent difference at t - 1, over
  every area and year up to T, kept in [0, 1]. It is the empirical Bayes shrinkage factor: 0 when
  differences are noise, 1 when they persist;
- forecast(T + h) = value(T) * exp(h * (g + w * recent difference)).

One area's short history alone is noisy (a few years of growth); the weight is estimated from every
area in the file, so it is pooled too. Without an ENGLAND series an area follows its own trend
(w = 1 against a zero reference), and `project` says so.

Intervals by simulation with a fixed seed. Their width comes from the method's own record in the
file: the same method, run at each earlier origin, gives log errors at the horizons the file can
check. Their spread (a robust variance per horizon) is fitted as h * shock + h^2 * drift, shocks
adding up year by year and a misjudged growth rate growing with the horizon (scipy's non-negative
least squares), so a horizon the file cannot check yet gets a width too. The simulation draws each
area's log error from the pooled standardised errors of the record (a bootstrap: their tails, not a
normal's) scaled to the horizon's fitted spread.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls

NATIONAL = "ENGLAND"
TREND_YEARS = 3  # the national trend and an area's recent difference: the last three years
HORIZONS = 3
SIMULATIONS = 4000
SEED = 20261207
# a robust standard deviation from the median absolute deviation (a normal's 1.4826)
MAD_TO_SD = 1.4826

Series = Mapping[int, float]


@dataclass(frozen=True)
class Forecast:
    series_id: str
    year: int
    horizon: int
    forecast: float
    lower_80: float
    upper_80: float
    lower_95: float
    upper_95: float


def _log_growth(series: Series, year: int) -> float | None:
    if year in series and year - 1 in series and series[year] > 0 and series[year - 1] > 0:
        return math.log(series[year] / series[year - 1])
    return None


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


class _Origin:
    """What the method knows at origin year T: only the values of years up to T."""

    def __init__(self, data: Mapping[str, Series], origin: int) -> None:
        self.origin = origin
        self.data = {sid: {y: v for y, v in s.items() if y <= origin} for sid, s in data.items()}
        reference = self.data.get(NATIONAL)
        self.has_national = bool(reference) and origin in (reference or {})
        self.reference: Series = reference if self.has_national and reference is not None else {}

    def reference_growth(self, year: int) -> float | None:
        if not self.has_national:
            return 0.0
        return _log_growth(self.reference, year)

    def difference(self, series: Series, year: int) -> float | None:
        own, national = _log_growth(series, year), self.reference_growth(year)
        return None if own is None or national is None else own - national

    def recent_difference(self, series: Series, year: int) -> float | None:
        """The median of the last three years' differences: one year's jump (a change of return, a
        correction) does not carry into every year of the forecast."""
        found = [d for y in range(year - TREND_YEARS + 1, year + 1) if (d := self.difference(series, y)) is not None]
        return statistics.median(found) if found else None

    def trend(self) -> float:
        if not self.has_national:
            return 0.0
        growth = [self.reference_growth(y) for y in range(self.origin - TREND_YEARS + 1, self.origin + 1)]
        return _mean([g for g in growth if g is not None]) or 0.0

    def weight(self) -> float:
        """The least-squares slope through the origin of d_t on the recent difference at t - 1."""
        if not self.has_national:
            return 1.0
        pairs = [
            (previous, now)
            for sid, series in self.data.items()
            if sid != NATIONAL
            for year in series
            if (now := self.difference(series, year)) is not None
            and (previous := self.recent_difference(series, year - 1)) is not None
        ]
        if len(pairs) < 2:
            return 0.0
        x, y = np.array(pairs).T
        slope = float(np.linalg.lstsq(x[:, None], y, rcond=None)[0][0])
        return min(max(slope, 0.0), 1.0)

    def point_forecasts(self, horizons: int) -> dict[str, list[float]]:
        trend, weight = self.trend(), self.weight()
        forecasts = {}
        for sid, series in self.data.items():
            if self.origin not in series or series[self.origin] <= 0:
                continue
            recent = self.recent_difference(series, self.origin) if sid != NATIONAL else 0.0
            # a difference fades as it has faded: w of it the next year, w^2 the year after, ...
            faded = [sum(weight**k for k in range(1, h + 1)) for h in range(1, horizons + 1)]
            forecasts[sid] = [
                series[self.origin] * math.exp(h * trend + f * (recent or 0.0))
                for h, f in zip(range(1, horizons + 1), faded, strict=True)
            ]
        return forecasts


def _record(data: Mapping[str, Series], origin: int, horizons: int) -> dict[int, list[float]]:
    """The method's log errors at each horizon, from every earlier origin the file can check."""
    errors: dict[int, list[float]] = {h: [] for h in range(1, horizons + 1)}
    first = min(y for s in data.values() for y in s)
    for earlier in range(first + 1, origin):
        for sid, forecasts in _Origin(data, earlier).point_forecasts(horizons).items():
            for h, forecast in enumerate(forecasts, start=1):
                actual = data[sid].get(earlier + h)
                if earlier + h <= origin and actual and actual > 0 and sid != NATIONAL:
                    # to 12 places: a series that grew exactly as forecast has no error, not a rounding one
                    errors[h].append(round(math.log(actual / forecast), 12))
    return errors


def _spread(errors: dict[int, list[float]], horizons: int) -> tuple[np.ndarray, np.ndarray]:
    """Each horizon's robust standard deviation, fitted as h * shock + h^2 * drift, and the pooled
    standardised errors of the record."""
    checked = {h: np.array(e) for h, e in errors.items() if len(e) >= 10}
    if not checked:
        raise ValueError("the file has too little history to judge the method by: two years at least")
    robust = {h: MAD_TO_SD * float(np.median(np.abs(e - np.median(e)))) for h, e in checked.items()}
    design = np.array([[h, h * h] for h in robust])
    (shock, drift), _ = nnls(design, np.array([robust[h] ** 2 for h in robust]))
    sd = np.sqrt(np.array([h * shock + h * h * drift for h in range(1, horizons + 1)]))
    standardised = np.concatenate([e / robust[h] for h, e in checked.items() if robust[h] > 0])
    return sd, standardised


def project(data: Mapping[str, Series], horizons: int = HORIZONS, seed: int = SEED) -> tuple[list[Forecast], list[str]]:
    """Forecasts of every series from the last year in the file, and notes on how they were made."""
    origin = max(y for s in data.values() for y in s)
    at_origin = _Origin(data, origin)
    notes = []
    if not at_origin.has_national:
        notes.append(f"no {NATIONAL} series for {origin}: each area follows its own trend")
    sd, standardised = _spread(_record(data, origin, horizons), horizons)
    rng = np.random.default_rng(seed)
    # a record without error (series growing exactly as forecast) has nothing to draw from
    draws = rng.choice(standardised, size=SIMULATIONS) if standardised.size else np.zeros(SIMULATIONS)
    out = []
    for sid, forecasts in sorted(at_origin.point_forecasts(horizons).items()):
        for h, forecast in enumerate(forecasts, start=1):
            simulated = forecast * np.exp(draws * sd[h - 1])
            q = np.quantile(simulated, [0.025, 0.1, 0.5, 0.9, 0.975])
            out.append(Forecast(sid, origin + h, h, forecast, q[1], q[3], q[0], q[4]))
    return out, notes
