"""The people admin: pages load for a superuser, and nobody else gets in."""

import pytest
from django.urls import reverse

from apps.people.models import User

pytestmark = pytest.mark.django_db


def _pages(alice) -> list[str]:
    return [
        reverse("admin:people_employee_changelist"),
        reverse("admin:people_employee_change", args=[alice.pk]),
        reverse("admin:people_employee_add"),
        reverse("admin:people_user_changelist"),
        reverse("admin:people_user_change", args=[alice.user.pk]),
        reverse("admin:people_user_add"),
        reverse("admin:people_department_changelist"),
        reverse("admin:people_department_add"),
    ]


@pytest.fixture
def admin_client_(client):
    user = User.objects.create_superuser("hr", "hr@example.com", "pw-123456")
    client.force_login(user)
    return client


def test_it_shows_every_page_to_a_superuser(admin_client_, alice):
    for url in _pages(alice):
        assert admin_client_.get(url).status_code == 200, url


def test_it_finds_employees_by_identifier(admin_client_, alice, bob):
    url = reverse("admin:people_employee_changelist")

    response = admin_client_.get(url, {"q": "SN-BOB-1"})

    assert [e.pk for e in response.context["cl"].result_list] == [bob.pk]


def test_it_filters_leavers(admin_client_, alice, bob):
    bob.is_leaver = True
    bob.save()
    url = reverse("admin:people_employee_changelist")

    response = admin_client_.get(url, {"is_leaver__exact": "1"})

    assert [e.pk for e in response.context["cl"].result_list] == [bob.pk]


def test_it_redirects_anonymous_users_to_the_login(client, alice):
    for url in _pages(alice):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(
            (reverse("login"), reverse("admin:login"))
        )


def test_it_denies_users_who_are_not_staff(client, alice, bob):
    client.force_login(bob.user)
    for url in _pages(alice):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(
            (reverse("login"), reverse("admin:login"))
        )
        assert b"alice@example.com" not in response.content
