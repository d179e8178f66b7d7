"""Writing the audit log. Insert only: nothing here updates or deletes records.

Every append takes the chain lock, reads the head (seq and hash of the last
record) and inserts its records in one statement, chained to that head,
inside one transaction. The lock is held until that transaction commits, so
records are numbered in commit order and two writers can never both extend
the same head. On PostgreSQL the lock is a transaction-scoped advisory lock;
on SQLite the database's write lock, which the settings take at BEGIN
(transaction_mode IMMEDIATE), serialises writers already.
"""

from __future__ import annotations

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

# Any fixed 64-bit number, the same in every process: "candor audit chain".
CHAIN_LOCK_KEY = 0x43414E444F52_0A17
# Aggregates over fewer people would single someone out.
AGGREGATE_MIN_GROUP = 5
SYSTEM_ACTOR_LABEL = "candor"


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


def _lock_chain(using: str) -> tuple[int, str]:
    """Take the chain lock for this transaction; return the head (seq, hash)."""
    connection = connections[using]
    table = connection.ops.quote_name(AuditRecord._meta.db_table)
    head_sql = f"SELECT seq, hash FROM {table} ORDER BY seq DESC LIMIT 1"  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two statements in one round trip (simple query protocol, no
            # parameters). They must stay two: a statement sees what was
            # committed when it began, so the head is read by a statement
            # that starts after the lock is granted, i.e. after the previous
            # holder's commit, never by the statement that waited.
            cursor.execute(
                f"SELECT pg_advisory_xact_lock({CHAIN_LOCK_KEY:d}); {head_sql}"
            )
            cursor.nextset()
        else:
            cursor.execute(head_sql)
        head = cursor.fetchone()
    return (head[0], head[1]) if head else (0, GENESIS_HASH)


@transaction.atomic
def audit_record_many(
    *, entries: Sequence[AuditEntry], using: str = "default"
) -> list[AuditRecord]:
    """Append `entries` to the chain, in order, in one lock and one INSERT.

    Raises ValueError for a detail the chain cannot hash reproducibly, an
    empty purpose, or an aggregate read that names a subject.
    """
    if not entries:
        return []
    for entry in entries:
        _check_entry(entry)
    seq, prev = _lock_chain(using)
    # Taken under the lock, so timestamps never go backwards along the chain.
    now = timezone.now()
    stamp = canonical_timestamp(now)
    records = []
    for entry in entries:
        seq += 1
        record = AuditRecord(
            seq=seq,
            created_at=now,
            actor=entry.actor,
            actor_label=entry.actor.get_username()
            if entry.actor
            else SYSTEM_ACTOR_LABEL,
            subject=entry.subject,
            action=entry.action,
            dataset_key=entry.dataset_key,
            purpose=entry.purpose,
            detail=dict(entry.detail),
            prev_hash=prev,
        )
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
        records.append(record)
    return AuditRecord.objects.using(using).bulk_create(records)


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
