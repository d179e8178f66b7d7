"""`manage.py check_deployment`: what this deployment is missing, and the
database roles of apps/security/sql/roles.sql really guard the audit log."""

import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from apps.security.runtime import database_role_problem

ROLES_SQL = Path(__file__).resolve().parents[2] / "apps/security/sql/roles.sql"
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles are PostgreSQL's"
)


def _run(capsys) -> tuple[int, dict[str, str]]:
    try:
        call_command("check_deployment")
        code = 0
    except CommandError as exc:
        code = exc.returncode
    out = capsys.readouterr().out
    rows = {}
    for line in out.splitlines():
        status, _, rest = line.partition(" ")
        if status in ("OK", "MISSING"):
            rows[rest.strip().split("  ")[0]] = status
    return code, rows


@pytest.mark.django_db
def test_the_embedded_default_is_reported_missing(capsys, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.AUDIT_SIGNING_KEY = ""
    code, rows = _run(capsys)
    assert code == 1
    assert rows["E-mail"] == "MISSING"
    assert rows["Signing keys"] == "MISSING"
    assert rows["Cookies"] == "MISSING"
    assert rows["Database role"] == "MISSING"  # a superuser, or SQLite
    assert rows["LoginRequiredMiddleware"] == "OK"
    assert rows["Content-Security-Policy"] == "OK"


@pytest.mark.django_db
def test_the_broker_row_tells_filesystem_from_redis(capsys, settings):
    settings.CELERY_BROKER_URL = "filesystem://"
    assert _run(capsys)[1]["Broker"] == "MISSING"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    assert _run(capsys)[1]["Broker"] == "OK"


@on_postgresql
@pytest.mark.django_db
def test_a_superuser_connection_is_reported():
    assert "a superuser" in database_role_problem()


@pytest.fixture
def web_role(db):
    """roles.sql applied to the test database under role names of this test
    (roles are cluster-wide). PostgreSQL's DDL is transactional: the test's
    rollback removes the roles with everything else."""
    suffix = uuid.uuid4().hex[:8]
    names = {
        n: f"{n}_t{suffix}" for n in ("candor_migrate", "candor_web", "candor_worker")
    }
    sql = ROLES_SQL.read_text()
    for name, test_name in names.items():
        sql = sql.replace(name, test_name)
    with connection.cursor() as cursor:
        cursor.execute(sql)
    return names["candor_web"]


@on_postgresql
def test_the_web_role_cannot_change_the_audit_log(web_role, alice):
    from apps.audit.models import AuditAction
    from apps.audit.services import audit_record_access

    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {web_role}")
        try:
            assert database_role_problem() is None
            # Appending (candor_audit_append) is what the role may do.
            audit_record_access(
                actor=alice.user,
                subject=alice,
                action=AuditAction.READ_COUNTS,
                purpose="test",
            )
            for statement in (
                "UPDATE audit_auditrecord SET purpose = 'rewritten'",
                "DELETE FROM audit_auditrecord",
                "TRUNCATE audit_auditrecord",
                "UPDATE audit_auditcheckpoint SET seq = seq",
            ):
                with pytest.raises(ProgrammingError, match="permission denied"):
                    with transaction.atomic():
                        cursor.execute(statement)
            # What the web process does need still works.
            cursor.execute("SELECT count(*) FROM audit_auditrecord")
            assert cursor.fetchone()[0] >= 1
            cursor.execute(
                "UPDATE people_employee SET full_name = 'Alice A.' WHERE id = %s",
                [alice.pk],
            )
        finally:
            cursor.execute("RESET ROLE")
    alice.refresh_from_db()
    assert alice.full_name == "Alice A."
