"""The publication deadline: month M's board snapshot must be published by a configured day of M+1.

The board meets on a fixed day; the snapshot must be there in time. The day is the Airflow variable
`sendboard_publication_deadline_day` (default 15). `watch_publication_deadline` checks every morning
and fails, which sends the alert (sendboard.operations.alerts), on each day from the deadline until the month
is published.
"""

from __future__ import annotations

import logging
from datetime import date

from sendboard import config, periods
from sendboard.errors import PublicationLate

log = logging.getLogger(__name__)


def deadline_of(period: str, day: int) -> date:
    """The day month M's snapshot is due: `day` of M+1, or its last day when the month is shorter.

    >>> deadline_of("2026-10", 15)
    datetime.date(2026, 11, 15)
    >>> deadline_of("2027-01", 31)
    datetime.date(2027, 2, 28)
    """
    following = periods.shift(period, 1)
    return periods.first_day(following).replace(day=min(day, periods.last_day(following).day))


def check(today: date, day: int, published_months: set[str], why_not=None) -> str:
    """The month due by `today`; raises PublicationLate when it is due and not published.

    >>> check(date(2026, 11, 14), 15, set())
    '2026-10'
    >>> check(date(2026, 11, 15), 15, {"2026-10"})
    '2026-10'
    >>> check(date(2026, 11, 15), 15, set())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sendboard.errors.PublicationLate: The board snapshot for 2026-10 ... 2026-11-15: no publish run has succeeded for it
    """
    period = periods.shift(periods.of(today), -1)
    due = deadline_of(period, day)
    if period in published_months:
        log.info("%s is published (due %s)", period, due)
    elif today < due:
        log.info("%s is not published yet; it is due on %s", period, due)
    else:
        raise PublicationLate(
            period, due, (why_not(period) if why_not else None) or "no publish run has succeeded for it"
        )
    return period


def why_not_published(period: str) -> str:
    """The likely reason, for the alert: a missing input, else the publish run."""
    from sendboard.errors import NotReady
    from sendboard.publish.inputs import resolve_inputs

    try:
        resolve_inputs(period)
    except NotReady as missing:
        return str(missing)
    return "its inputs have landed but no publish run has succeeded: see publish_board_snapshot"


def check_today(today: date) -> str:
    from sendboard.warehouse.integrity import published_versions

    return check(today, config.deadline_day(), set(published_versions(config.home())), why_not_published)
