"""Malformed decision requests get a precise 400; the wrong method 405."""

import json

import pytest

from tests.consent.conftest import DECISIONS_URL

pytestmark = pytest.mark.django_db


def post(client, token, body):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        DECISIONS_URL,
        data=data,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ("{not json", "body is not JSON"),
        ("[]", "body must be a JSON object"),
        ({"subject": {"kind": "email", "value": "a"}}, "program: a program key"),
        ({"program": "p"}, 'give exactly one of "subject" or "subjects"'),
        (
            {"program": "p", "subject": {}, "subjects": []},
            'give exactly one of "subject" or "subjects"',
        ),
        ({"program": "p", "subjects": []}, "subjects: a non-empty list is required"),
        ({"program": "p", "subjects": {"kind": "email"}}, "subjects: a non-empty list"),
        (
            {"program": "p", "subjects": [{"kind": "email", "value": "a"}] * 1001},
            "subjects: at most 1000 per request, got 1001",
        ),
        (
            {"program": "p", "subjects": [{"kind": "email", "value": "a"}, "b"]},
            "subjects[1]: an object with kind and value is required",
        ),
        (
            {"program": "p", "subjects": [{"kind": "shoe", "value": "a"}]},
            "subjects[0].kind: 'shoe' is not one of email",
        ),
        (
            {"program": "p", "subject": {"kind": "email", "value": 7}},
            "subject.value: a non-empty string is required",
        ),
        (
            {"program": "p", "subject": {"kind": "email", "value": "x" * 256}},
            "subject.value: longer than 255 characters",
        ),
    ],
)
def test_it_says_what_is_wrong(client, token, body, detail):
    response = post(client, token, body)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert response.json()["detail"].startswith(detail)


def test_it_only_takes_post(client, token):
    response = client.get(DECISIONS_URL, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405


def test_the_ping_is_constant(client):
    assert client.get("/api/v1/consent/ping/").json() == {"ok": True}
    assert client.post("/api/v1/consent/ping/").json() == {"ok": True}
    assert client.put("/api/v1/consent/ping/").status_code == 405
