"""SQLAlchemy engines and reflected tables for SQL stores, built once and shared.

A store's connection names where its URL lives, never the URL itself:
{"database_alias": "telemetry"}, {"url_env": "HR_DB_URL"} or
{"url_setting": "HR_DB_URL"}. URLs are resolved at call time, so that under
pytest a Django alias points at its test database.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import sqlalchemy as sa
from django.conf import settings
from django.db import connections
from django.utils.connection import ConnectionDoesNotExist
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Engine, make_url

from apps.catalog.models import Store
from apps.stores.base import StoreMisconfigured, StoreUnavailable

# A store that is down must fail a probe or a request fast, not hang a worker.
CONNECT_TIMEOUT_SECONDS = 5
# SQLite has no server: wait this long for another writer's lock to clear.
SQLITE_BUSY_TIMEOUT_SECONDS = 15

_POSTGRES_DRIVERS = {
    "postgres",
    "postgresql",
    "postgresql+psycopg",
    "postgresql+psycopg2",
}
_SQLITE_DRIVERS = {"sqlite", "sqlite+pysqlite"}
# libpq parameters worth carrying over from a Django alias's OPTIONS.
_LIBPQ_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "application_name")

_lock = threading.Lock()
_engines: dict[str, Engine] = {}
_tables: dict[tuple[str, str | None, str], sa.Table] = {}


def store_url(store: Store) -> URL:
    """The SQLAlchemy URL of a SQL store, from exactly one connection source."""
    sources = {
        k: v
        for k, v in (store.connection or {}).items()
        if k in ("database_alias", "url_env", "url_setting")
    }
    if len(sources) != 1:
        raise StoreMisconfigured(
            store,
            "connection must name exactly one of database_alias, url_env, url_setting",
        )
    source, name = next(iter(sources.items()))
    if source == "database_alias":
        return _alias_url(store, name)
    if source == "url_env":
        raw = os.environ.get(name)
        if not raw:
            raise StoreMisconfigured(store, f"environment variable {name} is not set")
    else:
        raw = getattr(settings, name, None)
        if not raw:
            raise StoreMisconfigured(store, f"setting {name} is not defined")
    try:
        url = make_url(str(raw))
    except sa_exc.ArgumentError:
        raise StoreMisconfigured(store, f"the URL in {name} is not valid") from None
    return _normalized(store, url)


def _alias_url(store: Store, alias: str) -> URL:
    try:
        db = connections[alias].settings_dict
    except ConnectionDoesNotExist:
        raise StoreMisconfigured(
            store, f"database alias '{alias}' is not configured"
        ) from None
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        return URL.create("sqlite", database=str(db["NAME"]))
    if engine.endswith("postgresql"):
        options = db.get("OPTIONS") or {}
        return URL.create(
            "postgresql+psycopg",
            username=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None,
            port=int(db["PORT"]) if db.get("PORT") else None,
            database=db["NAME"],
            query={k: str(options[k]) for k in _LIBPQ_OPTIONS if k in options},
        )
    raise StoreMisconfigured(
        store, f"database alias '{alias}' uses an unsupported engine {engine}"
    )


def _normalized(store: Store, url: URL) -> URL:
    if url.drivername in _POSTGRES_DRIVERS:
        # One PostgreSQL driver for the whole project: psycopg 3.
        return url.set(drivername="postgresql+psycopg")
    if url.drivername in _SQLITE_DRIVERS:
        return url.set(drivername="sqlite")
    raise StoreMisconfigured(store, f"unsupported database kind {url.drivername}")


def store_engine(store: Store) -> Engine:
    """The shared engine for the store's URL, created on first use."""
    url = store_url(store)
    if url.drivername == "sqlite":
        name = url.database or ""
        if name in ("", ":memory:") or name.startswith("file:"):
            raise StoreMisconfigured(
                store, "a SQLite store must be a database file shared by processes"
            )
        # Connecting would silently create an empty file and report no data.
        if not Path(name).is_file():
            raise StoreUnavailable(store, f"database file {name} does not exist")
    cache_key = url.render_as_string(hide_password=False)
    with _lock:
        engine = _engines.get(cache_key)
        if engine is None:
            if url.drivername == "sqlite":
                connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
            else:
                connect_args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
            engine = sa.create_engine(
                url, pool_pre_ping=True, connect_args=connect_args
            )
            _engines[cache_key] = engine
    return engine


def store_table(store: Store, engine: Engine, location: str) -> sa.Table:
    """The reflected table named by a dataset's location ("table" or "schema.table").

    Reflected once per engine and table; a failed reflection is not cached, so
    a table created later is found on the next call.
    """
    schema, _, name = location.rpartition(".")
    cache_key = (engine.url.render_as_string(hide_password=False), schema or None, name)
    with _lock:
        table = _tables.get(cache_key)
    if table is not None:
        return table
    try:
        with engine.connect() as conn:
            table = sa.Table(
                name,
                sa.MetaData(),
                schema=schema or None,
                autoload_with=conn,
                resolve_fks=False,
            )
    except sa_exc.NoSuchTableError:
        raise StoreMisconfigured(store, f"table '{location}' does not exist") from None
    except sa_exc.SQLAlchemyError as exc:
        raise store_error(store, exc) from None
    with _lock:
        _tables.setdefault(cache_key, table)
    return table


def table_forget(engine: Engine, location: str) -> None:
    """Drop a cached reflection, so that the next call reflects the table anew."""
    schema, _, name = location.rpartition(".")
    cache_key = (engine.url.render_as_string(hide_password=False), schema or None, name)
    with _lock:
        _tables.pop(cache_key, None)


def engines_dispose() -> None:
    """Close every pooled connection and forget engines and tables.

    Tests call it before their databases are dropped (PostgreSQL refuses to
    drop a database that still has connections).
    """
    with _lock:
        engines = list(_engines.values())
        _engines.clear()
        _tables.clear()
    for engine in engines:
        engine.dispose()


# PEP 249 errors that retrying will not cure: the store is set up wrong.
_MISCONFIGURED_DBAPI = {"ProgrammingError", "IntegrityError", "DataError"}


def store_error(store: Store, exc: Exception) -> StoreUnavailable | StoreMisconfigured:
    """Translate a SQLAlchemy or driver error into a StoreError.

    The reason is the driver's first line only: SQLAlchemy's own message
    repeats the statement's parameters, which are personal data.
    """
    orig = getattr(exc, "orig", None) or exc
    first_line = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    reason = first_line[:300]
    misconfigured = (
        sa_exc.ProgrammingError,
        sa_exc.IntegrityError,
        sa_exc.DataError,
        sa_exc.ArgumentError,
        sa_exc.NoSuchTableError,
        sa_exc.CompileError,
    )
    # A driver's own error (PEP 249), raised outside SQLAlchemy: sorted by
    # its class names, as SQLAlchemy sorts the ones it wraps.
    driver_names = {cls.__name__ for cls in type(orig).__mro__}
    if isinstance(exc, misconfigured) or driver_names & _MISCONFIGURED_DBAPI:
        return StoreMisconfigured(store, reason)
    return StoreUnavailable(store, reason)
