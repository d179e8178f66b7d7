"""Request records and yearly metrics, from the rights engine's tables.

A record per request: when it was received, its type and channel, the
deadline, any extension and why, when and how it was answered, and why it
was refused. The CCPA regulations keep these for 24 months
(settings.REPORTS_REQUEST_RECORD_MONTHS); the default period of an export
is that window. Records name the request by its reference, never the
employee: a regulator checks the handling, not who asked.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.governance.permissions import has_capability
from apps.people.models import User
from apps.rights.models import Request, RequestChannel, RequestKind, RequestStatus

VIEW_REQUEST_RECORDS = "reports.view_request_records"
ANSWERED = (RequestStatus.COMPLETED, RequestStatus.PARTIALLY_COMPLETED)
CLOSED = (*ANSWERED, RequestStatus.REFUSED, RequestStatus.WITHDRAWN)

RECORD_KEYS = [
    "reference",
    "received_at",
    "type",
    "channel",
    "jurisdiction",
    "due_at",
    "extended_days",
    "extension_reason",
    "extended_at",
    "status",
    "responded_at",
    "response",
    "refusal_reason",
    "days_to_respond",
]
RECORD_HEADINGS = [
    _("Reference"),
    _("Received"),
    _("Type"),
    _("Channel"),
    _("Jurisdiction"),
    _("Deadline"),
    _("Extended by (days)"),
    _("Reason for the extension"),
    _("Extended on"),
    _("Status"),
    _("Answered"),
    _("Nature of the response"),
    _("Reason for refusal"),
    _("Days to respond"),
]
_FIELDS = (
    "public_id",
    "received_at",
    "kind",
    "channel",
    "jurisdiction",
    "due_at",
    "extended_days",
    "extension_reason",
    "extended_at",
    "status",
    "responded_at",
    "response_summary",
    "refusal_reason",
)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start 00:00, the day after end 00:00) in the portal's time zone."""
        zone = timezone.get_current_timezone()
        begin = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        after = dt.datetime.combine(
            self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone
        )
        return begin, after


def default_period(*, today: dt.date | None = None) -> Period:
    """The retention window: the last REPORTS_REQUEST_RECORD_MONTHS months."""
    today = today or timezone.localdate()
    months = settings.REPORTS_REQUEST_RECORD_MONTHS
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    start = dt.date(year, month + 1, min(today.day, 28))
    return Period(start=start, end=today)


def _requests_in(period: Period) -> QuerySet[Request]:
    begin, after = period.bounds()
    return Request.objects.filter(received_at__gte=begin, received_at__lt=after)


def _iso(value: dt.datetime | None) -> str:
    return value.isoformat() if value else ""


def _days(received: dt.datetime, responded: dt.datetime | None) -> str:
    if responded is None:
        return ""
    return f"{(responded - received).total_seconds() / 86400:.1f}"


def _response(status: str, summary: str) -> str:
    if summary.strip():
        return summary
    if status in CLOSED:
        return str(RequestStatus(status).label)
    return ""


def record_rows(*, period: Period, chunk_size: int = 2000) -> Iterator[list[str]]:
    """Every request received in `period`, oldest first, as RECORD_KEYS lists.

    Streamed from the database in chunks. No access check: callers are
    request_records_for_user and the bundle builder.
    """
    kinds = {k: str(k.label) for k in RequestKind}
    channels = {c: str(c.label) for c in RequestChannel}
    statuses = {s: str(s.label) for s in RequestStatus}
    rows = (
        _requests_in(period)
        .order_by("received_at", "pk")
        .values_list(*_FIELDS)
        .iterator(chunk_size=chunk_size)
    )
    for (
        public_id, received, kind, channel, jurisdiction, due, ext_days,
        ext_reason, ext_at, status, responded, summary, refusal,
    ) in rows:  # fmt: skip
        yield [
            str(public_id),
            _iso(received),
            kinds.get(kind, kind),
            channels.get(channel, channel),
            jurisdiction,
            _iso(due),
            str(ext_days),
            ext_reason,
            _iso(ext_at),
            statuses.get(status, status),
            _iso(responded),
            _response(status, summary),
            refusal,
            _days(received, responded),
        ]


def may_read_request_records(*, user: User) -> bool:
    return has_capability(user=user, perm=VIEW_REQUEST_RECORDS)


@dataclass
class YearMetrics:
    year: int
    kind: str
    received: int = 0
    completed: int = 0
    refused: int = 0
    withdrawn: int = 0
    open: int = 0
    _days: list[float] = field(default_factory=list, repr=False)

    @property
    def median_days(self) -> float | None:
        return round(statistics.median(self._days), 1) if self._days else None

    @property
    def kind_label(self) -> str:
        return str(RequestKind(self.kind).label)


def yearly_metrics(*, period: Period) -> list[YearMetrics]:
    """Per year of receipt and request type: received, completed (wholly or
    in part), refused, withdrawn, still open, and the median days from
    receipt to the answer (answered requests), as the CCPA disclosures ask."""
    found: dict[tuple[int, str], YearMetrics] = {}
    rows = (
        _requests_in(period)
        .values_list("received_at", "kind", "status", "responded_at")
        .iterator(chunk_size=5000)
    )
    zone = timezone.get_current_timezone()
    for received, kind, status, responded in rows:
        year = received.astimezone(zone).year
        m = found.setdefault((year, kind), YearMetrics(year=year, kind=kind))
        m.received += 1
        if status in ANSWERED:
            m.completed += 1
        elif status == RequestStatus.REFUSED:
            m.refused += 1
        elif status == RequestStatus.WITHDRAWN:
            m.withdrawn += 1
        else:
            m.open += 1
        if responded is not None and status in (*ANSWERED, RequestStatus.REFUSED):
            m._days.append((responded - received).total_seconds() / 86400)
    order = {k: n for n, k in enumerate(RequestKind.values)}
    return sorted(found.values(), key=lambda m: (m.year, order.get(m.kind, 99)))


METRIC_KEYS = [
    "year",
    "type",
    "received",
    "completed",
    "refused",
    "withdrawn",
    "open",
    "median_days_to_respond",
]
METRIC_HEADINGS = [
    _("Year"),
    _("Type"),
    _("Received"),
    _("Completed (wholly or in part)"),
    _("Refused"),
    _("Withdrawn"),
    _("Still open"),
    _("Median days to respond"),
]


def metric_rows(metrics: list[YearMetrics]) -> Iterator[list]:
    for m in metrics:
        yield [
            m.year,
            m.kind_label,
            m.received,
            m.completed,
            m.refused,
            m.withdrawn,
            m.open,
            "" if m.median_days is None else m.median_days,
        ]


def by_month(
    *, months: int = 12, now: dt.datetime | None = None
) -> list[tuple[str, int]]:
    """(YYYY-MM, requests received) for the last `months` months, oldest first."""
    now = timezone.localtime(now or timezone.now())
    keys = []
    year, month = now.year, now.month
    for _n in range(months):
        keys.append(f"{year:04}-{month:02}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    keys.reverse()
    first_year, first_month = (int(p) for p in keys[0].split("-"))
    zone = timezone.get_current_timezone()
    start = dt.datetime(first_year, first_month, 1, tzinfo=zone)
    counts: dict[str, int] = defaultdict(int)
    for received in Request.objects.filter(received_at__gte=start).values_list(
        "received_at", flat=True
    ):
        counts[received.astimezone(zone).strftime("%Y-%m")] += 1
    return [(key, counts.get(key, 0)) for key in keys]
