"""Password sign-in: who may, where it is enabled, what is audited."""

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.urls import reverse

from apps.audit.models import AuditRecord
from tests.conftest import DEMO_PASSWORD

LOGIN = reverse("login")


def _post(client, username="alice@example.com", password=DEMO_PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_the_page_has_the_fields_the_browser_tests_use(client, db):
    page = client.get(LOGIN)
    assert page.status_code == 200
    assert b'name="username"' in page.content and b'name="password"' in page.content
    # Single sign-on is off by default: no button.
    assert b"oidc/authenticate" not in page.content


def test_an_employee_signs_in_and_it_is_audited(client, alice):
    response = _post(client)
    assert response.url == reverse("people:my_data")
    assert client.session["_auth_user_id"] == str(alice.user.pk)
    record = AuditRecord.objects.get(detail__event="signed_in")
    assert record.actor_id == alice.user.pk
    assert record.detail == {
        "event": "signed_in",
        "ip": "127.0.0.1",
        "method": "password",
    }


def test_a_wrong_password_is_refused_and_audited(client, alice):
    response = _post(client, password="nope")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    record = AuditRecord.objects.get(detail__event="sign_in_failed")
    assert record.actor_id == alice.user.pk


def test_an_unknown_username_is_audited_by_name(client, db):
    _post(client, username="mallory@example.com")
    record = AuditRecord.objects.get(detail__event="sign_in_failed")
    assert record.actor_id is None
    assert record.detail["username"] == "mallory@example.com"


@pytest.mark.parametrize("how", ["inactive", "leaver"])
def test_a_leaver_is_refused(client, alice, how):
    if how == "inactive":
        alice.user.is_active = False
        alice.user.save()
    else:
        alice.is_leaver = True
        alice.save()
    response = _post(client)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_next_is_followed_only_on_this_site(client, alice):
    assert _post(client, next="/rights/").url == "/rights/"
    client.logout()
    assert _post(client, next="https://evil.example/").url == reverse("people:my_data")


def test_local_sign_in_off_refuses_passwords_everywhere(client, alice, settings):
    settings.ACCOUNTS_LOCAL_LOGIN = False
    page = client.get(LOGIN)
    assert b'name="password"' not in page.content
    assert _post(client).status_code == 403
    assert "_auth_user_id" not in client.session
    # The admin's form calls authenticate() too.
    request = RequestFactory().post("/admin/login/")
    assert (
        authenticate(request, username="alice@example.com", password=DEMO_PASSWORD)
        is None
    )


def test_sign_out_needs_a_post(client, alice):
    client.force_login(alice.user)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session
