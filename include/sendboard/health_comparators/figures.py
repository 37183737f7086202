"""The health comparators of a published month M, from the CHS workbooks landed when M is published.

- The CHS month: the latest landed at or before M.
- The areas: England always; the NHS region, the ICB and each provider the settings name (an ODS
  code, matched against the workbook's codes and those learned from other months, or a name, matched
  with case, punctuation, "NHS" and "Integrated Care Board" ignored).
- For each area, over the four lines that match the board's services (speech and language therapy,
  community paediatrics, occupational therapy, physiotherapy): those waiting over 18 weeks (Tables
  4f + 4g) of those waiting (Table 4), as a percentage to one decimal. A line with no value (`*` or a
  blank in any of the three tables) is left out of the sum, and the note names it.
- By service: the same for each of the four lines, for the CHS month and the months before it (the
  pack's trend).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sendboard.config import HealthAreas
from sendboard.ingest.chs import normalised_name

KPI = "T1_HEALTH_WAIT_18WK"
SALT_KPI = "T1_SALT_MEDIAN_WAIT"
CHS = "staging.stg_nhs_statistics__chs_waiting_lists"
# our service codes for the four CYP lines that match the board's services, in the pack's order
MATCHED = {
    "SALT": "Speech and language therapy",
    "COMMUNITY_PAEDIATRICS": "Community paediatrics",
    "OCCUPATIONAL_THERAPY": "Occupational therapy",
    "PHYSIOTHERAPY": "Physiotherapy",
}
COMPARATORS = ("ENGLAND", "NHS_REGION", "ICB", "PROVIDER")  # board_comparators.csv's order
TREND_MONTHS = 6
NOTE = (
    "NHS England CHS SitRep: children waiting over 18 weeks for speech and language therapy, community "
    "paediatrics, occupational therapy and physiotherapy. CHS counts by provider, not by where children live, "
    "and its data are unvalidated. Our KPI also counts neurodevelopmental and CAMHS waits, which CHS does not "
    "cover."
)
SOURCE = "NHS England, Community Health Services Waiting Times"
SET_AREAS = (
    "The health comparators show England only: set the Airflow variable sendboard_icb_code (or "
    "SENDBOARD_ICB_CODE) to the ICB's ODS code, for example QU9, and sendboard_health_providers to the trusts "
    "that provide the LA's children's community services (ODS codes, for example RNU,RWX); optionally "
    "sendboard_nhs_region."
)
NO_CHS = (
    "No health comparators: no NHS England community health services waiting-list workbook has landed for "
    "this month or before. Download the monthly 'Community Health Services Waiting Times' workbooks and drop "
    "them into <inbox>/nhs_statistics/: the extract_nhs_statistics DAG lands them."
)


@dataclass(frozen=True)
class Area:
    level: str  # ENGLAND, NHS_REGION, ICB, PROVIDER
    code: str
    name: str
    key: str  # the name for matching


def share(numerator: int, denominator: int) -> Decimal | None:
    """A percentage to one decimal, halves up (as the DfE and NHS England round).

    >>> share(66806, 168383), share(2573, 5040), share(1, 8), share(0, 0)
    (Decimal('39.7'), Decimal('51.1'), Decimal('12.5'), None)
    """
    if not denominator:
        return None
    return (Decimal(100 * numerator) / Decimal(denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)


Counts = tuple[int | None, int | None, int | None]  # waiting, 18-52 weeks, over 52 weeks; None: no value


def over_18_weeks(lines: dict[str, Counts]) -> tuple[int, int, list[str]] | None:
    """(waiting over 18 weeks, waiting, the matched lines left out for want of a value) over the four
    matched lines; None when none of them has a value.

    >>> over_18_weeks({"SALT": (100, 30, 5), "PHYSIOTHERAPY": (40, None, 2)})
    (35, 100, ['Community paediatrics', 'Occupational therapy', 'Physiotherapy'])
    """
    over, waiting, counted = 0, 0, []
    for service, (in_list, mid, long) in lines.items():
        if service in MATCHED and in_list is not None and mid is not None and long is not None:
            over, waiting = over + mid + long, waiting + in_list
            counted.append(service)
    if not counted:
        return None
    return over, waiting, [name for s, name in MATCHED.items() if s not in counted]


def chs_month_for(con, period: str) -> str | None:
    try:
        (month,) = con.execute(f"select max(chs_month) from {CHS} where chs_month <= ?", [period]).fetchone()
    except Exception:  # noqa: BLE001 - a warehouse from before the health comparators has no such view
        return None
    return month


def _areas(con, chs_month: str) -> list[Area]:
    return [
        Area(*row)
        for row in con.execute(
            f"select distinct area_level, area_code, area_name, area_key from {CHS} where chs_month = ?",
            [chs_month],
        ).fetchall()
    ]


def _matches(area: Area, wanted: str) -> bool:
    return area.code.casefold() == wanted.strip().casefold() or area.key == normalised_name(wanted)


def chosen_areas(con, chs_month: str, settings: HealthAreas) -> tuple[list[Area], list[str]]:
    """England and the configured areas found in the CHS month, and a notice for each not found."""
    areas = _areas(con, chs_month)
    chosen = [a for a in areas if a.level == "ENGLAND"]
    notices = []
    wanted = [("NHS_REGION", settings.region), ("ICB", settings.icb)] + [("PROVIDER", p) for p in settings.providers]
    for level, value in wanted:
        if not value:
            continue
        found = [a for a in areas if a.level == level and _matches(a, value)]
        if found:
            chosen.append(found[0])
        else:
            notices.append(f"{level.replace('_', ' ').title()} {value!r} is not in the CHS workbook of {chs_month}.")
    if not settings.icb and not settings.providers:
        notices.append(SET_AREAS)
    return chosen, notices


def _lines(con, chs_month: str, area: Area) -> dict[str, Counts]:
    return {
        service: (waiting, mid, long)
        for service, waiting, mid, long in con.execute(
            f"""select service, waiting, waiting_18_to_52_weeks, waiting_over_52_weeks from {CHS}
                where chs_month = ? and area_level = ? and area_key = ? and service in (select unnest(?))""",
            [chs_month, area.level, area.key, list(MATCHED)],
        ).fetchall()
    }


def comparator_rows(con, period: str, settings: HealthAreas) -> tuple[list[dict], list[dict], list[str]]:
    """board_comparators.csv's T1_HEALTH_WAIT_18WK rows for M, board_health_waits.csv's rows (by area
    and service, for the CHS month and up to five months before it), and the pack's notices."""
    chs_month = chs_month_for(con, period)
    if chs_month is None:
        return [], [], [NO_CHS]
    areas, notices = chosen_areas(con, chs_month, settings)
    (workbook,) = con.execute(f"select any_value(workbook) from {CHS} where chs_month = ?", [chs_month]).fetchone()
    months = [
        m
        for (m,) in con.execute(
            f"select distinct chs_month from {CHS} where chs_month <= ? order by chs_month desc limit ?",
            [chs_month, TREND_MONTHS],
        ).fetchall()
    ]
    lines = {(month, area): _lines(con, month, area) for month in sorted(months) for area in areas}
    rows = []
    for area in areas:
        total = over_18_weeks(lines[(chs_month, area)])
        left_out = total[2] if total else list(MATCHED.values())
        note = NOTE + (f" Left out, no value in the workbook: {', '.join(left_out)}." if left_out else "")
        rows.append(
            {"period": period, "kpi_id": KPI, "comparator": area.level, "comparator_name": area.name,
             "comparator_period": chs_month, "value": share(*total[:2]) if total else None,
             "numerator": total[0] if total else None, "denominator": total[1] if total else None,
             "neighbours_with_value": None, "source": f"{SOURCE}: {workbook}", "note": note}
        )  # fmt: skip
    waits = []
    for (month, area), of_area in lines.items():
        for service in (s for s in MATCHED if s in of_area):
            in_list, mid, long = of_area[service]
            over_18 = None if mid is None or long is None else mid + long
            waits.append(
                {"period": period, "chs_month": month, "area_level": area.level, "area_code": area.code,
                 "area_name": area.name, "service": service, "waiting": in_list,
                 "waiting_18_to_52_weeks": mid, "waiting_over_52_weeks": long,
                 "share_over_18_weeks": share(over_18, in_list) if over_18 is not None and in_list else None}
            )  # fmt: skip
    return rows, waits, notices


OWN = "intermediate.int_referrals_waiting_by_service"
SHARE_POINTS = Decimal(5)  # the check's bounds: more than 5 percentage points apart,
LIST_SHARE = Decimal("0.10")  # or more than 10% of the provider's CHS list size


def disagreement(theirs: tuple[int, int], ours: tuple[int, int]) -> bool:
    """Whether our count of a provider's list (over 18 weeks, waiting) and its CHS figure disagree:
    shares more than 5 percentage points apart, or lists more than 10% of the CHS list apart.

    >>> disagreement((50, 100), (55, 100)), disagreement((50, 100), (56, 100))  # 5 points: agree
    (False, True)
    >>> disagreement((50, 100), (55, 110)), disagreement((50, 100), (56, 111))  # 10 more of 100: agree
    (False, True)
    """
    (their_over, their_waiting), (our_over, our_waiting) = theirs, ours
    their_share = Decimal(100 * their_over) / their_waiting if their_waiting else Decimal(0)
    our_share = Decimal(100 * our_over) / our_waiting if our_waiting else Decimal(0)
    return abs(their_share - our_share) > SHARE_POINTS or abs(our_waiting - their_waiting) > LIST_SHARE * their_waiting


def own_check(con, waits: list[dict]) -> list[str]:
    """The data-quality warnings of the check no peer makes: each configured provider's CHS figure
    against our own count from the referrals export, for the same month end and service. Only the
    CHS figures (published by NHS England) are shown: ours by provider and service are not published."""
    warnings = []
    for wait in waits:
        if (
            wait["area_level"] != "PROVIDER"
            or not wait["area_code"]
            or None in (wait["waiting"], wait["waiting_18_to_52_weeks"], wait["waiting_over_52_weeks"])
        ):
            continue
        try:
            found = con.execute(
                f"""select waiting, waiting_18_to_52_weeks + waiting_over_52_weeks from {OWN}
                    where period = ? and provider_code = ? and service = ?""",
                [wait["chs_month"], wait["area_code"], wait["service"]],
            ).fetchone()
        except Exception:  # noqa: BLE001 - a warehouse from before the health comparators
            return []
        if found is None:
            continue  # no extract of ours for that month end, or no such list of ours: nothing to compare
        theirs = (wait["waiting_18_to_52_weeks"] + wait["waiting_over_52_weeks"], wait["waiting"])
        if disagreement(theirs, (found[1], found[0])):
            warnings.append(
                f"{wait['area_name']} ({wait['area_code']}), {MATCHED[wait['service']].lower()}, "
                f"{wait['chs_month']}: NHS England's CHS workbook counts {wait['waiting']:,} waiting, "
                f"{share(*theirs)}% over 18 weeks; our referrals export, for the same provider, service and "
                "month end, differs by more than 5 percentage points in the share or by more than 10% in the "
                "number waiting. The same waiting list, counted twice, should agree: the data team should "
                "reconcile the two returns."
            )
    return warnings
