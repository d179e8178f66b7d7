"""Every reason the decision API gives, on the database and on the Redis mirror.

Tests that edit people through the ORM then call identities_refresh_on_commit,
as every people write path does (tests/consent/test_subject_mirror.py holds
the roster import and the admin to it).
"""

import datetime as dt
import json

import pytest
from django.utils import timezone

from apps.consent import decisions as decisions_module
from apps.consent.mirror import mirror_sync
from apps.consent.models import BlockKind
from apps.consent.services import (
    collector_token_create,
    collector_token_revoke,
    consent_grant,
    consent_withdraw,
    processing_block_lift,
    processing_block_place,
)
from apps.consent.subjects import identities_refresh_on_commit
from apps.people.models import Identifier
from tests.consent.conftest import DECISIONS_URL, answer, ask, make_program, publish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["database", "redis"])
def backend(request, subjects, token, notice):
    """Everything set up, then the chosen backend ready to answer."""
    if request.param == "redis":
        request.getfixturevalue("redis_backend")
        mirror_sync()
    return request.param


def test_it_allows_consented_subjects(client, backend, token, training, notice, alice):
    consent_grant(employee=alice, program=training, notice=notice)
    assert answer(client, token, "ai_model_training", alice.work_email) == (
        "allow",
        "consented",
    )


def test_it_matches_email_whatever_the_case(
    client, backend, token, training, notice, alice
):
    consent_grant(employee=alice, program=training, notice=notice)
    assert answer(client, token, "ai_model_training", "ALICE@example.com")[0] == "allow"


def test_it_resolves_any_identifier_kind(
    client, backend, token, training, notice, alice
):
    consent_grant(employee=alice, program=training, notice=notice)
    assert answer(
        client, token, "ai_model_training", "SN-ALICE-1", kind="device_serial"
    ) == ("allow", "consented")


def test_it_denies_without_consent(client, backend, token, bob):
    assert answer(client, token, "ai_model_training", bob.work_email) == (
        "deny",
        "no_consent",
    )


def test_it_denies_after_withdrawal(client, backend, token, training, notice, alice):
    consent_grant(employee=alice, program=training, notice=notice)
    consent_withdraw(employee=alice, program=training)
    assert answer(client, token, "ai_model_training", alice.work_email) == (
        "deny",
        "withdrawn",
    )


def test_it_denies_past_the_expiry(client, backend, token, training, notice, alice):
    soon = timezone.now() + dt.timedelta(seconds=2)
    consent_grant(employee=alice, program=training, notice=notice, expires_at=soon)
    response = ask(client, token, "ai_model_training", value=alice.work_email)
    assert response.json()["decision"] == "allow"
    assert response.json()["ttl"] <= 2  # never reused past the expiry
    decisions_module.time = _FrozenTime(soon.timestamp() + 1)
    try:
        result = answer(client, token, "ai_model_training", alice.work_email)
    finally:
        decisions_module.time = __import__("time")
    assert result == ("deny", "expired")


class _FrozenTime:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


def test_it_denies_consent_under_an_older_material_notice(
    client, backend, token, training, notice, alice, bob
):
    consent_grant(employee=alice, program=training, notice=notice)
    consent_grant(employee=bob, program=training, notice=notice)
    publish(training, material=False)
    assert answer(client, token, "ai_model_training", alice.work_email)[0] == "allow"
    material = publish(training, material=True)
    assert answer(client, token, "ai_model_training", alice.work_email) == (
        "deny",
        "notice_changed",
    )
    consent_grant(employee=bob, program=training, notice=material)
    assert answer(client, token, "ai_model_training", bob.work_email)[0] == "allow"


def test_it_denies_unknown_subjects(client, backend, token):
    assert answer(client, token, "ai_model_training", "nobody@example.com") == (
        "deny",
        "unknown_subject",
    )


def test_it_denies_unknown_programs(client, backend, token, alice):
    assert answer(client, token, "no_such_program", alice.work_email) == (
        "deny",
        "unknown_program",
    )


def test_it_allows_mandatory_programs_but_not_leavers(
    client, backend, token, alice, bob
):
    bob.is_leaver = True
    bob.save()
    identities_refresh_on_commit(employee_ids=[bob.pk])
    assert answer(client, token, "endpoint_security", alice.work_email) == (
        "allow",
        "legal_basis",
    )
    assert answer(client, token, "endpoint_security", bob.work_email) == (
        "deny",
        "leaver",
    )


def test_it_denies_leavers_even_with_consent(
    client, backend, token, training, notice, alice
):
    consent_grant(employee=alice, program=training, notice=notice)
    alice.left_on = timezone.localdate() - dt.timedelta(days=1)
    alice.save()
    identities_refresh_on_commit(employee_ids=[alice.pk])
    assert answer(client, token, "ai_model_training", alice.work_email)[1] == "leaver"


def test_it_honours_processing_blocks(
    client, backend, token, security, training, notice, alice
):
    consent_grant(employee=alice, program=training, notice=notice)
    block = processing_block_place(
        employee=alice, program=security, kind=BlockKind.OBJECTION, reason="Upheld"
    )
    processing_block_place(
        employee=alice, program=training, kind=BlockKind.RESTRICTION, reason="Art 18"
    )
    assert answer(client, token, "endpoint_security", alice.work_email) == (
        "deny",
        "objected",
    )
    assert answer(client, token, "ai_model_training", alice.work_email) == (
        "deny",
        "restricted",
    )
    processing_block_lift(block=block)
    assert answer(client, token, "endpoint_security", alice.work_email)[0] == "allow"


def test_it_denies_programs_outside_the_token_scope(
    client, backend, officer, security, training, notice, alice
):
    consent_grant(employee=alice, program=training, notice=notice)
    _, narrow = collector_token_create(
        name="security agent", programs=[security], created_by=officer
    )
    assert answer(client, narrow, "ai_model_training", alice.work_email) == (
        "deny",
        "out_of_scope",
    )
    assert answer(client, narrow, "endpoint_security", alice.work_email)[0] == "allow"


def test_it_refuses_wrong_missing_and_revoked_tokens(
    client, backend, officer, training, alice
):
    _, secret = collector_token_create(
        name="short-lived", programs=[training], created_by=officer
    )
    assert (
        ask(client, secret, "ai_model_training", value=alice.work_email).status_code
        == 200
    )
    assert ask(client, secret + "x", "ai_model_training", value="a").status_code == 401
    body = json.dumps({"program": "ai_model_training", "subject": {}})
    missing = client.post(DECISIONS_URL, data=body, content_type="application/json")
    assert missing.status_code == 401
    assert missing["WWW-Authenticate"].startswith("Bearer")
    from apps.consent.models import CollectorToken

    collector_token_revoke(token=CollectorToken.objects.get(name="short-lived"))
    assert (
        ask(client, secret, "ai_model_training", value=alice.work_email).status_code
        == 401
    )


def test_a_batch_answers_in_order(client, backend, token, training, notice, alice, bob):
    consent_grant(employee=alice, program=training, notice=notice)
    batch = [
        {"kind": "email", "value": bob.work_email},
        {"kind": "email", "value": "ghost@example.com"},
        {"kind": "device_serial", "value": "SN-ALICE-1"},
    ]
    response = ask(client, token, "ai_model_training", subjects=batch)
    assert response.status_code == 200
    got = [
        (d["subject"]["value"], d["decision"], d["reason"])
        for d in response.json()["decisions"]
    ]
    assert got == [
        (bob.work_email, "deny", "no_consent"),
        ("ghost@example.com", "deny", "unknown_subject"),
        ("SN-ALICE-1", "allow", "consented"),
    ]


def test_a_batch_of_a_thousand_costs_a_few_queries(
    client, backend, token, training, notice, alice, django_assert_max_num_queries
):
    consent_grant(employee=alice, program=training, notice=notice)
    batch = [{"kind": "email", "value": f"p{n}@example.com"} for n in range(999)]
    batch.append({"kind": "email", "value": alice.work_email})
    with django_assert_max_num_queries(5):
        response = ask(client, token, "ai_model_training", subjects=batch)
    decisions = response.json()["decisions"]
    assert len(decisions) == 1000
    assert decisions[-1]["decision"] == "allow"
    assert {d["reason"] for d in decisions[:-1]} == {"unknown_subject"}


def test_an_internal_error_is_a_deny(
    client, backend, token, training, notice, alice, monkeypatch
):
    consent_grant(employee=alice, program=training, notice=notice)

    def broken(**facts):
        raise RuntimeError("judgement failed")

    monkeypatch.setattr(decisions_module, "_judge", broken)
    assert answer(client, token, "ai_model_training", alice.work_email) == (
        "deny",
        "error",
    )


def test_a_redis_outage_falls_back_to_the_database(
    client, settings, token, training, notice, alice, bob, subjects
):
    settings.CONSENT_REDIS_URL = "redis://127.0.0.1:1/2"  # nothing listens there
    consent_grant(employee=alice, program=training, notice=notice)
    assert answer(client, token, "ai_model_training", alice.work_email)[0] == "allow"
    assert answer(client, token, "ai_model_training", bob.work_email) == (
        "deny",
        "no_consent",
    )
    consent_withdraw(employee=alice, program=training)
    assert (
        answer(client, token, "ai_model_training", alice.work_email)[1] == "withdrawn"
    )


def test_a_program_becoming_consent_based_has_no_consent_yet(
    client, backend, officer, alice
):
    program = make_program("chat_analysis", legal_basis="consent")
    _, secret = collector_token_create(
        name="chat", programs=[program], created_by=officer
    )
    if backend == "redis":
        mirror_sync()
    assert answer(client, secret, "chat_analysis", alice.work_email) == (
        "deny",
        "no_consent",
    )


def test_identifiers_count_at_once(client, backend, token, training, notice, alice):
    consent_grant(employee=alice, program=training, notice=notice)
    Identifier.objects.filter(employee=alice, kind="device_serial").delete()
    identities_refresh_on_commit(identifiers=[("device_serial", "SN-ALICE-1")])
    assert answer(
        client, token, "ai_model_training", "SN-ALICE-1", kind="device_serial"
    ) == ("deny", "unknown_subject")
