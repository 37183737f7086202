"""New plans in the near term, from the pipeline the warehouse holds at the origin: requests not yet
decided and assessments not yet concluded, at the conversion rates and times to issue observed.

From the origin's extract of requests only (never a later one):
- the cohort received 12 to 24 months before the origin's month end, which has mostly concluded, gives:
  - the share of requests that became a plan, from receipt and from a decision to assess;
  - the distribution of whole months from receipt to the plan's issue;
- each request open at the origin (undecided, or being assessed), received `a` months before it, issues
  in projected month k with probability share x P(issue at a + k) / P(not issued by a).

The model's arrivals in projected month k are then those pipeline plans, plus the plans of requests
still to come, at the observed monthly rate of new plans times the share of them that issue within k
months of their request (the distribution's cumulative share). In a steady state the two add up to
the observed rate: the pipeline matters when it is fuller or emptier than usual.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

REQUESTS = "staging.stg_case_management__requests"
MAX_MONTHS = 24


@dataclass(frozen=True)
class Pipeline:
    expected: np.ndarray  # (months,) plans expected to issue from open requests in projected month k
    issued_within: np.ndarray  # (months,) share of a request's plans issued within k months of it
    open_requests: int


def months_to_issue(waits: list[int]) -> np.ndarray:
    """The distribution of whole months from request to issue, 0..MAX_MONTHS - 1 (longer ones last).

    >>> months_to_issue([4, 4, 5, 30]).round(2)[3:7].tolist()
    [0.0, 0.5, 0.25, 0.0]
    """
    pmf = np.zeros(MAX_MONTHS)
    for wait in waits:
        pmf[min(max(wait, 0), MAX_MONTHS - 1)] += 1
    return pmf / pmf.sum() if pmf.sum() else pmf


def expected_from_open(pmf: np.ndarray, share_by_open: list[tuple[int, float]], months: int) -> np.ndarray:
    """Plans expected in projected months 1..months from open requests: (months since received, share)
    each. A request open `a` months issues in month k with share x pmf[a + k] / P(wait > a).

    >>> expected_from_open(np.array([0, 0, 0.5, 0.5] + [0] * 20), [(1, 0.8)], 3).round(2).tolist()
    [0.4, 0.4, 0.0]
    """
    expected = np.zeros(months)
    survival = 1 - np.concatenate([[0.0], np.cumsum(pmf)])  # survival[a] = P(wait >= a)
    for age, share in share_by_open:
        age = min(age, MAX_MONTHS - 1)
        still = survival[age + 1]  # not issued by the end of month `age`
        if still <= 0:
            continue
        for k in range(1, months + 1):
            if age + k < MAX_MONTHS:
                expected[k - 1] += share * pmf[age + k] / still
    return expected


def pipeline(con, origin: str, month_end, months: int) -> Pipeline | None:
    """None when the extract has no concluded cohort to learn from."""
    cohort = con.execute(
        f"""select decision, assessment_outcome, plan_issued_date,
                   date_diff('month', received_date, plan_issued_date) as wait
            from {REQUESTS} where period = ?
              and received_date > ?::date - interval 24 month and received_date <= ?::date - interval 12 month""",
        [origin, month_end, month_end],
    ).fetchall()
    if not cohort:
        return None
    issued = [r for r in cohort if r[2] is not None]
    assessed = [r for r in cohort if r[0] == "ASSESS"]
    from_receipt = len(issued) / len(cohort)
    from_assessment = sum(1 for r in assessed if r[2] is not None) / len(assessed) if assessed else 0.0
    pmf = months_to_issue([r[3] for r in issued])
    open_rows = con.execute(
        f"""select date_diff('month', received_date, ?::date), decision from {REQUESTS}
            where period = ? and received_date <= ?::date and plan_issued_date is null
              and (decision is null or (decision = 'ASSESS' and assessment_outcome is null))""",
        [month_end, origin, month_end],
    ).fetchall()
    shares = [(age, from_assessment if decision == "ASSESS" else from_receipt) for age, decision in open_rows]
    issued_within = np.cumsum(pmf)[1 : months + 1]
    issued_within = np.concatenate([issued_within, np.ones(max(months - issued_within.size, 0))])
    return Pipeline(expected_from_open(pmf, shares, months), issued_within[:months], len(open_rows))
