"""Case pages: the officer's list and form, the case page, the DPO's queue."""

import pytest
from django.urls import reverse

from apps.governance.models import Case, CaseStatus
from tests.governance.conftest import make_user
from tests.governance.factories import make_dataset, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def keystrokes(db):
    return make_dataset("keystrokes")


def test_it_opens_a_case_through_the_form(client, investigator, alice, keystrokes):
    client.force_login(investigator)
    assert client.get(reverse("governance:case_new")).status_code == 200
    response = client.post(
        reverse("governance:case_new"),
        {
            "subject": "E00001",
            "datasets": [keystrokes.pk],
            "window_start": "2026-11-02T00:00",
            "window_end": "2026-11-03T00:00",
            "justification": "Ticket SEC-9",
            "notify_delay_days": "0",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "governance:case_detail", kwargs={"pk": case.pk}
    )
    assert (case.subject, case.requester, case.justification) == (
        alice,
        investigator,
        "Ticket SEC-9",
    )
    listing = client.get(reverse("governance:case_list"))
    assert [c.pk for c in listing.context["cases"]] == [case.pk]


def test_the_form_refuses_a_blank_justification(
    client, investigator, alice, keystrokes
):
    client.force_login(investigator)
    response = client.post(
        reverse("governance:case_new"),
        {
            "subject": "alice@example.com",
            "datasets": [keystrokes.pk],
            "window_start": "2026-11-02T00:00",
            "window_end": "2026-11-03T00:00",
            "justification": "   ",
            "notify_delay_days": "0",
        },
    )
    assert response.status_code == 200
    assert "justification" in response.context["form"].errors
    assert not Case.objects.exists()


def test_the_dpo_approves_from_the_queue(client, investigator, dpo, alice, keystrokes):
    case = open_case(investigator, alice, [keystrokes])
    client.force_login(dpo)
    queue = client.get(reverse("governance:case_queue"))
    assert [c.pk for c in queue.context["cases"]] == [case.pk]
    response = client.post(reverse("governance:case_approve", kwargs={"pk": case.pk}))
    assert response.status_code == 302
    assert Case.objects.get().status == CaseStatus.APPROVED


def test_the_dpo_rejects_with_a_reason_only(
    client, investigator, dpo, alice, keystrokes
):
    case = open_case(investigator, alice, [keystrokes])
    client.force_login(dpo)
    url = reverse("governance:case_reject", kwargs={"pk": case.pk})
    client.post(url, {"reason": ""})
    assert Case.objects.get().status == CaseStatus.REQUESTED
    client.post(url, {"reason": "Not needed"})
    assert Case.objects.get().status == CaseStatus.REJECTED


def test_a_dpo_does_not_see_or_decide_their_own_case(client, roles, alice, keystrokes):
    both = make_user("both", "privacy_officer", "dpo")
    case = open_case(both, alice, [keystrokes])
    client.force_login(both)
    assert client.get(reverse("governance:case_queue")).context["cases"] == []
    url = reverse("governance:case_approve", kwargs={"pk": case.pk})
    assert client.post(url).status_code == 404
    assert Case.objects.get().status == CaseStatus.REQUESTED


def test_the_requester_closes_their_case(client, investigator, alice, keystrokes):
    case = open_case(investigator, alice, [keystrokes])
    client.force_login(investigator)
    page = client.get(reverse("governance:case_detail", kwargs={"pk": case.pk}))
    assert page.status_code == 200
    assert "SEC-1" in page.content.decode()
    client.post(
        reverse("governance:case_close", kwargs={"pk": case.pk}), {"reason": "x"}
    )
    assert Case.objects.get().status == CaseStatus.CLOSED


def test_strangers_get_404_everywhere(client, investigator, alice, bob, keystrokes):
    case = open_case(investigator, alice, [keystrokes])
    other = make_user("other", "security_investigator")
    for user in (bob.user, other):
        client.force_login(user)
        assert (
            client.get(
                reverse("governance:case_detail", kwargs={"pk": case.pk})
            ).status_code
            == 404
        )
        assert (
            client.post(
                reverse("governance:case_close", kwargs={"pk": case.pk}),
                {"reason": "x"},
            ).status_code
            == 404
        )
        assert (
            client.post(
                reverse("governance:case_approve", kwargs={"pk": case.pk})
            ).status_code
            == 404
        )
    client.force_login(bob.user)
    assert client.get(reverse("governance:case_list")).status_code == 404
    assert client.get(reverse("governance:case_queue")).status_code == 404
    assert Case.objects.get().status == CaseStatus.REQUESTED


def test_anonymous_is_redirected_and_wrong_methods_refused(
    client, investigator, dpo, alice, keystrokes
):
    case = open_case(investigator, alice, [keystrokes])
    detail = reverse("governance:case_detail", kwargs={"pk": case.pk})
    approve = reverse("governance:case_approve", kwargs={"pk": case.pk})
    assert client.get(detail).status_code == 302
    assert client.post(approve).status_code == 302
    client.force_login(dpo)
    assert client.get(approve).status_code == 405
    assert client.post(detail).status_code == 405
