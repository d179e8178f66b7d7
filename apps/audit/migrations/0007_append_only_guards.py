"""On PostgreSQL, refuse UPDATE, DELETE and TRUNCATE on records and checkpoints.

Row triggers refuse UPDATE and DELETE, statement triggers refuse TRUNCATE,
whoever asks, including the table's owner (who can still disable them:
docs/audit.md says what production adds, REVOKE, and why both matter).
SQLite has no such guard; verify_audit detects tampering there.
Names are listed in apps.audit.guards (flush lifts the TRUNCATE trigger).
"""

from django.db import migrations

TABLES = ("audit_auditrecord", "audit_auditcheckpoint")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


def add_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # No parameters: the "%" in the message are PL/pgSQL placeholders.
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
        )
        schema_editor.execute(
            f"CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()"
        )


def remove_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS audit_append_only ON {table}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS audit_no_truncate ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_chain_constraints_checkpoints_verifications")]

    operations = [migrations.RunPython(add_guards, remove_guards)]
