"""The privacy team's pages: the queue, a request's page, the decisions, and
manual tasks. Officers only; everyone else gets 404 and changes nothing."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.rights.lifecycle import RequestStatus as S
from apps.rights.models import (
    Job,
    JobStatus,
    ObjectionDecision,
    Request,
    RequestChannel,
    Restriction,
)
from apps.rights.services.lifecycle import (
    request_approve,
    request_file,
    request_withdraw,
)
from tests.governance.conftest import make_user
from tests.rights.pages import file

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(alice, bob, officer, light_catalog):
    return {"dpo": make_user("dora", "dpo", employee_number="S003"), **light_catalog}


def _page(req) -> str:
    return reverse("rights:officer_request", args=[req.public_id])


def _act(name: str, req, **kwargs) -> str:
    return reverse(
        f"rights:officer_{name}", kwargs={"public_id": req.public_id, **kwargs}
    )


# The queue.


def test_the_queue_puts_overdue_first_then_the_nearest_deadline(
    client, world, alice, bob, officer
):
    later = file(alice)
    overdue = file(bob)
    sooner = file(alice, kind="restriction")
    now = timezone.now()
    Request.objects.filter(pk=later.pk).update(due_at=now + dt.timedelta(days=20))
    Request.objects.filter(pk=sooner.pk).update(due_at=now + dt.timedelta(days=3))
    Request.objects.filter(pk=overdue.pk).update(
        received_at=now - dt.timedelta(days=40), due_at=now - dt.timedelta(days=1)
    )
    closed = file(bob, kind="objection", text="No")
    Request.objects.filter(pk=closed.pk).update(
        received_at=now - dt.timedelta(days=40), due_at=now - dt.timedelta(days=5)
    )
    request_withdraw(request=closed, user=bob.user)
    client.force_login(officer)

    response = client.get(reverse("rights:officer_queue"))

    assert response.status_code == 200
    shown = [r.pk for r, _clock in response.context["rows"]]
    assert shown == [overdue.pk, sooner.pk, later.pk]
    body = response.content.decode()
    assert "Overdue" in body
    assert "3 open requests" in body
    assert "Withdrawn: 1" in body


def test_the_queue_filters(client, world, alice, bob, officer):
    erasure = file(alice)
    restriction = file(bob, kind="restriction")
    client.force_login(officer)
    url = reverse("rights:officer_queue")

    def shown(query):
        return [r.pk for r, _ in client.get(url, query).context["rows"]]

    assert shown({"status": "open", "kind": "restriction"}) == [restriction.pk]
    assert shown({"status": "withdrawn"}) == []
    assert set(shown({"status": ""})) == {erasure.pk, restriction.pk}
    assert shown({"status": "open", "deadline": "overdue"}) == []
    Request.objects.filter(pk=erasure.pk).update(
        due_at=timezone.now() + dt.timedelta(days=2)
    )
    assert shown({"status": "open", "deadline": "week"}) == [erasure.pk]


def test_the_queue_is_for_officers_only(client, world, alice):
    file(alice)
    url = reverse("rights:officer_queue")
    for user in (alice.user, world["dpo"]):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(world["dpo"])
    assert client.post(url).status_code == 405


# The request page.


def test_the_request_page_shows_the_execution_log(client, world, alice, officer):
    req = file(alice, kind="access")
    Job.objects.filter(request=req, dataset__key="chat").update(
        status=JobStatus.FAILED, attempts=5, last_error="connection refused"
    )
    client.force_login(officer)

    response = client.get(_page(req))

    assert response.status_code == 200
    body = response.content.decode()
    assert "connection refused" in body
    assert "5/5" in body
    assert "Retry" in body
    assert [t.to_status for t in response.context["transitions"]] == [
        S.SUBMITTED,
        S.IDENTITY_CONFIRMED,
        S.IN_PROGRESS,
    ]


def test_the_request_page_is_for_officers_only(client, world, alice, bob):
    req = file(alice)
    for user in (alice.user, bob.user, world["dpo"]):
        client.force_login(user)
        assert client.get(_page(req)).status_code == 404
    assert client.post(_page(req)).status_code == 405


def test_refusing_shows_the_art_12_4_notice(client, world, alice, officer):
    req = file(alice)
    client.force_login(officer)
    body = client.get(_page(req)).content.decode()
    assert "supervisory authority" in body


# Decisions.


def test_an_officer_confirms_identity_of_a_request_they_filed(
    client, world, alice, officer
):
    req = request_file(
        subject=alice,
        kind="access",
        filed_by=officer,
        channel=RequestChannel.OFFICER,
    )
    client.force_login(officer)
    assert client.post(_act("confirm_identity", req), {"reason": ""}).status_code == 302
    req.refresh_from_db()
    assert req.status == S.SUBMITTED

    client.post(_act("confirm_identity", req), {"reason": "Seen their badge"})

    req.refresh_from_db()
    assert req.status == S.IN_PROGRESS
    assert req.transitions.get(to_status=S.IDENTITY_CONFIRMED).reason == (
        "Seen their badge"
    )


def test_an_officer_approves(client, world, alice, officer):
    req = file(alice)
    client.force_login(officer)

    response = client.post(_act("approve", req), {"reason": "Checked"})

    req.refresh_from_db()
    assert response.status_code == 302
    assert req.status == S.IN_PROGRESS
    assert req.approved_by == officer
    assert req.jobs.count() == 3


def test_a_refusal_needs_its_reasons(client, world, alice, officer):
    req = file(alice)
    client.force_login(officer)

    response = client.post(_act("refuse", req), {"reason": ""}, follow=True)
    req.refresh_from_db()
    assert req.status == S.AWAITING_APPROVAL
    assert "required" in response.content.decode()

    client.post(_act("refuse", req), {"reason": "Manifestly excessive"})
    req.refresh_from_db()
    assert req.status == S.REFUSED
    assert req.refusal_reason == "Manifestly excessive"


def test_a_refused_step_changes_nothing_and_says_why(client, world, alice, officer):
    req = file(alice, kind="access")  # already in progress
    client.force_login(officer)

    response = client.post(_act("refuse", req), {"reason": "Too late"}, follow=True)

    req.refresh_from_db()
    assert req.status == S.IN_PROGRESS
    assert "cannot become" in response.content.decode()


def test_an_officer_asks_and_the_clock_stops(client, world, alice, officer):
    req = file(alice)
    client.force_login(officer)

    client.post(_act("ask", req), {"question": "Which laptop?"})

    req.refresh_from_db()
    assert req.status == S.AWAITING_SUBJECT
    assert req.paused_at is not None
    assert req.messages.get().body == "Which laptop?"


def test_an_officer_extends_once(client, world, alice, officer):
    req = file(alice)
    due = req.due_at
    client.force_login(officer)

    client.post(_act("extend", req), {"reason": "Many stores"})
    response = client.post(_act("extend", req), {"reason": "Again"}, follow=True)

    req.refresh_from_db()
    assert req.due_at > due
    assert req.extension_reason == "Many stores"
    assert "extended already" in response.content.decode()


def test_an_officer_splits_a_request(client, world, alice, officer):
    req = file(alice)
    client.force_login(officer)

    response = client.post(
        _act("split", req), {"datasets": [world["keystrokes"].pk], "reason": "Hold"}
    )

    part = Request.objects.get(parent=req)
    assert response.status_code == 302
    assert response.url == _page(part)
    assert list(part.datasets.values_list("key", flat=True)) == ["keystrokes"]
    assert "keystrokes" not in req.datasets.values_list("key", flat=True)


def test_an_officer_writes_to_the_employee(client, world, alice, officer):
    req = file(alice)
    client.force_login(officer)
    client.post(_act("message", req), {"body": "We are on it"})
    assert list(req.messages.values_list("body", "from_subject")) == [
        ("We are on it", False)
    ]


def test_an_officer_decides_an_objection(client, world, alice, officer):
    req = file(alice, kind="objection", text="Keystroke logging is excessive")
    client.force_login(officer)
    assert "Decide the objection" in client.get(_page(req)).content.decode()

    client.post(_act("objection", req), {"upheld": "no", "reasoning": "Security"})

    req.refresh_from_db()
    decision = ObjectionDecision.objects.get(request=req)
    assert decision.upheld is False
    assert req.status == S.REFUSED


def test_an_officer_retries_and_gives_up_failed_jobs(client, world, alice, officer):
    req = file(alice, kind="access")
    failed = list(req.jobs.order_by("pk")[:2])
    Job.objects.filter(pk__in=[j.pk for j in failed]).update(
        status=JobStatus.FAILED, attempts=5, last_error="down"
    )
    client.force_login(officer)

    client.post(_act("job_retry", req, job_id=failed[0].pk))
    client.post(_act("job_abandon", req, job_id=failed[1].pk), {"reason": "Gone"})

    retried, abandoned = (
        Job.objects.get(pk=failed[0].pk),
        Job.objects.get(pk=failed[1].pk),
    )
    assert (retried.status, retried.attempts) == (JobStatus.PENDING, 0)
    assert abandoned.abandon_reason == "Gone"
    other = file(world["dpo"].employee, kind="access")
    wrong = _act("job_retry", other, job_id=failed[0].pk)
    assert client.post(wrong).status_code == 404


def test_lifting_a_restriction_tells_the_employee_first(client, world, alice, officer):
    req = file(alice, kind="restriction")
    request_approve(request=req, officer=officer)
    restriction = Restriction.objects.filter(request=req).first()
    url = _act("restriction_lift", req, restriction_id=restriction.pk)
    client.force_login(officer)

    client.post(url, {"reason": "The accuracy was verified"})
    response = client.post(url, follow=True)

    restriction.refresh_from_db()
    assert restriction.subject_told_at is not None
    assert restriction.lifted_at is None
    assert "can be lifted from" in response.content.decode()


@pytest.mark.parametrize(
    "name,data",
    [
        ("confirm_identity", {"reason": "x"}),
        ("approve", {}),
        ("refuse", {"reason": "x"}),
        ("ask", {"question": "x"}),
        ("extend", {"reason": "x"}),
        ("message", {"body": "x"}),
        ("objection", {"upheld": "yes", "reasoning": "x"}),
    ],
)
def test_no_one_else_decides(client, world, alice, bob, name, data):
    req = file(alice)
    before = (req.status, req.due_at, req.messages.count())
    for user in (alice.user, bob.user, world["dpo"]):
        client.force_login(user)
        assert client.post(_act(name, req), data).status_code == 404
        assert client.get(_act(name, req)).status_code == 405
    client.logout()
    assert client.post(_act(name, req), data).status_code == 302
    req.refresh_from_db()
    assert (req.status, req.due_at, req.messages.count()) == before


# Manual tasks.


@pytest.fixture
def task(world, alice, bob):
    req = file(alice, kind="access")
    job = req.jobs.get(dataset__key="chat")
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.MANUAL, assignee_email="bob@example.com"
    )
    return job


def test_the_assignee_sees_and_confirms_the_task(
    client, task, bob, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(bob.user)
    response = client.get(reverse("rights:my_tasks"))
    assert [j.pk for j in response.context["jobs"]] == [task.pk]

    evidence = SimpleUploadedFile("log.txt", b"deleted 12 rows")
    client.post(
        reverse("rights:task_confirm", args=[task.pk]),
        {"records": 12, "note": "Deleted by hand", "evidence": evidence},
    )

    task.refresh_from_db()
    assert task.status == JobStatus.DONE
    assert (task.records_done, task.confirmed_by) == (12, bob.user)
    assert task.evidence.name.endswith(".txt")
    assert (tmp_path / task.evidence.name).read_bytes() == b"deleted 12 rows"


def test_others_do_not_see_or_confirm_the_task(client, task, alice, world):
    url = reverse("rights:task_confirm", args=[task.pk])
    for user in (alice.user, world["dpo"]):
        client.force_login(user)
        assert client.get(reverse("rights:my_tasks")).context["jobs"] == []
        assert client.post(url, {"records": 1, "note": "x"}).status_code == 404
        assert client.get(url).status_code == 405
    task.refresh_from_db()
    assert task.status == JobStatus.MANUAL
