"""The statutory clock, per jurisdiction of the employee.

EU and UK GDPR (Art. 12(3)): one month from receipt, extendable by two
further months, the employee told why within the first month. California
(CCPA regulations, 11 CCR 7021): 45 days, extendable once by 45 with notice,
and the request acknowledged within 10 business days. The clock pauses while
the request waits on the employee.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Clock:
    jurisdiction: str
    months: int = 0
    days: int = 0
    extension_months: int = 0
    extension_days: int = 0
    acknowledge_business_days: int | None = None

    def due(self, received: dt.datetime) -> dt.datetime:
        return add_months(received, self.months) + dt.timedelta(days=self.days)

    def extended(self, due: dt.datetime) -> dt.datetime:
        return add_months(due, self.extension_months) + dt.timedelta(
            days=self.extension_days
        )

    def acknowledge_by(self, received: dt.datetime) -> dt.datetime | None:
        if self.acknowledge_business_days is None:
            return None
        return add_business_days(received, self.acknowledge_business_days)


CLOCKS = {
    "EU": Clock("EU", months=1, extension_months=2),
    "UK": Clock("UK", months=1, extension_months=2),
    "US-CA": Clock("US-CA", days=45, extension_days=45, acknowledge_business_days=10),
}
DEFAULT_JURISDICTION = "EU"


def clock_for(jurisdiction: str) -> Clock:
    """The clock for `jurisdiction`; the strictest default (EU) if unknown."""
    return CLOCKS.get(jurisdiction, CLOCKS[DEFAULT_JURISDICTION])


def add_months(when: dt.datetime, months: int) -> dt.datetime:
    """The same day `months` later, or the month's last day when it has none
    (31 January + 1 month = 28 or 29 February)."""
    if not months:
        return when
    index = when.month - 1 + months
    year, month = when.year + index // 12, index % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


def add_business_days(when: dt.datetime, days: int) -> dt.datetime:
    """`days` weekdays after `when` (public holidays are not counted out)."""
    result = when
    while days > 0:
        result += dt.timedelta(days=1)
        if result.weekday() < 5:
            days -= 1
    return result


def days_left(due: dt.datetime, now: dt.datetime) -> int:
    """Whole days until `due` (negative when overdue), rounded down."""
    return (due - now).days
