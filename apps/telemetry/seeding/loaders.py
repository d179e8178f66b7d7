"""Bulk loading of generated rows: COPY on PostgreSQL, executemany on SQLite.

Both consume an iterator, so memory holds one batch at a time however many
rows a table receives. Rows carry explicit ids (see rows.py); after loading,
reset_sequences() moves PostgreSQL's sequences past them.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from itertools import islice
from typing import Protocol

from django.core.management.color import no_style
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


def columns(model: type[models.Model]) -> list[str]:
    """The model's columns in the order generated rows hold them."""
    return [f.column for f in model._meta.concrete_fields]


class BulkLoader(Protocol):
    def load(self, model: type[models.Model], rows: Iterable[tuple]) -> int:
        """Insert ``rows`` into the model's table; returns how many."""
        ...


class PostgresCopyLoader:
    """Streams rows through COPY ... FROM STDIN (psycopg 3)."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def load(self, model: type[models.Model], rows: Iterable[tuple]) -> int:
        quote = self.connection.ops.quote_name
        statement = "COPY {} ({}) FROM STDIN".format(
            quote(model._meta.db_table), ", ".join(quote(c) for c in columns(model))
        )
        written = 0
        with self.connection.cursor() as cursor:
            # Django's wrapper has no copy(); the psycopg cursor beneath does.
            with cursor.cursor.copy(statement) as copy:
                write_row = copy.write_row
                for row in rows:
                    write_row(row)
                    written += 1
        return written


class SqliteBatchLoader:
    """executemany in large batches, inside the caller's transaction."""

    batch_size = 20_000

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def load(self, model: type[models.Model], rows: Iterable[tuple]) -> int:
        quote = self.connection.ops.quote_name
        names = columns(model)
        # Table and column names come from the model and are quoted.
        statement = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(model._meta.db_table),
            ", ".join(quote(c) for c in names),
            ", ".join(["?"] * len(names)),
        )
        stamps = [
            n
            for n, f in enumerate(model._meta.concrete_fields)
            if isinstance(f, models.DateTimeField)
        ]
        prepared = (_sqlite_row(row, stamps) for row in rows) if stamps else rows
        written = 0
        # The raw sqlite3 connection: Django's cursor would rewrite "%s"
        # placeholders and wrap every batch, which costs time and buys nothing.
        self.connection.ensure_connection()
        raw = self.connection.connection
        while batch := list(islice(prepared, self.batch_size)):
            raw.executemany(statement, batch)
            written += len(batch)
        return written


def _sqlite_row(row: tuple, stamps: list[int]) -> tuple:
    """Datetimes as Django stores them in SQLite: naive UTC text."""
    values = list(row)
    for n in stamps:
        values[n] = _sqlite_datetime(values[n])
    return tuple(values)


def _sqlite_datetime(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def loader_for(connection: BaseDatabaseWrapper) -> BulkLoader:
    """The fastest loader the connection's database supports."""
    if connection.vendor == "postgresql":
        return PostgresCopyLoader(connection)
    if connection.vendor == "sqlite":
        return SqliteBatchLoader(connection)
    raise NotImplementedError(f"no bulk loader for {connection.vendor}")


def reset_sequences(
    connection: BaseDatabaseWrapper, model_list: list[type[models.Model]]
) -> None:
    """Move id sequences past explicitly inserted ids (a no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def flush(
    connection: BaseDatabaseWrapper, model_list: list[type[models.Model]]
) -> None:
    """Empty the tables and restart their ids."""
    tables = [model._meta.db_table for model in model_list]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True)
    connection.ops.execute_sql_flush(statements)
