"""On PostgreSQL, a chained append becomes one statement: candor_audit_append().

The function takes the chain lock, reads the head, hashes each record in
the canonical form version 2 (apps.audit.chain) and inserts them all in one
INSERT. Called by apps.audit.services with one SELECT: in autocommit that is
one round trip (the statement is its own transaction, and the lock is
released when it commits); inside a caller's transaction it joins it, and
the lock is held until that commits.

Its argument is a JSON array with one element per record, each element the
record's BODY itself, [actor_id, actor_label, subject_id, action,
dataset_key, purpose, detail]: the database hashes the text it renders of
the very values it then stores, so what is hashed and what is stored can
never differ. Elements of any other shape are refused.

It is VOLATILE (the default), so each statement in it takes a fresh
snapshot: the head is read after the lock is granted, i.e. after the previous
holder committed. SECURITY INVOKER (the default): it can do nothing the
caller's role could not (INSERT and SELECT on the table). SQLite appends in
Python (apps.audit.services), with the same hash.
"""

from django.db import migrations

# 4846240729322883607 = 0x43414E444F520A17, "CANDOR" and "audit chain": any
# fixed 64-bit number works, as long as every writer uses the same one.
CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION candor_audit_append(records jsonb)
RETURNS TABLE (
    record_id bigint,
    record_seq bigint,
    record_created_at timestamptz,
    record_prev_hash text,
    record_hash text
)
LANGUAGE plpgsql VOLATILE
-- The INSERT's plan depends on the argument only through estimates: a
-- generic plan is as good, and replanning on every call cost as much as
-- the INSERT itself.
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    n integer;
    body jsonb;
    head_seq bigint;
    head_hash text;
    stamp timestamptz;
    stamp_text text;
    prevs text[] := '{}';
    hashes text[] := '{}';
BEGIN
    IF jsonb_typeof(records) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'candor_audit_append: records must be a JSON array'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    n := jsonb_array_length(records);
    IF n = 0 THEN
        RETURN;
    END IF;
    FOR k IN 0 .. n - 1 LOOP
        body := records -> k;
        IF jsonb_typeof(body) IS DISTINCT FROM 'array'
           OR jsonb_array_length(body) <> 7
           OR jsonb_typeof(body -> 0) NOT IN ('number', 'null')
           OR jsonb_typeof(body -> 1) <> 'string'
           OR jsonb_typeof(body -> 2) NOT IN ('number', 'null')
           OR jsonb_typeof(body -> 3) <> 'string'
           OR jsonb_typeof(body -> 4) <> 'string'
           OR jsonb_typeof(body -> 5) <> 'string'
           OR jsonb_typeof(body -> 6) <> 'object' THEN
            RAISE EXCEPTION 'candor_audit_append: record % is not [actor_id, '
                'actor_label, subject_id, action, dataset_key, purpose, detail]', k
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END LOOP;
    PERFORM pg_advisory_xact_lock(4846240729322883607);
    -- A statement of its own, after the lock: it sees the last holder's commit.
    SELECT r.seq, r.hash INTO head_seq, head_hash
        FROM audit_auditrecord AS r ORDER BY r.seq DESC LIMIT 1;
    head_seq := coalesce(head_seq, 0);
    head_hash := coalesce(head_hash, repeat('0', 64));
    -- Taken under the lock, so timestamps never go backwards along the chain.
    stamp := clock_timestamp();
    stamp_text := to_char(
        stamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'
    );
    FOR k IN 1 .. n LOOP
        prevs[k] := head_hash;
        head_hash := encode(sha256(convert_to(
            'candor-audit-v2|' || (head_seq + k) || '|' || stamp_text || '|'
            || head_hash || '|' || (records -> (k - 1))::text,
            'UTF8'
        )), 'hex');
        hashes[k] := head_hash;
    END LOOP;
    RETURN QUERY
    INSERT INTO audit_auditrecord AS r (
        seq, created_at, actor_id, actor_label, subject_id, action,
        dataset_key, purpose, detail, prev_hash, hash
    )
    SELECT head_seq + e.k, stamp, (e.body ->> 0)::bigint, e.body ->> 1,
           (e.body ->> 2)::bigint, e.body ->> 3, e.body ->> 4, e.body ->> 5,
           e.body -> 6, prevs[e.k], hashes[e.k]
    FROM jsonb_array_elements(records) WITH ORDINALITY AS e(body, k)
    -- Ids in chain order: the verifier reads the order of writing from them.
    ORDER BY e.k
    RETURNING r.id, r.seq::bigint, r.created_at, r.prev_hash::text, r.hash::text;
END;
$$;
"""

DROP_FUNCTION = "DROP FUNCTION IF EXISTS candor_audit_append(jsonb)"


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # No parameters: the "%" in the message is a PL/pgSQL placeholder.
    schema_editor.execute(CREATE_FUNCTION, params=None)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP_FUNCTION, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0009_rights_audit_actions")]

    operations = [migrations.RunPython(create_function, drop_function)]
