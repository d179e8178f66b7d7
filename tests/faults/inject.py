"""Checkpoints at steps that live in modules this suite does not edit,
installed in each pool child of a fault test's worker (`celery -I`).

apps.rights.faults.checkpoint is called in the engine's own code wherever
the step is in the rights services (assemble.mid_zip among them: the first
part is in the ZIP, the rest is not); the two steps below sit inside the
SQL connector and a database write, so they are reached from the outside
here, by the same checkpoint names:

- erase.after_batch: a second erasure batch is about to start (the first
  one's transaction is committed);
- assemble.written: the archive is in place, its Export row not yet READY.

Nothing is installed unless CANDOR_FAULT_POINT names one of them.
"""

from __future__ import annotations

from celery.signals import worker_process_init

from apps.rights import faults

OUTSIDE_POINTS = ("erase.after_batch", "assemble.written")


def _after_first_delete() -> None:
    import sqlalchemy as sa

    deletes = []

    @sa.event.listens_for(sa.engine.Engine, "before_cursor_execute")
    def _count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("DELETE"):
            deletes.append(statement)
            if len(deletes) == 2:
                faults.checkpoint("erase.after_batch")


def _before_ready() -> None:
    from django.db.backends.signals import connection_created

    def _ready_update(execute, sql, params, many, context):
        if (
            sql.startswith("UPDATE")
            and '"rights_export"' in sql
            and "ready" in (params or ())
        ):
            faults.checkpoint("assemble.written")
        return execute(sql, params, many, context)

    def _wrap(sender, connection, **kwargs):
        connection.execute_wrappers.append(_ready_update)

    connection_created.connect(_wrap, weak=False)


INSTALLERS = {
    "erase.after_batch": _after_first_delete,
    "assemble.written": _before_ready,
}


@worker_process_init.connect(weak=False)
def _install(**kwargs) -> None:
    installer = INSTALLERS.get(faults.POINT)
    if installer is not None:
        installer()
