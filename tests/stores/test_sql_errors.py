"""SqlConnector failures: each becomes a StoreError that names the store."""

import uuid
from pathlib import Path

import pytest
from django.db import connections

from apps.catalog.models import Store
from apps.stores.base import StoreMisconfigured, StoreUnavailable
from apps.stores.sql import SqlConnector
from tests.stores.scratch import ALICE, make_dataset

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)


def _store(**connection) -> Store:
    return Store.objects.create(
        key="hr-db", name="HR database", kind="sql", connection=connection
    )


def _telemetry_url() -> str:
    db = connections["telemetry"].settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{db['NAME']}"


def test_it_checks_a_store_that_answers(sql_store, keystrokes):
    SqlConnector(sql_store).check()


def test_a_missing_env_var_is_misconfigured(program, events_table, monkeypatch):
    monkeypatch.delenv("H3_HR_DB_URL", raising=False)
    store = _store(url_env="H3_HR_DB_URL")
    dataset = make_dataset(store, program, events_table)

    with pytest.raises(StoreMisconfigured, match="HR database.*H3_HR_DB_URL"):
        SqlConnector(store).summarize(dataset, ALICE)


def test_a_missing_setting_is_misconfigured(program, events_table):
    store = _store(url_setting="H3_HR_DB_URL")
    dataset = make_dataset(store, program, events_table)

    with pytest.raises(StoreMisconfigured, match="HR database.*H3_HR_DB_URL"):
        SqlConnector(store).verify(dataset, ALICE)


def test_a_missing_alias_is_misconfigured(program, events_table):
    store = _store(database_alias="nowhere")
    dataset = make_dataset(store, program, events_table)

    with pytest.raises(StoreMisconfigured, match="HR database.*'nowhere'"):
        SqlConnector(store).page(dataset, ALICE, offset=0, limit=5)


def test_two_connection_sources_are_misconfigured(program, events_table):
    store = _store(database_alias="telemetry", url_env="H3_HR_DB_URL")

    with pytest.raises(StoreMisconfigured, match="exactly one"):
        SqlConnector(store).check()


def test_a_url_setting_reaches_the_database(program, events_table, settings):
    settings.H3_HR_DB_URL = _telemetry_url()
    store = _store(url_setting="H3_HR_DB_URL")
    dataset = make_dataset(store, program, events_table)

    assert SqlConnector(store).summarize(dataset, ALICE).count == 6


def test_an_unsupported_database_is_misconfigured(monkeypatch):
    monkeypatch.setenv("H3_HR_DB_URL", "mysql://hr@127.0.0.1/hr")

    with pytest.raises(StoreMisconfigured, match="unsupported database kind mysql"):
        SqlConnector(_store(url_env="H3_HR_DB_URL")).check()


def test_a_missing_table_is_misconfigured(sql_store, program, events_table):
    dataset = make_dataset(sql_store, program, "h3_no_such_table")

    with pytest.raises(StoreMisconfigured) as caught:
        SqlConnector(sql_store).summarize(dataset, ALICE)
    assert "Telemetry DB" in str(caught.value)
    assert "table 'h3_no_such_table' does not exist" in str(caught.value)


def test_a_missing_column_is_misconfigured(sql_store, program, events_table):
    dataset = make_dataset(sql_store, program, events_table, subject_field="user_id")

    with pytest.raises(StoreMisconfigured, match="Telemetry DB.*column 'user_id'"):
        SqlConnector(sql_store).verify(dataset, ALICE)


def test_the_check_reports_a_dataset_on_a_missing_table(sql_store, program):
    make_dataset(sql_store, program, "h3_no_such_table")

    with pytest.raises(StoreMisconfigured, match="'h3_no_such_table' does not exist"):
        SqlConnector(sql_store).check()


def test_an_unreachable_postgresql_is_unavailable(program, monkeypatch):
    # Port 1 refuses at once; the connect timeout bounds a silent host.
    monkeypatch.setenv("H3_HR_DB_URL", "postgres://hr:s3cret@127.0.0.1:1/hr")
    store = _store(url_env="H3_HR_DB_URL")
    dataset = make_dataset(store, program, "keystrokes")
    connector = SqlConnector(store)

    with pytest.raises(StoreUnavailable) as caught:
        connector.summarize(dataset, ALICE)
    with pytest.raises(StoreUnavailable):
        connector.check()
    message = str(caught.value)
    assert "HR database" in message
    assert "s3cret" not in message
    assert "SN-ALICE" not in message


def test_a_missing_sqlite_file_is_unavailable_and_not_created(monkeypatch, tmp_path):
    missing = tmp_path / f"{uuid.uuid4().hex}.sqlite3"
    monkeypatch.setenv("H3_HR_DB_URL", f"sqlite:///{missing}")

    with pytest.raises(StoreUnavailable, match="does not exist"):
        SqlConnector(_store(url_env="H3_HR_DB_URL")).check()
    assert not Path(missing).exists()
