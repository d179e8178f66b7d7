"""Reads of the consent app, each taking the acting user (or collector token).

An individual's choices are read only by that individual (my choices, their
receipts) or by a collector for the programs its token covers. HR, managers
and officers get consent_rates: per program and department, for groups of
at least CONSENT_MIN_GROUP_SIZE people.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from apps.catalog.models import LegalBasis, Program
from apps.catalog.selectors import programs_covering
from apps.consent.mirror import program_facts_from_db
from apps.consent.models import (
    CollectorToken,
    ConsentEvent,
    ConsentState,
    ConsentStateKind,
    Notice,
)
from apps.consent.services.tokens import token_digest
from apps.governance.permissions import has_capability
from apps.governance.roles import AGGREGATES
from apps.people.models import Employee, Identifier, User
from apps.people.selectors import employee_for_user


@dataclass
class Choice:
    """A consent-based program as its employee sees it."""

    program: Program
    notice: Notice | None
    state: ConsentState | None
    # Granted under an earlier notice that a material change superseded.
    needs_renewal: bool = False
    expired: bool = False

    @property
    def is_granted(self) -> bool:
        return (
            self.state is not None
            and self.state.state == ConsentStateKind.GRANTED
            and not self.needs_renewal
            and not self.expired
        )


@dataclass
class ChoicesPage:
    employee: Employee
    choices: list[Choice] = field(default_factory=list)
    mandatory: list[Program] = field(default_factory=list)


def choices_page(*, user: User) -> ChoicesPage | None:
    """The user's own consent choices and mandatory programs; None without an
    employee record."""
    employee = employee_for_user(user=user)
    if employee is None:
        return None
    programs = programs_covering(employee=employee)
    required = program_facts_from_db(keys=[p.key for p in programs])
    latest: dict[int, Notice] = {}
    for notice in Notice.objects.filter(program__in=programs).order_by("version"):
        latest[notice.program_id] = notice
    states = {
        s.program_id: s
        for s in ConsentState.objects.filter(employee=employee).select_related("event")
    }
    page = ChoicesPage(employee=employee)
    now = timezone.now()
    for program in programs:
        if program.legal_basis != LegalBasis.CONSENT:
            page.mandatory.append(program)
            continue
        state = states.get(program.pk)
        page.choices.append(
            Choice(
                program=program,
                notice=latest.get(program.pk),
                state=state,
                needs_renewal=state is not None
                and state.state == ConsentStateKind.GRANTED
                and state.notice_version < required[program.key]["required"],
                expired=state is not None
                and state.expires_at is not None
                and state.expires_at <= now,
            )
        )
    return page


def consent_receipt(*, user: User, event_id: int) -> ConsentEvent | None:
    """One of the user's own consent events with its notice; None otherwise."""
    employee = employee_for_user(user=user)
    if employee is None:
        return None
    return (
        ConsentEvent.objects.select_related("program", "notice", "employee")
        .filter(pk=event_id, employee=employee)
        .first()
    )


def receipt_document(*, event: ConsentEvent) -> dict:
    """What a receipt says: what, under which notice, when (JSON-ready)."""
    notice = event.notice
    return {
        "receipt": event.pk,
        "employee": {
            "name": event.employee.full_name,
            "employee_number": event.employee.employee_number,
        },
        "program": {"key": event.program.key, "name": event.program.name},
        "event": event.kind,
        "channel": event.channel,
        "at": event.created_at.isoformat(),
        "expires_at": event.expires_at.isoformat() if event.expires_at else None,
        "notice": {
            "version": notice.version,
            "title": notice.title,
            "published_at": notice.published_at.isoformat(),
            "text": notice.text,
            "collected": notice.collected,
            "why": notice.why,
            "retention": notice.retention,
            "recipients": notice.recipients,
        },
    }


@dataclass(frozen=True)
class RateRow:
    program: Program
    department: str
    people: int
    granted: int

    @property
    def percent(self) -> int:
        return round(100 * self.granted / self.people)


@dataclass
class Rates:
    rows: list[RateRow]
    # Groups left out because they are smaller than the minimum.
    suppressed: int
    min_group: int


def may_see_rates(*, user: User) -> bool:
    """Roles with the aggregate-reports capability (apps.governance.roles)."""
    return has_capability(user=user, perm=AGGREGATES)


def consent_rates(*, user: User, now: dt.datetime | None = None) -> Rates | None:
    """Consent rates per consent-based program and department; None when the
    user may not see them.

    Only groups (current employees of a department) of at least
    settings.CONSENT_MIN_GROUP_SIZE appear, and no total across departments
    is given, so no subtraction of shown figures isolates a suppressed group.
    "Granted" counts consent that covers the current notice and has not
    expired, as the decision API would allow it.
    """
    if not may_see_rates(user=user):
        return None
    now = now or timezone.now()
    minimum = settings.CONSENT_MIN_GROUP_SIZE
    current = Employee.objects.filter(is_leaver=False)
    people = {
        row["department__name"]: row["n"]
        for row in current.values("department__name").annotate(n=Count("id"))
    }
    programs = Program.objects.filter(legal_basis=LegalBasis.CONSENT)
    facts = program_facts_from_db(keys=[p.key for p in programs])
    rows, suppressed = [], 0
    for program in programs:
        granted = dict(
            ConsentState.objects.filter(
                program=program,
                state=ConsentStateKind.GRANTED,
                notice_version__gte=max(facts[program.key]["required"], 1),
                employee__is_leaver=False,
            )
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .values("employee__department__name")
            .annotate(n=Count("id"))
            .values_list("employee__department__name", "n")
        )
        for department, size in sorted(people.items(), key=lambda i: i[0] or ""):
            if size < minimum:
                suppressed += 1
                continue
            rows.append(
                RateRow(
                    program=program,
                    department=department or "",
                    people=size,
                    granted=granted.get(department, 0),
                )
            )
    return Rates(rows=rows, suppressed=suppressed, min_group=minimum)


def collector_scope(*, secret: str) -> tuple[CollectorToken, list[str]] | None:
    """The live token with this secret and its program keys, or None."""
    digest = token_digest(secret)
    token = CollectorToken.objects.filter(
        secret_hash=digest, revoked_at__isnull=True
    ).first()
    if token is None or not hmac.compare_digest(token.secret_hash, digest):
        return None
    return token, list(token.programs.values_list("key", flat=True))


def consent_changes(
    *, programs: list[str], cursor: int, kind: str, limit: int
) -> tuple[int, list[dict]]:
    """Consent events after `cursor` for `programs` (a collector's scope),
    each naming the subject by its identifiers of `kind`; returns the new
    cursor (the last event's id, or `cursor`) and the changes."""
    events = list(
        ConsentEvent.objects.filter(pk__gt=cursor, program__key__in=programs)
        .order_by("pk")
        .values_list("pk", "program__key", "employee_id", "kind", "created_at")[:limit]
    )
    values: dict[int, list[str]] = {}
    identifiers = Identifier.objects.filter(
        kind=kind, employee_id__in={e[2] for e in events}
    ).values_list("employee_id", "value")
    for employee_id, value in identifiers:
        values.setdefault(employee_id, []).append(value)
    changes = [
        {
            "id": pk,
            "program": program_key,
            "event": event_kind,
            "at": created_at.isoformat(),
            "subjects": [
                {"kind": kind, "value": v} for v in sorted(values.get(employee_id, []))
            ],
        }
        for pk, program_key, employee_id, event_kind, created_at in events
    ]
    return (events[-1][0] if events else cursor), changes
