"""How do we compare: England, the region, the statistical neighbours and the LA's own published
figure beside each KPI the DfE measures, from the DfE release a council brings (ingest.dfe).

The figures are the DfE's as published: a percentage the DfE publishes is taken as it is; one it
does not publish is computed from its published counts only when every count is a number (a
suppressed count, `c` or `x`, gives no value: nothing withheld is recomputed). Statistical
neighbours follow the DfE's convention: the simple mean of the neighbours that have a value, with
how many had one.

DfE establishment types (caseload.csv) against our setting types (exports.md):
- MAINSTREAM_SCHOOL and RESOURCED_PROVISION: `mainstream_total` (LA maintained, academy, free school
  and independent mainstream schools, with their resourced provision and SEN units);
- INDEPENDENT_SPECIAL: `special_independent` + `special_non_maintained`;
- NEET: `neet` (not in employment, education or training).
The DfE's denominator is every plan (all settings); ours is plans in school settings (T3) or young
people aged 16 to 25 (T4): the notes say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sendboard.ingest.dfe import Release, number

COMPARATORS = ("ENGLAND", "REGION", "STATISTICAL_NEIGHBOURS", "LA_PUBLISHED")
COLUMNS = ("period", "kpi_id", "comparator", "comparator_name", "comparator_period", "value", "numerator",
           "denominator", "neighbours_with_value", "source", "note")  # fmt: skip
POST16_AGES = tuple(f"age {a}" for a in range(16, 26))


@dataclass(frozen=True)
class Measure:
    file: str
    topic: str
    numerator: tuple[str, ...]  # summed
    denominator: tuple[str, ...]  # summed
    value: str | None  # the DfE's published percentage, if it publishes one
    note: str
    breakdowns: tuple[str, ...] = ()  # summed over these breakdown rows (else the topic's own row)


TIMELINESS_NOTE = "DfE: plans issued in the calendar year; ours: in the month"
MEASURES = {
    "T2_EHCP_20WK_INCL": Measure(
        "timeliness_20_week.csv", "All EHC plans issued", ("plans_issued_within_20_weeks",), ("plans_issued_den",),
        "pc_plans_issued_within_20_weeks", TIMELINESS_NOTE),
    "T2_EHCP_20WK_EXCL": Measure(
        "timeliness_20_week.csv", "All EHC plans issued", ("plans_issued_20_weeks_ex",), ("plans_issued_den_ex",),
        "PC_plans_issued_20_weeks_ex", TIMELINESS_NOTE),
    "T2_EHCP_20WK_EXCL_R12": Measure(
        "timeliness_20_week.csv", "All EHC plans issued", ("plans_issued_20_weeks_ex",), ("plans_issued_den_ex",),
        "PC_plans_issued_20_weeks_ex",
        "DfE: the calendar year; ours: the 12 months to the month (the same for December)"),
    "T1_DECISIONS_6WK": Measure(
        "requests.csv", "All requests for EHC needs assessments", ("request_outcome_six_weeks",),
        ("request_outcome_six_weeks", "request_outcome_over_6_weeks"), "request_outcome_six_weeks_pc",
        "DfE: requests received in the calendar year; ours: decisions made in the month"),
    "T2_AR_DECISION_4WK": Measure(
        "annual_reviews.csv", "All annual reviews", ("number_decsion_4weeks",),
        ("number_decsion_4weeks", "number_decision_gt_4weeks"), "pc_decsion_4weeks",
        "DfE: review decisions in the calendar year; ours: in the month"),
    "T3_EHCP_MAINSTREAM": Measure(
        "caseload.csv", "All EHC plans", ("mainstream_total",), ("ehcplans",), "mainstream_total_pc",
        "DfE: plans in January, of all settings; ours: at the month end, of school settings"),
    "T3_INDEPENDENT_SPECIAL": Measure(
        "caseload.csv", "All EHC plans", ("special_independent", "special_non_maintained"), ("ehcplans",), None,
        "DfE: plans in January, of all settings; ours: at the month end, of school settings"),
    "T4_POST16_NEET": Measure(
        "caseload.csv", "Child or young persons age", ("neet",), ("ehcplans",), None,
        "DfE: plans in January, by age in January; ours: at the month end", POST16_AGES),
}  # fmt: skip


def one_decimal(value: Decimal | float) -> Decimal:
    """Half away from zero, as the DfE rounds: 38.45 -> 38.5."""
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figure:
    value: Decimal | None
    numerator: float | None
    denominator: float | None


def _rows(release: Release, measure: Measure) -> list[dict]:
    rows = [r for r in release.tables[measure.file] if r["breakdown_topic"] == measure.topic]
    return [r for r in rows if r["breakdown"] in measure.breakdowns] if measure.breakdowns else rows


def _total(rows: list[dict], columns: tuple[str, ...]) -> float | None:
    """The sum of published counts, or None when any of them is withheld."""
    counts = [number(r[c]) for r in rows for c in columns]
    return None if any(c is None for c in counts) else sum(c for c in counts if c is not None)


def _figure(rows: list[dict], measure: Measure) -> Figure:
    """One geography's figure: its row (or rows, summed over the breakdowns; an age with no row has no
    plans: EES publishes no row for it, while a withheld count is `c`)."""
    if not rows:
        return Figure(None, None, None)
    numerator, denominator = (_total(rows, columns) for columns in (measure.numerator, measure.denominator))
    if measure.value and len(rows) == 1:
        published = number(rows[0][measure.value])
        return Figure(one_decimal(published) if published is not None else None, numerator, denominator)
    if numerator is None or not denominator:
        return Figure(None, numerator, denominator)
    return Figure(one_decimal(Decimal(str(numerator)) * 100 / Decimal(str(denominator))), numerator, denominator)


def comparators(release: Release, neighbours: dict[str, list[str]], la_code: str, period: str) -> list[dict]:
    """board_comparators.csv's rows for month M (`period`): every comparator of every KPI the DfE
    measures, each for the latest period the release publishes."""
    return [
        row
        for kpi_id, measure in MEASURES.items()
        for row in _kpi_rows(release, neighbours, la_code, kpi_id, measure, period)
    ]


def _kpi_rows(
    release: Release, neighbours: dict[str, list[str]], la_code: str, kpi_id: str, measure: Measure, period: str
) -> list[dict]:
    table = _rows(release, measure)
    latest = max(r["time_period"] for r in table)
    current = [r for r in table if r["time_period"] == latest]
    by_la: dict[str, list[dict]] = {}
    for r in current:
        if r["geographic_level"] == "Local authority":
            by_la.setdefault(r["old_la_code"], []).append(r)
    own = by_la.get(la_code, [])
    region = own[0]["region_code"] if own else None
    national = [r for r in current if r["geographic_level"] == "National"]
    regional = [r for r in current if r["geographic_level"] == "Regional" and r["region_code"] == region]
    values = [f.value for f in (_figure(by_la.get(n, []), measure) for n in neighbours.get(la_code, []))]
    known = [v for v in values if v is not None]
    mean = one_decimal(sum(known) / len(known)) if known else None
    found = [
        ("ENGLAND", "England", _figure(national, measure), None),
        ("REGION", regional[0]["region_name"] if regional else "", _figure(regional, measure), None),
        ("STATISTICAL_NEIGHBOURS", f"{len(values)} statistical neighbours", Figure(mean, None, None), len(known)),
        ("LA_PUBLISHED", own[0]["la_name"] if own else la_code, _figure(own, measure), None),
    ]
    return [
        {"period": period, "kpi_id": kpi_id, "comparator": comparator, "comparator_name": name,
         "comparator_period": latest, "value": figure.value, "numerator": figure.numerator,
         "denominator": figure.denominator, "neighbours_with_value": with_value,
         "source": f"{release.name}: data/{measure.file}", "note": measure.note}
        for comparator, name, figure, with_value in found
    ]  # fmt: skip
