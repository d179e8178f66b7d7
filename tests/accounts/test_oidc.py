"""Single sign-on against a real (tiny) OpenID provider over HTTP."""

import pytest
from django.urls import reverse

from apps.accounts.two_factor import IDP_MFA_SESSION_KEY
from apps.audit.models import AuditRecord
from apps.people.models import Employee, User
from tests.accounts.helpers import follow_sso
from tests.conftest import make_employee

START = "/oidc/authenticate/"


def _signed_in_as(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def _roles(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_it_is_off_without_a_client_id(client, db, settings):
    settings.OIDC_RP_CLIENT_ID = ""
    assert client.get(START).status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
    assert b"oidc/authenticate" not in client.get(reverse("login")).content


def test_it_signs_in_an_employee_found_by_email(client, provider, alice):
    provider.person = {"email": "ALICE@example.com", "name": "Alice"}
    response = follow_sso(client, provider, START)
    assert response.status_code == 302
    assert response.url == reverse("people:my_data")
    assert _signed_in_as(client) == alice.user
    # The flow was the code flow with a nonce and PKCE.
    sent = provider.authorize_requests[-1]
    assert sent["response_type"] == "code"
    assert sent["nonce"] and sent["code_challenge_method"] == "S256"
    record = AuditRecord.objects.get(detail__event="signed_in")
    assert record.actor_id == alice.user.pk and record.detail["method"] == "oidc"


def test_it_finds_a_person_by_employee_number(client, provider, alice):
    provider.person = {
        "email": "a.new.address@example.com",
        "employee_number": "E00001",
    }
    follow_sso(client, provider, START)
    assert _signed_in_as(client) == alice.user


def test_it_maps_groups_to_roles_and_ignores_unmapped_ones(client, provider, alice):
    provider.person = {
        "email": "alice@example.com",
        "groups": ["dpo-office", "kitchen-staff", "admins"],
    }
    follow_sso(client, provider, START)
    alice.user.refresh_from_db()
    # "kitchen-staff" is not mapped; "admins" maps to a name that is no role.
    assert _roles(alice.user) == {"dpo"}
    assert not alice.user.is_superuser and not alice.user.is_staff


def test_a_role_the_provider_no_longer_lists_goes(client, provider, alice, settings):
    settings.ACCOUNTS_REQUIRE_STAFF_2FA = False
    from django.contrib.auth.models import Group

    alice.user.groups.add(Group.objects.get(name="privacy_officer"))
    provider.person = {"email": "alice@example.com", "groups": ["dpo-office"]}
    follow_sso(client, provider, START)
    assert _roles(alice.user) == {"dpo"}


def test_roles_stay_when_the_provider_sends_no_groups(client, provider, alice):
    from django.contrib.auth.models import Group

    alice.user.groups.add(Group.objects.get(name="hr"))
    provider.person = {"email": "alice@example.com"}
    follow_sso(client, provider, START)
    assert _roles(alice.user) == {"hr"}


def test_an_unknown_person_is_refused_without_just_in_time(client, provider, settings):
    settings.OIDC_CREATE_USER = False
    provider.person = {"email": "newcomer@example.com", "employee_number": "E09999"}
    response = follow_sso(client, provider, START)
    assert response.status_code == 403
    assert b"not known to Candor" in response.content
    assert _signed_in_as(client) is None
    assert not User.objects.filter(email="newcomer@example.com").exists()
    assert AuditRecord.objects.filter(
        detail__event="sso_refused", detail__reason="unknown"
    ).exists()


def test_just_in_time_creates_the_user_and_employee(client, provider, settings):
    settings.OIDC_CREATE_USER = True
    provider.person = {
        "email": "newcomer@example.com",
        "employee_number": "E09999",
        "name": "Nina Newcomer",
        "groups": ["privacy-team"],
    }
    follow_sso(client, provider, START)
    user = _signed_in_as(client)
    assert user is not None and user.username == "newcomer@example.com"
    assert not user.has_usable_password()
    employee = Employee.objects.get(user=user)
    assert (employee.employee_number, employee.full_name) == ("E09999", "Nina Newcomer")
    assert set(employee.identifiers.values_list("kind", "value")) == {
        ("email", "newcomer@example.com"),
        ("employee_number", "E09999"),
    }
    assert _roles(user) == {"privacy_officer"}


def test_just_in_time_needs_an_employee_number(client, provider, settings):
    settings.OIDC_CREATE_USER = True
    provider.person = {"email": "newcomer@example.com"}
    response = follow_sso(client, provider, START)
    assert response.status_code == 403
    assert not User.objects.filter(email="newcomer@example.com").exists()


@pytest.mark.parametrize("how", ["inactive", "leaver"])
def test_a_leaver_is_refused(client, provider, how):
    employee = make_employee("leo", number="E00077")
    if how == "inactive":
        employee.user.is_active = False
        employee.user.save()
    else:
        employee.is_leaver = True
        employee.save()
    provider.person = {"email": "leo@example.com", "groups": ["dpo-office"]}
    response = follow_sso(client, provider, START)
    assert response.status_code == 403
    assert b"has left" in response.content
    assert _signed_in_as(client) is None
    assert _roles(employee.user) == set()


@pytest.mark.parametrize(
    "tamper",
    [
        "bad_signature",
        "wrong_audience",
        "expired",
        "wrong_nonce",
        "no_nonce",
        "wrong_issuer",
    ],
)
def test_a_token_that_fails_a_check_is_refused(client, provider, alice, tamper):
    provider.person = {"email": "alice@example.com"}
    provider.tamper = tamper
    response = follow_sso(client, provider, START)
    assert response.status_code == 403
    assert b"could not be trusted" in response.content
    assert _signed_in_as(client) is None


def test_a_forged_state_is_refused(client, provider, alice):
    provider.person = {"email": "alice@example.com"}
    to_provider = client.get(START)
    import requests

    answer = requests.get(to_provider.url, allow_redirects=False, timeout=10)
    code = answer.headers["Location"].split("code=")[1].split("&")[0]
    response = client.get(f"/oidc/callback/?code={code}&state=forged")
    assert response.status_code == 403
    assert _signed_in_as(client) is None


def test_a_replayed_callback_is_refused(client, provider, alice):
    provider.person = {"email": "alice@example.com"}
    to_provider = client.get(START)
    import requests

    answer = requests.get(to_provider.url, allow_redirects=False, timeout=10)
    callback = answer.headers["Location"].removeprefix("http://testserver")
    assert client.get(callback).status_code == 302
    client.logout()
    response = client.get(callback)
    assert response.status_code == 403
    assert _signed_in_as(client) is None


def test_staff_without_provider_mfa_still_get_the_local_second_step(
    client, provider, officer
):
    provider.person = {"email": "olga@example.com", "groups": ["privacy-team"]}
    response = follow_sso(client, provider, START)
    assert response.url.startswith(reverse("two_factor_setup"))
    assert client.get(reverse("people:my_data")).status_code == 302
    assert IDP_MFA_SESSION_KEY not in client.session


@pytest.mark.parametrize("amr", [["pwd", "mfa"], ["otp"], ["hwk"]])
def test_provider_mfa_is_accepted_for_staff(client, provider, officer, amr):
    provider.person = {"email": "olga@example.com", "groups": ["privacy-team"]}
    provider.amr = amr
    response = follow_sso(client, provider, START)
    assert response.url == reverse("people:my_data")
    assert client.get(reverse("rights:officer_queue")).status_code == 200


def test_login_page_shows_only_sso_when_local_sign_in_is_off(
    client, provider, alice, settings
):
    settings.ACCOUNTS_LOCAL_LOGIN = False
    page = client.get(reverse("login"))
    assert b"oidc/authenticate" in page.content
    assert b'name="password"' not in page.content
    refused = client.post(
        reverse("login"), {"username": "alice@example.com", "password": "x"}
    )
    assert refused.status_code == 403
    assert _signed_in_as(client) is None
