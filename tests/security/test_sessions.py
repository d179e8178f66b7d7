"""Sessions: recorded at sign-in, all ended at sign-out and deactivation,
ended by the idle and absolute limits."""

from django.contrib.sessions.models import Session
from django.urls import reverse

from apps.governance.permissions import is_staff_member
from apps.security import sessions
from apps.security.models import UserSession
from tests.security.conftest import signed_in

MY_DATA = reverse("people:my_data")


def _age(client, *, idle_minutes=0.0, signed_in_hours=0.0):
    """Move this client's session clocks back in time (as if it were idle)."""
    session = client.session
    now = sessions._now()
    session[sessions.SEEN_AT] = now - idle_minutes * 60
    session[sessions.SIGNED_IN_AT] = now - signed_in_hours * 3600
    session.save()


def _is_signed_in(client) -> bool:
    return client.get(MY_DATA).status_code == 200


def test_it_records_each_sign_in_with_its_user(alice, bob):
    first, second, other = (
        signed_in(alice.user),
        signed_in(alice.user),
        signed_in(bob.user),
    )
    rows = dict(UserSession.objects.values_list("session_id", "user_id"))
    assert rows == {
        first.session.session_key: alice.user.pk,
        second.session.session_key: alice.user.pk,
        other.session.session_key: bob.user.pk,
    }


def test_it_ends_every_session_of_a_user_at_sign_out(alice, bob):
    laptop, phone, other = (
        signed_in(alice.user),
        signed_in(alice.user),
        signed_in(bob.user),
    )
    assert _is_signed_in(phone)
    response = laptop.post(reverse("logout"))
    assert response.status_code == 302
    assert not _is_signed_in(phone)
    assert phone.get(MY_DATA)["Location"].startswith(reverse("login"))
    assert _is_signed_in(other)
    assert not UserSession.objects.filter(user=alice.user).exists()
    assert UserSession.objects.filter(user=bob.user).count() == 1


def test_it_ends_every_session_when_a_user_is_deactivated(alice, bob):
    laptop, phone, other = (
        signed_in(alice.user),
        signed_in(alice.user),
        signed_in(bob.user),
    )
    keys = [laptop.session.session_key, phone.session.session_key]
    alice.user.is_active = False
    alice.user.save()
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not _is_signed_in(laptop)
    assert _is_signed_in(other)


def test_a_cycled_session_key_is_mapped_again(alice, settings):
    laptop, phone = signed_in(alice.user), signed_in(alice.user)
    # What a password change does (update_session_auth_hash): a new key.
    session = phone.session
    session.cycle_key()
    phone.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    assert _is_signed_in(phone)
    assert UserSession.objects.filter(
        session_id=session.session_key, user=alice.user
    ).exists()
    laptop.post(reverse("logout"))
    assert not _is_signed_in(phone)


def test_end_sessions_of_takes_users_or_ids_and_counts(alice, bob, charlie):
    signed_in(alice.user), signed_in(alice.user), signed_in(bob.user)
    kept = signed_in(charlie.user)
    assert sessions.end_sessions_of([alice.user, bob.user.pk]) == 3
    assert sessions.end_sessions_of([]) == 0
    assert list(Session.objects.values_list("session_key", flat=True)) == [
        kept.session.session_key
    ]


def test_an_employee_stays_signed_in_within_the_idle_limit(alice, settings):
    settings.SESSION_IDLE_MINUTES = 30
    client = signed_in(alice.user)
    _age(client, idle_minutes=29)
    assert _is_signed_in(client)
    # The request restarted the idle clock.
    assert sessions._now() - client.session[sessions.SEEN_AT] < 60


def test_an_idle_employee_is_signed_out_with_a_message(alice, settings):
    settings.SESSION_IDLE_MINUTES = 30
    client = signed_in(alice.user)
    key = client.session.session_key
    _age(client, idle_minutes=31)
    response = client.get(MY_DATA, follow=True)
    assert response.redirect_chain[0][0] == f"{reverse('login')}?next={MY_DATA}"
    texts = [str(m) for m in response.context["messages"]]
    assert any("without activity" in t for t in texts)
    assert not Session.objects.filter(session_key=key).exists()
    assert not _is_signed_in(client)


def test_staff_have_the_shorter_idle_limit(alice, officer, settings):
    settings.ACCOUNTS_REQUIRE_STAFF_2FA = False  # the sign-in work's gate
    settings.SESSION_IDLE_MINUTES_STAFF = 15
    settings.SESSION_IDLE_MINUTES = 30
    employee, staff = signed_in(alice.user), signed_in(officer)
    _age(employee, idle_minutes=16)
    _age(staff, idle_minutes=16)
    assert _is_signed_in(employee)
    assert not _is_signed_in(staff)


def test_is_staff_counts_as_staff(alice, settings):
    settings.ACCOUNTS_REQUIRE_STAFF_2FA = False
    alice.user.is_staff = True
    alice.user.save()
    client = signed_in(alice.user)
    _age(client, idle_minutes=settings.SESSION_IDLE_MINUTES_STAFF + 1)
    assert not _is_signed_in(client)


def test_who_is_staff(alice, officer):
    assert is_staff_member(officer)
    assert not is_staff_member(alice.user)


def test_the_absolute_lifetime_ends_an_active_session(alice, settings):
    settings.SESSION_ABSOLUTE_HOURS = 12
    client = signed_in(alice.user)
    _age(client, signed_in_hours=11.9)
    assert _is_signed_in(client)
    _age(client, signed_in_hours=12.1)
    response = client.get(MY_DATA, follow=True)
    texts = [str(m) for m in response.context["messages"]]
    assert any("maximum length" in t for t in texts)
    assert not _is_signed_in(client)


def test_a_session_without_clocks_is_ended(alice):
    client = signed_in(alice.user)
    session = client.session
    del session[sessions.SIGNED_IN_AT]
    session.save()
    assert not _is_signed_in(client)


def test_an_expired_api_session_is_anonymous_not_redirected(alice):
    client = signed_in(alice.user)
    assert client.get(reverse("api:rights_requests")).status_code == 200
    _age(client, signed_in_hours=13)
    response = client.get(reverse("api:rights_requests"))
    assert response.status_code in (401, 403)
    assert "Location" not in response


def test_sessions_are_server_side(alice):
    client = signed_in(alice.user)
    stored = Session.objects.get(session_key=client.session.session_key)
    assert stored.get_decoded()["_auth_user_id"] == str(alice.user.pk)
