"""The Redis mirror on a real server: a withdrawal is obeyed by the very next
call, and a write lost in an outage never turns into an allow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.consent import mirror, sources
from apps.consent.mirror import key, mirror_repair, mirror_sync
from apps.consent.models import MirrorRepair
from apps.consent.services import consent_grant, consent_withdraw
from tests.consent.conftest import answer

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_next_call_after_a_withdrawal_is_denied_by_redis(
    client, redis_backend, token, subjects, training, notice
):
    alice = subjects[0]
    mirror_sync()
    consent_grant(employee=alice, program=training, notice=notice)
    assert answer(client, token, "ai_model_training", alice.work_email)[0] == "allow"
    consent_withdraw(employee=alice, program=training)
    stored = redis_backend.hget(key("s", "ai_model_training"), str(alice.pk))
    assert stored.split("|")[1] == "withdrawn"
    with CaptureQueriesContext(connection) as queries:
        result = answer(client, token, "ai_model_training", alice.work_email)
    assert result == ("deny", "withdrawn")
    # Redis gave the whole answer, identifier included.
    assert queries.captured_queries == []


def test_an_unsynced_mirror_is_not_trusted(client, redis_backend, token, subjects):
    bob = subjects[1]
    assert not redis_backend.exists(key("ready"))
    assert answer(client, token, "endpoint_security", bob.work_email)[0] == "allow"
    assert answer(client, token, "ai_model_training", bob.work_email)[1] == "no_consent"


def test_a_write_lost_in_an_outage_is_answered_by_the_database_then_repaired(
    client, settings, redis_backend, token, subjects, training, notice
):
    alice = subjects[0]
    consent_grant(employee=alice, program=training, notice=notice)
    mirror_sync()
    working_url = settings.CONSENT_REDIS_URL
    settings.CONSENT_REDIS_URL = "redis://127.0.0.1:1/2"  # the outage
    consent_withdraw(employee=alice, program=training)
    assert MirrorRepair.objects.count() == 1
    settings.CONSENT_REDIS_URL = working_url  # back, but still saying "granted"
    stale = redis_backend.hget(key("s", "ai_model_training"), str(alice.pk))
    assert stale.split("|")[1] == "granted"
    assert (
        answer(client, token, "ai_model_training", alice.work_email)[1] == "withdrawn"
    )
    assert mirror_repair() is True
    assert not MirrorRepair.objects.exists()
    fresh = redis_backend.hget(key("s", "ai_model_training"), str(alice.pk))
    assert fresh.split("|")[1] == "withdrawn"
    assert (
        answer(client, token, "ai_model_training", alice.work_email)[1] == "withdrawn"
    )
    assert mirror._suspect is False


def test_a_sync_never_overwrites_a_newer_state(
    redis_backend, subjects, training, notice
):
    alice = subjects[0]
    consent_grant(employee=alice, program=training, notice=notice)
    state = consent_withdraw(employee=alice, program=training)
    field = str(alice.pk)
    older = f"{state.event_id - 1}|granted|1|"
    mirror.mirror_put_states(program_key="ai_model_training", states={alice.pk: older})
    value = redis_backend.hget(key("s", "ai_model_training"), field)
    assert value.split("|")[1] == "withdrawn"


def test_a_broken_connection_is_answered_by_the_database_then_replaced(
    client, redis_backend, token, subjects, training, notice
):
    alice = subjects[0]
    consent_grant(employee=alice, program=training, notice=notice)
    mirror_sync()
    assert answer(client, token, "ai_model_training", alice.work_email)[0] == "allow"
    # The decision path's own connection dies under it (a server restart).
    _pid, connection_ = sources._local.connections[id(redis_backend)]
    connection_._sock.close()
    consent_withdraw(employee=alice, program=training)
    with CaptureQueriesContext(connection) as queries:
        result = answer(client, token, "ai_model_training", alice.work_email)
    assert result == ("deny", "withdrawn")
    assert queries.captured_queries  # the database answered
    mirror._suspect = False  # a read failure: nothing to repair
    with CaptureQueriesContext(connection) as queries:
        result = answer(client, token, "ai_model_training", alice.work_email)
    assert result == ("deny", "withdrawn")
    assert queries.captured_queries == []  # a fresh connection, Redis again
