"""Granting, withdrawing and expiring consent; rebuilding the projection.

Every change appends a ConsentEvent (never updated), applies it to the
ConsentState projection in the same transaction, and writes the Redis mirror
after commit, so collectors see a withdrawal on their very next call.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.catalog.models import Program
from apps.consent.mirror import encode_state, mirror_clear, mirror_put_states
from apps.consent.models import (
    Channel,
    ConsentErasureWish,
    ConsentEvent,
    ConsentState,
    ConsentStateKind,
    EventKind,
    Notice,
)
from apps.people.models import Employee, User

# Event kind -> the state it leaves behind.
_STATE_AFTER = {
    EventKind.GRANTED: ConsentStateKind.GRANTED,
    EventKind.WITHDRAWN: ConsentStateKind.WITHDRAWN,
    EventKind.EXPIRED: ConsentStateKind.EXPIRED,
}


class ConsentRefused(Exception):
    """The change cannot be made (the message says why, for the employee)."""


def notice_latest(*, program: Program) -> Notice | None:
    return Notice.objects.filter(program=program).order_by("-version").first()


def _state_fields(event: ConsentEvent, notice_version: int) -> dict:
    """The projection row `event` leaves behind: a pure function of the event."""
    return {
        "state": _STATE_AFTER[event.kind],
        "notice_version": notice_version,
        "expires_at": event.expires_at,
        "event_id": event.pk,
        "updated_at": event.created_at,
    }


def _mirror_after_commit(state: ConsentState, program_key: str) -> None:
    value = encode_state(
        event_id=state.event_id,
        state=state.state,
        version=state.notice_version,
        expires_epoch=state.expires_at.timestamp() if state.expires_at else None,
    )
    transaction.on_commit(
        partial(
            mirror_put_states,
            program_key=program_key,
            states={state.employee_id: value},
        )
    )


def _append(
    *,
    employee: Employee,
    program: Program,
    notice: Notice,
    kind: str,
    channel: str,
    actor: User | None,
    reason: str = "",
    expires_at: dt.datetime | None = None,
) -> ConsentState:
    event = ConsentEvent(
        employee=employee,
        program=program,
        notice=notice,
        kind=kind,
        channel=channel,
        actor=actor,
        reason=reason,
        expires_at=expires_at,
        created_at=timezone.now(),
    )
    event.full_clean()
    event.save()
    state, _ = ConsentState.objects.update_or_create(
        employee=employee,
        program=program,
        defaults=_state_fields(event, notice.version),
    )
    _mirror_after_commit(state, program.key)
    return state


def _current(*, employee: Employee, program: Program) -> ConsentState | None:
    """The projection row, read after locking the employee: two clicks of the
    same button run one after the other, and the second sees the first."""
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    return ConsentState.objects.filter(employee=employee, program=program).first()


def _check_actor(*, channel: str, reason: str) -> None:
    if channel == Channel.OFFICER and not reason.strip():
        raise ConsentRefused(_("An officer acting for an employee must give a reason."))


@transaction.atomic
def consent_grant(
    *,
    employee: Employee,
    program: Program,
    notice: Notice,
    channel: str = Channel.PORTAL,
    actor: User | None = None,
    reason: str = "",
    expires_at: dt.datetime | None = None,
) -> ConsentState:
    """Record that `employee` consents to `program` under `notice`.

    The notice must be the program's latest: consent to text the employee
    has not seen is refused. Granting what is already granted on the same
    terms appends nothing and returns the existing state.
    """
    if not program.is_consent_based:
        raise ConsentRefused(_("This program does not rest on consent."))
    _check_actor(channel=channel, reason=reason)
    latest = notice_latest(program=program)
    if latest is None or notice.program_id != program.pk or notice.pk != latest.pk:
        raise ConsentRefused(_("The notice has changed: read the current one first."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ConsentRefused(_("Consent cannot expire in the past."))
    state = _current(employee=employee, program=program)
    if (
        state is not None
        and state.state == ConsentStateKind.GRANTED
        and state.notice_version == notice.version
        and state.expires_at == expires_at
    ):
        return state
    return _append(
        employee=employee,
        program=program,
        notice=notice,
        kind=EventKind.GRANTED,
        channel=channel,
        actor=actor,
        reason=reason,
        expires_at=expires_at,
    )


@transaction.atomic
def consent_withdraw(
    *,
    employee: Employee,
    program: Program,
    channel: str = Channel.PORTAL,
    actor: User | None = None,
    reason: str = "",
    erase: bool = False,
) -> ConsentState | None:
    """Withdraw `employee`'s consent to `program`; idempotent.

    When consent is not currently granted nothing is appended and the
    existing state (or None) is returned: a double click changes nothing.
    With `erase`, the wish to erase what was collected is recorded against
    the withdrawal (once); the rights engine will turn it into a request.
    """
    _check_actor(channel=channel, reason=reason)
    state = _current(employee=employee, program=program)
    if state is not None and state.state == ConsentStateKind.GRANTED:
        state = _append(
            employee=employee,
            program=program,
            notice=state.event.notice,
            kind=EventKind.WITHDRAWN,
            channel=channel,
            actor=actor,
            reason=reason,
        )
    if erase and state is not None and state.state == ConsentStateKind.WITHDRAWN:
        _erasure_wish_record(state=state)
    return state


def _erasure_wish_record(*, state: ConsentState) -> None:
    if ConsentErasureWish.objects.filter(event_id=state.event_id).exists():
        return
    wish = ConsentErasureWish(
        employee_id=state.employee_id,
        program_id=state.program_id,
        event_id=state.event_id,
        created_at=timezone.now(),
    )
    wish.full_clean()
    wish.save()


@transaction.atomic
def consent_expire_due(*, now: dt.datetime | None = None) -> int:
    """Append an "expired" event for every grant whose expiry has passed.

    The decision API already denies past the expiry; this keeps the log and
    the projection telling the same story. Returns how many expired.
    """
    now = now or timezone.now()
    due = (
        ConsentState.objects.select_for_update()
        .filter(state=ConsentStateKind.GRANTED, expires_at__lte=now)
        .select_related("employee", "program", "event__notice")
    )
    count = 0
    for state in due:
        _append(
            employee=state.employee,
            program=state.program,
            notice=state.event.notice,
            kind=EventKind.EXPIRED,
            channel=Channel.SYSTEM,
            actor=None,
        )
        count += 1
    return count


@transaction.atomic
def consent_projection_rebuild() -> int:
    """Recompute ConsentState from the event log (the truth); returns rows.

    The Redis mirror is cleared and re-synced after commit.
    """
    latest: dict[tuple[int, int], tuple[ConsentEvent, int]] = {}
    events = ConsentEvent.objects.order_by("id").select_related("notice")
    for event in events.iterator(chunk_size=2000):
        latest[(event.employee_id, event.program_id)] = (event, event.notice.version)
    ConsentState.objects.all().delete()
    rows = [
        ConsentState(
            employee_id=employee_id,
            program_id=program_id,
            **_state_fields(event, version),
        )
        for (employee_id, program_id), (event, version) in latest.items()
    ]
    ConsentState.objects.bulk_create(rows, batch_size=2000)
    transaction.on_commit(_mirror_resync)
    return len(rows)


def _mirror_resync() -> None:
    import redis

    from apps.consent.mirror import mirror_sync, note_failure

    try:
        mirror_clear()
        mirror_sync()
    except redis.RedisError as exc:
        note_failure(exc, detail="rebuild resync", lost_write=True)
