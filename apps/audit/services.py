"""Writing the audit log. Insert only: nothing here updates or deletes records.

Every append takes the chain lock, reads the head (seq and hash of the last
record) and inserts its records in one statement, chained to that head,
inside one transaction. The lock is held until that transaction commits, so
records are numbered in commit order and two writers can never both extend
the same head.

On PostgreSQL all of that is one function in the database,
candor_audit_append() (migration 0010), called with one SELECT: outside a
transaction the statement is its own transaction, so an append is one round
trip; inside the caller's transaction it joins it. The lock is a
transaction-scoped advisory lock. On SQLite the append is done here, in a
transaction whose database write lock, taken at BEGIN (the settings'
transaction_mode IMMEDIATE), serialises writers already. Both compute the
same hash (apps.audit.chain).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from apps.audit.chain import (
    GENESIS_HASH,
    canonical_timestamp,
    check_detail,
    record_hash,
)
from apps.audit.emails import send_template_mail
from apps.audit.guards import APPEND_FUNCTION
from apps.audit.models import (
    AuditAction,
    AuditCheckpoint,
    AuditRecord,
    AuditVerification,
)
from apps.audit.selectors import audit_officers
from apps.audit.signing import checkpoint_sign
from apps.audit.verify import ChainReport, chain_walk
from apps.people.models import Employee, User

# Aggregates over fewer people would single someone out.
AGGREGATE_MIN_GROUP = 5
SYSTEM_ACTOR_LABEL = "candor"

# One statement. Its argument is a JSON array of the records' BODYs
# (apps.audit.chain), which the database hashes and stores: one string to
# quote, where seven arrays cost more to adapt than the INSERT takes to run.
_APPEND_SQL = (
    "SELECT record_id, record_seq, record_created_at, record_prev_hash, "  # noqa: S608
    f"record_hash FROM {APPEND_FUNCTION}(%s::jsonb)"
)
_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


@dataclass(frozen=True)
class AuditEntry:
    """One record to append: who did what to whose data, and why.

    `detail` holds metadata only (ids, counts, keys), never data values; put
    a case or request under detail["case_id"] or detail["request_id"], and
    the department of an aggregate under detail["department_id"]. `actor`
    is None for Candor's own scheduled work.
    """

    actor: User | None
    subject: Employee | None
    action: str
    purpose: str
    dataset_key: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def audit_record_many(
    *, entries: Sequence[AuditEntry], using: str = "default"
) -> list[AuditRecord]:
    """Append `entries` to the chain, in order, in one lock and one INSERT.

    Atomic on its own, without @transaction.atomic: on PostgreSQL it is one
    statement, which a decorator's BEGIN and COMMIT would turn into three
    round trips; on SQLite it opens its own transaction. Inside a caller's
    transaction the records commit or roll back with it; on PostgreSQL no
    savepoint is made, so a database error here aborts the caller's
    transaction (wrap the call in atomic() to survive one). Raises ValueError,
    before touching the database, for a detail the chain cannot hash
    reproducibly, an empty purpose, or an aggregate read that names a subject.
    """
    if not entries:
        return []
    for entry in entries:
        _check_entry(entry)
    records = [_unsaved(entry) for entry in entries]
    if connections[using].vendor == "postgresql":
        _append_in_database(records, using=using)
    else:
        _append_here(records, using=using)
    return records


def _unsaved(entry: AuditEntry) -> AuditRecord:
    return AuditRecord(
        actor=entry.actor,
        actor_label=_actor_label(entry.actor),
        subject=entry.subject,
        action=entry.action,
        dataset_key=entry.dataset_key,
        purpose=entry.purpose,
        detail=dict(entry.detail),
    )


def _append_in_database(records: list[AuditRecord], *, using: str) -> None:
    """Chain and insert `records` with candor_audit_append(): one statement."""
    bodies = _JSON.encode(
        [
            [
                r.actor_id,
                r.actor_label,
                r.subject_id,
                r.action,
                r.dataset_key,
                r.purpose,
                r.detail,
            ]
            for r in records
        ]
    )
    with connections[using].cursor() as cursor:
        cursor.execute(_APPEND_SQL, [bodies])
        rows = cursor.fetchall()
    if len(rows) != len(records):
        raise RuntimeError(f"{APPEND_FUNCTION} returned {len(rows)} rows.")
    for record, row in zip(records, rows, strict=True):
        record.pk, record.seq, record.created_at, record.prev_hash, record.hash = row
        record._state.adding, record._state.db = False, using


@transaction.atomic
def _append_here(records: list[AuditRecord], *, using: str) -> None:
    """Chain and insert `records` in Python, under the database's write lock.

    The transaction began with BEGIN IMMEDIATE (settings), so the lock is
    held from before the head is read until the commit.
    """
    table = connections[using].ops.quote_name(AuditRecord._meta.db_table)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT seq, hash FROM {table} ORDER BY seq DESC LIMIT 1")  # noqa: S608
        head = cursor.fetchone()
    seq, prev = (head[0], head[1]) if head else (0, GENESIS_HASH)
    # Taken under the lock, so timestamps never go backwards along the chain.
    now = timezone.now()
    stamp = canonical_timestamp(now)
    for record in records:
        seq += 1
        record.seq, record.created_at, record.prev_hash = seq, now, prev
        record.hash = prev = record_hash(
            seq=seq,
            created_at=stamp,
            actor_id=record.actor_id,
            actor_label=record.actor_label,
            subject_id=record.subject_id,
            action=record.action,
            dataset_key=record.dataset_key,
            purpose=record.purpose,
            detail=record.detail,
            prev_hash=record.prev_hash,
        )
    AuditRecord.objects.using(using).bulk_create(records)


def _actor_label(actor: User | None) -> str:
    return actor.get_username() if actor is not None else SYSTEM_ACTOR_LABEL


def _check_entry(entry: AuditEntry) -> None:
    if not entry.purpose.strip():
        raise ValueError("An audit record needs a purpose.")
    check_detail(entry.detail)
    if entry.action == AuditAction.READ_AGGREGATE and entry.subject is not None:
        raise ValueError("An aggregate read concerns a group, not one subject.")


def audit_record_access(
    *,
    actor: User | None,
    subject: Employee | None,
    action: str,
    purpose: str,
    dataset_key: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append one record to the chain (see audit_record_many)."""
    entry = AuditEntry(
        actor=actor,
        subject=subject,
        action=action,
        purpose=purpose,
        dataset_key=dataset_key,
        detail=detail or {},
    )
    return audit_record_many(entries=[entry])[0]


def audit_aggregate_entry(
    *,
    actor: User,
    purpose: str,
    group: str,
    group_size: int,
    dataset_key: str = "",
    department_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """The record of a read of figures about a group (a dashboard, a report).

    Raises ValueError for a group of fewer than AGGREGATE_MIN_GROUP people:
    figures about so few are an individual read and must be audited as one.
    Employees of `department_id` see the read on their access log.
    """
    if group_size < AGGREGATE_MIN_GROUP:
        raise ValueError(
            f"An aggregate covers at least {AGGREGATE_MIN_GROUP} people, "
            f"not {group_size}."
        )
    extra = {"group": group, "group_size": group_size, **(detail or {})}
    if department_id is not None:
        extra["department_id"] = department_id
    return AuditEntry(
        actor=actor,
        subject=None,
        action=AuditAction.READ_AGGREGATE,
        purpose=purpose,
        dataset_key=dataset_key,
        detail=extra,
    )


@transaction.atomic
def audit_checkpoint_create(*, report: ChainReport) -> AuditCheckpoint | None:
    """Sign the head `report` verified, unless a checkpoint already covers it.

    Only an intact walk may be signed: a signature over a tampered chain
    would vouch for the tampering.
    """
    if not report.ok:
        raise ValueError(f"Refusing to sign a broken chain: {report.problem}")
    if report.last_seq is None:
        return None
    if AuditCheckpoint.objects.filter(seq__gte=report.last_seq).exists():
        return None
    signed_at = timezone.now()
    kid, signature = checkpoint_sign(
        seq=report.last_seq, record_hash=report.last_hash, signed_at=signed_at
    )
    try:
        with transaction.atomic():
            return AuditCheckpoint.objects.create(
                seq=report.last_seq,
                record_hash=report.last_hash,
                signed_at=signed_at,
                key_id=kid,
                signature=signature,
            )
    except IntegrityError:
        # Another run signed the same head a moment ago: one is enough.
        return None


def audit_chain_verify(
    *, from_checkpoint: bool = False, alert: bool = False
) -> AuditVerification:
    """Walk the chain, sign a checkpoint if it is intact, record the run.

    With `alert`, a broken chain is e-mailed to every officer who may read the
    audit log (audit_failure_alert). `from_checkpoint` walks only what follows
    the newest checkpoint (the hourly run); without it, everything.
    """
    started_at = timezone.now()
    report = chain_walk(from_checkpoint=from_checkpoint)
    checkpoint = audit_checkpoint_create(report=report) if report.ok else None
    verification = AuditVerification.objects.create(
        started_at=started_at,
        finished_at=timezone.now(),
        ok=report.ok,
        records=report.records,
        last_seq=report.last_seq,
        message=report.problem or _summary(report, checkpoint),
        problem_seq=report.problem_seq,
        checkpoint=checkpoint,
    )
    if alert and not report.ok:
        audit_failure_alert(verification=verification)
    return verification


def _summary(report: ChainReport, checkpoint: AuditCheckpoint | None) -> str:
    latest = checkpoint or report.last_checkpoint
    signed = (
        f"last checkpoint #{latest.seq} signed {latest.signed_at.isoformat()}"
        if latest
        else "no checkpoint yet"
    )
    return f"{report.records} records, chain intact, {signed}."


def audit_failure_alert(*, verification: AuditVerification) -> int:
    """E-mail a failed verification to the officers; return how many were sent."""
    officers = audit_officers()
    context = {"verification": verification}
    return send_template_mail(
        "audit/emails/verification_failed",
        context,
        [officer.email for officer in officers],
    )
