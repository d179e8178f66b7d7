"""No cross-subject read: Hypothesis picks a viewer, someone else, one of
that person's objects and a page or endpoint that shows it; the viewer
always gets 404 and nothing of the other person.

Employees see only their own; officers and regulators are not the subject
of anyone's request, so the employee pages answer them 404 as well (the
officer's queue is where officers see requests, tested elsewhere).
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.catalog.models import Program
from apps.consent.models import ConsentEvent
from apps.consent.services import consent_grant
from apps.consent.services.consent import notice_latest
from tests.fuzz import summary
from tests.fuzz.world import OFFICER, REGULATOR

pytestmark = pytest.mark.django_db

# Where an object of someone's is shown: (kind of object, how to reach it).
REQUEST_URLS = [
    ("rights:request_detail", False),
    ("rights:request_progress", False),
    ("rights:certificate", False),
    ("api:rights_request", True),
    ("api:rights_messages", True),
    ("api:rights_download", True),
]
TOKEN_URLS = [("rights:download", False), ("api:rights_download_file", True)]


def _objects(world, owner) -> list[tuple[str, bool]]:
    """(url, is_api) for every object of `owner`'s."""
    identity = world.identities[owner]
    employee = identity.employee
    urls = [
        (reverse(name, args=[rid]), api)
        for rid in identity.request_ids
        for name, api in REQUEST_URLS
    ]
    urls += [
        (reverse(name, args=[token]), api)
        for token in identity.download_tokens
        for name, api in TOKEN_URLS
    ]
    for event in ConsentEvent.objects.filter(employee=employee):
        urls.append((reverse("consent:receipt", args=[event.pk]), False))
        urls.append(
            (reverse("consent:receipt", args=[event.pk]) + "?format=txt", False)
        )
    for key in ("keystrokes", "chat", "corpus"):
        urls.append(
            (reverse("people:subject_dataset", args=[employee.public_id, key]), False)
        )
    return urls


def _secrets(world, owner) -> list[str]:
    identity = world.identities[owner]
    return [
        *identity.request_ids,
        identity.employee.work_email,
        identity.employee.employee_number,
    ]


@pytest.fixture
def django_settings(settings):
    # pytest-django's `settings` under another name: Hypothesis's is in use.
    return settings


@pytest.fixture
def consented(fuzz_world):
    """Each employee has a consent receipt of their own."""
    training = Program.objects.get(key="ai_training")
    for name in ("alice", "bob"):
        consent_grant(
            employee=fuzz_world.identities[name].employee,
            program=training,
            notice=notice_latest(program=training),
        )
    return fuzz_world


def _get(client, world, viewer, url, api):
    identity = world.identities[viewer]
    if api:
        client.logout()
        return client.get(url, HTTP_AUTHORIZATION=f"Token {identity.token}")
    client.force_login(identity.user)
    return client.get(url)


def test_nobody_reads_another_persons_objects(client, consented, django_settings):
    django_settings.ACCOUNTS_REQUIRE_STAFF_2FA = False  # staff reach the pages
    world = consented
    pairs = [
        (viewer, owner)
        for owner in ("alice", "bob")
        for viewer in ("alice", "bob", OFFICER, REGULATOR)
        if viewer != owner
    ]
    choices = [(v, o, url, api) for v, o in pairs for url, api in _objects(world, o)]

    @settings(max_examples=60)
    @given(choice=st.sampled_from(choices))
    def run(choice):
        viewer, owner, url, api = choice
        response = _get(client, world, viewer, url, api)
        assert response.status_code == 404, (viewer, url, response.status_code)
        body = b"".join(response) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        shown = [s for s in _secrets(world, owner) if s in text]
        assert not shown, (viewer, url, shown)
        summary.record("cross", f"{viewer} -> {owner}'s objects", "404")

    run()


def test_the_owner_reads_them(client, consented):
    """The same URLs answer their owner: the 404s above are about who asks."""
    alice = consented.identities["alice"]
    request_page = reverse("rights:request_detail", args=[alice.request_ids[0]])
    receipt = reverse(
        "consent:receipt",
        args=[ConsentEvent.objects.filter(employee=alice.employee).first().pk],
    )

    client.force_login(alice.user)
    page = client.get(request_page)
    api = client.get(
        reverse("api:rights_request", args=[alice.request_ids[0]]),
        HTTP_AUTHORIZATION=f"Token {alice.token}",
    )

    assert page.status_code == 200 and alice.request_ids[0] in page.content.decode()
    assert api.status_code == 200 and api.json()["id"] == alice.request_ids[0]
    assert client.get(receipt).status_code == 200
