"""Redis fixtures: the real server, keys under a prefix of each test's own.

The keys are written with the plain client, so that the connector under test
is not its own witness, and removed after the test. Without Redis the tests
skip, except under CI=true, where they fail.
"""

import datetime as dt
import os
import uuid

import pytest
import redis
from django.conf import settings

from apps.catalog.models import Dataset, Field, Program, Store

ALICE = "alice@example.com"
BOB = "bob@example.com"
T0 = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def redis_url() -> str:
    url = settings.CELERY_BROKER_URL
    reason = ""
    if not url.startswith("redis"):
        reason = "CELERY_BROKER_URL is not redis://"
    else:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            reason = f"Redis is not answering ({exc})"
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must test the Redis connector: {reason}")
        pytest.skip(f"No Redis: {reason}; CI (CI=true) always runs these tests.")
    return url


@pytest.fixture
def raw(redis_url):
    """The plain client, and the test's key prefix; its keys go afterwards."""
    client = redis.Redis.from_url(redis_url)
    prefix = f"candor-test-{uuid.uuid4().hex[:12]}"
    yield client, prefix
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture
def redis_store(db, settings, redis_url) -> Store:
    settings.CANDOR_TEST_REDIS_URL = redis_url
    return Store.objects.create(
        key="presence-cache",
        name="Presence cache",
        kind="redis",
        connection={"url_setting": "CANDOR_TEST_REDIS_URL"},
    )


@pytest.fixture
def redis_program(db) -> Program:
    return Program.objects.create(
        key="presence",
        name="Presence tracking",
        purpose="Show who is online",
        legal_basis="legitimate_interests",
        retention_days=30,
    )


def make_presence(store, program, prefix, **fields) -> Dataset:
    defaults = {
        "key": "presence",
        "name": "Presence",
        "location": f"{prefix}:presence:{{identifier}}:*",
        "identifier_kind": "email",
        "subject_field": "user",
        "timestamp_field": "seen_at",
    }
    dataset = Dataset.objects.create(
        store=store, program=program, **{**defaults, **fields}
    )
    for name, mask in (
        ("user", "hash"),
        ("status", "redact"),
        ("note", "null"),
        ("seen_at", ""),
    ):
        Field.objects.create(
            dataset=dataset, name=name, data_category="user.behavior", mask=mask
        )
    return dataset


@pytest.fixture
def presence(redis_store, redis_program, raw) -> Dataset:
    return make_presence(redis_store, redis_program, raw[1])


def seed(client, prefix) -> dict[str, list[str]]:
    """Alice's keys of every type, Bob's, and a look-alike's; keys by owner."""

    def key(who: str, name: str) -> str:
        return f"{prefix}:presence:{who}:{name}"

    hour = dt.timedelta(hours=1)
    client.hset(
        key(ALICE, "1"),
        mapping={
            "user": ALICE,
            "status": "online",
            "note": "at desk",
            "seen_at": T0.isoformat(),
        },
    )
    # Epoch seconds date a record too.
    client.hset(
        key(ALICE, "2"),
        mapping={
            "user": ALICE,
            "status": "away",
            "seen_at": str((T0 + 2 * hour).timestamp()),
        },
    )
    client.set(key(ALICE, "last"), "hello")
    client.rpush(key(ALICE, "log"), "login", "logout")
    client.sadd(key(ALICE, "tags"), "b", "a")
    client.zadd(key(ALICE, "scores"), {"focus": 1.5})
    client.hset(
        key(BOB, "1"),
        mapping={"user": BOB, "status": "busy", "seen_at": (T0 + hour).isoformat()},
    )
    client.set(key(BOB, "last"), "bye")
    # Alice's address plus more: her pattern must not reach it.
    lookalike = "alice@example.com.au"
    client.hset(key(lookalike, "1"), mapping={"user": lookalike, "status": "x"})
    return {
        ALICE: sorted(
            key(ALICE, n) for n in ("1", "2", "last", "log", "tags", "scores")
        ),
        BOB: sorted([key(BOB, "1"), key(BOB, "last")]),
        lookalike: [key(lookalike, "1")],
    }


def all_keys(client, prefix) -> list[str]:
    return sorted(k.decode() for k in client.scan_iter(match=f"{prefix}*"))
