"""The database refuses an illegal status change of a request, whatever
writes it (the same table as apps.rights.lifecycle.TRANSITIONS, frozen here),
and a request that does not start as submitted."""

from django.db import migrations

PAIRS = [
    "awaiting_approval>awaiting_subject",
    "awaiting_approval>in_progress",
    "awaiting_approval>refused",
    "awaiting_approval>withdrawn",
    "awaiting_subject>awaiting_approval",
    "awaiting_subject>identity_confirmed",
    "awaiting_subject>refused",
    "awaiting_subject>submitted",
    "awaiting_subject>withdrawn",
    "identity_confirmed>awaiting_approval",
    "identity_confirmed>awaiting_subject",
    "identity_confirmed>in_progress",
    "identity_confirmed>refused",
    "identity_confirmed>withdrawn",
    "in_progress>completed",
    "in_progress>partially_completed",
    "submitted>awaiting_subject",
    "submitted>identity_confirmed",
    "submitted>refused",
    "submitted>withdrawn",
]


def _in_list() -> str:
    return ", ".join(f"'{p}'" for p in PAIRS)


POSTGRES_UP = f"""
CREATE FUNCTION rights_request_status_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'submitted' THEN
            RAISE EXCEPTION 'a request starts as submitted, not %', NEW.status
                USING ERRCODE = 'check_violation';
        END IF;
    ELSIF NEW.status IS DISTINCT FROM OLD.status
        AND (OLD.status || '>' || NEW.status) NOT IN ({_in_list()}) THEN
        RAISE EXCEPTION 'illegal request transition % -> %', OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER rights_request_status_guard
    BEFORE INSERT OR UPDATE OF status ON rights_request
    FOR EACH ROW EXECUTE FUNCTION rights_request_status_guard();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS rights_request_status_guard ON rights_request;
DROP FUNCTION IF EXISTS rights_request_status_guard();
"""
SQLITE_UP = [
    """
    CREATE TRIGGER rights_request_status_insert BEFORE INSERT ON rights_request
    WHEN NEW.status <> 'submitted'
    BEGIN SELECT RAISE(ABORT, 'a request starts as submitted'); END;
    """,
    f"""
    CREATE TRIGGER rights_request_status_update
    BEFORE UPDATE OF status ON rights_request
    WHEN NEW.status <> OLD.status
        AND (OLD.status || '>' || NEW.status) NOT IN ({_in_list()})
    BEGIN SELECT RAISE(ABORT, 'illegal request transition'); END;
    """,
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS rights_request_status_insert;",
    "DROP TRIGGER IF EXISTS rights_request_status_update;",
]


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("rights", "0001_requests_jobs_outputs")]

    operations = [migrations.RunPython(up, down)]
