"""What this running deployment has, beyond its settings: the database role
it connects as, its broker, its e-mail and its keys."""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from apps.audit.guards import GUARDED_TABLES
from apps.security.deployment import Finding, settings_findings

NON_DELIVERING_EMAIL = (
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
)
# Keys that default to one derived from SECRET_KEY: one leaked secret must
# not forge audit checkpoints, bundles, certificates and archives at once.
SIGNING_KEYS = (
    "AUDIT_SIGNING_KEY",
    "RIGHTS_EXPORT_KEY",
    "RIGHTS_SIGNING_KEY",
    "REPORTS_SIGNING_KEY",
)


def database_role_problem() -> str | None:
    """Whether the web process's role could rewrite the audit log."""
    if connection.vendor != "postgresql":
        return "SQLite (the embedded default) has no roles: use PostgreSQL"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper FROM pg_catalog.pg_roles"
            " WHERE rolname = current_user"
        )
        role, superuser = cursor.fetchone()
        if superuser:
            return f"connected as {role}, a superuser"
        for table in GUARDED_TABLES:
            cursor.execute(
                "SELECT pg_catalog.has_table_privilege(current_user, %s, 'UPDATE')"
                " OR pg_catalog.has_table_privilege(current_user, %s, 'DELETE')"
                " OR pg_catalog.has_table_privilege(current_user, %s, 'TRUNCATE')"
                " OR pg_catalog.pg_has_role(current_user,"
                " (SELECT tableowner FROM pg_catalog.pg_tables WHERE tablename = %s),"
                " 'USAGE')",
                [table, table, table, table],
            )
            if cursor.fetchone()[0]:
                return f"{role} may UPDATE, DELETE or TRUNCATE {table} (or owns it)"
    return None


def runtime_findings() -> list[Finding]:
    broker = settings.CELERY_BROKER_URL
    email = settings.EMAIL_BACKEND
    missing_keys = [name for name in SIGNING_KEYS if not getattr(settings, name, "")]
    role = database_role_problem()
    return [
        Finding(
            "database",
            "Database role",
            role is None,
            role or "cannot alter the audit log",
        ),
        Finding(
            "broker",
            "Broker",
            not broker.startswith("filesystem"),
            "the filesystem broker (embedded default)"
            if broker.startswith("filesystem")
            else broker.split("://", 1)[0],
        ),
        Finding(
            "email",
            "E-mail",
            email not in NON_DELIVERING_EMAIL,
            f"{email.rsplit('.', 2)[-2]} delivers nothing"
            if email in NON_DELIVERING_EMAIL
            else "delivers",
        ),
        Finding(
            "keys",
            "Signing keys",
            not missing_keys,
            f"unset: {', '.join(missing_keys)}" if missing_keys else "all set",
        ),
    ]


def all_findings() -> list[Finding]:
    return settings_findings() + runtime_findings()
