"""The changes feed: a collector learns of consent events after its cursor."""

import pytest

from apps.consent.services import (
    collector_token_create,
    consent_grant,
    consent_withdraw,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/consent/changes/"


def feed(client, secret, **params):
    return client.get(URL, params, headers={"Authorization": f"Bearer {secret}"})


def test_it_lists_events_after_the_cursor(client, token, subjects, training, notice):
    alice, bob, _ = subjects
    consent_grant(employee=alice, program=training, notice=notice)
    first = feed(client, token).json()
    assert [(c["event"], c["subjects"]) for c in first["changes"]] == [
        ("granted", [{"kind": "email", "value": alice.work_email}])
    ]
    consent_withdraw(employee=alice, program=training)
    consent_grant(employee=bob, program=training, notice=notice)
    later = feed(client, token, cursor=first["cursor"], kind="device_serial").json()
    assert [(c["event"], c["subjects"][0]["value"]) for c in later["changes"]] == [
        ("withdrawn", "SN-ALICE-1"),
        ("granted", "SN-BOB-1"),
    ]
    empty = feed(client, token, cursor=later["cursor"]).json()
    assert empty == {"cursor": later["cursor"], "changes": []}


def test_it_shows_only_the_tokens_programs(
    client, officer, security, subjects, training, notice
):
    consent_grant(employee=subjects[0], program=training, notice=notice)
    _, narrow = collector_token_create(
        name="s", programs=[security], created_by=officer
    )
    assert feed(client, narrow).json()["changes"] == []


def test_it_rejects_bad_parameters_precisely(client, token):
    response = feed(client, token, cursor="x")
    assert response.status_code == 400
    assert response.json()["detail"] == "cursor: 'x' is not an integer"
    assert (
        feed(client, token, limit=0).json()["detail"]
        == "limit: must be between 1 and 1000"
    )
    assert feed(client, token, wait=999).status_code == 400
    assert "kind: 'shoe_size'" in feed(client, token, kind="shoe_size").json()["detail"]


def test_it_needs_a_token_and_get(client, token):
    assert client.get(URL).status_code == 401
    assert feed(client, "cnd_wrong").status_code == 401
    response = client.post(URL, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405
