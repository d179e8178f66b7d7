"""Moving a request through its life: filing, identity, approval, refusal,
questions to the employee, extensions, splitting and withdrawal.

Every move goes through request_move(): the model layer refuses a status
that may not follow (apps.rights.lifecycle), a conditional UPDATE refuses a
request that moved meanwhile (two officers, two tabs), the database refuses
both again (constraints and a trigger), and a RequestTransition and an
audit record are written in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import AuditEntry, audit_record_many
from apps.catalog.models import Dataset, Program
from apps.people.models import Employee, User
from apps.rights.deadlines import clock_for
from apps.rights.lifecycle import (
    CREATED,
    OPEN,
    WITHDRAWABLE,
    RequestStatus,
    may_follow,
)
from apps.rights.models import (
    Request,
    RequestChannel,
    RequestKind,
    RequestMessage,
    RequestTransition,
)
from apps.rights.notifications import (
    request_notify_by_worker_on_commit,
    request_notify_on_commit,
)
from apps.rights.services.scope import ScopeError, scope_datasets

S = RequestStatus


class RequestRefused(Exception):
    """The step cannot be taken; the message tells the person why."""


def _now() -> dt.datetime:
    return timezone.now()


def _audit_entry(
    request: Request, *, actor: User | None, action: str, **detail
) -> AuditEntry:
    return AuditEntry(
        actor=actor,
        subject=request.subject,
        action=action,
        purpose=f"{request.get_kind_display()} request",
        detail={"request_id": request.pk, **detail},
    )


def _audit(request: Request, *, actor: User | None, action: str, **detail) -> None:
    entry = _audit_entry(request, actor=actor, action=action, **detail)
    audit_record_many(entries=[entry])


class Journal:
    """The transitions and audit records of several moves made in one
    transaction (filing: submitted, identity confirmed, in progress; the
    finish: the last job's outcome, the certificate, completed), written
    together when the caller says: one INSERT of each instead of a pair
    per move, in the same order."""

    def __init__(self) -> None:
        self.transitions: list[RequestTransition] = []
        self.entries: list[AuditEntry] = []

    def add(self, transition: RequestTransition, entry: AuditEntry) -> None:
        self.transitions.append(transition)
        self.entries.append(entry)

    def note(self, entry: AuditEntry) -> None:
        """An audit record that is not a move's (a job's outcome)."""
        self.entries.append(entry)

    def write(self) -> None:
        RequestTransition.objects.bulk_create(self.transitions)
        audit_record_many(entries=self.entries)
        self.transitions, self.entries = [], []


def _not_own(request: Request, officer: User | None) -> None:
    """An officer never decides their own request: a colleague does."""
    if officer is not None and officer.pk == request.subject.user_id:
        raise RequestRefused(
            "You cannot decide your own request: a colleague must handle it."
        )


def needs_approval(kind: str) -> bool:
    return kind in settings.RIGHTS_APPROVAL_REQUIRED


def request_move(
    *,
    request: Request,
    to: str,
    actor: User | None,
    reason: str = "",
    journal: Journal | None = None,
    **fields,
) -> Request:
    """Move `request` to status `to`, setting `fields` with it; its
    transition and audit record are written now, or added to `journal`.

    Raises RequestRefused when `to` may not follow the current status or the
    request moved on in the meantime. With a `journal` the caller holds the
    transaction, and a refusal aborts it: no savepoint of the move's own
    (two statements less; filing and finishing let a refusal go up).
    """
    with transaction.atomic(savepoint=journal is None):
        return _move(request, to, actor, reason, journal, fields)


def _move(
    request: Request,
    to: str,
    actor: User | None,
    reason: str,
    journal: Journal | None,
    fields: dict,
) -> Request:
    current = request.status
    if not may_follow(current, to):
        raise RequestRefused(
            f"A request that is “{S(current).label}” cannot become “{S(to).label}”."
        )
    changes = {"status": to, "updated_at": _now(), **fields}
    moved = Request.objects.filter(pk=request.pk, status=current).update(**changes)
    if not moved:
        raise RequestRefused("The request was changed meanwhile: reload the page.")
    # The instance takes the values written (no second read, which would
    # also drop its cached subject and cost another query for the audit).
    for name, value in changes.items():
        setattr(request, name, value)
    _log(
        journal,
        RequestTransition(
            request=request,
            from_status=current,
            to_status=to,
            actor=actor,
            at=request.updated_at,
            reason=reason,
        ),
        _audit_entry(
            request,
            actor=actor,
            action=AuditAction.RIGHTS_REQUEST_MOVED,
            from_status=current,
            to_status=to,
        ),
    )
    return request


def _log(
    journal: Journal | None, transition: RequestTransition, entry: AuditEntry
) -> None:
    """Write a move's transition and audit record now, or add them to
    `journal` for its caller to write."""
    if journal is None:
        journal = Journal()
        journal.add(transition, entry)
        journal.write()
    else:
        journal.add(transition, entry)


def _open_duplicate(subject: Employee, kind: str, datasets: list[Dataset]) -> bool:
    """Whether an open request of `kind` already covers one of `datasets`."""
    wanted = {d.pk for d in datasets}
    for other in Request.objects.filter(subject=subject, kind=kind, status__in=OPEN):
        theirs = scope_datasets(
            employee=subject,
            all_programs=other.all_programs,
            programs=other.programs.all(),
            datasets=other.datasets.all(),
        )
        if wanted & {d.pk for d in theirs}:
            return True
    return False


def _check_details(kind: str, details: dict, datasets: list[Dataset]) -> dict:
    """Rectification names one record and the corrections; nothing else
    carries structured details."""
    if kind != RequestKind.RECTIFICATION:
        return {}
    dataset_key = str(details.get("dataset", ""))
    record = str(details.get("record", ""))
    changes = details.get("changes")
    dataset = next((d for d in datasets if d.key == dataset_key), None)
    if dataset is None:
        raise RequestRefused("Choose the dataset that holds the record to correct.")
    if not record:
        raise RequestRefused("Say which record is wrong.")
    if not isinstance(changes, dict) or not changes:
        raise RequestRefused("Give at least one corrected value.")
    fields = {f.name for f in dataset.fields.all()}
    protected = {dataset.primary_key, dataset.subject_field}
    unknown = sorted(set(changes) - (fields - protected))
    if unknown:
        raise RequestRefused(
            f"These fields cannot be corrected in “{dataset.name}”: "
            + ", ".join(unknown)
        )
    return {
        "dataset": dataset_key,
        "record": record,
        "changes": {k: str(v) for k, v in changes.items()},
    }


@transaction.atomic
def request_file(
    *,
    subject: Employee,
    kind: str,
    filed_by: User,
    channel: str = RequestChannel.PORTAL,
    all_programs: bool = True,
    programs: Iterable[Program] = (),
    datasets: Iterable[Dataset] = (),
    text: str = "",
    details: dict | None = None,
    parent: Request | None = None,
    received_at: dt.datetime | None = None,
) -> Request:
    """File a request for `subject` and take it as far as policy allows.

    Filed by the employee (portal, API), their identity is confirmed by
    their sign-in; an access or portability request then starts at once
    (the jobs are created in this transaction and sent to the workers on
    commit), the others wait for an officer. Filed by an officer for an
    employee, it waits for the officer to confirm the employee's identity.

    Raises RequestRefused for an unknown type, a scope that holds nothing
    about the employee, a duplicate open request or bad details.
    """
    if kind not in RequestKind.values:
        raise RequestRefused(f"Unknown request type “{kind}”.")
    if (
        subject.is_leaver
        and filed_by == subject.user
        and channel != RequestChannel.OFFICER
    ):
        # Leavers keep their rights; they exercise them through the team
        # (or asked while still employed, as with a consent erasure wish).
        raise RequestRefused("Leavers file requests through the privacy team.")
    programs, datasets = list(programs), list(datasets)
    try:
        reached = scope_datasets(
            employee=subject,
            all_programs=all_programs,
            programs=programs,
            datasets=datasets,
        )
    except ScopeError as exc:
        raise RequestRefused(str(exc)) from None
    if kind == RequestKind.OBJECTION:
        closed = [d.program for d in reached if not d.program.objection_allowed]
        if not all_programs and closed:
            raise RequestRefused(
                f"“{closed[0].name}” does not rest on legitimate interests or a "
                "public task: withdraw your consent instead, or write to the team."
            )
    if not reached:
        raise RequestRefused("No monitoring program holds anything about you.")
    if parent is None and _open_duplicate(subject, kind, reached):
        raise RequestRefused(
            "You already have an open request of this type for this data: "
            "follow that one, or withdraw it first."
        )
    clean_details = _check_details(kind, details or {}, reached)
    received = received_at or _now()
    clock = clock_for(subject.jurisdiction)
    request = Request(
        public_id=uuid.uuid4(),
        subject=subject,
        kind=kind,
        channel=channel,
        all_programs=all_programs,
        text=text.strip(),
        details=clean_details,
        parent=parent,
        filed_by=filed_by,
        jurisdiction=clock.jurisdiction,
        received_at=received,
        acknowledge_by=clock.acknowledge_by(received),
        due_at=clock.due(received),
    )
    # The fields are checked here; the constraints and the references to
    # the rows given (subject, filed_by, parent) are the database's to
    # enforce (Django would check each with a query of its own, a third of
    # the time filing takes), and a duplicate open request is told below.
    request.full_clean(
        exclude=["programs", "datasets", "subject", "filed_by", "parent"],
        validate_unique=False,
        validate_constraints=False,
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError as exc:
        if "unique" not in str(exc).lower():
            raise  # A bug, not a duplicate: never hide it behind one.
        raise RequestRefused(
            "You already have an open request of this type: follow that one."
        ) from None
    # A new request has no rows in either relation: add what was chosen (a
    # set() would first read the empty relations back).
    if programs:
        request.programs.add(*programs)
    if datasets:
        request.datasets.add(*datasets)
    # Filed, and as far as policy takes it: the moves' transitions and audit
    # records are written together (before the work starts, whose own
    # records follow them).
    journal = Journal()
    _log(
        journal,
        RequestTransition(
            request=request,
            from_status=CREATED,
            to_status=S.SUBMITTED,
            actor=filed_by,
            at=received,
            reason=f"Filed through {RequestChannel(channel).label}",
        ),
        _audit_entry(
            request,
            actor=filed_by,
            action=AuditAction.RIGHTS_REQUEST_FILED,
            kind=kind,
            datasets=len(reached),
        ),
    )
    if subject.user_id == filed_by.pk:
        request = request_confirm_identity(
            request=request,
            officer=None,
            reason="Signed in to the portal",
            scope=reached,
            journal=journal,
        )
    journal.write()
    # Rendered by a worker and queued after the jobs a confirmed request
    # starts (on_commit keeps the order): the work comes first. "completed"
    # is queued the same way when the request finishes, so it follows.
    request_notify_by_worker_on_commit(
        request_id=request.pk, events=["received", "new_request"]
    )
    return request


def _acknowledged(request: Request) -> dict:
    return {} if request.acknowledged_at else {"acknowledged_at": _now()}


def request_confirm_identity(
    *,
    request: Request,
    officer: User | None,
    reason: str,
    scope: list[Dataset] | None = None,
    journal: Journal | None = None,
) -> Request:
    """Identity is confirmed: start the request, or queue it for approval.
    `scope`: the datasets it reaches, when the caller has just worked them
    out (filing); otherwise they are worked out again when it starts.
    `journal`: where the moves are logged, when the caller writes them (and
    holds the transaction: no savepoint, as with request_move)."""
    with transaction.atomic(savepoint=journal is None):
        return _confirm_identity(request, officer, reason, scope, journal)


def _confirm_identity(
    request: Request,
    officer: User | None,
    reason: str,
    scope: list[Dataset] | None,
    journal: Journal | None,
) -> Request:
    _not_own(request, officer)
    if officer is not None and not reason.strip():
        raise RequestRefused("Say how the employee's identity was confirmed.")
    request = request_move(
        request=request,
        to=S.IDENTITY_CONFIRMED,
        actor=officer,
        reason=reason,
        journal=journal,
        **_acknowledged(request),
    )
    if needs_approval(request.kind):
        return request_move(
            request=request,
            to=S.AWAITING_APPROVAL,
            actor=None,
            reason="This type of request needs an officer's approval.",
            journal=journal,
        )
    return _start(
        request, actor=None, reason="Approved by policy", scope=scope, journal=journal
    )


def _start(
    request: Request,
    *,
    actor: User | None,
    reason: str,
    scope: list[Dataset] | None = None,
    journal: Journal | None = None,
) -> Request:
    from apps.rights.services.execution import request_execute

    request = request_move(
        request=request, to=S.IN_PROGRESS, actor=actor, reason=reason, journal=journal
    )
    if journal is not None:
        journal.write()  # The moves before the work's own records.
    request_execute(request=request, datasets=scope)
    return request


@transaction.atomic
def request_approve(*, request: Request, officer: User, reason: str = "") -> Request:
    """Start a request that waited for approval."""
    _not_own(request, officer)
    if request.status != S.AWAITING_APPROVAL:
        raise RequestRefused("Only a request awaiting approval can be approved.")
    Request.objects.filter(pk=request.pk).update(
        approved_by=officer, approved_at=_now()
    )
    request.refresh_from_db()
    return _start(request, actor=officer, reason=reason or "Approved")


COMPLAINT_NOTICE = (
    "You may complain to a supervisory authority (in the UK, the Information "
    "Commissioner's Office; in the EU, your national data protection "
    "authority) and seek a judicial remedy (GDPR Art. 12(4))."
)


@transaction.atomic
def request_refuse(*, request: Request, officer: User, reason: str) -> Request:
    """Refuse with the reasons, telling the employee of their right to
    complain (Art. 12(4))."""
    _not_own(request, officer)
    reason = reason.strip()
    if not reason:
        raise RequestRefused("A refusal needs its reasons.")
    request = request_move(
        request=request,
        to=S.REFUSED,
        actor=officer,
        reason=reason,
        refusal_reason=reason,
        responded_at=_now(),
        response_summary=COMPLAINT_NOTICE,
        paused_at=None,
    )
    request_notify_on_commit(request_id=request.pk, event="refused")
    return request


def _post(request: Request, author: User, body: str, from_subject: bool) -> None:
    body = body.strip()
    if not body:
        raise RequestRefused("Write a message first.")
    RequestMessage.objects.create(
        request=request,
        author=author,
        from_subject=from_subject,
        body=body,
        created_at=_now(),
    )


@transaction.atomic
def request_ask_subject(*, request: Request, officer: User, question: str) -> Request:
    """Ask the employee for information; the clock stops until they answer."""
    _not_own(request, officer)
    _post(request, officer, question, from_subject=False)
    request = request_move(
        request=request,
        to=S.AWAITING_SUBJECT,
        actor=officer,
        reason="Asked the employee for information",
        paused_at=_now(),
        resume_status=request.status,
    )
    request_notify_on_commit(request_id=request.pk, event="needs_information")
    return request


@transaction.atomic
def message_post(*, request: Request, author: User, body: str) -> Request:
    """A message from the employee or the team. The employee's answer to a
    question restarts the clock, later by the time it stood still."""
    from_subject = author.pk == request.subject.user_id
    _post(request, author, body, from_subject=from_subject)
    if from_subject and request.status == S.AWAITING_SUBJECT:
        paused_for = _now() - request.paused_at
        request = request_move(
            request=request,
            to=request.resume_status,
            actor=author,
            reason="The employee answered",
            due_at=request.due_at + paused_for,
            paused_at=None,
            resume_status="",
        )
    event = "message_from_subject" if from_subject else "message_from_team"
    request_notify_on_commit(request_id=request.pk, event=event)
    return request


@transaction.atomic
def request_extend(*, request: Request, officer: User, reason: str) -> Request:
    """Extend the deadline once, by the jurisdiction's extension, telling the
    employee why; only within the first period, while the request is open."""
    _not_own(request, officer)
    reason = reason.strip()
    if not reason:
        raise RequestRefused("An extension needs its reasons, told to the employee.")
    if request.status not in OPEN:
        raise RequestRefused("Only an open request can be extended.")
    if request.extended_days:
        raise RequestRefused("This request has been extended already.")
    now = _now()
    if now >= request.due_at:
        raise RequestRefused(
            "The deadline has passed: an extension must be told within it."
        )
    clock = clock_for(request.jurisdiction)
    new_due = clock.extended(request.due_at)
    Request.objects.filter(pk=request.pk).update(
        due_at=new_due,
        extended_days=(new_due - request.due_at).days,
        extension_reason=reason,
        extended_at=now,
        warned_7d_at=None,
        warned_1d_at=None,
    )
    request.refresh_from_db()
    _post(request, officer, reason, from_subject=False)
    _audit(
        request,
        actor=officer,
        action=AuditAction.RIGHTS_REQUEST_MOVED,
        extended_days=request.extended_days,
    )
    request_notify_on_commit(request_id=request.pk, event="extended")
    return request


@transaction.atomic
def request_withdraw(*, request: Request, user: User, reason: str = "") -> Request:
    """The employee withdraws a request on which no work has started."""
    if request.status not in WITHDRAWABLE:
        raise RequestRefused(
            "Work on this request has started or it is closed: it can no "
            "longer be withdrawn."
        )
    request = request_move(
        request=request,
        to=S.WITHDRAWN,
        actor=user,
        reason=reason or "Withdrawn by the employee",
        responded_at=_now(),
        paused_at=None,
    )
    request_notify_on_commit(request_id=request.pk, event="withdrawn")
    return request


@transaction.atomic
def request_split(
    *, request: Request, officer: User, datasets: Iterable[Dataset], reason: str
) -> Request:
    """Move `datasets` out of `request` into a new request of the same type,
    received at the same time (same deadline), so that each part can be
    decided on its own. Returns the new request."""
    _not_own(request, officer)
    if request.status not in {S.AWAITING_APPROVAL, S.IDENTITY_CONFIRMED}:
        raise RequestRefused("Only a request awaiting a decision can be split.")
    if not reason.strip():
        raise RequestRefused("Say why the request is split.")
    reached = scope_datasets(
        employee=request.subject,
        all_programs=request.all_programs,
        programs=request.programs.all(),
        datasets=request.datasets.all(),
    )
    moving = {d.pk for d in datasets}
    if not moving or not moving < {d.pk for d in reached}:
        raise RequestRefused(
            "Choose some, not all, of the request's datasets to split off."
        )
    split = request_file(
        subject=request.subject,
        kind=request.kind,
        filed_by=officer,
        channel=RequestChannel.OFFICER,
        all_programs=False,
        datasets=[d for d in reached if d.pk in moving],
        text=request.text,
        details=request.details,
        parent=request,
        received_at=request.received_at,
    )
    Request.objects.filter(pk=split.pk).update(due_at=request.due_at)
    Request.objects.filter(pk=request.pk).update(all_programs=False)
    request.programs.clear()
    request.datasets.set([d for d in reached if d.pk not in moving])
    split = request_confirm_identity(
        request=split, officer=officer, reason=f"Split from the request: {reason}"
    )
    return split
