"""The synthetic world behind the generated inbox: children, requests, plans, reviews, audits, health
referrals and pupils, simulated once with their event dates, and each source's tables as that
system would export them at the end of a period. `generator` writes them as files.

Calibration (county, against published figures): about 100,000 pupils in 300
schools; about 7,300 active plans growing about 10% a year (England 2015-2024, NAO), as flows: requests
growing 7% a year from about 1,950 a year at the first period (over a quarter of the plans in force;
England has a third), plans ceasing at the transition ages (the end of Year 11 and of Year 14, and 25) and moves
from mainstream into special schools, most at the move to secondary school; about 12,000 children
waiting for community health services.
88% of decisions within 6 weeks; 45% of plans within 20 weeks; waits
exponential with means chosen so that 35-50% of SALT and community
paediatrics waiters are past 18 weeks; persistent absence of pupils with a
plan around a third; ASD the most common primary need.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from sendboard import periods

log = logging.getLogger(__name__)

EPOCH = date(1970, 1, 1)
YEAR = 365.25


@dataclass(frozen=True)
class Scale:
    pupils: int
    schools: int
    plans: int  # active at the first period
    requests_per_year: int
    waiting: int  # children on community health waiting lists
    providers: tuple[str, ...]
    plans_as_xlsx: bool


SCALES = {
    "county": Scale(100_000, 300, 7_300, 1_950, 12_000, ("RTH", "RNU", "RWX"), True),
    "national": Scale(
        9_100_000,
        21_600,
        720_000,
        190_000,
        300_000,
        tuple(f"R{c}" for c in ("TH", "NU", "WX", "1A", "X1", "DE", "BQ", "AL", "YJ", "QM")),
        False,
    ),
    # for tests: the same shapes and formats, small enough to run end to end in seconds
    "small": Scale(3_000, 24, 220, 60, 400, ("RTH", "RNU"), True),
}

NEEDS = {
    "ASD": 0.33,
    "SLCN": 0.21,
    "SEMH": 0.15,
    "MLD": 0.09,
    "SPLD": 0.04,
    "SLD": 0.04,
    "PD": 0.035,
    "PMLD": 0.013,
    "HI": 0.015,
    "VI": 0.007,
    "MSI": 0.003,
    "DS": 0.01,
    "OTH": 0.047,
}
SCHOOL_AGE_SETTINGS = {
    "MAINSTREAM_SCHOOL": 0.42,
    "RESOURCED_PROVISION": 0.05,
    "STATE_SPECIAL": 0.34,
    "INDEPENDENT_SPECIAL": 0.09,
    "ALTERNATIVE_PROVISION": 0.02,
    "ELECTIVE_HOME_EDUCATION": 0.025,
    "OTHER": 0.05,
    "AWAITING_PLACEMENT": 0.005,
}
POST16_SETTINGS = {
    "FURTHER_EDUCATION": 0.52,
    "STATE_SPECIAL": 0.14,
    "INDEPENDENT_SPECIAL": 0.06,
    "MAINSTREAM_SCHOOL": 0.06,
    "APPRENTICESHIP_TRAINING": 0.05,
    "EMPLOYMENT": 0.04,
    "NEET": 0.06,
    "OTHER": 0.065,
    "AWAITING_PLACEMENT": 0.005,
}
# Growth and transitions (issue 31): requests grow by REQUEST_GROWTH a year. A plan may cease at the
# end of Year 11 or of Year 14 (the peaks at 16 and 19), besides at 25 and for other reasons at any
# age. A child placed in a mainstream school or resourced provision may move into a special school:
# at the move to secondary school, or at any time at a yearly rate.
REQUEST_GROWTH = 0.07
CEASE_OTHER_MEAN_YEARS = 25
CEASE_AT_END_OF_YEAR_11 = 0.10
CEASE_AT_END_OF_YEAR_14 = 0.40
TO_SPECIAL_AT_SECONDARY = 0.20
TO_SPECIAL_PER_YEAR = 0.03
TO_INDEPENDENT_SPECIAL = 0.25  # of the moves into special schools
STATE_SCHOOL_SETTINGS = ("MAINSTREAM_SCHOOL", "RESOURCED_PROVISION", "STATE_SPECIAL", "ALTERNATIVE_PROVISION")
REQUEST_SOURCES = {
    "PARENT": 0.45,
    "SCHOOL": 0.30,
    "EARLY_YEARS": 0.08,
    "HEALTH": 0.07,
    "SOCIAL_CARE": 0.04,
    "YOUNG_PERSON": 0.03,
    "OTHER": 0.03,
}
# service: (share of the waiting list, mean wait in days)
SERVICES = {
    "SALT": (0.30, 150),
    "COMMUNITY_PAEDIATRICS": (0.20, 150),
    "NEURODEVELOPMENTAL": (0.25, 420),
    "CAMHS": (0.12, 110),
    "OCCUPATIONAL_THERAPY": (0.07, 100),
    "PHYSIOTHERAPY": (0.06, 70),
}
K_NEEDS = {
    "SLCN": 0.24,
    "SEMH": 0.20,
    "MLD": 0.17,
    "SPLD": 0.13,
    "ASD": 0.10,
    "NSA": 0.06,
    "PD": 0.02,
    "HI": 0.02,
    "VI": 0.01,
    "OTH": 0.05,
}
RATINGS = {"OUTSTANDING": 0.05, "GOOD": 0.63, "REQUIRES_IMPROVEMENT": 0.24, "INADEQUATE": 0.08}
SCHOOL_WORDS = (
    "Ash",
    "Beech",
    "Cherwell",
    "Windrush",
    "Thames",
    "Evenlode",
    "Kingfisher",
    "Larkrise",
    "Meadow",
    "Oakwood",
    "Riverside",
    "Willow",
    "Chiltern",
    "Cotswold",
    "Harcourt",
    "Marlborough",
)
SAINTS = ("St Mary\u2019s", "St John\u2019s", "St Joseph\u2019s", "St Andrew\u2019s", "St Edmund\u2019s")


def _days(d: date) -> int:
    return (d - EPOCH).days


def _choice(rng: np.random.Generator, table: dict, n: int) -> np.ndarray:
    keys = np.array(list(table))
    p = np.array(list(table.values()), dtype=float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def _mixture_delay(
    rng: np.random.Generator, n: int, fast_share: float | np.ndarray, fast: tuple[int, int], slow: tuple[int, int]
) -> np.ndarray:
    fast_days = rng.integers(fast[0], fast[1] + 1, n)
    slow_days = rng.integers(slow[0], slow[1] + 1, n)
    return np.where(rng.random(n) < fast_share, fast_days, slow_days)


def _nhs_numbers(start: int, n: int) -> np.ndarray:
    """Unique valid NHS numbers (modulus 11): nine-digit bases spaced 3 apart, bumped past check digit 10."""
    base = 400_000_000 + start * 3 + np.arange(n, dtype=np.int64) * 3
    for _ in range(3):
        digits = (base[:, None] // (10 ** np.arange(8, -1, -1))) % 10
        check = (11 - (digits * np.arange(10, 1, -1)).sum(axis=1) % 11) % 11
        bad = check == 10
        if not bad.any():
            break
        base = np.where(bad, base + 1, base)
    return np.char.add(base.astype(str), check.astype(str))


def _upns(rng: np.random.Generator, start: int, n: int) -> np.ndarray:
    """Unique UPN-shaped values: a letter, 11 digits (an LA code and a serial), a digit or letter."""
    letters = np.array(list("ABCDEFGHJKLMNPQRTUVWXYZ"))
    tail = np.array(list("0123456789ABCDEFGHJKLMNPQRTUVWXYZ"))
    serial = np.char.zfill((start + np.arange(n)).astype(str), 8)
    body = np.char.add("931", serial)
    return np.char.add(
        np.char.add(letters[rng.integers(0, len(letters), n)], body), tail[rng.integers(0, len(tail), n)]
    )


def _nc_year(birth_days: np.ndarray, at: date) -> np.ndarray:
    """National curriculum year at one date for each date of birth, as codes."""
    return _nc_year_at_each(birth_days, np.full(len(birth_days), _days(at)))


def _age_years(birth_days: np.ndarray, at_days: int) -> np.ndarray:
    return (at_days - birth_days) / YEAR


class World:
    """Every record the partners' systems will ever hold over the generated range."""

    def __init__(self, scale: Scale, start: str, months: int, seed: int):
        self.scale, self.start, self.months = scale, start, months
        self.rng = np.random.default_rng(seed)
        # the health referrals draw from a generator of their own, so the plans' flows can change
        # without moving the waiting lists' planted trend
        self.health_rng = np.random.default_rng([seed, 1])
        self.first_end = _days(periods.last_day(start))
        self.last_end = _days(periods.last_day(periods.shift(start, months - 1)))
        # The case-management system holds three years of history before the first period.
        self.history_start = _days(periods.first_day(periods.shift(start, -36)))
        # Three changes the board should see in a long sample (statistical process control): a new
        # casework team decides faster from month 13 (an improving shift), community health waits
        # lengthen month by month from month 7 (a deteriorating trend), and one batch of plan audits in
        # month 18 is rated poorly (an astronomical month). A range of up to 6 months is untouched.
        self.faster_decisions_from = _days(periods.first_day(periods.shift(start, 12)))
        self.longer_waits_from = _days(periods.first_day(periods.shift(start, 6)))
        self.poor_audits_month = periods.shift(start, 17)
        self._next_person = 0
        self._schools()
        self._requests()
        self._plans()
        self._reviews()
        self._audits()
        self._referrals()
        self._pupils()

    def _people(self, n: int) -> dict[str, np.ndarray]:
        first = self._next_person
        self._next_person += n
        rng = self.rng
        return {
            "person_id": np.char.add("P", np.char.zfill((first + np.arange(n)).astype(str), 8)),
            "upn": _upns(rng, first, n),
            "nhs_number": _nhs_numbers(first, n),
        }

    def _schools(self) -> None:
        rng, n = self.rng, self.scale.schools
        kinds = rng.choice(7, size=n, p=[0.73, 0.125, 0.01, 0.015, 0.015, 0.06, 0.045])
        school_type = np.array(["MAINSTREAM"] * 5 + ["SPECIAL", "ALTERNATIVE_PROVISION"])[kinds]
        phase = np.array(
            ["PRIMARY", "SECONDARY", "NURSERY", "ALL_THROUGH", "SIXTEEN_PLUS", "ALL_THROUGH", "SECONDARY"]
        )[kinds]
        words = np.array(SCHOOL_WORDS)[rng.integers(0, len(SCHOOL_WORDS), n)]
        saints = np.array(SAINTS)[rng.integers(0, len(SAINTS), n)]
        suffix = np.array(
            [
                " Primary School",
                " Academy",
                " Nursery School",
                " School",
                " Sixth Form College",
                " Special School",
                " Learning Centre",
            ]
        )[kinds]
        name = np.where(
            (kinds == 0) & (rng.random(n) < 0.3),
            np.char.add(saints, " C of E Primary School"),
            np.char.add(words, suffix),
        )
        self.schools = pd.DataFrame(
            {
                "urn": (100000 + rng.choice(800000, n, replace=False)).astype(str),
                "school_name": name,
                "school_type": school_type,
                "phase": phase,
            }
        )
        self.primary_urns = self.schools.urn[np.isin(kinds, [0, 3])].to_numpy()
        self.secondary_urns = self.schools.urn[np.isin(kinds, [1, 3])].to_numpy()
        self.special_urns = self.schools.urn[kinds == 5].to_numpy()
        self.ap_urns = self.schools.urn[kinds == 6].to_numpy()

    def _requests(self) -> None:
        rng = self.rng
        # a rate of requests_per_year * g**t at t years from the first period, drawn by its inverse CDF
        g = np.log1p(REQUEST_GROWTH) / YEAR
        t0, t1 = self.history_start - self.first_end, self.last_end - self.first_end
        n = int(self.scale.requests_per_year / YEAR * (np.exp(g * t1) - np.exp(g * t0)) / g)
        u = rng.random(n)
        received = np.sort(
            self.first_end + np.floor(np.log(np.exp(g * t0) + u * (np.exp(g * t1) - np.exp(g * t0))) / g)
        ).astype(np.int64)
        people = self._people(n)
        birth = received - (rng.uniform(2, 17.5, n) * YEAR).astype(int)
        decision = _choice(rng, {"ASSESS": 0.76, "NOT_ASSESS": 0.20, "WITHDRAWN": 0.04}, n)
        fast_share = np.where(received >= self.faster_decisions_from, 0.97, 0.88)
        decision_date = received + _mixture_delay(rng, n, fast_share, (14, 42), (43, 84))
        assessed = decision == "ASSESS"
        outcome = np.where(assessed, _choice(rng, {"PLAN": 0.88, "NO_PLAN": 0.10, "WITHDRAWN": 0.02}, n), "")
        plan_delay = _mixture_delay(rng, n, 0.45, (90, 140), (141, 280))
        outcome_date = np.where(outcome == "PLAN", received + plan_delay, received + rng.integers(84, 141, n))
        outcome_date = np.maximum(outcome_date, decision_date)
        self.requests = pd.DataFrame(
            {
                "request_id": np.char.add("REQ", np.char.zfill(np.arange(1, n + 1).astype(str), 7)),
                **people,
                "birth": birth,
                "received": received,
                "request_source": _choice(rng, REQUEST_SOURCES, n),
                "decision": decision,
                "decision_day": decision_date,
                "outcome": outcome,
                "outcome_day": outcome_date,
                "exception_20wk": np.where(rng.random(n) < 0.07, "Y", "N"),
                "has_upn": rng.random(n) < 0.93,
                "has_nhs": rng.random(n) < 0.85,
            }
        )

    def _plans(self) -> None:
        rng = self.rng
        # Stock active three years before the first period, sized so that with the plans issued from
        # requests and the plans ceasing, the first period has about `scale.plans` active (measured).
        legacy_n = int(self.scale.plans / 1.45)
        people = self._people(legacy_n)
        age_at_history = np.where(
            rng.random(legacy_n) < 0.78, rng.uniform(3, 15.5, legacy_n), rng.uniform(15.5, 22, legacy_n)
        )
        birth = self.history_start - (age_at_history * YEAR).astype(int)
        start = np.maximum(birth + int(2 * YEAR), self.history_start - rng.integers(1, 12 * 365, legacy_n))
        legacy = pd.DataFrame(
            {
                **people,
                "birth": birth,
                "start": start.astype(np.int64),
                "has_upn": rng.random(legacy_n) < 0.97,
                "has_nhs": rng.random(legacy_n) < 0.9,
            }
        )
        issued = self.requests[self.requests.outcome == "PLAN"]
        new = pd.DataFrame(
            {c: issued[c].to_numpy() for c in ("person_id", "upn", "nhs_number", "birth", "has_upn", "has_nhs")}
        )
        new["start"] = issued.outcome_day.to_numpy()
        plans = pd.concat([legacy, new], ignore_index=True)
        n = len(plans)
        earliest_cease = np.maximum(plans.start.to_numpy(), self.history_start) + 1
        cease = earliest_cease + (rng.exponential(CEASE_OTHER_MEAN_YEARS * YEAR, n)).astype(np.int64)
        reason = _choice(
            rng, {"OUTCOMES_ACHIEVED": 0.3, "MOVED_AWAY": 0.35, "NEEDS_MET_WITHOUT_PLAN": 0.15, "OTHER": 0.2}, n
        )
        birth = plans.birth.to_numpy()
        # the transitions: the end of the summer term of Year 11 and of Year 14, and the 25th birthday
        end_of_year_11 = _end_of_nc_year(birth, 11) + rng.integers(-20, 40, n)
        end_of_year_14 = _end_of_nc_year(birth, 14) + rng.integers(-20, 40, n)
        aged_out = birth + int(25 * YEAR) + rng.integers(0, 300, n)
        at_transition = np.select(
            [rng.random(n) < CEASE_AT_END_OF_YEAR_11, rng.random(n) < CEASE_AT_END_OF_YEAR_14],
            [end_of_year_11, end_of_year_14],
            aged_out,
        )
        # a plan already past its transition when it starts (issued at 17, say) runs on to 25
        at_transition = np.where(at_transition < earliest_cease, aged_out, at_transition)
        transition_reason = np.where(at_transition == end_of_year_11, "NEEDS_MET_WITHOUT_PLAN", "EDUCATION_ENDED")
        reason = np.where(at_transition < cease, transition_reason, reason)
        plans["cease"] = np.minimum(cease, np.maximum(at_transition, earliest_cease))
        plans["cease_reason"] = reason
        plans["plan_id"] = np.char.add("EHCP", np.char.zfill(np.arange(1, n + 1).astype(str), 7))
        plans["primary_need"] = _choice(rng, NEEDS, n)
        plans["setting_u"] = rng.random(n)
        # the day a child placed in mainstream or resourced provision would move into a special school
        to_special_at_secondary = np.where(
            rng.random(n) < TO_SPECIAL_AT_SECONDARY, _end_of_nc_year(birth, 6) + 32, np.iinfo(np.int64).max // 2
        )
        to_special_any_time = plans.start.to_numpy() + rng.exponential(YEAR / TO_SPECIAL_PER_YEAR, n).astype(np.int64)
        plans["to_special_day"] = np.minimum(to_special_at_secondary, to_special_any_time)
        plans["to_independent_special"] = rng.random(n) < TO_INDEPENDENT_SPECIAL
        plans["lost_reviews"] = rng.random(n) < 0.015  # plans whose reviews stop: the overdue tail
        plans["school_urn_u"] = rng.random(n)
        self.plans = plans

    def _reviews(self) -> None:
        rng = self.rng
        p = self.plans
        rows = []
        max_k = int((self.last_end - p.start.min()) / 365) + 1
        for k in range(1, max_k + 1):
            meeting = p.start.to_numpy() + k * 365 + rng.integers(-30, 21, len(p))
            keep = (meeting < p.cease.to_numpy()) & (meeting <= self.last_end) & (meeting >= self.history_start)
            keep &= ~(p.lost_reviews.to_numpy() & (meeting > self.first_end - 400))
            if not keep.any():
                continue
            idx = np.nonzero(keep)[0]
            rows.append(pd.DataFrame({"plan_index": idx, "k": k, "meeting": meeting[idx]}))
        reviews = pd.concat(rows, ignore_index=True)
        n = len(reviews)
        reviews["review_id"] = np.char.add(
            np.char.add(p.plan_id.to_numpy()[reviews.plan_index], "-R"), reviews.k.astype(str).to_numpy().astype(str)
        )
        reviews["decision"] = _choice(rng, {"MAINTAIN": 0.6, "AMEND": 0.35, "CEASE": 0.05}, n)
        reviews["decision_day"] = reviews.meeting + _mixture_delay(rng, n, 0.66, (3, 28), (29, 70))
        reviews["child_views"] = np.where(rng.random(n) < 0.88, "Y", "N")
        reviews["pfa_u"] = rng.random(n)
        self.reviews = reviews

    def _audits(self) -> None:
        rng = self.rng
        p = self.plans
        rows = []
        for period in periods.span(
            periods.of(date.fromordinal(EPOCH.toordinal() + self.history_start)),
            periods.shift(self.start, self.months - 1),
        ):
            first, last = _days(periods.first_day(period)), _days(periods.last_day(period))
            active = np.nonzero((p.start.to_numpy() <= first) & (p.cease.to_numpy() > last))[0]
            n = int(round(len(active) * 0.0035))
            chosen = rng.choice(active, size=n, replace=False)
            rows.append(pd.DataFrame({"plan_index": chosen, "audit_day": rng.integers(first, last + 1, n)}))
        audits = pd.concat(rows, ignore_index=True)
        n = len(audits)
        audits["audit_id"] = np.char.add("AUD", np.char.zfill(np.arange(1, n + 1).astype(str), 7))
        audits["rating"] = _choice(rng, RATINGS, n)
        # the poorly rated batch: most good ratings of that month become "requires improvement" (drawn
        # from a generator of its own, so the rest of the world is the same with or without it)
        first, last = (_days(d(self.poor_audits_month)) for d in (periods.first_day, periods.last_day))
        in_batch = (
            (audits.audit_day >= first) & (audits.audit_day <= last) & audits.rating.isin(["GOOD", "OUTSTANDING"])
        )
        downgraded = in_batch & (np.random.default_rng(int(self.poor_audits_month.replace("-", ""))).random(n) < 0.7)
        audits.loc[downgraded, "rating"] = "REQUIRES_IMPROVEMENT"
        audits["multi_agency"] = np.where(rng.random(n) < 0.4, "Y", "")
        self.audits = audits

    def _referrals(self) -> None:
        rng = self.rng
        frames = []
        window_start = self.first_end - 6 * 365  # long enough for the ND waiting list to be in steady state
        for service, (share, mean_wait) in SERVICES.items():
            per_day = self.scale.waiting * share / mean_wait
            n = int(per_day * (self.last_end - window_start))
            referred = rng.integers(window_start, self.last_end + 1, n)
            urgent = rng.random(n) < 0.08
            # waits grow by 6% for each month a referral is made after longer_waits_from
            months_late = np.maximum(referred - self.longer_waits_from, 0) / 30.4
            mean = np.where(urgent, mean_wait / 4, mean_wait) * 1.06**months_late
            wait = rng.exponential(mean).astype(np.int64)
            removed = rng.random(n) < 0.1
            frames.append(
                pd.DataFrame(
                    {
                        "service": service,
                        "referred": referred,
                        "priority": np.where(urgent, "URGENT", "ROUTINE"),
                        "closed": referred + np.maximum(wait, 1),
                        "removed": removed,
                    }
                )
            )
        refs = pd.concat(frames, ignore_index=True).sort_values("referred", kind="stable").reset_index(drop=True)
        n = len(refs)
        # 30% of referrals are for children with a plan (the same NHS number links the sources)
        linked = rng.random(n) < 0.3
        plan_nhs = self.plans.nhs_number.to_numpy()[rng.integers(0, len(self.plans), n)]
        own = self._people(n)
        refs["nhs_number"] = np.where(linked, plan_nhs, own["nhs_number"])
        refs["birth"] = refs.referred - (rng.uniform(0.5, 17.5, n) * YEAR).astype(int)
        refs["referral_id"] = np.char.add("RF", np.char.zfill(np.arange(1, n + 1).astype(str), 9))
        refs["provider_code"] = np.array(self.scale.providers)[rng.integers(0, len(self.scale.providers), n)]
        self.referrals = refs

    def _pupils(self) -> None:
        """A stable population of children of school age over the range, with plan holders added per census."""
        rng = self.rng
        first_census_year = periods.parse(self.start)[0] - 1
        last_year = periods.parse(periods.shift(self.start, self.months - 1))[0]
        cohorts = np.arange(first_census_year - 19, last_year - 3)  # anyone in R..13 at some census
        per_cohort = self.scale.pupils / 13.0
        n = int(per_cohort * len(cohorts))
        cohort = rng.choice(cohorts, n)
        birth = np.array([_days(date(int(c), 9, 1)) for c in cohorts])[np.searchsorted(cohorts, cohort)] + rng.integers(
            0, 365, n
        )
        people = self._people(n)
        self.pupils = pd.DataFrame(
            {
                "upn": people["upn"],
                "birth": birth,
                "sixth_form": rng.random(n) < 0.45,
                "primary_urn": self.primary_urns[rng.integers(0, len(self.primary_urns), n)],
                "secondary_urn": self.secondary_urns[rng.integers(0, len(self.secondary_urns), n)],
                "sen_support": rng.random(n) < 0.136,
                "k_need": _choice(rng, K_NEEDS, n),
                "fsm": rng.random(n) < 0.24,
            }
        )

    # ---- extracts ---------------------------------------------------------------------------------

    def case_management(self, period: str) -> dict[str, pd.DataFrame]:
        end = _days(periods.last_day(period))
        end_date = periods.last_day(period)
        r = self.requests[self.requests.received <= end]
        decided = r.decision_day <= end
        outcome_known = decided & (r.outcome != "") & (r.outcome_day <= end)
        requests = pd.DataFrame(
            {
                "request_id": r.request_id,
                "person_id": r.person_id,
                "upn": np.where(r.has_upn, r.upn, ""),
                "nhs_number": np.where(r.has_nhs, r.nhs_number, ""),
                "date_of_birth": _dates(r.birth),
                "received_date": _dates(r.received),
                "request_source": r.request_source,
                "decision": np.where(decided, r.decision, ""),
                "decision_date": _dates(r.decision_day, decided),
                "assessment_outcome": np.where(outcome_known, r.outcome, ""),
                "assessment_outcome_date": _dates(r.outcome_day, outcome_known),
                "plan_issued_date": _dates(r.outcome_day, outcome_known & (r.outcome == "PLAN")),
                "exception_20wk": r.exception_20wk,
            }
        )
        assessed = r[decided & (r.decision == "ASSESS")]
        advice = []
        for number, advice_type in enumerate(("HEALTH", "SOCIAL_CARE", "EDUCATIONAL_PSYCHOLOGY", "EDUCATION"), 1):
            # per-request delays drawn from a generator seeded by the request, so every extract agrees
            seed = assessed.request_id.str[3:].astype(np.int64).to_numpy() * 7 + number
            requested = assessed.decision_day.to_numpy() + seed % 4
            fast_share = 0.62 if advice_type == "HEALTH" else 0.8
            u = (seed * 2654435761 % 1000) / 1000
            delay = np.where(u < fast_share, 10 + seed % 33, 43 + seed % 58)
            received = requested + delay
            known = requested <= end
            advice.append(
                pd.DataFrame(
                    {
                        "advice_id": assessed.request_id.to_numpy()[known] + f"-A{number}",
                        "request_id": assessed.request_id.to_numpy()[known],
                        "advice_type": advice_type,
                        "requested_date": _dates(requested[known]),
                        "received_date": _dates(received[known], received[known] <= end),
                    }
                )
            )
        advice = pd.concat(advice, ignore_index=True).sort_values("advice_id")

        p = self.plans[self.plans.start <= end]
        ceased = p.cease.to_numpy() <= end
        age = _age_years(p.birth.to_numpy(), end)
        setting = np.where(age < 4.5, "EARLY_YEARS", _settings(p, end))
        urn = np.where(
            np.isin(setting, ["STATE_SPECIAL", "INDEPENDENT_SPECIAL"]),
            _pick(self.special_urns, p.school_urn_u.to_numpy()),
            np.where(
                np.isin(setting, ["MAINSTREAM_SCHOOL", "RESOURCED_PROVISION"]),
                _pick(np.concatenate([self.primary_urns, self.secondary_urns]), p.school_urn_u.to_numpy()),
                np.where(setting == "ALTERNATIVE_PROVISION", _pick(self.ap_urns, p.school_urn_u.to_numpy()), ""),
            ),
        )
        plans = pd.DataFrame(
            {
                "plan_id": p.plan_id,
                "person_id": p.person_id,
                "upn": np.where(p.has_upn, p.upn, ""),
                "nhs_number": np.where(p.has_nhs, p.nhs_number, ""),
                "date_of_birth": _dates(p.birth),
                "start_date": _dates(p.start),
                "ceased_date": _dates(p.cease, ceased),
                "cease_reason": np.where(ceased, p.cease_reason, ""),
                "primary_need": p.primary_need,
                "setting_type": setting,
                "setting_urn": urn,
                "nc_year": _nc_year(p.birth.to_numpy(), end_date),
            }
        )
        v = self.reviews[self.reviews.meeting <= end]
        plan_births = self.plans.birth.to_numpy()[v.plan_index]
        nc = _nc_year_at_each(plan_births, v.meeting.to_numpy())
        decided = v.decision_day.to_numpy() <= end
        pfa_year = np.isin(nc, [str(y) for y in range(9, 15)])
        reviews = pd.DataFrame(
            {
                "review_id": v.review_id,
                "plan_id": self.plans.plan_id.to_numpy()[v.plan_index],
                "meeting_date": _dates(v.meeting),
                "nc_year": nc,
                "decision": np.where(decided, v.decision, ""),
                "decision_date": _dates(v.decision_day, decided),
                "child_views_recorded": v.child_views,
                "pfa_outcomes_recorded": np.where(
                    pfa_year, np.where(v.pfa_u < 0.8, "Y", "N"), np.where(v.pfa_u < 0.2, "Y", "N")
                ),
            }
        )
        a = self.audits[self.audits.audit_day <= end]
        audits = pd.DataFrame(
            {
                "audit_id": a.audit_id,
                "plan_id": self.plans.plan_id.to_numpy()[a.plan_index],
                "audit_date": [date.fromordinal(EPOCH.toordinal() + int(d)) for d in a.audit_day],
                "rating": a.rating,
                "multi_agency": a.multi_agency,
            }
        )
        return {
            "requests": requests,
            "advice": advice,
            "plans": plans,
            "annual_reviews": reviews,
            "plan_audits": audits,
        }

    def health_waiting_lists(self, period: str) -> dict[str, pd.DataFrame]:
        end = _days(periods.last_day(period))
        r = self.referrals
        # the system keeps open referrals and those closed in the last year
        r = r[(r.referred <= end) & ((r.closed > end) | (r.closed > end - 365))]
        closed = r.closed.to_numpy() <= end
        contact = closed & ~r.removed.to_numpy()
        removed = closed & r.removed.to_numpy()
        # one referral in ten has its NHS number written with spaces, as people type them
        nhs = r.nhs_number.to_numpy().astype(str)
        spaced = pd.Series(nhs).str.replace(r"^(\d{3})(\d{3})(\d{4})$", r"\1 \2 \3", regex=True).to_numpy()
        formatted = np.where(r.referral_id.str[-1:].isin(["7"]).to_numpy(), spaced, nhs)
        referrals = pd.DataFrame(
            {
                "referral_id": r.referral_id,
                "nhs_number": formatted,
                "date_of_birth": _dates(r.birth),
                "provider_code": r.provider_code,
                "service": r.service,
                "priority": r.priority,
                "referral_date": _dates(r.referred),
                "first_contact_date": _dates(r.closed, contact),
                "removed_date": _dates(r.closed, removed),
            }
        )
        return {"referrals": referrals}

    def school_census(self, period: str) -> dict[str, pd.DataFrame]:
        census_day = periods.last_day(period)
        end = _days(census_day)
        rng = np.random.default_rng(int(period.replace("-", "")))
        pupils = self.pupils
        nc = _nc_year(pupils.birth.to_numpy(), census_day)
        year = pd.to_numeric(pd.Series(nc).replace({"N1": -2, "N2": -1, "R": 0, "": 99}), errors="coerce")
        on_roll = ((year >= 0) & (year <= 11)) | ((year >= 12) & (year <= 13) & pupils.sixth_form.to_numpy())
        base = pupils[on_roll.to_numpy()]
        base_year = year[on_roll].to_numpy()
        base_frame = pd.DataFrame(
            {
                "upn": base.upn.to_numpy(),
                "school_urn": np.where(base_year <= 6, base.primary_urn, base.secondary_urn),
                "birth": base.birth.to_numpy(),
                "nc_year": nc[on_roll.to_numpy()],
                "sen_provision": np.where(base.sen_support, "K", "N"),
                "primary_sen_type": np.where(base.sen_support, base.k_need, ""),
                "fsm": base.fsm.to_numpy(),
            }
        )
        # children with a plan active on census day and placed in a state school are on roll with E
        p = self.plans
        active = (p.start.to_numpy() <= end) & (p.cease.to_numpy() > end)
        setting = _settings(p, end)
        plan_nc = _nc_year(p.birth.to_numpy(), census_day)
        in_school = (
            active & np.isin(setting, STATE_SCHOOL_SETTINGS) & np.isin(plan_nc, ["R"] + [str(y) for y in range(1, 14)])
        )
        e = p[in_school]
        e_setting = setting[in_school]
        need = np.where(e.primary_need == "DS", "OTH", e.primary_need)
        special = np.isin(e_setting, ["STATE_SPECIAL"])
        urn = np.where(
            special,
            _pick(self.special_urns, e.school_urn_u.to_numpy()),
            np.where(
                e_setting == "ALTERNATIVE_PROVISION",
                _pick(self.ap_urns, e.school_urn_u.to_numpy()),
                _pick(np.concatenate([self.primary_urns, self.secondary_urns]), e.school_urn_u.to_numpy()),
            ),
        )
        # a plan holder without a UPN in the case-management system still has one in the census
        census_upn = np.where(e.has_upn, e.upn, np.char.replace(e.upn.to_numpy().astype(str), "931", "932", 1))
        e_frame = pd.DataFrame(
            {
                "upn": census_upn,
                "school_urn": urn,
                "birth": e.birth.to_numpy(),
                "nc_year": plan_nc[in_school],
                "sen_provision": "E",
                "primary_sen_type": need,
                "fsm": rng.random(len(e)) < 0.35,
            }
        )
        # about 1% more pupils with a plan maintained by another local authority (no match expected)
        other_n = int(len(e_frame) * 0.012)
        other = base_frame.sample(n=other_n, random_state=int(period.replace("-", ""))).assign(
            sen_provision="E", primary_sen_type="ASD"
        )
        base_frame = base_frame[~base_frame.upn.isin(other.upn)]
        census = pd.concat([base_frame, other, e_frame], ignore_index=True)
        n = len(census)
        sen = census.sen_provision.to_numpy()
        median_absence = np.select([sen == "E", sen == "K"], [0.07, 0.055], 0.04)
        absence = np.minimum(np.exp(np.log(median_absence) + rng.normal(0, 0.8, n)), 1)
        possible = np.where(rng.random(n) < 0.01, 0, rng.integers(110, 141, n))
        suspension_rate = np.select([sen == "E", sen == "K"], [0.12, 0.10], 0.02)
        excluded_rate = np.where(sen == "N", 0.0001, 0.0005)
        pupils_out = pd.DataFrame(
            {
                "upn": census.upn,
                "school_urn": census.school_urn,
                "date_of_birth": _dates(census.birth),
                "nc_year": census.nc_year,
                "sen_provision": sen,
                "primary_sen_type": census.primary_sen_type,
                "fsm_eligible": np.where(census.fsm, "Y", "N"),
                "sessions_possible": possible,
                "sessions_missed": np.floor(possible * absence).astype(int),
                "suspensions": rng.poisson(suspension_rate),
                "permanently_excluded": np.where(rng.random(n) < excluded_rate, "Y", ""),
            }
        )
        return {"schools": self.schools, "pupils": pupils_out}


def _nc_year_at_each(birth_days: np.ndarray, at_days: np.ndarray) -> np.ndarray:
    """National curriculum year at each date (cohort born Sep..Aug; 0 = Reception), as codes."""
    birth = pd.to_datetime(birth_days, unit="D")
    at = pd.to_datetime(at_days, unit="D")
    cohort = birth.year.to_numpy() - (birth.month.to_numpy() < 9)
    academic_year = at.year.to_numpy() - (at.month.to_numpy() < 9)
    year = academic_year - cohort - 5
    codes = np.full(len(year), "", dtype=object)
    codes[year == -2], codes[year == -1], codes[year == 0] = "N1", "N2", "R"
    school = (year >= 1) & (year <= 14)
    codes[school] = year[school].astype(str)
    return codes


def _end_of_nc_year(birth_days: np.ndarray, year: int) -> np.ndarray:
    """The 31 July that ends national curriculum year `year` (0 = Reception) of each date of birth."""
    birth = pd.to_datetime(birth_days, unit="D")
    cohort = birth.year.to_numpy() - (birth.month.to_numpy() < 9)
    ends = pd.to_datetime({"year": cohort + 6 + year, "month": 7, "day": 31})
    return ((ends - pd.Timestamp(EPOCH)).dt.days).to_numpy(dtype=np.int64)


def _settings(plans: pd.DataFrame, at_day: int) -> np.ndarray:
    """Each plan's setting at a day: fixed per plan by its uniform, by age (school age, post-16), with
    the move from mainstream or resourced provision into a special school once its day has come."""
    u = plans.setting_u.to_numpy()
    age = _age_years(plans.birth.to_numpy(), at_day)
    school = _choice_fixed(SCHOOL_AGE_SETTINGS, u)
    special = np.where(plans.to_independent_special.to_numpy(), "INDEPENDENT_SPECIAL", "STATE_SPECIAL")
    moved = np.isin(school, ["MAINSTREAM_SCHOOL", "RESOURCED_PROVISION"]) & (plans.to_special_day.to_numpy() <= at_day)
    school = np.where(moved, special, school)
    return np.where(age < 16, school, _choice_fixed(POST16_SETTINGS, u))


def _choice_fixed(table: dict, u: np.ndarray) -> np.ndarray:
    """Deterministic choice from a fixed uniform per record, so a plan keeps its setting month to month."""
    keys = np.array(list(table))
    cdf = np.cumsum(np.array(list(table.values()), dtype=float))
    return keys[np.minimum(np.searchsorted(cdf / cdf[-1], u, side="right"), len(keys) - 1)]


def _pick(values: np.ndarray, u: np.ndarray) -> np.ndarray:
    return values[np.minimum((u * len(values)).astype(int), len(values) - 1)]


def _dates(days, mask=None) -> np.ndarray:
    """ISO date strings from epoch days; empty where mask is false."""
    days = np.asarray(days, dtype=np.int64)
    text = days.astype("datetime64[D]").astype(str).astype(object)
    if mask is not None:
        text = np.where(np.asarray(mask), text, "")
    return text
