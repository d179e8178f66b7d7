"""HttpConnector against a real local service speaking the protocol: signed
calls, paging, batched erasure, and how each failure is reported."""

import datetime as dt
import threading

import httpx
import pytest

from apps.catalog.models import Dataset, Field, Program, Store
from apps.stores import http as http_connector
from apps.stores.base import StoreMisconfigured, StoreUnavailable, TimeWindow
from apps.stores.http import HttpConnector
from tests.stores.http_service import Row

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
ALICE = ["alice@example.com", "E00001"]
BOB = ["bob@example.com"]


def _rows() -> list[Row]:
    return [
        Row("m1", "alice@example.com", T0, {"text": "hi", "room": "general"}),
        Row("m2", "bob@example.com", T0 + HOUR, {"text": "yo", "room": "general"}),
        Row("m3", "E00001", T0 + 2 * HOUR, {"text": "lunch?", "room": "food"}),
        Row("m4", "alice@example.com", None, {"text": "draft", "room": "general"}),
        Row("m5", "alice@example.com", T0 + 3 * HOUR, {"text": "bye", "room": "x"}),
    ]


@pytest.fixture
def service(http_service, settings):
    http_service.datasets["chat_messages"] = _rows()
    settings.CANDOR_TEST_CHAT_URL = http_service.url
    settings.CANDOR_TEST_CHAT_SECRET = http_service.secret
    return http_service


@pytest.fixture
def chat_store(db, service) -> Store:
    return Store.objects.create(
        key="chat",
        name="Chat service",
        kind="http",
        connection={
            "base_url_setting": "CANDOR_TEST_CHAT_URL",
            "secret_setting": "CANDOR_TEST_CHAT_SECRET",
            "timeout_seconds": 2,
        },
    )


@pytest.fixture
def messages(chat_store) -> Dataset:
    program = Program.objects.create(
        key="chat",
        name="Chat archive",
        purpose="Keep records",
        legal_basis="legal_obligation",
        retention_days=365,
    )
    dataset = Dataset.objects.create(
        store=chat_store,
        program=program,
        key="messages",
        name="Messages",
        location="chat_messages",
        identifier_kind="email",
        subject_field="author",
        timestamp_field="sent_at",
    )
    for name in ("author", "text", "room"):
        Field.objects.create(dataset=dataset, name=name, data_category="user.content")
    return dataset


def _left(service) -> list[str]:
    return sorted(row.key for row in service.datasets["chat_messages"])


def test_it_counts_through_a_signed_call(chat_store, messages, service):
    connector = HttpConnector(chat_store)

    summary = connector.summarize(messages, ALICE)

    assert (summary.count, summary.oldest, summary.newest) == (4, T0, T0 + 3 * HOUR)
    operation, request = service.calls[-1]
    assert operation == "count"
    assert request["dataset"] == "messages"
    assert request["identifiers"] == sorted(ALICE)
    windowed = connector.summarize(messages, ALICE, window=TimeWindow(start=T0 + HOUR))
    assert windowed.count == 2
    assert service.refused == []


def test_it_pages_newest_first_and_streams_across_cursors(
    chat_store, messages, service
):
    connector = HttpConnector(chat_store)

    page = connector.page(messages, ALICE, offset=1, limit=2)
    streamed = list(connector.stream(messages, ALICE, batch_size=2))

    assert [r.key for r in page] == ["m3", "m1"]
    assert page[0].timestamp == T0 + 2 * HOUR
    assert page[0].values == {"text": "lunch?", "room": "food"}
    assert [r.key for r in streamed] == ["m5", "m3", "m1", "m4"]
    # Two records a call: two calls, the second carrying the first's cursor.
    cursors = [req["cursor"] for op, req in service.calls if op == "export"][1:]
    assert cursors == [None, "2"]


def test_it_erases_in_batches_until_done_and_spares_others(
    chat_store, messages, service
):
    connector = HttpConnector(chat_store)

    assert connector.erase(messages, ALICE, batch_size=3) == 4

    assert _left(service) == ["m2"]
    assert connector.verify(messages, ALICE) == 0
    assert connector.verify(messages, BOB) == 1
    erase_calls = [req for op, req in service.calls if op == "erase"]
    assert [req["strategy"] for req in erase_calls] == ["delete", "delete"]
    assert connector.erase(messages, ALICE) == 0


def test_retention_erases_old_records_except_held_subjects(
    chat_store, messages, service
):
    deleted = HttpConnector(chat_store).erase_older_than(
        messages, T0 + 150 * dt.timedelta(minutes=1), exclude_identifiers=BOB
    )

    assert deleted == 2
    assert _left(service) == ["m2", "m4", "m5"]


def test_it_rectifies_only_the_subjects_own_record(chat_store, messages, service):
    connector = HttpConnector(chat_store)
    rows = {row.key: row for row in service.datasets["chat_messages"]}

    assert connector.rectify(messages, ALICE, "m1", {"room": "random"}) == 1
    assert connector.rectify(messages, ALICE, "m2", {"room": "random"}) == 0

    assert rows["m1"].values == {"text": "hi", "room": "random"}
    assert rows["m2"].values == {"text": "yo", "room": "general"}
    with pytest.raises(ValueError, match="subject field"):
        connector.rectify(messages, ALICE, "m1", {"author": "bob@example.com"})
    assert [op for op, _req in service.calls].count("rectify") == 2


def test_it_lists_the_services_datasets(chat_store, service):
    assert HttpConnector(chat_store).list_locations() == ["chat_messages"]


def test_the_service_refuses_a_call_signed_with_another_secret(
    chat_store, messages, service, settings
):
    settings.CANDOR_TEST_CHAT_SECRET = "a guess"

    with pytest.raises(StoreMisconfigured, match="401: bad signature"):
        HttpConnector(chat_store).erase(messages, ALICE)

    assert service.refused == ["bad signature"]
    assert len(_left(service)) == 5


def test_the_service_refuses_a_replayed_or_redirected_call(
    chat_store, messages, service
):
    HttpConnector(chat_store).summarize(messages, ALICE)
    captured = service.last_request

    replayed = httpx.post(
        service.url + "/count", content=captured["body"], headers=captured["headers"]
    )
    # The same signed body sent to another operation: the path is signed too.
    redirected = httpx.post(
        service.url + "/erase", content=captured["body"], headers=captured["headers"]
    )

    assert (replayed.status_code, replayed.json()) == (
        401,
        {"error": "replayed request"},
    )
    assert redirected.json() == {"error": "bad signature"}
    assert len(_left(service)) == 5


def test_a_stale_timestamp_is_refused(chat_store, messages, service, monkeypatch):
    monkeypatch.setattr(http_connector, "_now", lambda: 1_000_000_000)

    with pytest.raises(StoreMisconfigured, match="stale timestamp"):
        HttpConnector(chat_store).verify(messages, ALICE)


def test_a_service_that_does_not_answer_in_time_is_unavailable(
    chat_store, messages, service
):
    chat_store.connection["timeout_seconds"] = 0.2
    service.stall = threading.Event()

    with pytest.raises(StoreUnavailable, match="count: no answer within 0.2 s"):
        HttpConnector(chat_store).summarize(messages, ALICE)


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_failing_service_is_unavailable(chat_store, messages, service, status):
    service.fail_status = status

    with pytest.raises(StoreUnavailable, match=f"{status}: the service is having"):
        HttpConnector(chat_store).erase(messages, ALICE)

    assert len(_left(service)) == 5


def test_a_refusal_carries_the_services_message(chat_store, messages, service):
    messages.location = "no_such_collection"

    with pytest.raises(
        StoreMisconfigured, match="400: unknown dataset 'no_such_collection'"
    ):
        HttpConnector(chat_store).summarize(messages, ALICE)


def test_a_closed_port_is_unavailable(chat_store, messages, settings):
    settings.CANDOR_TEST_CHAT_URL = "http://127.0.0.1:9/candor"

    with pytest.raises(StoreUnavailable, match="ConnectError"):
        HttpConnector(chat_store).check()


@pytest.mark.parametrize(
    ("connection", "message"),
    [
        ({"secret_setting": "CANDOR_TEST_CHAT_SECRET"}, "exactly one of base_url_env"),
        ({"base_url_setting": "CANDOR_TEST_CHAT_URL"}, "exactly one of secret_env"),
        (
            {
                "base_url_setting": "CANDOR_TEST_CHAT_URL",
                "secret_env": "CANDOR_NO_SUCH_VARIABLE",
            },
            "CANDOR_NO_SUCH_VARIABLE is not set",
        ),
        (
            {
                "base_url_setting": "CANDOR_TEST_PLAIN_URL",
                "secret_setting": "CANDOR_TEST_CHAT_SECRET",
            },
            "must use https",
        ),
        (
            {
                "base_url_setting": "CANDOR_TEST_CHAT_URL",
                "secret_setting": "CANDOR_TEST_CHAT_SECRET",
                "timeout_seconds": "ten",
            },
            "timeout_seconds must be a number",
        ),
    ],
)
def test_misconfigured_connections_are_named(
    db, service, settings, connection, message
):
    settings.CANDOR_TEST_PLAIN_URL = "http://chat.example.com/candor"
    store = Store(key="chat", name="Chat", kind="http", connection=connection)

    with pytest.raises(StoreMisconfigured, match=message):
        HttpConnector(store).check()

    assert service.calls == []


def test_an_answer_outside_the_protocol_is_misconfigured(
    chat_store, messages, service, monkeypatch
):
    monkeypatch.setattr(service, "op_count", lambda rows, request: {"count": "four"})

    with pytest.raises(StoreMisconfigured, match="'count' must be a whole number"):
        HttpConnector(chat_store).summarize(messages, ALICE)


def test_no_identifiers_means_no_call(chat_store, messages, service):
    connector = HttpConnector(chat_store)

    assert connector.summarize(messages, []).count == 0
    assert connector.erase(messages, [""]) == 0
    assert service.calls == []
