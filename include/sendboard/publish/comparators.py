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

import duckdb

from sendboard.errors import SendboardError
from sendboard.health_comparators import figures as health_figures
from sendboard.ingest.dfe import RELEASE_FILES, Release, number
from sendboard.publish import csv_files
from sendboard.warehouse.connection import COMPARATOR_COLUMNS, HEALTH_WAIT_COLUMNS

COMPARATORS = ("ENGLAND", "REGION", "STATISTICAL_NEIGHBOURS", "LA_PUBLISHED")
COLUMNS = tuple(COMPARATOR_COLUMNS)  # period, kpi_id, comparator, comparator_name, ..., source, note
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
        "pc_plans_issued_20_weeks_ex", TIMELINESS_NOTE),
    "T2_EHCP_20WK_EXCL_R12": Measure(
        "timeliness_20_week.csv", "All EHC plans issued", ("plans_issued_20_weeks_ex",), ("plans_issued_den_ex",),
        "pc_plans_issued_20_weeks_ex",
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
         "source": f"{current[0].get('release') or release.name}: data/{measure.file}", "note": measure.note}
        for comparator, name, figure, with_value in found
    ]  # fmt: skip


def landed_release(con) -> tuple[Release | None, dict[str, list[str]]]:
    """The landed DfE statistics as the dbt staging views give them (each year from the newest
    release that covers it), and the newest neighbours workbook's groups. None: no release landed."""
    tables = {}
    for file in RELEASE_FILES:
        cursor = con.execute(f"select * from staging.stg_dfe_statistics__{file.removesuffix('.csv')}")
        names = [d[0].lower() for d in cursor.description]
        tables[file] = [dict(zip(names, row)) for row in cursor.fetchall()]
    neighbours: dict[str, list[str]] = {}
    for la, neighbour in con.execute(
        "select la_code, neighbour_la_code from staging.stg_dfe_statistics__statistical_neighbours "
        "order by la_code, neighbour_rank"
    ).fetchall():
        neighbours.setdefault(la, []).append(neighbour)
    if not all(tables.values()):
        return None, neighbours
    return Release(", ".join(sorted({r["release"] for rows in tables.values() for r in rows})), tables), neighbours


SET_LA_CODE = (
    "No comparators: the local authority's DfE number is not set. Set the Airflow variable sendboard_la_code "
    "(or the environment variable SENDBOARD_LA_CODE) to it, for example 931 for Oxfordshire."
)
NO_RELEASE = (
    "No comparators: no DfE release has landed. Download the DfE 'Education, health and care plans' release "
    "('Download all data') and the statistical neighbours workbook, and drop them into <inbox>/dfe_statistics/: "
    "the extract_dfe_statistics DAG lands them."
)


def for_month(con, home, la_code: str | None, period: str) -> tuple[list[dict], list[str]]:
    """board_comparators.csv's rows for month M, and what the pack must say about them: why there are
    none, or what is missing. Never raises for a reference problem: the month is published without
    comparators and the pack says why."""
    from sendboard.ingest.dfe_landing import rejections_since_landing

    notices = [
        f"The DfE file {r['name']} (looked at {r['at'][:10]}) was rejected: {r['detail']}. The comparators "
        "come from the DfE files landed before it, if any."
        for r in rejections_since_landing(home)
    ]
    if not la_code:
        return [], [SET_LA_CODE, *notices]
    try:
        release, neighbours = landed_release(con)
        if release is None:
            return [], [NO_RELEASE, *notices]
        rows = comparators(release, neighbours, la_code, period)
    except (duckdb.Error, SendboardError, ValueError, KeyError) as error:
        return [], [f"No comparators: the landed DfE statistics could not be read ({error}).", *notices]
    if not any(r["comparator"] == "LA_PUBLISHED" and r["comparator_name"] != la_code for r in rows):
        notices.insert(
            0,
            f"The DfE number {la_code} (sendboard_la_code) is not a local authority in the landed "
            "DfE release: its own figure, region and neighbours are missing. Check the setting.",
        )
    elif la_code not in neighbours:
        notices.insert(
            0,
            "No statistical neighbours: no DfE statistical neighbours workbook has landed, or it "
            f"does not list {la_code}. Drop the workbook into <inbox>/dfe_statistics/.",
        )
    return rows, notices


def record(con, period: str, version: int, rows: list[dict], notices: list[str]) -> None:
    """Keep a new version's comparators and notices in the warehouse (in the publication's transaction)."""
    if rows:
        con.executemany(
            f"insert into publication.board_comparators_history ({', '.join(COLUMNS)}, version) "
            f"values ({', '.join('?' for _ in COLUMNS)}, ?)",
            [[r[c] for c in COLUMNS] + [version] for r in rows],
        )
    if notices:
        con.executemany(
            "insert into publication.board_comparator_notices values (?, ?, ?, ?)",
            [[period, version, i, notice] for i, notice in enumerate(notices)],
        )


def chs_rejections(home) -> list[str]:
    """The pack's notice of each CHS workbook rejected since the last one landed."""
    from sendboard.ingest.chs_landing import rejections_since_landing

    return [
        f"The NHS England workbook {r['name']} (looked at {r['at'][:10]}) was rejected: {r['detail']}. The health "
        "comparators come from the workbooks landed before it, if any."
        for r in rejections_since_landing(home)
    ]


def record_health_waits(con, period: str, version: int, rows: list[dict], checks: list[str]) -> None:
    """Keep a new version's CHS waiting lists by area and service, and the warnings of the check of our
    providers' figures against our own count (in the publication's transaction)."""
    if checks:
        con.executemany(
            "insert into publication.board_health_checks values (?, ?, ?, ?)",
            [[period, version, i, warning] for i, warning in enumerate(checks)],
        )
    if rows:
        con.executemany(
            f"insert into publication.board_health_waits_history ({', '.join(HEALTH_WAIT_COLUMNS)}, version) "
            f"values ({', '.join('?' for _ in HEALTH_WAIT_COLUMNS)}, ?)",
            [[r[c] for c in HEALTH_WAIT_COLUMNS] + [version] for r in rows],
        )


def published_health_waits(con, period: str, version: int) -> list[dict]:
    """A published version's CHS waiting lists by area and service, in the order they were recorded."""
    columns = tuple(HEALTH_WAIT_COLUMNS)
    cursor = con.execute(
        f"select {', '.join(columns)} from publication.board_health_waits_history where period = ? and version = ? "
        "order by rowid",
        [period, version],
    )
    return [dict(zip(columns, r)) for r in cursor.fetchall()]


def published_health_checks(con, period: str, version: int) -> list[str]:
    return [
        w
        for (w,) in con.execute(
            "select warning from publication.board_health_checks where period = ? and version = ? order by position",
            [period, version],
        ).fetchall()
    ]


def health_waits_csv(rows: list[dict]) -> bytes:
    """board_health_waits.csv: a header even when there are none; shares to one decimal."""
    columns = tuple(HEALTH_WAIT_COLUMNS)
    counts = ("waiting", "waiting_18_to_52_weeks", "waiting_over_52_weeks")
    return _csv(columns, rows, ("share_over_18_weeks",), counts)


def _csv(columns: tuple[str, ...], rows: list[dict], decimals: tuple[str, ...], counts: tuple[str, ...]) -> bytes:
    """A published CSV: a header even when there are no rows, `decimals` to one decimal, `counts`
    whole, text made safe from spreadsheet formulas."""

    def cell(column: str, value) -> str:
        if value is None:
            return ""
        if column in decimals:
            return f"{Decimal(value):.1f}"
        if column in counts:
            return f"{int(value)}"
        return csv_files.formula_safe(str(value))

    return csv_files.csv_bytes(columns, ([cell(c, row[c]) for c in columns] for row in rows))


def published(con, period: str, version: int) -> tuple[list[dict], list[str]]:
    """A published version's comparators (in KPI and comparator order) and notices."""
    order = {(k, c): i for i, (k, c) in enumerate((k, c) for k in MEASURES for c in COMPARATORS)}
    cursor = con.execute(
        f"select {', '.join(COLUMNS)} from publication.board_comparators_history where period = ? and version = ?",
        [period, version],
    )
    rows = [dict(zip(COLUMNS, r)) for r in cursor.fetchall()]
    # the health comparators (not the DfE's) after them: England, region, ICB, then providers by name
    health = health_figures.COMPARATORS
    rows.sort(
        key=lambda r: (
            order.get((r["kpi_id"], r["comparator"]), len(order)),
            health.index(r["comparator"]) if r["comparator"] in health else len(health),
            r["comparator_name"] or "",
        )
    )
    notices = [
        n
        for (n,) in con.execute(
            "select notice from publication.board_comparator_notices where period = ? and version = ? "
            "order by position",
            [period, version],
        ).fetchall()
    ]
    return rows, notices


def comparators_csv(rows: list[dict]) -> bytes:
    """board_comparators.csv: a header even when there are no rows; figures as the DfE rounds them."""
    return _csv(COLUMNS, rows, ("value",), ("numerator", "denominator", "neighbours_with_value"))


RECONCILED_KPI = "T2_EHCP_20WK_EXCL_R12"  # for December, the calendar year the DfE publishes


def december_check(period: str, history: list[dict], compared: list[dict]) -> list[str]:
    """A warning when our published T2_EHCP_20WK_EXCL_R12 for December of year Y and the DfE's figure
    for our LA for Y (its SEN2 return) differ by more than one percentage point. Y is the latest year
    of the landed release, so the check appears once the DfE has published the year (in June of the
    year after) and December Y is published here. `history`: published values up to M (a suppressed
    December is not compared: the pack states nothing of it).

    >>> ours = [{"period": "2024-12", "kpi_id": RECONCILED_KPI, "value": Decimal("39.6"), "suppressed": False}]
    >>> dfe = [{"kpi_id": RECONCILED_KPI, "comparator": "LA_PUBLISHED", "comparator_period": "2024",
    ...         "value": Decimal("38.5"), "comparator_name": "Oxfordshire", "source": "release: data/t.csv"}]
    >>> december_check("2025-06", ours, dfe)[0][:95]
    'T2_EHCP_20WK_EXCL_R12, calendar year 2024: 39.6% here (December 2024), 38.5% as the DfE publish'
    >>> december_check("2025-06", [{**ours[0], "value": Decimal("39.5")}], dfe)  # 1.0 point: no warning
    []
    >>> december_check("2024-11", ours, dfe)  # December 2024 not published yet
    []
    """
    theirs = next((c for c in compared if c["kpi_id"] == RECONCILED_KPI and c["comparator"] == "LA_PUBLISHED"), None)
    if theirs is None or theirs["value"] is None or len(str(theirs["comparator_period"])) != 4:
        return []
    year = str(theirs["comparator_period"])
    december = f"{year}-12"
    ours = next((h for h in history if h["period"] == december and h["kpi_id"] == RECONCILED_KPI), None)
    if december > period or ours is None or ours["suppressed"] or ours["value"] is None:
        return []
    difference = abs(Decimal(ours["value"]) - Decimal(theirs["value"]))
    if difference <= 1:
        return []
    return [
        f"{RECONCILED_KPI}, calendar year {year}: {Decimal(ours['value']):.1f}% here (December {year}), "
        f"{Decimal(theirs['value']):.1f}% as the DfE published it for {theirs['comparator_name']} "
        f"({theirs['source']}): {difference:.1f} percentage points apart. The SEN2 return and the "
        "case-management export disagree about the plans issued that year; the data team should reconcile them."
    ]
