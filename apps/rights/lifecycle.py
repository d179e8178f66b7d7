"""The request lifecycle: which status may follow which.

One table, read by the model layer (apps.rights.services.lifecycle refuses
anything else) and by the database (a CheckConstraint on RequestTransition
and a trigger on the request's status, both generated from TRANSITIONS in
migration 0002_enforce_transitions).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IDENTITY_CONFIRMED = "identity_confirmed", _("Identity confirmed")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    # Waiting on the employee (more information, identity): the clock pauses.
    AWAITING_SUBJECT = "awaiting_subject", _("Waiting for you")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    PARTIALLY_COMPLETED = "partially_completed", _("Partially completed")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = RequestStatus

# from -> the statuses that may follow it. Terminal statuses have none.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset(
        {S.IDENTITY_CONFIRMED, S.AWAITING_SUBJECT, S.REFUSED, S.WITHDRAWN}
    ),
    S.IDENTITY_CONFIRMED: frozenset(
        {S.AWAITING_APPROVAL, S.IN_PROGRESS, S.AWAITING_SUBJECT, S.REFUSED, S.WITHDRAWN}
    ),
    S.AWAITING_APPROVAL: frozenset(
        {S.IN_PROGRESS, S.AWAITING_SUBJECT, S.REFUSED, S.WITHDRAWN}
    ),
    # The employee answered: the request goes back to where it waited from.
    S.AWAITING_SUBJECT: frozenset(
        {
            S.SUBMITTED,
            S.IDENTITY_CONFIRMED,
            S.AWAITING_APPROVAL,
            S.REFUSED,
            S.WITHDRAWN,
        }
    ),
    # Work against the stores has started: it finishes, whole or in part.
    S.IN_PROGRESS: frozenset({S.COMPLETED, S.PARTIALLY_COMPLETED}),
    S.COMPLETED: frozenset(),
    S.PARTIALLY_COMPLETED: frozenset(),
    S.REFUSED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

TERMINAL = frozenset(s for s, nexts in TRANSITIONS.items() if not nexts)
# Statuses in which the employee may still withdraw (nothing has run yet).
WITHDRAWABLE = frozenset(s for s, nexts in TRANSITIONS.items() if S.WITHDRAWN in nexts)
OPEN = frozenset(TRANSITIONS) - TERMINAL


# The first transition of every request: from nothing to submitted.
CREATED = ""


def allowed_pairs() -> list[tuple[str, str]]:
    """Every legal (from, to) pair, sorted: what the database enforces."""
    pairs = [(a, b) for a, nexts in TRANSITIONS.items() for b in nexts]
    return sorted([(CREATED, S.SUBMITTED.value), *pairs])


def may_follow(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())
