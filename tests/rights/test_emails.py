"""Every request e-mail renders: subject line, text and HTML, with the link,
to the right people, and with no monitoring data in it."""

import datetime as dt

import pytest
from django.core import mail

from apps.rights.notifications import OFFICER_EVENTS, SUBJECT_EVENTS, request_notify
from apps.rights.services.lifecycle import request_file

pytestmark = pytest.mark.django_db

EXTRA = {
    "dataset_name": "Keystrokes",
    "reason": "The dispute is settled",
    "lift_after": dt.datetime(2026, 12, 24, 9, tzinfo=dt.UTC),
    "days_left": 6,
    "assignee": "records@example.com",
    # A store's error may quote data; it must never reach an e-mail.
    "error": "value 'alice wrote a' rejected",
}

SUBJECT_LINES = {
    "received": "Your request is received",
    "needs_information": "We need something from you",
    "extended": "More time is needed",
    "refused": "Your request was refused",
    "withdrawn": "Your request is withdrawn",
    "completed": "Your request is done",
    "message_from_team": "New message about your request",
    "restriction_lifting": "A restriction of your data will be lifted",
    "new_request": "New request to handle",
    "message_from_subject": "The employee wrote",
    "due_soon": "is due in 6 day(s)",
    "overdue": "Overdue: request",
    "job_failed": "A job failed on request",
    "manual_task": "Manual task: Keystrokes",
}


@pytest.fixture
def filed(alice, officer, light_catalog, settings):
    settings.SITE_URL = "https://candor.example"
    request = request_file(subject=alice, kind="erasure", filed_by=alice.user)
    mail.outbox.clear()
    return request


def test_it_covers_every_event():
    assert set(SUBJECT_LINES) == SUBJECT_EVENTS | OFFICER_EVENTS


@pytest.mark.parametrize("event", sorted(SUBJECT_EVENTS | OFFICER_EVENTS))
def test_it_renders_every_event(filed, event):
    # A manual task also goes to the person it names: see the test below.
    extra = {**EXTRA, "assignee": ""} if event == "manual_task" else EXTRA
    sent = request_notify(request_id=filed.pk, event=event, extra=extra)

    assert sent == 1
    [message] = mail.outbox
    ref = str(filed.public_id)[:8]
    assert SUBJECT_LINES[event] in message.subject
    assert ref in message.subject
    assert "\n" not in message.subject
    if event in SUBJECT_EVENTS:
        assert message.to == ["alice@example.com"]
        link = f"https://candor.example/rights/requests/{filed.public_id}/"
    else:
        assert message.to == ["olga@example.com"]
        link = f"https://candor.example/rights/queue/{filed.public_id}/"
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert link in message.body
    assert f'href="{link}"' in html
    for body in (message.body, html):
        assert "alice wrote a" not in body
        assert "{{" not in body and "{%" not in body


def test_it_tells_the_reasons_of_a_refusal_and_the_right_to_complain(filed, officer):
    from apps.rights.services.lifecycle import request_refuse

    request_refuse(request=filed, officer=officer, reason="Manifestly unfounded")
    request_notify(request_id=filed.pk, event="refused")

    [message] = mail.outbox
    assert "Manifestly unfounded" in message.body
    assert "supervisory authority" in message.body
    assert "Manifestly unfounded" in message.alternatives[0][0]


def test_it_escapes_html_but_not_text(filed, officer):
    from apps.rights.services.lifecycle import request_extend

    request_extend(request=filed, officer=officer, reason="Many stores & <tables>")
    mail.outbox.clear()
    request_notify(request_id=filed.pk, event="extended")

    [message] = mail.outbox
    assert "Many stores & <tables>" in message.body
    assert "Many stores &amp; &lt;tables&gt;" in message.alternatives[0][0]


def test_a_manual_task_reaches_the_person_it_names(filed):
    sent = request_notify(request_id=filed.pk, event="manual_task", extra=EXTRA)

    assert sent == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"records@example.com", "olga@example.com"}
    assert (
        "https://candor.example/rights/tasks/" in by_address["records@example.com"].body
    )
    assert "/rights/queue/" in by_address["olga@example.com"].body
