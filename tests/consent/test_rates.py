"""Consent rates: groups of five or more, never an individual's choice."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from apps.consent.selectors import consent_rates
from apps.consent.services import consent_grant
from apps.people.models import Department
from tests.conftest import make_employee

pytestmark = pytest.mark.django_db

URL = reverse("consent:rates")


@pytest.fixture
def org(training, notice):
    """Sales: 6 people, 3 consent. Legal: 4 people, 1 consents (too small)."""
    sales = Department.objects.create(name="Sales")
    legal = Department.objects.create(name="Legal")
    people = {}
    for n in range(10):
        department = sales if n < 6 else legal
        people[n] = make_employee(
            f"staffmember{n}", number=f"N{n}", department=department
        )
    for n in (0, 1, 2, 6):
        consent_grant(employee=people[n], program=training, notice=notice)
    return people


def viewer(role: str):
    user = make_employee(f"viewer-{role}", number=f"V-{role}").user
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def test_it_shows_only_groups_of_five_or_more(org):
    rates = consent_rates(user=viewer("hr"))
    shown = [(r.department, r.people, r.granted) for r in rates.rows]
    # The viewer (no department) is a group of one: suppressed with Legal.
    assert shown == [("Sales", 6, 3)]
    assert rates.suppressed == 2


@pytest.mark.parametrize("role", ["hr", "manager", "privacy_officer", "dpo"])
def test_the_page_is_for_those_roles(client, org, role):
    client.force_login(viewer(role))
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    main = body[body.index('<main id="main"') :]  # the menu names "Legal holds"
    assert "Sales" in main and "50%" in main
    assert "Legal" not in main
    for person in org.values():
        assert person.full_name not in body and person.work_email not in body


def test_everyone_else_gets_404(client, org):
    client.force_login(org[0].user)
    assert client.get(URL).status_code == 404
    assert consent_rates(user=org[0].user) is None
    client.force_login(viewer("security_investigator"))
    assert client.get(URL).status_code == 404


def test_the_page_needs_sign_in_and_get(client, org):
    assert client.get(URL).status_code == 302
    client.force_login(viewer("hr"))
    assert client.post(URL).status_code == 405
