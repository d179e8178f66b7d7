"""The rights API: the same rules as the pages, session or token, and the
OpenAPI schema that describes it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from apps.rights.lifecycle import RequestStatus as S
from apps.rights.models import Request, RequestChannel
from apps.rights.views.reauth import SESSION_KEY
from tests.governance.conftest import make_user
from tests.rights.pages import ZIP_BYTES, file, ready_export

pytestmark = pytest.mark.django_db

LIST = "api:rights_requests"


@pytest.fixture
def world(alice, bob, officer, light_catalog):
    return {"dpo": make_user("dora", "dpo", employee_number="S003"), **light_catalog}


def _token_client(client, user):
    token = Token.objects.create(user=user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def _url(name: str, req=None, **kwargs) -> str:
    if req is not None:
        kwargs["public_id"] = req.public_id
    return reverse(name, kwargs=kwargs)


# Filing and reading one's own requests.


def test_it_files_a_request_with_a_token(client, world, alice):
    api = _token_client(client, alice.user)

    response = api.post(
        reverse(LIST),
        {"kind": "access", "all_programs": False, "datasets": ["chat"]},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    req = Request.objects.get(subject=alice)
    assert response.json()["id"] == str(req.public_id)
    assert req.channel == RequestChannel.API
    assert req.status == S.IN_PROGRESS
    # chat, and the training corpus derived from it
    assert {p["dataset"] for p in response.json()["progress"]} == {"chat", "corpus"}


def test_it_answers_400_with_the_reason(client, world, alice):
    api = _token_client(client, alice.user)
    file(alice, kind="access")

    duplicate = api.post(
        reverse(LIST), {"kind": "access"}, content_type="application/json"
    )
    unknown = api.post(
        reverse(LIST),
        {"kind": "erasure", "all_programs": False, "datasets": ["nope"]},
        content_type="application/json",
    )
    bad_kind = api.post(
        reverse(LIST), {"kind": "launch"}, content_type="application/json"
    )
    garbage = api.post(reverse(LIST), "{not json", content_type="application/json")

    assert duplicate.status_code == 400
    assert "already have an open request" in duplicate.json()["non_field_errors"][0]
    assert unknown.status_code == 400
    assert unknown.json() == {"datasets": ["Unknown: nope"]}
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()
    assert garbage.status_code == 400
    assert Request.objects.filter(subject=alice).count() == 1


def test_it_lists_only_my_requests(client, world, alice, bob):
    mine, theirs = file(alice), file(bob)
    client.force_login(alice.user)

    response = client.get(reverse(LIST))

    assert response.status_code == 200
    assert [r["id"] for r in response.json()] == [str(mine.public_id)]
    assert str(theirs.public_id) not in response.content.decode()


def test_it_shows_my_request_and_hides_it_from_others(client, world, alice, bob):
    req = file(alice)
    client.force_login(alice.user)
    body = client.get(_url("api:rights_request", req)).json()
    assert body["status"] == S.AWAITING_APPROVAL
    assert body["days_left"] >= 27
    assert body["download"] is None

    for user in (bob.user, world["dpo"]):
        client.force_login(user)
        assert client.get(_url("api:rights_request", req)).status_code == 404


def test_anonymous_calls_get_401(client, world, alice):
    req = file(alice)
    for url in (reverse(LIST), _url("api:rights_request", req)):
        response = client.get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
    assert (
        client.get(reverse(LIST), HTTP_AUTHORIZATION="Token wrong").status_code == 401
    )


def test_wrong_methods_get_405(client, world, alice):
    req = file(alice)
    client.force_login(alice.user)
    assert client.put(reverse(LIST)).status_code == 405
    assert client.post(_url("api:rights_request", req)).status_code == 405
    assert client.get(_url("api:rights_withdraw", req)).status_code == 405


def test_i_withdraw_through_the_api(client, world, alice, bob):
    req = file(alice)
    client.force_login(bob.user)
    assert client.post(_url("api:rights_withdraw", req)).status_code == 404
    client.force_login(alice.user)

    response = client.post(
        _url("api:rights_withdraw", req), {"reason": "Changed my mind"}
    )

    assert response.status_code == 200
    assert response.json()["status"] == S.WITHDRAWN
    again = client.post(_url("api:rights_withdraw", req))
    assert again.status_code == 400
    assert "can no longer be withdrawn" in again.json()["non_field_errors"][0]


def test_messages_through_the_api(client, world, alice, bob):
    req = file(alice)
    client.force_login(alice.user)

    posted = client.post(_url("api:rights_messages", req), {"body": "Hello team"})
    empty = client.post(_url("api:rights_messages", req), {"body": ""})
    thread = client.get(_url("api:rights_messages", req))

    assert posted.status_code == 201
    assert empty.status_code == 400 and "body" in empty.json()
    assert thread.json()[0]["body"] == "Hello team"
    assert thread.json()[0]["from_subject"] is True
    client.force_login(bob.user)
    assert client.get(_url("api:rights_messages", req)).status_code == 404
    assert req.messages.count() == 1


# Downloads.


def test_i_download_my_archive_with_a_token(client, world, alice):
    export = ready_export(file(alice, kind="access"))
    api = _token_client(client, alice.user)

    link = api.get(_url("api:rights_download", export.request))
    assert link.status_code == 200
    url = link.json()["url"]
    assert url.startswith("http://testserver/api/v1/rights/downloads/")
    response = api.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == ZIP_BYTES
    export.refresh_from_db()
    assert export.downloads == 1


def test_nobody_else_downloads_it(client, world, alice, bob):
    export = ready_export(file(alice, kind="access"))
    client.force_login(alice.user)
    url = client.get(_url("api:rights_download", export.request)).json()["url"]
    client.logout()
    api = _token_client(client, bob.user)

    assert api.get(url).status_code == 404
    assert api.get(url[:-3] + "xx/").status_code == 404
    assert api.get(_url("api:rights_download", export.request)).status_code == 404
    export.refresh_from_db()
    assert export.downloads == 0


def test_an_expired_archive_is_410(client, world, alice):
    export = ready_export(file(alice, kind="access"))
    client.force_login(alice.user)
    url = client.get(_url("api:rights_download", export.request)).json()["url"]
    export.expires_at = timezone.now() - dt.timedelta(seconds=1)
    export.save()

    assert client.get(url).status_code == 410
    assert client.get(_url("api:rights_download", export.request)).status_code == 410


def test_a_stale_browser_session_must_sign_in_again(client, world, alice):
    export = ready_export(file(alice, kind="access"))
    client.force_login(alice.user)
    url = client.get(_url("api:rights_download", export.request)).json()["url"]
    session = client.session
    session[SESSION_KEY] = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    session.save()

    assert client.get(url).status_code == 403
    export.refresh_from_db()
    assert export.downloads == 0


# The privacy team.


def test_the_queue_is_for_officers(client, world, alice, bob, officer):
    req = file(alice)
    _token_client(client, officer)

    response = client.get(reverse("api:rights_queue"), {"kind": "erasure"})

    assert response.status_code == 200
    [row] = response.json()
    assert row["id"] == str(req.public_id)
    assert row["subject"]["employee_number"] == alice.employee_number
    bad = client.get(reverse("api:rights_queue"), {"deadline": "someday"})
    assert bad.status_code == 400
    for user in (alice.user, world["dpo"]):
        client.defaults.pop("HTTP_AUTHORIZATION")
        _token_client(client, user)
        assert client.get(reverse("api:rights_queue")).status_code == 404


def test_officer_decisions_through_the_api(client, world, alice, bob, officer):
    to_approve, to_refuse, to_extend = (
        file(alice),
        file(bob),
        file(alice, kind="restriction"),
    )
    client.force_login(officer)

    approved = client.post(_url("api:rights_approve", to_approve))
    refused = client.post(
        _url("api:rights_refuse", to_refuse), {"reason": "No grounds"}
    )
    extended = client.post(_url("api:rights_extend", to_extend), {"reason": "Volume"})
    asked = client.post(_url("api:rights_ask", to_extend), {"question": "Which?"})

    assert approved.status_code == 200 and approved.json()["status"] == S.IN_PROGRESS
    assert refused.json()["refusal_reason"] == "No grounds"
    assert extended.json()["extended_days"] > 0
    assert asked.json()["status"] == S.AWAITING_SUBJECT
    again = client.post(_url("api:rights_approve", to_approve))
    assert again.status_code == 400
    assert "awaiting approval" in again.json()["non_field_errors"][0]
    missing = client.post(_url("api:rights_refuse", to_extend), {})
    assert missing.status_code == 400 and "reason" in missing.json()


def test_an_officer_confirms_identity_through_the_api(client, world, alice, officer):
    req = Request.objects.get(
        pk=file(alice).pk
    )  # filed in the portal: confirmed by sign-in already
    client.force_login(officer)
    response = client.post(
        _url("api:rights_confirm_identity", req), {"reason": "Badge"}
    )
    assert response.status_code == 400
    assert "cannot become" in response.json()["non_field_errors"][0]


@pytest.mark.parametrize(
    "name", ["approve", "refuse", "extend", "ask", "confirm_identity"]
)
def test_no_one_else_decides(client, world, alice, bob, name):
    req = file(alice)
    data = {"reason": "x", "question": "x"}
    for user in (alice.user, bob.user, world["dpo"]):
        client.force_login(user)
        assert client.post(_url(f"api:rights_{name}", req), data).status_code == 404
        assert client.get(_url(f"api:rights_{name}", req)).status_code == 405
    client.logout()
    assert client.post(_url(f"api:rights_{name}", req), data).status_code == 401
    req.refresh_from_db()
    assert (req.status, req.extended_days, req.messages.count()) == (
        S.AWAITING_APPROVAL,
        0,
        0,
    )


# The schema.


def test_the_schema_lists_every_endpoint(client, world):
    response = client.get(reverse("api:schema"), {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Candor API"
    paths = set(schema["paths"])
    assert paths >= {
        "/api/v1/rights/requests/",
        "/api/v1/rights/requests/{public_id}/",
        "/api/v1/rights/requests/{public_id}/withdraw/",
        "/api/v1/rights/requests/{public_id}/messages/",
        "/api/v1/rights/requests/{public_id}/download/",
        "/api/v1/rights/downloads/{token}/",
        "/api/v1/rights/queue/",
        "/api/v1/rights/requests/{public_id}/approve/",
        "/api/v1/rights/requests/{public_id}/refuse/",
        "/api/v1/rights/requests/{public_id}/extend/",
        "/api/v1/rights/requests/{public_id}/ask/",
        "/api/v1/rights/requests/{public_id}/confirm-identity/",
    }
    assert set(schema["paths"]["/api/v1/rights/requests/"]) >= {"get", "post"}
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_the_docs_page_renders_from_the_package(client, world):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "swagger-ui" in body
    assert "cdn" not in body.lower()


def test_the_schema_is_valid_and_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/rights/queue/" in out.read_text()
