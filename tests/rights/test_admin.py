"""The admin: the queue filterable and searchable; approve, refuse and
extend call the services, for the privacy team only."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from apps.rights.lifecycle import RequestStatus as S
from apps.rights.models import Request
from tests.rights.pages import file

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:rights_request_changelist"


@pytest.fixture
def staff_officer(officer):
    officer.is_staff = True
    officer.is_superuser = True  # sees the admin; the actions still need the role
    officer.save()
    return officer


@pytest.fixture
def superuser(db):
    from apps.people.models import User

    return User.objects.create_superuser("root@example.com", "root@example.com", "x")


@pytest.fixture
def requests(alice, bob, light_catalog):
    return file(alice), file(bob, kind="restriction")


def _act(client, action: str, pks, **data):
    payload = {"action": action, helpers.ACTION_CHECKBOX_NAME: [str(p) for p in pks]}
    return client.post(reverse(CHANGELIST), {**payload, **data}, follow=True)


def test_the_changelist_filters_and_searches(client, staff_officer, requests, alice):
    erasure, restriction = requests
    client.force_login(staff_officer)
    url = reverse(CHANGELIST)

    def shown(query):
        response = client.get(url, query)
        assert response.status_code == 200
        return {r.pk for r in response.context["cl"].result_list}

    assert shown({}) == {erasure.pk, restriction.pk}
    assert shown({"kind": "restriction"}) == {restriction.pk}
    assert shown({"status": "awaiting_approval", "deadline": "overdue"}) == set()
    assert shown({"q": alice.employee_number}) == {erasure.pk}
    assert shown({"q": str(restriction.public_id)}) == {restriction.pk}
    assert shown({"q": "not-a-uuid"}) == set()


def test_the_detail_page_shows_the_history(client, staff_officer, requests):
    erasure, _ = requests
    client.force_login(staff_officer)
    url = reverse("admin:rights_request_change", args=[erasure.pk])
    body = client.get(url).content.decode()
    assert "Awaiting approval" in body
    assert "Signed in to the portal" in body


def test_an_officer_approves_in_the_admin(client, staff_officer, requests):
    erasure, restriction = requests
    client.force_login(staff_officer)

    response = _act(client, "approve", [erasure.pk, restriction.pk])

    assert "2 request(s) approved." in response.content.decode()
    erasure.refresh_from_db()
    assert erasure.status == S.IN_PROGRESS
    assert erasure.approved_by == staff_officer


def test_refusing_asks_for_the_reason_first(client, staff_officer, requests):
    erasure, _ = requests
    client.force_login(staff_officer)

    page = _act(client, "refuse", [erasure.pk])
    assert "The reason is sent to each employee" in page.content.decode()
    erasure.refresh_from_db()
    assert erasure.status == S.AWAITING_APPROVAL

    done = _act(client, "refuse", [erasure.pk], apply="1", reason="Unfounded")

    assert "1 request(s) refused" in done.content.decode()
    erasure.refresh_from_db()
    assert (erasure.status, erasure.refusal_reason) == (S.REFUSED, "Unfounded")


def test_extending_reports_what_the_service_refused(client, staff_officer, requests):
    erasure, _ = requests
    client.force_login(staff_officer)

    _act(client, "extend", [erasure.pk], apply="1", reason="Volume")
    again = _act(client, "extend", [erasure.pk], apply="1", reason="More")

    assert "extended already" in again.content.decode()
    erasure.refresh_from_db()
    assert erasure.extension_reason == "Volume"


def test_superuser_status_alone_decides_nothing(client, superuser, requests):
    erasure, _ = requests
    client.force_login(superuser)

    response = _act(client, "approve", [erasure.pk])

    assert "Only the privacy team" in response.content.decode()
    assert Request.objects.get(pk=erasure.pk).status == S.AWAITING_APPROVAL
    assert client.post(reverse("admin:rights_request_add")).status_code == 403


def test_the_admin_is_closed_to_employees(client, requests, alice):
    client.force_login(alice.user)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert "/admin/login/" in response.url
