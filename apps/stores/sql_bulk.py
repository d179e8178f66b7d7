"""Bulk paths of the SQL connector: exports read in blocks of plain tuples,
erasure by primary-key ranges.

An export of 100,000 rows must not build 100,000 objects: rows come from a
server-side cursor (PostgreSQL) as the driver's tuples, with the values a
JSON or CSV file cannot hold as they are (datetimes, decimals, UUIDs,
bytes) turned into text by the database where it can, and by one converter
per column where it cannot (SQLite's datetimes, kept as text). Erasure
deletes (or masks) one primary-key range per short transaction, each
range's end found by a top-N sort of the subject's keys: never by selecting
the remaining rows again inside the DELETE.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa

from apps.stores.base import RecordBlock

# Python's isoformat() of an aware UTC datetime, made by PostgreSQL: the
# fraction only when there is one, as datetime.isoformat() does.
_PG_SECONDS = 'YYYY-MM-DD"T"HH24:MI:SS'
_PG_MICROS = 'YYYY-MM-DD"T"HH24:MI:SS.US'


def _pg_iso(column: sa.ColumnElement) -> sa.ColumnElement:
    utc = column
    if getattr(column.type, "timezone", False):
        utc = sa.func.timezone("UTC", column)  # Naive UTC from an aware value.
    text = sa.case(
        (sa.func.date_trunc("second", utc) == utc, sa.func.to_char(utc, _PG_SECONDS)),
        else_=sa.func.to_char(utc, _PG_MICROS),
    )
    return sa.case((column.is_(None), sa.null()), else_=text + "+00:00")


def _iso(value: Any, aware: Callable[[Any], dt.datetime | None]) -> Any:
    if value is None:
        return None
    when = aware(value)
    return when.isoformat() if when is not None else value


def _timestamp(value: Any, aware: Callable[[Any], dt.datetime | None]) -> Any:
    when = aware(value)
    return when.isoformat() if when is not None else None


def export_columns(
    table: sa.Table,
    pk: sa.Column,
    ts: sa.Column | None,
    *,
    dialect: str,
    aware: Callable[[Any], dt.datetime | None],
    plain: Callable[[Any], Any],
) -> tuple[list[sa.ColumnElement], dict[int, Callable[[Any], Any]], tuple[int, ...]]:
    """(the SELECT list, converters by row position, positions of nested
    values): the SELECT list is key (text), timestamp (ISO text), then
    every column of the table."""
    on_pg = dialect == "postgresql"
    selected: list[sa.ColumnElement] = [sa.cast(pk, sa.Text).label("__key")]
    converters: dict[int, Callable[[Any], Any]] = {}
    nested: list[int] = []

    def add(column: sa.Column, label: str) -> None:
        position = len(selected)
        kind = column.type
        if isinstance(kind, sa.DateTime):
            if on_pg:
                selected.append(_pg_iso(column).label(label))
                return
            # SQLite keeps text in many formats: parsed one by one in Python.
            selected.append(sa.type_coerce(column, sa.String()).label(label))
            converters[position] = lambda value: _iso(value, aware)
            return
        selected.append(column.label(label))
        if isinstance(kind, sa.Date):
            converters[position] = lambda value: (
                value.isoformat() if isinstance(value, dt.date) else value
            )
        elif isinstance(kind, sa.String | sa.Integer | sa.Boolean | sa.Float):
            return  # The driver's values are what the files hold.
        elif isinstance(kind, sa.JSON | sa.ARRAY):
            nested.append(position)
        else:
            # Decimals, UUIDs, bytes, and types nobody foresaw: as before.
            converters[position] = plain

    if ts is None:
        selected.append(sa.null().label("__ts"))
    elif on_pg and isinstance(ts.type, sa.DateTime):
        selected.append(_pg_iso(ts).label("__ts"))
    else:
        # Whatever the column holds (text, epoch seconds): a datetime or none.
        raw = ts
        if isinstance(ts.type, sa.DateTime):
            raw = sa.type_coerce(ts, sa.String())
        converters[len(selected)] = lambda value: _timestamp(value, aware)
        selected.append(raw.label("__ts"))
    for column in table.c:
        add(column, column.name)
    return selected, converters, tuple(nested)


def read_blocks(
    conn: sa.Connection,
    stmt: sa.Select,
    columns: list[str],
    converters: dict[int, Callable[[Any], Any]],
    nested: tuple[int, ...],
    batch_size: int,
) -> Iterator[RecordBlock]:
    """The statement's rows, batch_size at a time, as RecordBlocks."""
    fetch_all_plan(conn)
    if conn.dialect.name == "postgresql":
        parts = _driver_parts(conn, stmt, batch_size)
    else:
        parts = _result_parts(conn, stmt, batch_size)
    for rows in parts:
        if converters:
            rows = [_converted(row, converters) for row in rows]
        yield RecordBlock(columns=columns, rows=rows, nested=nested)


def _result_parts(conn: sa.Connection, stmt: sa.Select, batch_size: int):
    options = {"stream_results": True, "yield_per": batch_size}
    with conn.execution_options(**options).execute(stmt) as result:
        for part in result.partitions():
            yield [tuple(row) for row in part]


def _driver_parts(conn: sa.Connection, stmt: sa.Select, batch_size: int):
    """psycopg's own server-side cursor: its tuples as they come, without a
    SQLAlchemy Row around each (a third of the read's time at 100,000 rows).
    The statement is still SQLAlchemy's, compiled with its bound values."""
    compiled = stmt.compile(
        dialect=conn.dialect, compile_kwargs={"render_postcompile": True}
    )
    driver = conn.connection.driver_connection
    with driver.cursor(name=f"candor_export_{uuid.uuid4().hex}") as cursor:
        cursor.execute(str(compiled), compiled.params)
        while rows := cursor.fetchmany(batch_size):
            yield rows


def fetch_all_plan(conn: sa.Connection) -> None:
    """Plan a server-side cursor for reading every row, not the first few.

    PostgreSQL plans cursors for the first 10% of their rows by default: for
    "the subject's rows by primary key" it walks the whole table in key
    order, filtering, instead of reading the subject's rows by their index
    and sorting them (seconds instead of a tenth of one, at 100,000 rows).
    SET LOCAL: for this read's transaction only.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1.0")


def _converted(row, converters: dict[int, Callable[[Any], Any]]) -> tuple:
    values = list(row)
    for position, convert in converters.items():
        values[position] = convert(values[position])
    return tuple(values)


def next_range_start(
    conn: sa.Connection,
    pk: sa.Column,
    where: list[sa.ColumnElement],
    batch_size: int,
) -> Any:
    """The key that starts the batch after the first `batch_size` matching
    rows in key order, or None when they are all in the first batch: one
    top-N sort of the matching keys (not a window over all of them, which
    costs eight times as much at 100,000 rows)."""
    stmt = sa.select(pk).where(*where).order_by(pk).offset(batch_size).limit(1)
    return conn.execute(stmt).scalar()
