"""My choices: one-click grant and withdraw, receipts, and who may see what."""

import json

import pytest
from django.urls import reverse

from apps.consent.models import ConsentErasureWish, ConsentEvent, ConsentState
from apps.consent.services import consent_grant
from tests.consent.conftest import publish

pytestmark = pytest.mark.django_db

URL = reverse("consent:my_choices")
GRANT = reverse("consent:grant", kwargs={"key": "ai_model_training"})
WITHDRAW = reverse("consent:withdraw", kwargs={"key": "ai_model_training"})


def test_it_lists_consent_and_mandatory_programs(
    client, alice, training, security, notice
):
    client.force_login(alice.user)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.context["page"]
    assert [c.program.key for c in page.choices] == ["ai_model_training"]
    assert [p.key for p in page.mandatory] == ["endpoint_security"]
    body = response.content.decode()
    assert "We copy some of your typing" in body
    assert 'data-state="none"' in body
    assert "You have the right to object to this program" in body


def test_it_grants_and_withdraws_in_one_click(client, alice, training, notice):
    client.force_login(alice.user)
    response = client.post(GRANT, {"notice_version": 1})
    assert response.status_code == 302 and response.url == URL
    assert ConsentState.objects.get(employee=alice).state == "granted"
    assert 'data-state="granted"' in client.get(URL).content.decode()
    response = client.post(WITHDRAW, {"erase": "on"}, follow=True)
    assert ConsentState.objects.get(employee=alice).state == "withdrawn"
    assert ConsentErasureWish.objects.filter(employee=alice).count() == 1
    assert "Collection has stopped" in response.content.decode()
    client.post(WITHDRAW, {"erase": "on"})  # the double click
    assert ConsentEvent.objects.filter(employee=alice).count() == 2


def test_it_refuses_a_grant_of_an_outdated_notice(client, alice, training, notice):
    publish(training, material=True)
    client.force_login(alice.user)
    response = client.post(GRANT, {"notice_version": 1}, follow=True)
    assert not ConsentState.objects.exists()
    assert "The notice has changed" in response.content.decode()


def test_it_asks_again_after_a_material_change(client, alice, training, notice):
    consent_grant(employee=alice, program=training, notice=notice)
    publish(training, material=True)
    client.force_login(alice.user)
    body = client.get(URL).content.decode()
    assert 'data-state="renewal"' in body
    assert 'name="notice_version" value="2"' in body


def test_grant_and_withdraw_answer_404_for_other_programs(client, alice, security):
    client.force_login(alice.user)
    for name in ("consent:grant", "consent:withdraw"):
        for key in ("endpoint_security", "nothing"):
            url = reverse(name, kwargs={"key": key})
            assert client.post(url, {"notice_version": 1}).status_code == 404


def test_writes_need_post_and_a_signed_in_user(client, alice, training, notice):
    assert client.post(GRANT, {"notice_version": 1}).status_code == 302
    assert not ConsentState.objects.exists()
    client.force_login(alice.user)
    assert client.get(GRANT).status_code == 405
    assert client.get(WITHDRAW).status_code == 405
    assert client.post(URL).status_code == 405


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_receipt_is_the_employees_own(client, alice, bob, training, notice):
    state = consent_grant(employee=alice, program=training, notice=notice)
    url = reverse("consent:receipt", kwargs={"event_id": state.event_id})
    client.force_login(alice.user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    receipt = json.loads(response.content)
    assert receipt["event"] == "granted" and receipt["notice"]["version"] == 1
    assert receipt["program"]["key"] == "ai_model_training"
    text = client.get(url + "?format=txt").content.decode()
    assert "Consent receipt" in text and "version 1" in text
    assert client.post(url).status_code == 405
    client.force_login(bob.user)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_a_user_without_employee_record_sees_an_explanation(client, officer):
    client.force_login(officer)
    response = client.get(URL)
    assert response.status_code == 200
    assert "not linked to an employee record" in response.content.decode()
