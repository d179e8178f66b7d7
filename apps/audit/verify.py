"""Walking the chain: the first record altered, removed or inserted, by name.

The walk reads the log in sequence order in keyset batches (constant memory,
no long-lived cursor, the same on SQLite, PostgreSQL and behind a pooler),
takes each timestamp in canonical form straight from the database, and
hashes with hashlib: ORM objects would cost more than the hashing.

At the first record that does not fit, it stops and says what the evidence
shows (docs/audit.md, "What verify_audit reports"):

- a jump in the numbering whose record does not link to the one before:
  records were removed;
- a record whose content no longer gives its hash: it was altered;
- a record linking to a record further back than its predecessor: the
  records in between were inserted out of order (the first is named);
- a record that is intact but does not link to its predecessor, which no
  record links to: the predecessor was altered and its hash rewritten.

Checkpoints are checked too: their signatures, the hash of the record each
one covers, and that no checkpoint covers a record that is gone.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connections

from apps.audit.chain import GENESIS_HASH, canonical_text
from apps.audit.models import AuditCheckpoint, AuditRecord
from apps.audit.server_check import STRETCH, check_stretch, checkpoint_suspects
from apps.audit.signing import checkpoint_signature_problem

BATCH = 5_000

ALTERED = "altered"
REMOVED = "removed"
INSERTED = "inserted"
CHECKPOINT = "checkpoint"


@dataclass(frozen=True)
class ChainReport:
    """What a walk found. `problem` is "" when the chain is intact."""

    records: int
    last_seq: int | None
    last_hash: str
    checkpoints: int
    last_checkpoint: AuditCheckpoint | None
    problem: str = ""
    problem_seq: int | None = None
    kind: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


class _Broken(Exception):
    def __init__(self, kind: str, seq: int | None, message: str) -> None:
        super().__init__(message)
        self.kind, self.seq, self.message = kind, seq, message


def _timestamp_sql(vendor: str) -> str:
    """SQL giving created_at in the chain's canonical text form."""
    if vendor == "postgresql":
        return (
            "to_char(created_at AT TIME ZONE 'UTC', "
            '\'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"\')'
        )
    # Django keeps SQLite datetimes as UTC text, without the fraction when
    # it is zero: "2026-11-22 16:15:00.000042" or "2026-11-22 16:15:00".
    return (
        "replace(CASE WHEN length(created_at) = 19 THEN created_at || '.000000' "
        "ELSE created_at END, ' ', 'T') || '+00:00'"
    )


def _rows(connection, *, after: int, upto: int) -> Iterator[tuple]:
    """Records after #after up to #upto, in order, BATCH numbers at a time.

    Each query asks for a range of sequence numbers rather than for "the
    next BATCH rows": the planner sees a small range (an index scan, a sort
    that fits in memory) however stale its statistics, and a gap in the
    numbering simply yields fewer rows.
    """
    table = connection.ops.quote_name(AuditRecord._meta.db_table)
    sql = (
        f"SELECT seq, {_timestamp_sql(connection.vendor)}, actor_id, actor_label, "  # noqa: S608
        "subject_id, action, dataset_key, purpose, detail, prev_hash, hash "
        f"FROM {table} WHERE seq > %s AND seq <= %s ORDER BY seq"
    )
    with connection.cursor() as cursor:
        while after < upto:
            until = min(after + BATCH, upto)
            cursor.execute(sql, [after, until])
            yield from cursor.fetchall()
            after = until


def chain_walk(*, using: str = "default", from_checkpoint: bool = False) -> ChainReport:
    """Verify the whole chain, or only what follows the newest checkpoint.

    With `from_checkpoint`, the walk starts at the newest checkpoint whose
    signature verifies and trusts the records it covers (checked by the
    last full walk); the daily task walks everything.
    """
    connection = connections[using]
    checkpoints = list(AuditCheckpoint.objects.using(using).order_by("seq"))
    last_checkpoint = checkpoints[-1] if checkpoints else None
    head = (
        AuditRecord.objects.using(using)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
        or 0
    )
    state = {"records": 0, "seq": 0, "hash": GENESIS_HASH}
    try:
        _check_signatures(checkpoints)
        start = checkpoints[-1] if (from_checkpoint and checkpoints) else None
        if start is not None:
            _start_at(connection, start, state)
        _walk(connection, state, head, {c.seq: c for c in checkpoints})
        _check_tail(checkpoints, state)
    except _Broken as broken:
        return ChainReport(
            records=state["records"],
            last_seq=state["seq"] or None,
            last_hash=state["hash"],
            checkpoints=len(checkpoints),
            last_checkpoint=last_checkpoint,
            problem=broken.message,
            problem_seq=broken.seq,
            kind=broken.kind,
        )
    return ChainReport(
        records=state["records"],
        last_seq=state["seq"] or None,
        last_hash=state["hash"],
        checkpoints=len(checkpoints),
        last_checkpoint=last_checkpoint,
    )


def _check_signatures(checkpoints: list[AuditCheckpoint]) -> None:
    for checkpoint in checkpoints:
        problem = checkpoint_signature_problem(
            seq=checkpoint.seq,
            record_hash=checkpoint.record_hash,
            signed_at=checkpoint.signed_at,
            kid=checkpoint.key_id,
            signature=checkpoint.signature,
        )
        if problem:
            raise _Broken(
                CHECKPOINT,
                checkpoint.seq,
                f"Checkpoint at record #{checkpoint.seq} (signed "
                f"{checkpoint.signed_at.isoformat()}) is forged or altered: {problem}.",
            )


def _start_at(connection, checkpoint: AuditCheckpoint, state: dict) -> None:
    stored = (
        AuditRecord.objects.using(connection.alias)
        .filter(seq=checkpoint.seq)
        .values_list("hash", flat=True)
        .first()
    )
    if stored != checkpoint.record_hash:
        raise _Broken(
            ALTERED,
            checkpoint.seq,
            f"Record #{checkpoint.seq} no longer has the hash its checkpoint "
            "signed: the log up to it was rewritten or removed.",
        )
    state.update(seq=checkpoint.seq, hash=checkpoint.record_hash)


def _walk(connection, state: dict, head: int, checkpoints: dict) -> None:
    """Walk from state["seq"] to `head`: on PostgreSQL the database checks
    each stretch (apps.audit.server_check) and Python re-reads only a
    stretch with a suspect; elsewhere Python reads everything."""
    if connection.vendor != "postgresql":
        _walk_in_python(connection, state, head, checkpoints)
        return
    suspects = checkpoint_suspects(connection, checkpoints)
    end = state["seq"]
    while end < head:
        end = min(end + STRETCH, head)
        suspect, count, last_seq, last_hash = check_stretch(
            connection, after=state["seq"], prev=state["hash"], until=end
        )
        if suspect is None and not any(state["seq"] < s <= end for s in suspects):
            if count:
                state.update(
                    records=state["records"] + count, seq=last_seq, hash=last_hash
                )
            continue
        # Python names the problem (or, if the filter was wrong, walks on).
        _walk_in_python(connection, state, end, checkpoints)


def _walk_in_python(connection, state: dict, head: int, checkpoints: dict) -> None:
    # Locals, not attribute lookups: this loop runs once per record. The
    # detail arrives as text already in canonical form (apps.audit.chain).
    text, sha256 = canonical_text, hashlib.sha256
    expected, prev, count = state["seq"] + 1, state["hash"], state["records"]
    try:
        for row in _rows(connection, after=state["seq"], upto=head):
            seq, stamp, actor, label, subject, action, dataset, purpose = row[:8]
            detail, prev_hash, stored = row[8], row[9], row[10]
            fields = [actor, label, subject, action, dataset, purpose]
            computed = sha256(
                text(seq, stamp, prev_hash, fields, detail).encode()
            ).hexdigest()
            if seq != expected or prev_hash != prev or computed != stored:
                _diagnose(connection, row, expected, prev, computed)
            if seq in checkpoints and checkpoints[seq].record_hash != stored:
                raise _Broken(
                    ALTERED,
                    seq,
                    f"Record #{seq} does not have the hash signed by its "
                    "checkpoint: the log up to it was rewritten.",
                )
            expected, prev, count = seq + 1, stored, count + 1
    finally:
        state.update(records=count, seq=expected - 1, hash=prev)


def _diagnose(connection, row: tuple, expected: int, prev: str, computed: str) -> None:
    """Name the first bad record from what the evidence shows; always raises."""
    seq, prev_hash, stored = row[0], row[9], row[10]
    links_back = prev_hash == prev
    if seq != expected and not links_back:
        last = f"#{seq - 1}" if seq - 1 > expected else ""
        removed = f"#{expected}" + (f" to {last}" if last else "")
        raise _Broken(
            REMOVED,
            expected,
            f"Record {removed} was removed: the log goes from "
            f"#{expected - 1} to #{seq}.",
        )
    if seq == expected and not links_back:
        target = (
            AuditRecord.objects.using(connection.alias)
            .filter(hash=prev_hash)
            .values_list("seq", flat=True)
            .first()
        )
        if target is not None and target < expected - 1:
            _name_insertion(connection, seq=seq, target=target)
        if computed == stored and expected > 1:
            raise _Broken(
                ALTERED,
                expected - 1,
                f"Record #{expected - 1} was altered and its hash rewritten: "
                f"record #{seq} no longer links to it.",
            )
    raise _Broken(
        ALTERED,
        seq,
        f"Record #{seq} was altered: its content no longer matches its hash"
        + ("." if links_back else ", and it does not link to the record before it."),
    )


def _name_insertion(connection, *, seq: int, target: int) -> None:
    """Record `seq` links to #target, skipping the records in between.

    Ids follow the order records were written in (they are taken under the
    chain lock), so whichever side was written later is the intruder: the
    records in between if they are newer than `seq`, else `seq` itself.
    """
    ids = dict(
        AuditRecord.objects.using(connection.alias)
        .filter(seq__in=[seq, target + 1])
        .values_list("seq", "id")
    )
    if ids[target + 1] > ids[seq]:
        raise _Broken(
            INSERTED,
            target + 1,
            f"Record #{target + 1} was inserted out of order: record #{seq} "
            f"links to #{target}, so #{target + 1} to #{seq - 1} were not in "
            "the chain when it was written.",
        )
    raise _Broken(
        INSERTED,
        seq,
        f"Record #{seq} is forged or replayed: it links to #{target}, "
        f"not to #{seq - 1}, and was written after both.",
    )


def _check_tail(checkpoints: list[AuditCheckpoint], state: dict) -> None:
    if checkpoints and checkpoints[-1].seq > state["seq"]:
        missing = state["seq"] + 1
        raise _Broken(
            REMOVED,
            missing,
            f"Records #{missing} to #{checkpoints[-1].seq} were removed: a "
            f"checkpoint covers #{checkpoints[-1].seq} but the log ends at "
            f"#{state['seq']}.",
        )
