"""Cases as each role may see them."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from apps.governance.models import Case, CaseStatus
from apps.governance.permissions import has_capability
from apps.governance.services.common import now
from apps.people.models import Employee, User

OPEN_CASE = "governance.open_case"
DECIDE_CASE = "governance.decide_case"


def _cases() -> QuerySet[Case]:
    return Case.objects.select_related("subject", "requester", "approver")


def cases_for_requester(*, user: User) -> list[Case]:
    """The cases `user` opened, newest first; [] unless their role opens cases."""
    if not has_capability(user=user, perm=OPEN_CASE):
        return []
    return list(_cases().filter(requester=user).prefetch_related("datasets"))


def case_for_viewer(*, user: User, pk: int) -> Case | None:
    """Case `pk` for its requester (still in a role that opens cases) or a
    DPO; None for anyone else."""
    case = _cases().filter(pk=pk).first()
    if case is None:
        return None
    if case.requester_id == user.pk and has_capability(user=user, perm=OPEN_CASE):
        return case
    if has_capability(user=user, perm=DECIDE_CASE):
        return case
    return None


def case_for_decider(*, user: User, pk: int) -> Case | None:
    """Case `pk` if `user` is a DPO who did not open it; else None."""
    if not has_capability(user=user, perm=DECIDE_CASE):
        return None
    return _cases().filter(pk=pk).exclude(requester=user).first()


def decision_queue(*, user: User) -> list[Case]:
    """Requested cases awaiting a DPO, oldest first, without the DPO's own."""
    if not has_capability(user=user, perm=DECIDE_CASE):
        return []
    return list(
        _cases()
        .filter(status=CaseStatus.REQUESTED)
        .exclude(requester=user)
        .prefetch_related("datasets")
        .order_by("created_at", "pk")
    )


def cases_hidden_from_subject(*, employee: Employee) -> set[int]:
    """Ids of cases about `employee` whose notice is not due yet.

    For the "who looked at my data" page: audit records with these case ids
    stay hidden until the recorded delay has passed (an investigation would
    otherwise be tipped off). Requested cases opened nothing; they are
    hidden until decided.
    """
    return set(
        Case.objects.filter(subject=employee)
        .filter(
            Q(notify_subject_after__isnull=True) | Q(notify_subject_after__gt=now())
        )
        .values_list("pk", flat=True)
    )
