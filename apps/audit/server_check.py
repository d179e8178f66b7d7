"""The walk's fast path on PostgreSQL: the database re-hashes its own records.

On PostgreSQL the chain is written by the database (`candor_audit_append`,
migration 0010), which hashes exactly the text built here from the stored
values: the version tag, the numbering, the timestamp, the previous hash and
the body as a jsonb array. One query per stretch of the log recomputes every
hash, checks every link and the numbering, and returns only the first record
that does not fit, so a clean log never crosses the wire row by row.

This is a filter, not the judge: when it finds a suspect, the walk in Python
(apps.audit.verify) re-reads that stretch and names what is wrong, so the
verdicts and their wording are the same on every backend. The functions are
schema-qualified (pg_catalog) so that a function planted earlier on the
search path cannot vouch for an altered record.
"""

from apps.audit.models import AuditRecord

# Records per query: large enough that the round trip is negligible, small
# enough that one query stays well under a second.
STRETCH = 50_000

_CHECK = """
WITH stretch AS (
    SELECT seq, hash,
           seq = coalesce(lag(seq) OVER w, %(after)s) + 1
           AND prev_hash = coalesce(lag(hash) OVER w, %(prev)s)
           AND hash = pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
               'candor-audit-v2|' || seq || '|'
               || pg_catalog.to_char(created_at AT TIME ZONE 'UTC',
                                     'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')
               || '|' || prev_hash || '|'
               || pg_catalog.jsonb_build_array(actor_id, actor_label, subject_id,
                                               action, dataset_key, purpose,
                                               detail)::text,
               'UTF8')), 'hex') AS fits
    FROM {table}
    WHERE seq > %(after)s AND seq <= %(until)s
    WINDOW w AS (ORDER BY seq)
)
SELECT (SELECT seq FROM stretch WHERE NOT fits ORDER BY seq LIMIT 1),
       (SELECT count(*) FROM stretch),
       (SELECT seq FROM stretch ORDER BY seq DESC LIMIT 1),
       (SELECT hash FROM stretch ORDER BY seq DESC LIMIT 1)
"""


def check_stretch(connection, *, after: int, prev: str, until: int):
    """Records after #after up to #until, the one before them hashing to
    `prev`: (first suspect seq or None, records, last seq, last hash)."""
    table = connection.ops.quote_name(AuditRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            _CHECK.format(table=table),
            {"after": after, "prev": prev, "until": until},
        )
        return cursor.fetchone()


def checkpoint_suspects(connection, checkpoints: dict) -> set[int]:
    """Sequence numbers whose stored hash differs from their checkpoint's
    (a checkpoint whose record is gone is the walk's removal check)."""
    if not checkpoints:
        return set()
    stored = dict(
        AuditRecord.objects.using(connection.alias)
        .filter(seq__in=list(checkpoints))
        .values_list("seq", "hash")
    )
    return {
        seq
        for seq, checkpoint in checkpoints.items()
        if seq in stored and stored[seq] != checkpoint.record_hash
    }
