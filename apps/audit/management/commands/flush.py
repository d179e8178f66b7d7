"""Django's flush, able to empty the audit tables it is asked to empty.

On PostgreSQL a trigger refuses TRUNCATE on the audit tables. `flush`
(which Django's test runner also runs between transactional tests) lifts
that trigger inside its own transaction, so no other session ever sees the
table unguarded. Lifting it takes ALTER TABLE, i.e. owning the table: in
production the application's role owns nothing and holds no TRUNCATE
(docs/audit.md), so flush fails there, as it should.

The trigger is lifted only when settings.AUDIT_ALLOW_FLUSH is true, which
only the test session sets: on any other database, even one the portal's
role owns, `manage.py flush` stays refused rather than wiping the log.
"""

from contextlib import contextmanager

from django.conf import settings
from django.core.management.commands import flush
from django.db import connections, transaction

from apps.audit.guards import GUARDED_TABLES, TRUNCATE_TRIGGER


@contextmanager
def _truncate_allowed(using: str):
    connection = connections[using]
    if connection.vendor != "postgresql" or not settings.AUDIT_ALLOW_FLUSH:
        yield
        return
    quote = connection.ops.quote_name
    with transaction.atomic(using=using):
        existing = set(connection.introspection.table_names())
        tables = [table for table in GUARDED_TABLES if table in existing]
        trigger = quote(TRUNCATE_TRIGGER)
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER {trigger}")
        yield
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ALTER TABLE {quote(table)} ENABLE TRIGGER {trigger}")


class Command(flush.Command):
    def handle(self, **options) -> None:
        with _truncate_allowed(options["database"]):
            super().handle(**options)
