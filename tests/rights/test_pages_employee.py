"""The employee's request pages: list, new, detail, progress, messages,
withdrawal. Only the subject sees a request; anyone else gets 404."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.rights.lifecycle import RequestStatus
from apps.rights.models import Job, JobStatus, Request, RequestMessage
from apps.rights.services.lifecycle import request_ask_subject
from apps.rights.views.reauth import SESSION_KEY
from tests.rights.pages import file

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(alice, bob, officer, light_catalog):
    return light_catalog


def _detail(req) -> str:
    return reverse("rights:request_detail", args=[req.public_id])


def _stale_session(client) -> None:
    session = client.session
    session[SESSION_KEY] = (timezone.now() - dt.timedelta(hours=2)).isoformat()
    session.save()


# My requests.


def test_it_lists_only_my_requests(client, world, alice, bob):
    mine = file(alice)
    theirs = file(bob)
    client.force_login(alice.user)

    response = client.get(reverse("rights:my_requests"))

    assert response.status_code == 200
    shown = [r.pk for r, _clock in response.context["rows"]]
    assert shown == [mine.pk]
    assert theirs.pk not in shown
    assert str(theirs.public_id) not in response.content.decode()


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(reverse("rights:my_requests"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_refuses_post_on_the_list(client, world, alice):
    client.force_login(alice.user)
    assert client.post(reverse("rights:my_requests")).status_code == 405


# New request.


def test_it_preselects_the_dataset_and_type_of_the_page_i_came_from(
    client, world, alice
):
    client.force_login(alice.user)

    response = client.get(reverse("rights:request_new") + "?kind=erasure&dataset=chat")

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["kind"] == "erasure"
    assert form.initial["scope"] == "chosen"
    assert [d.key for d in form.initial["datasets"]] == ["chat"]
    body = response.content.decode()
    assert 'value="erasure" checked' in body
    assert "Have your data deleted" in body  # what the right means


def test_it_files_an_access_request_in_one_post(client, world, alice):
    client.force_login(alice.user)

    response = client.post(
        reverse("rights:request_new"), {"kind": "access", "scope": "all"}
    )

    req = Request.objects.get(subject=alice)
    assert response.status_code == 302
    assert response.url == _detail(req)
    assert req.status == RequestStatus.IN_PROGRESS
    assert req.kind == "access"
    assert req.filed_by == alice.user
    assert {j.dataset.key for j in req.jobs.all()} == {"keystrokes", "chat", "corpus"}


def test_it_files_a_scoped_erasure_after_a_recent_sign_in(client, world, alice):
    client.force_login(alice.user)

    response = client.post(
        reverse("rights:request_new"),
        {"kind": "erasure", "scope": "chosen", "datasets": [world["chat"].pk]},
    )

    req = Request.objects.get(subject=alice)
    assert response.status_code == 302
    assert req.status == RequestStatus.AWAITING_APPROVAL
    assert not req.all_programs
    assert list(req.datasets.values_list("key", flat=True)) == ["chat"]


def test_it_asks_to_sign_in_again_before_filing_an_erasure(client, world, alice):
    client.force_login(alice.user)
    _stale_session(client)

    response = client.post(
        reverse("rights:request_new"),
        {"kind": "erasure", "scope": "chosen", "datasets": [world["chat"].pk]},
    )

    assert response.status_code == 302
    assert response.url.startswith(reverse("step_up") + "?next=")
    assert "kind%3Derasure" in response.url and "dataset%3Dchat" in response.url
    assert not Request.objects.exists()


def test_it_shows_why_a_request_cannot_be_filed(client, world, alice):
    file(alice, kind="access")
    client.force_login(alice.user)

    response = client.post(
        reverse("rights:request_new"), {"kind": "access", "scope": "all"}
    )

    assert response.status_code == 200
    assert "already have an open request" in response.content.decode()
    assert Request.objects.filter(subject=alice).count() == 1


def test_it_requires_grounds_for_an_objection(client, world, alice):
    client.force_login(alice.user)

    response = client.post(
        reverse("rights:request_new"), {"kind": "objection", "scope": "all"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["text"] == ["Say why you object."]
    assert not Request.objects.exists()


def test_it_files_a_rectification_with_its_corrections(client, world, alice):
    client.force_login(alice.user)

    client.post(
        reverse("rights:request_new"),
        {
            "kind": "rectification",
            "scope": "chosen",
            "datasets": [world["keystrokes"].pk],
            "record": "17",
            "changes": "typed_text: hello",
        },
    )

    req = Request.objects.get(subject=alice)
    assert req.details == {
        "dataset": "keystrokes",
        "record": "17",
        "changes": {"typed_text": "hello"},
    }


def test_it_refuses_put_on_the_form(client, world, alice):
    client.force_login(alice.user)
    assert client.put(reverse("rights:request_new")).status_code == 405


def test_it_tells_staff_without_an_employee_record(client, world, officer):
    plain = type(officer).objects.create(username="staff@example.com")
    client.force_login(plain)
    response = client.get(reverse("rights:request_new"))
    assert response.status_code == 200
    assert "not linked to an employee record" in response.content.decode()


# The request page and its progress.


def test_it_shows_my_request_with_its_clock_and_progress(client, world, alice):
    req = file(alice, kind="access")
    Job.objects.filter(request=req, dataset__key="chat").update(
        status=JobStatus.RUNNING,
        records_found=200,
        records_done=50,
        lease_expires_at=timezone.now(),
    )
    client.force_login(alice.user)

    response = client.get(_detail(req))

    assert response.status_code == 200
    body = response.content.decode()
    assert "In progress" in body
    assert "days left" in body
    rows = {r.dataset_key: r.percent for r in response.context["progress"].rows}
    assert rows["chat"] == 25
    assert 'value="25"' in body
    assert response.context["progress"].settled is False
    assert "js/progress.js" in body
    assert "Refresh to see the latest progress" in body  # without JavaScript


def test_it_hides_my_request_from_others(client, world, alice, bob, officer):
    req = file(alice)
    for user in (bob.user, officer):
        client.force_login(user)
        assert client.get(_detail(req)).status_code == 404
        progress = reverse("rights:request_progress", args=[req.public_id])
        assert client.get(progress).status_code == 404


def test_it_serves_the_progress_fragment(client, world, alice):
    req = file(alice, kind="access")
    Job.objects.filter(request=req).update(
        status=JobStatus.DONE, records_found=3, records_done=3
    )
    client.force_login(alice.user)

    response = client.get(reverse("rights:request_progress", args=[req.public_id]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert 'data-settled="false"' in body  # the archive is still being assembled
    assert body.count('value="100"') == 4  # overall and three datasets


def test_it_shows_the_paused_clock_and_what_was_kept(client, world, alice, officer):
    req = file(alice)
    request_ask_subject(request=req, officer=officer, question="Which laptop?")
    client.force_login(alice.user)

    body = client.get(_detail(req)).content.decode()

    assert "The clock is paused while we wait for your answer" in body
    assert "Which laptop?" in body
    assert "needs something from you" in body


# Messages.


def test_my_answer_restarts_the_clock(client, world, alice, officer):
    req = file(alice)
    request_ask_subject(request=req, officer=officer, question="Which laptop?")

    client.force_login(alice.user)
    url = reverse("rights:request_message", args=[req.public_id])
    response = client.post(url, {"body": "The grey one"})

    req.refresh_from_db()
    assert response.status_code == 302
    assert req.status == RequestStatus.AWAITING_APPROVAL
    assert req.paused_at is None
    assert list(req.messages.values_list("body", "from_subject")) == [
        ("Which laptop?", False),
        ("The grey one", True),
    ]


def test_a_stranger_cannot_post_on_my_request(client, world, alice, bob):
    req = file(alice)
    client.force_login(bob.user)
    url = reverse("rights:request_message", args=[req.public_id])
    assert client.post(url, {"body": "hi"}).status_code == 404
    assert not RequestMessage.objects.exists()


def test_an_empty_message_changes_nothing(client, world, alice):
    req = file(alice)
    client.force_login(alice.user)
    url = reverse("rights:request_message", args=[req.public_id])
    response = client.post(url, {"body": "  "})
    assert response.status_code == 302
    assert not RequestMessage.objects.exists()
    assert client.get(url).status_code == 405


# Withdrawal.


def test_i_can_withdraw_a_pending_request(client, world, alice):
    req = file(alice)
    client.force_login(alice.user)
    assert "Withdraw this request" in client.get(_detail(req)).content.decode()

    url = reverse("rights:request_withdraw", args=[req.public_id])
    response = client.post(url, {"reason": "Sorted it out"})

    req.refresh_from_db()
    assert response.status_code == 302
    assert req.status == RequestStatus.WITHDRAWN
    assert req.transitions.last().reason == "Sorted it out"


def test_i_cannot_withdraw_once_work_started(client, world, alice):
    req = file(alice, kind="access")
    client.force_login(alice.user)
    assert "Withdraw this request" not in client.get(_detail(req)).content.decode()

    url = reverse("rights:request_withdraw", args=[req.public_id])
    response = client.post(url, follow=True)

    req.refresh_from_db()
    assert req.status == RequestStatus.IN_PROGRESS
    assert "can no longer be withdrawn" in response.content.decode()


def test_nobody_else_can_withdraw_my_request(client, world, alice, bob, officer):
    req = file(alice)
    url = reverse("rights:request_withdraw", args=[req.public_id])
    for user in (bob.user, officer):
        client.force_login(user)
        assert client.post(url).status_code == 404
    client.logout()
    assert client.post(url).status_code == 302
    client.force_login(alice.user)
    assert client.get(url).status_code == 405
    req.refresh_from_db()
    assert req.status == RequestStatus.AWAITING_APPROVAL
