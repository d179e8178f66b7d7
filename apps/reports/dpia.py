"""The DPIA register: every program, with its register entry when it has one.

A program whose DPIA is required but not approved (required, in progress,
rejected) is flagged on every dashboard; so is an approved DPIA whose review
date has passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import DpiaStatus, Program
from apps.reports.models import DpiaEntry

NOT_APPROVED = (DpiaStatus.REQUIRED, DpiaStatus.IN_PROGRESS, DpiaStatus.REJECTED)


@dataclass(frozen=True)
class RegisterLine:
    program: Program
    entry: DpiaEntry | None

    @property
    def status(self) -> str:
        return self.entry.status if self.entry else self.program.dpia_status

    @property
    def status_label(self) -> str:
        return str(DpiaStatus(self.status).label)

    @property
    def not_approved(self) -> bool:
        return self.status in NOT_APPROVED

    def review_overdue(self, today: dt.date) -> bool:
        due = self.entry.review_due_on if self.entry else None
        return self.status == DpiaStatus.APPROVED and due is not None and due < today

    @property
    def link(self) -> str:
        return (self.entry.document_url if self.entry else "") or (
            self.program.dpia_reference
        )


def dpia_register() -> list[RegisterLine]:
    """Every program in name order, with its entry (no access check: the
    register holds no personal data; the views check the capability)."""
    programs = Program.objects.select_related(
        "dpia_entry", "dpia_entry__reviewer"
    ).order_by("name", "pk")
    return [
        RegisterLine(program=p, entry=getattr(p, "dpia_entry", None)) for p in programs
    ]


def dpia_flags(*, today: dt.date | None = None) -> list[RegisterLine]:
    """Programs to flag: DPIA not approved, or its review overdue."""
    today = today or timezone.localdate()
    return [
        line
        for line in dpia_register()
        if line.not_approved or line.review_overdue(today)
    ]


def dpia_due(*, within_days: int = 30, today: dt.date | None = None) -> list[DpiaEntry]:
    """Entries whose review falls due within `within_days` (or is past)."""
    today = today or timezone.localdate()
    return list(
        DpiaEntry.objects.select_related("program", "reviewer")
        .filter(review_due_on__lte=today + dt.timedelta(days=within_days))
        .order_by("review_due_on", "pk")
    )


REGISTER_KEYS = [
    "program_key",
    "program",
    "status",
    "reviewer",
    "started_on",
    "decided_on",
    "document",
    "review_due_on",
    "notes",
]
REGISTER_HEADINGS = [
    _("Program key"),
    _("Program"),
    _("Status"),
    _("Reviewer"),
    _("Started"),
    _("Decided"),
    _("Document"),
    _("Review due"),
    _("Notes"),
]


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def register_rows() -> Iterator[list[str]]:
    for line in dpia_register():
        entry = line.entry
        reviewer = entry.reviewer if entry else None
        yield [
            line.program.key,
            line.program.name,
            line.status_label,
            reviewer.get_username() if reviewer else "",
            _date(entry.started_on if entry else None),
            _date(entry.decided_on if entry else None),
            line.link,
            _date(entry.review_due_on if entry else None),
            entry.notes if entry else "",
        ]
