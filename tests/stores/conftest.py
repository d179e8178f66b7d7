"""Fixtures for connector tests: a scratch table in the telemetry database.

The connectors use their own connections, so these tests commit for real
(transaction=True) and drop what they create.
"""

import uuid

import pytest

from apps.catalog.models import Dataset, Program, Store
from apps.stores.engines import engines_dispose
from tests.stores.http_service import http_service  # noqa: F401 (a fixture)
from tests.stores.redis_fixtures import (  # noqa: F401 (fixtures)
    presence,
    raw,
    redis_program,
    redis_store,
    redis_url,
)
from tests.stores.scratch import (
    ROWS,
    create_events_table,
    drop_table,
    insert_events,
    make_dataset,
)


@pytest.fixture(autouse=True)
def _fresh_engines():
    """Pooled connections must not outlive a test: PostgreSQL would refuse to
    drop the test database, and a reflected table may be recreated."""
    engines_dispose()
    yield
    engines_dispose()


@pytest.fixture
def scratch_table(transactional_db):
    """Create an events table on demand; every one is dropped after the test.

    Names are unique, so a cached reflection never meets another test's table.
    """
    names = []

    def create(**options) -> str:
        name = f"h3_events_{uuid.uuid4().hex[:10]}"
        create_events_table(name, **options)
        names.append(name)
        return name

    yield create
    engines_dispose()  # Release the connector's connections before DROP.
    for name in names:
        drop_table(name)


@pytest.fixture
def events_table(scratch_table) -> str:
    name = scratch_table()
    insert_events(name, ROWS)
    return name


@pytest.fixture
def program(db) -> Program:
    return Program.objects.create(
        key="endpoint",
        name="Endpoint monitoring",
        purpose="Protect company laptops",
        legal_basis="legitimate_interests",
        retention_days=90,
    )


@pytest.fixture
def sql_store(db) -> Store:
    return Store.objects.create(
        key="telemetry-db",
        name="Telemetry DB",
        kind="sql",
        connection={"database_alias": "telemetry"},
    )


@pytest.fixture
def keystrokes(sql_store, program, events_table) -> Dataset:
    return make_dataset(sql_store, program, events_table)
