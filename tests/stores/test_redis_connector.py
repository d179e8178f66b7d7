"""RedisConnector against the real Redis: counting, reading, erasing, masking,
retention and rectification reach one subject's keys and nobody else's."""

import datetime as dt
import socket
import threading

import pytest

from apps.catalog.models import Field, Store
from apps.stores import redis as redis_connector
from apps.stores.base import StoreMisconfigured, StoreUnavailable, TimeWindow
from apps.stores.redis import RedisConnector
from apps.stores.redis_keys import KeyPattern
from apps.stores.sql import REDACTED, pseudonym
from tests.stores.redis_fixtures import ALICE, BOB, T0, all_keys, make_presence, seed

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def test_it_counts_the_subjects_keys_and_dates_them_by_the_hash_field(
    redis_store, presence, raw
):
    seed(*raw)
    connector = RedisConnector(redis_store)

    summary = connector.summarize(presence, [ALICE])

    assert (summary.count, summary.oldest, summary.newest) == (6, T0, T0 + 2 * HOUR)
    assert connector.summarize(presence, [BOB]).count == 2
    assert connector.summarize(presence, ["nobody@example.com"]).count == 0
    assert connector.summarize(presence, []).count == 0
    # Only dated records fall in a window.
    window = TimeWindow(start=T0 + HOUR)
    assert connector.summarize(presence, [ALICE], window=window).count == 1


def test_it_streams_every_type_decoded(redis_store, presence, raw):
    keys = seed(*raw)
    prefix = raw[1]

    records = {r.key: r for r in RedisConnector(redis_store).stream(presence, [ALICE])}

    assert sorted(records) == keys[ALICE]
    base = f"{prefix}:presence:{ALICE}:"
    assert records[base + "1"].values == {
        "user": ALICE,
        "status": "online",
        "note": "at desk",
        "seen_at": T0.isoformat(),
    }
    assert records[base + "1"].timestamp == T0
    assert records[base + "2"].timestamp == T0 + 2 * HOUR
    assert records[base + "last"].values == {"value": "hello"}
    assert records[base + "last"].timestamp is None
    assert records[base + "log"].values == {"items": ["login", "logout"]}
    assert records[base + "tags"].values == {"items": ["a", "b"]}
    assert records[base + "scores"].values == {"items": [["focus", 1.5]]}


def test_it_pages_newest_first_with_undated_records_last(redis_store, presence, raw):
    seed(*raw)
    base = f"{raw[1]}:presence:{ALICE}:"
    connector = RedisConnector(redis_store)

    first = connector.page(presence, [ALICE], offset=0, limit=3)
    rest = connector.page(presence, [ALICE], offset=3, limit=10)

    assert [r.key for r in first] == [base + "2", base + "1", base + "tags"]
    assert [r.key for r in rest] == [base + "scores", base + "log", base + "last"]
    assert connector.page(presence, [ALICE], offset=0, limit=0) == []


def test_it_erases_in_batches_and_spares_everyone_else(redis_store, presence, raw):
    client, prefix = raw
    keys = seed(client, prefix)
    connector = RedisConnector(redis_store)

    assert connector.erase(presence, [ALICE], batch_size=2) == 6

    assert all_keys(client, prefix) == sorted(keys[BOB] + keys["alice@example.com.au"])
    assert connector.verify(presence, [ALICE]) == 0
    assert connector.verify(presence, [BOB]) == 2
    # Idempotent: a second run finds nothing and harms nothing.
    assert connector.erase(presence, [ALICE]) == 0
    assert connector.verify(presence, [BOB]) == 2


def test_masking_rewrites_hashes_under_a_pseudonym_and_deletes_the_rest(
    redis_store, presence, raw
):
    client, prefix = raw
    keys = seed(client, prefix)
    presence.erasure_strategy = "mask"
    presence.save()
    connector = RedisConnector(redis_store)

    assert connector.erase(presence, [ALICE]) == 6

    assert connector.verify(presence, [ALICE]) == 0
    masked = f"{prefix}:presence:{pseudonym(ALICE)}:1"
    assert client.hgetall(masked) == {
        b"user": pseudonym(ALICE).encode(),
        b"status": REDACTED.encode(),
        b"seen_at": T0.isoformat().encode(),
    }
    # Strings, lists, sets have no fields to mask: they are gone.
    assert all_keys(client, prefix) == sorted(
        [masked, f"{prefix}:presence:{pseudonym(ALICE)}:2"]
        + keys[BOB]
        + keys["alice@example.com.au"]
    )
    assert client.hget(keys[BOB][0], "status") == b"busy"


def test_masking_needs_a_masked_subject_field(redis_store, presence, raw):
    seed(*raw)
    presence.erasure_strategy = "mask"
    presence.save()
    Field.objects.filter(dataset=presence, name="user").update(mask="")

    with pytest.raises(StoreMisconfigured, match="needs a masked subject field"):
        RedisConnector(redis_store).erase(presence, [ALICE])

    assert RedisConnector(redis_store).verify(presence, [ALICE]) == 6


@pytest.mark.parametrize(
    ("identifier", "neighbours"),
    [("a*", ["ab", "a"]), ("a?", ["ab"]), ("[ab]", ["a", "b"]), ("a\\", ["a"])],
)
def test_glob_characters_in_an_identifier_match_only_themselves(
    redis_store, redis_program, raw, identifier, neighbours
):
    client, prefix = raw
    dataset = make_presence(redis_store, redis_program, prefix)
    for who in [identifier, *neighbours]:
        client.hset(f"{prefix}:presence:{who}:1", mapping={"user": who})
    connector = RedisConnector(redis_store)

    assert connector.verify(dataset, [identifier]) == 1
    assert connector.erase(dataset, [identifier]) == 1

    assert all_keys(client, prefix) == sorted(
        f"{prefix}:presence:{who}:1" for who in neighbours
    )


def test_an_identifier_holding_the_separator_is_refused_not_skipped(
    redis_store, presence, raw
):
    seed(*raw)

    with pytest.raises(StoreMisconfigured, match="holds the separator ':'"):
        RedisConnector(redis_store).erase(presence, [ALICE, "alice:x"])

    assert RedisConnector(redis_store).verify(presence, [ALICE]) == 6


@pytest.mark.parametrize(
    "location",
    [
        "presence:*:{identifier}",
        "presence:{identifier}*",
        "presence",
        "{identifier}:{identifier}",
    ],
)
def test_an_unsafe_key_pattern_is_refused(redis_store, redis_program, location):
    dataset = make_presence(redis_store, redis_program, "p", location=location)

    with pytest.raises(StoreMisconfigured, match="location"):
        RedisConnector(redis_store).summarize(dataset, [ALICE])


def test_retention_deletes_old_hashes_except_held_subjects(redis_store, presence, raw):
    client, prefix = raw
    keys = seed(client, prefix)
    connector = RedisConnector(redis_store)

    deleted = connector.erase_older_than(
        presence,
        T0 + 90 * dt.timedelta(minutes=1),
        batch_size=2,
        exclude_identifiers=[BOB],
    )

    # Alice's 09:00 hash goes; her 11:00 one, Bob's (held) and every undated
    # key stay.
    assert deleted == 1
    assert all_keys(client, prefix) == sorted(
        set(keys[ALICE] + keys[BOB] + keys["alice@example.com.au"])
        - {f"{prefix}:presence:{ALICE}:1"}
    )
    assert connector.erase_older_than(presence, T0 + 3 * HOUR) == 2


def test_retention_needs_a_timestamp_field(redis_store, presence):
    presence.timestamp_field = ""

    with pytest.raises(StoreMisconfigured, match="no timestamp field"):
        RedisConnector(redis_store).erase_older_than(presence, T0)


def test_it_rectifies_a_hash_field_of_the_subjects_own_key(redis_store, presence, raw):
    client, prefix = raw
    seed(client, prefix)
    connector = RedisConnector(redis_store)
    own = f"{prefix}:presence:{ALICE}:1"
    bobs = f"{prefix}:presence:{BOB}:1"

    assert (
        connector.rectify(presence, [ALICE], own, {"status": "off", "note": None}) == 1
    )
    assert connector.rectify(presence, [ALICE], bobs, {"status": "off"}) == 0
    assert connector.rectify(presence, [ALICE], f"{own}x", {"status": "off"}) == 0

    assert client.hgetall(own) == {
        b"user": ALICE.encode(),
        b"status": b"off",
        b"seen_at": T0.isoformat().encode(),
    }
    assert client.hget(bobs, "status") == b"busy"
    # A key that does not exist is not recreated by the correction.
    gone = f"{prefix}:presence:{ALICE}:9"
    assert connector.rectify(presence, [ALICE], gone, {"status": "off"}) == 0
    assert client.exists(gone) == 0


def test_rectification_refuses_what_the_catalog_does_not_allow(
    redis_store, presence, raw
):
    client, prefix = raw
    seed(client, prefix)
    connector = RedisConnector(redis_store)
    own = f"{prefix}:presence:{ALICE}:1"

    with pytest.raises(ValueError, match="subject field"):
        connector.rectify(presence, [ALICE], own, {"user": BOB})
    with pytest.raises(ValueError, match="'colour' is not a field the catalog"):
        connector.rectify(presence, [ALICE], own, {"colour": "red"})
    with pytest.raises(ValueError, match="text or a number"):
        connector.rectify(presence, [ALICE], own, {"status": ["a"]})
    with pytest.raises(StoreMisconfigured, match="not a hash"):
        connector.rectify(
            presence, [ALICE], f"{prefix}:presence:{ALICE}:last", {"status": "x"}
        )
    assert client.hget(own, "user") == ALICE.encode()


def test_it_lists_key_prefixes(redis_store, presence, raw):
    seed(*raw)

    assert raw[1] in RedisConnector(redis_store).list_locations()


def test_the_key_pattern_knows_whose_key_is_whose():
    pattern = KeyPattern.parse("presence:{identifier}:[a-c]?")

    assert pattern.owner_is("presence:al*ce:b1", "al*ce")
    assert not pattern.owner_is("presence:alice:b1", "al*ce")
    assert not pattern.owner_is("presence:alice:d1", "alice")
    assert not pattern.owner_is("presence:alice:x:b1", "alice:x")


def test_a_missing_setting_or_a_bad_url_is_misconfigured(db, settings):
    store = Store(key="r", name="R", kind="redis", connection={"url_env": "NO_SUCH"})
    with pytest.raises(StoreMisconfigured, match="NO_SUCH is not set"):
        RedisConnector(store).check()

    settings.CANDOR_TEST_BAD_URL = "http://user:hunter2@example.com/"
    store.connection = {"url_setting": "CANDOR_TEST_BAD_URL"}
    with pytest.raises(StoreMisconfigured, match="not a valid Redis URL") as caught:
        RedisConnector(store).check()
    assert "hunter2" not in str(caught.value)


def test_a_refused_connection_is_unavailable(db, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CANDOR_TEST_DOWN_URL = f"redis://127.0.0.1:{port}/0"
    store = Store(
        key="r",
        name="R",
        kind="redis",
        connection={"url_setting": "CANDOR_TEST_DOWN_URL"},
    )

    with pytest.raises(StoreUnavailable, match="ConnectionError"):
        RedisConnector(store).check()


def test_a_server_that_never_answers_times_out_as_unavailable(
    db, settings, monkeypatch
):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    thread = threading.Thread(
        target=lambda: accepted.append(listener.accept()), daemon=True
    )
    thread.start()
    monkeypatch.setattr(redis_connector, "SOCKET_TIMEOUT_SECONDS", 0.2)
    settings.CANDOR_TEST_SILENT_URL = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    store = Store(
        key="r",
        name="R",
        kind="redis",
        connection={"url_setting": "CANDOR_TEST_SILENT_URL"},
    )

    try:
        with pytest.raises(StoreUnavailable, match="Timeout"):
            RedisConnector(store).check()
    finally:
        thread.join(5)
        for conn, _address in accepted:
            conn.close()
        listener.close()
