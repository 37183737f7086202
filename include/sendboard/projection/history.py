"""What the flows model learns from the warehouse, honestly: a projection made at origin M reads the
extracts of M and before, never a later one (kpis.md's rule).

- the stock: plans in force at M's month end, from M's extract, by age in months, template category and
  primary need;
- the flows, from each pair of consecutive extracts P, P + 1 up to M (the last `WINDOW` pairs): a plan in
  force at P's end and not at P + 1's has ceased (at its age at P's end); one in force at both in
  another category has moved; one in force at P + 1's end and not at P's is new;
- the observed plans in force at each month end, for the track record.

Everything comes from `intermediate.int_plans_active_at_month_end` (dbt), whose rows are each
extract's own plans in force.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sendboard import periods
from sendboard.contract import PLAN_NEEDS
from sendboard.projection.categories import CATEGORIES, CATEGORY_OF_SETTING
from sendboard.projection.flows import AGE_MONTHS, GROUP_OF_YEAR, N_CATEGORIES, Rates

ACTIVE = "intermediate.int_plans_active_at_month_end"
WINDOW = 12  # a year of consecutive extracts: every month of the school year weighs once
CATEGORY_INDEX = {key: i for i, (key, _) in enumerate(CATEGORIES)}
NEED_INDEX = {need: i for i, need in enumerate(PLAN_NEEDS)}
_CATEGORY_SQL = (
    "case setting_type "
    + " ".join(f"when '{s}' then {CATEGORY_INDEX[c]}" for s, c in CATEGORY_OF_SETTING.items())
    + " end"
)
_NEED_SQL = "case primary_need " + " ".join(f"when '{n}' then {i}" for n, i in NEED_INDEX.items()) + " end"


@dataclass(frozen=True)
class Learned:
    origin: str
    stock: np.ndarray  # (AGE_MONTHS, C, N)
    rates: Rates
    pairs: int  # consecutive extracts the flows were learned from


def _cells(con, period: str) -> list[tuple[int, int, int, int]]:
    return con.execute(
        f"""select date_diff('month', birth_month, month_end) as age_months, {_CATEGORY_SQL} as category,
                   {_NEED_SQL} as need, count(*) as plans
            from {ACTIVE} where period = ? and date_diff('month', birth_month, month_end) between 0 and ?
            group by all""",
        [period, AGE_MONTHS - 1],
    ).fetchall()


def stock_at(con, period: str) -> np.ndarray:
    stock = np.zeros((AGE_MONTHS, N_CATEGORIES, len(PLAN_NEEDS)), dtype=np.int64)
    for age, category, need, plans in _cells(con, period):
        stock[age, category, need] = plans
    return stock


def periods_held(con) -> list[str]:
    return [p for (p,) in con.execute(f"select distinct period from {ACTIVE} order by period").fetchall()]


def learn(con, origin: str, trend: float, flows: dict | None = None) -> Learned:
    """The stock at `origin` and the monthly rates from the last WINDOW pairs of consecutive extracts
    up to it. `trend` is the yearly growth factor of new plans (decided by the caller: decision 0018).
    flows: each pair's counts, kept by the caller across origins (the record's origins share all but
    one of their pairs), so that each pair is read from the warehouse once."""
    flows = {} if flows is None else flows
    held = set(periods_held(con))
    pairs = [
        (periods.shift(q, -1), q)
        for q in periods.span(periods.shift(origin, -WINDOW + 1), origin)
        if q in held and periods.shift(q, -1) in held
    ]
    if not pairs:
        raise ValueError(f"no two consecutive extracts up to {origin}: nothing to learn the flows from")
    at_risk, ceased = np.zeros(26), np.zeros(26)
    moves = np.zeros((5, N_CATEGORIES, N_CATEGORIES))
    arrivals = np.zeros((26, N_CATEGORIES, len(PLAN_NEEDS)))
    for before, after in pairs:
        if (before, after) not in flows:
            flows[(before, after)] = _pair_flows(con, before, after)
        for kind, age, category, to, need, count in flows[(before, after)]:
            if kind == "new":
                arrivals[age, category, need] += count
                continue
            at_risk[age] += count
            if to is None:
                ceased[age] += count
            else:
                moves[GROUP_OF_YEAR[age], category, to] += count
    cease = np.divide(ceased, at_risk, out=np.zeros(26), where=at_risk > 0)
    stay = np.tile(np.eye(N_CATEGORIES), (5, 1, 1))
    totals = moves.sum(axis=2, keepdims=True)
    move = np.where(totals > 0, moves / np.where(totals > 0, totals, 1), stay)
    # the pairs' mean is the arrivals of the window's middle month: grown by the trend to the origin's
    at_origin = arrivals / len(pairs) * trend ** (months_to_origin(pairs, origin) / 12)
    return Learned(origin, stock_at(con, origin), Rates(cease, move, at_origin, trend), len(pairs))


def _pair_flows(con, before: str, after: str) -> list[tuple]:
    """(kind, age, category, category after, need, count) of one pair of consecutive extracts: `flow`
    rows for the plans in force before (category after null: ceased), `new` rows for those new after."""
    return con.execute(
        f"""with a as (
                    select plan_id, age_at_month_end as age, {_CATEGORY_SQL} as category from {ACTIVE}
                    where period = ?),
                b as (
                    select plan_id, age_at_month_end as age, {_CATEGORY_SQL} as category, {_NEED_SQL} as need
                    from {ACTIVE} where period = ?)
                select 'flow', least(a.age, 25), a.category, b.category, null, count(*)
                from a left join b using (plan_id) where a.age between 0 and 25 group by all
                union all
                select 'new', least(b.age, 25), b.category, null, b.need, count(*)
                from b anti join a using (plan_id) where b.age between 0 and 25 group by all""",
        [before, after],
    ).fetchall()


def months_to_origin(pairs: list[tuple[str, str]], origin: str) -> float:
    """How many months the pairs' middle month lies before the origin."""
    return sum(periods.months_between(q, origin) for _, q in pairs) / len(pairs)


def new_plans_by_month(con) -> dict[str, int]:
    """The plans new in each extract (in force at its month end, not at the month before's), for every
    extract whose month before is held: what the LA's own trend of new plans is fitted to. One pair
    of extracts at a time: a single anti-join over every month peaked at 1.8 GB nationally."""
    held = periods_held(con)
    found = {}
    for month in held:
        before = periods.shift(month, -1)
        if before not in held:
            continue
        (found[month],) = con.execute(
            f"""select count(*) from (select plan_id from {ACTIVE} where period = ?) b
                anti join (select plan_id from {ACTIVE} where period = ?) a using (plan_id)""",
            [month, before],
        ).fetchone()
    return found


def observed_totals(con) -> dict[str, int]:
    """Plans in force at each month end, from that month's own extract."""
    return dict(con.execute(f"select period, count(*) from {ACTIVE} group by period order by period").fetchall())


def observed_by_category(con, months: list[str]) -> dict[str, np.ndarray]:
    """Plans in force at each month end by category, from that month's own extract."""
    found: dict[str, np.ndarray] = {}
    for period, category, plans in con.execute(
        f"select period, {_CATEGORY_SQL}, count(*) from {ACTIVE} where period in (select unnest(?)) group by all",
        [months],
    ).fetchall():
        found.setdefault(period, np.zeros(N_CATEGORIES))[category] = plans
    return found
